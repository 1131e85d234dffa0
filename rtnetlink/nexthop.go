package rtnetlink

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"net/netip"
	"time"

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
	// Gateway is the next hop's gateway (NHA_GATEWAY), or the zero Addr,
	// of the object's family: the kernel takes no IPv6 gateway for an
	// IPv4 object (an IPv4 route may use an IPv6 object instead).
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
	// GroupType is a group's type (NHA_GROUP_TYPE): NextHopGroupMultipath
	// (ip's "mpath", the default) or NextHopGroupResilient. Only groups
	// have one.
	GroupType NextHopGroupType
	// Resilient holds the parameters of a resilient group (NHA_RES_GROUP),
	// and is zero for other objects.
	Resilient NextHopResilience
	// FDB makes the object a next hop, or a group of them, for VXLAN FDB
	// entries (NHA_FDB, ip's "fdb"), which FDBEntry.NextHopID names; such
	// a next hop has a gateway and no link, and a group of them has only
	// such members. Routes cannot use these.
	FDB bool
	// Encap is the lightweight tunnel encapsulation of a single next hop
	// (NHA_ENCAP_TYPE and NHA_ENCAP), as for a route: *MPLSEncap,
	// *IPEncap, ..., or *RawEncap for the types this package does not
	// read; nil for none.
	Encap Encap
	// Other holds the object's attributes that the fields above do not
	// model, as the kernel sent them. Adding and replacing send back
	// those a request may carry (the kernel checks nexthop requests
	// strictly, and refuses what only its replies have, such as group
	// statistics).
	Other RawAttrs
}

// NextHopGroupType is the type of a nexthop group (NHA_GROUP_TYPE, the
// NEXTHOP_GRP_TYPE_* values).
type NextHopGroupType uint16

// Nexthop group types.
const (
	NextHopGroupMultipath NextHopGroupType = 0 // hash-threshold multipath ("mpath")
	NextHopGroupResilient NextHopGroupType = 1 // resilient hashing over a table of buckets ("resilient")
)

// String names t as ip nexthop does, "mpath" or "resilient", or prints
// its number.
func (t NextHopGroupType) String() string {
	switch t {
	case NextHopGroupMultipath:
		return "mpath"
	case NextHopGroupResilient:
		return "resilient"
	}
	return fmt.Sprintf("%d", uint16(t))
}

// NextHopResilience holds the parameters of a resilient nexthop group
// (the attributes of NHA_RES_GROUP). The kernel counts time in clock
// ticks of 10 ms (USER_HZ), so durations are sent truncated to 10 ms.
type NextHopResilience struct {
	// Buckets is the number of hash buckets (NHA_RES_GROUP_BUCKETS), which
	// adding a resilient group needs and replacing it cannot change; 0
	// leaves it out.
	Buckets uint16
	// IdleTimer is how long a bucket must be unused before it may move to
	// another next hop (NHA_RES_GROUP_IDLE_TIMER). It is always sent for
	// a resilient group, 0 included (buckets are idle at once); ip's
	// default is 120 s.
	IdleTimer time.Duration
	// UnbalancedTimer is how long the group may stay unbalanced before
	// busy buckets move too (NHA_RES_GROUP_UNBALANCED_TIMER); 0 means
	// never. It is always sent for a resilient group.
	UnbalancedTimer time.Duration
	// UnbalancedTime is how long the group has been unbalanced
	// (NHA_RES_GROUP_UNBALANCED_TIME); it is only read.
	UnbalancedTime time.Duration
}

// NextHopBucket is a bucket of a resilient nexthop group
// (RTM_NEWNEXTHOPBUCKET, ip nexthop bucket): which member of the group the
// flows that hash to it go to.
type NextHopBucket struct {
	// ID is the group's id (NHA_ID).
	ID uint32
	// Index is the bucket's index in the group (NHA_RES_BUCKET_INDEX).
	Index uint16
	// NextHopID is the id of the member the bucket sends its flows to
	// (NHA_RES_BUCKET_NH_ID).
	NextHopID uint32
	// IdleTime is how long the bucket has been unused
	// (NHA_RES_BUCKET_IDLE_TIME), in steps of 10 ms.
	IdleTime time.Duration
	// Flags are the member's flags (nh_flags), NextHopDead, ...
	Flags RouteFlags
	// Other holds the message's attributes that the fields above do not
	// model, as the kernel sent them.
	Other RawAttrs
}

// NextHopBucketFilter says which buckets NextHopBuckets lists. The zero
// filter lists every bucket of every resilient group.
type NextHopBucketFilter struct {
	// ID is a resilient group's id, for its buckets only; 0 for all.
	ID uint32
	// NextHopID is a member's id, for the buckets that send flows to it
	// only; 0 for all.
	NextHopID uint32
}

