package tc

import (
	"encoding/binary"
	"math/bits"
	"net/netip"

	"github.com/nlkit/netlink"
)

// The flower attributes this package models (TCA_FLOWER_*,
// linux/pkt_cls.h).
const (
	flowerClassID    = 1  // TCA_FLOWER_CLASSID
	flowerAct        = 3  // TCA_FLOWER_ACT
	flowerEthType    = 8  // TCA_FLOWER_KEY_ETH_TYPE, be16
	flowerIPProto    = 9  // TCA_FLOWER_KEY_IP_PROTO
	flowerIPv4Src    = 10 // TCA_FLOWER_KEY_IPV4_SRC, and its mask after it
	flowerIPv4Dst    = 12 // TCA_FLOWER_KEY_IPV4_DST
	flowerIPv6Src    = 14 // TCA_FLOWER_KEY_IPV6_SRC
	flowerIPv6Dst    = 16 // TCA_FLOWER_KEY_IPV6_DST
	flowerTCPSrc     = 18 // TCA_FLOWER_KEY_TCP_SRC, be16
	flowerTCPDst     = 19 // TCA_FLOWER_KEY_TCP_DST
	flowerUDPSrc     = 20 // TCA_FLOWER_KEY_UDP_SRC
	flowerUDPDst     = 21 // TCA_FLOWER_KEY_UDP_DST
	flowerFlags      = 22 // TCA_FLOWER_FLAGS
	flowerVLANID     = 23 // TCA_FLOWER_KEY_VLAN_ID
	flowerTCPSrcMask = 35 // TCA_FLOWER_KEY_TCP_SRC_MASK
	flowerTCPDstMask = 36 // TCA_FLOWER_KEY_TCP_DST_MASK
	flowerUDPSrcMask = 37 // TCA_FLOWER_KEY_UDP_SRC_MASK
	flowerUDPDstMask = 38 // TCA_FLOWER_KEY_UDP_DST_MASK
	flowerInHWCount  = 86 // TCA_FLOWER_IN_HW_COUNT
	ipProtoTCP       = 6
	ipProtoUDP       = 17
)

// Flower is the options of a flower filter: a match on the packet's
// flow keys. The common keys have fields; the others (MAC addresses,
// tunnel keys, ICMP, ARP, MPLS, connection tracking, ...) are in Other,
// sent back as they came.
type Flower struct {
	ClassID Handle // TCA_FLOWER_CLASSID
	// EthType is TCA_FLOWER_KEY_ETH_TYPE (host order, ProtoIP, ...):
	// tc sends the filter's protocol here.
	EthType uint16
	// IPProto is TCA_FLOWER_KEY_IP_PROTO: 6 (TCP), 17 (UDP), ...
	IPProto uint8
	// Src and Dst are the addresses with their masks
	// (TCA_FLOWER_KEY_IPV4_SRC and _MASK, or the IPv6 ones).
	Src, Dst netip.Prefix
	// SrcPort and DstPort are the TCP or UDP ports (as IPProto says),
	// matched under their masks; a zero mask sends none (all bits).
	SrcPort, DstPort         uint16
	SrcPortMask, DstPortMask uint16
	VLANID                   uint16 // TCA_FLOWER_KEY_VLAN_ID
	// IPProto, SrcPort, DstPort and VLANID are matched when not 0, or
	// when the HasX beside them is set: then 0 is matched too (vlan_id 0,
	// a priority-tagged frame). Decoding sets HasX for each key the
	// kernel reports.
	HasIPProto, HasSrcPort, HasDstPort, HasVLANID bool

	Flags   uint32   // TCA_FLOWER_FLAGS: FlagSkipHW, FlagSkipSW
	Actions []Action // TCA_FLOWER_ACT
	Other   RawAttrs
}

func init() { registerFilter("flower", func() Options { return new(Flower) }) }

// Kind returns "flower".
func (*Flower) Kind() string { return "flower" }

