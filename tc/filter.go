package tc

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Filter is a classifier attached to a qdisc or a class (struct tcmsg and
// its attributes, in RTM_NEWTFILTER messages).
type Filter struct {
	Ifindex int    // tcm_ifindex: the link
	Parent  Handle // tcm_parent: the qdisc or class ("1:", HandleClsactIngress, ...); HandleUnspec is the root qdisc
	// Priority is tc's "pref": filters run in order of it; 0 on creation
	// lets the kernel pick. (tcm_info's upper 16 bits)
	Priority uint16
	// Protocol is the ethernet protocol the filter sees (ProtoAll,
	// ProtoIP, ...), in host order. (tcm_info's lower 16 bits, which
	// carry it in network order)
	Protocol uint16
	// Handle is tcm_handle, the filter's own handle, in its kind's
	// numbering (u32: htid:hash:node, see U32Handle); 0 on creation lets
	// the kind pick.
	Handle uint32
	Chain  uint32 // TCA_CHAIN: the filter chain, 0 by default

	// Kind is TCA_KIND ("u32", "bpf", "flower", "matchall"); it may be
	// left empty when Options is set.
	Kind string
	// Options are TCA_OPTIONS: *U32, *BPF, *Flower, *Matchall, or
	// *RawOptions for the kinds this package does not decode.
	Options Options
	// Other holds the attributes no other field models, sent back.
	Other RawAttrs

	Warning string // TCA_EXT_WARN_MSG, read only
}

// info returns tcm_info: the priority and the protocol in network order.
func filterInfo(prio, proto uint16) uint32 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], proto)
	return uint32(prio)<<16 | uint32(ne.Uint16(b[:]))
}

func filterFrom(o *object) Filter {
	var b [2]byte
	ne.PutUint16(b[:], uint16(o.info))
	return Filter{
		Ifindex: int(o.ifindex), Parent: Handle(o.parent),
		Priority: uint16(o.info >> 16), Protocol: binary.BigEndian.Uint16(b[:]),
		Handle: o.handle, Chain: o.chain,
		Kind: o.kind, Options: o.options, Other: o.other, Warning: o.warning,
	}
}

func (f *Filter) request(op string, typ netlink.HeaderType, flags netlink.HeaderFlags, options bool) request {
	o := &object{
		ifindex: int32(f.Ifindex), handle: f.Handle, parent: uint32(f.Parent),
		info: filterInfo(f.Priority, f.Protocol), chain: f.Chain, hasChain: f.Chain != 0,
	}
	if options {
		o.options, o.other = f.Options, f.Other
	}
	kind, err := kindOf(f.Kind, f.Options)
	o.kind = kind
	return request{
		op: op, typ: typ, flags: flags, obj: o, table: filterKinds, options: options,
		check: func() error {
			switch {
			case err != nil:
				return err
			case f.Ifindex <= 0:
				return badf("no link (Ifindex %d)", f.Ifindex)
			case options && kind == "":
				return badf("no kind")
			case options && f.Protocol == 0:
				return badf("no protocol (ProtoAll, ProtoIP, ...)")
			}
			return nil
		},
		name: f.name(kind),
	}
}

// name names f in errors, as `filter u32 pref 1 handle 0x800 parent 1: dev "v0"`.
func (f *Filter) name(kind string) func(string) string {
	return func(dev string) string {
		s := "filter"
		if kind != "" {
			s += " " + kind
		}
		if f.Priority != 0 {
			s += fmt.Sprintf(" pref %d", f.Priority)
		}
		if f.Handle != 0 {
			s += fmt.Sprintf(" handle %#x", f.Handle)
		}
		if f.Chain != 0 {
			s += fmt.Sprintf(" chain %d", f.Chain)
		}
		return s + " parent " + f.Parent.String() + " dev " + dev
	}
}

// Filters lists the filters on the link with index ifindex attached to
// parent (a qdisc, a class, HandleClsactIngress, ...; HandleUnspec for the root
// qdisc). Each value owns its memory. It sends an RTM_GETTFILTER dump
// request.
func (c *Conn) Filters(ctx context.Context, ifindex int, parent Handle) iter.Seq2[Filter, error] {
	return func(yield func(Filter, error) bool) {
		what := fmt.Sprintf("filters parent %s dev %s", parent, c.devName(ctx, int32(ifindex)))
		if ifindex <= 0 {
			yield(Filter{}, &Error{Op: "list", Object: what, Err: invalid(uapi.RTM_GETTFILTER, "no link (ifindex %d)", ifindex)})
			return
		}
		req := &object{ifindex: int32(ifindex), parent: uint32(parent)}
		for o, err := range c.dump(ctx, uapi.RTM_GETTFILTER, req, filterKinds, what) {
			if err != nil {
				yield(Filter{}, err)
				return
			}
			if !yield(filterFrom(o), nil) {
				return
			}
		}
	}
}

// AddFilter creates f, failing if it exists (tc filter add). It sends
// RTM_NEWTFILTER with NLM_F_CREATE|NLM_F_EXCL.
func (c *Conn) AddFilter(ctx context.Context, f *Filter) error {
	return c.run(ctx, f.request("add", uapi.RTM_NEWTFILTER, flagsAdd, true))
}

// ReplaceFilter creates f, or changes it if it exists (tc filter
// replace). It sends RTM_NEWTFILTER with NLM_F_CREATE, as tc does.
func (c *Conn) ReplaceFilter(ctx context.Context, f *Filter) error {
	return c.run(ctx, f.request("replace", uapi.RTM_NEWTFILTER, netlink.Create, true))
}

// ChangeFilter changes the existing filter f.Handle (tc filter change). It
// sends RTM_NEWTFILTER without flags.
func (c *Conn) ChangeFilter(ctx context.Context, f *Filter) error {
	return c.run(ctx, f.request("change", uapi.RTM_NEWTFILTER, flagsChange, true))
}

// DeleteFilter deletes f: the filter f.Handle of f.Kind at f.Priority, or,
// with Handle 0, every filter at f.Priority, or, with Priority 0 too,
// every filter of f.Parent (tc filter del). It sends RTM_DELTFILTER.
func (c *Conn) DeleteFilter(ctx context.Context, f *Filter) error {
	return c.run(ctx, f.request("delete", uapi.RTM_DELTFILTER, 0, false))
}