// NextHopGroupMember is a member of a nexthop group (struct nexthop_grp).
type NextHopGroupMember struct {
	// ID is the member's nexthop object id.
	ID uint32
	// Weight is the share of traffic the member gets relative to the
	// others, 1 to 65535 (Linux 6.12 and later, which reads the high byte
	// of weight-1 from nexthop_grp's weight_high; older kernels take 1 to
	// 256, and refuse more, since that byte was reserved and must be 0);
	// 0 is taken as 1 when adding.
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

// Nexthop attributes and message types missing from x/sys/unix.
const (
	nhaGroupType     = 3  // NHA_GROUP_TYPE
	nhaEncapType     = 7  // NHA_ENCAP_TYPE
	nhaEncap         = 8  // NHA_ENCAP
	nhaFDB           = 11 // NHA_FDB
	nhaResGroup      = 12 // NHA_RES_GROUP
	nhaResBucket     = 13 // NHA_RES_BUCKET
	nhaHWStatsEnable = 17 // NHA_HW_STATS_ENABLE

	nhaResGroupBuckets         = 1 // NHA_RES_GROUP_BUCKETS
	nhaResGroupIdleTimer       = 2 // NHA_RES_GROUP_IDLE_TIMER
	nhaResGroupUnbalancedTimer = 3 // NHA_RES_GROUP_UNBALANCED_TIMER, the last a request may set
	nhaResGroupUnbalancedTime  = 4 // NHA_RES_GROUP_UNBALANCED_TIME

	nhaResBucketIndex    = 1 // NHA_RES_BUCKET_INDEX
	nhaResBucketIdleTime = 2 // NHA_RES_BUCKET_IDLE_TIME
	nhaResBucketNHID     = 3 // NHA_RES_BUCKET_NH_ID

	rtmNewNextHopBucket = 116 // RTM_NEWNEXTHOPBUCKET
	rtmDelNextHopBucket = 117 // RTM_DELNEXTHOPBUCKET
	rtmGetNextHopBucket = 118 // RTM_GETNEXTHOPBUCKET

	clockTick = 10 * time.Millisecond // the kernel's clock_t (USER_HZ 100)
	maxTicks  = 1<<32 - 1             // a u32 of clock ticks
)

// sendableNextHop returns the attributes of a that a nexthop request may
// carry: the group's type and resilient parameters (without the time it
// has been unbalanced, which only replies have), the encapsulation,
// NHA_FDB and NHA_HW_STATS_ENABLE. The fields model all but the last;
// the others are sent when a caller put them in Other.
func sendableNextHop(a RawAttrs) (RawAttrs, error) {
	var e netlink.AttrEncoder
	for at, err := range a.All() {
		if err != nil {
			return "", err
		}
		switch at.Type {
		case nhaGroupType, nhaEncapType, nhaEncap, nhaFDB, nhaHWStatsEnable:
			e.Attr(at)
		case nhaResGroup:
			start := e.Nest(nhaResGroup)
			for r, err := range at.Attrs() {
				if err != nil {
					return "", err
				}
				if r.Type >= 1 && r.Type <= nhaResGroupUnbalancedTimer { // not the padding (0)
					e.Attr(r)
				}
			}
			e.End(start)
		}
	}
	b, err := e.Finish()
	return RawAttrs(b), err
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
			yield(NextHopObject{}, dumpError(invalid(uapi.RTM_GETNEXTHOP, "link index %d is out of range", f.Index), f.Index))
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
// gateway of another family, resilient parameters of a multipath group or
// of no group, an FDB next hop with a link) is refused before anything is
// sent, with a
// *netlink.OpError whose error matches both syscall.EINVAL and os.ErrInvalid.
// The kernel's refusals are *netlink.OpError values with its errno and
// extended ACK message ("Nexthop has invalid gateway", "Invalid nexthop
// id").
//
// AddNextHopObject sends RTM_NEWNEXTHOP with NLM_F_CREATE and NLM_F_EXCL,
// and NLM_F_ECHO when nh.ID is 0: an nhmsg (family, protocol, flags), then
// NHA_ID when set, and NHA_GROUP with NHA_GROUP_TYPE (and NHA_RES_GROUP
// for a resilient group), or NHA_BLACKHOLE, or NHA_GATEWAY, NHA_OIF,
// NHA_ENCAP_TYPE and NHA_ENCAP when set; then NHA_FDB when set, and what
// Other holds that a request may carry.
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
		return named(invalid(uapi.RTM_DELNEXTHOP, "the nexthop id is 0"), "nexthop 0")
	}
	_, err := c.execute(ctx, uapi.RTM_DELNEXTHOP, 0, nextHopIDRequest(id))
	return named(err, "nexthop %d", id)
}

