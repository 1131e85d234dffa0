package netlink

import (
	"encoding/binary"
	"fmt"
	"iter"
	"math"
	"net/netip"
)

// Attribute type flags from <linux/netlink.h>. They share nla_type with the
// attribute's number; Attrs splits them off.
const (
	AttrNested       uint16 = 0x8000 // NLA_F_NESTED: the payload is attributes
	AttrNetByteOrder uint16 = 0x4000 // NLA_F_NET_BYTEORDER: the payload is big-endian
	AttrTypeMask     uint16 = ^(AttrNested | AttrNetByteOrder)
)

// maxAttrLen is the largest nla_len: the field is 16 bits wide.
const maxAttrLen = math.MaxUint16

// Attr is one attribute (struct nlattr) as Attrs yields it: the type with the
// flag bits split off, and a payload that aliases the parsed buffer.
type Attr struct {
	Type         uint16 // the attribute number, flags masked off
	Nested       bool   // NLA_F_NESTED was set
	NetByteOrder bool   // NLA_F_NET_BYTEORDER was set
	Data         []byte // the payload, without padding
}

// Attrs walks the attributes in b. A malformed attribute (a short header, a
// length smaller than the header or past the end of b) yields an error and
// ends the walk; trailing padding is fine.
func Attrs(b []byte) iter.Seq2[Attr, error] {
	return func(yield func(Attr, error) bool) { walkAttrs(b, yield) }
}

// walkAttrs is the body of Attrs. Keeping it out of the closure lets the
// compiler inline Attrs, so a range loop over it allocates nothing.
func walkAttrs(b []byte, yield func(Attr, error) bool) {
	// splitAttr written out, with one way to the error, which lays the
	// loop out better.
	for len(b) > 0 {
		if len(b) >= AttrHeaderLen {
			n := int(binary.NativeEndian.Uint16(b))
			if n >= AttrHeaderLen && n <= len(b) {
				typ := binary.NativeEndian.Uint16(b[2:])
				a := Attr{
					Type:         typ & AttrTypeMask,
					Nested:       typ&AttrNested != 0,
					NetByteOrder: typ&AttrNetByteOrder != 0,
					Data:         b[AttrHeaderLen:n:n],
				}
				if !yield(a, nil) {
					return
				}
				b = b[min(Align(n), len(b)):]
				continue
			}
		}
		yield(Attr{}, attrError(b))
		return
	}
}

// splitAttr splits the attribute at the start of b into its nla_type (flags
// included) and payload, and returns the attributes after it. ok is false
// when b is too short for a header or the length is malformed; attrError
// then says why. Kept small enough to inline: the walks' hot path.
func splitAttr(b []byte) (typ uint16, data, rest []byte, ok bool) {
	if len(b) < AttrHeaderLen {
		return 0, nil, nil, false
	}
	n := int(binary.NativeEndian.Uint16(b))
	if n < AttrHeaderLen || n > len(b) {
		return 0, nil, nil, false
	}
	return binary.NativeEndian.Uint16(b[2:]), b[AttrHeaderLen:n:n], b[min(Align(n), len(b)):], true
}

// attrError describes the malformed attribute at the start of b, for which
// splitAttr returned false.
func attrError(b []byte) error {
	if len(b) < AttrHeaderLen {
		return fmt.Errorf("netlink: %d trailing bytes are too short for an attribute header: %w", len(b), ErrMalformed)
	}
	return fmt.Errorf("netlink: attribute %d has length %d, outside %d..%d: %w",
		binary.NativeEndian.Uint16(b[2:])&AttrTypeMask, binary.NativeEndian.Uint16(b), AttrHeaderLen, len(b), ErrMalformed)
}

// sizeError is the error of a getter called on a payload of the wrong size.
func sizeError(typ uint16, size int, want string) error {
	return &wrongSizeError{typ, size, want}
}

