package tctest

import (
	"cmp"
	"encoding/binary"
	"slices"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/tc"
)

// filter is a filter and the block it is in: the qdisc's (major:0), an
// htb class's, or a clsact hook's (ffff:fff2, ffff:fff3).
type filter struct {
	tc.Filter
	block tc.Handle
}

// A filter has no options in the header entry the kernel lists (and
// notifies) for each priority.
func header(f *filter) tc.Filter {
	return tc.Filter{Ifindex: f.Ifindex, Parent: f.Parent, Priority: f.Priority, Protocol: f.Protocol, Chain: f.Chain, Kind: f.Kind}
}

// chainMsg is the notification of a chain made or gone (RTM_NEWCHAIN,
// RTM_DELCHAIN): struct tcmsg and TCA_CHAIN.
func chainMsg(typ netlink.HeaderType, ifindex int, block tc.Handle, chain uint32) netlink.Message {
	b := make([]byte, 20, 28)
	binary.NativeEndian.PutUint32(b[4:], uint32(ifindex))
	binary.NativeEndian.PutUint32(b[12:], uint32(block))
	e := netlink.NewAttrEncoder(b)
	e.Uint32(11, chain) // TCA_CHAIN
	b, _ = e.Finish()
	return msg(typ, b)
}

// chainsGone returns the RTM_DELCHAIN notifications of the chains that
// had filters in before and have none now, by block and chain.
func (k *Kernel) chainsGone(before []*filter) []netlink.Message {
	type key struct {
		ifindex int
		block   tc.Handle
		chain   uint32
	}
	var gone []key
	for _, f := range before {
		x := key{f.Ifindex, f.block, f.Chain}
		if !slices.Contains(gone, x) && len(k.chain(x.ifindex, x.block, x.chain)) == 0 {
			gone = append(gone, x)
		}
	}
	slices.SortFunc(gone, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.ifindex, b.ifindex), cmp.Compare(a.block, b.block), cmp.Compare(a.chain, b.chain))
	})
	var out []netlink.Message
	for _, x := range gone {
		out = append(out, chainMsg(uapi.RTM_DELCHAIN, x.ifindex, x.block, x.chain))
	}
	return out
}

func filterMsg(typ netlink.HeaderType, f tc.Filter) netlink.Message {
	b, _ := f.Append(nil)
	return msg(typ, b)
}

// block finds the block of the filters at parent, as the kernel's
// __tcf_qdisc_find and __tcf_block_find do; parent 0 is the root qdisc.
func (k *Kernel) block(ifindex int, parent tc.Handle) (tc.Handle, tc.Handle, error) {
	var q *tc.Qdisc
	if parent == tc.HandleUnspec {
		if q = k.occupant(ifindex, tc.HandleRoot); q == nil {
			return 0, 0, fail(syscall.EINVAL, "Qdisc not classful") // noqueue
		}
		parent = q.Handle
	} else if q = k.qdiscAt(ifindex, parent.Major()); q == nil {
		return 0, 0, fail(syscall.EINVAL, "Parent Qdisc doesn't exists")
	}
	switch q.Kind {
	case "ingress":
		return parent, q.Handle, nil
	case "clsact":
		if m := parent.Minor(); m != tc.HandleClsactIngress.Minor() && m != tc.HandleClsactEgress.Minor() {
			return 0, 0, fail(syscall.ENOENT, "Specified class doesn't exist")
		}
		return parent, parent, nil
	case "prio":
	case "tbf", "netem":
		return 0, 0, fail(syscall.EOPNOTSUPP, "Class doesn't support blocks")
	default:
		if _, classful := builtinClasses(q); !classful {
			return 0, 0, fail(syscall.EINVAL, "Qdisc not classful")
		}
	}
	if parent.Minor() == 0 {
		return parent, q.Handle, nil
	}
	if !k.classExists(q, parent) {
		return 0, 0, fail(syscall.ENOENT, "Specified class doesn't exist")
	}
	if q.Kind == "prio" {
		return parent, q.Handle, nil
	}
	return parent, parent, nil
}

// chain returns the filters of a block's chain, by priority, then as the
// kernel lists them: bpf's the last made first, the other kinds' by
// handle.
func (k *Kernel) chain(ifindex int, block tc.Handle, chain uint32) []*filter {
	var out []*filter
	for _, f := range slices.Backward(k.filters) {
		if f.Ifindex == ifindex && f.block == block && f.Chain == chain {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b *filter) int {
		if c := cmp.Compare(a.Priority, b.Priority); c != 0 || a.Kind == "bpf" {
			return c
		}
		return cmp.Compare(a.Handle, b.Handle)
	})
	return out
}

// tp returns the first filter of chain c with priority prio, standing for
// the kernel's tcf_proto of that priority, or nil.
func tp(c []*filter, prio uint16) *filter {
	for _, f := range c {
		if f.Priority == prio {
			return f
		}
	}
	return nil
}

