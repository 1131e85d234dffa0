package tctest

import (
	"slices"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/tc"
)

// explicitClasses are the kinds whose classes RTM_NEWTCLASS makes.
var explicitClasses = map[string]bool{"htb": true, "hfsc": true, "drr": true, "qfq": true}

// noChange are the kinds whose options cannot change once made.
var noChange = map[string]bool{"htb": true, "ingress": true, "clsact": true, "mq": true}

// builtinClasses returns the number of classes a qdisc of q's kind has
// built in (numbered from 1), and whether its kind is classful.
func builtinClasses(q *tc.Qdisc) (int, bool) {
	switch q.Kind {
	case "prio":
		if p, ok := q.Options.(*tc.Prio); ok && p.Bands != 0 {
			return int(p.Bands), true
		}
		return 3, true
	case "tbf", "netem":
		return 1, true
	}
	return 0, explicitClasses[q.Kind]
}

// qdiscAt returns the qdisc of l with major number major, or nil.
func (k *Kernel) qdiscAt(ifindex int, major uint16) *tc.Qdisc {
	for _, q := range k.qdiscs {
		if q.Ifindex == ifindex && q.Handle.Major() == major {
			return q
		}
	}
	return nil
}

// occupant returns the qdisc grafted at parent (HandleRoot, HandleIngress
// or a class), or nil when that is the default one.
func (k *Kernel) occupant(ifindex int, parent tc.Handle) *tc.Qdisc {
	for _, q := range k.qdiscs {
		if q.Ifindex == ifindex && q.Parent == parent {
			return q
		}
	}
	return nil
}

// classExists reports whether class id exists on p.
func (k *Kernel) classExists(p *tc.Qdisc, id tc.Handle) bool {
	if n, _ := builtinClasses(p); n > 0 {
		return id.Minor() >= 1 && int(id.Minor()) <= n
	}
	return k.class(p.Ifindex, id) != nil
}

// leafSlot checks that id is a class of an existing classful qdisc, as the
// kernel's qdisc_leaf does.
func (k *Kernel) leafSlot(ifindex int, id tc.Handle, missing string) error {
	p := k.qdiscAt(ifindex, id.Major())
	if p == nil {
		return fail(syscall.ENOENT, missing)
	}
	if _, classful := builtinClasses(p); !classful {
		return fail(syscall.EOPNOTSUPP, "Parent qdisc is not classful")
	}
	if !k.classExists(p, id) {
		return fail(syscall.ENOENT, "Specified class not found")
	}
	return nil
}

func (k *Kernel) newQdisc(req netlink.Message, l *link, q *tc.Qdisc) error {
	flags := req.Header.Flags
	create, excl, replace := flags&netlink.Create != 0, flags&netlink.Excl != 0, flags&netlink.Replace != 0
	clid := q.Parent
	var cur *tc.Qdisc
	change := true
	if clid != tc.HandleUnspec {
		switch clid {
		case tc.HandleRoot:
		case tc.HandleIngress:
		default:
			if err := k.leafSlot(q.Ifindex, clid, "Failed to find specified qdisc"); err != nil {
				return err
			}
		}
		cur = k.occupant(q.Ifindex, clid)
		if cur == nil || q.Handle == tc.HandleUnspec || cur.Handle != q.Handle {
			if q.Handle != tc.HandleUnspec {
				if cur != nil && !replace {
					return fail(syscall.EEXIST, "NLM_F_REPLACE needed to override")
				}
				if q.Handle.Minor() != 0 {
					return fail(syscall.EINVAL, "Invalid minor handle")
				}
				other := k.qdiscAt(q.Ifindex, q.Handle.Major())
				if other == nil {
					change = false
				} else {
					if excl {
						return fail(syscall.EEXIST, "Exclusivity flag on, cannot override")
					}
					if q.Kind != "" && q.Kind != other.Kind {
						return fail(syscall.EINVAL, "Invalid qdisc name: must match existing qdisc")
					}
					return fail(syscall.EOPNOTSUPP, "tctest: moving a qdisc to another parent is not modelled")
				}
			} else if cur == nil {
				change = false
			} else if q.Kind != "" && q.Kind != cur.Kind && (create && (replace || excl) || !create && !replace && !excl) {
				// Another kind grafted in place of cur: asked for, or
				// what the kernel makes of a request without flags (tc
				// qdisc change), even without NLM_F_CREATE.
				change, create = false, true
			}
		}
	} else {
		if q.Handle == tc.HandleUnspec {
			return fail(syscall.EINVAL, "Handle cannot be zero")
		}
		cur = k.qdiscAt(q.Ifindex, q.Handle.Major())
	}
	if change {
		switch {
		case cur == nil:
			return fail(syscall.ENOENT, "Specified qdisc not found")
		case excl:
			return fail(syscall.EEXIST, "Exclusivity flag on, cannot modify")
		case q.Kind != "" && q.Kind != cur.Kind:
			return fail(syscall.EINVAL, "Invalid qdisc name: must match existing qdisc")
		case q.Options != nil && noChange[cur.Kind]:
			return fail(syscall.EINVAL, "Change operation not supported by specified qdisc")
		}
		if q.Options != nil {
			cur.Options = q.Options
		}
		if q.Estimator != nil {
			cur.Estimator = q.Estimator
		}
		k.report(req, uapi.RTM_NEWQDISC, cur)
		return nil
	}
	if !create {
		return fail(syscall.ENOENT, "Qdisc not found. To create specify NLM_F_CREATE flag")
	}
	ingress := q.Kind == "ingress" || q.Kind == "clsact"
	switch {
	case clid == tc.HandleIngress && !ingress, clid != tc.HandleIngress && ingress:
		return fail(syscall.EINVAL, "tctest: ingress and clsact go on the ingress hook, the others not")
	case clid == tc.HandleIngress:
		q.Handle = tc.HandleIngressQdisc
		l.ingress = true
	case q.Handle == tc.HandleUnspec:
		for {
			k.auto++
			if k.auto == 0xffff {
				k.auto = 0x8001
			}
			if k.qdiscAt(q.Ifindex, uint16(k.auto)) == nil {
				break
			}
		}
		q.Handle = tc.MakeHandle(uint16(k.auto), 0)
	}
	q.Refcnt, q.Stats, q.Warning = 1, nil, ""
	if clid == tc.HandleRoot {
		q.Refcnt = 2
	}
	var msgs []netlink.Message
	if cur != nil {
		msgs = append(msgs, qdiscMsg(uapi.RTM_DELQDISC, cur))
		msgs = append(msgs, k.remove(cur)...)
	}
	k.qdiscs = append(k.qdiscs, q)
	k.nl.Report(req, uapi.RTNLGRP_TC, append(msgs, qdiscMsg(uapi.RTM_NEWQDISC, q))...)
	return nil
}

