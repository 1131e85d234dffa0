package rtnetlink

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"net/netip"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// NextHopObject is a nexthop object (RTM_NEWNEXTHOP, ip nexthop): a next
// hop, or a group of them, kept apart from routes, which name it by ID
// (Route.NextHopID). It is one of: a gateway and/or a link, a blackhole, or
// a group of other nexthop objects.
type NextHopObject struct {
	// ID is the object's id (NHA_ID). When adding, 0 lets the kernel
	// choose one.
	ID uint32
	// Family is uapi.AF_INET or uapi.AF_INET6 for a single next hop, 0 for
	// a group (nh_family). When adding, 0 is taken from Gateway, or is
	// uapi.AF_INET.
	Family int
	// Gateway is the next hop's gateway (NHA_GATEWAY), or the zero Addr.
	// An IPv4 object may have an IPv6 gateway.
	Gateway netip.Addr
	// Index is the interface index of the link out (NHA_OIF); 0 for
	// blackholes and groups.
	Index int
	// Blackhole makes the object drop packets (NHA_BLACKHOLE).
	Blackhole bool
	// Group holds the members of a group (NHA_GROUP), nil otherwise.
	Group []NextHopGroupMember
	// Protocol says who added the object (nh_protocol); ip nexthop add
	// leaves it 0.
	Protocol Protocol
	// Scope is the next hop's scope, which the kernel sets: ScopeLink with
	// a gateway, ScopeHost without; it is only read.
	Scope Scope
	// Flags are the next hop's flags (nh_flags): NextHopOnLink can be set;
	// the kernel sets NextHopDead, NextHopLinkDown, ..., which requests
	// leave out.
	Flags RouteFlags
	// Other holds the object's attributes that the fields above do not
	// model (NHA_GROUP_TYPE, NHA_RES_GROUP, NHA_ENCAP, NHA_FDB, ...), as
	// the kernel sent them. Adding and replacing send back those a request
	// may carry (the kernel checks nexthop requests strictly, and refuses
	// what only its replies have, such as the time a resilient group has
	// been unbalanced).
	Other RawAttrs
}

// NextHopGroupMember is a member of a nexthop group (struct nexthop_grp).
type NextHopGroupMember struct {
	// ID is the member's nexthop object id.
	ID uint32
	// Weight is the share of traffic the member gets relative to the
	// others, 1 to 256 (1 to 65535 since Linux 6.12); 0 is taken as 1 when
	// adding.
	Weight int
}

// NextHopObjectFilter says which objects NextHopObjects lists. The zero
// filter lists every object, as ip nexthop show does.
type NextHopObjectFilter struct {
	// Family is uapi.AF_INET or uapi.AF_INET6, for the single next hops of
	// that family only (no groups, as the kernel filters); 0 for all.
	Family int
	// Index is a link's interface index, for the next hops through it
	// only; 0 for all.
	Index int
	// Groups lists groups only (ip nexthop show groups).
	Groups bool
}

// Nexthop attributes missing from x/sys/unix, that a request may carry
// back from Other.
const (
	nhaGroupType               = 3  // NHA_GROUP_TYPE
	nhaEncapType               = 7  // NHA_ENCAP_TYPE
	nhaEncap                   = 8  // NHA_ENCAP
	nhaFDB                     = 11 // NHA_FDB
	nhaResGroup                = 12 // NHA_RES_GROUP
	nhaResGroupUnbalancedTimer = 3  // NHA_RES_GROUP_UNBALANCED_TIMER, the last a request may set
)

// sendableNextHop returns the attributes of a that a nexthop request may
// carry: the group's type and resilient parameters (without the time it
// has been unbalanced, which only replies have), the encapsulation, and
// NHA_FDB.
func (a RawAttrs) sendableNextHop() (RawAttrs, error) {
	var e netlink.AttrEncoder
	for at, err := range a.All() {
		if err != nil {
			return "", err
		}
		switch at.Type {
		case nhaGroupType, nhaEncapType, nhaEncap, nhaFDB:
			e.Bytes(at.Type|nestedFlag(at), at.Data)
		case nhaResGroup:
			start := e.Nest(nhaResGroup)
			for r, err := range at.Attrs() {
				if err != nil {
					return "", err
				}
				if r.Type >= 1 && r.Type <= nhaResGroupUnbalancedTimer { // not the padding (0)
					e.Bytes(r.Type|nestedFlag(r), r.Data)
				}
			}
			e.End(start)
		}
	}
	b, err := e.Finish()
	return RawAttrs(b), err
}

// nestedFlag returns NLA_F_NESTED if a had it.
func nestedFlag(a netlink.Attr) uint16 {
	if a.Nested {
		return netlink.AttrNested
	}
	return 0
}

