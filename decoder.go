package netlink

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// AttrDecoder reads a block of attributes one at a time, as bufio.Scanner
// reads lines: Next moves to the next attribute, Type says which it is, and
// a getter reads its payload. Errors are sticky: a malformed attribute, or a
// getter called on a payload of the wrong size, is an error wrapping
// ErrMalformed, after which Next returns false and Err reports it. Check Err
// once, after the loop:
//
//	d := netlink.NewAttrDecoder(b)
//	for d.Next() {
//		switch d.Type() {
//		case unix.IFLA_MTU:
//			mtu = d.Uint32()
//		case unix.IFLA_LINKINFO:
//			outer := d.Enter()
//			for d.Next() {
//				if d.Type() == unix.IFLA_INFO_KIND {
//					kind = d.String()
//				}
//			}
//			d.Exit(outer)
//		}
//	}
//	if err := d.Err(); err != nil {
//		return err
//	}
//
// Payloads alias the decoded buffer, as with Attrs. A getter's value is the
// zero value when it fails. NewAttrDecoder and Message.AttrDecoder return
// decoders by value, so that they live on the caller's stack: decoding
// allocates nothing but errors and the strings String and CString return.
// Share a decoder by its address. The zero AttrDecoder has no attributes;
// Reset gives it some.
//
// Nested attributes are walked by the same decoder, between Enter and Exit,
// so that an error inside a nest is simply the decoder's error. (A separate
// decoder for the nest would have to point back to the outer one to hand
// its error over, and the compiler then moves both to the heap.)
type AttrDecoder struct {
	rest []byte  // the attributes after the current one; nil once d failed
	cur  []byte  // the current attribute, header included; nil before the first
	typ  uint16  // the current attribute's nla_type, flags included
	bad  failure // the first error; 0 if none
}

// failure is an AttrDecoder's first error, as a number that Err formats: the
// kind of failure in the low 8 bits, and above them what the message needs.
//
// Why not an error value: the getters must inline and be free of calls, even
// on their error paths. A call on a path never taken still makes the compiler
// spill the caller's loop variables on every pass, which cost the route dump
// benchmark in bench_test.go about a tenth of its time. Making an error value
// calls fmt, or at least the allocator.
type failure uint64

// The kinds of failure.
const (
	failWant0     failure = iota + 1 // Flag: payload not empty
	failWant1                        // wrong size, want 1 byte
	failWant2                        // want 2
	failWant4                        // want 4
	failWant8                        // want 8
	failWant4or8                     // Uint, Int: want 4 or 8
	failWant4or16                    // Addr: want 4 or 16
	failNoNUL                        // CString: no terminating NUL
	failHeader                       // a malformed attribute inside a nest
	failShort                        // the payload is shorter than the family header
)

var failWants = [...]string{
	failWant0: "0", failWant1: "1", failWant2: "2", failWant4: "4", failWant8: "8",
	failWant4or8: "4 or 8", failWant4or16: "4 or 16",
}

// sizeFailure is the failure of a getter that wanted a payload of another
// size (or a NUL), for the current attribute. It records the attribute's
// whole length, which error turns into the payload's.
func (d *AttrDecoder) sizeFailure(kind failure) failure {
	return kind | failure(d.typ)<<8 | failure(len(d.cur))<<24
}

// headerFailure is the failure for the malformed attribute at the start of b,
// which lies inside a nest: so len(b) fits in 16 bits, like nla_len.
func headerFailure(b []byte) failure {
	f := failHeader | failure(len(b))<<40
	if len(b) >= AttrHeaderLen {
		f |= failure(binary.NativeEndian.Uint16(b[2:]))<<8 | failure(binary.NativeEndian.Uint16(b))<<24
	}
	return f
}

// error formats d.bad, which is not 0.
func (d *AttrDecoder) error() error {
	f := d.bad
	kind, typ := f&0xff, uint16(f>>8)
	switch kind {
	case failHeader:
		n, size := int(uint16(f>>24)), int(uint16(f>>40))
		if size < AttrHeaderLen {
			return fmt.Errorf("netlink: %d trailing bytes are too short for an attribute header: %w", size, ErrMalformed)
		}
		return fmt.Errorf("netlink: attribute %d has length %d, outside %d..%d: %w",
			typ&AttrTypeMask, n, AttrHeaderLen, size, ErrMalformed)
	case failShort:
		// The payload size is rest's capacity: see Message.AttrDecoder.
		return shortPayloadError(cap(d.rest), HeaderType(typ), int(int32(f>>24)))
	case failNoNUL:
		return fmt.Errorf("netlink: attribute %d: string is not NUL-terminated: %w", typ&AttrTypeMask, ErrMalformed)
	}
	// Before the first attribute, cur is empty: 0 bytes.
	return sizeError(typ, max(int(uint32(f>>24))-AttrHeaderLen, 0), failWants[kind])
}

