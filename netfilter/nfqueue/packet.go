package nfqueue

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Packet attributes (enum nfqnl_attr_type, enum nfqnl_vlan_attr), and
// CTA_MARK of the conntrack attributes a verdict carries.
const (
	nfqaPacketHdr      = 1
	nfqaVerdictHdr     = 2
	nfqaMark           = 3
	nfqaTimestamp      = 4
	nfqaIfindexIndev   = 5
	nfqaIfindexOutdev  = 6
	nfqaIfindexPhysIn  = 7
	nfqaIfindexPhysOut = 8
	nfqaHWAddr         = 9
	nfqaPayload        = 10
	nfqaCT             = 11
	nfqaCTInfo         = 12
	nfqaCapLen         = 13
	nfqaSkbInfo        = 14
	nfqaExp            = 15
	nfqaUID            = 16
	nfqaGID            = 17
	nfqaSecCtx         = 18
	nfqaVLAN           = 19
	nfqaL2Hdr          = 20
	nfqaPriority       = 21

	nfqaVLANProto = 1
	nfqaVLANTCI   = 2

	ctaMark = 8 // CTA_MARK (nfnetlink_conntrack.h)
)

// SkbInfo bits (NFQA_SKB_*).
const (
	SkbCsumNotReady    = 1 << 0 // NFQA_SKB_CSUMNOTREADY: the checksum is left to the device
	SkbGSO             = 1 << 1 // NFQA_SKB_GSO: a GSO packet, unsegmented
	SkbCsumNotVerified = 1 << 2 // NFQA_SKB_CSUM_NOTVERIFIED
)

// Packet is one queued packet (NFQNL_MSG_PACKET), waiting for a verdict
// on its ID. The byte slices and Unknown alias the receive buffer; Clone
// makes a copy that owns its memory. Has says which of the fields whose
// zero is meaningful came.
type Packet struct {
	Family uint8  // the nfgenmsg family
	Queue  uint16 // the nfgenmsg res_id: the queue number

	// ID, HWProtocol and Hook are struct nfqnl_msg_packet_hdr: the ID a
	// verdict names, the link layer protocol, the netfilter hook.
	ID         uint32
	HWProtocol uint16
	Hook       uint8

	Mark      uint32    // NFQA_MARK
	Timestamp time.Time // NFQA_TIMESTAMP

	// The interfaces' indexes (NFQA_IFINDEX_*), 0 for none.
	InDev, OutDev, PhysInDev, PhysOutDev uint32

	HWAddr   []byte // NFQA_HWADDR: the source hardware address
	L2Header []byte // NFQA_L2HDR (bridge family)
	Payload  []byte // NFQA_PAYLOAD: the packet from its network header, up to the copy range
	CapLen   uint32 // NFQA_CAP_LEN: the packet's whole length, when the payload was cut
	SkbInfo  uint32 // NFQA_SKB_INFO: Skb* bits

	// CT and Exp are the packet's conntrack entry and expectation, as
	// conntrack attributes (NFQA_CT, NFQA_EXP; with FlagConntrack);
	// CTInfo is its enum ip_conntrack_info (NFQA_CT_INFO).
	CT, Exp []byte
	CTInfo  uint32

	UID, GID uint32 // NFQA_UID, NFQA_GID (with FlagUIDGID)
	SecCtx   string // NFQA_SECCTX (with FlagSecCtx)
	Priority uint32 // NFQA_PRIORITY: skb->priority

	VLANProto, VLANTCI uint16 // NFQA_VLAN

	// Unknown holds the attributes this type does not decode, as sent.
	Unknown []byte
	// Has says which fields came.
	Has Has
}

// Has is a set of a Packet's fields.
type Has uint16

// The fields of Packet whose presence Has records.
const (
	HasMark Has = 1 << iota
	HasTimestamp
	HasCapLen
	HasSkbInfo
	HasCTInfo
	HasUID
	HasGID
	HasSecCtx
	HasPriority
	HasVLAN
)

