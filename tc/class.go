package tc

import (
	"context"
	"fmt"
	"iter"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Class is a class of a classful qdisc (struct tcmsg and its attributes,
// in RTM_NEWTCLASS messages).
type Class struct {
	Ifindex int    // tcm_ifindex: the link
	Handle  Handle // tcm_handle: the class ID, major:minor ("1:10")
	Parent  Handle // tcm_parent: the qdisc ("1:") or the parent class ("1:1")

	// Kind is TCA_KIND, the qdisc's kind; it may be left empty when
	// Options is set.
	Kind string
	// Options are TCA_OPTIONS: *HTBClass, or *RawOptions for the kinds
	// this package does not decode; nil for kinds whose classes have none
	// (tbf, prio, mq).
	Options Options
	// Estimator, when set, is sent as TCA_RATE.
	Estimator *Estimator
	// Other holds the attributes no other field models, sent back.
	Other RawAttrs

	// Read only: what the kernel reports.
	Leaf    Handle // tcm_info: the handle of the class's leaf qdisc
	Stats   *Stats // TCA_STATS2 (Stats.App: see ParseHTBXStats)
	Warning string // TCA_EXT_WARN_MSG
}

func classFrom(o *object) Class {
	return Class{
		Ifindex: int(o.ifindex), Handle: Handle(o.handle), Parent: Handle(o.parent),
		Kind: o.kind, Options: o.options, Other: o.other,
		Leaf: Handle(o.info), Stats: o.stats, Warning: o.warning,
	}
}

func (cl *Class) request(op string, typ netlink.HeaderType, flags netlink.HeaderFlags, options bool) request {
	o := &object{ifindex: int32(cl.Ifindex), handle: uint32(cl.Handle), parent: uint32(cl.Parent)}
	if options {
		o.options, o.estimator, o.other = cl.Options, cl.Estimator, cl.Other
	}
	kind, err := kindOf(cl.Kind, cl.Options)
	o.kind = kind
	return request{
		op: op, typ: typ, flags: flags, obj: o, table: classKinds, options: options && (cl.Options != nil || classKinds[kind] != nil),
		check: func() error {
			switch {
			case err != nil:
				return err
			case cl.Ifindex <= 0:
				return badf("no link (Ifindex %d)", cl.Ifindex)
			case cl.Handle == HandleUnspec && cl.Parent == HandleUnspec:
				return badf("no class ID (Handle) and no parent")
			case cl.Handle != HandleUnspec && cl.Handle.Minor() == 0:
				return badf("class ID %s has no minor number", cl.Handle)
			}
			return nil
		},
		name: func(dev string) string {
			s := "class"
			if kind != "" {
				s += " " + kind
			}
			if cl.Handle != HandleUnspec {
				s += " " + cl.Handle.String()
			} else {
				s += " parent " + cl.Parent.String()
			}
			return s + " dev " + dev
		},
	}
}

// Classes lists the classes on the link with index ifindex, of the qdisc
// parent names (its major number), or of every qdisc of the link when
// parent is HandleUnspec. Each value owns its memory. It sends an RTM_GETTCLASS
// dump request.
func (c *Conn) Classes(ctx context.Context, ifindex int, parent Handle) iter.Seq2[Class, error] {
	return func(yield func(Class, error) bool) {
		what := fmt.Sprintf("classes dev %s", c.devName(ctx, int32(ifindex)))
		if ifindex <= 0 {
			yield(Class{}, &Error{Op: "list", Object: what, Err: invalid(uapi.RTM_GETTCLASS, "no link (ifindex %d)", ifindex)})
			return
		}
		if parent != HandleUnspec {
			what = fmt.Sprintf("classes parent %s dev %s", parent, c.devName(ctx, int32(ifindex)))
		}
		req := &object{ifindex: int32(ifindex), parent: uint32(parent)}
		for o, err := range c.dump(ctx, uapi.RTM_GETTCLASS, req, classKinds, what) {
			if err != nil {
				yield(Class{}, err)
				return
			}
			if parent != HandleUnspec && Handle(o.handle).Major() != parent.Major() {
				continue
			}
			if !yield(classFrom(o), nil) {
				return
			}
		}
	}
}

// AddClass creates cl, failing if the class exists (tc class add). It
// sends RTM_NEWTCLASS with NLM_F_CREATE|NLM_F_EXCL.
func (c *Conn) AddClass(ctx context.Context, cl *Class) error {
	return c.run(ctx, cl.request("add", uapi.RTM_NEWTCLASS, flagsAdd, true))
}

// ReplaceClass creates cl, or changes it if it exists (tc class replace).
// It sends RTM_NEWTCLASS with NLM_F_CREATE, as tc does.
func (c *Conn) ReplaceClass(ctx context.Context, cl *Class) error {
	return c.run(ctx, cl.request("replace", uapi.RTM_NEWTCLASS, netlink.Create, true))
}

// ChangeClass changes the existing class cl.Handle (tc class change). It
// sends RTM_NEWTCLASS without flags.
func (c *Conn) ChangeClass(ctx context.Context, cl *Class) error {
	return c.run(ctx, cl.request("change", uapi.RTM_NEWTCLASS, flagsChange, true))
}

// DeleteClass deletes the class cl.Handle (tc class del). It sends
// RTM_DELTCLASS.
func (c *Conn) DeleteClass(ctx context.Context, cl *Class) error {
	return c.run(ctx, cl.request("delete", uapi.RTM_DELTCLASS, 0, false))
}