// NewAttrDecoder returns a decoder for the attributes in b.
func NewAttrDecoder(b []byte) AttrDecoder {
	return AttrDecoder{rest: b}
}

// Reset makes d decode the attributes in b, forgetting its error.
func (d *AttrDecoder) Reset(b []byte) {
	*d = AttrDecoder{rest: b}
}

// AttrDecoder returns a decoder for the attributes of m's payload that
// follow a fixed family header of fixedLen bytes: the decoder form of
// m.Attrs(fixedLen), with the same rules. When the payload is shorter than
// the family header, the decoder starts with an error.
//
// It takes a pointer, unlike Attrs, so that calling it does not copy m:
// Header has too many fields for the compiler to copy them cheaply.
func (m *Message) AttrDecoder(fixedLen int) AttrDecoder {
	// One composite literal of two fields: the compiler builds one returned
	// from several places, or of more fields, in a temporary and copies it,
	// and the first reads of the copy stall on the stores just made. (For
	// the same reason MessageDecoder.AttrDecoder repeats this body rather
	// than share it: one more inlined call adds one more copy, which made
	// the route dump benchmark's decoders 40% slower.)
	var rest []byte
	var bad failure
	if fixedLen >= 0 && fixedLen <= len(m.Data) {
		// Like nlmsg_parse, need the family header only, not its padding.
		rest = m.Data[min(Align(fixedLen), len(m.Data)):]
	} else {
		// No attributes; the capacity keeps the payload size for the error.
		rest = m.Data[:0:len(m.Data)]
		bad = failShort | failure(m.Header.Type)<<8 | failure(uint32(fixedLen))<<24
	}
	return AttrDecoder{rest: rest, bad: bad}
}

// Next moves to the next attribute and reports whether there is one. It
// returns false at the end of the attributes (trailing padding is fine), at
// a malformed attribute (a short header, a length smaller than the header or
// past the end of the block), and once d has an error.
func (d *AttrDecoder) Next() bool {
	// Free of calls, so that it inlines into the caller's loop: a malformed
	// attribute just stops the walk, and Err says why. A failure sets rest
	// to nil.
	//
	// The current attribute is kept whole, header included: a slice from
	// where b starts costs less than one of the payload, which may be
	// empty and then must not point past b (the compiler masks its start).
	// One return false, rather than one per check, made the route dump
	// benchmark's decoders 5% faster: the branches lay out better. rest's
	// capacity is cut to its length, which spares loading the old one.
	b := d.rest
	if len(b) >= AttrHeaderLen {
		n := int(binary.NativeEndian.Uint16(b))
		if n >= AttrHeaderLen && n <= len(b) {
			d.typ = binary.NativeEndian.Uint16(b[2:])
			d.cur = b[:n:n]
			d.rest = b[min(Align(n), len(b)):len(b):len(b)]
			return true
		}
	}
	return false
}

// Err returns the first error d met, in nests too, or nil. Call it once Next
// has returned false; called earlier, it also reports a malformed attribute
// that Next has yet to reach. Each call makes a new error value.
func (d *AttrDecoder) Err() error {
	if d.bad == 0 && len(d.rest) == 0 {
		return nil
	}
	return d.slowErr()
}

// slowErr is Err when d failed, or has attributes left that may be
// malformed: Next stops at one without saying why.
func (d *AttrDecoder) slowErr() error {
	if d.bad != 0 {
		return d.error()
	}
	if _, _, _, ok := splitAttr(d.rest); !ok {
		return attrError(d.rest)
	}
	return nil
}

// fail records f as d's error, unless d has one already, and stops the
// walk. It inlines, and has no calls: see failure.
func (d *AttrDecoder) fail(f failure) {
	if d.bad == 0 {
		d.bad = f
	}
	d.rest = nil
}

// Type returns the current attribute's number, without the flag bits.
func (d *AttrDecoder) Type() uint16 {
	return d.typ & AttrTypeMask
}

