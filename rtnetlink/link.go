package rtnetlink

import (
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Link is a network interface as RTM_NEWLINK describes it: what Links,
// Link and LinkByName read, and what CreateLink creates.
//
// CreateLink uses Index, Name, Kind or Data, Flags, MTU, HardwareAddr,
// Broadcast, TxQueueLen, MasterIndex, ParentIndex, Group, the offload
// limits, AddrGenMode, ProtoDown and its reason, AltNames, Port, and some
// of Other (the numbers of queues, the link mode), and refuses Alias
// (the kernel ignores it on creation: set it with SetLinkAlias); it
// ignores the fields only the kernel sets.
//
// A link listed with IPv6 has HasAddrGenMode set, so that CreateLink sets
// its address generation mode even when it is eui64 (0), which a link
// made where net.ipv6.conf.default.addr_gen_mode says otherwise would
// not get by default.
type Link struct {
	Index        int              // ifi_index; on creation, 0 lets the kernel choose
	Name         string           // IFLA_IFNAME, at most 15 bytes
	Kind         string           // IFLA_INFO_KIND: "veth", "bridge", ...; "" for links without one (lo, most hardware)
	HardwareType uint16           // ifi_type, ARPHRD_*: 1 Ethernet, 772 loopback, 65534 none
	Flags        LinkFlags        // ifi_flags; on creation, the flags set are turned on
	OperState    OperState        // IFLA_OPERSTATE: RFC 2863 operational state
	MTU          uint32           // IFLA_MTU; on creation, 0 is the kind's default (but see Other)
	MinMTU       uint32           // IFLA_MIN_MTU: the smallest MTU the device takes
	MaxMTU       uint32           // IFLA_MAX_MTU: the largest, 0 if unbounded
	HardwareAddr net.HardwareAddr // IFLA_ADDRESS
	Broadcast    net.HardwareAddr // IFLA_BROADCAST: the hardware broadcast address
	MasterIndex  int              // IFLA_MASTER: the bridge or bond it is a port of, 0 if none
	ParentIndex  int              // IFLA_LINK: a veth's peer, a macvlan's lower link; in another namespace when LinkNetNSID >= 0
	LinkNetNSID  int32            // IFLA_LINK_NETNSID: the namespace ID of ParentIndex's namespace, -1 when it is this one
	TxQueueLen   uint32           // IFLA_TXQLEN; on creation, 0 is the kind's default (but see Other)
	Alias        string           // IFLA_IFALIAS: a free-form description (ip link set NAME alias)
	Stats        LinkStats        // IFLA_STATS64: the traffic counters
	Promiscuity  uint32           // IFLA_PROMISCUITY: how many asked for promiscuous mode (the LinkPromisc flag is the user's); read only
	Group        uint32           // IFLA_GROUP: the link's group, 0 is "default" (ip link set NAME group N)

	// The offload limits: the largest packets the stack builds for the
	// link (GSO) and the largest it merges on receive (GRO), in bytes
	// and segments; IPv6 limits above 65536 are BIG TCP. The IPv4 ones
	// are from Linux 6.3 (an older kernel ignores them in a request, and
	// reports none). On creation, 0 is the kind's default. A link listed
	// with an MTU, a TxQueueLen, a GSOMaxSegs, a GROMaxSize or a
	// GROIPv4MaxSize of 0, which the kernel takes, keeps the kernel's
	// attribute in Other as well, and CreateLink sends it while the
	// field is 0: the link created from the listing has the 0, not the
	// kind's default.
	GSOMaxSize     uint32 // IFLA_GSO_MAX_SIZE
	GSOMaxSegs     uint32 // IFLA_GSO_MAX_SEGS
	GROMaxSize     uint32 // IFLA_GRO_MAX_SIZE
	GSOIPv4MaxSize uint32 // IFLA_GSO_IPV4_MAX_SIZE
	GROIPv4MaxSize uint32 // IFLA_GRO_IPV4_MAX_SIZE

	AddrGenMode      AddrGenMode      // IFLA_AF_SPEC's IFLA_INET6_ADDR_GEN_MODE: how IPv6 link-local addresses are made
	HasAddrGenMode   bool             // AddrGenMode is set, even to 0 (eui64): CreateLink sets it rather than leave the namespace's default; the decoder sets it when the link has IPv6
	ProtoDown        bool             // IFLA_PROTO_DOWN: held down by a control protocol (ip link set NAME protodown on)
	ProtoDownReason  uint32           // IFLA_PROTO_DOWN_REASON's value: a bit per reason it is held down
	AltNames         []string         // IFLA_PROP_LIST's IFLA_ALT_IFNAMEs: other names the link answers to, up to 127 bytes each
	PermHardwareAddr net.HardwareAddr // IFLA_PERM_ADDRESS: the device's own address, when it has one; read only
	XDP              LinkXDP          // IFLA_XDP: the XDP programs attached; read only (SetLinkXDP attaches)
	NumVF            int              // IFLA_NUM_VF: the SR-IOV virtual functions of the device; read only
	VFs              []VFInfo         // IFLA_VFINFO_LIST: the virtual functions' settings; CreateLink ignores them, SetLinkVF sets one
	// Data is what the kernel says about the link's kind (IFLA_INFO_DATA):
	// *Bridge, *Macvlan, *Vxlan, ... for the kinds this package decodes
	// (see LinkData), *RawLinkData for the others. It is nil for kinds
	// that report nothing (veth, ifb, dummy). On creation it sets the
	// kind's options; Kind may then be left empty.
	Data LinkData
	// Port is what the link has as a port of its master (IFLA_INFO_SLAVE_KIND
	// and IFLA_INFO_SLAVE_DATA): *BridgePort for a bridge's port,
	// *BondPort for a bond's, *VRFPort for a VRF's, *RawPortData for the
	// masters this package does not decode; nil when the link is no port.
	Port PortData
	// Other holds the link's attributes that the fields above do not
	// model (IFLA_NUM_TX_QUEUES, IFLA_AF_SPEC, IFLA_QDISC, ...), as the
	// kernel sent them, in order. CreateLink sends back those the kernel
	// takes when it creates a link (see linkCreateAttr), so a listed link
	// is created again as it was; the others are what only the kernel
	// sets (counters, the queueing discipline's name, ...). Of
	// IFLA_LINKINFO, which the fields above model, Other holds in its
	// place an IFLA_LINKINFO of what they do not (IFLA_INFO_XSTATS, the
	// extended statistics some kinds report, such as can's), when there
	// is some; it is never sent back. Likewise of IFLA_VFINFO_LIST, which
	// VFs models, it holds an IFLA_VFINFO_LIST of what is not an
	// IFLA_VF_INFO, when there is some. IFLA_VF_PORTS and IFLA_PORT_SELF
	// (the 802.1Qbg and 802.1Qbh port profiles of a few drivers) stay in
	// Other whole.
	Other RawAttrs
}

// LinkStats are a link's traffic counters: the first fields of struct
// rtnl_link_stats64.
type LinkStats struct {
	RxPackets  uint64 // packets received
	TxPackets  uint64 // packets sent
	RxBytes    uint64 // bytes received
	TxBytes    uint64 // bytes sent
	RxErrors   uint64 // bad packets received
	TxErrors   uint64 // packets that failed to go out
	RxDropped  uint64 // packets received and dropped (no buffer, unknown protocol, ...)
	TxDropped  uint64 // packets dropped on the way out
	Multicast  uint64 // multicast packets received
	Collisions uint64 // collisions on the medium
}

// decode reads the counters of struct rtnl_link_stats64 that b holds: a
// longer struct (from a newer kernel) has its known prefix read, a shorter
// one the fields it has.
func (s *LinkStats) decode(b []byte) {
	fields := [...]*uint64{
		&s.RxPackets, &s.TxPackets, &s.RxBytes, &s.TxBytes, &s.RxErrors,
		&s.TxErrors, &s.RxDropped, &s.TxDropped, &s.Multicast, &s.Collisions,
	}
	for i, f := range fields {
		if len(b) < 8*(i+1) {
			return
		}
		*f = binary.NativeEndian.Uint64(b[8*i:])
	}
}

// LinkFlags are a link's device flags (ifi_flags, the IFF_* of <net/if.h>).
type LinkFlags uint32

// The device flags. Up, NoARP, Promisc, AllMulti, Multicast, PortSel,
// AutoMedia and Dynamic can be changed; the kernel maintains the others.
const (
	LinkUp           LinkFlags = uapi.IFF_UP          // administratively up
	LinkBroadcast    LinkFlags = uapi.IFF_BROADCAST   // has a broadcast address
	LinkDebug        LinkFlags = uapi.IFF_DEBUG       // driver debugging on
	LinkLoopback     LinkFlags = uapi.IFF_LOOPBACK    // a loopback device
	LinkPointToPoint LinkFlags = uapi.IFF_POINTOPOINT // a point-to-point link
	LinkNoTrailers   LinkFlags = uapi.IFF_NOTRAILERS  // unused
	LinkRunning      LinkFlags = uapi.IFF_RUNNING     // operationally up (OperState UP or UNKNOWN)
	LinkNoARP        LinkFlags = uapi.IFF_NOARP       // no ARP or neighbour discovery
	LinkPromisc      LinkFlags = uapi.IFF_PROMISC     // receives all packets
	LinkAllMulti     LinkFlags = uapi.IFF_ALLMULTI    // receives all multicast packets
	LinkMaster       LinkFlags = uapi.IFF_MASTER      // the master of a bond
	LinkSlave        LinkFlags = uapi.IFF_SLAVE       // a port of a bond
	LinkMulticast    LinkFlags = uapi.IFF_MULTICAST   // supports multicast
	LinkPortSel      LinkFlags = uapi.IFF_PORTSEL     // can choose the media type
	LinkAutoMedia    LinkFlags = uapi.IFF_AUTOMEDIA   // chooses the media type itself
	LinkDynamic      LinkFlags = uapi.IFF_DYNAMIC     // addresses may change
	LinkLowerUp      LinkFlags = uapi.IFF_LOWER_UP    // the driver says the carrier is up
	LinkDormant      LinkFlags = uapi.IFF_DORMANT     // waiting for an external event
	LinkEcho         LinkFlags = uapi.IFF_ECHO        // echoes the packets it sends
)

// linkFlagNames are the flags in the order ip prints them, RUNNING (which
// ip leaves out) after UP.
var linkFlagNames = [...]struct {
	f    LinkFlags
	name string
}{
	{LinkLoopback, "LOOPBACK"}, {LinkBroadcast, "BROADCAST"}, {LinkPointToPoint, "POINTOPOINT"},
	{LinkMulticast, "MULTICAST"}, {LinkNoARP, "NOARP"}, {LinkAllMulti, "ALLMULTI"},
	{LinkPromisc, "PROMISC"}, {LinkNoTrailers, "NOTRAILERS"}, {LinkDebug, "DEBUG"},
	{LinkDynamic, "DYNAMIC"}, {LinkAutoMedia, "AUTOMEDIA"}, {LinkPortSel, "PORTSEL"},
	{LinkMaster, "MASTER"}, {LinkSlave, "SLAVE"}, {LinkUp, "UP"}, {LinkRunning, "RUNNING"},
	{LinkLowerUp, "LOWER_UP"}, {LinkDormant, "DORMANT"}, {LinkEcho, "ECHO"},
}

// String names the flags set, separated by commas, in the order of `ip
// link`: "BROADCAST,MULTICAST,UP,RUNNING,LOWER_UP". Unknown bits are
// printed in hex; no flags is "0".
func (f LinkFlags) String() string {
	if f == 0 {
		return "0"
	}
	var b strings.Builder
	for _, n := range linkFlagNames {
		if f&n.f != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(n.name)
			f &^= n.f
		}
	}
	if f != 0 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%#x", uint32(f))
	}
	return b.String()
}

