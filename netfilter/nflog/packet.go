package nflog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Packet attributes (enum nfulnl_attr_type, enum nfulnl_vlan_attr).
const (
	nfulaPacketHdr      = 1
	nfulaMark           = 2
	nfulaTimestamp      = 3
	nfulaIfindexIndev   = 4
	nfulaIfindexOutdev  = 5
	nfulaIfindexPhysIn  = 6
	nfulaIfindexPhysOut = 7
	nfulaHWAddr         = 8
	nfulaPayload        = 9
	nfulaPrefix         = 10
	nfulaUID            = 11
	nfulaSeq            = 12
	nfulaSeqGlobal      = 13
	nfulaGID            = 14
	nfulaHWType         = 15
	nfulaHWHeader       = 16
	nfulaHWLen          = 17
	nfulaCT             = 18
	nfulaCTInfo         = 19
	nfulaVLAN           = 20
	nfulaL2Hdr          = 21
	nfulaVLANProto      = 1
	nfulaVLANTCI        = 2
)

// Packet is one logged packet (NFULNL_MSG_PACKET). The byte slices and
// Unknown alias the receive buffer; Clone makes a copy that owns its
// memory. Has says which of the fields whose zero is meaningful came.
type Packet struct {
	Family uint8  // the nfgenmsg family: NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_BRIDGE, ...
	Group  uint16 // the nfgenmsg res_id: the log group

	// HWProtocol is the packet's link layer protocol (ETH_P_IP, ...) and
	// Hook the netfilter hook it was logged at (NF_INET_LOCAL_IN, ...):
	// struct nfulnl_msg_packet_hdr.
	HWProtocol uint16
	Hook       uint8

	Mark uint32 // NFULA_MARK
	// Timestamp is when the packet arrived (NFULA_TIMESTAMP), for a
	// packet logged before routing, on input or on forward: 6.12 and later
	// stamp every such packet, 6.1 only while some socket asks for
	// receive timestamps (SO_TIMESTAMP and the like).
	Timestamp time.Time

	// The interfaces' indexes (NFULA_IFINDEX_*), 0 for none.
	InDev, OutDev, PhysInDev, PhysOutDev uint32

	HWAddr   []byte // NFULA_HWADDR: the source hardware address
	HWType   uint16 // NFULA_HWTYPE: the device's ARPHRD_* type
	HWHeader []byte // NFULA_HWHEADER: the link layer header
	L2Header []byte // NFULA_L2HDR: the whole layer 2 header (bridge family)
	Payload  []byte // NFULA_PAYLOAD: the packet from its network header, up to the copy range
	Prefix   string // NFULA_PREFIX: the rule's log prefix

	UID, GID       uint32 // NFULA_UID, NFULA_GID: the owner of the packet's socket
	Seq, SeqGlobal uint32 // NFULA_SEQ, NFULA_SEQ_GLOBAL (with FlagSeq, FlagSeqGlobal)

	// CT is the packet's conntrack entry, as conntrack attributes
	// (NFULA_CT, with FlagConntrack): decode it with conntrack.Flow's
	// Decode after a 4-byte nfgenmsg. CTInfo is its enum
	// ip_conntrack_info (NFULA_CT_INFO).
	CT     []byte
	CTInfo uint32

	VLANProto, VLANTCI uint16 // NFULA_VLAN

	// Unknown holds the attributes this type does not decode, as sent.
	Unknown []byte
	// Has says which fields came.
	Has Has

	// prefixes are the last prefixes decoded, so that a stream of packets
	// from a few rules does not allocate a string per packet.
	prefixes [4]string
	next     uint8
}

// intern returns b as a string, one of the last few decoded when it is
// one of them.
func (p *Packet) intern(b []byte) string {
	for _, s := range p.prefixes {
		if s == string(b) {
			return s
		}
	}
	s := string(b)
	p.prefixes[p.next%uint8(len(p.prefixes))] = s
	p.next++
	return s
}

// Has is a set of a Packet's fields.
type Has uint16