func (f *Flower) encode(e *netlink.AttrEncoder) error {
	if (f.SrcPort != 0 || f.HasSrcPort || f.DstPort != 0 || f.HasDstPort) && f.IPProto != ipProtoTCP && f.IPProto != ipProtoUDP {
		return badf("flower: ports need IPProto 6 (TCP) or 17 (UDP), not %d", f.IPProto)
	}
	for _, p := range []netip.Prefix{f.Src, f.Dst} {
		if p.IsValid() && f.EthType != ProtoIP && p.Addr().Is4() || p.IsValid() && f.EthType != ProtoIPv6 && p.Addr().Is6() {
			return badf("flower: address %s needs EthType %#04x", p, map[bool]int{true: ProtoIP, false: ProtoIPv6}[p.Addr().Is4()])
		}
	}
	n := e.Nest(tcaOptions)
	if f.ClassID != HandleUnspec {
		e.Uint32(flowerClassID, uint32(f.ClassID))
	}
	if err := putActions(e, flowerAct, f.Actions, true); err != nil {
		return err
	}
	ethType := f.EthType
	if (f.VLANID != 0 || f.HasVLANID) && ethType != Proto8021Q && ethType != Proto8021AD {
		// The kernel reads VLAN keys only under a VLAN protocol, and
		// reports the inner one (also in TCA_FLOWER_KEY_VLAN_ETH_TYPE,
		// kept in Other).
		ethType = Proto8021Q
	}
	if ethType != 0 {
		e.Uint16BE(flowerEthType, ethType)
	}
	if f.IPProto != 0 || f.HasIPProto {
		e.Uint8(flowerIPProto, f.IPProto)
	}
	putPrefix(e, f.Src, flowerIPv4Src, flowerIPv6Src)
	putPrefix(e, f.Dst, flowerIPv4Dst, flowerIPv6Dst)
	src, dst, srcMask, dstMask := uint16(flowerTCPSrc), uint16(flowerTCPDst), uint16(flowerTCPSrcMask), uint16(flowerTCPDstMask)
	if f.IPProto == ipProtoUDP {
		src, dst, srcMask, dstMask = flowerUDPSrc, flowerUDPDst, flowerUDPSrcMask, flowerUDPDstMask
	}
	putPort(e, f.SrcPort, f.SrcPortMask, f.HasSrcPort, src, srcMask)
	putPort(e, f.DstPort, f.DstPortMask, f.HasDstPort, dst, dstMask)
	if f.VLANID != 0 || f.HasVLANID {
		e.Uint16(flowerVLANID, f.VLANID)
	}
	e.Uint32(flowerFlags, f.Flags&flagsSettable)
	if err := putOther(e, f.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func putPrefix(e *netlink.AttrEncoder, p netip.Prefix, v4, v6 uint16) {
	if !p.IsValid() {
		return
	}
	typ, size := v4, 4
	if p.Addr().Is6() {
		typ, size = v6, 16
	}
	e.Addr(typ, p.Masked().Addr())
	mask := make([]byte, size)
	for i := range p.Bits() {
		mask[i/8] |= 0x80 >> (i % 8)
	}
	e.Bytes(typ+1, mask)
}

func putPort(e *netlink.AttrEncoder, port, mask uint16, has bool, typ, maskTyp uint16) {
	if port == 0 && !has {
		return
	}
	e.Uint16BE(typ, port)
	if mask == 0 {
		mask = 0xffff
	}
	e.Uint16BE(maskTyp, mask)
}

func (f *Flower) decode(b []byte) error {
	var rest []byte
	var addrs [4]netip.Addr // src, src mask, dst, dst mask
	var masks [4]netlink.Attr
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch t := d.Type(); t {
		case flowerClassID:
			f.ClassID = Handle(d.Uint32())
		case flowerAct:
			acts, err := decodeActions(d.Bytes())
			if err != nil {
				return err
			}
			f.Actions = acts
		case flowerEthType:
			f.EthType = d.Uint16BE()
		case flowerIPProto:
			f.IPProto, f.HasIPProto = d.Uint8(), true
		case flowerIPv4Src, flowerIPv4Src + 1, flowerIPv4Dst, flowerIPv4Dst + 1,
			flowerIPv6Src, flowerIPv6Src + 1, flowerIPv6Dst, flowerIPv6Dst + 1:
			i := (t - flowerIPv4Src) % 4
			addrs[i], masks[i] = d.Addr(), d.Attr()
		case flowerTCPSrc, flowerUDPSrc:
			f.SrcPort, f.HasSrcPort = d.Uint16BE(), true
		case flowerTCPDst, flowerUDPDst:
			f.DstPort, f.HasDstPort = d.Uint16BE(), true
		case flowerTCPSrcMask, flowerUDPSrcMask:
			f.SrcPortMask = d.Uint16BE()
		case flowerTCPDstMask, flowerUDPDstMask:
			f.DstPortMask = d.Uint16BE()
		case flowerVLANID:
			f.VLANID, f.HasVLANID = d.Uint16(), true
		case flowerFlags:
			f.Flags = d.Uint32()
		case flowerInHWCount:
		default:
			rest = d.Attr().Append(rest)
		}
	}
	if f.SrcPortMask == 0xffff {
		f.SrcPortMask = 0
	}
	if f.DstPortMask == 0xffff {
		f.DstPortMask = 0
	}
	for i, p := range []*netip.Prefix{&f.Src, &f.Dst} {
		a, m := addrs[2*i], addrs[2*i+1]
		if !a.IsValid() {
			continue
		}
		bitsSet, ok := prefixLen(m.AsSlice())
		if !m.IsValid() {
			bitsSet, ok = a.BitLen(), true
		}
		if ok {
			*p = netip.PrefixFrom(a, bitsSet)
		} else {
			// A mask that is no prefix: kept as it came.
			rest = netlink.Attr{Type: flowerTypeOf(a, i), Data: a.AsSlice()}.Append(rest)
			rest = masks[2*i+1].Append(rest)
		}
	}
	f.Other = RawAttrs(rest)
	return d.Err()
}

// flowerTypeOf returns the address attribute of a: source (i 0) or
// destination, IPv4 or IPv6.
func flowerTypeOf(a netip.Addr, i int) uint16 {
	base := uint16(flowerIPv4Src)
	if a.Is6() {
		base = flowerIPv6Src
	}
	return base + uint16(2*i)
}

// prefixLen returns the length of mask's prefix, and whether it is one.
func prefixLen(mask []byte) (int, bool) {
	n := 0
	for i := 0; i < len(mask); i += 4 {
		var w uint32
		if len(mask)-i >= 4 {
			w = binary.BigEndian.Uint32(mask[i:])
		}
		ones := bits.LeadingZeros32(^w)
		n += ones
		if ones < 32 {
			if w<<ones != 0 {
				return 0, false
			}
			for _, b := range mask[i+4:] {
				if b != 0 {
					return 0, false
				}
			}
			return n, true
		}
	}
	return n, true
}
