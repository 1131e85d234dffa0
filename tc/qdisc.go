package tc

import (
	"context"
	"fmt"
	"iter"

	"github.com/nlkit/netlink"

	"github.com/nlkit/netlink/internal/uapi"
)

// Qdisc is a queueing discipline on a link (struct tcmsg and its
// attributes, in RTM_NEWQDISC messages).
type Qdisc struct {
	Ifindex int    // tcm_ifindex: the link
	Handle  Handle // tcm_handle: major:0 ("1:"); HandleUnspec lets the kernel pick
	Parent  Handle // tcm_parent: HandleRoot, HandleIngress, or a class ("1:10")

	// Kind is TCA_KIND ("htb", "fq_codel", ...); it may be left empty when
	// Options is set.
	Kind string
	// Options are TCA_OPTIONS: *HTB, *TBF, *FIFO, *PFIFOFast, *FQCodel,
	// *FQ, *Netem, *Prio, *Ingress, *Clsact, or *RawOptions for the kinds
	// this package does not decode. nil sends the registered kind's
	// defaults (nothing, for most kinds).
	Options Options
	// Estimator, when set, is sent as TCA_RATE.
	Estimator *Estimator
	// Other holds the attributes no other field models (a size table,
	// shared blocks of ingress and clsact), sent back unchanged.
	Other RawAttrs

	// Read only: what the kernel reports.
	Refcnt    uint32 // tcm_info: references to the qdisc
	HWOffload bool   // TCA_HW_OFFLOAD: offloaded to the device
	Stats     *Stats // TCA_STATS2
	Warning   string // TCA_EXT_WARN_MSG
}

func (q *Qdisc) object() *object {
	return &object{
		ifindex: int32(q.Ifindex), handle: uint32(q.Handle), parent: uint32(q.Parent),
		kind: q.Kind, options: q.Options, estimator: q.Estimator, other: q.Other,
	}
}

func qdiscFrom(o *object) Qdisc {
	return Qdisc{
		Ifindex: int(o.ifindex), Handle: Handle(o.handle), Parent: Handle(o.parent),
		Kind: o.kind, Options: o.options, Other: o.other,
		Refcnt: o.info, HWOffload: o.hwOffload, Stats: o.stats, Warning: o.warning,
	}
}

// name names q in errors, as `qdisc htb 1: dev "v0"`.
func (q *Qdisc) name(kind string) func(string) string {
	return func(dev string) string {
		s := "qdisc"
		if kind != "" {
			s += " " + kind
		}
		if q.Handle != HandleUnspec {
			s += " " + q.Handle.String()
		} else {
			s += " parent " + q.Parent.String()
		}
		return s + " dev " + dev
	}
}

// check refuses what the kernel would: no link, no parent, a handle with
// a minor number.
func (q *Qdisc) check() error {
	switch {
	case q.Ifindex <= 0:
		return badf("no link (Ifindex %d)", q.Ifindex)
	case q.Parent == HandleUnspec:
		return badf("no parent (HandleRoot, HandleIngress or a class)")
	case q.Handle.Minor() != 0 && q.Handle != HandleUnspec:
		return badf("handle %s has a minor number; a qdisc's is major:0", q.Handle)
	}
	return nil
}

func (q *Qdisc) request(op string, typ netlink.HeaderType, flags netlink.HeaderFlags, options bool) request {
	o := q.object()
	if !options {
		o.other, o.estimator = "", nil
	}
	kind, err := kindOf(q.Kind, q.Options)
	o.kind = kind
	return request{
		op: op, typ: typ, flags: flags, obj: o, table: qdiscKinds, options: options,
		check: func() error {
			if err != nil {
				return err
			}
			if options && kind == "" {
				return badf("no kind")
			}
			return q.check()
		},
		name: q.name(kind),
	}
}

// Qdiscs lists the qdiscs of the link with index ifindex, or of every link
// when ifindex is 0. Each value owns its memory. It sends an RTM_GETQDISC
// dump request.
func (c *Conn) Qdiscs(ctx context.Context, ifindex int) iter.Seq2[Qdisc, error] {
	return func(yield func(Qdisc, error) bool) {
		what := "qdiscs"
		if ifindex != 0 {
			what = fmt.Sprintf("qdiscs dev %s", c.devName(ctx, int32(ifindex)))
		}
		for o, err := range c.dump(ctx, uapi.RTM_GETQDISC, &object{ifindex: int32(ifindex)}, qdiscKinds, what) {
			if err != nil {
				yield(Qdisc{}, err)
				return
			}
			if ifindex != 0 && int(o.ifindex) != ifindex {
				continue
			}
			if !yield(qdiscFrom(o), nil) {
				return
			}
		}
	}
}

// AddQdisc creates q, failing if the link has a qdisc at q.Parent already
// (tc qdisc add). It sends RTM_NEWQDISC with NLM_F_CREATE|NLM_F_EXCL.
func (c *Conn) AddQdisc(ctx context.Context, q *Qdisc) error {
	return c.run(ctx, q.request("add", uapi.RTM_NEWQDISC, flagsAdd, true))
}

// ReplaceQdisc creates q, or replaces the qdisc at q.Parent (tc qdisc
// replace). It sends RTM_NEWQDISC with NLM_F_CREATE|NLM_F_REPLACE.
func (c *Conn) ReplaceQdisc(ctx context.Context, q *Qdisc) error {
	return c.run(ctx, q.request("replace", uapi.RTM_NEWQDISC, flagsReplace, true))
}

// ChangeQdisc changes the options of the existing qdisc q.Handle (tc qdisc
// change). It sends RTM_NEWQDISC without flags.
func (c *Conn) ChangeQdisc(ctx context.Context, q *Qdisc) error {
	return c.run(ctx, q.request("change", uapi.RTM_NEWQDISC, flagsChange, true))
}

// DeleteQdisc deletes the qdisc at q.Parent (and q.Handle, when set; its
// Kind, when set, must match), with its classes and filters (tc qdisc
// del). It sends RTM_DELQDISC.
func (c *Conn) DeleteQdisc(ctx context.Context, q *Qdisc) error {
	return c.run(ctx, q.request("delete", uapi.RTM_DELQDISC, 0, false))
}
