package rtnetlink

import (
	"context"
	"fmt"
	"iter"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// NSIDNone is the ID of a network namespace that has none in the namespace
// asked (NETNSA_NSID_NOT_ASSIGNED); SetNSID given it lets the kernel choose.
const NSIDNone int32 = -1

// NSID is a network namespace ID: the number by which one network
// namespace knows another (ip netns list-id), as links name the namespace
// of their peer (Link.LinkNetNSID). The kernel sends it in RTM_NEWNSID
// messages: replies to NSIDs and GetNSID, and notifications on the
// RTNLGRP_NSID group (RTM_DELNSID when a namespace with an ID goes away).
type NSID struct {
	// ID is the namespace's ID (NETNSA_NSID), or NSIDNone.
	ID int32
	// CurrentID is the ID the Conn's own namespace gives the same
	// namespace (NETNSA_CURRENT_NSID), which the kernel sends when asked
	// about the IDs of another namespace (NSIDsOf, GetNSIDOf); NSIDNone
	// otherwise, or when the Conn's namespace gives it none.
	CurrentID int32
	// Other holds the attributes the fields above do not model, as the
	// kernel sent them.
	Other RawAttrs
}

// ParseNSID reads an RTM_NEWNSID or RTM_DELNSID message: a reply of NSIDs
// or GetNSID, or a notification received on the RTNLGRP_NSID group. The
// NSID owns its memory: nothing aliases m.
func ParseNSID(m netlink.Message) (NSID, error) {
	var n NSID
	ok, err := n.decode(&m)
	if err == nil && !ok {
		err = fmt.Errorf("rtnetlink: %s is not a namespace ID message: %w",
			netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), netlink.ErrMalformed)
	}
	if err != nil {
		return NSID{}, err
	}
	return n, nil
}

// rtgenmsgLen is the size of struct rtgenmsg, the family byte that opens
// the namespace ID messages.
const rtgenmsgLen = 1

// decode reads an RTM_NEWNSID or RTM_DELNSID message into n and reports
// whether it was one.
func (n *NSID) decode(m *netlink.Message) (bool, error) {
	if m.Header.Type != uapi.RTM_NEWNSID && m.Header.Type != uapi.RTM_DELNSID {
		return false, nil
	}
	if len(m.Data) < rtgenmsgLen {
		return false, fmt.Errorf("rtnetlink: namespace ID message of %d bytes has no rtgenmsg: %w", len(m.Data), netlink.ErrMalformed)
	}
	*n = NSID{ID: NSIDNone, CurrentID: NSIDNone}
	var other []byte
	d := m.AttrDecoder(rtgenmsgLen)
	for d.Next() {
		switch d.Type() {
		case uapi.NETNSA_NSID:
			n.ID = d.Int32()
		case uapi.NETNSA_CURRENT_NSID:
			n.CurrentID = d.Int32()
		default:
			other = d.Attr().Append(other)
		}
	}
	if err := d.Err(); err != nil {
		return false, fmt.Errorf("rtnetlink: namespace ID: %w", err)
	}
	n.Other = RawAttrs(other)
	return true, nil
}

// NSIDs lists the IDs the Conn's network namespace gives other namespaces
// (ip netns list-id). The kernel says the IDs alone: GetNSID tells which
// namespace has which. An error ends the iteration.
//
// NSIDs sends an RTM_GETNSID dump request (a struct rtgenmsg); each
// RTM_NEWNSID reply is an NSID.
func (c *Conn) NSIDs(ctx context.Context) iter.Seq2[NSID, error] {
	return c.nsids(ctx, nil)
}

// NSIDsOf lists the IDs that the namespace the Conn's namespace calls
// target gives other namespaces (ip netns list-id target-nsid TARGET),
// each with the ID the Conn's namespace gives the same namespace
// (CurrentID). It needs a kernel with strict checking of GET requests on
// the socket (Dial turns it on): without it the kernel lists the Conn's
// own namespace's IDs.
//
// NSIDsOf sends an RTM_GETNSID dump request: a struct rtgenmsg, then
// NETNSA_TARGET_NSID.
func (c *Conn) NSIDsOf(ctx context.Context, target int32) iter.Seq2[NSID, error] {
	return c.nsids(ctx, &target)
}

func (c *Conn) nsids(ctx context.Context, target *int32) iter.Seq2[NSID, error] {
	return func(yield func(NSID, error) bool) {
		var e netlink.AttrEncoder
		e.Reset(make([]byte, netlink.Align(rtgenmsgLen), 16))
		object := "namespace IDs"
		if target != nil {
			object = fmt.Sprintf("namespace IDs of netns %d", *target)
			if *target < 0 {
				yield(NSID{}, named(invalid(uapi.RTM_GETNSID, "target namespace ID %d is negative", *target), "%s", object))
				return
			}
			e.Int32(uapi.NETNSA_TARGET_NSID, *target)
		}
		req, _ := e.Finish()
		for m, err := range c.dump(ctx, uapi.RTM_GETNSID, req) {
			if err != nil {
				yield(NSID{}, named(err, "%s", object))
				return
			}
			var n NSID
			ok, err := n.decode(&m)
			if err != nil {
				yield(NSID{}, err)
				return
			}
			if ok && !yield(n, nil) {
				return
			}
		}
	}
}

