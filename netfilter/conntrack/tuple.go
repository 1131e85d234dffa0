package conntrack

import (
	"fmt"
	"net/netip"

	"github.com/nlkit/netlink"
)

// Tuple is one direction of a connection, as the kernel tracks it
// (CTA_TUPLE_ORIG, CTA_TUPLE_REPLY, CTA_TUPLE_MASTER): the addresses, the
// layer 4 protocol and what identifies the connection within it (ports,
// or ICMP's type, code and identifier), and the direction's zone.
//
// Tuple is a small comparable value.
type Tuple struct {
	Src, Dst netip.Addr // CTA_IP_V4_SRC/DST or CTA_IP_V6_SRC/DST
	Proto    uint8      // CTA_PROTO_NUM: unix.IPPROTO_TCP, ...
	// SrcPort and DstPort are the ports of TCP, UDP, UDP-Lite, SCTP and
	// DCCP, or GRE's keys (PPTP's call IDs; 0 for other GRE traffic)
	// (CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT).
	SrcPort, DstPort uint16
	// ICMPType, ICMPCode and ICMPID are those of an ICMP or ICMPv6 echo
	// or other query (CTA_PROTO_ICMP_* or CTA_PROTO_ICMPV6_*).
	ICMPType, ICMPCode uint8
	ICMPID             uint16
	// Zone is the direction's zone (CTA_TUPLE_ZONE), when HasZone: an
	// entry whose zone applies to one direction only.
	Zone    uint16
	HasZone bool
	// ProtoExtra holds the attributes of the layer 4 part this type does
	// not decode (a GRE key, ...), as the kernel sent them.
	ProtoExtra string
}

// String prints the tuple as conntrack does: "src=198.18.0.1
// dst=198.18.0.2 sport=1000 dport=80", or for GRE "srckey=0x1
// dstkey=0x2".
func (t Tuple) String() string {
	s := fmt.Sprintf("src=%s dst=%s", t.Src, t.Dst)
	switch t.Proto {
	case protoICMP, protoICMPv6:
		s += fmt.Sprintf(" type=%d code=%d id=%d", t.ICMPType, t.ICMPCode, t.ICMPID)
	case protoTCP, protoUDP, protoUDPLite, protoSCTP, protoDCCP:
		s += fmt.Sprintf(" sport=%d dport=%d", t.SrcPort, t.DstPort)
	case protoGRE:
		s += fmt.Sprintf(" srckey=%#x dstkey=%#x", t.SrcPort, t.DstPort)
	}
	return s
}

// hasPorts reports whether proto's tuples have ports (GRE: keys), which
// the kernel needs in every tuple of that protocol it is sent.
func hasPorts(proto uint8) bool {
	switch proto {
	case protoTCP, protoUDP, protoUDPLite, protoSCTP, protoDCCP, protoGRE:
		return true
	}
	return false
}

// decodeTuple decodes the tuple nested in d's current attribute.
func decodeTuple(d *netlink.AttrDecoder, t *Tuple) {
	*t = Tuple{}
	outer := d.Enter()
	for d.Next() {
		switch d.Type() {
		case ctaTupleIP:
			ip := d.Enter()
			for d.Next() {
				switch d.Type() {
				case ctaIPv4Src, ctaIPv6Src:
					t.Src = d.Addr()
				case ctaIPv4Dst, ctaIPv6Dst:
					t.Dst = d.Addr()
				}
			}
			d.Exit(ip)
		case ctaTupleProto:
			decodeProto(d, t)
		case ctaTupleZone:
			t.Zone, t.HasZone = d.Uint16BE(), true
		}
	}
	d.Exit(outer)
}

func decodeProto(d *netlink.AttrDecoder, t *Tuple) {
	var extra []byte
	p := d.Enter()
	for d.Next() {
		switch d.Type() {
		case ctaProtoNum:
			t.Proto = d.Uint8()
		case ctaProtoSrcPort:
			t.SrcPort = d.Uint16BE()
		case ctaProtoDstPort:
			t.DstPort = d.Uint16BE()
		case ctaProtoICMPID, ctaProtoICMPv6ID:
			t.ICMPID = d.Uint16BE()
		case ctaProtoICMPType, ctaProtoICMPv6Type:
			t.ICMPType = d.Uint8()
		case ctaProtoICMPCode, ctaProtoICMPv6Code:
			t.ICMPCode = d.Uint8()
		default:
			extra = appendRaw(extra, d)
		}
	}
	d.Exit(p)
	if len(extra) > 0 {
		t.ProtoExtra = string(extra)
	}
}

// encodeTuple appends t as the nested attribute typ.
func encodeTuple(e *netlink.AttrEncoder, typ uint16, t *Tuple) {
	n := e.Nest(typ)
	ip := e.Nest(ctaTupleIP)
	if t.Src.Is4() || t.Dst.Is4() {
		if t.Src.IsValid() {
			e.Addr(ctaIPv4Src, t.Src)
		}
		if t.Dst.IsValid() {
			e.Addr(ctaIPv4Dst, t.Dst)
		}
	} else {
		if t.Src.IsValid() {
			e.Addr(ctaIPv6Src, t.Src)
		}
		if t.Dst.IsValid() {
			e.Addr(ctaIPv6Dst, t.Dst)
		}
	}
	e.End(ip)
	p := e.Nest(ctaTupleProto)
	e.Uint8(ctaProtoNum, t.Proto)
	if hasPorts(t.Proto) || t.SrcPort != 0 || t.DstPort != 0 {
		e.Uint16BE(ctaProtoSrcPort, t.SrcPort)
		e.Uint16BE(ctaProtoDstPort, t.DstPort)
	}
	if t.Proto == protoICMP || t.Proto == protoICMPv6 || t.ICMPID != 0 || t.ICMPType != 0 || t.ICMPCode != 0 {
		id, typ, code := uint16(ctaProtoICMPID), uint16(ctaProtoICMPType), uint16(ctaProtoICMPCode)
		if t.Proto == protoICMPv6 {
			id, typ, code = ctaProtoICMPv6ID, ctaProtoICMPv6Type, ctaProtoICMPv6Code
		}
		e.Uint16BE(id, t.ICMPID)
		e.Uint8(typ, t.ICMPType)
		e.Uint8(code, t.ICMPCode)
	}
	e.Raw([]byte(t.ProtoExtra))
	e.End(p)
	if t.HasZone {
		e.Uint16BE(ctaTupleZone, t.Zone)
	}
	e.End(n)
}

// family returns the address family of t's addresses: AF_INET, AF_INET6,
// or 0 when it has none.
func (t *Tuple) family() uint8 {
	switch {
	case t.Src.Is4() || t.Dst.Is4():
		return afInet
	case t.Src.Is6() || t.Dst.Is6():
		return afInet6
	}
	return 0
}

// The address families (AF_INET, AF_INET6), which are also NFPROTO_IPV4
// and NFPROTO_IPV6.
const (
	afInet  = 2
	afInet6 = 10
)

// appendRaw appends the decoder's current attribute to b as it came:
// its header with the type's flags, its payload and its padding.
func appendRaw(b []byte, d *netlink.AttrDecoder) []byte {
	return d.Attr().Append(b)
}
