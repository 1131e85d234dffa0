package tc

import (
	"encoding/binary"
	"fmt"

	"github.com/nlkit/netlink"
)

// The u32 attributes (TCA_U32_*, linux/pkt_cls.h).
const (
	u32ClassID = 1  // TCA_U32_CLASSID
	u32Hash    = 2  // TCA_U32_HASH
	u32Link    = 3  // TCA_U32_LINK
	u32Divisor = 4  // TCA_U32_DIVISOR
	u32Sel     = 5  // TCA_U32_SEL: struct tc_u32_sel and its keys
	u32Act     = 7  // TCA_U32_ACT
	u32Pcnt    = 9  // TCA_U32_PCNT: hit counters
	u32Flags   = 11 // TCA_U32_FLAGS
	u32Pad     = 12 // TCA_U32_PAD

	u32SelLen = 16 // struct tc_u32_sel without its keys
	u32KeyLen = 16 // struct tc_u32_key
)

// U32 is the options of a u32 filter: a selector of 32-bit keys matched at
// offsets in the packet, or, with Divisor set, a hash table of filters.
type U32 struct {
	ClassID Handle // TCA_U32_CLASSID: the class matching packets go to
	// Hash is TCA_U32_HASH, the hash table (and bucket) the filter goes
	// in, as a handle htid:hash: (see U32Handle); 0 is the table the
	// kernel made for the priority.
	Hash uint32
	// Link is TCA_U32_LINK: the hash table matching packets continue in.
	Link uint32
	// Divisor is TCA_U32_DIVISOR: when set, the filter is a hash table
	// of this many buckets (a power of two, at most 256), made empty.
	Divisor uint32
	Sel     *U32Sel // TCA_U32_SEL: the keys
	// Flags are TCA_U32_FLAGS: FlagSkipHW, FlagSkipSW (the kernel adds
	// FlagInHW or FlagNotInHW, which are not sent back).
	Flags   uint32
	Actions []Action // TCA_U32_ACT, run in order on a match
	Other   RawAttrs // attributes no field models (police, indev, mark), sent back
}

// U32Sel is struct tc_u32_sel: the keys, and how to find the next header
// for the next hash table.
type U32Sel struct {
	Flags    uint8  // TC_U32_TERMINAL (1), TC_U32_OFFSET (2), TC_U32_VAROFFSET (4), TC_U32_EAT (8)
	Offshift uint8  // with Offmask: the offset read from the packet
	Offmask  uint16 // in host order (the kernel's is big endian)
	Off      uint16
	Offoff   int16
	Hoff     int16  // where the hash key is
	Hmask    uint32 // the hash key's mask, in host order as the bytes read (0xff000000 is the first byte)
	Keys     []U32Key
}

// U32Key is struct tc_u32_key: match the 32 bits at Off (from the
// network header, or from the next header with OffMask) against Val under
// Mask. Val and Mask read the packet's bytes big endian: the key for
// destination 198.18.0.0/15 at offset 16 is Val 0xc6120000, Mask
// 0xfffe0000.
type U32Key struct {
	Mask    uint32
	Val     uint32
	Off     int32
	OffMask int32
}

// TC_U32_TERMINAL: the selector's flag of a filter that ends the search.
const U32Terminal = 1

func init() { registerFilter("u32", func() Options { return new(U32) }) }

// Kind returns "u32".
func (*U32) Kind() string { return "u32" }

// U32Handle returns the u32 handle htid:hash:node (12, 8 and 12 bits),
// as tc writes it ("800:0:1", "800::" for a table).
func U32Handle(htid, hash, node uint32) uint32 { return htid<<20 | hash<<12 | node }

// FormatU32Handle writes a u32 handle as tc does: "800:", "800::800".
func FormatU32Handle(h uint32) string {
	ht, hash, node := h>>20, h>>12&0xff, h&0xfff
	s := fmt.Sprintf("%x:", ht)
	if hash != 0 || node != 0 {
		if hash != 0 {
			s += fmt.Sprintf("%x", hash)
		}
		s += ":"
		if node != 0 {
			s += fmt.Sprintf("%x", node)
		}
	}
	return s
}

