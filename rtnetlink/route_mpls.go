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

// MPLSTTLPropagate says whether an MPLS route copies the label's TTL into
// the IP header when it pops the last label (RTA_TTL_PROPAGATE).
type MPLSTTLPropagate uint8

// TTL propagation settings of MPLS routes.
const (
	MPLSTTLDefault  MPLSTTLPropagate = 0 // as the net.mpls.ip_ttl_propagate sysctl says (no attribute)
	MPLSTTLEnabled  MPLSTTLPropagate = 1 // copy it (ip's ttl-propagate enabled)
	MPLSTTLDisabled MPLSTTLPropagate = 2 // leave the IP TTL (ip's ttl-propagate disabled)
)

// MPLSRoute is a route of the MPLS family (AF_MPLS, ip -f mpls route):
// what the kernel does with a packet that arrives with the label Label.
// The kernel keeps MPLS routes in one table, the main one, and needs the
// mpls_router module and the net.mpls.platform_labels sysctl for them.
type MPLSRoute struct {
	// Label is the incoming label the route matches (RTA_DST, 20 bits).
	Label uint32
	// NewLabels are the labels that replace it, outermost first
	// (RTA_NEWDST, ip's as); none pops it.
	NewLabels []uint32
	// Via is the next hop (RTA_VIA of family AF_INET or AF_INET6), or the
	// zero Addr.
	Via netip.Addr
	// Index is the interface index of the link out (RTA_OIF); 0 if none.
	Index int
	// TTLPropagate says whether the TTL is copied when the last label is
	// popped (RTA_TTL_PROPAGATE).
	TTLPropagate MPLSTTLPropagate
	// Protocol says who added the route. When adding, 0 is taken as
	// ProtoBoot, as ip does; when deleting, 0 matches any.
	Protocol Protocol
	// Flags are the route's flags (rtm_flags); requests leave out those
	// only the kernel sets.
	Flags RouteFlags
	// MultiPath holds the paths of a multipath route (RTA_MULTIPATH), or
	// is nil. When it is set, Via, Index and NewLabels are not.
	MultiPath []MPLSNextHop
	// Other holds the route's attributes that the fields above do not
	// model (a via of another family, such as AF_PACKET; a label with
	// traffic class or TTL bits), as the kernel sent them. Changes send
	// them back.
	Other RawAttrs
}

// MPLSNextHop is one path of a multipath MPLS route (struct rtnexthop and
// its attributes).
type MPLSNextHop struct {
	// NewLabels are the labels that replace the incoming one on this path
	// (RTA_NEWDST).
	NewLabels []uint32
	// Via is the path's next hop (RTA_VIA), or the zero Addr.
	Via netip.Addr
	// Index is the interface index of the link out (rtnh_ifindex).
	Index int
	// Flags are the path's flags (rtnh_flags).
	Flags RouteFlags
	// Other holds the path's attributes that the fields above do not
	// model, as the kernel sent them.
	Other RawAttrs
}

// mplsLabelBits is the width of an MPLS label.
const mplsLabelBits = 20

// ParseMPLSRoute reads an RTM_NEWROUTE or RTM_DELROUTE message of the MPLS
// family: a reply of MPLSRoutes, or a notification received on the
// RTNLGRP_MPLS_ROUTE group. A message of another type or family is an
// error wrapping netlink.ErrMalformed. The route owns its memory.
func ParseMPLSRoute(m netlink.Message) (MPLSRoute, error) {
	var r MPLSRoute
	ok, err := r.decode(&m)
	if err == nil && !ok {
		err = fmt.Errorf("rtnetlink: %s is not an MPLS route message: %w",
			netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), netlink.ErrMalformed)
	}
	if err != nil {
		return MPLSRoute{}, err
	}
	return r, nil
}

