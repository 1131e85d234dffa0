package rtnetlink

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"strconv"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// EncapType is the type of a lightweight tunnel encapsulation
// (RTA_ENCAP_TYPE: enum lwtunnel_encap_types).
type EncapType uint16

// Encapsulation types from <linux/lwtunnel.h>.
const (
	EncapMPLS      EncapType = uapi.LWTUNNEL_ENCAP_MPLS       // push MPLS labels (MPLSEncap)
	EncapIP        EncapType = uapi.LWTUNNEL_ENCAP_IP         // IPv4 tunnel metadata for a collect-metadata device (IPEncap)
	EncapILA       EncapType = uapi.LWTUNNEL_ENCAP_ILA        // identifier-locator addressing
	EncapIP6       EncapType = uapi.LWTUNNEL_ENCAP_IP6        // IPv6 tunnel metadata (IPEncap with IPv6 addresses)
	EncapSeg6      EncapType = uapi.LWTUNNEL_ENCAP_SEG6       // push an IPv6 segment routing header (Seg6Encap)
	EncapBPF       EncapType = uapi.LWTUNNEL_ENCAP_BPF        // run BPF programs (BPFEncap)
	EncapSeg6Local EncapType = uapi.LWTUNNEL_ENCAP_SEG6_LOCAL // a segment routing function of this host (Seg6LocalEncap)
	EncapRPL       EncapType = uapi.LWTUNNEL_ENCAP_RPL        // push an RPL source routing header
	EncapIOAM6     EncapType = uapi.LWTUNNEL_ENCAP_IOAM6      // insert IPv6 in-situ OAM data
	EncapXfrm      EncapType = uapi.LWTUNNEL_ENCAP_XFRM       // send through an XFRM interface id
)

var encapTypeNames = [...]string{"none", "mpls", "ip", "ila", "ip6", "seg6", "bpf", "seg6local", "rpl", "ioam6", "xfrm"}

// String names the type as ip route's encap does ("mpls", "ip", "seg6",
// ...), or prints its number.
func (t EncapType) String() string {
	if int(t) < len(encapTypeNames) {
		return encapTypeNames[t]
	}
	return strconv.Itoa(int(t))
}

// Encap is the lightweight tunnel encapsulation of a route or of one path
// of a multipath route (RTA_ENCAP_TYPE and RTA_ENCAP), or of a nexthop
// object (NHA_ENCAP_TYPE and NHA_ENCAP): one of *MPLSEncap,
// *IPEncap, *Seg6Encap, *Seg6LocalEncap and *BPFEncap, or *RawEncap for
// the other types, which are read as their type and attributes and sent
// back unchanged. Each typed one keeps in an Other field the attributes
// it does not model.
type Encap interface {
	// EncapType is the encapsulation's RTA_ENCAP_TYPE.
	EncapType() EncapType
	// encode appends the encapsulation's attributes inside RTA_ENCAP.
	encode(e *netlink.AttrEncoder) error
}

// RawEncap is an encapsulation of a type this package does not read, or
// whose attributes it could not read, as the kernel sent it.
type RawEncap struct {
	Type EncapType // RTA_ENCAP_TYPE
	Data RawAttrs  // the payload of RTA_ENCAP
}

// EncapType returns e.Type.
func (e *RawEncap) EncapType() EncapType { return e.Type }

func (e *RawEncap) encode(*netlink.AttrEncoder) error { return nil } // putEncap sends Data as it is

