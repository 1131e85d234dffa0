package rtnetlink

import (
	"net/netip"

	"github.com/nlkit/netlink"
)

func init() { registerLinkKind("ipip", func() LinkData { return new(IPIP) }) }

// The attributes of the IP-in-IP tunnels ipip, sit and ip6tnl (IFLA_IPTUN_*
// in <linux/if_tunnel.h>), which x/sys/unix does not define.
const (
	iflaIPTunLink              = 1
	iflaIPTunLocal             = 2
	iflaIPTunRemote            = 3
	iflaIPTunTTL               = 4
	iflaIPTunTOS               = 5
	iflaIPTunEncapLimit        = 6
	iflaIPTunFlowInfo          = 7
	iflaIPTunFlags             = 8
	iflaIPTunProto             = 9
	iflaIPTunPMTUDisc          = 10
	iflaIPTun6RDPrefix         = 11
	iflaIPTun6RDRelayPrefix    = 12
	iflaIPTun6RDPrefixLen      = 13
	iflaIPTun6RDRelayPrefixLen = 14
	iflaIPTunEncapType         = 15 // then ENCAP_FLAGS, ENCAP_SPORT, ENCAP_DPORT
	iflaIPTunCollectMetadata   = 19
	iflaIPTunFwmark            = 20

	sitISATAP = 0x1 // SIT_ISATAP, sit's IFLA_IPTUN_FLAGS
)

// IPTunnel is the configuration the IP-in-IP tunnels share: IPIP and SIT
// over IPv4, IP6Tnl over IPv6, each a type of its own with these fields.
//
// As ip does, a request carries the whole configuration, zero fields
// included (the kernel takes a missing attribute as zero too, except
// PMTU discovery, which NoPMTUDisc turns off); so to change a tunnel, read
// it, change its Data, and send it back with SetLinkData. An External
// tunnel sends Proto and the fields that are not zero.
type IPTunnel struct {
	Local    netip.Addr // IFLA_IPTUN_LOCAL: the source address; none if invalid
	Remote   netip.Addr // IFLA_IPTUN_REMOTE: the destination; none (any) if invalid
	DevIndex int        // IFLA_IPTUN_LINK: the link the tunnel's packets go out of, 0 if any
	// Proto is the protocol of the packets carried (IFLA_IPTUN_PROTO):
	// IPPROTO_IPIP (4) for IPv4, IPPROTO_IPV6 (41) for IPv6,
	// IPPROTO_MPLS (137), or 0 for any the kind carries (ip's "mode
	// any", and ip's tunnels made without a mode). It is always sent, 0
	// too: the kernel's own default (IPv4 for ipip, IPv6 for sit), which
	// it takes when the attribute is missing, does not apply.
	Proto      uint8
	TTL        uint8          // IFLA_IPTUN_TTL: the TTL or hop limit of sent packets; 0 inherits the inner packet's (ip's default over IPv6 is 64)
	TOS        uint8          // IFLA_IPTUN_TOS (IPv4): the TOS of sent packets; 1 inherits the inner packet's
	NoPMTUDisc bool           // IFLA_IPTUN_PMTUDISC 0 (IPv4): path MTU discovery, and so the DF bit, off
	EncapLimit uint8          // IFLA_IPTUN_ENCAP_LIMIT (IPv6): the tunnel encapsulation limit option (ip's default is 4)
	FlowInfo   uint32         // IFLA_IPTUN_FLOWINFO (IPv6): traffic class and flow label of sent packets, as the IPv6 header's first word
	Flags      IP6TunnelFlags // IFLA_IPTUN_FLAGS of ip6tnl, a u32
	ISATAP     bool           // IFLA_IPTUN_FLAGS of sit, a u16: SIT_ISATAP, an ISATAP router (RFC 5214)
	Fwmark     uint32         // IFLA_IPTUN_FWMARK: the mark of sent packets
	Encap      TunnelEncap    // IFLA_IPTUN_ENCAP_*: UDP encapsulation (ip's default flags over IPv6 are TunnelEncapCsum6)
	// Prefix6RD is sit's IPv6 rapid deployment prefix (IFLA_IPTUN_6RD_PREFIX
	// and _PREFIXLEN; the kernel's default is 2002::/16, 6to4's), and
	// RelayPrefix6RD the IPv4 prefix of its relays (IFLA_IPTUN_6RD_RELAY_*);
	// each sent when valid.
	Prefix6RD, RelayPrefix6RD netip.Prefix
	// External makes a tunnel whose endpoints come with each packet
	// (IFLA_IPTUN_COLLECT_METADATA: flow-based).
	External bool
	// Other holds the IFLA_IPTUN_* attributes the fields above do not
	// model, as the kernel sent them; they are sent back unchanged.
	Other RawAttrs
}

