package rtnetlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// RouteType is a route's type (rtm_type): what happens to a packet that
// matches it.
type RouteType uint8

// Route types from <linux/rtnetlink.h>.
const (
	RouteUnspec      RouteType = uapi.RTN_UNSPEC      // unknown; on delete, any type
	RouteUnicast     RouteType = uapi.RTN_UNICAST     // forward through a gateway or link
	RouteLocal       RouteType = uapi.RTN_LOCAL       // deliver to this host
	RouteBroadcast   RouteType = uapi.RTN_BROADCAST   // deliver to this host, and send as broadcast
	RouteAnycast     RouteType = uapi.RTN_ANYCAST     // deliver to this host, as an anycast address
	RouteMulticast   RouteType = uapi.RTN_MULTICAST   // multicast routing
	RouteBlackhole   RouteType = uapi.RTN_BLACKHOLE   // drop silently
	RouteUnreachable RouteType = uapi.RTN_UNREACHABLE // drop; the sender gets host unreachable
	RouteProhibit    RouteType = uapi.RTN_PROHIBIT    // drop; the sender gets administratively prohibited
	RouteThrow       RouteType = uapi.RTN_THROW       // go on with the next routing rule
	RouteNAT         RouteType = uapi.RTN_NAT         // stateless NAT (no longer supported)
	RouteXResolve    RouteType = uapi.RTN_XRESOLVE    // resolved by an external program
)

var routeTypeNames = [...]string{
	"unspec", "unicast", "local", "broadcast", "anycast", "multicast",
	"blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve",
}

// String names the type as ip does ("unicast", "blackhole", ...), or
// prints its number.
func (t RouteType) String() string {
	if int(t) < len(routeTypeNames) {
		return routeTypeNames[t]
	}
	return strconv.Itoa(int(t))
}

// Protocol says who added a route (rtm_protocol).
type Protocol uint8

// Route protocols from <linux/rtnetlink.h>. Values above ProtoStatic are
// not interpreted by the kernel.
const (
	ProtoUnspec     Protocol = uapi.RTPROT_UNSPEC
	ProtoRedirect   Protocol = uapi.RTPROT_REDIRECT   // by an ICMP redirect
	ProtoKernel     Protocol = uapi.RTPROT_KERNEL     // by the kernel
	ProtoBoot       Protocol = uapi.RTPROT_BOOT       // at boot, or by a user (ip's default)
	ProtoStatic     Protocol = uapi.RTPROT_STATIC     // by the administrator
	ProtoGated      Protocol = uapi.RTPROT_GATED      // by gated
	ProtoRA         Protocol = uapi.RTPROT_RA         // by router advertisements
	ProtoMRT        Protocol = uapi.RTPROT_MRT        // by Merit MRT
	ProtoZebra      Protocol = uapi.RTPROT_ZEBRA      // by Zebra
	ProtoBIRD       Protocol = uapi.RTPROT_BIRD       // by BIRD
	ProtoDNRouted   Protocol = uapi.RTPROT_DNROUTED   // by DECnet routing
	ProtoXORP       Protocol = uapi.RTPROT_XORP       // by XORP
	ProtoNTK        Protocol = uapi.RTPROT_NTK        // by Netsukuku
	ProtoDHCP       Protocol = uapi.RTPROT_DHCP       // by a DHCP client
	ProtoMRouted    Protocol = uapi.RTPROT_MROUTED    // by multicast daemons
	ProtoKeepalived Protocol = uapi.RTPROT_KEEPALIVED // by keepalived
	ProtoBabel      Protocol = uapi.RTPROT_BABEL      // by babeld
	ProtoOpenR      Protocol = uapi.RTPROT_OPENR      // by Open Routing
	ProtoBGP        Protocol = uapi.RTPROT_BGP        // by BGP
	ProtoISIS       Protocol = uapi.RTPROT_ISIS       // by IS-IS
	ProtoOSPF       Protocol = uapi.RTPROT_OSPF       // by OSPF
	ProtoRIP        Protocol = uapi.RTPROT_RIP        // by RIP
	ProtoEIGRP      Protocol = uapi.RTPROT_EIGRP      // by EIGRP
)

// String names the protocol as iproute2's rt_protos table does
// ("kernel", "boot", "static", "dhcp", ...), or prints its number.
func (p Protocol) String() string {
	switch p {
	case ProtoUnspec:
		return "unspec"
	case ProtoRedirect:
		return "redirect"
	case ProtoKernel:
		return "kernel"
	case ProtoBoot:
		return "boot"
	case ProtoStatic:
		return "static"
	case ProtoGated:
		return "gated"
	case ProtoRA:
		return "ra"
	case ProtoMRT:
		return "mrt"
	case ProtoZebra:
		return "zebra"
	case ProtoBIRD:
		return "bird"
	case ProtoDNRouted:
		return "dnrouted"
	case ProtoXORP:
		return "xorp"
	case ProtoNTK:
		return "ntk"
	case ProtoDHCP:
		return "dhcp"
	case ProtoMRouted:
		return "mrouted"
	case ProtoKeepalived:
		return "keepalived"
	case ProtoBabel:
		return "babel"
	case ProtoOpenR:
		return "openr"
	case ProtoBGP:
		return "bgp"
	case ProtoISIS:
		return "isis"
	case ProtoOSPF:
		return "ospf"
	case ProtoRIP:
		return "rip"
	case ProtoEIGRP:
		return "eigrp"
	}
	return strconv.Itoa(int(p))
}

// Routing table ids with names. Ids from 1 to 252 and above 255 are free;
// ids above 255 travel in RTA_TABLE, since rtm_table has 8 bits.
const (
	TableUnspec  = uapi.RT_TABLE_UNSPEC  // no table: in a filter, every table; in a change, the main table
	TableDefault = uapi.RT_TABLE_DEFAULT // "default", consulted after main
	TableMain    = uapi.RT_TABLE_MAIN    // "main", where routes go unless told otherwise
	TableLocal   = uapi.RT_TABLE_LOCAL   // "local", the kernel's local and broadcast routes
)

// RouteFlags are a route's flags (rtm_flags) or a next hop's (rtnh_flags,
// the low 8 bits). In the IPv4 routes GetRoute returns, the kernel also
// puts its route cache flags (RTCF_*) in the bits from 0x10000 up, such as
// 0x80000000 (RTCF_LOCAL) for a local destination.
type RouteFlags uint32