func (u *U32) encode(e *netlink.AttrEncoder) error {
	if u.Divisor != 0 && (u.Divisor&(u.Divisor-1) != 0 || u.Divisor > 256) {
		return badf("u32: divisor %d (a power of two, at most 256)", u.Divisor)
	}
	if u.Divisor == 0 && u.Sel == nil {
		return badf("u32: no selector and no divisor")
	}
	if u.Sel != nil && len(u.Sel.Keys) > 128 {
		return badf("u32: %d keys (at most 128)", len(u.Sel.Keys))
	}
	n := e.Nest(tcaOptions)
	if u.ClassID != HandleUnspec {
		e.Uint32(u32ClassID, uint32(u.ClassID))
	}
	if u.Hash != 0 {
		e.Uint32(u32Hash, u.Hash)
	}
	if u.Link != 0 {
		e.Uint32(u32Link, u.Link)
	}
	if u.Divisor != 0 {
		e.Uint32(u32Divisor, u.Divisor)
	}
	if u.Sel != nil {
		e.Bytes(u32Sel, u.Sel.append(nil))
	}
	if f := u.Flags & flagsSettable; f != 0 {
		e.Uint32(u32Flags, f)
	}
	if err := putActions(e, u32Act, u.Actions, true); err != nil {
		return err
	}
	if err := putOther(e, u.Other); err != nil {
		return err
	}
	e.End(n)
	return nil
}

func (s *U32Sel) append(b []byte) []byte {
	b = append(b, s.Flags, s.Offshift, uint8(len(s.Keys)), 0)
	b = binary.BigEndian.AppendUint16(b, s.Offmask)
	b = ne.AppendUint16(b, s.Off)
	b = ne.AppendUint16(b, uint16(s.Offoff))
	b = ne.AppendUint16(b, uint16(s.Hoff))
	b = binary.BigEndian.AppendUint32(b, s.Hmask)
	for _, k := range s.Keys {
		b = binary.BigEndian.AppendUint32(b, k.Mask)
		b = binary.BigEndian.AppendUint32(b, k.Val)
		b = ne.AppendUint32(b, uint32(k.Off))
		b = ne.AppendUint32(b, uint32(k.OffMask))
	}
	return b
}

func parseU32Sel(p []byte) (*U32Sel, error) {
	if len(p) < u32SelLen || len(p) < u32SelLen+int(p[2])*u32KeyLen {
		return nil, fmt.Errorf("TCA_U32_SEL of %d bytes: %w", len(p), netlink.ErrMalformed)
	}
	s := &U32Sel{
		Flags: p[0], Offshift: p[1], Offmask: binary.BigEndian.Uint16(p[4:]), Off: ne.Uint16(p[6:]),
		Offoff: int16(ne.Uint16(p[8:])), Hoff: int16(ne.Uint16(p[10:])), Hmask: binary.BigEndian.Uint32(p[12:]),
	}
	for i := range int(p[2]) {
		k := p[u32SelLen+i*u32KeyLen:]
		s.Keys = append(s.Keys, U32Key{
			Mask: binary.BigEndian.Uint32(k), Val: binary.BigEndian.Uint32(k[4:]),
			Off: int32(ne.Uint32(k[8:])), OffMask: int32(ne.Uint32(k[12:])),
		})
	}
	return s, nil
}

func (u *U32) decode(b []byte) error {
	var rest []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case u32ClassID:
			u.ClassID = Handle(d.Uint32())
		case u32Hash:
			u.Hash = d.Uint32()
		case u32Link:
			u.Link = d.Uint32()
		case u32Divisor:
			u.Divisor = d.Uint32()
		case u32Sel:
			s, err := parseU32Sel(d.Bytes())
			if err != nil {
				return err
			}
			u.Sel = s
		case u32Flags:
			u.Flags = d.Uint32()
		case u32Act:
			acts, err := decodeActions(d.Bytes())
			if err != nil {
				return err
			}
			u.Actions = acts
		case u32Pcnt, u32Pad:
			// Counters, the kernel's.
		default:
			rest = d.Attr().Append(rest)
		}
	}
	u.Other = RawAttrs(rest)
	return d.Err()
}
