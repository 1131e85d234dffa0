package tctest

import (
	"slices"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/tc"
)

// class returns the class id of the link made by RTM_NEWTCLASS, or nil.
func (k *Kernel) class(ifindex int, id tc.Handle) *tc.Class {
	for _, c := range k.classes {
		if c.Ifindex == ifindex && c.Handle == id {
			return c
		}
	}
	return nil
}

// ctlClass answers RTM_NEWTCLASS and RTM_DELTCLASS as the kernel's
// tc_ctl_tclass does.
func (k *Kernel) ctlClass(req netlink.Message, c *tc.Class) error {
	pid, clid := c.Parent, c.Handle
	qid := clid.Major()
	root := k.occupant(c.Ifindex, tc.HandleRoot)
	rootMajor := uint16(0)
	if root != nil {
		rootMajor = root.Handle.Major()
	}
	if pid != tc.HandleRoot {
		switch qid1 := pid.Major(); {
		case qid != 0 && qid1 != 0 && qid != qid1:
			return syscall.EINVAL
		case qid1 != 0:
			qid = qid1
		case qid == 0:
			qid = rootMajor
		}
		if pid != 0 {
			pid = tc.MakeHandle(qid, pid.Minor())
		}
	} else if qid == 0 {
		qid = rootMajor
	}
	q := k.qdiscAt(c.Ifindex, qid)
	if q == nil {
		if qid == 0 && root == nil {
			return syscall.EINVAL // the default qdisc, which has no classes
		}
		return syscall.ENOENT
	}
	n, classful := builtinClasses(q)
	if !classful {
		return syscall.EINVAL
	}
	if clid == 0 {
		if pid == tc.HandleRoot {
			clid = tc.MakeHandle(qid, 0)
		}
	} else {
		clid = tc.MakeHandle(qid, clid.Minor())
	}
	found := clid != 0 && k.classExists(q, clid)
	del := req.Header.Type == uapi.RTM_DELTCLASS
	switch {
	case !found && (del || req.Header.Flags&netlink.Create == 0):
		return syscall.ENOENT
	case found && !del && req.Header.Flags&netlink.Excl != 0:
		return syscall.EEXIST
	case n > 0:
		return syscall.EOPNOTSUPP // built-in classes: no change, no delete
	case del:
		cl := k.class(c.Ifindex, clid)
		for _, x := range k.classes {
			if x.Ifindex == c.Ifindex && x.Parent == clid {
				return fail(syscall.EBUSY, "HTB class in use")
			}
		}
		m := k.classMsg(uapi.RTM_DELTCLASS, cl)
		before := slices.Clone(k.filters)
		if leaf := k.occupant(c.Ifindex, clid); leaf != nil {
			k.removeTree(leaf)
		}
		k.classes = slices.DeleteFunc(k.classes, func(x *tc.Class) bool { return x == cl })
		k.filters = slices.DeleteFunc(k.filters, func(f *filter) bool { return f.Ifindex == c.Ifindex && f.block == clid })
		k.nl.Report(req, uapi.RTNLGRP_TC, append(k.chainsGone(before), m)...)
		return nil
	case found:
		cl := k.class(c.Ifindex, clid)
		if c.Options != nil {
			cl.Options = c.Options
		}
		k.nl.Report(req, uapi.RTNLGRP_TC, k.classMsg(uapi.RTM_NEWTCLASS, cl))
		return nil
	}
	if clid.Minor() == 0 || clid.Major() != q.Handle.Major() {
		return syscall.EINVAL
	}
	// A class under the qdisc, or under a class that does not exist, hangs
	// from the root: the kernel reports its parent as TC_H_ROOT.
	if pid.Minor() == 0 || k.class(c.Ifindex, pid) == nil {
		pid = tc.HandleRoot
	}
	cl := &tc.Class{
		Ifindex: c.Ifindex, Handle: clid, Parent: pid, Kind: q.Kind,
		Options: c.Options, Estimator: c.Estimator, Other: c.Other,
	}
	k.classes = append(k.classes, cl)
	k.nl.Report(req, uapi.RTNLGRP_TC, k.classMsg(uapi.RTM_NEWTCLASS, cl))
	return nil
}

// classMsg is the message of c, with its leaf qdisc.
func (k *Kernel) classMsg(typ netlink.HeaderType, c *tc.Class) netlink.Message {
	x := *c
	x.Leaf = 0
	if leaf := k.occupant(c.Ifindex, c.Handle); leaf != nil {
		x.Leaf = leaf.Handle
	}
	b, _ := x.Append(nil)
	return msg(typ, b)
}

func (k *Kernel) dumpClasses(req netlink.Message) ([]netlink.Message, error) {
	ifindex, parent := ifindexOf(req), parentOf(req)
	if k.link(ifindex) == nil {
		return nil, nil
	}
	var out []netlink.Message
	for _, q := range k.qdiscs {
		if q.Ifindex != ifindex || parent != 0 && parent.Major() != q.Handle.Major() {
			continue
		}
		n, _ := builtinClasses(q)
		for i := 1; i <= n; i++ {
			c := &tc.Class{Ifindex: ifindex, Handle: tc.MakeHandle(q.Handle.Major(), uint16(i)), Parent: q.Handle, Kind: q.Kind}
			if q.Kind == "prio" {
				c.Parent = tc.HandleRoot
			}
			out = append(out, k.classMsg(uapi.RTM_NEWTCLASS, c))
		}
		for _, c := range k.classes {
			if c.Ifindex == ifindex && c.Handle.Major() == q.Handle.Major() {
				out = append(out, k.classMsg(uapi.RTM_NEWTCLASS, c))
			}
		}
	}
	return out, nil
}