// OperState is a link's operational state (IFLA_OPERSTATE, RFC 2863).
type OperState uint8

// The operational states (IF_OPER_* in <linux/if.h>).
const (
	OperUnknown        OperState = 0 // the driver does not say (lo, tun)
	OperNotPresent     OperState = 1 // a component is missing
	OperDown           OperState = 2 // down
	OperLowerLayerDown OperState = 3 // down because a link it runs on is down (a veth whose peer is down)
	OperTesting        OperState = 4 // in test mode
	OperDormant        OperState = 5 // waiting for an external event (802.1X)
	OperUp             OperState = 6 // up and able to pass packets
)

var operStateNames = [...]string{
	"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP",
}

// String names the state as ip does: "UP", "DOWN", "LOWERLAYERDOWN", ...
func (s OperState) String() string {
	if int(s) < len(operStateNames) {
		return operStateNames[s]
	}
	return "OperState(" + strconv.Itoa(int(s)) + ")"
}

// AddrGenMode is how the kernel makes a link's IPv6 link-local address
// (IFLA_INET6_ADDR_GEN_MODE, enum in6_addr_gen_mode).
type AddrGenMode uint8

// The address generation modes.
const (
	AddrGenEUI64         AddrGenMode = 0 // from the hardware address (RFC 4291): the kernel's default
	AddrGenNone          AddrGenMode = 1 // none: no link-local address is made
	AddrGenStablePrivacy AddrGenMode = 2 // stable and opaque (RFC 7217), from the stable_secret sysctl; refused (EINVAL) until it is set
	AddrGenRandom        AddrGenMode = 3 // stable and opaque, from a random secret
)