// Sizes of the nexthop structs, which x/sys/unix lacks, and the largest
// group weight.
const (
	nhmsgLen  = 8         // sizeof(struct nhmsg)
	nhGrpLen  = 8         // sizeof(struct nexthop_grp)
	maxWeight = 1<<16 - 1 // the kernel's, since 6.12
)

// ParseNextHopObject reads an RTM_NEWNEXTHOP or RTM_DELNEXTHOP message: a
// reply of NextHopObjects, or a notification received on the
// RTNLGRP_NEXTHOP group. The object owns its memory.
func ParseNextHopObject(m netlink.Message) (NextHopObject, error) {
	var nh NextHopObject
	ok, err := nh.decode(&m)
	if err == nil && !ok {
		err = fmt.Errorf("rtnetlink: %s is not a nexthop message: %w",
			netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), netlink.ErrMalformed)
	}
	if err != nil {
		return NextHopObject{}, err
	}
	return nh, nil
}

// NextHopObjects lists the nexthop objects f selects, in id order. The
// kernel filters by family, link and groups; the iterator filters too. An
// error ends the iteration.
//
// NextHopObjects sends an RTM_GETNEXTHOP dump request: an nhmsg with the
// family, then NHA_OIF and NHA_GROUPS when set. Each RTM_NEWNEXTHOP reply is
// a NextHopObject.
func (c *Conn) NextHopObjects(ctx context.Context, f NextHopObjectFilter) iter.Seq2[NextHopObject, error] {
	return func(yield func(NextHopObject, error) bool) {
		switch {
		case f.Family != 0 && f.Family != uapi.AF_INET && f.Family != uapi.AF_INET6:
			yield(NextHopObject{}, invalid(uapi.RTM_GETNEXTHOP, "family %d is neither AF_INET nor AF_INET6", f.Family))
			return
		case f.Index < 0 || f.Index > 1<<31-1:
			yield(NextHopObject{}, invalid(uapi.RTM_GETNEXTHOP, "link index %d is out of range", f.Index))
			return
		}
		b := make([]byte, nhmsgLen, nhmsgLen+16)
		b[0] = uint8(f.Family)
		e := netlink.NewAttrEncoder(b)
		if f.Index != 0 {
			e.Uint32(uapi.NHA_OIF, uint32(f.Index))
		}
		if f.Groups {
			e.Flag(uapi.NHA_GROUPS)
		}
		req, err := e.Finish()
		if err != nil {
			yield(NextHopObject{}, opError("check", uapi.RTM_GETNEXTHOP, err))
			return
		}
		for m, err := range c.dump(ctx, uapi.RTM_GETNEXTHOP, req) {
			if err != nil {
				yield(NextHopObject{}, dumpError(err, f.Index))
				return
			}
			var nh NextHopObject
			ok, err := nh.decode(&m)
			if err != nil {
				yield(NextHopObject{}, err)
				return
			}
			if !ok || !f.match(&nh) {
				continue
			}
			if !yield(nh, nil) {
				return
			}
		}
	}
}

// match reports whether nh passes f.
func (f *NextHopObjectFilter) match(nh *NextHopObject) bool {
	group := nh.Group != nil
	switch {
	case f.Groups && !group, f.Index != 0 && nh.Index != f.Index:
		return false
	}
	return f.Family == 0 || !group && nh.Family == f.Family
}

// NextHopObject returns the nexthop object with the given id; ENOENT if
// there is none.
//
// NextHopObject sends RTM_GETNEXTHOP: an nhmsg, then NHA_ID. The reply is
// one RTM_NEWNEXTHOP.
func (c *Conn) NextHopObject(ctx context.Context, id uint32) (NextHopObject, error) {
	msgs, err := c.execute(ctx, uapi.RTM_GETNEXTHOP, 0, nextHopIDRequest(id))
	if err != nil {
		return NextHopObject{}, named(err, "nexthop %d", id)
	}
	for i := range msgs {
		var nh NextHopObject
		if ok, err := nh.decode(&msgs[i]); ok || err != nil {
			return nh, err
		}
	}
	return NextHopObject{}, fmt.Errorf("rtnetlink: get nexthop: the kernel sent no nexthop: %w", netlink.ErrMalformed)
}

// nextHopIDRequest returns an nhmsg with NHA_ID.
func nextHopIDRequest(id uint32) []byte {
	b := make([]byte, nhmsgLen, nhmsgLen+8)
	e := netlink.NewAttrEncoder(b)
	e.Uint32(uapi.NHA_ID, id)
	b, _ = e.Finish() // 16 bytes cannot fail
	return b
}

