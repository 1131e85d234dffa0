package rtnetlink

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/netlink"
)

// What the IP tunnels share (link_gre.go, link_ipip.go, link_vti.go and
// the kinds beside them): the UDP encapsulation of their packets, and the
// flags of the tunnels over IPv6.

// TunnelEncap is a tunnel's UDP encapsulation, Foo-over-UDP or
// Generic UDP Encapsulation (IFLA_GRE_ENCAP_* and IFLA_IPTUN_ENCAP_*,
// ip's encap options).
type TunnelEncap struct {
	Type       TunnelEncapType  // ENCAP_TYPE: none (0), FOU or GUE
	Flags      TunnelEncapFlags // ENCAP_FLAGS
	SourcePort uint16           // ENCAP_SPORT: 0 lets the kernel choose per flow ("auto")
	DestPort   uint16           // ENCAP_DPORT
}

// TunnelEncapType is how a tunnel's packets are put in UDP (enum
// tunnel_encap_types in <linux/if_tunnel.h>).
type TunnelEncapType uint16

// The encapsulations.
const (
	TunnelEncapNone TunnelEncapType = 0 // TUNNEL_ENCAP_NONE: plain IP
	TunnelEncapFOU  TunnelEncapType = 1 // TUNNEL_ENCAP_FOU: Foo-over-UDP
	TunnelEncapGUE  TunnelEncapType = 2 // TUNNEL_ENCAP_GUE: Generic UDP Encapsulation
	TunnelEncapMPLS TunnelEncapType = 3 // TUNNEL_ENCAP_MPLS
)

// String names the type as ip does: "none", "fou", "gue", "mpls".
func (t TunnelEncapType) String() string {
	if names := [...]string{"none", "fou", "gue", "mpls"}; int(t) < len(names) {
		return names[t]
	}
	return "TunnelEncapType(" + strconv.Itoa(int(t)) + ")"
}

// TunnelEncapFlags are a tunnel's UDP checksum options
// (TUNNEL_ENCAP_FLAG_* in <linux/if_tunnel.h>).
type TunnelEncapFlags uint16

// The encapsulation flags.
const (
	TunnelEncapCsum    TunnelEncapFlags = 1 << 0 // TUNNEL_ENCAP_FLAG_CSUM: UDP checksums over IPv4 (encap-csum)
	TunnelEncapCsum6   TunnelEncapFlags = 1 << 1 // TUNNEL_ENCAP_FLAG_CSUM6: UDP checksums over IPv6 (encap-udp6-csum; ip's default for ip6 tunnels)
	TunnelEncapRemCsum TunnelEncapFlags = 1 << 2 // TUNNEL_ENCAP_FLAG_REMCSUM: remote checksum offload (encap-remcsum)
)

// IP6TunnelFlags are the options of a tunnel over IPv6 (IFLA_GRE_FLAGS,
// IFLA_IPTUN_FLAGS of ip6tnl; IP6_TNL_F_* in <linux/ip6_tunnel.h>).
type IP6TunnelFlags uint32

// The IPv6 tunnel flags.
const (
	IP6TunnelIgnoreEncapLimit IP6TunnelFlags = 0x1  // IP6_TNL_F_IGN_ENCAP_LIMIT: no encapsulation limit option (encaplimit none)
	IP6TunnelUseOrigTClass    IP6TunnelFlags = 0x2  // IP6_TNL_F_USE_ORIG_TCLASS: the inner packet's traffic class (tclass inherit)
	IP6TunnelUseOrigFlowLabel IP6TunnelFlags = 0x4  // IP6_TNL_F_USE_ORIG_FLOWLABEL: the inner packet's flow label (flowlabel inherit)
	IP6TunnelMIP6Dev          IP6TunnelFlags = 0x8  // IP6_TNL_F_MIP6_DEV: a Mobile IPv6 device
	IP6TunnelRcvDSCPCopy      IP6TunnelFlags = 0x10 // IP6_TNL_F_RCV_DSCP_COPY: copy the DSCP to the inner packet on receive
	IP6TunnelUseOrigFwmark    IP6TunnelFlags = 0x20 // IP6_TNL_F_USE_ORIG_FWMARK: the inner packet's mark (fwmark inherit)
	IP6TunnelAllowLocalRemote IP6TunnelFlags = 0x40 // IP6_TNL_F_ALLOW_LOCAL_REMOTE: a remote address on this host

	// What the tunnel can do with its endpoints, which the kernel works
	// out and reports (IP6_TNL_F_CAP_* in the kernel's own
	// <net/ip6_tunnel.h>, not in its uapi; ip6tnl and the ip6gre kinds
	// report them): on creating or changing a tunnel it replaces
	// whatever a request carried in these bits with its own, so a listed
	// tunnel sent back as it came changes nothing. IP6TunnelCapabilities
	// has them all.
	IP6TunnelCapXmit      IP6TunnelFlags = 0x10000 // IP6_TNL_F_CAP_XMIT: both endpoints set, the local one unicast: it sends
	IP6TunnelCapRcv       IP6TunnelFlags = 0x20000 // IP6_TNL_F_CAP_RCV: both endpoints set, the remote one unicast: it receives
	IP6TunnelCapPerPacket IP6TunnelFlags = 0x40000 // IP6_TNL_F_CAP_PER_PACKET: an endpoint left any: it decides per packet

	IP6TunnelCapabilities = IP6TunnelCapXmit | IP6TunnelCapRcv | IP6TunnelCapPerPacket
)