// Clone returns a copy of p that owns its memory.
func (p *Packet) Clone() Packet {
	c := *p
	c.HWAddr = bytes.Clone(p.HWAddr)
	c.L2Header = bytes.Clone(p.L2Header)
	c.Payload = bytes.Clone(p.Payload)
	c.CT = bytes.Clone(p.CT)
	c.Exp = bytes.Clone(p.Exp)
	c.Unknown = bytes.Clone(p.Unknown)
	return c
}

func malformed(what string, n int) error {
	return fmt.Errorf("nfqueue: packet: %d-byte %s: %w", n, what, netlink.ErrMalformed)
}

// Decode decodes the payload of an NFQNL_MSG_PACKET message (its
// nfgenmsg and attributes) into p, reusing p's memory. The slices alias
// data afterwards. A message without a packet header is malformed: a
// verdict needs its ID.
func (p *Packet) Decode(data []byte) error {
	h, err := netfilter.ParseHeader(data)
	if err != nil {
		return err
	}
	unknown, secctx := p.Unknown[:0], p.SecCtx
	*p = Packet{Family: h.Family, Queue: h.ResourceID}
	d := netlink.NewAttrDecoder(data[netfilter.HeaderLen:])
	hdr := false
	for d.Next() {
		switch d.Type() {
		case nfqaPacketHdr:
			b := d.Bytes()
			if len(b) != 7 && len(b) != 8 {
				return malformed("packet header", len(b))
			}
			p.ID, p.HWProtocol, p.Hook = binary.BigEndian.Uint32(b), binary.BigEndian.Uint16(b[4:]), b[6]
			hdr = true
		case nfqaMark:
			p.Mark = d.Uint32BE()
			p.Has |= HasMark
		case nfqaTimestamp:
			b := d.Bytes()
			if len(b) != 16 {
				return malformed("timestamp", len(b))
			}
			sec, usec := binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])
			if usec >= 1e6 || sec >= 1<<62 {
				return malformed("timestamp", len(b))
			}
			p.Timestamp = time.Unix(int64(sec), int64(usec)*1000)
			p.Has |= HasTimestamp
		case nfqaIfindexIndev:
			p.InDev = d.Uint32BE()
		case nfqaIfindexOutdev:
			p.OutDev = d.Uint32BE()
		case nfqaIfindexPhysIn:
			p.PhysInDev = d.Uint32BE()
		case nfqaIfindexPhysOut:
			p.PhysOutDev = d.Uint32BE()
		case nfqaHWAddr:
			b := d.Bytes()
			if len(b) < 4 {
				return malformed("hardware address", len(b))
			}
			n := int(binary.BigEndian.Uint16(b))
			if n > len(b)-4 {
				return malformed("hardware address", len(b))
			}
			p.HWAddr = b[4 : 4+n]
		case nfqaPayload:
			p.Payload = d.Bytes()
		case nfqaCT:
			p.CT = d.Bytes()
		case nfqaExp:
			p.Exp = d.Bytes()
		case nfqaCTInfo:
			p.CTInfo = d.Uint32BE()
			p.Has |= HasCTInfo
		case nfqaCapLen:
			p.CapLen = d.Uint32BE()
			p.Has |= HasCapLen
		case nfqaSkbInfo:
			p.SkbInfo = d.Uint32BE()
			p.Has |= HasSkbInfo
		case nfqaUID:
			p.UID = d.Uint32BE()
			p.Has |= HasUID
		case nfqaGID:
			p.GID = d.Uint32BE()
			p.Has |= HasGID
		case nfqaSecCtx:
			b := d.Bytes()
			if i := bytes.IndexByte(b, 0); i >= 0 {
				b = b[:i]
			}
			if secctx == string(b) {
				p.SecCtx = secctx
			} else {
				p.SecCtx = string(b)
			}
			p.Has |= HasSecCtx
		case nfqaPriority:
			p.Priority = d.Uint32BE()
			p.Has |= HasPriority
		case nfqaVLAN:
			n := d.Enter()
			for d.Next() {
				switch d.Type() {
				case nfqaVLANProto:
					p.VLANProto = d.Uint16BE()
				case nfqaVLANTCI:
					p.VLANTCI = d.Uint16BE()
				}
			}
			d.Exit(n)
			p.Has |= HasVLAN
		case nfqaL2Hdr:
			p.L2Header = d.Bytes()
		default:
			unknown = appendRaw(unknown, &d)
		}
	}
	if len(unknown) > 0 {
		p.Unknown = unknown
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("nfqueue: packet: %w", err)
	}
	if !hdr {
		return fmt.Errorf("nfqueue: packet without a packet header: %w", netlink.ErrMalformed)
	}
	return nil
}