func (k *Kernel) delQdisc(req netlink.Message, l *link, q *tc.Qdisc) error {
	clid := q.Parent
	var cur *tc.Qdisc
	if clid == tc.HandleUnspec {
		if cur = k.qdiscAt(q.Ifindex, q.Handle.Major()); cur == nil || q.Handle == tc.HandleUnspec {
			return fail(syscall.ENOENT, "Failed to find qdisc with specified handle")
		}
	} else {
		switch clid {
		case tc.HandleRoot:
		case tc.HandleIngress:
			if !l.ingress {
				return fail(syscall.ENOENT, "Cannot find specified qdisc on specified device")
			}
		default:
			if err := k.leafSlot(q.Ifindex, clid, "Failed to find qdisc with specified classid"); err != nil {
				return err
			}
		}
		cur = k.occupant(q.Ifindex, clid)
		if q.Handle != tc.HandleUnspec && (cur == nil || cur.Handle != q.Handle) {
			return fail(syscall.EINVAL, "Invalid handle")
		}
	}
	if cur != nil && q.Kind != "" && q.Kind != cur.Kind {
		return fail(syscall.EINVAL, "Invalid qdisc name: must match existing qdisc")
	}
	if clid == tc.HandleUnspec {
		return fail(syscall.EINVAL, "Classid cannot be zero")
	}
	if cur == nil {
		return fail(syscall.ENOENT, "Cannot delete qdisc with handle of zero")
	}
	chains := k.remove(cur)
	k.nl.Report(req, uapi.RTNLGRP_TC, append([]netlink.Message{qdiscMsg(uapi.RTM_DELQDISC, cur)}, chains...)...)
	return nil
}

// remove deletes q and everything below it: its classes, the qdiscs
// grafted on them, its filters and theirs. It returns the notifications of
// the filter chains gone with them.
func (k *Kernel) remove(q *tc.Qdisc) []netlink.Message {
	before := slices.Clone(k.filters)
	k.removeTree(q)
	return k.chainsGone(before)
}

func (k *Kernel) removeTree(q *tc.Qdisc) {
	major := q.Handle.Major()
	k.qdiscs = slices.DeleteFunc(k.qdiscs, func(x *tc.Qdisc) bool { return x == q })
	k.classes = slices.DeleteFunc(k.classes, func(c *tc.Class) bool {
		return c.Ifindex == q.Ifindex && c.Handle.Major() == major
	})
	k.filters = slices.DeleteFunc(k.filters, func(f *filter) bool {
		return f.Ifindex == q.Ifindex && f.block.Major() == major
	})
	for _, x := range slices.Clone(k.qdiscs) {
		if x.Ifindex == q.Ifindex && x.Parent.Major() == major && x.Parent != tc.HandleRoot && x.Parent != tc.HandleIngress {
			k.removeTree(x)
		}
	}
}

func qdiscMsg(typ netlink.HeaderType, q *tc.Qdisc) netlink.Message {
	b, _ := q.Append(nil)
	return msg(typ, b)
}

func (k *Kernel) report(req netlink.Message, typ netlink.HeaderType, q *tc.Qdisc) {
	k.nl.Report(req, uapi.RTNLGRP_TC, qdiscMsg(typ, q))
}

// tree appends q and the qdiscs below it, in creation order.
func (k *Kernel) tree(out []netlink.Message, q *tc.Qdisc) []netlink.Message {
	out = append(out, qdiscMsg(uapi.RTM_NEWQDISC, q))
	for _, x := range k.qdiscs {
		if x.Ifindex == q.Ifindex && x.Parent.Major() == q.Handle.Major() && x.Parent != tc.HandleRoot && x.Parent != tc.HandleIngress {
			out = k.tree(out, x)
		}
	}
	return out
}

func (k *Kernel) dumpQdiscs(req netlink.Message) ([]netlink.Message, error) {
	ifindex := ifindexOf(req)
	var out []netlink.Message
	for _, l := range k.links {
		if ifindex != 0 && l.index != ifindex {
			continue
		}
		if root := k.occupant(l.index, tc.HandleRoot); root != nil {
			out = k.tree(out, root)
		}
		if in := k.occupant(l.index, tc.HandleIngress); in != nil {
			out = append(out, qdiscMsg(uapi.RTM_NEWQDISC, in))
		}
	}
	return out, nil
}
