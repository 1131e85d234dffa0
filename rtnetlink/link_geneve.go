package rtnetlink

import (
	"net/netip"
	"strconv"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("geneve", func() LinkData { return new(Geneve) }) }

// Geneve is a Geneve tunnel endpoint (RFC 8926): Ethernet over UDP, as
// ip link add NAME type geneve makes it.
//
// ID, TTL, TOS and FlowLabel are always sent, as ip sends them; the other
// fields when they are not zero. The kernel does not change Port,
// External, InnerProtoInherit or the checksum options of a tunnel once
// created: leave them zero in SetLinkData, which the kernel refuses
// (EOPNOTSUPP) when they are sent at all.
type Geneve struct {
	ID         uint32     // IFLA_GENEVE_ID: the virtual network identifier, below 1<<24
	Remote     netip.Addr // IFLA_GENEVE_REMOTE or _REMOTE6: the remote endpoint; none if invalid
	TTL        uint8      // IFLA_GENEVE_TTL: the TTL of sent packets; 0 is the route's default
	TTLInherit bool       // IFLA_GENEVE_TTL_INHERIT: the inner packet's TTL (ip's ttl inherit)
	TOS        uint8      // IFLA_GENEVE_TOS: the TOS of sent packets; 1 inherits the inner packet's
	DF         GeneveDF   // IFLA_GENEVE_DF: the DF bit of sent packets; 0 (unset) is not sent
	FlowLabel  uint32     // IFLA_GENEVE_LABEL: the IPv6 flow label of sent packets, below 1<<20
	Port       uint16     // IFLA_GENEVE_PORT: the UDP destination port; 0 is the kernel's default, 6081
	// External makes a tunnel whose endpoints and VNI come with each packet
	// (IFLA_GENEVE_COLLECT_METADATA: flow-based); ID must then be 0.
	External          bool
	InnerProtoInherit bool // IFLA_GENEVE_INNER_PROTO_INHERIT: carry the inner packets' protocol, not Ethernet
	UDPCsum           bool // IFLA_GENEVE_UDP_CSUM: UDP checksums over IPv4
	UDPZeroCsum6Tx    bool // IFLA_GENEVE_UDP_ZERO_CSUM6_TX: no UDP checksum over IPv6 on transmit
	UDPZeroCsum6Rx    bool // IFLA_GENEVE_UDP_ZERO_CSUM6_RX: accept IPv6 packets without a UDP checksum
	// Other holds the IFLA_GENEVE_* attributes the fields above do not
	// model, as the kernel sent them; they are sent back unchanged.
	Other RawAttrs
}

// GeneveDF is what a Geneve tunnel puts in its packets' DF bit (enum
// ifla_geneve_df).
type GeneveDF uint8

// The DF settings.
const (
	GeneveDFUnset   GeneveDF = 0 // GENEVE_DF_UNSET: not set (the default)
	GeneveDFSet     GeneveDF = 1 // GENEVE_DF_SET: set
	GeneveDFInherit GeneveDF = 2 // GENEVE_DF_INHERIT: the inner IPv4 packet's, set for IPv6
)

// String names the setting as ip does: "unset", "set", "inherit".
func (df GeneveDF) String() string {
	if names := [...]string{"unset", "set", "inherit"}; int(df) < len(names) {
		return names[df]
	}
	return "GeneveDF(" + strconv.Itoa(int(df)) + ")"
}

// Kind returns "geneve".
func (*Geneve) Kind() string { return "geneve" }

func (g *Geneve) encode(r *request) error {
	switch {
	case g.ID >= 1<<24:
		return invalid(r.typ, "geneve id %d is not below 1<<24", g.ID)
	case g.FlowLabel >= 1<<20:
		return invalid(r.typ, "geneve flow label %#x is not below 1<<20", g.FlowLabel)
	case g.DF > GeneveDFInherit:
		return invalid(r.typ, "geneve df %v is unknown", g.DF)
	case g.External && g.ID != 0:
		return invalid(r.typ, "an external geneve tunnel has no id (%d)", g.ID)
	}
	r.Uint32(uapi.IFLA_GENEVE_ID, g.ID)
	if g.Remote.IsValid() {
		r.Addr(family(g.Remote, uapi.IFLA_GENEVE_REMOTE, uapi.IFLA_GENEVE_REMOTE6), g.Remote)
	}
	r.Uint32BE(uapi.IFLA_GENEVE_LABEL, g.FlowLabel)
	r.Uint8(uapi.IFLA_GENEVE_TTL, g.TTL)
	r.Uint8(uapi.IFLA_GENEVE_TOS, g.TOS)
	some := kindAttrs{r, false}
	some.be16(uapi.IFLA_GENEVE_PORT, g.Port)
	some.u8(uapi.IFLA_GENEVE_DF, uint8(g.DF))
	some.u8(uapi.IFLA_GENEVE_TTL_INHERIT, boolByte(g.TTLInherit))
	if g.External {
		r.Flag(uapi.IFLA_GENEVE_COLLECT_METADATA)
	}
	if g.InnerProtoInherit {
		r.Flag(uapi.IFLA_GENEVE_INNER_PROTO_INHERIT)
	}
	some.u8(uapi.IFLA_GENEVE_UDP_CSUM, boolByte(g.UDPCsum))
	some.u8(uapi.IFLA_GENEVE_UDP_ZERO_CSUM6_TX, boolByte(g.UDPZeroCsum6Tx))
	some.u8(uapi.IFLA_GENEVE_UDP_ZERO_CSUM6_RX, boolByte(g.UDPZeroCsum6Rx))
	return putKindOther(r, g.Other, nil)
}

func (g *Geneve) decode(b []byte) error {
	var other []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_GENEVE_ID:
			g.ID = d.Uint32()
		case uapi.IFLA_GENEVE_REMOTE, uapi.IFLA_GENEVE_REMOTE6:
			g.Remote = d.Addr()
		case uapi.IFLA_GENEVE_TTL:
			g.TTL = d.Uint8()
		case uapi.IFLA_GENEVE_TTL_INHERIT:
			g.TTLInherit = d.Uint8() != 0
		case uapi.IFLA_GENEVE_TOS:
			g.TOS = d.Uint8()
		case uapi.IFLA_GENEVE_DF:
			g.DF = GeneveDF(d.Uint8())
		case uapi.IFLA_GENEVE_LABEL:
			g.FlowLabel = d.Uint32BE()
		case uapi.IFLA_GENEVE_PORT:
			g.Port = d.Uint16BE()
		case uapi.IFLA_GENEVE_COLLECT_METADATA:
			g.External = d.Flag()
		case uapi.IFLA_GENEVE_INNER_PROTO_INHERIT:
			g.InnerProtoInherit = d.Flag()
		case uapi.IFLA_GENEVE_UDP_CSUM:
			g.UDPCsum = d.Uint8() != 0
		case uapi.IFLA_GENEVE_UDP_ZERO_CSUM6_TX:
			g.UDPZeroCsum6Tx = d.Uint8() != 0
		case uapi.IFLA_GENEVE_UDP_ZERO_CSUM6_RX:
			g.UDPZeroCsum6Rx = d.Uint8() != 0
		default:
			other = d.Attr().Append(other)
		}
	}
	g.Other = RawAttrs(other)
	return d.Err()
}