// The fields of Packet whose presence Has records.
const (
	HasHeader Has = 1 << iota
	HasMark
	HasTimestamp
	HasUID
	HasGID
	HasSeq
	HasSeqGlobal
	HasHWType
	HasCTInfo
	HasVLAN
	HasPrefix
	HasHWLen
)

// Clone returns a copy of p that owns its memory.
func (p *Packet) Clone() Packet {
	c := *p
	c.prefixes, c.next = [4]string{}, 0
	c.HWAddr = bytes.Clone(p.HWAddr)
	c.HWHeader = bytes.Clone(p.HWHeader)
	c.L2Header = bytes.Clone(p.L2Header)
	c.Payload = bytes.Clone(p.Payload)
	c.CT = bytes.Clone(p.CT)
	c.Unknown = bytes.Clone(p.Unknown)
	return c
}

// Decode decodes the payload of an NFULNL_MSG_PACKET message (its
// nfgenmsg and attributes) into p, reusing p's memory. The slices alias
// data afterwards. An error wraps netlink.ErrMalformed.
func (p *Packet) Decode(data []byte) error {
	h, err := netfilter.ParseHeader(data)
	if err != nil {
		return err
	}
	unknown, prefixes, next := p.Unknown[:0], p.prefixes, p.next
	*p = Packet{Family: h.Family, Group: h.ResourceID, prefixes: prefixes, next: next}
	d := netlink.NewAttrDecoder(data[netfilter.HeaderLen:])
	for d.Next() {
		switch d.Type() {
		case nfulaPacketHdr:
			b := d.Bytes()
			if len(b) < 3 {
				return malformed("packet header", len(b))
			}
			p.HWProtocol, p.Hook = binary.BigEndian.Uint16(b), b[2]
			p.Has |= HasHeader
		case nfulaMark:
			p.Mark = d.Uint32BE()
			p.Has |= HasMark
		case nfulaTimestamp:
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
		case nfulaIfindexIndev:
			p.InDev = d.Uint32BE()
		case nfulaIfindexOutdev:
			p.OutDev = d.Uint32BE()
		case nfulaIfindexPhysIn:
			p.PhysInDev = d.Uint32BE()
		case nfulaIfindexPhysOut:
			p.PhysOutDev = d.Uint32BE()
		case nfulaHWAddr:
			// struct nfulnl_msg_packet_hw: __be16 hw_addrlen, __u16 pad,
			// __u8 hw_addr[8].
			b := d.Bytes()
			if len(b) < 4 {
				return malformed("hardware address", len(b))
			}
			n := int(binary.BigEndian.Uint16(b))
			if n > len(b)-4 {
				return malformed("hardware address", len(b))
			}
			p.HWAddr = b[4 : 4+n]
		case nfulaPayload:
			p.Payload = d.Bytes()
		case nfulaPrefix:
			p.Prefix = p.intern(cstring(d.Bytes()))
			p.Has |= HasPrefix
		case nfulaUID:
			p.UID = d.Uint32BE()
			p.Has |= HasUID
		case nfulaGID:
			p.GID = d.Uint32BE()
			p.Has |= HasGID
		case nfulaSeq:
			p.Seq = d.Uint32BE()
			p.Has |= HasSeq
		case nfulaSeqGlobal:
			p.SeqGlobal = d.Uint32BE()
			p.Has |= HasSeqGlobal
		case nfulaHWType:
			p.HWType = d.Uint16BE()
			p.Has |= HasHWType
		case nfulaHWHeader:
			p.HWHeader = d.Bytes()
		case nfulaHWLen:
			// The header's length: HWHeader already has it.
			d.Uint16BE()
			p.Has |= HasHWLen
		case nfulaCT:
			p.CT = d.Bytes()
		case nfulaCTInfo:
			p.CTInfo = d.Uint32BE()
			p.Has |= HasCTInfo
		case nfulaVLAN:
			n := d.Enter()
			for d.Next() {
				switch d.Type() {
				case nfulaVLANProto:
					p.VLANProto = d.Uint16BE()
				case nfulaVLANTCI:
					p.VLANTCI = d.Uint16BE()
				}
			}
			d.Exit(n)
			p.Has |= HasVLAN
		case nfulaL2Hdr:
			p.L2Header = d.Bytes()
		default:
			unknown = appendRaw(unknown, &d)
		}
	}
	if len(unknown) > 0 {
		p.Unknown = unknown
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("nflog: packet: %w", err)
	}
	return nil
}