// wrongSizeError is sizeError's error: a struct, formatted when printed,
// rather than an error from fmt.Errorf, so that making it costs no call and
// the Attr getters that return it are small enough to inline (which made the
// route dump benchmark's Iterators a few percent faster).
type wrongSizeError struct {
	typ  uint16
	size int
	want string
}

func (e *wrongSizeError) Error() string {
	return fmt.Sprintf("netlink: attribute %d has %d bytes, want %s: %v", e.typ&AttrTypeMask, e.size, e.want, ErrMalformed)
}

func (e *wrongSizeError) Unwrap() error { return ErrMalformed }

func (a Attr) sizeError(want string) error {
	return sizeError(a.Type, len(a.Data), want)
}

// The integer readers below take the byte order as a flag rather than a
// binary.ByteOrder, which would cost an indirect call per value.

func uint16Of(b []byte, netOrder bool) uint16 {
	if netOrder {
		return binary.BigEndian.Uint16(b)
	}
	return binary.NativeEndian.Uint16(b)
}

func uint32Of(b []byte, netOrder bool) uint32 {
	if netOrder {
		return binary.BigEndian.Uint32(b)
	}
	return binary.NativeEndian.Uint32(b)
}

func uint64Of(b []byte, netOrder bool) uint64 {
	if netOrder {
		return binary.BigEndian.Uint64(b)
	}
	return binary.NativeEndian.Uint64(b)
}

// Uint8 returns the payload as a u8.
func (a Attr) Uint8() (uint8, error) {
	if len(a.Data) != 1 {
		return 0, a.sizeError("1")
	}
	return a.Data[0], nil
}

// Uint16 returns the payload as a u16 in host byte order, or big-endian when
// NLA_F_NET_BYTEORDER is set.
func (a Attr) Uint16() (uint16, error) {
	if len(a.Data) != 2 {
		return 0, a.sizeError("2")
	}
	return uint16Of(a.Data, a.NetByteOrder), nil
}

// Uint32 returns the payload as a u32 in host byte order, or big-endian when
// NLA_F_NET_BYTEORDER is set.
func (a Attr) Uint32() (uint32, error) {
	if len(a.Data) != 4 {
		return 0, a.sizeError("4")
	}
	return uint32Of(a.Data, a.NetByteOrder), nil
}

// Uint64 returns the payload as a u64 in host byte order, or big-endian when
// NLA_F_NET_BYTEORDER is set.
func (a Attr) Uint64() (uint64, error) {
	if len(a.Data) != 8 {
		return 0, a.sizeError("8")
	}
	return uint64Of(a.Data, a.NetByteOrder), nil
}

// Uint16BE returns the payload as a big-endian u16 (the kernel's __be16),
// whether or not NLA_F_NET_BYTEORDER is set.
func (a Attr) Uint16BE() (uint16, error) {
	if len(a.Data) != 2 {
		return 0, a.sizeError("2")
	}
	return binary.BigEndian.Uint16(a.Data), nil
}

// Uint32BE returns the payload as a big-endian u32 (the kernel's __be32),
// whether or not NLA_F_NET_BYTEORDER is set.
func (a Attr) Uint32BE() (uint32, error) {
	if len(a.Data) != 4 {
		return 0, a.sizeError("4")
	}
	return binary.BigEndian.Uint32(a.Data), nil
}

// Uint64BE returns the payload as a big-endian u64 (the kernel's __be64),
// whether or not NLA_F_NET_BYTEORDER is set.
func (a Attr) Uint64BE() (uint64, error) {
	if len(a.Data) != 8 {
		return 0, a.sizeError("8")
	}
	return binary.BigEndian.Uint64(a.Data), nil
}

// Int8 returns the payload as an s8.
func (a Attr) Int8() (int8, error) {
	v, err := a.Uint8()
	return int8(v), err
}

// Int16 returns the payload as an s16, in the byte order Uint16 uses.
func (a Attr) Int16() (int16, error) {
	v, err := a.Uint16()
	return int16(v), err
}

// Int32 returns the payload as an s32, in the byte order Uint32 uses.
func (a Attr) Int32() (int32, error) {
	v, err := a.Uint32()
	return int32(v), err
}

