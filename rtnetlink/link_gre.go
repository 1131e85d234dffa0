package rtnetlink

import (
	"net/netip"

	"github.com/nlkit/netlink"
)

func init() { registerLinkKind("gre", func() LinkData { return new(GRE) }) }

// The attributes of the GRE tunnels (IFLA_GRE_* in <linux/if_tunnel.h>),
// which x/sys/unix does not define.
const (
	iflaGRELink            = 1
	iflaGREIFlags          = 2
	iflaGREOFlags          = 3
	iflaGREIKey            = 4
	iflaGREOKey            = 5
	iflaGRELocal           = 6
	iflaGRERemote          = 7
	iflaGRETTL             = 8
	iflaGRETOS             = 9
	iflaGREPMTUDisc        = 10
	iflaGREEncapLimit      = 11
	iflaGREFlowInfo        = 12
	iflaGREFlags           = 13
	iflaGREEncapType       = 14 // then ENCAP_FLAGS, ENCAP_SPORT, ENCAP_DPORT
	iflaGRECollectMetadata = 18
	iflaGREIgnoreDF        = 19
	iflaGREFwmark          = 20
)

// GRETunnel is the configuration the GRE tunnels share: GRE and GRETap
// over IPv4, IP6GRE and IP6GRETap over IPv6, each a type of its own with
// these fields.
//
// As ip does, a request carries the whole configuration, zero fields
// included (the kernel takes a missing attribute as zero too, except
// PMTU discovery, which NoPMTUDisc turns off); so to change a tunnel, read
// it, change its Data, and send it back with SetLinkData. An External
// tunnel sends only the fields that are not zero.
type GRETunnel struct {
	Local    netip.Addr // IFLA_GRE_LOCAL: the source address; none if invalid
	Remote   netip.Addr // IFLA_GRE_REMOTE: the destination; none (any) if invalid
	DevIndex int        // IFLA_GRE_LINK: the link the tunnel's packets go out of, 0 if any
	IFlags   GREFlags   // IFLA_GRE_IFLAGS: what received packets carry (GREKey, GRESeq, GRECsum)
	OFlags   GREFlags   // IFLA_GRE_OFLAGS: what sent packets carry
	IKey     uint32     // IFLA_GRE_IKEY: the key received packets carry, with GREKey in IFlags
	OKey     uint32     // IFLA_GRE_OKEY: the key sent packets carry, with GREKey in OFlags
	TTL      uint8      // IFLA_GRE_TTL: the TTL or hop limit of sent packets; 0 inherits the inner packet's (ip's default over IPv6 is 64)
	TOS      uint8      // IFLA_GRE_TOS (IPv4): the TOS of sent packets; 1 inherits the inner packet's
	// NoPMTUDisc turns path MTU discovery off, and so the DF bit
	// (IFLA_GRE_PMTUDISC 0; IPv4 only).
	NoPMTUDisc bool
	IgnoreDF   bool           // IFLA_GRE_IGNORE_DF (IPv4): fragment packets that have DF set; needs NoPMTUDisc
	EncapLimit uint8          // IFLA_GRE_ENCAP_LIMIT (IPv6): the tunnel encapsulation limit option (ip's default is 4)
	FlowInfo   uint32         // IFLA_GRE_FLOWINFO (IPv6): the traffic class and flow label of sent packets, as the IPv6 header's first word
	Flags      IP6TunnelFlags // IFLA_GRE_FLAGS (IPv6)
	Fwmark     uint32         // IFLA_GRE_FWMARK: the mark of sent packets
	Encap      TunnelEncap    // IFLA_GRE_ENCAP_*: UDP encapsulation (ip's default flags over IPv6 are TunnelEncapCsum6)
	// External makes a tunnel whose endpoints come with each packet
	// (IFLA_GRE_COLLECT_METADATA: flow-based, as eBPF and OVS use it).
	External bool
	// Other holds the IFLA_GRE_* attributes the fields above do not model
	// (ERSPAN's), as the kernel sent them; they are sent back unchanged.
	Other RawAttrs
}

// GREFlags are the flags in a GRE header (GRE_* in <linux/if_tunnel.h>,
// as the big-endian u16 they are on the wire).
type GREFlags uint16

// The GRE flags a tunnel sets.
const (
	GRECsum GREFlags = 0x8000 // GRE_CSUM: a checksum (csum)
	GREKey  GREFlags = 0x2000 // GRE_KEY: a key (key)
	GRESeq  GREFlags = 0x1000 // GRE_SEQ: a sequence number (seq)
)