// Attr returns the current attribute, its flags split off as Attrs does.
func (d *AttrDecoder) Attr() Attr {
	return Attr{
		Type:         d.typ & AttrTypeMask,
		Nested:       d.typ&AttrNested != 0,
		NetByteOrder: d.typ&AttrNetByteOrder != 0,
		Data:         d.Bytes(),
	}
}

// Bytes returns the current attribute's payload, without padding. It
// aliases the decoded buffer.
func (d *AttrDecoder) Bytes() []byte {
	if len(d.cur) < AttrHeaderLen {
		return nil // no attribute yet
	}
	return d.cur[AttrHeaderLen:]
}

// AttrNest records where an AttrDecoder's walk stood when it entered a nest;
// Exit goes back there.
type AttrNest struct {
	rest, cur []byte
	typ       uint16
}

// Enter makes d walk the attributes in the current attribute's payload,
// whether or not NLA_F_NESTED is set (rtnetlink often leaves it off), until
// Exit. An error inside the nest is d's error, and ends the outer walk too.
func (d *AttrDecoder) Enter() AttrNest {
	outer := AttrNest{d.rest, d.cur, d.typ}
	if d.bad == 0 {
		d.rest = d.Bytes()
	}
	return outer
}

// Exit ends the walk of a nest and goes back to the outer walk that Enter
// left, which returned outer: the current attribute is the nest again, and
// the next Next moves to the attribute after it. The walk of the nest need
// not have reached its end; a malformed attribute where it stopped is d's
// error, as it is for Err.
func (d *AttrDecoder) Exit(outer AttrNest) {
	if d.bad == 0 && len(d.rest) > 0 {
		if _, _, _, ok := splitAttr(d.rest); !ok {
			d.fail(headerFailure(d.rest))
		}
	}
	if d.bad == 0 {
		d.rest = outer.rest
	}
	d.cur, d.typ = outer.cur, outer.typ
}

// The getters below have no calls, even on their error paths (see
// failure), and all but Uint, Int and Addr are small enough to inline. The
// sized ones check the length of the whole attribute, so that the compiler
// sees the payload's bytes are there (cur[AttrHeaderLen:] could be empty).

// Uint8 returns the payload as a u8.
func (d *AttrDecoder) Uint8() uint8 {
	if len(d.cur) != AttrHeaderLen+1 {
		d.fail(d.sizeFailure(failWant1))
		return 0
	}
	return d.cur[AttrHeaderLen]
}

// Uint16 returns the payload as a u16 in host byte order, or big-endian when
// NLA_F_NET_BYTEORDER is set.
func (d *AttrDecoder) Uint16() uint16 {
	if len(d.cur) != AttrHeaderLen+2 {
		d.fail(d.sizeFailure(failWant2))
		return 0
	}
	if d.typ&AttrNetByteOrder != 0 {
		return binary.BigEndian.Uint16(d.cur[AttrHeaderLen:])
	}
	return binary.NativeEndian.Uint16(d.cur[AttrHeaderLen:])
}

// Uint32 returns the payload as a u32 in host byte order, or big-endian when
// NLA_F_NET_BYTEORDER is set.
func (d *AttrDecoder) Uint32() uint32 {
	if len(d.cur) != AttrHeaderLen+4 {
		d.fail(d.sizeFailure(failWant4))
		return 0
	}
	if d.typ&AttrNetByteOrder != 0 {
		return binary.BigEndian.Uint32(d.cur[AttrHeaderLen:])
	}
	return binary.NativeEndian.Uint32(d.cur[AttrHeaderLen:])
}

// Uint64 returns the payload as a u64 in host byte order, or big-endian when
// NLA_F_NET_BYTEORDER is set.
func (d *AttrDecoder) Uint64() uint64 {
	if len(d.cur) != AttrHeaderLen+8 {
		d.fail(d.sizeFailure(failWant8))
		return 0
	}
	if d.typ&AttrNetByteOrder != 0 {
		return binary.BigEndian.Uint64(d.cur[AttrHeaderLen:])
	}
	return binary.NativeEndian.Uint64(d.cur[AttrHeaderLen:])
}