// Int64 returns the payload as an s64, in the byte order Uint64 uses.
func (a Attr) Int64() (int64, error) {
	v, err := a.Uint64()
	return int64(v), err
}

// Uint returns the payload of a variable-width NLA_UINT attribute: 4 or 8
// bytes, as the kernel's nla_get_uint reads it.
func (a Attr) Uint() (uint64, error) {
	switch len(a.Data) {
	case 4:
		return uint64(uint32Of(a.Data, a.NetByteOrder)), nil
	case 8:
		return uint64Of(a.Data, a.NetByteOrder), nil
	}
	return 0, a.sizeError("4 or 8")
}

// Int returns the payload of a variable-width NLA_SINT attribute: 4 or 8
// bytes, sign-extended as the kernel's nla_get_sint does.
func (a Attr) Int() (int64, error) {
	switch len(a.Data) {
	case 4:
		return int64(int32(uint32Of(a.Data, a.NetByteOrder))), nil
	case 8:
		return int64(uint64Of(a.Data, a.NetByteOrder)), nil
	}
	return 0, a.sizeError("4 or 8")
}

// Flag reports whether an NLA_FLAG attribute is well formed: present, with no
// payload. Its presence is the value.
func (a Attr) Flag() (bool, error) {
	if len(a.Data) != 0 {
		return false, a.sizeError("0")
	}
	return true, nil
}

// Str returns the payload as a string, without the terminating NUL if there
// is one (NLA_STRING payloads may or may not carry it). The string is a copy;
// use Data to read it without copying.
func (a Attr) Str() string {
	b := a.Data
	if len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return string(b)
}

// CString returns the payload of an NLA_NUL_STRING attribute: the bytes
// before the first NUL. A payload with no NUL is an error.
func (a Attr) CString() (string, error) {
	for i, c := range a.Data {
		if c == 0 {
			return string(a.Data[:i]), nil
		}
	}
	return "", fmt.Errorf("netlink: attribute %d: string is not NUL-terminated: %w", a.Type, ErrMalformed)
}

// Addr returns the payload as an IPv4 (4 bytes) or IPv6 (16 bytes) address.
func (a Attr) Addr() (netip.Addr, error) {
	switch len(a.Data) {
	case 4:
		return netip.AddrFrom4([4]byte(a.Data)), nil
	case 16:
		return netip.AddrFrom16([16]byte(a.Data)), nil
	}
	return netip.Addr{}, a.sizeError("4 or 16")
}

// Append appends a to b as it came: its header, with the NLA_F_NESTED and
// NLA_F_NET_BYTEORDER flags it had, its payload and its padding. Typed
// packages keep the attributes they do not decode this way, to send them
// back unchanged.
func (a Attr) Append(b []byte) []byte {
	n := len(a.Data)
	b = binary.NativeEndian.AppendUint16(b, uint16(AttrLen(n)))
	b = binary.NativeEndian.AppendUint16(b, a.rawType())
	b = append(b, a.Data...)
	for range AttrSpace(n) - AttrLen(n) {
		b = append(b, 0)
	}
	return b
}

// rawType is a's nla_type as it came: the number with its flags.
func (a Attr) rawType() uint16 {
	typ := a.Type
	if a.Nested {
		typ |= AttrNested
	}
	if a.NetByteOrder {
		typ |= AttrNetByteOrder
	}
	return typ
}

// Attrs walks the attributes nested in a's payload.
func (a Attr) Attrs() iter.Seq2[Attr, error] {
	return Attrs(a.Data)
}