// AddNextHopObject adds nh (ip nexthop add) and returns its id, which the
// kernel chooses when nh.ID is 0. It fails (EEXIST) when an object has
// that id.
//
// An object that cannot be right (a group with a gateway, link or
// blackhole, a blackhole with a gateway or link, a weight out of range, a
// gateway of another family) is refused before anything is sent, with a
// *netlink.OpError whose error matches both syscall.EINVAL and os.ErrInvalid.
// The kernel's refusals are *netlink.OpError values with its errno and
// extended ACK message ("Nexthop has invalid gateway", "Invalid nexthop
// id").
//
// AddNextHopObject sends RTM_NEWNEXTHOP with NLM_F_CREATE and NLM_F_EXCL,
// and NLM_F_ECHO when nh.ID is 0: an nhmsg (family, protocol, flags), then
// NHA_ID when set, and NHA_GROUP, or NHA_BLACKHOLE, or NHA_GATEWAY and
// NHA_OIF.
func (c *Conn) AddNextHopObject(ctx context.Context, nh NextHopObject) (uint32, error) {
	return c.changeNextHop(ctx, netlink.Create|netlink.Excl, &nh)
}

// ReplaceNextHopObject adds nh, or replaces the object with its id; the
// routes that use it move to the new next hop. The id of a replaced object
// must be set.
//
// ReplaceNextHopObject sends RTM_NEWNEXTHOP with NLM_F_CREATE and
// NLM_F_REPLACE, encoded as for AddNextHopObject.
func (c *Conn) ReplaceNextHopObject(ctx context.Context, nh NextHopObject) (uint32, error) {
	return c.changeNextHop(ctx, netlink.Create|netlink.Replace, &nh)
}

// DeleteNextHopObject deletes the nexthop object with the given id, with
// the routes that use it; a member of groups leaves them. It fails
// (ENOENT) when there is none.
//
// DeleteNextHopObject sends RTM_DELNEXTHOP: an nhmsg, then NHA_ID.
func (c *Conn) DeleteNextHopObject(ctx context.Context, id uint32) error {
	if id == 0 {
		return invalid(uapi.RTM_DELNEXTHOP, "the nexthop id is 0")
	}
	_, err := c.execute(ctx, uapi.RTM_DELNEXTHOP, 0, nextHopIDRequest(id))
	return named(err, "nexthop %d", id)
}

// changeNextHop checks nh, encodes it, runs the request and returns the
// object's id, from the kernel's echo when nh.ID is 0.
func (c *Conn) changeNextHop(ctx context.Context, flags netlink.HeaderFlags, nh *NextHopObject) (uint32, error) {
	data, err := nh.encode()
	if err != nil {
		return 0, err
	}
	if nh.ID == 0 {
		flags |= netlink.Echo
	}
	msgs, err := c.execute(ctx, uapi.RTM_NEWNEXTHOP, flags, data)
	if err != nil {
		return 0, named(err, "%s", nh.object())
	}
	if nh.ID != 0 {
		return nh.ID, nil
	}
	for i := range msgs {
		var got NextHopObject
		if ok, err := got.decode(&msgs[i]); ok || err != nil {
			return got.ID, err
		}
	}
	return 0, fmt.Errorf("rtnetlink: add nexthop: the kernel echoed no nexthop: %w", netlink.ErrMalformed)
}