// Route and next-hop flags from <linux/rtnetlink.h>.
const (
	NextHopDead       RouteFlags = uapi.RTNH_F_DEAD       // the next hop is dead
	NextHopPervasive  RouteFlags = uapi.RTNH_F_PERVASIVE  // recursive gateway lookup (unused)
	NextHopOnLink     RouteFlags = uapi.RTNH_F_ONLINK     // the gateway is on the link, even if no prefix says so
	NextHopOffload    RouteFlags = uapi.RTNH_F_OFFLOAD    // offloaded to hardware
	NextHopLinkDown   RouteFlags = uapi.RTNH_F_LINKDOWN   // the carrier is down
	NextHopUnresolved RouteFlags = uapi.RTNH_F_UNRESOLVED // the gateway is not resolved (multicast)
	NextHopTrap       RouteFlags = uapi.RTNH_F_TRAP       // trapping packets to the CPU

	RouteNotify        RouteFlags = uapi.RTM_F_NOTIFY         // notify the user of route changes
	RouteCloned        RouteFlags = uapi.RTM_F_CLONED         // a cached (cloned) route, as GetRoute returns
	RouteEqualize      RouteFlags = uapi.RTM_F_EQUALIZE       // multipath equalizer (unused)
	RoutePrefix        RouteFlags = uapi.RTM_F_PREFIX         // a prefix route (IPv6 RA)
	RouteLookupTable   RouteFlags = uapi.RTM_F_LOOKUP_TABLE   // GetRoute: report the table the lookup used
	RouteFIBMatch      RouteFlags = uapi.RTM_F_FIB_MATCH      // GetRoute: return the FIB entry that matched
	RouteOffload       RouteFlags = uapi.RTM_F_OFFLOAD        // offloaded to hardware
	RouteTrap          RouteFlags = uapi.RTM_F_TRAP           // trapping packets to the CPU
	RouteOffloadFailed RouteFlags = uapi.RTM_F_OFFLOAD_FAILED // offload to hardware failed
)

// kernelRouteFlags are the flags only the kernel sets: requests leave them
// out, so that a route as listed (a path whose link is down, a route
// offloaded) can be replaced and deleted; the kernel refuses some of them.
const kernelRouteFlags = NextHopDead | NextHopLinkDown | NextHopOffload | NextHopUnresolved | NextHopTrap |
	RouteCloned | RouteOffload | RouteTrap | RouteOffloadFailed

var routeFlagNames = [...]struct {
	f    RouteFlags
	name string
}{
	{NextHopDead, "dead"}, {NextHopPervasive, "pervasive"}, {NextHopOnLink, "onlink"},
	{NextHopOffload, "offload"}, {NextHopLinkDown, "linkdown"}, {NextHopUnresolved, "unresolved"},
	{NextHopTrap, "trap"}, {RouteNotify, "notify"}, {RouteCloned, "cloned"},
	{RouteEqualize, "equalize"}, {RoutePrefix, "prefix"}, {RouteLookupTable, "lookup_table"},
	{RouteFIBMatch, "fib_match"}, {RouteOffload, "rt_offload"}, {RouteTrap, "rt_trap"},
	{RouteOffloadFailed, "rt_offload_failed"},
}

// String names the flags as ip does, joined by "|", as in "onlink|linkdown";
// unknown bits are printed in hex, and no flags as "0".
func (f RouteFlags) String() string {
	if f == 0 {
		return "0"
	}
	var b strings.Builder
	rest := f
	for _, n := range routeFlagNames {
		if f&n.f != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(n.name)
			rest &^= n.f
		}
	}
	if rest != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		fmt.Fprintf(&b, "%#x", uint32(rest))
	}
	return b.String()
}

// Metrics are a route's metrics (the RTA_METRICS nest of RTAX_*
// attributes), in the kernel's units. Zero means unset: the kernel sends
// only the metrics that are set.
type Metrics struct {
	Lock              uint32 // RTAX_LOCK: bit 1<<RTAX_x keeps metric x from being learned (ip's "lock")
	MTU               uint32 // RTAX_MTU: path MTU
	Window            uint32 // RTAX_WINDOW: largest TCP window to advertise
	RTT               uint32 // RTAX_RTT: initial RTT estimate, in 1/8 ms
	RTTVar            uint32 // RTAX_RTTVAR: initial RTT variance, in 1/4 ms
	SSThresh          uint32 // RTAX_SSTHRESH: initial TCP slow start threshold
	CWnd              uint32 // RTAX_CWND: TCP congestion window clamp
	AdvMSS            uint32 // RTAX_ADVMSS: MSS to advertise
	Reordering        uint32 // RTAX_REORDERING: initial TCP reordering
	HopLimit          uint32 // RTAX_HOPLIMIT: TTL or hop limit of packets
	InitCWnd          uint32 // RTAX_INITCWND: initial TCP congestion window
	Features          uint32 // RTAX_FEATURES: RTAX_FEATURE_* bits (ECN, ...)
	RTOMin            uint32 // RTAX_RTO_MIN: smallest TCP retransmission timeout, in ms
	InitRWnd          uint32 // RTAX_INITRWND: initial TCP receive window
	QuickAck          uint32 // RTAX_QUICKACK: 1 turns off delayed ACKs
	CongestionControl string // RTAX_CC_ALGO: TCP congestion control algorithm
	FastOpenNoCookie  uint32 // RTAX_FASTOPEN_NO_COOKIE: 1 allows TCP Fast Open without a cookie
}

// metric returns the field for RTAX type t, or nil.
func (m *Metrics) metric(t uint16) *uint32 {
	switch t {
	case uapi.RTAX_LOCK:
		return &m.Lock
	case uapi.RTAX_MTU:
		return &m.MTU
	case uapi.RTAX_WINDOW:
		return &m.Window
	case uapi.RTAX_RTT:
		return &m.RTT
	case uapi.RTAX_RTTVAR:
		return &m.RTTVar
	case uapi.RTAX_SSTHRESH:
		return &m.SSThresh
	case uapi.RTAX_CWND:
		return &m.CWnd
	case uapi.RTAX_ADVMSS:
		return &m.AdvMSS
	case uapi.RTAX_REORDERING:
		return &m.Reordering
	case uapi.RTAX_HOPLIMIT:
		return &m.HopLimit
	case uapi.RTAX_INITCWND:
		return &m.InitCWnd
	case uapi.RTAX_FEATURES:
		return &m.Features
	case uapi.RTAX_RTO_MIN:
		return &m.RTOMin
	case uapi.RTAX_INITRWND:
		return &m.InitRWnd
	case uapi.RTAX_QUICKACK:
		return &m.QuickAck
	case uapi.RTAX_FASTOPEN_NO_COOKIE:
		return &m.FastOpenNoCookie
	}
	return nil
}