// changeNextHop checks nh, encodes it, runs the request and returns the
// object's id, from the kernel's echo when nh.ID is 0.
func (c *Conn) changeNextHop(ctx context.Context, flags netlink.HeaderFlags, nh *NextHopObject) (uint32, error) {
	data, err := nh.encode()
	if err != nil {
		return 0, named(err, "%s", nh.object())
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
	case !group && (nh.GroupType != 0 || nh.Resilient != NextHopResilience{}):
		return nil, invalid(typ, "a group type or resilient parameters without a group")
	case nh.GroupType != NextHopGroupResilient && nh.Resilient != NextHopResilience{}:
		return nil, invalid(typ, "resilient parameters for a group of type %v", nh.GroupType)
	case !validTicks(nh.Resilient.IdleTimer) || !validTicks(nh.Resilient.UnbalancedTimer):
		return nil, invalid(typ, "idle timer %v or unbalanced timer %v is out of range (0 to %v)", nh.Resilient.IdleTimer, nh.Resilient.UnbalancedTimer, maxTicks*clockTick)
	case nh.FDB && (nh.Index != 0 || nh.Blackhole || nh.Encap != nil):
		return nil, invalid(typ, "an FDB nexthop has neither link, blackhole nor encapsulation")
	case nilRawEncap(nh.Encap):
		return nil, invalid(typ, "encap is a nil *RawEncap")
	case nh.Encap != nil && (nh.Encap.EncapType() == 0 || group || nh.Blackhole):
		return nil, invalid(typ, "an encapsulation needs its type, and goes on a single next hop with a gateway or link")
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
	case family == uapi.AF_INET && nh.Gateway.Is6():
		return nil, invalid(typ, "IPv6 gateway %v of an IPv4 next hop (make the object IPv6; IPv4 routes may use it)", nh.Gateway)
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
		if nh.GroupType != NextHopGroupMultipath { // the default, which ip leaves out
			e.Uint16(nhaGroupType, uint16(nh.GroupType))
		}
		if nh.GroupType == NextHopGroupResilient {
			r := nh.Resilient
			start := e.Nest(nhaResGroup)
			if r.Buckets != 0 {
				e.Uint16(nhaResGroupBuckets, r.Buckets)
			}
			e.Uint32(nhaResGroupIdleTimer, uint32(r.IdleTimer/clockTick))
			e.Uint32(nhaResGroupUnbalancedTimer, uint32(r.UnbalancedTimer/clockTick))
			e.End(start)
		}
	case nh.Blackhole:
		e.Flag(uapi.NHA_BLACKHOLE)
	default:
		if nh.Gateway.IsValid() {
			e.Addr(uapi.NHA_GATEWAY, nh.Gateway)
		}
		if nh.Index != 0 {
			e.Uint32(uapi.NHA_OIF, uint32(nh.Index))
		}
		if nh.Encap != nil {
			e.Uint16(nhaEncapType, uint16(nh.Encap.EncapType()))
			if err := putEncapData(e, nhaEncap, nh.Encap); err != nil {
				return nil, opError("check", typ, err)
			}
		}
	}
	if nh.FDB {
		e.Flag(nhaFDB)
	}
	other, err := sendableNextHop(nh.Other)
	if err != nil {
		return nil, invalid(typ, "Other: %v", err)
	}
	e.RawAttrs(other)
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
	var enc encapAttrs
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
		case nhaGroupType:
			nh.GroupType = NextHopGroupType(d.Uint16())
		case nhaResGroup:
			outer := d.Enter()
			for d.Next() {
				switch d.Type() {
				case nhaResGroupBuckets:
					nh.Resilient.Buckets = d.Uint16()
				case nhaResGroupIdleTimer:
					nh.Resilient.IdleTimer = time.Duration(d.Uint32()) * clockTick
				case nhaResGroupUnbalancedTimer:
					nh.Resilient.UnbalancedTimer = time.Duration(d.Uint32()) * clockTick
				case nhaResGroupUnbalancedTime:
					nh.Resilient.UnbalancedTime = ticks(d.Uint64())
				}
			}
			d.Exit(outer)
		case nhaFDB:
			nh.FDB = true
		case nhaEncapType, nhaEncap:
			other = enc.add(other, &d, nhaEncapType, nhaEncap)
		default:
			other = d.Attr().Append(other)
		}
	}
	if err := d.Err(); err != nil {
		return false, fmt.Errorf("rtnetlink: nexthop %d: %w", nh.ID, err)
	}
	nh.Encap, other = enc.decode(other)
	if len(other) > 0 {
		nh.Other = RawAttrs(other)
	}
	return true, nil
}