// MPLSRoutes lists the MPLS routes (ip -f mpls route show). An error ends
// the iteration; a kernel without MPLS routing refuses the dump
// (EAFNOSUPPORT).
//
// MPLSRoutes sends an RTM_GETROUTE dump request: an rtmsg of family
// AF_MPLS. Each RTM_NEWROUTE reply is an MPLSRoute.
func (c *Conn) MPLSRoutes(ctx context.Context) iter.Seq2[MPLSRoute, error] {
	return func(yield func(MPLSRoute, error) bool) {
		req := make([]byte, uapi.SizeofRtMsg)
		req[0] = uapi.AF_MPLS
		for m, err := range c.dump(ctx, uapi.RTM_GETROUTE, req) {
			if err != nil {
				yield(MPLSRoute{}, named(err, "MPLS routes"))
				return
			}
			var r MPLSRoute
			ok, err := r.decode(&m)
			if err != nil {
				yield(MPLSRoute{}, err)
				return
			}
			if ok && !yield(r, nil) {
				return
			}
		}
	}
}

// AddMPLSRoute adds r (ip -f mpls route add). It fails (EEXIST) when a
// route for r.Label exists.
//
// An MPLSRoute that cannot be right (a label wider than 20 bits, a via
// that is not an IP address, both MultiPath and a path of its own) is
// refused before anything is sent, with a *netlink.OpError whose error
// matches both syscall.EINVAL and os.ErrInvalid.
//
// AddMPLSRoute sends RTM_NEWROUTE with NLM_F_CREATE and NLM_F_EXCL: an
// rtmsg (AF_MPLS, rtm_dst_len 20, the main table, protocol, universe
// scope, unicast, flags), then RTA_DST, and RTA_NEWDST, RTA_VIA, RTA_OIF,
// RTA_TTL_PROPAGATE and RTA_MULTIPATH when set, then Other.
func (c *Conn) AddMPLSRoute(ctx context.Context, r MPLSRoute) error {
	return c.changeMPLSRoute(ctx, uapi.RTM_NEWROUTE, netlink.Create|netlink.Excl, &r)
}

// ReplaceMPLSRoute adds r, or replaces the route for r.Label.
//
// ReplaceMPLSRoute sends RTM_NEWROUTE with NLM_F_CREATE and
// NLM_F_REPLACE, encoded as for AddMPLSRoute.
func (c *Conn) ReplaceMPLSRoute(ctx context.Context, r MPLSRoute) error {
	return c.changeMPLSRoute(ctx, uapi.RTM_NEWROUTE, netlink.Create|netlink.Replace, &r)
}

// DeleteMPLSRoute deletes the route for r.Label (ip -f mpls route del).
//
// DeleteMPLSRoute sends RTM_DELROUTE, encoded as for AddMPLSRoute but
// with no default protocol.
func (c *Conn) DeleteMPLSRoute(ctx context.Context, r MPLSRoute) error {
	return c.changeMPLSRoute(ctx, uapi.RTM_DELROUTE, 0, &r)
}

// changeMPLSRoute checks r, encodes it and runs the request.
func (c *Conn) changeMPLSRoute(ctx context.Context, typ netlink.HeaderType, flags netlink.HeaderFlags, r *MPLSRoute) error {
	data, err := r.encode(typ == uapi.RTM_DELROUTE)
	if err != nil {
		return named(opError("check", typ, err), "%s", r.object())
	}
	_, err = c.execute(ctx, typ, flags, data)
	return named(err, "%s", r.object())
}