// encode appends t's attributes for a tunnel of the given kind: "ipip",
// "sit" or "ip6tnl".
func (t *IPTunnel) encode(r *request, kind string) error {
	v6, sit := kind == "ip6tnl", kind == "sit"
	if err := checkTunnelAddrs(r, kind, v6, t.Local, t.Remote); err != nil {
		return err
	}
	if err := checkDevIndex(r, kind, t.DevIndex); err != nil {
		return err
	}
	switch {
	case t.ISATAP && !sit:
		return invalid(r.typ, "%s tunnel: only sit has ISATAP", kind)
	case t.Flags != 0 && sit:
		return invalid(r.typ, "sit tunnel: IPv6 tunnel flags %v are ip6tnl's", t.Flags)
	case (t.Prefix6RD.IsValid() || t.RelayPrefix6RD.IsValid()) && !sit:
		return invalid(r.typ, "%s tunnel: only sit has 6rd prefixes", kind)
	case t.Prefix6RD.IsValid() && !t.Prefix6RD.Addr().Is6(), t.RelayPrefix6RD.IsValid() && !t.RelayPrefix6RD.Addr().Is4():
		return invalid(r.typ, "sit tunnel: 6rd prefix %v must be IPv6, relay prefix %v IPv4", t.Prefix6RD, t.RelayPrefix6RD)
	}
	all := kindAttrs{r, !t.External}
	v4only := kindAttrs{r, !t.External && !v6} // what ip sends for ipip and sit
	v6only := kindAttrs{r, !t.External && v6}  // for ip6tnl
	r.Uint8(iflaIPTunProto, t.Proto)
	if t.External {
		r.Flag(iflaIPTunCollectMetadata)
	}
	all.addr(iflaIPTunLocal, t.Local)
	all.addr(iflaIPTunRemote, t.Remote)
	switch {
	case v4only.always:
		r.Uint8(iflaIPTunPMTUDisc, boolByte(!t.NoPMTUDisc))
	case t.NoPMTUDisc:
		r.Uint8(iflaIPTunPMTUDisc, 0)
	}
	v4only.u8(iflaIPTunTOS, t.TOS)
	all.u8(iflaIPTunTTL, t.TTL)
	v6only.u8(iflaIPTunEncapLimit, t.EncapLimit)
	v6only.be32(iflaIPTunFlowInfo, t.FlowInfo)
	if sit {
		kindAttrs{r, !t.External}.u16(iflaIPTunFlags, uint16(boolByte(t.ISATAP))*sitISATAP)
	} else {
		v6only.u32(iflaIPTunFlags, uint32(t.Flags))
	}
	all.u32(iflaIPTunLink, uint32(t.DevIndex))
	all.u32(iflaIPTunFwmark, t.Fwmark)
	all.encap(iflaIPTunEncapType, t.Encap)
	if p := t.Prefix6RD; p.IsValid() {
		r.Addr(iflaIPTun6RDPrefix, p.Addr())
		r.Uint16(iflaIPTun6RDPrefixLen, uint16(p.Bits()))
	}
	if p := t.RelayPrefix6RD; p.IsValid() {
		r.Addr(iflaIPTun6RDRelayPrefix, p.Addr())
		r.Uint16(iflaIPTun6RDRelayPrefixLen, uint16(p.Bits()))
	}
	return putKindOther(r, t.Other, nil)
}

func (t *IPTunnel) decode(b []byte) error {
	var other []byte
	var prefix, relay netip.Addr
	var prefixLen, relayLen uint16
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case iflaIPTunLink:
			t.DevIndex = int(int32(d.Uint32()))
		case iflaIPTunLocal:
			t.Local = d.Addr()
		case iflaIPTunRemote:
			t.Remote = d.Addr()
		case iflaIPTunTTL:
			t.TTL = d.Uint8()
		case iflaIPTunTOS:
			t.TOS = d.Uint8()
		case iflaIPTunEncapLimit:
			t.EncapLimit = d.Uint8()
		case iflaIPTunFlowInfo:
			t.FlowInfo = d.Uint32BE()
		case iflaIPTunFlags:
			// sit's are a u16, ip6tnl's a u32.
			if len(d.Bytes()) == 2 {
				t.ISATAP = d.Uint16()&sitISATAP != 0
			} else {
				t.Flags = IP6TunnelFlags(d.Uint32())
			}
		case iflaIPTunProto:
			t.Proto = d.Uint8()
		case iflaIPTunPMTUDisc:
			t.NoPMTUDisc = d.Uint8() == 0
		case iflaIPTun6RDPrefix:
			prefix = d.Addr()
		case iflaIPTun6RDRelayPrefix:
			relay = d.Addr()
		case iflaIPTun6RDPrefixLen:
			prefixLen = d.Uint16()
		case iflaIPTun6RDRelayPrefixLen:
			relayLen = d.Uint16()
		case iflaIPTunCollectMetadata:
			t.External = d.Flag()
		case iflaIPTunFwmark:
			t.Fwmark = d.Uint32()
		default:
			if !decodeTunnelEncap(&d, iflaIPTunEncapType, &t.Encap) {
				other = d.Attr().Append(other)
			}
		}
	}
	t.Prefix6RD, t.RelayPrefix6RD = prefixOf(prefix, prefixLen), prefixOf(relay, relayLen)
	t.Other = RawAttrs(other)
	return d.Err()
}

// prefixOf is the prefix of a and bits, or the zero Prefix if a is not
// set or bits is too long for it.
func prefixOf(a netip.Addr, bits uint16) netip.Prefix {
	if !a.IsValid() || int(bits) > a.BitLen() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(a, int(bits))
}

// IPIP is an IPv4 tunnel over IPv4 (ip link add NAME type ipip), carrying
// IPv4 (Proto 4), MPLS (137) or both (0, as ip makes it without a mode).
// Its fields are IPTunnel's.
type IPIP IPTunnel

// Kind returns "ipip".
func (*IPIP) Kind() string { return "ipip" }

func (t *IPIP) encode(r *request) error { return (*IPTunnel)(t).encode(r, "ipip") }

func (t *IPIP) decode(b []byte) error { return (*IPTunnel)(t).decode(b) }