// validTicks reports whether d is a duration the kernel takes as a u32 of
// clock ticks.
func validTicks(d time.Duration) bool {
	return d >= 0 && d/clockTick <= maxTicks
}

// ticks converts a u64 of clock ticks to a Duration, the largest one if it
// does not fit.
func ticks(n uint64) time.Duration {
	if n > uint64(1<<63-1)/uint64(clockTick) {
		return 1<<63 - 1
	}
	return time.Duration(n) * clockTick
}

// ParseNextHopBucket reads an RTM_NEWNEXTHOPBUCKET or RTM_DELNEXTHOPBUCKET
// message: a reply of NextHopBuckets, or a notification received on the
// RTNLGRP_NEXTHOP group when a bucket moves. The bucket owns its memory.
func ParseNextHopBucket(m netlink.Message) (NextHopBucket, error) {
	var b NextHopBucket
	ok, err := b.decode(&m)
	if err == nil && !ok {
		err = fmt.Errorf("rtnetlink: %s is not a nexthop bucket message: %w",
			netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), netlink.ErrMalformed)
	}
	if err != nil {
		return NextHopBucket{}, err
	}
	return b, nil
}

// NextHopBuckets lists the buckets of resilient nexthop groups that f
// selects, as ip nexthop bucket show does. The kernel filters; the
// iterator filters too. An error ends the iteration.
//
// NextHopBuckets sends an RTM_GETNEXTHOPBUCKET dump request: an nhmsg,
// then NHA_ID, and NHA_RES_BUCKET holding NHA_RES_BUCKET_NH_ID, when set.
// Each RTM_NEWNEXTHOPBUCKET reply is a NextHopBucket.
func (c *Conn) NextHopBuckets(ctx context.Context, f NextHopBucketFilter) iter.Seq2[NextHopBucket, error] {
	return func(yield func(NextHopBucket, error) bool) {
		b := make([]byte, nhmsgLen, nhmsgLen+24)
		e := netlink.NewAttrEncoder(b)
		if f.ID != 0 {
			e.Uint32(uapi.NHA_ID, f.ID)
		}
		if f.NextHopID != 0 {
			start := e.Nest(nhaResBucket)
			e.Uint32(nhaResBucketNHID, f.NextHopID)
			e.End(start)
		}
		req, err := e.Finish()
		if err != nil {
			yield(NextHopBucket{}, opError("check", rtmGetNextHopBucket, err))
			return
		}
		for m, err := range c.dump(ctx, rtmGetNextHopBucket, req) {
			if err != nil {
				if f.ID != 0 {
					err = named(err, "nexthop %d", f.ID)
				}
				yield(NextHopBucket{}, err)
				return
			}
			var bk NextHopBucket
			ok, err := bk.decode(&m)
			if err != nil {
				yield(NextHopBucket{}, err)
				return
			}
			if !ok || f.ID != 0 && bk.ID != f.ID || f.NextHopID != 0 && bk.NextHopID != f.NextHopID {
				continue
			}
			if !yield(bk, nil) {
				return
			}
		}
	}
}

// decode reads m into b, which is the zero NextHopBucket, and reports
// whether m is a nexthop bucket message.
func (b *NextHopBucket) decode(m *netlink.Message) (bool, error) {
	if m.Header.Type != rtmNewNextHopBucket && m.Header.Type != rtmDelNextHopBucket {
		return false, nil
	}
	if len(m.Data) < nhmsgLen {
		return false, fmt.Errorf("rtnetlink: nexthop bucket message of %d bytes is shorter than nhmsg: %w", len(m.Data), netlink.ErrMalformed)
	}
	b.Flags = RouteFlags(binary.NativeEndian.Uint32(m.Data[4:]))
	var buf [32]byte
	other := buf[:0]
	d := m.AttrDecoder(nhmsgLen)
	for d.Next() {
		switch d.Type() {
		case uapi.NHA_ID:
			b.ID = d.Uint32()
		case nhaResBucket:
			outer := d.Enter()
			for d.Next() {
				switch d.Type() {
				case nhaResBucketIndex:
					b.Index = d.Uint16()
				case nhaResBucketIdleTime:
					b.IdleTime = ticks(d.Uint64())
				case nhaResBucketNHID:
					b.NextHopID = d.Uint32()
				}
			}
			d.Exit(outer)
		default:
			other = d.Attr().Append(other)
		}
	}
	if err := d.Err(); err != nil {
		return false, fmt.Errorf("rtnetlink: nexthop bucket of group %d: %w", b.ID, err)
	}
	if len(other) > 0 {
		b.Other = RawAttrs(other)
	}
	return true, nil
}