// encode checks nh and returns it as an nhmsg and its attributes.
func (nh *NextHopObject) encode() ([]byte, error) {
	const typ = uapi.RTM_NEWNEXTHOP
	family, group := nh.Family, nh.Group != nil
	switch {
	case group && (nh.Gateway.IsValid() || nh.Index != 0 || nh.Blackhole || nh.Flags != 0):
		return nil, invalid(typ, "a group has neither gateway, link, blackhole nor flags")
	case group && len(nh.Group) == 0:
		return nil, invalid(typ, "an empty group")
	case nh.Blackhole && (nh.Gateway.IsValid() || nh.Index != 0):
		return nil, invalid(typ, "a blackhole has neither gateway nor link")
	case nh.Index < 0 || nh.Index > 1<<31-1:
		return nil, invalid(typ, "link index %d is out of range", nh.Index)
	case nh.Gateway.Is4In6() || nh.Gateway.Zone() != "":
		return nil, invalid(typ, "gateway %v is IPv4-mapped or has a zone", nh.Gateway)
	case nh.Flags > 0xff:
		return nil, invalid(typ, "flags %v out of range", nh.Flags)
	case !group && family == 0 && nh.Gateway.Is6():
		family = uapi.AF_INET6
	case !group && family == 0:
		family = uapi.AF_INET
	}
	switch {
	case group && family != 0:
		return nil, invalid(typ, "a group has no family (got %d)", family)
	case !group && family != uapi.AF_INET && family != uapi.AF_INET6:
		return nil, invalid(typ, "family %d is neither AF_INET nor AF_INET6", family)
	case family == uapi.AF_INET6 && nh.Gateway.Is4():
		return nil, invalid(typ, "IPv4 gateway %v of an IPv6 next hop", nh.Gateway)
	}
	for i, m := range nh.Group {
		if m.ID == 0 || m.Weight < 0 || m.Weight > maxWeight {
			return nil, invalid(typ, "group member %d: id %d or weight %d (want 1 to %d) out of range", i, m.ID, m.Weight, maxWeight)
		}
	}
	b := make([]byte, nhmsgLen, 64+nhGrpLen*len(nh.Group))
	b[0] = uint8(family)
	b[2] = uint8(nh.Protocol)
	binary.NativeEndian.PutUint32(b[4:], uint32(nh.Flags&^kernelRouteFlags)) // the kernel refuses those it sets
	e := netlink.NewAttrEncoder(b)
	if nh.ID != 0 {
		e.Uint32(uapi.NHA_ID, nh.ID)
	}
	switch {
	case group:
		grp := make([]byte, nhGrpLen*len(nh.Group))
		for i, m := range nh.Group {
			w := max(m.Weight, 1) - 1
			binary.NativeEndian.PutUint32(grp[nhGrpLen*i:], m.ID)
			grp[nhGrpLen*i+4] = uint8(w)
			grp[nhGrpLen*i+5] = uint8(w >> 8) // weight_high, since 6.12
		}
		e.Bytes(uapi.NHA_GROUP, grp)
	case nh.Blackhole:
		e.Flag(uapi.NHA_BLACKHOLE)
	default:
		if nh.Gateway.IsValid() {
			e.Addr(uapi.NHA_GATEWAY, nh.Gateway)
		}
		if nh.Index != 0 {
			e.Uint32(uapi.NHA_OIF, uint32(nh.Index))
		}
	}
	other, err := nh.Other.sendableNextHop()
	if err != nil {
		return nil, invalid(typ, "Other: %v", err)
	}
	putRaw(e, other)
	data, err := e.Finish()
	if err != nil {
		return nil, opError("check", typ, err)
	}
	return data, nil
}

// decode reads m into nh, which is the zero NextHopObject, and reports
// whether m is a nexthop message.
func (nh *NextHopObject) decode(m *netlink.Message) (bool, error) {
	if m.Header.Type != uapi.RTM_NEWNEXTHOP && m.Header.Type != uapi.RTM_DELNEXTHOP {
		return false, nil
	}
	data := m.Data
	if len(data) < nhmsgLen {
		return false, fmt.Errorf("rtnetlink: nexthop message of %d bytes is shorter than nhmsg: %w", len(data), netlink.ErrMalformed)
	}
	nh.Family = int(data[0])
	nh.Scope = Scope(data[1])
	nh.Protocol = Protocol(data[2])
	nh.Flags = RouteFlags(binary.NativeEndian.Uint32(data[4:]))
	var buf [64]byte
	other := buf[:0]
	d := m.AttrDecoder(nhmsgLen)
	for d.Next() {
		switch d.Type() {
		case uapi.NHA_ID:
			nh.ID = d.Uint32()
		case uapi.NHA_GATEWAY:
			nh.Gateway = d.Addr()
		case uapi.NHA_OIF:
			nh.Index = int(int32(d.Uint32()))
		case uapi.NHA_BLACKHOLE:
			nh.Blackhole = true
		case uapi.NHA_GROUP:
			b := d.Bytes()
			if len(b)%nhGrpLen != 0 {
				return false, fmt.Errorf("rtnetlink: nexthop: group of %d bytes is not a whole number of nexthop_grp: %w", len(b), netlink.ErrMalformed)
			}
			nh.Group = make([]NextHopGroupMember, len(b)/nhGrpLen)
			for i := range nh.Group {
				g := b[nhGrpLen*i:]
				nh.Group[i] = NextHopGroupMember{
					ID:     binary.NativeEndian.Uint32(g),
					Weight: (int(g[5])<<8 | int(g[4])) + 1,
				}
			}
		default:
			other = appendRaw(other, &d)
		}
	}
	if err := d.Err(); err != nil {
		return false, fmt.Errorf("rtnetlink: nexthop %d: %w", nh.ID, err)
	}
	if len(other) > 0 {
		nh.Other = RawAttrs(other)
	}
	return true, nil
}