var addrGenModeNames = [...]string{"eui64", "none", "stable_secret", "random"}

// String names the mode as ip does: "eui64", "none", "stable_secret",
// "random".
func (m AddrGenMode) String() string {
	if int(m) < len(addrGenModeNames) {
		return addrGenModeNames[m]
	}
	return "AddrGenMode(" + strconv.Itoa(int(m)) + ")"
}

// ParseLink reads an RTM_NEWLINK or RTM_DELLINK message: a reply of Links,
// or a notification received on the RTNLGRP_LINK group. Unknown attributes
// are skipped. The link owns its memory: nothing aliases m.
func ParseLink(m netlink.Message) (Link, error) {
	var l Link
	if err := l.decode(&m); err != nil {
		return Link{}, err
	}
	return l, nil
}

// decode reads the link in m into l, which must be the zero Link. It
// allocates only what l keeps: the strings (a known kind costs nothing),
// the hardware addresses, and Data.
func (l *Link) decode(m *netlink.Message) error {
	if m.Header.Type != uapi.RTM_NEWLINK && m.Header.Type != uapi.RTM_DELLINK {
		return fmt.Errorf("rtnetlink: %s is not a link message: %w",
			netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), netlink.ErrMalformed)
	}
	if len(m.Data) < uapi.SizeofIfInfomsg {
		return fmt.Errorf("rtnetlink: %d-byte %s is shorter than struct ifinfomsg: %w",
			len(m.Data), netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type), netlink.ErrMalformed)
	}
	// struct ifinfomsg: family, pad, type, index, flags, change.
	l.HardwareType = binary.NativeEndian.Uint16(m.Data[2:])
	l.Index = int(int32(binary.NativeEndian.Uint32(m.Data[4:])))
	l.Flags = LinkFlags(binary.NativeEndian.Uint32(m.Data[8:]))
	l.LinkNetNSID = -1
	var info, port []byte // IFLA_INFO_DATA and IFLA_INFO_SLAVE_DATA, read once the kinds are known
	var portKind string
	var vfs []byte // IFLA_VFINFO_LIST, read once the address length is known
	// The attributes no field models are gathered here and copied once;
	// a link's are about 1.3 KB (IFLA_AF_SPEC, the statistics).
	var buf [2048]byte
	other := buf[:0]
	d := m.AttrDecoder(uapi.SizeofIfInfomsg)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_IFNAME:
			l.Name = d.String()
		case uapi.IFLA_MTU:
			l.MTU = d.Uint32()
			other = keepZero(other, &d, l.MTU == 0)
		case uapi.IFLA_MIN_MTU:
			l.MinMTU = d.Uint32()
		case uapi.IFLA_MAX_MTU:
			l.MaxMTU = d.Uint32()
		case uapi.IFLA_OPERSTATE:
			l.OperState = OperState(d.Uint8())
		case uapi.IFLA_ADDRESS:
			l.HardwareAddr = cloneAddr(d.Bytes())
		case uapi.IFLA_BROADCAST:
			l.Broadcast = cloneAddr(d.Bytes())
		case uapi.IFLA_MASTER:
			l.MasterIndex = int(int32(d.Uint32()))
		case uapi.IFLA_LINK:
			l.ParentIndex = int(int32(d.Uint32()))
		case uapi.IFLA_LINK_NETNSID:
			l.LinkNetNSID = d.Int32()
		case uapi.IFLA_TXQLEN:
			l.TxQueueLen = d.Uint32()
			other = keepZero(other, &d, l.TxQueueLen == 0)
		case uapi.IFLA_IFALIAS:
			l.Alias = d.String()
		case uapi.IFLA_STATS64:
			l.Stats.decode(d.Bytes())
		case uapi.IFLA_PROMISCUITY:
			l.Promiscuity = d.Uint32()
		case uapi.IFLA_GROUP:
			l.Group = d.Uint32()
		case uapi.IFLA_GSO_MAX_SIZE:
			l.GSOMaxSize = d.Uint32()
		case uapi.IFLA_GSO_MAX_SEGS:
			l.GSOMaxSegs = d.Uint32()
			other = keepZero(other, &d, l.GSOMaxSegs == 0)
		case uapi.IFLA_GRO_MAX_SIZE:
			l.GROMaxSize = d.Uint32()
			other = keepZero(other, &d, l.GROMaxSize == 0)
		case uapi.IFLA_GSO_IPV4_MAX_SIZE:
			l.GSOIPv4MaxSize = d.Uint32()
		case uapi.IFLA_GRO_IPV4_MAX_SIZE:
			l.GROIPv4MaxSize = d.Uint32()
			other = keepZero(other, &d, l.GROIPv4MaxSize == 0)
		case uapi.IFLA_PROTO_DOWN:
			l.ProtoDown = d.Uint8() != 0
		case uapi.IFLA_PROTO_DOWN_REASON:
			nest := d.Enter()
			for d.Next() {
				if d.Type() == uapi.IFLA_PROTO_DOWN_REASON_VALUE {
					l.ProtoDownReason = d.Uint32()
				}
			}
			d.Exit(nest)
		case uapi.IFLA_PROP_LIST:
			nest := d.Enter()
			for d.Next() {
				if d.Type() == uapi.IFLA_ALT_IFNAME {
					l.AltNames = append(l.AltNames, d.String())
				}
			}
			d.Exit(nest)
		case uapi.IFLA_PERM_ADDRESS:
			l.PermHardwareAddr = cloneAddr(d.Bytes())
		case uapi.IFLA_XDP:
			l.XDP.decode(&d)
		case uapi.IFLA_NUM_VF:
			l.NumVF = int(d.Uint32())
		case uapi.IFLA_VFINFO_LIST:
			// What is not an IFLA_VF_INFO stays in Other, in an
			// IFLA_VFINFO_LIST of its own, in its place.
			vfs = d.Bytes()
			var start int
			other, start = openKept(other, &d)
			nest := d.Enter()
			for d.Next() {
				if d.Type() != uapi.IFLA_VF_INFO {
					other = d.Attr().Append(other)
				}
			}
			d.Exit(nest)
			other = closeKept(other, start)
		case uapi.IFLA_AF_SPEC:
			// Modelled in part: the whole stays in Other.
			other = d.Attr().Append(other)
			nest := d.Enter()
			for d.Next() {
				if d.Type() != uapi.AF_INET6 {
					continue
				}
				in6 := d.Enter()
				for d.Next() {
					if d.Type() == uapi.IFLA_INET6_ADDR_GEN_MODE {
						l.AddrGenMode, l.HasAddrGenMode = AddrGenMode(d.Uint8()), true
					}
				}
				d.Exit(in6)
			}
			d.Exit(nest)
		case uapi.IFLA_LINKINFO:
			// What no field models of it (IFLA_INFO_XSTATS, ...) stays
			// in Other, in an IFLA_LINKINFO of its own, in its place.
			var start int
			other, start = openKept(other, &d)
			nest := d.Enter()
			for d.Next() {
				switch d.Type() {
				case uapi.IFLA_INFO_KIND:
					l.Kind = kindString(d.Bytes())
				case uapi.IFLA_INFO_DATA:
					info = d.Bytes()
				case uapi.IFLA_INFO_SLAVE_KIND:
					portKind = kindString(d.Bytes())
				case uapi.IFLA_INFO_SLAVE_DATA:
					port = d.Bytes()
				default:
					other = d.Attr().Append(other)
				}
			}
			d.Exit(nest)
			other = closeKept(other, start)
		default:
			other = d.Attr().Append(other)
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnetlink: link %d: %w", l.Index, err)
	}
	if len(other) > 0 {
		l.Other = RawAttrs(other)
	}
	if vfs != nil {
		var err error
		if l.VFs, err = decodeVFs(vfs, len(l.HardwareAddr)); err != nil {
			return fmt.Errorf("rtnetlink: link %d: virtual functions: %w", l.Index, err)
		}
	}
	if info != nil {
		var err error
		if l.Data, err = decodeLinkData(l.Kind, info); err != nil {
			return fmt.Errorf("rtnetlink: link %d: %s data: %w", l.Index, l.Kind, err)
		}
	}
	if port != nil || portKind != "" {
		var err error
		if l.Port, err = decodePortData(portKind, port); err != nil {
			return fmt.Errorf("rtnetlink: link %d: %s port data: %w", l.Index, portKind, err)
		}
	}
	return nil
}