// decode reads m into r, which is the zero MPLSRoute, and reports whether
// m is an MPLS route.
func (r *MPLSRoute) decode(m *netlink.Message) (bool, error) {
	if m.Header.Type != uapi.RTM_NEWROUTE && m.Header.Type != uapi.RTM_DELROUTE {
		return false, nil
	}
	data := m.Data
	if len(data) < uapi.SizeofRtMsg {
		return false, fmt.Errorf("rtnetlink: route message of %d bytes is shorter than rtmsg: %w", len(data), netlink.ErrMalformed)
	}
	if data[0] != uapi.AF_MPLS {
		return false, nil
	}
	r.Protocol = Protocol(data[5])
	r.Flags = RouteFlags(binary.NativeEndian.Uint32(data[8:]))
	var buf [64]byte
	other := buf[:0]
	var multipath []byte
	var hasDst bool
	d := m.AttrDecoder(uapi.SizeofRtMsg)
	for d.Next() {
		b := d.Bytes()
		switch t := d.Type(); {
		case t == uapi.RTA_DST && !hasDst && len(mplsLabels(b)) == 1:
			r.Label, hasDst = mplsLabels(b)[0], true
		case t == uapi.RTA_NEWDST && r.NewLabels == nil && mplsLabels(b) != nil:
			r.NewLabels = mplsLabels(b)
		case t == uapi.RTA_VIA && !r.Via.IsValid() && viaAddr(b).IsValid() && len(b) == 2+viaAddr(b).BitLen()/8:
			r.Via = viaAddr(b)
		case t == uapi.RTA_OIF && len(b) == 4 && int32(binary.NativeEndian.Uint32(b)) > 0:
			r.Index = int(binary.NativeEndian.Uint32(b))
		case t == uapi.RTA_TTL_PROPAGATE && len(b) == 1 && b[0] <= 1:
			r.TTLPropagate = MPLSTTLDisabled
			if b[0] == 1 {
				r.TTLPropagate = MPLSTTLEnabled
			}
		case t == uapi.RTA_MULTIPATH && multipath == nil:
			multipath = b
		default:
			other = d.Attr().Append(other)
		}
	}
	if err := d.Err(); err != nil {
		return false, fmt.Errorf("rtnetlink: MPLS route: %w", err)
	}
	if !hasDst {
		return false, fmt.Errorf("rtnetlink: MPLS route without a label: %w", netlink.ErrMalformed)
	}
	if len(other) > 0 {
		r.Other = RawAttrs(other)
	}
	if multipath != nil {
		hops, err := decodeMPLSNextHops(multipath)
		if err != nil {
			return false, err
		}
		r.MultiPath = hops
	}
	return true, nil
}

// decodeMPLSNextHops reads the payload of an MPLS route's RTA_MULTIPATH.
func decodeMPLSNextHops(b []byte) ([]MPLSNextHop, error) {
	var hops []MPLSNextHop
	for i := 0; len(b) >= rtnhLen; i++ {
		l := int(binary.NativeEndian.Uint16(b))
		if l < rtnhLen || l > len(b) {
			return nil, fmt.Errorf("rtnetlink: MPLS route: next hop %d has length %d, outside %d..%d: %w", i, l, rtnhLen, len(b), netlink.ErrMalformed)
		}
		h := MPLSNextHop{Flags: RouteFlags(b[2]), Index: int(int32(binary.NativeEndian.Uint32(b[4:])))}
		var other []byte
		d := netlink.NewAttrDecoder(b[rtnhLen:l])
		for d.Next() {
			v := d.Bytes()
			switch t := d.Type(); {
			case t == uapi.RTA_NEWDST && h.NewLabels == nil && mplsLabels(v) != nil:
				h.NewLabels = mplsLabels(v)
			case t == uapi.RTA_VIA && !h.Via.IsValid() && viaAddr(v).IsValid() && len(v) == 2+viaAddr(v).BitLen()/8:
				h.Via = viaAddr(v)
			default:
				other = d.Attr().Append(other)
			}
		}
		if err := d.Err(); err != nil {
			return nil, fmt.Errorf("rtnetlink: MPLS route: next hop %d: %w", i, err)
		}
		h.Other = RawAttrs(other)
		hops = append(hops, h)
		b = b[min(netlink.Align(l), len(b)):]
	}
	return hops, nil
}

