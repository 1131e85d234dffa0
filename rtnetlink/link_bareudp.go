package rtnetlink

import (
	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("bareudp", func() LinkData { return new(BareUDP) }) }

// BareUDP is a tunnel that carries one protocol, such as MPLS or IP, in
// UDP with no header of its own (ip link add NAME type bareudp dstport P
// ethertype T).
type BareUDP struct {
	Port      uint16 // IFLA_BAREUDP_PORT: the UDP destination port; required
	EtherType uint16 // IFLA_BAREUDP_ETHERTYPE: the protocol carried (0x8847 MPLS unicast, 0x0800 IPv4, ...); required
	// SourcePortMin is the lowest UDP source port (IFLA_BAREUDP_SRCPORT_MIN);
	// 0 is not sent, the kernel's default.
	SourcePortMin uint16
	// MultiProto carries the protocol's relatives too: IPv6 with IPv4,
	// multicast with unicast MPLS (IFLA_BAREUDP_MULTIPROTO_MODE).
	MultiProto bool
	// Other holds the IFLA_BAREUDP_* attributes the fields above do not
	// model, as the kernel sent them; they are sent back unchanged.
	Other RawAttrs
}

// Kind returns "bareudp".
func (*BareUDP) Kind() string { return "bareudp" }

func (u *BareUDP) encode(r *request) error {
	if u.Port == 0 || u.EtherType == 0 {
		return invalid(r.typ, "bareudp needs a port (%d) and an ethertype (%#04x)", u.Port, u.EtherType)
	}
	r.Uint16BE(uapi.IFLA_BAREUDP_PORT, u.Port)
	r.Uint16BE(uapi.IFLA_BAREUDP_ETHERTYPE, u.EtherType)
	if u.SourcePortMin != 0 {
		r.Uint16(uapi.IFLA_BAREUDP_SRCPORT_MIN, u.SourcePortMin)
	}
	if u.MultiProto {
		r.Flag(uapi.IFLA_BAREUDP_MULTIPROTO_MODE)
	}
	return putKindOther(r, u.Other, nil)
}

func (u *BareUDP) decode(b []byte) error {
	var other []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_BAREUDP_PORT:
			u.Port = d.Uint16BE()
		case uapi.IFLA_BAREUDP_ETHERTYPE:
			u.EtherType = d.Uint16BE()
		case uapi.IFLA_BAREUDP_SRCPORT_MIN:
			u.SourcePortMin = d.Uint16()
		case uapi.IFLA_BAREUDP_MULTIPROTO_MODE:
			u.MultiProto = d.Flag()
		default:
			other = d.Attr().Append(other)
		}
	}
	u.Other = RawAttrs(other)
	return d.Err()
}