// Attribute numbers of the encapsulations, from <linux/lwtunnel.h>,
// <linux/seg6_iptunnel.h> and <linux/seg6_local.h>.
const (
	lwtIPID    = 1 // LWTUNNEL_IP_ID, LWTUNNEL_IP6_ID: be64
	lwtIPDst   = 2 // LWTUNNEL_IP_DST, LWTUNNEL_IP6_DST
	lwtIPSrc   = 3 // LWTUNNEL_IP_SRC, LWTUNNEL_IP6_SRC
	lwtIPTTL   = 4 // LWTUNNEL_IP_TTL, LWTUNNEL_IP6_HOPLIMIT: u8
	lwtIPTOS   = 5 // LWTUNNEL_IP_TOS, LWTUNNEL_IP6_TC: u8
	lwtIPFlags = 6 // LWTUNNEL_IP_FLAGS, LWTUNNEL_IP6_FLAGS: be16
	lwtIPPad   = 7 // LWTUNNEL_IP_PAD, LWTUNNEL_IP6_PAD

	lwtBPFProgFD   = 1 // LWT_BPF_PROG_FD: u32
	lwtBPFProgName = 2 // LWT_BPF_PROG_NAME: string
	lwtBPFIn       = 1 // LWT_BPF_IN
	lwtBPFOut      = 2 // LWT_BPF_OUT
	lwtBPFXmit     = 3 // LWT_BPF_XMIT
	lwtBPFHeadroom = 4 // LWT_BPF_XMIT_HEADROOM: u32

	seg6IPTunnelSRH = 1 // SEG6_IPTUNNEL_SRH: struct seg6_iptunnel_encap

	seg6LocalAction   = 1 // SEG6_LOCAL_ACTION: u32
	seg6LocalTable    = 3 // SEG6_LOCAL_TABLE: u32
	seg6LocalNH4      = 4 // SEG6_LOCAL_NH4: in_addr
	seg6LocalNH6      = 5 // SEG6_LOCAL_NH6: in6_addr
	seg6LocalIIF      = 6 // SEG6_LOCAL_IIF: u32
	seg6LocalOIF      = 7 // SEG6_LOCAL_OIF: u32
	seg6LocalVRFTable = 9 // SEG6_LOCAL_VRFTABLE: u32
)

// encapAttrs collects the RTA_ENCAP_TYPE and RTA_ENCAP of a route or a
// path (or the NHA_ENCAP_TYPE and NHA_ENCAP of a nexthop object) while its
// attributes are decoded.
type encapAttrs struct {
	typ              uint16
	data             []byte
	hasType, hasData bool
	raw              []byte // both as they came, for when one is missing
	at               int    // where in other the first of them came
}

// add records d's current attribute, the type (typeAttr: RTA_ENCAP_TYPE,
// NHA_ENCAP_TYPE) or the encapsulation (dataAttr: RTA_ENCAP, NHA_ENCAP),
// or appends it to other when it is a second one or of a size that cannot
// be.
func (a *encapAttrs) add(other []byte, d *netlink.AttrDecoder, typeAttr, dataAttr uint16) []byte {
	b := d.Bytes()
	switch {
	case d.Type() == typeAttr && !a.hasType && len(b) == 2:
		a.typ, a.hasType = binary.NativeEndian.Uint16(b), true
	case d.Type() == dataAttr && !a.hasData:
		a.data, a.hasData = b, true
	default:
		return d.Attr().Append(other)
	}
	if len(a.raw) == 0 {
		a.at = len(other)
	}
	a.raw = d.Attr().Append(a.raw)
	return other
}

// decode returns the encapsulation recorded, or nil with the attribute
// put back in other where it came when only one of the two came.
func (a *encapAttrs) decode(other []byte) (Encap, []byte) {
	if !a.hasType || !a.hasData {
		return nil, slices.Insert(other, a.at, a.raw...)
	}
	return decodeEncap(EncapType(a.typ), a.data), other
}

// decodeEncap reads the payload of RTA_ENCAP of type t: a typed Encap, or
// a RawEncap for other types and for payloads that do not parse.
func decodeEncap(t EncapType, b []byte) Encap {
	d := netlink.NewAttrDecoder(b)
	var enc Encap
	var ok bool
	switch t {
	case EncapMPLS:
		v := new(MPLSEncap)
		ok = v.decode(&d)
		enc = v
	case EncapIP, EncapIP6:
		v := new(IPEncap)
		ok = v.decode(&d, t == EncapIP6)
		enc = v
	case EncapSeg6:
		v := new(Seg6Encap)
		ok = v.decode(&d)
		enc = v
	case EncapSeg6Local:
		v := new(Seg6LocalEncap)
		ok = v.decode(&d)
		enc = v
	case EncapBPF:
		v := new(BPFEncap)
		ok = v.decode(&d)
		enc = v
	}
	if !ok || d.Err() != nil {
		return &RawEncap{Type: t, Data: RawAttrs(b)}
	}
	return enc
}