// ip6TunnelFlagNames names the flags by bit: the options from bit 0, the
// capabilities from bit 16.
var ip6TunnelFlagNames = [...]string{
	0: "ign_encap_limit", 1: "use_orig_tclass", 2: "use_orig_flowlabel", 3: "mip6_dev",
	4: "rcv_dscp_copy", 5: "use_orig_fwmark", 6: "allow_localremote",
	16: "cap_xmit", 17: "cap_rcv", 18: "cap_per_packet",
}

// String names the flags set, separated by commas, in the kernel's words
// without their IP6_TNL_F_ prefix: "ign_encap_limit,use_orig_tclass",
// "rcv_dscp_copy,cap_xmit,cap_rcv"; unknown bits in hex, no flags "0".
func (f IP6TunnelFlags) String() string {
	if f == 0 {
		return "0"
	}
	var s []string
	for i, n := range ip6TunnelFlagNames {
		if n != "" && f&(1<<i) != 0 {
			s = append(s, n)
			f &^= 1 << i
		}
	}
	if f != 0 {
		s = append(s, "0x"+strconv.FormatUint(uint64(f), 16))
	}
	return strings.Join(s, ",")
}

// kindAttrs appends a kind's attributes: each sent when always is set
// (as ip sends a tunnel's whole configuration), or when it is not zero.
type kindAttrs struct {
	r      *request
	always bool
}

func (t kindAttrs) u8(typ uint16, v uint8) {
	if t.always || v != 0 {
		t.r.Uint8(typ, v)
	}
}

func (t kindAttrs) u16(typ uint16, v uint16) {
	if t.always || v != 0 {
		t.r.Uint16(typ, v)
	}
}

func (t kindAttrs) be16(typ uint16, v uint16) {
	if t.always || v != 0 {
		t.r.Uint16BE(typ, v)
	}
}

func (t kindAttrs) u32(typ uint16, v uint32) {
	if t.always || v != 0 {
		t.r.Uint32(typ, v)
	}
}

func (t kindAttrs) be32(typ uint16, v uint32) {
	if t.always || v != 0 {
		t.r.Uint32BE(typ, v)
	}
}

// addr appends a when it is set, as ip does.
func (t kindAttrs) addr(typ uint16, a netip.Addr) {
	if a.IsValid() {
		t.r.Addr(typ, a)
	}
}

// encap appends e's four attributes, numbered from typ (ENCAP_TYPE,
// ENCAP_FLAGS, ENCAP_SPORT, ENCAP_DPORT follow each other in both enums).
func (t kindAttrs) encap(typ uint16, e TunnelEncap) {
	t.u16(typ, uint16(e.Type))
	t.u16(typ+1, uint16(e.Flags))
	t.be16(typ+2, e.SourcePort)
	t.be16(typ+3, e.DestPort)
}

// decodeTunnelEncap reads the decoder's attribute into e if it is one of the
// four numbered from typ, as encap appends them, and reports whether it
// was.
func decodeTunnelEncap(d *netlink.AttrDecoder, typ uint16, e *TunnelEncap) bool {
	switch d.Type() {
	case typ:
		e.Type = TunnelEncapType(d.Uint16())
	case typ + 1:
		e.Flags = TunnelEncapFlags(d.Uint16())
	case typ + 2:
		e.SourcePort = d.Uint16BE()
	case typ + 3:
		e.DestPort = d.Uint16BE()
	default:
		return false
	}
	return true
}

// checkTunnelAddrs checks that a tunnel's addresses are of its family.
func checkTunnelAddrs(r *request, kind string, v6 bool, addrs ...netip.Addr) error {
	for _, a := range addrs {
		if a.IsValid() && a.Is4() == v6 {
			return invalid(r.typ, "%s tunnel address %v is not an IPv%c address", kind, a, map[bool]byte{false: '4', true: '6'}[v6])
		}
	}
	return nil
}

// checkDevIndex checks a tunnel's lower link index.
func checkDevIndex(r *request, kind string, index int) error {
	if index < 0 || index > 1<<31-1 {
		return invalid(r.typ, "%s link index %d is out of range", kind, index)
	}
	return nil
}