// newLinkRequest builds the RTM_NEWLINK request that creates l.
func newLinkRequest(l *Link) (*request, error) {
	const req = uapi.RTM_NEWLINK
	kind := l.Kind
	if l.Data != nil {
		if kind != "" && kind != l.Data.Kind() {
			return nil, invalid(req, "Kind %q and %s data disagree", kind, l.Data.Kind())
		}
		kind = l.Data.Kind()
	}
	switch {
	case kind == "":
		return nil, invalid(req, "no kind (set Kind or Data)")
	case l.Alias != "":
		return nil, invalid(req, "the kernel does not set an alias on creation: use SetLinkAlias")
	case l.Index < 0 || l.Index > 1<<31-1:
		return nil, invalid(req, "link index %d is out of range", l.Index)
	case l.MasterIndex < 0 || l.MasterIndex > 1<<31-1 || l.ParentIndex < 0 || l.ParentIndex > 1<<31-1:
		return nil, invalid(req, "master index %d or parent index %d is out of range", l.MasterIndex, l.ParentIndex)
	case l.Port != nil && l.MasterIndex == 0:
		return nil, invalid(req, "%s port settings and no master", l.Port.PortKind())
	}
	if err := checkName(req, "link", l.Name); err != nil {
		return nil, err
	}
	// What CreateLink sets once the link is made is checked now.
	after, err := l.afterCreate(max(l.Index, 1))
	if err != nil {
		return nil, err
	}
	for _, r := range after {
		r.close()
	}
	r := newRequest(req, l.Index, l.Flags, l.Flags)
	r.create = true
	r.String(uapi.IFLA_IFNAME, l.Name)
	if l.MTU != 0 {
		r.Uint32(uapi.IFLA_MTU, l.MTU)
	}
	if len(l.HardwareAddr) > 0 {
		r.Bytes(uapi.IFLA_ADDRESS, l.HardwareAddr)
	}
	if len(l.Broadcast) > 0 {
		r.Bytes(uapi.IFLA_BROADCAST, l.Broadcast)
	}
	if l.TxQueueLen != 0 {
		r.Uint32(uapi.IFLA_TXQLEN, l.TxQueueLen)
	}
	for _, a := range [...]struct {
		typ uint16
		v   uint32
	}{
		{uapi.IFLA_GROUP, l.Group},
		{uapi.IFLA_GSO_MAX_SIZE, l.GSOMaxSize},
		{uapi.IFLA_GSO_MAX_SEGS, l.GSOMaxSegs},
		{uapi.IFLA_GRO_MAX_SIZE, l.GROMaxSize},
		{uapi.IFLA_GSO_IPV4_MAX_SIZE, l.GSOIPv4MaxSize},
		{uapi.IFLA_GRO_IPV4_MAX_SIZE, l.GROIPv4MaxSize},
	} {
		if a.v != 0 {
			r.Uint32(a.typ, a.v)
		}
	}
	if l.MasterIndex != 0 {
		r.Uint32(uapi.IFLA_MASTER, uint32(l.MasterIndex))
	}
	if l.ParentIndex != 0 {
		r.Uint32(uapi.IFLA_LINK, uint32(l.ParentIndex))
	}
	for a, err := range withoutKept(l.Other, l.keptZeros()...).All() {
		if err != nil {
			r.close()
			return nil, invalid(req, "Other: %v", err)
		}
		if linkCreateAttr(a.Type) {
			r.Attr(a)
		}
	}
	info := r.Nest(uapi.IFLA_LINKINFO)
	r.String(uapi.IFLA_INFO_KIND, kind)
	if l.Data != nil {
		data := r.Nest(uapi.IFLA_INFO_DATA)
		if err := l.Data.encode(r); err != nil {
			r.close()
			return nil, err
		}
		r.End(data)
	}
	if l.Port != nil {
		r.String(uapi.IFLA_INFO_SLAVE_KIND, l.Port.PortKind())
		data := r.Nest(uapi.IFLA_INFO_SLAVE_DATA)
		if err := l.Port.encode(r); err != nil {
			r.close()
			return nil, err
		}
		r.End(data)
	}
	r.End(info)
	return r, nil
}