// RawAttrs are attributes kept as they came, in order: each a struct
// nlattr (its type with the NLA_F_NESTED and NLA_F_NET_BYTEORDER flags it
// had), its payload and its padding, as Attr.Append writes them. The typed
// packages (rtnetlink, tc, xfrm, netfilter/nftables, ...) keep in a
// RawAttrs field the attributes that an object's other fields do not
// model, such as those of kernels newer than the package, and send them
// back unchanged (AttrEncoder.RawAttrs), so that an object that was listed
// is deleted or re-added whole, and not another that differs only by what
// the package does not decode.
//
// A RawAttrs is a string, so objects that hold one stay comparable with ==
// and their copies share no mutable memory. The zero RawAttrs has no
// attributes. To make one, append the attributes to a []byte (Attr.Append,
// an AttrEncoder) and convert it.
type RawAttrs string

// All walks the attributes, as Attrs does. The payloads alias a copy of r.
func (r RawAttrs) All() iter.Seq2[Attr, error] {
	return Attrs([]byte(r))
}

// AttrEncoder appends attributes to a buffer the caller owns. Errors are
// sticky: after the first, every call does nothing and Finish returns the
// error. The errors are an attribute or nest longer than the 65,535 bytes
// nla_len can say (ErrAttrTooLarge), an invalid address, and the misuses of
// nests that would leave a malformed message: End or Cancel with an offset
// that is not an open nest, End of a nest that still has nests open inside
// it, nests more than MaxNestDepth deep, and Finish with nests left open.
// The zero AttrEncoder appends to a nil buffer; Reset gives it a buffer to
// reuse.
type AttrEncoder struct {
	b     []byte
	err   error
	nests [MaxNestDepth]int // the offsets of the open nests, outermost first
	depth int               // how many nests are open
}

// MaxNestDepth is how many nests an AttrEncoder keeps open at once: a fixed
// array, so that nesting allocates nothing. The kernel parses nests no
// deeper than this (its MAX_POLICY_RECURSION_DEPTH is 10).
const MaxNestDepth = 16

// NewAttrEncoder returns an encoder that appends to b. Anything already in b,
// such as a message header and a family header, is kept.
func NewAttrEncoder(b []byte) *AttrEncoder {
	return &AttrEncoder{b: b}
}

// Reset makes e append to b, and clears its error and its open nests.
func (e *AttrEncoder) Reset(b []byte) {
	e.b, e.err, e.depth = b, nil, 0
}

// Finish returns the buffer with the attributes appended, or the first error.
// A nest left open is an error.
func (e *AttrEncoder) Finish() ([]byte, error) {
	if e.err == nil && e.depth > 0 {
		start := e.nests[e.depth-1]
		e.err = fmt.Errorf("netlink: %d nests left open; the innermost, attribute %d, starts at offset %d",
			e.depth, e.nestType(start), start)
	}
	return e.b, e.err
}

// Len returns the length of the buffer so far, with what it held before
// the attributes: for a caller that splits a request that would grow too
// large.
func (e *AttrEncoder) Len() int { return len(e.b) }

// Err returns the first error e met, or nil.
func (e *AttrEncoder) Err() error {
	return e.err
}

// header appends an attribute header for a payload of n bytes and returns
// false if the attribute cannot be encoded.
func (e *AttrEncoder) header(typ uint16, n int) bool {
	if e.err != nil {
		return false
	}
	if AttrLen(n) > maxAttrLen {
		e.err = fmt.Errorf("netlink: attribute %d: %d-byte payload does not fit in nla_len (at most %d): %w",
			typ&AttrTypeMask, n, maxAttrLen-AttrHeaderLen, ErrAttrTooLarge)
		return false
	}
	e.b = pad(e.b)
	e.b = binary.NativeEndian.AppendUint16(e.b, uint16(AttrLen(n)))
	e.b = binary.NativeEndian.AppendUint16(e.b, typ)
	return true
}

// Bytes appends an attribute with payload data.
func (e *AttrEncoder) Bytes(typ uint16, data []byte) {
	if e.header(typ, len(data)) {
		e.b = pad(append(e.b, data...))
	}
}

// Uint8 appends a u8 attribute.
func (e *AttrEncoder) Uint8(typ uint16, v uint8) {
	if e.header(typ, 1) {
		e.b = pad(append(e.b, v))
	}
}