// Uint16BE returns the payload as a big-endian u16 (the kernel's __be16),
// whether or not NLA_F_NET_BYTEORDER is set.
func (d *AttrDecoder) Uint16BE() uint16 {
	if len(d.cur) != AttrHeaderLen+2 {
		d.fail(d.sizeFailure(failWant2))
		return 0
	}
	return binary.BigEndian.Uint16(d.cur[AttrHeaderLen:])
}

// Uint32BE returns the payload as a big-endian u32 (the kernel's __be32),
// whether or not NLA_F_NET_BYTEORDER is set.
func (d *AttrDecoder) Uint32BE() uint32 {
	if len(d.cur) != AttrHeaderLen+4 {
		d.fail(d.sizeFailure(failWant4))
		return 0
	}
	return binary.BigEndian.Uint32(d.cur[AttrHeaderLen:])
}

// Uint64BE returns the payload as a big-endian u64 (the kernel's __be64),
// whether or not NLA_F_NET_BYTEORDER is set.
func (d *AttrDecoder) Uint64BE() uint64 {
	if len(d.cur) != AttrHeaderLen+8 {
		d.fail(d.sizeFailure(failWant8))
		return 0
	}
	return binary.BigEndian.Uint64(d.cur[AttrHeaderLen:])
}

// Int8 returns the payload as an s8.
func (d *AttrDecoder) Int8() int8 { return int8(d.Uint8()) }

// Int16 returns the payload as an s16, in the byte order Uint16 uses.
func (d *AttrDecoder) Int16() int16 { return int16(d.Uint16()) }

// Int32 returns the payload as an s32, in the byte order Uint32 uses.
func (d *AttrDecoder) Int32() int32 { return int32(d.Uint32()) }

// Int64 returns the payload as an s64, in the byte order Uint64 uses.
func (d *AttrDecoder) Int64() int64 { return int64(d.Uint64()) }

// Uint returns the payload of a variable-width NLA_UINT attribute: 4 or 8
// bytes, as the kernel's nla_get_uint reads it.
func (d *AttrDecoder) Uint() uint64 {
	switch len(d.cur) {
	case AttrHeaderLen + 4:
		return uint64(uint32Of(d.cur[AttrHeaderLen:], d.typ&AttrNetByteOrder != 0))
	case AttrHeaderLen + 8:
		return uint64Of(d.cur[AttrHeaderLen:], d.typ&AttrNetByteOrder != 0)
	}
	d.fail(d.sizeFailure(failWant4or8))
	return 0
}

// Int returns the payload of a variable-width NLA_SINT attribute: 4 or 8
// bytes, sign-extended as the kernel's nla_get_sint does.
func (d *AttrDecoder) Int() int64 {
	switch len(d.cur) {
	case AttrHeaderLen + 4:
		return int64(int32(uint32Of(d.cur[AttrHeaderLen:], d.typ&AttrNetByteOrder != 0)))
	case AttrHeaderLen + 8:
		return int64(uint64Of(d.cur[AttrHeaderLen:], d.typ&AttrNetByteOrder != 0))
	}
	d.fail(d.sizeFailure(failWant4or8))
	return 0
}

// Flag returns true for a well-formed NLA_FLAG attribute: its presence is
// the value, and it has no payload. A payload is an error.
func (d *AttrDecoder) Flag() bool {
	if len(d.cur) > AttrHeaderLen {
		d.fail(d.sizeFailure(failWant0))
		return false
	}
	return true
}

// String returns the payload as a string, without the terminating NUL if
// there is one (NLA_STRING payloads may or may not carry it), as Attr.Str
// does. The string is a copy; use Bytes to read it without copying.
func (d *AttrDecoder) String() string {
	return d.Attr().Str()
}

// CString returns the payload of an NLA_NUL_STRING attribute: the bytes
// before the first NUL, copied. A payload with no NUL is an error.
func (d *AttrDecoder) CString() string {
	b := d.Bytes()
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	d.fail(d.sizeFailure(failNoNUL))
	return ""
}

// Addr returns the payload as an IPv4 (4 bytes) or IPv6 (16 bytes) address.
func (d *AttrDecoder) Addr() netip.Addr {
	switch len(d.cur) {
	case AttrHeaderLen + 4:
		return netip.AddrFrom4([4]byte(d.cur[AttrHeaderLen:]))
	case AttrHeaderLen + 16:
		return netip.AddrFrom16([16]byte(d.cur[AttrHeaderLen:]))
	}
	d.fail(d.sizeFailure(failWant4or16))
	return netip.Addr{}
}