func malformed(what string, n int) error {
	return fmt.Errorf("nflog: packet: %d-byte %s: %w", n, what, netlink.ErrMalformed)
}

// Append appends p as the payload of an NFULNL_MSG_PACKET message, the
// inverse of Decode (for tests and fake kernels).
func (p *Packet) Append(b []byte) ([]byte, error) {
	b = netfilter.Header{Family: p.Family, ResourceID: p.Group}.Append(b)
	e := netlink.NewAttrEncoder(b)
	if p.Has&HasHeader != 0 {
		e.Bytes(nfulaPacketHdr, []byte{byte(p.HWProtocol >> 8), byte(p.HWProtocol), p.Hook, 0})
	}
	if p.Has&HasMark != 0 {
		e.Uint32BE(nfulaMark, p.Mark)
	}
	if p.Has&HasTimestamp != 0 {
		ts := make([]byte, 16)
		binary.BigEndian.PutUint64(ts, uint64(p.Timestamp.Unix()))
		binary.BigEndian.PutUint64(ts[8:], uint64(p.Timestamp.Nanosecond()/1000))
		e.Bytes(nfulaTimestamp, ts)
	}
	for _, x := range []struct {
		typ uint16
		v   uint32
	}{{nfulaIfindexIndev, p.InDev}, {nfulaIfindexOutdev, p.OutDev}, {nfulaIfindexPhysIn, p.PhysInDev}, {nfulaIfindexPhysOut, p.PhysOutDev}} {
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
		e.Bytes(nfulaHWAddr, hw)
	}
	if p.Has&HasPrefix != 0 {
		e.String(nfulaPrefix, p.Prefix)
	}
	if p.Has&HasUID != 0 {
		e.Uint32BE(nfulaUID, p.UID)
	}
	if p.Has&HasGID != 0 {
		e.Uint32BE(nfulaGID, p.GID)
	}
	if p.Has&HasSeq != 0 {
		e.Uint32BE(nfulaSeq, p.Seq)
	}
	if p.Has&HasSeqGlobal != 0 {
		e.Uint32BE(nfulaSeqGlobal, p.SeqGlobal)
	}
	if p.Has&HasHWType != 0 {
		e.Uint16BE(nfulaHWType, p.HWType)
	}
	if p.HWHeader != nil {
		e.Bytes(nfulaHWHeader, p.HWHeader)
	}
	if p.Has&HasHWLen != 0 {
		e.Uint16BE(nfulaHWLen, uint16(len(p.HWHeader)))
	}
	if p.CT != nil {
		e.Bytes(nfulaCT, p.CT)
	}
	if p.Has&HasCTInfo != 0 {
		e.Uint32BE(nfulaCTInfo, p.CTInfo)
	}
	if p.Has&HasVLAN != 0 {
		n := e.Nest(nfulaVLAN)
		e.Uint16BE(nfulaVLANProto, p.VLANProto)
		e.Uint16BE(nfulaVLANTCI, p.VLANTCI)
		e.End(n)
	}
	if p.L2Header != nil {
		e.Bytes(nfulaL2Hdr, p.L2Header)
	}
	if p.Payload != nil {
		e.Bytes(nfulaPayload, p.Payload)
	}
	e.Raw(p.Unknown)
	return e.Finish()
}

// cstring returns b up to its first NUL.
func cstring(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// appendRaw appends the decoder's current attribute to b as it came.
func appendRaw(b []byte, d *netlink.AttrDecoder) []byte {
	return d.Attr().Append(b)
}