// NextHop is one path of a multipath route (struct rtnexthop and its
// attributes).
type NextHop struct {
	// Gateway is the next hop's gateway (RTA_GATEWAY, or RTA_VIA for an
	// IPv6 gateway of an IPv4 route), or the zero Addr.
	Gateway netip.Addr
	// Index is the interface index of the link out (rtnh_ifindex).
	Index int
	// Weight is the share of traffic the path gets relative to the others,
	// 1 to 256 (rtnh_hops+1); 0 is taken as 1 when adding.
	Weight int
	// Flags are the next hop's flags (rtnh_flags: NextHopOnLink, ...).
	Flags RouteFlags
	// Realms are the IPv4 routing realms of the path (RTA_FLOW, ip's
	// realm): the source realm in the high 16 bits, the destination realm
	// in the low 16 bits; 0 for none.
	Realms uint32
	// Encap is the path's lightweight tunnel encapsulation (RTA_ENCAP_TYPE
	// and RTA_ENCAP, ip's encap), or nil.
	Encap Encap
	// Other holds the next hop's attributes that the fields above do not
	// model, as the kernel sent them; changes send them back.
	Other RawAttrs
}

// Route is an IPv4 or IPv6 route (RTM_NEWROUTE). Every field is a value,
// except MultiPath, which is nil unless the route has several paths.
type Route struct {
	// Dst is the destination (rtm_dst_len and RTA_DST); 0.0.0.0/0 or ::/0
	// for a default route. Its family is the route's.
	Dst netip.Prefix
	// Src is the source prefix of an IPv6 source-specific route (RTA_SRC,
	// rtm_src_len), or the zero Prefix.
	Src netip.Prefix
	// Gateway is the next hop (RTA_GATEWAY, or RTA_VIA for an IPv6 gateway
	// of an IPv4 route), or the zero Addr.
	Gateway netip.Addr
	// Index is the interface index of the link out (RTA_OIF); 0 if none.
	Index int
	// InIndex is the interface index of the link in (RTA_IIF), which
	// GetRoute reports for a lookup as if received; 0 if none.
	InIndex int
	// PrefSrc is the source address to prefer for packets to Dst
	// (RTA_PREFSRC), or the zero Addr.
	PrefSrc netip.Addr
	// Protocol says who added the route. When adding, 0 is taken as
	// ProtoBoot, as ip does, unless HasProtocol is set; when deleting, 0
	// matches any.
	Protocol Protocol
	// HasProtocol says that Protocol is the route's even when it is 0
	// (ProtoUnspec, ip's proto unspec): adding sends 0, not ProtoBoot.
	// Routes, GetRoute and ParseRoute set it, since rtmsg always carries
	// the protocol, so that a route listed with protocol 0 is added
	// again with 0. (IPv6 takes 0 as ProtoBoot.)
	HasProtocol bool
	// Scope is the route's scope. When adding, ScopeUniverse (0) is
	// taken to mean the scope ip would choose, unless HasScope is set:
	// ScopeHost for local routes, ScopeLink for broadcast, anycast and
	// multicast routes and for unicast routes with neither gateway nor
	// next hops, and ScopeUniverse otherwise. When deleting, 0 matches
	// any scope, unless HasScope is set.
	Scope Scope
	// HasScope says that Scope is the route's even when it is 0
	// (ScopeUniverse, ip's scope global): adding sends 0 rather than the
	// scope ip would choose, and deleting matches that scope alone.
	// Routes, GetRoute and ParseRoute set it, since rtmsg always carries
	// the scope, so that a route through a link listed with scope 0
	// (ip route add ... dev NAME scope global) is added again with 0.
	HasScope bool
	// Type is the route's type. When adding, 0 is taken as RouteUnicast;
	// when deleting, 0 matches any.
	Type RouteType
	// Table is the routing table id (RTA_TABLE, or rtm_table). When
	// changing routes, 0 means TableMain.
	Table uint32
	// Priority is the route's metric (RTA_PRIORITY); lower wins. IPv6
	// routes added with 0 get 1024.
	Priority uint32
	// TOS is the IPv4 type of service (DSCP) the route matches (rtm_tos).
	TOS uint8
	// Flags are the route's flags (rtm_flags: NextHopOnLink, RouteCloned,
	// ...). Requests leave out those only the kernel sets (NextHopDead,
	// NextHopLinkDown, RouteOffload, ...).
	Flags RouteFlags
	// Pref is an IPv6 route's router preference (RTA_PREF): 0 medium, 1
	// high, 3 low.
	Pref uint8
	// Expires is the time left before an IPv6 route expires (from
	// RTA_CACHEINFO, or RTA_EXPIRES as adding sends it), 0 for never. The kernel
	// counts in 1/100 s and adding takes whole seconds.
	Expires time.Duration
	// NextHopID is the id of a nexthop object the route uses (RTA_NH_ID),
	// or 0. The kernel then reports the object's paths in Gateway, Index
	// and MultiPath too; changes leave those out, since the kernel refuses
	// them next to an id, so that a Route as listed can be deleted.
	NextHopID uint32
	// Metrics are the route's metrics, such as MTU.
	Metrics Metrics
	// MultiPath holds the paths of a multipath route (RTA_MULTIPATH), or is
	// nil. When it is set, Gateway and Index are not.
	MultiPath []NextHop
	// Realms are the IPv4 routing realms of the route (RTA_FLOW, ip's
	// realm): the source realm in the high 16 bits, the destination realm
	// in the low 16 bits; 0 for none.
	Realms uint32
	// Encap is the route's lightweight tunnel encapsulation
	// (RTA_ENCAP_TYPE and RTA_ENCAP, ip's encap), or nil.
	Encap Encap
	// Other holds the route's attributes that the fields above do not
	// model (RTA_UID, RTA_IP_PROTO and the ports in GetRoute's replies;
	// those of newer kernels; ...), as the kernel sent them. Changes send them back, so
	// that deleting a Route as Routes listed it deletes that route and not
	// one that differs only by them.
	Other RawAttrs
}