// Uint16 appends a u16 attribute in host byte order.
func (e *AttrEncoder) Uint16(typ uint16, v uint16) {
	if e.header(typ, 2) {
		e.b = pad(binary.NativeEndian.AppendUint16(e.b, v))
	}
}

// Uint32 appends a u32 attribute in host byte order.
func (e *AttrEncoder) Uint32(typ uint16, v uint32) {
	if e.header(typ, 4) {
		e.b = binary.NativeEndian.AppendUint32(e.b, v)
	}
}

// Uint64 appends a u64 attribute in host byte order.
func (e *AttrEncoder) Uint64(typ uint16, v uint64) {
	if e.header(typ, 8) {
		e.b = binary.NativeEndian.AppendUint64(e.b, v)
	}
}

// Uint16BE appends a big-endian u16 attribute (the kernel's nla_put_be16).
// NLA_F_NET_BYTEORDER is not set; or it into typ to set it.
func (e *AttrEncoder) Uint16BE(typ uint16, v uint16) {
	if e.header(typ, 2) {
		e.b = pad(binary.BigEndian.AppendUint16(e.b, v))
	}
}

// Uint32BE appends a big-endian u32 attribute (the kernel's nla_put_be32).
func (e *AttrEncoder) Uint32BE(typ uint16, v uint32) {
	if e.header(typ, 4) {
		e.b = binary.BigEndian.AppendUint32(e.b, v)
	}
}

// Uint64BE appends a big-endian u64 attribute (the kernel's nla_put_be64).
func (e *AttrEncoder) Uint64BE(typ uint16, v uint64) {
	if e.header(typ, 8) {
		e.b = binary.BigEndian.AppendUint64(e.b, v)
	}
}

// Int8 appends an s8 attribute.
func (e *AttrEncoder) Int8(typ uint16, v int8) { e.Uint8(typ, uint8(v)) }

// Int16 appends an s16 attribute in host byte order.
func (e *AttrEncoder) Int16(typ uint16, v int16) { e.Uint16(typ, uint16(v)) }

// Int32 appends an s32 attribute in host byte order.
func (e *AttrEncoder) Int32(typ uint16, v int32) { e.Uint32(typ, uint32(v)) }

// Int64 appends an s64 attribute in host byte order.
func (e *AttrEncoder) Int64(typ uint16, v int64) { e.Uint64(typ, uint64(v)) }

// Uint appends a variable-width NLA_UINT attribute: 4 bytes when v fits, 8
// otherwise, as the kernel's nla_put_uint does.
func (e *AttrEncoder) Uint(typ uint16, v uint64) {
	if v <= math.MaxUint32 {
		e.Uint32(typ, uint32(v))
		return
	}
	e.Uint64(typ, v)
}

// Int appends a variable-width NLA_SINT attribute: 4 bytes when v fits, 8
// otherwise, as the kernel's nla_put_sint does.
func (e *AttrEncoder) Int(typ uint16, v int64) {
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		e.Uint32(typ, uint32(v))
		return
	}
	e.Uint64(typ, uint64(v))
}

// Flag appends an NLA_FLAG attribute: a header with no payload.
func (e *AttrEncoder) Flag(typ uint16) {
	e.header(typ, 0)
}

// String appends s with a terminating NUL, which both NLA_STRING and
// NLA_NUL_STRING accept.
func (e *AttrEncoder) String(typ uint16, s string) {
	if e.header(typ, len(s)+1) {
		e.b = pad(append(append(e.b, s...), 0))
	}
}

// Addr appends an IP address: 4 bytes for IPv4, 16 for IPv6 (IPv4-mapped
// IPv6 included). An invalid (zero) address is an error.
func (e *AttrEncoder) Addr(typ uint16, ip netip.Addr) {
	switch {
	case ip.Is4():
		a := ip.As4()
		e.Bytes(typ, a[:])
	case ip.Is6():
		a := ip.As16()
		e.Bytes(typ, a[:])
	default:
		if e.err == nil {
			e.err = fmt.Errorf("netlink: attribute %d: invalid IP address", typ&AttrTypeMask)
		}
	}
}