// keptZeros are the attributes Link.decode may keep in Other (keepZero),
// with whether their fields are set now.
func (l *Link) keptZeros() []kept {
	return []kept{
		{uapi.IFLA_MTU, l.MTU != 0},
		{uapi.IFLA_TXQLEN, l.TxQueueLen != 0},
		{uapi.IFLA_GSO_MAX_SEGS, l.GSOMaxSegs != 0},
		{uapi.IFLA_GRO_MAX_SIZE, l.GROMaxSize != 0},
		{uapi.IFLA_GRO_IPV4_MAX_SIZE, l.GROIPv4MaxSize != 0},
	}
}

// linkCreateAttr reports whether an attribute of Link.Other goes back in
// CreateLink's request: those the kernel takes when it creates a link
// (rtnl_create_link) that no field of Link models. The others in a
// listed link are what the kernel alone sets, some of which it refuses
// in a request (IFLA_PERM_ADDRESS, IFLA_TSO_MAX_SIZE, ...).
func linkCreateAttr(typ uint16) bool {
	switch typ {
	case uapi.IFLA_NUM_TX_QUEUES, uapi.IFLA_NUM_RX_QUEUES, uapi.IFLA_LINKMODE:
		return true
	case uapi.IFLA_MTU, uapi.IFLA_TXQLEN, uapi.IFLA_GSO_MAX_SEGS, uapi.IFLA_GRO_MAX_SIZE, uapi.IFLA_GRO_IPV4_MAX_SIZE:
		// In Other only as keepZero keeps them: a 0 the field's own
		// encoding would leave to the kind's default.
		return true
	}
	return false
}

// cloneAddr copies a hardware address out of the message.
func cloneAddr(b []byte) net.HardwareAddr {
	return append(net.HardwareAddr(nil), b...)
}

// dataless are kinds with no data of their own, which kindString returns
// without allocating, as it does the registered kinds.
var dataless = [...]string{"ifb", "dummy", "nlmon", "ipoib", "wireguard", "team"}

// kindString returns IFLA_INFO_KIND's payload as a string, without its NUL;
// registered kinds and those without data come from a table, so reading
// them allocates nothing.
func kindString(b []byte) string {
	if n := len(b); n > 0 && b[n-1] == 0 {
		b = b[:n-1]
	}
	if k, ok := linkKinds[string(b)]; ok {
		return k.name
	}
	if k, ok := portKinds[string(b)]; ok {
		return k.name
	}
	for _, k := range dataless {
		if k == string(b) {
			return k
		}
	}
	return string(b)
}