// RouteFilter says which routes Routes lists. The zero RouteFilter lists
// every IPv4 and IPv6 route of every table, as ip route show table all
// does.
type RouteFilter struct {
	// Family is uapi.AF_INET or uapi.AF_INET6 for one family, or 0 for both.
	Family int
	// Table is a table id, for its routes only; 0 for every table.
	Table uint32
	// Index is an interface index, for the routes out of that link only
	// (including multipath routes with a path through it); 0 for all.
	Index int
	// Protocol, when not 0, lists the routes of that protocol only.
	Protocol Protocol
	// Type, when not 0, lists the routes of that type only.
	Type RouteType
}

// Attribute numbers missing from x/sys/unix.
const (
	rtaNHID = 30 // RTA_NH_ID
)

// userHZ is the kernel's USER_HZ, the unit of clock_t in RTA_CACHEINFO.
const userHZ = 100

// Routes lists the routes f selects. With strict checking on (as Dial
// turns it on), the kernel does the filtering, and sends only the routes
// asked for; the iterator filters too, so the result is the same either
// way. Asking for one family and a table that does not exist lists
// nothing. Cached routes (RTM_F_CLONED) are not listed. An error ends the
// iteration.
//
// Route values are the caller's: they share no memory with the dump's
// buffers, and a route allocates only for MultiPath,
// Metrics.CongestionControl and Other, when present.
//
// Routes sends an RTM_GETROUTE dump request: an rtmsg with the family, the
// table (below 256), protocol and type, then RTA_TABLE and RTA_OIF when set.
// Each RTM_NEWROUTE reply is a Route.
func (c *Conn) Routes(ctx context.Context, f RouteFilter) iter.Seq2[Route, error] {
	return func(yield func(Route, error) bool) {
		req, err := f.request()
		if err != nil {
			yield(Route{}, dumpError(opError("check", uapi.RTM_GETROUTE, err), f.Index))
			return
		}
		for m, err := range c.dump(ctx, uapi.RTM_GETROUTE, req) {
			if err != nil {
				if f.Table != 0 && errors.Is(err, syscall.ENOENT) {
					return // the kernel's word for a table that does not exist
				}
				yield(Route{}, dumpError(err, f.Index))
				return
			}
			var r Route
			ok, err := r.decode(&m)
			if err != nil {
				yield(Route{}, err)
				return
			}
			if !ok || !f.match(&r) {
				continue
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// request returns the dump request for f: the filters the kernel applies
// under strict checking (ip_valid_fib_dump_req) are the table, protocol
// and type in rtmsg, and RTA_TABLE and RTA_OIF.
func (f *RouteFilter) request() ([]byte, error) {
	if f.Family != 0 && f.Family != uapi.AF_INET && f.Family != uapi.AF_INET6 {
		return nil, invalidf("family %d is neither AF_INET nor AF_INET6", f.Family)
	}
	if f.Index < 0 || f.Index > 1<<31-1 {
		return nil, invalidf("link index %d is out of range", f.Index)
	}
	b := make([]byte, uapi.SizeofRtMsg, uapi.SizeofRtMsg+16)
	b[0] = uint8(f.Family)
	b[5] = uint8(f.Protocol)
	b[7] = uint8(f.Type)
	var e netlink.AttrEncoder
	e.Reset(b)
	if f.Table != 0 {
		if f.Table < 256 {
			b[4] = uint8(f.Table)
		}
		e.Uint32(uapi.RTA_TABLE, f.Table)
	}
	if f.Index != 0 {
		e.Uint32(uapi.RTA_OIF, uint32(f.Index))
	}
	return e.Finish()
}

// match reports whether r passes f.
func (f *RouteFilter) match(r *Route) bool {
	if f.Family == uapi.AF_INET && !r.Dst.Addr().Is4() || f.Family == uapi.AF_INET6 && !r.Dst.Addr().Is6() {
		return false
	}
	if f.Table != 0 && r.Table != f.Table || f.Protocol != 0 && r.Protocol != f.Protocol || f.Type != 0 && r.Type != f.Type {
		return false
	}
	if f.Index != 0 && r.Index != f.Index {
		for _, h := range r.MultiPath {
			if h.Index == f.Index {
				return true
			}
		}
		return false
	}
	return true
}

// ParseRoute reads an RTM_NEWROUTE or RTM_DELROUTE message: a reply of
// Routes or GetRoute, or a notification received on the RTNLGRP_IPV4_ROUTE
// or RTNLGRP_IPV6_ROUTE group. A message of another type is an error
// wrapping netlink.ErrMalformed; a route of another family than IPv4 and
// IPv6 (multicast routing; MPLS, which ParseMPLSRoute reads), one wrapping
// errors.ErrUnsupported. The route owns its memory: nothing aliases m.
func ParseRoute(m netlink.Message) (Route, error) {
	if m.Header.Type != uapi.RTM_NEWROUTE && m.Header.Type != uapi.RTM_DELROUTE {
		return Route{}, fmt.Errorf("rtnetlink: %s is not a route message: %w",
			netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), netlink.ErrMalformed)
	}
	var r Route
	ok, err := r.decode(&m)
	if err != nil {
		return Route{}, err
	}
	if !ok {
		return Route{}, fmt.Errorf("rtnetlink: route of family %d: %w", m.Data[0], errors.ErrUnsupported)
	}
	return r, nil
}

// decode reads m into r, which is the zero Route, and reports whether m is
// an IPv4 or IPv6 route.
func (r *Route) decode(m *netlink.Message) (bool, error) {
	if m.Header.Type != uapi.RTM_NEWROUTE && m.Header.Type != uapi.RTM_DELROUTE {
		return false, nil
	}
	data := m.Data
	if len(data) < uapi.SizeofRtMsg {
		return false, fmt.Errorf("rtnetlink: route message of %d bytes is shorter than rtmsg: %w", len(data), netlink.ErrMalformed)
	}
	family := data[0]
	if family != uapi.AF_INET && family != uapi.AF_INET6 {
		return false, nil // multicast (RTNL_FAMILY_IPMR), MPLS, ...
	}
	dstLen, srcLen := int(data[1]), int(data[2])
	r.TOS = data[3]
	r.Table = uint32(data[4])
	r.Protocol, r.HasProtocol = Protocol(data[5]), true
	r.Scope, r.HasScope = Scope(data[6]), true
	r.Type = RouteType(data[7])
	r.Flags = RouteFlags(binary.NativeEndian.Uint32(data[8:]))
	var dst, src netip.Addr
	var multipath []byte
	var buf [64]byte
	other := buf[:0]
	var enc encapAttrs
	d := m.AttrDecoder(uapi.SizeofRtMsg)
	for d.Next() {
		switch d.Type() {
		case uapi.RTA_FLOW:
			r.Realms = d.Uint32()
		case uapi.RTA_ENCAP_TYPE, uapi.RTA_ENCAP:
			other = enc.add(other, &d, uapi.RTA_ENCAP_TYPE, uapi.RTA_ENCAP)
		case uapi.RTA_DST:
			dst = d.Addr()
		case uapi.RTA_SRC:
			src = d.Addr()
		case uapi.RTA_GATEWAY:
			r.Gateway = d.Addr()
		case uapi.RTA_VIA:
			r.Gateway = viaAddr(d.Bytes())
		case uapi.RTA_OIF:
			r.Index = int(d.Uint32())
		case uapi.RTA_IIF:
			r.InIndex = int(d.Uint32())
		case uapi.RTA_PREFSRC:
			r.PrefSrc = d.Addr()
		case uapi.RTA_TABLE:
			r.Table = d.Uint32()
		case uapi.RTA_PRIORITY:
			r.Priority = d.Uint32()
		case uapi.RTA_PREF:
			r.Pref = d.Uint8()
		case rtaNHID:
			r.NextHopID = d.Uint32()
		case uapi.RTA_EXPIRES: // seconds, as a request gives them
			r.Expires = time.Duration(d.Uint32()) * time.Second
		case uapi.RTA_CACHEINFO:
			// struct rta_cacheinfo: rta_expires, a clock_t, is the third
			// u32. A longer struct is read for the fields known.
			if b := d.Bytes(); len(b) >= 12 {
				if t := int32(binary.NativeEndian.Uint32(b[8:])); t > 0 {
					r.Expires = time.Duration(t) * (time.Second / userHZ)
				}
			}
		case uapi.RTA_METRICS:
			outer := d.Enter()
			for d.Next() {
				if t := d.Type(); t == uapi.RTAX_CC_ALGO {
					b := d.Bytes()
					for i, c := range b {
						if c == 0 {
							b = b[:i]
							break
						}
					}
					r.Metrics.CongestionControl = string(b)
				} else if p := r.Metrics.metric(t); p != nil {
					*p = d.Uint32()
				}
			}
			d.Exit(outer)
		case uapi.RTA_MULTIPATH:
			multipath = d.Bytes()
		default:
			other = d.Attr().Append(other)
		}
	}
	if err := d.Err(); err != nil {
		return false, fmt.Errorf("rtnetlink: route: %w", err)
	}
	r.Encap, other = enc.decode(other)
	if len(other) > 0 {
		r.Other = RawAttrs(other)
	}
	if !dst.IsValid() {
		dst = zeroAddr(family)
	}
	r.Dst = netip.PrefixFrom(dst, dstLen)
	if src.IsValid() || srcLen != 0 {
		if !src.IsValid() {
			src = zeroAddr(family)
		}
		r.Src = netip.PrefixFrom(src, srcLen)
	}
	if !r.Dst.IsValid() || dst.Is4() != (family == uapi.AF_INET) || srcLen != 0 && (!r.Src.IsValid() || src.Is4() != dst.Is4()) {
		return false, fmt.Errorf("rtnetlink: route to %v/%d from %v/%d does not fit family %d: %w", dst, dstLen, src, srcLen, family, netlink.ErrMalformed)
	}
	if len(multipath) > 0 {
		hops, err := decodeNextHops(multipath)
		if err != nil {
			return false, err
		}
		r.MultiPath = hops
	}
	return true, nil
}

// zeroAddr returns the unspecified address of family.
func zeroAddr(family uint8) netip.Addr {
	if family == uapi.AF_INET {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// viaAddr reads a struct rtvia: the address family as a u16, then the
// address. Another family (such as MPLS) is the zero Addr.
func viaAddr(b []byte) netip.Addr {
	if len(b) < 2 {
		return netip.Addr{}
	}
	switch binary.NativeEndian.Uint16(b) {
	case uapi.AF_INET:
		if len(b) >= 6 {
			return netip.AddrFrom4([4]byte(b[2:6]))
		}
	case uapi.AF_INET6:
		if len(b) >= 18 {
			return netip.AddrFrom16([16]byte(b[2:18]))
		}
	}
	return netip.Addr{}
}

// rtnhLen is the size of struct rtnexthop, aligned (RTNH_LENGTH(0)).
const rtnhLen = uapi.SizeofRtNexthop

// decodeNextHops reads the payload of RTA_MULTIPATH: struct rtnexthop
// records, each followed by its attributes.
func decodeNextHops(b []byte) ([]NextHop, error) {
	n := 0
	for rest := b; len(rest) >= rtnhLen; n++ {
		l := int(binary.NativeEndian.Uint16(rest))
		if l < rtnhLen || l > len(rest) {
			return nil, fmt.Errorf("rtnetlink: route: next hop %d has length %d, outside %d..%d: %w", n, l, rtnhLen, len(rest), netlink.ErrMalformed)
		}
		rest = rest[min(netlink.Align(l), len(rest)):]
	}
	hops := make([]NextHop, n)
	for i := range hops {
		l := int(binary.NativeEndian.Uint16(b))
		h := &hops[i]
		h.Flags = RouteFlags(b[2])
		h.Weight = int(b[3]) + 1
		h.Index = int(int32(binary.NativeEndian.Uint32(b[4:])))
		var buf [64]byte
		other := buf[:0]
		var enc encapAttrs
		d := netlink.NewAttrDecoder(b[rtnhLen:l])
		for d.Next() {
			switch d.Type() {
			case uapi.RTA_GATEWAY:
				h.Gateway = d.Addr()
			case uapi.RTA_VIA:
				h.Gateway = viaAddr(d.Bytes())
			case uapi.RTA_FLOW:
				h.Realms = d.Uint32()
			case uapi.RTA_ENCAP_TYPE, uapi.RTA_ENCAP:
				other = enc.add(other, &d, uapi.RTA_ENCAP_TYPE, uapi.RTA_ENCAP)
			default:
				other = d.Attr().Append(other)
			}
		}
		if err := d.Err(); err != nil {
			return nil, fmt.Errorf("rtnetlink: route: next hop %d: %w", i, err)
		}
		h.Encap, other = enc.decode(other)
		if len(other) > 0 {
			h.Other = RawAttrs(other)
		}
		b = b[min(netlink.Align(l), len(b)):]
	}
	return hops, nil
}

// AddRoute adds r. It fails (EEXIST) when the table has a route to r.Dst
// with the same TOS and priority (and, for IPv6, the same next hop).
//
// A Route that cannot be right is refused before anything is sent, with a
// *netlink.OpError whose error matches both syscall.EINVAL and
// os.ErrInvalid: an invalid destination or one with bits
// set past its prefix length, an IPv4 gateway or preferred source for an
// IPv6 destination, both Gateway and MultiPath, a weight above 256. (An
// IPv6 gateway of an IPv4 route is fine: it goes as RTA_VIA.) The kernel's
// refusals are *netlink.OpError values: errors.Is finds the errno, such
// as ENETUNREACH for a gateway no route reaches, and the Message field has
// the kernel's explanation ("Nexthop has invalid gateway").
//
// AddRoute sends RTM_NEWROUTE with NLM_F_CREATE and NLM_F_EXCL: an rtmsg
// (family, prefix lengths, TOS, table below 256, protocol, scope, type,
// flags), then RTA_DST, and RTA_SRC, RTA_GATEWAY (RTA_VIA for an IPv6
// gateway of an IPv4 route), RTA_OIF, RTA_IIF, RTA_PREFSRC, RTA_PRIORITY,
// RTA_TABLE, RTA_NH_ID, RTA_PREF, RTA_EXPIRES, RTA_METRICS, RTA_FLOW,
// RTA_ENCAP with RTA_ENCAP_TYPE and RTA_MULTIPATH (each path with its
// gateway, RTA_FLOW and encapsulation) when set, then Other.
func (c *Conn) AddRoute(ctx context.Context, r Route) error {
	return c.changeRoute(ctx, uapi.RTM_NEWROUTE, netlink.Create|netlink.Excl, &r)
}

// AppendRoute adds r after the routes to r.Dst with the same TOS and
// priority that the table has already, as ip route append does: an IPv4
// route that differs from them by its path (or realm, or encapsulation)
// is added beside them, and the kernel uses the first that works; an
// IPv6 route's path is added to theirs, which makes them one multipath
// route. It fails (EEXIST) when the table has the same route.
//
// AppendRoute sends RTM_NEWROUTE with NLM_F_CREATE and NLM_F_APPEND,
// encoded as for AddRoute.
func (c *Conn) AppendRoute(ctx context.Context, r Route) error {
	return c.changeRoute(ctx, uapi.RTM_NEWROUTE, netlink.Create|netlink.Append, &r)
}

// ReplaceRoute adds r, or replaces the route to r.Dst with the same TOS
// and priority when the table has one.
//
// ReplaceRoute sends RTM_NEWROUTE with NLM_F_CREATE and NLM_F_REPLACE,
// encoded as for AddRoute.
func (c *Conn) ReplaceRoute(ctx context.Context, r Route) error {
	return c.changeRoute(ctx, uapi.RTM_NEWROUTE, netlink.Create|netlink.Replace, &r)
}

// DeleteRoute deletes the route to r.Dst in r.Table that matches r's other
// fields that are set: the zero value of a field matches anything.
// Deleting a Route as Routes listed it deletes that route, but for what
// the kernel does not compare: an IPv4 route's Realms and Encap count
// only with an Index or Gateway (which a listed route has), a path's
// Encap and an IPv6 route's Realms and Encap not at all. A BPFEncap
// counts only with the FDs of its programs, which a listed one lacks: the
// kernel compares an encapsulation by building it, and one it cannot
// build matches any; so of IPv4 routes that differ by their programs
// alone, put the FDs back to delete the one listed.
//
// DeleteRoute sends RTM_DELROUTE, encoded as for AddRoute but with no
// default protocol or type, and scope RT_SCOPE_NOWHERE (any) for the
// universe scope unless HasScope is set.
func (c *Conn) DeleteRoute(ctx context.Context, r Route) error {
	return c.changeRoute(ctx, uapi.RTM_DELROUTE, 0, &r)
}

// changeRoute checks r, encodes it and runs the request.
func (c *Conn) changeRoute(ctx context.Context, typ netlink.HeaderType, flags netlink.HeaderFlags, r *Route) error {
	data, err := r.encode(typ == uapi.RTM_DELROUTE)
	if err != nil {
		return named(opError("check", typ, err), "%s", r.object())
	}
	_, err = c.execute(ctx, typ, flags, data)
	return named(err, "%s", r.object())
}

// checkGateway checks that gw may be the gateway of a route of the family
// of dst: the same family, or IPv6 for an IPv4 route (sent as RTA_VIA).
func checkGateway(what string, gw, dst netip.Addr) error {
	switch {
	case gw.Is4In6():
		return invalidf("%s %v is an IPv4-mapped IPv6 address; use the IPv4 form", what, gw)
	case gw.Is4() && !dst.Is4():
		return invalidf("%s %v is IPv4 but the destination %v is IPv6", what, gw, dst)
	case gw.Zone() != "":
		return invalidf("%s %v has a zone; set the link index instead", what, gw)
	}
	return nil
}

// putGateway appends gw as RTA_GATEWAY, or as RTA_VIA when it is an IPv6
// gateway of an IPv4 route.
func putGateway(e *netlink.AttrEncoder, gw netip.Addr, ipv4 bool) {
	if gw.Is6() && ipv4 {
		var via [18]byte
		binary.NativeEndian.PutUint16(via[:], uapi.AF_INET6)
		a16 := gw.As16()
		copy(via[2:], a16[:])
		e.Bytes(uapi.RTA_VIA, via[:])
		return
	}
	e.Addr(uapi.RTA_GATEWAY, gw)
}

// encode checks r and returns it as an rtmsg and its attributes, with the
// defaults for an add or a delete.
func (r *Route) encode(del bool) ([]byte, error) {
	dst := r.Dst.Addr()
	switch {
	case !r.Dst.IsValid():
		return nil, invalidf("Dst is zero or not valid (use 0.0.0.0/0 or ::/0 for a default route)")
	case dst.Is4In6():
		return nil, invalidf("destination %v is IPv4-mapped IPv6; use the IPv4 form", r.Dst)
	case dst.Zone() != "":
		return nil, invalidf("destination %v has a zone", r.Dst)
	case r.Dst.Masked() != r.Dst:
		return nil, invalidf("destination %v has bits set past its prefix length (did you mean %v?)", r.Dst, r.Dst.Masked())
	case r.Src.IsValid() && (r.Src.Addr().Is4() != dst.Is4() || r.Src.Addr().Is4In6() || r.Src.Masked() != r.Src):
		return nil, invalidf("source prefix %v does not fit destination %v", r.Src, r.Dst)
	case r.PrefSrc.IsValid() && (r.PrefSrc.Is4() != dst.Is4() || r.PrefSrc.Is4In6()):
		return nil, invalidf("preferred source %v is not of the family of %v", r.PrefSrc, r.Dst)
	case r.Index < 0 || r.Index > 1<<31-1 || r.InIndex < 0 || r.InIndex > 1<<31-1:
		return nil, invalidf("link index %d or input link index %d is out of range", r.Index, r.InIndex)
	case len(r.MultiPath) > 0 && r.Gateway.IsValid():
		return nil, invalidf("both Gateway and MultiPath are set; give each path its gateway")
	case r.Expires < 0 || r.Expires > 0 && dst.Is4():
		return nil, invalidf("expires %v: only IPv6 routes expire", r.Expires)
	case strings.IndexByte(r.Metrics.CongestionControl, 0) >= 0:
		return nil, invalidf("congestion control %q has a NUL", r.Metrics.CongestionControl)
	}
	if r.Gateway.IsValid() {
		if err := checkGateway("gateway", r.Gateway, dst); err != nil {
			return nil, err
		}
	}
	for i, h := range r.MultiPath {
		if h.Gateway.IsValid() {
			if err := checkGateway(fmt.Sprintf("next hop %d: gateway", i), h.Gateway, dst); err != nil {
				return nil, err
			}
		}
		if h.Weight < 0 || h.Weight > 256 || h.Index < 0 || h.Index > 1<<31-1 || h.Flags > 0xff {
			return nil, invalidf("next hop %d: weight %d (want 1 to 256), link index %d or flags %v out of range", i, h.Weight, h.Index, h.Flags)
		}
	}
	ipv4 := dst.Is4()
	b := make([]byte, uapi.SizeofRtMsg, 256)
	b[0] = uapi.AF_INET6
	if ipv4 {
		b[0] = uapi.AF_INET
	}
	b[1] = uint8(r.Dst.Bits())
	if r.Src.IsValid() {
		b[2] = uint8(r.Src.Bits())
	}
	b[3] = r.TOS
	if r.Table < 256 {
		b[4] = uint8(r.Table)
	}
	proto, scope, typ := r.Protocol, r.Scope, r.Type
	if del {
		if scope == ScopeUniverse && !r.HasScope {
			scope = ScopeNowhere // the kernel's "any scope" for a delete
		}
	} else {
		if proto == 0 && !r.HasProtocol {
			proto = ProtoBoot
		}
		if typ == 0 {
			typ = RouteUnicast
		}
		if scope == ScopeUniverse && !r.HasScope {
			switch typ {
			case RouteLocal, RouteNAT:
				scope = ScopeHost
			case RouteBroadcast, RouteMulticast, RouteAnycast:
				scope = ScopeLink
			case RouteUnicast:
				if !r.Gateway.IsValid() && len(r.MultiPath) == 0 && r.NextHopID == 0 {
					scope = ScopeLink
				}
			}
		}
	}
	b[5], b[6], b[7] = uint8(proto), uint8(scope), uint8(typ)
	binary.NativeEndian.PutUint32(b[8:], uint32(r.Flags&^kernelRouteFlags))
	var e netlink.AttrEncoder
	e.Reset(b)
	if r.Table != 0 {
		e.Uint32(uapi.RTA_TABLE, r.Table)
	}
	if r.Dst.Bits() != 0 || !dst.IsUnspecified() {
		e.Addr(uapi.RTA_DST, dst)
	}
	if r.Src.IsValid() {
		e.Addr(uapi.RTA_SRC, r.Src.Addr())
	}
	nh := r.NextHopID == 0 // the path is the nexthop object's otherwise
	if r.Gateway.IsValid() && nh {
		putGateway(&e, r.Gateway, ipv4)
	}
	if r.Index != 0 && nh {
		e.Uint32(uapi.RTA_OIF, uint32(r.Index))
	}
	if r.InIndex != 0 {
		e.Uint32(uapi.RTA_IIF, uint32(r.InIndex))
	}
	if r.PrefSrc.IsValid() {
		e.Addr(uapi.RTA_PREFSRC, r.PrefSrc)
	}
	if r.Priority != 0 {
		e.Uint32(uapi.RTA_PRIORITY, r.Priority)
	}
	if r.NextHopID != 0 {
		e.Uint32(rtaNHID, r.NextHopID)
	}
	if !del {
		if r.Pref != 0 {
			e.Uint8(uapi.RTA_PREF, r.Pref)
		}
		if r.Expires > 0 {
			e.Uint32(uapi.RTA_EXPIRES, uint32(min(r.Expires/time.Second, 1<<31-1)))
		}
	}
	if r.Metrics != (Metrics{}) {
		start := e.Nest(uapi.RTA_METRICS)
		for t := uint16(1); t <= uapi.RTAX_FASTOPEN_NO_COOKIE; t++ {
			if p := r.Metrics.metric(t); p != nil && *p != 0 {
				e.Uint32(t, *p)
			}
		}
		if r.Metrics.CongestionControl != "" {
			e.String(uapi.RTAX_CC_ALGO, r.Metrics.CongestionControl)
		}
		e.End(start)
	}
	if r.Realms != 0 {
		e.Uint32(uapi.RTA_FLOW, r.Realms)
	}
	if err := putEncap(&e, r.Encap); err != nil {
		return nil, err
	}
	if len(r.MultiPath) > 0 && nh {
		mp, err := encodeNextHops(r.MultiPath, ipv4)
		if err != nil {
			return nil, err
		}
		e.Bytes(uapi.RTA_MULTIPATH, mp)
	}
	e.RawAttrs(r.Other)
	return e.Finish()
}

// encodeNextHops returns the payload of RTA_MULTIPATH for hops.
func encodeNextHops(hops []NextHop, ipv4 bool) ([]byte, error) {
	var b []byte
	var e netlink.AttrEncoder
	for i, h := range hops {
		start := len(b)
		b = append(b, make([]byte, rtnhLen)...)
		w := h.Weight
		if w == 0 {
			w = 1
		}
		b[start+2] = uint8(h.Flags &^ kernelRouteFlags)
		b[start+3] = uint8(w - 1)
		binary.NativeEndian.PutUint32(b[start+4:], uint32(h.Index))
		e.Reset(b)
		if h.Gateway.IsValid() {
			putGateway(&e, h.Gateway, ipv4)
		}
		if h.Realms != 0 {
			e.Uint32(uapi.RTA_FLOW, h.Realms)
		}
		if err := putEncap(&e, h.Encap); err != nil {
			return nil, fmt.Errorf("next hop %d: %w", i, err)
		}
		e.RawAttrs(h.Other)
		var err error
		if b, err = e.Finish(); err != nil {
			return nil, err
		}
		if len(b)-start > 0xffff {
			return nil, fmt.Errorf("next hop too long: %w", netlink.ErrAttrTooLarge)
		}
		binary.NativeEndian.PutUint16(b[start:], uint16(len(b)-start))
	}
	return b, nil
}

// RouteQuery is the question GetRoute asks: where would the kernel send a
// packet to Dst, with these details.
type RouteQuery struct {
	// Dst is the destination address (required).
	Dst netip.Addr
	// Src is the packet's source address, or the zero Addr.
	Src netip.Addr
	// InIndex, when not 0, looks the route up as if the packet came in on
	// this link (ip route get ... iif); Src is then needed.
	InIndex int
	// Index, when not 0, looks the route up for packets sent out of this
	// link (ip route get ... oif).
	Index int
	// Mark is the packet's firewall mark (RTA_MARK), if not 0.
	Mark uint32
	// UID, when HasUID is set, looks the route up for a packet of a
	// socket of this user (RTA_UID, ip route get ... uid), which rules
	// with a uid range select by. Without it the kernel takes the
	// caller's user id, or none for a packet coming in on InIndex.
	UID    uint32
	HasUID bool // UID is set (RTA_UID is sent)
	// IPProto is the packet's IP protocol (RTA_IP_PROTO, ip route get
	// ... ipproto), which rules with ipproto select by; 0 for none.
	IPProto uint8
	// SPort and DPort are the packet's source and destination ports
	// (RTA_SPORT, RTA_DPORT, ip route get ... sport, dport), which rules
	// with port ranges select by; 0 for none. With ports and no IPProto,
	// the kernel looks up as for UDP.
	SPort, DPort uint16
	// FIBMatch returns the routing table entry that matched, as it was
	// added, rather than the route resolved for Dst (ip route get
	// fibmatch).
	FIBMatch bool
}

// GetRoute asks the kernel which route it would use for a packet as q
// describes (RTM_GETROUTE, as ip route get does) and returns it: a route
// to q.Dst alone, with RouteCloned set, its table, gateway, link and
// preferred source; or with q.FIBMatch, the matching entry of the table.
//
// GetRoute sends RTM_GETROUTE, not a dump: an rtmsg with the family,
// prefix lengths and, for IPv4, RTM_F_LOOKUP_TABLE, so that the kernel
// reports the table the lookup used, as ip route get does (and
// RTM_F_FIB_MATCH with FIBMatch), then RTA_DST, and
// RTA_SRC, RTA_IIF, RTA_OIF, RTA_MARK, RTA_UID, RTA_IP_PROTO, RTA_SPORT
// and RTA_DPORT when set. The reply is one RTM_NEWROUTE. (IPv6 reports
// the table the lookup used without RTM_F_LOOKUP_TABLE, and refuses the
// flag under strict checking.)
func (c *Conn) GetRoute(ctx context.Context, q RouteQuery) (Route, error) {
	data, err := q.encode()
	if err != nil {
		return Route{}, named(opError("check", uapi.RTM_GETROUTE, err), "%s", q.object())
	}
	msgs, err := c.execute(ctx, uapi.RTM_GETROUTE, 0, data)
	if err != nil {
		return Route{}, named(err, "%s", q.object())
	}
	for i := range msgs {
		var r Route
		ok, err := r.decode(&msgs[i])
		if err != nil {
			return Route{}, err
		}
		if ok {
			return r, nil
		}
	}
	return Route{}, fmt.Errorf("rtnetlink: get route: the kernel sent no route: %w", netlink.ErrMalformed)
}

// encode checks q and returns it as a RTM_GETROUTE request.
func (q *RouteQuery) encode() ([]byte, error) {
	switch {
	case !q.Dst.IsValid() || q.Dst.Is4In6() || q.Dst.Zone() != "":
		return nil, invalidf("Dst is not set, or is an IPv4-mapped IPv6 address, or has a zone")
	case q.Src.IsValid() && (q.Src.Is4() != q.Dst.Is4() || q.Src.Is4In6()):
		return nil, invalidf("source %v is not of the family of %v", q.Src, q.Dst)
	case q.Index < 0 || q.Index > 1<<31-1 || q.InIndex < 0 || q.InIndex > 1<<31-1:
		return nil, invalidf("link index %d or input link index %d is out of range", q.Index, q.InIndex)
	case !q.HasUID && q.UID != 0:
		return nil, invalidf("uid %d without HasUID", q.UID)
	}
	b := make([]byte, uapi.SizeofRtMsg, 128)
	b[0] = uapi.AF_INET6
	if q.Dst.Is4() {
		b[0] = uapi.AF_INET
	}
	b[1] = uint8(q.Dst.BitLen())
	if q.Src.IsValid() {
		b[2] = uint8(q.Src.BitLen())
	}
	// Without RTM_F_LOOKUP_TABLE, IPv4 reports the main table whatever
	// table the lookup used; IPv6 reports the real one, and refuses the
	// flag under strict checking.
	var flags uint32
	if q.Dst.Is4() {
		flags = uapi.RTM_F_LOOKUP_TABLE
	}
	if q.FIBMatch {
		flags |= uapi.RTM_F_FIB_MATCH
	}
	binary.NativeEndian.PutUint32(b[8:], flags)
	var e netlink.AttrEncoder
	e.Reset(b)
	e.Addr(uapi.RTA_DST, q.Dst)
	if q.Src.IsValid() {
		e.Addr(uapi.RTA_SRC, q.Src)
	}
	if q.InIndex != 0 {
		e.Uint32(uapi.RTA_IIF, uint32(q.InIndex))
	}
	if q.Index != 0 {
		e.Uint32(uapi.RTA_OIF, uint32(q.Index))
	}
	if q.Mark != 0 {
		e.Uint32(uapi.RTA_MARK, q.Mark)
	}
	if q.HasUID {
		e.Uint32(uapi.RTA_UID, q.UID)
	}
	if q.IPProto != 0 {
		e.Uint8(uapi.RTA_IP_PROTO, q.IPProto)
	}
	// The kernel reads the ports as __be16.
	if q.SPort != 0 {
		e.Uint16BE(uapi.RTA_SPORT, q.SPort)
	}
	if q.DPort != 0 {
		e.Uint16BE(uapi.RTA_DPORT, q.DPort)
	}
	return e.Finish()
}