func (k *Kernel) newFilter(req netlink.Message, f *tc.Filter) error {
	create := req.Header.Flags&netlink.Create != 0
	prio := f.Priority
	if prio == 0 && !create {
		return fail(syscall.ENOENT, "Invalid filter command with priority of zero")
	}
	parent, blk, err := k.block(f.Ifindex, f.Parent)
	if err != nil {
		return err
	}
	c := k.chain(f.Ifindex, blk, f.Chain)
	var head *filter
	if prio == 0 {
		// One below the first priority from 0x8000 up, or 0xc000.
		prio = 0xc000
		if i := slices.IndexFunc(c, func(x *filter) bool { return x.Priority >= 0x8000 }); i >= 0 {
			prio = c[i].Priority - 1
		}
	} else if head = tp(c, prio); head != nil && f.Protocol != 0 && head.Protocol != f.Protocol {
		return fail(syscall.EINVAL, "Protocol mismatch for filter with specified priority")
	}
	switch {
	case head == nil && (f.Protocol == 0 || f.Kind == ""):
		return fail(syscall.EINVAL, "Filter kind and protocol must be specified")
	case head != nil && f.Kind != "" && f.Kind != head.Kind:
		return fail(syscall.EINVAL, "Specified filter kind does not match existing one")
	}
	var cur *filter
	if f.Handle != 0 {
		for _, x := range c {
			if x.Priority == prio && x.Handle == f.Handle {
				cur = x
			}
		}
	}
	switch {
	case cur == nil && !create:
		return fail(syscall.ENOENT, "Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter")
	case cur != nil && req.Header.Flags&netlink.Excl != 0:
		return fail(syscall.EEXIST, "Filter already exists")
	case cur != nil:
		if f.Options != nil {
			cur.Options = f.Options
		}
		cur.Parent = parent
		k.nl.Report(req, uapi.RTNLGRP_TC, filterMsg(uapi.RTM_NEWTFILTER, cur.Filter))
		return nil
	}
	n := &filter{Filter: *f, block: blk}
	n.Parent, n.Priority, n.Warning = parent, prio, ""
	if head != nil {
		n.Protocol, n.Kind = head.Protocol, head.Kind
	}
	if n.Handle == 0 {
		for _, x := range c {
			if x.Priority == prio {
				n.Handle = max(n.Handle, x.Handle)
			}
		}
		n.Handle++
	}
	var msgs []netlink.Message
	if len(c) == 0 {
		msgs = append(msgs, chainMsg(uapi.RTM_NEWCHAIN, n.Ifindex, blk, n.Chain))
	}
	k.filters = append(k.filters, n)
	k.nl.Report(req, uapi.RTNLGRP_TC, append(msgs, filterMsg(uapi.RTM_NEWTFILTER, n.Filter))...)
	return nil
}

func (k *Kernel) delFilter(req netlink.Message, f *tc.Filter) error {
	prio := f.Priority
	if prio == 0 && (f.Protocol != 0 || f.Handle != 0 || f.Kind != "") {
		return fail(syscall.EINVAL, "Cannot flush filters with protocol, handle or kind set")
	}
	parent, blk, err := k.block(f.Ifindex, f.Parent)
	if err != nil {
		return err
	}
	c := k.chain(f.Ifindex, blk, f.Chain)
	if len(c) == 0 {
		if prio == 0 {
			return nil
		}
		return fail(syscall.ENOENT, "Cannot find specified filter chain")
	}
	gone := func(del func(*filter) bool) {
		k.filters = slices.DeleteFunc(k.filters, func(x *filter) bool {
			return x.Ifindex == f.Ifindex && x.block == blk && x.Chain == f.Chain && del(x)
		})
	}
	if prio == 0 {
		var msgs []netlink.Message
		for i, x := range c {
			if i == 0 || c[i-1].Priority != x.Priority {
				h := header(x)
				h.Parent = parent
				msgs = append(msgs, filterMsg(uapi.RTM_DELTFILTER, h))
			}
		}
		gone(func(*filter) bool { return true })
		k.nl.Report(req, uapi.RTNLGRP_TC, append(msgs, k.chainsGone(c)...)...)
		return nil
	}
	head := tp(c, prio)
	switch {
	case head == nil:
		return fail(syscall.ENOENT, "Filter with specified priority/protocol not found")
	case f.Protocol != 0 && head.Protocol != f.Protocol:
		return fail(syscall.EINVAL, "Filter with specified priority/protocol not found")
	case f.Kind != "" && f.Kind != head.Kind:
		return fail(syscall.EINVAL, "Specified filter kind does not match existing one")
	}
	if f.Handle == 0 {
		h := header(head)
		h.Parent = parent
		gone(func(x *filter) bool { return x.Priority == prio })
		k.nl.Report(req, uapi.RTNLGRP_TC, append([]netlink.Message{filterMsg(uapi.RTM_DELTFILTER, h)}, k.chainsGone(c)...)...)
		return nil
	}
	i := slices.IndexFunc(c, func(x *filter) bool { return x.Priority == prio && x.Handle == f.Handle })
	if i < 0 {
		return fail(syscall.ENOENT, "Specified filter handle not found")
	}
	x := c[i].Filter
	x.Parent = parent
	gone(func(y *filter) bool { return y == c[i] })
	k.nl.Report(req, uapi.RTNLGRP_TC, append([]netlink.Message{filterMsg(uapi.RTM_DELTFILTER, x)}, k.chainsGone(c)...)...)
	return nil
}

func (k *Kernel) dumpFilters(req netlink.Message) ([]netlink.Message, error) {
	ifindex := ifindexOf(req)
	if k.link(ifindex) == nil {
		return nil, nil
	}
	parent, blk, err := k.block(ifindex, parentOf(req))
	if err != nil {
		return nil, nil // the kernel lists nothing
	}
	var chains []uint32
	for _, f := range k.filters {
		if f.Ifindex == ifindex && f.block == blk && !slices.Contains(chains, f.Chain) {
			chains = append(chains, f.Chain)
		}
	}
	slices.Sort(chains)
	var out []netlink.Message
	for _, ch := range chains {
		c := k.chain(ifindex, blk, ch)
		for i, x := range c {
			if i == 0 || c[i-1].Priority != x.Priority {
				h := header(x)
				h.Parent = parent
				out = append(out, filterMsg(uapi.RTM_NEWTFILTER, h))
			}
			y := x.Filter
			y.Parent = parent
			out = append(out, filterMsg(uapi.RTM_NEWTFILTER, y))
		}
	}
	return out, nil
}