// putEncap appends enc as RTA_ENCAP and RTA_ENCAP_TYPE, checked.
func putEncap(e *netlink.AttrEncoder, enc Encap) error {
	if enc == nil {
		return nil
	}
	if err := putEncapData(e, uapi.RTA_ENCAP, enc); err != nil {
		return err
	}
	e.Uint16(uapi.RTA_ENCAP_TYPE, uint16(enc.EncapType()))
	return nil
}

// nilRawEncap reports whether enc is a nil *RawEncap, whose EncapType
// cannot be read.
func nilRawEncap(enc Encap) bool {
	raw, ok := enc.(*RawEncap)
	return ok && raw == nil
}

// putEncapData appends enc's attributes, checked, nested in attr (RTA_ENCAP,
// NHA_ENCAP) with NLA_F_NESTED, which the kernel wants on NHA_ENCAP.
func putEncapData(e *netlink.AttrEncoder, attr uint16, enc Encap) error {
	if raw, ok := enc.(*RawEncap); ok {
		if raw == nil {
			return invalidf("encap is a nil *RawEncap")
		}
		e.Bytes(attr|netlink.AttrNested, []byte(raw.Data))
		return nil
	}
	start := e.Nest(attr)
	if err := enc.encode(e); err != nil {
		return err
	}
	e.End(start)
	return nil
}

// MPLSEncap pushes MPLS labels on the packets of a route (ip route ...
// encap mpls 100/200).
type MPLSEncap struct {
	// Labels are the labels pushed, outermost first (MPLS_IPTUNNEL_DST),
	// each 20 bits.
	Labels []uint32
	// TTL is the TTL of the labels pushed (MPLS_IPTUNNEL_TTL), or 0 to
	// take it from the packet as the net.mpls.ip_ttl_propagate sysctl says.
	TTL uint8
	// Other holds the attributes the fields above do not model (a label
	// stack with traffic class or TTL bits set, for one).
	Other RawAttrs
}

// EncapType returns EncapMPLS.
func (*MPLSEncap) EncapType() EncapType { return EncapMPLS }

func (m *MPLSEncap) decode(d *netlink.AttrDecoder) bool {
	var other []byte
	for d.Next() {
		switch b := d.Bytes(); {
		case d.Type() == uapi.MPLS_IPTUNNEL_DST && m.Labels == nil:
			if m.Labels = mplsLabels(b); m.Labels == nil {
				other = d.Attr().Append(other)
			}
		case d.Type() == uapi.MPLS_IPTUNNEL_TTL && len(b) == 1:
			m.TTL = b[0]
		default:
			other = d.Attr().Append(other)
		}
	}
	m.Other = RawAttrs(other)
	return true
}

func (m *MPLSEncap) encode(e *netlink.AttrEncoder) error {
	if m == nil {
		return invalidf("encap is a nil *MPLSEncap")
	}
	if len(m.Labels) > 0 {
		b, err := appendMPLSLabels(nil, m.Labels)
		if err != nil {
			return err
		}
		e.Bytes(uapi.MPLS_IPTUNNEL_DST, b)
	}
	if m.TTL != 0 {
		e.Uint8(uapi.MPLS_IPTUNNEL_TTL, m.TTL)
	}
	e.RawAttrs(m.Other)
	return nil
}

// mplsBoS is the bottom-of-stack bit of an MPLS label stack entry.
const mplsBoS = 1 << 8

// mplsLabels reads a label stack as the kernel writes one: big-endian
// entries of a label and, on the last, the bottom-of-stack bit. A stack
// with other bits set, or none, is nil.
func mplsLabels(b []byte) []uint32 {
	if len(b) == 0 || len(b)%4 != 0 {
		return nil
	}
	labels := make([]uint32, len(b)/4)
	for i := range labels {
		v := binary.BigEndian.Uint32(b[4*i:])
		want := v &^ 0xfff
		if i == len(labels)-1 {
			want |= mplsBoS
		}
		if v != want {
			return nil
		}
		labels[i] = v >> 12
	}
	return labels
}