// GetNSID returns the ID the Conn's network namespace gives ns
// (ip netns identify's counterpart, ip netns list-id), NSIDNone when it
// gives none.
//
// GetNSID sends RTM_GETNSID: a struct rtgenmsg, then NETNSA_FD (NetNSFD,
// NetNSPath) or NETNSA_PID (NetNSPID). The reply is an RTM_NEWNSID.
func (c *Conn) GetNSID(ctx context.Context, ns NetNS) (int32, error) {
	n, err := c.getNSID(ctx, ns, nil)
	return n.ID, err
}

// GetNSIDOf returns the ID that the namespace the Conn's namespace calls
// target gives ns, with the ID the Conn's namespace gives ns (CurrentID).
//
// GetNSIDOf sends RTM_GETNSID: a struct rtgenmsg, NETNSA_FD or NETNSA_PID,
// then NETNSA_TARGET_NSID. The reply is an RTM_NEWNSID.
func (c *Conn) GetNSIDOf(ctx context.Context, ns NetNS, target int32) (NSID, error) {
	return c.getNSID(ctx, ns, &target)
}

func (c *Conn) getNSID(ctx context.Context, ns NetNS, target *int32) (NSID, error) {
	object := "ID of " + ns.String()
	if target != nil {
		object += fmt.Sprintf(" in netns %d", *target)
	}
	var r *request
	var err error
	if target != nil && *target < 0 {
		err = invalid(uapi.RTM_GETNSID, "target namespace ID %d is negative", *target)
	} else {
		r, err = nsidRequest(uapi.RTM_GETNSID, ns, nil)
	}
	if err != nil {
		return NSID{}, named(err, "%s", object)
	}
	if target != nil {
		r.Int32(uapi.NETNSA_TARGET_NSID, *target)
	}
	msgs, err := c.run(ctx, 0, r)
	if err != nil {
		return NSID{}, named(err, "%s", object)
	}
	for _, m := range msgs {
		var n NSID
		ok, err := n.decode(&m)
		if err != nil || ok {
			return n, err
		}
	}
	return NSID{}, named(fmt.Errorf("rtnetlink: no RTM_NEWNSID in the reply: %w", netlink.ErrMalformed), "%s", object)
}

// SetNSID gives ns the ID id in the Conn's network namespace (ip netns
// set NAME ID), or one the kernel chooses when id is NSIDNone, and returns
// the ID given. It fails (EEXIST) when ns has an ID already, or when
// another namespace has id. An ID stays until the namespace goes away:
// the kernel has no call that removes one.
//
// SetNSID sends RTM_NEWNSID with NLM_F_ECHO: a struct rtgenmsg, NETNSA_NSID,
// then NETNSA_FD (NetNSFD, NetNSPath) or NETNSA_PID (NetNSPID). The kernel
// echoes the RTM_NEWNSID it sends to RTNLGRP_NSID.
func (c *Conn) SetNSID(ctx context.Context, ns NetNS, id int32) (int32, error) {
	object := "ID of " + ns.String()
	var r *request
	var err error
	if id < NSIDNone {
		err = invalid(uapi.RTM_NEWNSID, "namespace ID %d is negative", id)
	} else {
		r, err = nsidRequest(uapi.RTM_NEWNSID, ns, &id)
	}
	if err != nil {
		return NSIDNone, named(err, "%s", object)
	}
	msgs, err := c.run(ctx, netlink.Echo, r)
	if err != nil {
		return NSIDNone, named(err, "%s", object)
	}
	for _, m := range msgs {
		var n NSID
		if ok, err := n.decode(&m); err != nil || ok {
			return n.ID, err
		}
	}
	if id != NSIDNone {
		return id, nil
	}
	// A kernel that does not echo (before 5.10): ask.
	return c.GetNSID(ctx, ns)
}

// nsidRequest starts a request of type typ: a struct rtgenmsg, NETNSA_NSID
// when id is not nil (first, as ip netns set sends it), then ns
// (NETNSA_FD or NETNSA_PID).
func nsidRequest(typ netlink.HeaderType, ns NetNS, id *int32) (*request, error) {
	r := &request{typ: typ}
	r.Reset(make([]byte, netlink.Align(rtgenmsgLen), 64))
	if id != nil {
		r.Int32(uapi.NETNSA_NSID, *id)
	}
	switch ns.how {
	case nsFD:
		r.Uint32(uapi.NETNSA_FD, uint32(ns.n))
	case nsPath:
		f, err := openNetNS(ns.path)
		if err != nil {
			return nil, opError("open", typ, err)
		}
		r.files = append(r.files, f)
		r.Uint32(uapi.NETNSA_FD, uint32(f.Fd()))
	case nsPID:
		r.Uint32(uapi.NETNSA_PID, uint32(ns.n))
	default:
		return nil, invalid(typ, "no network namespace")
	}
	return r, nil
}

// String names ns as errors do: "netns /run/netns/a", "netns fd 5",
// "netns of pid 42", "no netns".
func (ns NetNS) String() string {
	switch ns.how {
	case nsFD:
		return fmt.Sprintf("netns fd %d", ns.n)
	case nsPath:
		return "netns " + ns.path
	case nsPID:
		return fmt.Sprintf("netns of pid %d", ns.n)
	}
	return "no netns"
}
