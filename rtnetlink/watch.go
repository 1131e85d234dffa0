package rtnetlink

import (
	"context"
	"errors"
	"iter"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Group is an rtnetlink multicast group (RTNLGRP_*): the notifications a
// Watch receives.
type Group uint32

// The groups of the tables this package and iproute2 watch.
const (
	GroupLink      Group = uapi.RTNLGRP_LINK        // links: RTM_NEWLINK, RTM_DELLINK
	GroupNeighbor  Group = uapi.RTNLGRP_NEIGH       // neighbours: RTM_NEWNEIGH, RTM_DELNEIGH
	GroupIPv4Addr  Group = uapi.RTNLGRP_IPV4_IFADDR // IPv4 addresses: RTM_NEWADDR, RTM_DELADDR
	GroupIPv6Addr  Group = uapi.RTNLGRP_IPV6_IFADDR // IPv6 addresses
	GroupIPv4Route Group = uapi.RTNLGRP_IPV4_ROUTE  // IPv4 routes: RTM_NEWROUTE, RTM_DELROUTE
	GroupIPv6Route Group = uapi.RTNLGRP_IPV6_ROUTE  // IPv6 routes
	GroupIPv4Rule  Group = uapi.RTNLGRP_IPV4_RULE   // IPv4 routing rules: RTM_NEWRULE, RTM_DELRULE
	GroupIPv6Rule  Group = uapi.RTNLGRP_IPV6_RULE   // IPv6 routing rules
	GroupNextHop   Group = uapi.RTNLGRP_NEXTHOP     // nexthop objects: RTM_NEWNEXTHOP, RTM_DELNEXTHOP
	GroupNSID      Group = uapi.RTNLGRP_NSID        // network namespace IDs: RTM_NEWNSID, RTM_DELNSID
)

// Event is one notification: a change to a link, an address, a route, a
// neighbour, an FDB entry, a rule, a nexthop object, a bucket of a
// resilient group or a network namespace ID. Type says what happened (uapi.RTM_NEWROUTE,
// uapi.RTM_DELLINK, ...), and at most one of the pointer fields holds the
// object, decoded; Message always holds the message itself, for the
// objects this type does not decode (bridge port messages, multicast
// routes and rules of other families, a neighbour table's requests to
// resolve an address) and for the header's flags (netlink.Replace on a
// route that replaced another). An Event owns its memory.
type Event struct {
	Type          netlink.HeaderType // the message type, RTM_*
	Link          *Link              // for RTM_NEWLINK and RTM_DELLINK of family AF_UNSPEC (not bridge port messages)
	Address       *Address           // for RTM_NEWADDR and RTM_DELADDR of an IPv4 or IPv6 address
	Route         *Route             // for RTM_NEWROUTE and RTM_DELROUTE of an IPv4 or IPv6 route
	Neighbor      *Neighbor          // for RTM_NEWNEIGH and RTM_DELNEIGH of an IPv4 or IPv6 neighbour
	FDB           *FDBEntry          // for RTM_NEWNEIGH and RTM_DELNEIGH of family AF_BRIDGE
	Rule          *Rule              // for RTM_NEWRULE and RTM_DELRULE of an IPv4 or IPv6 rule
	NextHop       *NextHopObject     // for RTM_NEWNEXTHOP and RTM_DELNEXTHOP
	NextHopBucket *NextHopBucket     // for RTM_NEWNEXTHOPBUCKET and RTM_DELNEXTHOPBUCKET
	NSID          *NSID              // for RTM_NEWNSID and RTM_DELNSID
	Message       netlink.Message    // the notification as received
}

// Deleted reports whether the event says an object went away: an RTM_DEL*
// message (RTM_DELLINK, RTM_DELADDR, RTM_DELROUTE, RTM_DELNEIGH, ...).
func (e Event) Deleted() bool {
	return e.Type >= uapi.RTM_BASE && (e.Type-uapi.RTM_BASE)%4 == 1
}

// ParseEvent decodes a notification into an Event. Messages of the types
// and families Event does not decode are returned with Message set alone; an error
// means the message is malformed (it wraps netlink.ErrMalformed), and the
// Event still has Type and Message.
func ParseEvent(m netlink.Message) (Event, error) {
	e := Event{Type: m.Header.Type, Message: m}
	switch m.Header.Type {
	case uapi.RTM_NEWLINK, uapi.RTM_DELLINK:
		if len(m.Data) > 0 && m.Data[0] != uapi.AF_UNSPEC {
			return e, nil // a bridge port (AF_BRIDGE): not a whole link
		}
		l, err := ParseLink(m)
		if err != nil {
			return e, err
		}
		e.Link = &l
	case uapi.RTM_NEWADDR, uapi.RTM_DELADDR:
		a, err := ParseAddress(m)
		if errors.Is(err, errors.ErrUnsupported) {
			return e, nil
		}
		if err != nil {
			return e, err
		}
		e.Address = &a
	case uapi.RTM_NEWROUTE, uapi.RTM_DELROUTE:
		r, err := ParseRoute(m)
		if errors.Is(err, errors.ErrUnsupported) {
			return e, nil
		}
		if err != nil {
			return e, err
		}
		e.Route = &r
	case uapi.RTM_NEWNEIGH, uapi.RTM_DELNEIGH:
		switch msgFamily(m) {
		case uapi.AF_INET, uapi.AF_INET6:
			n, err := ParseNeighbor(m)
			if err != nil {
				return e, err
			}
			e.Neighbor = &n
		case uapi.AF_BRIDGE:
			f, err := ParseFDBEntry(m)
			if err != nil {
				return e, err
			}
			e.FDB = &f
		}
	case uapi.RTM_NEWRULE, uapi.RTM_DELRULE:
		if f := msgFamily(m); f != uapi.AF_INET && f != uapi.AF_INET6 {
			return e, nil // a rule of the multicast routing tables, or of MPLS
		}
		r, err := ParseRule(m)
		if err != nil {
			return e, err
		}
		e.Rule = &r
	case uapi.RTM_NEWNEXTHOP, uapi.RTM_DELNEXTHOP:
		nh, err := ParseNextHopObject(m)
		if err != nil {
			return e, err
		}
		e.NextHop = &nh
	case rtmNewNextHopBucket, rtmDelNextHopBucket:
		b, err := ParseNextHopBucket(m)
		if err != nil {
			return e, err
		}
		e.NextHopBucket = &b
	case uapi.RTM_NEWNSID, uapi.RTM_DELNSID:
		n, err := ParseNSID(m)
		if err != nil {
			return e, err
		}
		e.NSID = &n
	}
	return e, nil
}

// msgFamily returns the family byte that starts m's fixed header, or
// AF_UNSPEC when m is empty.
func msgFamily(m netlink.Message) uint8 {
	if len(m.Data) == 0 {
		return uapi.AF_UNSPEC
	}
	return m.Data[0]
}

// Watch joins groups (none: the groups the Conn has joined already) and
// yields the notifications the Conn receives, as Events, until ctx is done.
// The groups stay joined when the iteration ends.
//
// Two kinds of errors are yielded without ending the stream, since events
// keep coming after them: one wrapping netlink.ErrOverrun, once after the
// kernel dropped notifications because the Conn's receive queue was full
// (whatever copy of the kernel's tables the caller keeps is then stale:
// list them again, as Mirror does); and one wrapping netlink.ErrMalformed,
// for a notification that does not decode (its Event has Type and Message).
// Any other error (ctx done, the Conn closed) is yielded last.
//
// Requests may run on the same Conn meanwhile, from other goroutines: their
// replies are not notifications and never reach Watch.
//
// Watch sends no request: it joins the groups (NETLINK_ADD_MEMBERSHIP) and
// reads the notifications the kernel multicasts, RTM_NEWLINK, RTM_DELADDR
// and the like.
func (c *Conn) Watch(ctx context.Context, groups ...Group) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for _, g := range groups {
			if err := c.NL.JoinGroup(uint32(g)); err != nil {
				yield(Event{}, err)
				return
			}
		}
		for {
			msgs, err := c.NL.Receive(ctx)
			if err != nil {
				if !yield(Event{}, err) || !errors.Is(err, netlink.ErrOverrun) && !errors.Is(err, netlink.ErrMalformed) {
					return
				}
				continue
			}
			for _, m := range msgs {
				if !yield(ParseEvent(m)) {
					return
				}
			}
		}
	}
}