// encode appends t's attributes for a tunnel of the given kind, over IPv6
// if v6.
func (t *GRETunnel) encode(r *request, kind string, v6 bool) error {
	if err := checkTunnelAddrs(r, kind, v6, t.Local, t.Remote); err != nil {
		return err
	}
	if err := checkDevIndex(r, kind, t.DevIndex); err != nil {
		return err
	}
	if t.IgnoreDF && !t.NoPMTUDisc {
		// The kernel's rule: DF cannot be both set and ignored.
		return invalid(r.typ, "%s tunnel: IgnoreDF needs NoPMTUDisc", kind)
	}
	all := kindAttrs{r, !t.External}
	v4only := kindAttrs{r, !t.External && !v6} // what ip sends for gre and gretap
	v6only := kindAttrs{r, !t.External && v6}  // for ip6gre and ip6gretap
	some := kindAttrs{r, false}
	if t.External {
		r.Flag(iflaGRECollectMetadata)
	}
	all.be32(iflaGREIKey, t.IKey)
	all.be32(iflaGREOKey, t.OKey)
	all.be16(iflaGREIFlags, uint16(t.IFlags))
	all.be16(iflaGREOFlags, uint16(t.OFlags))
	all.addr(iflaGRELocal, t.Local)
	all.addr(iflaGRERemote, t.Remote)
	some.u32(iflaGRELink, uint32(t.DevIndex))
	all.u8(iflaGRETTL, t.TTL)
	v4only.u8(iflaGRETOS, t.TOS)
	switch {
	case v4only.always:
		r.Uint8(iflaGREPMTUDisc, boolByte(!t.NoPMTUDisc))
	case t.NoPMTUDisc:
		r.Uint8(iflaGREPMTUDisc, 0)
	}
	some.u8(iflaGREIgnoreDF, boolByte(t.IgnoreDF))
	v6only.u8(iflaGREEncapLimit, t.EncapLimit)
	v6only.be32(iflaGREFlowInfo, t.FlowInfo)
	v6only.u32(iflaGREFlags, uint32(t.Flags))
	all.u32(iflaGREFwmark, t.Fwmark)
	all.encap(iflaGREEncapType, t.Encap)
	return putKindOther(r, t.Other, nil)
}

func (t *GRETunnel) decode(b []byte) error {
	var other []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case iflaGRELink:
			t.DevIndex = int(int32(d.Uint32()))
		case iflaGREIFlags:
			t.IFlags = GREFlags(d.Uint16BE())
		case iflaGREOFlags:
			t.OFlags = GREFlags(d.Uint16BE())
		case iflaGREIKey:
			t.IKey = d.Uint32BE()
		case iflaGREOKey:
			t.OKey = d.Uint32BE()
		case iflaGRELocal:
			t.Local = d.Addr()
		case iflaGRERemote:
			t.Remote = d.Addr()
		case iflaGRETTL:
			t.TTL = d.Uint8()
		case iflaGRETOS:
			t.TOS = d.Uint8()
		case iflaGREPMTUDisc:
			t.NoPMTUDisc = d.Uint8() == 0
		case iflaGREIgnoreDF:
			t.IgnoreDF = d.Uint8() != 0
		case iflaGREEncapLimit:
			t.EncapLimit = d.Uint8()
		case iflaGREFlowInfo:
			t.FlowInfo = d.Uint32BE()
		case iflaGREFlags:
			t.Flags = IP6TunnelFlags(d.Uint32())
		case iflaGREFwmark:
			t.Fwmark = d.Uint32()
		case iflaGRECollectMetadata:
			t.External = d.Flag()
		default:
			if !decodeTunnelEncap(&d, iflaGREEncapType, &t.Encap) {
				other = d.Attr().Append(other)
			}
		}
	}
	t.Other = RawAttrs(other)
	return d.Err()
}

// GRE is a GRE tunnel over IPv4 carrying IP packets (ip link add NAME type
// gre). Its fields are GRETunnel's.
type GRE GRETunnel

// Kind returns "gre".
func (*GRE) Kind() string { return "gre" }

func (t *GRE) encode(r *request) error { return (*GRETunnel)(t).encode(r, "gre", false) }

func (t *GRE) decode(b []byte) error { return (*GRETunnel)(t).decode(b) }