// Append appends p as the payload of an NFQNL_MSG_PACKET message, the
// inverse of Decode (for tests and fake kernels).
func (p *Packet) Append(b []byte) ([]byte, error) {
	b = netfilter.Header{Family: p.Family, ResourceID: p.Queue}.Append(b)
	e := netlink.NewAttrEncoder(b)
	var hdr [7]byte
	binary.BigEndian.PutUint32(hdr[:], p.ID)
	binary.BigEndian.PutUint16(hdr[4:], p.HWProtocol)
	hdr[6] = p.Hook
	e.Bytes(nfqaPacketHdr, hdr[:])
	if p.Has&HasMark != 0 {
		e.Uint32BE(nfqaMark, p.Mark)
	}
	if p.Has&HasTimestamp != 0 {
		var ts [16]byte
		binary.BigEndian.PutUint64(ts[:], uint64(p.Timestamp.Unix()))
		binary.BigEndian.PutUint64(ts[8:], uint64(p.Timestamp.Nanosecond()/1000))
		e.Bytes(nfqaTimestamp, ts[:])
	}
	for _, x := range []struct {
		typ uint16
		v   uint32
	}{{nfqaIfindexIndev, p.InDev}, {nfqaIfindexOutdev, p.OutDev}, {nfqaIfindexPhysIn, p.PhysInDev}, {nfqaIfindexPhysOut, p.PhysOutDev}} {
		if x.v != 0 {
			e.Uint32BE(x.typ, x.v)
		}
	}
	if p.HWAddr != nil {
		hw := make([]byte, 4, 12)
		binary.BigEndian.PutUint16(hw, uint16(len(p.HWAddr)))
		hw = append(hw, p.HWAddr...)
		for len(hw) < 12 {
			hw = append(hw, 0)
		}
		e.Bytes(nfqaHWAddr, hw)
	}
	if p.CT != nil {
		e.Bytes(nfqaCT, p.CT)
	}
	if p.Exp != nil {
		e.Bytes(nfqaExp, p.Exp)
	}
	for _, x := range []struct {
		has Has
		typ uint16
		v   uint32
	}{{HasCTInfo, nfqaCTInfo, p.CTInfo}, {HasCapLen, nfqaCapLen, p.CapLen}, {HasSkbInfo, nfqaSkbInfo, p.SkbInfo}, {HasUID, nfqaUID, p.UID}, {HasGID, nfqaGID, p.GID}, {HasPriority, nfqaPriority, p.Priority}} {
		if p.Has&x.has != 0 {
			e.Uint32BE(x.typ, x.v)
		}
	}
	if p.Has&HasSecCtx != 0 {
		e.String(nfqaSecCtx, p.SecCtx)
	}
	if p.Has&HasVLAN != 0 {
		n := e.Nest(nfqaVLAN)
		e.Uint16BE(nfqaVLANProto, p.VLANProto)
		e.Uint16BE(nfqaVLANTCI, p.VLANTCI)
		e.End(n)
	}
	if p.L2Header != nil {
		e.Bytes(nfqaL2Hdr, p.L2Header)
	}
	if p.Payload != nil {
		e.Bytes(nfqaPayload, p.Payload)
	}
	e.Raw(p.Unknown)
	return e.Finish()
}

// appendRaw appends the decoder's current attribute to b as it came.
func appendRaw(b []byte, d *netlink.AttrDecoder) []byte {
	return d.Attr().Append(b)
}