// appendMPLSLabels appends labels as a label stack.
func appendMPLSLabels(b []byte, labels []uint32) ([]byte, error) {
	for i, l := range labels {
		if l >= 1<<20 {
			return nil, invalidf("MPLS label %d is wider than 20 bits", l)
		}
		v := l << 12
		if i == len(labels)-1 {
			v |= mplsBoS
		}
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b, nil
}

// IPEncap is the tunnel metadata of a route through a collect-metadata
// ("external") tunnel device, such as a VXLAN or Geneve device (ip route
// ... encap ip id 5 dst 198.18.0.9): EncapIP with IPv4 addresses or none,
// EncapIP6 with IPv6 addresses.
type IPEncap struct {
	// ID is the tunnel id, such as a VNI (LWTUNNEL_IP_ID).
	ID uint64
	// Dst and Src are the outer destination and source addresses
	// (LWTUNNEL_IP_DST, LWTUNNEL_IP_SRC), of one family.
	Dst, Src netip.Addr
	// TTL is the outer TTL or hop limit (LWTUNNEL_IP_TTL,
	// LWTUNNEL_IP6_HOPLIMIT), 0 to inherit.
	TTL uint8
	// TOS is the outer TOS or traffic class (LWTUNNEL_IP_TOS,
	// LWTUNNEL_IP6_TC).
	TOS uint8
	// Flags are the tunnel flags (LWTUNNEL_IP_FLAGS, big-endian TUNNEL_*
	// bits: 0x1 csum, 0x4 key, 0x8 seq, as ip's csum, key and seq set).
	Flags uint16
	// Other holds the attributes the fields above do not model, such as
	// LWTUNNEL_IP_OPTS (Geneve, VXLAN and ERSPAN options).
	Other RawAttrs
}

// EncapType returns EncapIP6 when Dst or Src is IPv6, EncapIP otherwise.
func (t *IPEncap) EncapType() EncapType {
	if t.Dst.Is6() || t.Src.Is6() {
		return EncapIP6
	}
	return EncapIP
}

func (t *IPEncap) decode(d *netlink.AttrDecoder, ipv6 bool) bool {
	size := 4
	if ipv6 {
		size = 16
	}
	var other []byte
	for d.Next() {
		b := d.Bytes()
		switch typ := d.Type(); {
		case typ == lwtIPID && len(b) == 8:
			t.ID = binary.BigEndian.Uint64(b)
		case (typ == lwtIPDst || typ == lwtIPSrc) && len(b) == size:
			a, _ := netip.AddrFromSlice(b)
			if typ == lwtIPDst {
				t.Dst = a
			} else {
				t.Src = a
			}
		case typ == lwtIPTTL && len(b) == 1:
			t.TTL = b[0]
		case typ == lwtIPTOS && len(b) == 1:
			t.TOS = b[0]
		case typ == lwtIPFlags && len(b) == 2:
			t.Flags = binary.BigEndian.Uint16(b)
		case typ == lwtIPPad:
		default:
			other = d.Attr().Append(other)
		}
	}
	t.Other = RawAttrs(other)
	// The family is the addresses': an IPv6 one with neither stays raw.
	return ipv6 == (t.EncapType() == EncapIP6)
}

func (t *IPEncap) encode(e *netlink.AttrEncoder) error {
	if t == nil {
		return invalidf("encap is a nil *IPEncap")
	}
	switch {
	case t.Dst.IsValid() && t.Src.IsValid() && t.Dst.Is4() != t.Src.Is4(),
		t.Dst.Zone() != "" || t.Src.Zone() != "":
		return invalidf("encap ip: destination %v and source %v are not addresses of one family", t.Dst, t.Src)
	}
	if t.ID != 0 {
		e.Uint64BE(lwtIPID, t.ID)
	}
	if t.Dst.IsValid() {
		e.Addr(lwtIPDst, t.Dst)
	}
	if t.Src.IsValid() {
		e.Addr(lwtIPSrc, t.Src)
	}
	if t.TTL != 0 {
		e.Uint8(lwtIPTTL, t.TTL)
	}
	if t.TOS != 0 {
		e.Uint8(lwtIPTOS, t.TOS)
	}
	if t.Flags != 0 {
		e.Uint16BE(lwtIPFlags, t.Flags)
	}
	e.RawAttrs(t.Other)
	return nil
}

// Seg6Mode is how a Seg6Encap adds its segment routing header.
type Seg6Mode uint32

// Segment routing modes from <linux/seg6_iptunnel.h>.
const (
	Seg6ModeInline     Seg6Mode = 0 // insert the header into the packet (IPv6 only)
	Seg6ModeEncap      Seg6Mode = 1 // put the packet in an outer IPv6 header with it
	Seg6ModeL2Encap    Seg6Mode = 2 // the same for the packet's Ethernet frame
	Seg6ModeEncapRed   Seg6Mode = 3 // encap, leaving the first segment out of the header (reduced)
	Seg6ModeL2EncapRed Seg6Mode = 4 // l2encap, reduced
)

var seg6ModeNames = [...]string{"inline", "encap", "l2encap", "encap.red", "l2encap.red"}

// String names the mode as ip does ("inline", "encap", ...), or prints
// its number.
func (m Seg6Mode) String() string {
	if int(m) < len(seg6ModeNames) {
		return seg6ModeNames[m]
	}
	return strconv.FormatUint(uint64(m), 10)
}

// Seg6Encap adds an IPv6 segment routing header to the packets of a route
// (ip route ... encap seg6 mode encap segs 2001:db8::1,2001:db8::2).
type Seg6Encap struct {
	// Mode says how the header is added.
	Mode Seg6Mode
	// Segments are the segments the packet visits, in order, as ip's segs
	// lists them. (The header holds them last first.)
	Segments []netip.Addr
	// Other holds the attributes the fields above do not model: a
	// SEG6_IPTUNNEL_SRH that is not the plain header ip builds (one with
	// an HMAC, a tag or TLVs), kept whole, Mode and Segments then unset.
	Other RawAttrs
}

// EncapType returns EncapSeg6.
func (*Seg6Encap) EncapType() EncapType { return EncapSeg6 }

func (s *Seg6Encap) decode(d *netlink.AttrDecoder) bool {
	var other []byte
	for d.Next() {
		if d.Type() == seg6IPTunnelSRH && s.Segments == nil {
			if mode, segs := seg6Header(d.Bytes()); segs != nil {
				s.Mode, s.Segments = mode, segs
				continue
			}
		}
		other = d.Attr().Append(other)
	}
	s.Other = RawAttrs(other)
	return true
}

// seg6HdrLen is the size of struct ipv6_sr_hdr without its segments.
const seg6HdrLen = 8

// seg6Header reads a struct seg6_iptunnel_encap that holds the header ip
// builds: type 4, every segment left, no flags, tag or TLVs. Another
// header has nil segments.
func seg6Header(b []byte) (Seg6Mode, []netip.Addr) {
	if len(b) < 4+seg6HdrLen+16 || (len(b)-4-seg6HdrLen)%16 != 0 {
		return 0, nil
	}
	mode := Seg6Mode(binary.NativeEndian.Uint32(b))
	h := b[4:]
	n := (len(h) - seg6HdrLen) / 16
	if h[0] != 0 || int(h[1]) != 2*n || h[2] != 4 || int(h[3]) != n-1 || int(h[4]) != n-1 || h[5] != 0 || h[6] != 0 || h[7] != 0 {
		return 0, nil
	}
	segs := make([]netip.Addr, n)
	for i := range segs {
		segs[n-1-i] = netip.AddrFrom16([16]byte(h[seg6HdrLen+16*i:]))
	}
	return mode, segs
}

func (s *Seg6Encap) encode(e *netlink.AttrEncoder) error {
	if s == nil {
		return invalidf("encap is a nil *Seg6Encap")
	}
	if s.Mode != 0 && len(s.Segments) == 0 {
		return invalidf("encap seg6: mode %v without segments", s.Mode)
	}
	if n := len(s.Segments); n > 0 {
		if n > 127 {
			return invalidf("encap seg6: %d segments, at most 127 fit a header", n)
		}
		b := binary.NativeEndian.AppendUint32(nil, uint32(s.Mode))
		b = append(b, 0, uint8(2*n), 4, uint8(n-1), uint8(n-1), 0, 0, 0)
		for i := n - 1; i >= 0; i-- {
			a := s.Segments[i]
			if !a.Is6() || a.Zone() != "" {
				return invalidf("encap seg6: segment %v is not an IPv6 address", a)
			}
			a16 := a.As16()
			b = append(b, a16[:]...)
		}
		e.Bytes(seg6IPTunnelSRH, b)
	}
	e.RawAttrs(s.Other)
	return nil
}

// Seg6LocalAction is the segment routing function of a Seg6LocalEncap
// (SEG6_LOCAL_ACTION).
type Seg6LocalAction uint32

// Segment routing functions from <linux/seg6_local.h>.
const (
	Seg6LocalEnd          Seg6LocalAction = 1  // End: go on to the next segment
	Seg6LocalEndX         Seg6LocalAction = 2  // End.X: the same, through NH6
	Seg6LocalEndT         Seg6LocalAction = 3  // End.T: the same, looked up in Table
	Seg6LocalEndDX2       Seg6LocalAction = 4  // End.DX2: decapsulate, send the frame out of OIF
	Seg6LocalEndDX6       Seg6LocalAction = 5  // End.DX6: decapsulate, send to NH6
	Seg6LocalEndDX4       Seg6LocalAction = 6  // End.DX4: decapsulate, send to NH4
	Seg6LocalEndDT6       Seg6LocalAction = 7  // End.DT6: decapsulate, look up in Table (or VRFTable)
	Seg6LocalEndDT4       Seg6LocalAction = 8  // End.DT4: decapsulate, look up in VRFTable
	Seg6LocalEndB6        Seg6LocalAction = 9  // End.B6: insert a header
	Seg6LocalEndB6Encaps  Seg6LocalAction = 10 // End.B6.Encaps: encapsulate with a header
	Seg6LocalEndBM        Seg6LocalAction = 11 // End.BM: MPLS binding
	Seg6LocalEndS         Seg6LocalAction = 12 // End.S: look up in the cache
	Seg6LocalEndAS        Seg6LocalAction = 13 // End.AS: static proxy
	Seg6LocalEndAM        Seg6LocalAction = 14 // End.AM: masquerading proxy
	Seg6LocalEndBPF       Seg6LocalAction = 15 // End.BPF: run a BPF program
	Seg6LocalEndDT46      Seg6LocalAction = 16 // End.DT46: decapsulate IPv4 or IPv6, look up in VRFTable
	seg6LocalActionsKnown                 = 17
)

var seg6LocalActionNames = [seg6LocalActionsKnown]string{
	"unspec", "End", "End.X", "End.T", "End.DX2", "End.DX6", "End.DX4", "End.DT6", "End.DT4",
	"End.B6", "End.B6.Encaps", "End.BM", "End.S", "End.AS", "End.AM", "End.BPF", "End.DT46",
}

// String names the function as ip does ("End", "End.DT6", ...), or prints
// its number.
func (a Seg6LocalAction) String() string {
	if a < seg6LocalActionsKnown {
		return seg6LocalActionNames[a]
	}
	return strconv.FormatUint(uint64(a), 10)
}

// Seg6LocalEncap is a segment routing function that packets to the
// route's destination (a segment of this host) get (ip -6 route ... encap
// seg6local action End.DT6 table 100).
type Seg6LocalEncap struct {
	// Action is the function (SEG6_LOCAL_ACTION).
	Action Seg6LocalAction
	// Table is the routing table End.T and End.DT6 look up in
	// (SEG6_LOCAL_TABLE), or 0.
	Table uint32
	// VRFTable is the table of the VRF End.DT4, End.DT6 and End.DT46 look
	// up in (SEG6_LOCAL_VRFTABLE), or 0.
	VRFTable uint32
	// NextHop4 and NextHop6 are the next hops of End.DX4 (SEG6_LOCAL_NH4)
	// and of End.X and End.DX6 (SEG6_LOCAL_NH6), or the zero Addr.
	NextHop4, NextHop6 netip.Addr
	// IIF and OIF are the interface indexes of the links in and out
	// (SEG6_LOCAL_IIF, SEG6_LOCAL_OIF), or 0.
	IIF, OIF int
	// Other holds the attributes the fields above do not model: the
	// header of End.B6 (SEG6_LOCAL_SRH), the program of End.BPF, the
	// counters and the flavors.
	Other RawAttrs
}

// EncapType returns EncapSeg6Local.
func (*Seg6LocalEncap) EncapType() EncapType { return EncapSeg6Local }

func (s *Seg6LocalEncap) decode(d *netlink.AttrDecoder) bool {
	var other []byte
	for d.Next() {
		b := d.Bytes()
		switch typ := d.Type(); {
		case typ == seg6LocalAction && len(b) == 4:
			s.Action = Seg6LocalAction(binary.NativeEndian.Uint32(b))
		case typ == seg6LocalTable && len(b) == 4:
			s.Table = binary.NativeEndian.Uint32(b)
		case typ == seg6LocalVRFTable && len(b) == 4:
			s.VRFTable = binary.NativeEndian.Uint32(b)
		case typ == seg6LocalNH4 && len(b) == 4:
			s.NextHop4 = netip.AddrFrom4([4]byte(b))
		case typ == seg6LocalNH6 && len(b) == 16:
			s.NextHop6 = netip.AddrFrom16([16]byte(b))
		case (typ == seg6LocalIIF || typ == seg6LocalOIF) && len(b) == 4 && int32(binary.NativeEndian.Uint32(b)) >= 0:
			if typ == seg6LocalIIF {
				s.IIF = int(binary.NativeEndian.Uint32(b))
			} else {
				s.OIF = int(binary.NativeEndian.Uint32(b))
			}
		default:
			other = d.Attr().Append(other)
		}
	}
	s.Other = RawAttrs(other)
	return true
}

func (s *Seg6LocalEncap) encode(e *netlink.AttrEncoder) error {
	switch {
	case s == nil:
		return invalidf("encap is a nil *Seg6LocalEncap")
	case s.NextHop4.IsValid() && !s.NextHop4.Is4(), s.NextHop6.IsValid() && !s.NextHop6.Is6():
		return invalidf("encap seg6local: next hops %v and %v are not an IPv4 and an IPv6 address", s.NextHop4, s.NextHop6)
	case s.IIF < 0 || s.IIF > 1<<31-1 || s.OIF < 0 || s.OIF > 1<<31-1:
		return invalidf("encap seg6local: link index %d or %d is out of range", s.IIF, s.OIF)
	}
	for _, v := range []struct {
		typ uint16
		v   uint32
	}{{seg6LocalAction, uint32(s.Action)}, {seg6LocalTable, s.Table}, {seg6LocalVRFTable, s.VRFTable}, {seg6LocalIIF, uint32(s.IIF)}, {seg6LocalOIF, uint32(s.OIF)}} {
		if v.v != 0 {
			e.Uint32(v.typ, v.v)
		}
	}
	if s.NextHop4.IsValid() {
		e.Addr(seg6LocalNH4, s.NextHop4)
	}
	if s.NextHop6.IsValid() {
		e.Addr(seg6LocalNH6, s.NextHop6)
	}
	e.RawAttrs(s.Other)
	return nil
}

// BPFProgram is a BPF program of a BPFEncap (the LWT_BPF_PROG_* nest).
type BPFProgram struct {
	// FD is the file descriptor of the loaded program to attach
	// (LWT_BPF_PROG_FD), for adding; 0 for none. The kernel reports the
	// name alone (no program id, and not BPFEncap.XmitHeadroom); a
	// delete's programs count only with their FDs (Conn.DeleteRoute).
	FD int
	// Name is the name the route gives the program, which need not be
	// the program's own: the kernel requires one with an FD, and reports
	// it (LWT_BPF_PROG_NAME).
	Name string
}

// BPFEncap runs BPF programs on the packets of a route (ip route ...
// encap bpf in obj prog.o section in xmit ...), of the types
// BPF_PROG_TYPE_LWT_IN, _OUT and _XMIT.
type BPFEncap struct {
	// In, Out and Xmit are the programs run on input, on output and on
	// transmit (LWT_BPF_IN, LWT_BPF_OUT, LWT_BPF_XMIT); the zero
	// BPFProgram for none.
	In, Out, Xmit BPFProgram
	// XmitHeadroom is the room the transmit program may need for headers
	// it pushes (LWT_BPF_XMIT_HEADROOM), or 0.
	XmitHeadroom uint32
	// Other holds the attributes the fields above do not model, such as
	// a program nest with attributes a BPFProgram cannot hold.
	Other RawAttrs
}

// EncapType returns EncapBPF.
func (*BPFEncap) EncapType() EncapType { return EncapBPF }

func (p *BPFEncap) decode(d *netlink.AttrDecoder) bool {
	var other []byte
	for d.Next() {
		b := d.Bytes()
		switch typ := d.Type(); {
		case typ == lwtBPFIn || typ == lwtBPFOut || typ == lwtBPFXmit:
			prog := [...]*BPFProgram{lwtBPFIn: &p.In, lwtBPFOut: &p.Out, lwtBPFXmit: &p.Xmit}[typ]
			if v, ok := bpfProgram(b); ok && *prog == (BPFProgram{}) && v != (BPFProgram{}) {
				*prog = v
			} else {
				other = d.Attr().Append(other)
			}
		case typ == lwtBPFHeadroom && len(b) == 4:
			p.XmitHeadroom = binary.NativeEndian.Uint32(b)
		default:
			other = d.Attr().Append(other)
		}
	}
	p.Other = RawAttrs(other)
	return true
}

// bpfProgram reads a LWT_BPF_PROG_* nest that holds a name, an FD or both,
// once each.
func bpfProgram(b []byte) (BPFProgram, bool) {
	var p BPFProgram
	var fd, name bool
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		v := d.Bytes()
		switch {
		case d.Type() == lwtBPFProgFD && len(v) == 4 && !fd && int32(binary.NativeEndian.Uint32(v)) > 0:
			p.FD, fd = int(binary.NativeEndian.Uint32(v)), true
		case d.Type() == lwtBPFProgName && !name && len(v) > 1 && v[len(v)-1] == 0:
			p.Name, name = d.CString(), true
			if len(p.Name) != len(v)-1 {
				return BPFProgram{}, false // a NUL inside
			}
		default:
			return BPFProgram{}, false
		}
	}
	return p, d.Err() == nil
}

func (p *BPFEncap) encode(e *netlink.AttrEncoder) error {
	if p == nil {
		return invalidf("encap is a nil *BPFEncap")
	}
	for _, v := range []struct {
		typ  uint16
		prog BPFProgram
	}{{lwtBPFIn, p.In}, {lwtBPFOut, p.Out}, {lwtBPFXmit, p.Xmit}} {
		if v.prog == (BPFProgram{}) {
			continue
		}
		if v.prog.FD < 0 || v.prog.FD > 1<<31-1 {
			return invalidf("encap bpf: program fd %d is out of range", v.prog.FD)
		}
		for _, c := range v.prog.Name {
			if c == 0 {
				return invalidf("encap bpf: program name %q has a NUL", v.prog.Name)
			}
		}
		start := e.Nest(v.typ)
		if v.prog.FD != 0 {
			e.Uint32(lwtBPFProgFD, uint32(v.prog.FD))
		}
		if v.prog.Name != "" {
			e.String(lwtBPFProgName, v.prog.Name)
		}
		e.End(start)
	}
	if p.XmitHeadroom != 0 {
		e.Uint32(lwtBPFHeadroom, p.XmitHeadroom)
	}
	e.RawAttrs(p.Other)
	return nil
}