// encode checks r and returns it as an rtmsg and its attributes.
func (r *MPLSRoute) encode(del bool) ([]byte, error) {
	switch {
	case r.Label >= 1<<mplsLabelBits:
		return nil, invalidf("MPLS label %d is wider than 20 bits", r.Label)
	case len(r.MultiPath) > 0 && (r.Via.IsValid() || r.Index != 0 || len(r.NewLabels) > 0):
		return nil, invalidf("MPLS route %d: both MultiPath and Via, Index or NewLabels are set; give each path its own", r.Label)
	case r.Index < 0 || r.Index > 1<<31-1:
		return nil, invalidf("MPLS route %d: link index %d is out of range", r.Label, r.Index)
	case r.TTLPropagate > MPLSTTLDisabled:
		return nil, invalidf("MPLS route %d: TTL propagation %d is not one of the three", r.Label, r.TTLPropagate)
	case r.Via.IsValid() && r.Via.Zone() != "":
		return nil, invalidf("MPLS route %d: via %v has a zone; set the link index instead", r.Label, r.Via)
	}
	b := make([]byte, uapi.SizeofRtMsg, 128)
	b[0] = uapi.AF_MPLS
	b[1] = mplsLabelBits
	b[4] = TableMain
	proto := r.Protocol
	if proto == 0 && !del {
		proto = ProtoBoot
	}
	b[5], b[6], b[7] = uint8(proto), uint8(ScopeUniverse), uint8(RouteUnicast)
	binary.NativeEndian.PutUint32(b[8:], uint32(r.Flags&^kernelRouteFlags))
	var e netlink.AttrEncoder
	e.Reset(b)
	dst, _ := appendMPLSLabels(nil, []uint32{r.Label})
	e.Bytes(uapi.RTA_DST, dst)
	if err := putMPLSPath(&e, r.NewLabels, r.Via); err != nil {
		return nil, err
	}
	if r.Index != 0 {
		e.Uint32(uapi.RTA_OIF, uint32(r.Index))
	}
	if r.TTLPropagate != MPLSTTLDefault {
		var on uint8 // the attribute is 1 for enabled, 0 for disabled
		if r.TTLPropagate == MPLSTTLEnabled {
			on = 1
		}
		e.Uint8(uapi.RTA_TTL_PROPAGATE, on)
	}
	if len(r.MultiPath) > 0 {
		var mp []byte
		var he netlink.AttrEncoder
		for i, h := range r.MultiPath {
			if h.Index < 0 || h.Index > 1<<31-1 || h.Flags > 0xff {
				return nil, invalidf("MPLS route %d: next hop %d: link index %d or flags %v out of range", r.Label, i, h.Index, h.Flags)
			}
			start := len(mp)
			mp = append(mp, make([]byte, rtnhLen)...)
			mp[start+2] = uint8(h.Flags &^ kernelRouteFlags)
			binary.NativeEndian.PutUint32(mp[start+4:], uint32(h.Index))
			he.Reset(mp)
			if err := putMPLSPath(&he, h.NewLabels, h.Via); err != nil {
				return nil, fmt.Errorf("next hop %d: %w", i, err)
			}
			he.RawAttrs(h.Other)
			var err error
			if mp, err = he.Finish(); err != nil {
				return nil, err
			}
			if len(mp)-start > 0xffff {
				return nil, fmt.Errorf("next hop too long: %w", netlink.ErrAttrTooLarge)
			}
			binary.NativeEndian.PutUint16(mp[start:], uint16(len(mp)-start))
		}
		e.Bytes(uapi.RTA_MULTIPATH, mp)
	}
	e.RawAttrs(r.Other)
	return e.Finish()
}

// putMPLSPath appends a path's RTA_NEWDST and RTA_VIA, when set.
func putMPLSPath(e *netlink.AttrEncoder, labels []uint32, via netip.Addr) error {
	if len(labels) > 0 {
		b, err := appendMPLSLabels(nil, labels)
		if err != nil {
			return err
		}
		e.Bytes(uapi.RTA_NEWDST, b)
	}
	if via.IsValid() {
		fam := uint16(uapi.AF_INET6)
		if via.Is4() {
			fam = uapi.AF_INET
		}
		e.Bytes(uapi.RTA_VIA, append(binary.NativeEndian.AppendUint16(nil, fam), via.AsSlice()...))
	}
	return nil
}