// Raw appends b as it is, padded to the alignment: a fixed-size header
// inside a nest, such as the struct ifinfomsg that starts the payload of
// veth's VETH_INFO_PEER, before the peer's attributes.
func (e *AttrEncoder) Raw(b []byte) {
	if e.err == nil {
		e.b = pad(append(pad(e.b), b...))
	}
}

// Attr appends a as it came: its type with the NLA_F_NESTED and
// NLA_F_NET_BYTEORDER flags it had, and its payload. Attr.Append is the
// same for a []byte.
func (e *AttrEncoder) Attr(a Attr) {
	e.Bytes(a.rawType(), a.Data)
}

// RawAttrs appends r as it is, aligned: attributes that a typed object
// kept undecoded, sent back. r is not checked: bytes that do not parse as
// attributes go out as they are (walk r.All first to refuse them). An
// empty r appends nothing.
func (e *AttrEncoder) RawAttrs(r RawAttrs) {
	if e.err == nil && r != "" {
		e.b = pad(append(pad(e.b), r...))
	}
}

// Nest starts a nested attribute with NLA_F_NESTED set and returns its
// offset, to pass to End or Cancel after appending what it holds. Nests
// close innermost first. A nest MaxNestDepth deep already is an error.
func (e *AttrEncoder) Nest(typ uint16) int {
	if e.err != nil {
		return -1
	}
	if e.depth == len(e.nests) {
		e.err = fmt.Errorf("netlink: nested attribute %d: nests more than %d deep", typ&AttrTypeMask, MaxNestDepth)
		return -1
	}
	e.b = pad(e.b)
	start := len(e.b)
	e.b = binary.NativeEndian.AppendUint16(e.b, 0)
	e.b = binary.NativeEndian.AppendUint16(e.b, typ|AttrNested)
	e.nests[e.depth] = start
	e.depth++
	return start
}

// nestType is the attribute number of the nest that starts at start.
func (e *AttrEncoder) nestType(start int) uint16 {
	return binary.NativeEndian.Uint16(e.b[start+2:]) & AttrTypeMask
}

// open returns the depth of the open nest that starts at start, or -1.
func (e *AttrEncoder) open(start int) int {
	for i := e.depth - 1; i >= 0; i-- {
		if e.nests[i] == start {
			return i
		}
	}
	return -1
}

// End closes the nest that Nest started at start, setting its length. The
// nest must be the innermost one open. A nest that grew past 65,535 bytes is
// an error.
func (e *AttrEncoder) End(start int) {
	if e.err != nil {
		return
	}
	switch i := e.open(start); {
	case i < 0:
		e.err = fmt.Errorf("netlink: End(%d): no nest open there", start)
		return
	case i < e.depth-1:
		inner := e.nests[e.depth-1]
		e.err = fmt.Errorf("netlink: End(%d) of attribute %d: the nest of attribute %d at offset %d is still open inside it",
			start, e.nestType(start), e.nestType(inner), inner)
		return
	}
	n := len(e.b) - start
	if n > maxAttrLen {
		e.err = fmt.Errorf("netlink: nested attribute %d: %d bytes do not fit in nla_len (at most %d): %w",
			e.nestType(start), n, maxAttrLen, ErrAttrTooLarge)
		return
	}
	binary.NativeEndian.PutUint16(e.b[start:], uint16(n))
	e.depth--
}

// Cancel drops the nest that Nest started at start, with everything appended
// since, nests still open inside it included. Once e has an error, Cancel
// does nothing: the error stays, so that Finish reports it.
func (e *AttrEncoder) Cancel(start int) {
	if e.err != nil {
		return
	}
	i := e.open(start)
	if i < 0 {
		e.err = fmt.Errorf("netlink: Cancel(%d): no nest open there", start)
		return
	}
	e.b = e.b[:start]
	e.depth = i
}
