package ynl

import (
	"net/netip"

	"github.com/nlkit/netlink"
)

// The Put functions append an attribute that a generated set's field
// holds, if the field is present: an Opt that is Set, a string that is
// not empty, a slice that is not nil, a valid address, a true flag. They
// keep the generated Encode methods one line a field; none allocates.

// Integer is the integer types an Opt given to the Put functions may hold,
// the spec's enums and flags included. A value is converted to the
// attribute's size as Go converts integers.
type Integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// PutU8 appends v as a u8 (or s8) attribute.
func PutU8[T Integer](e *netlink.AttrEncoder, typ uint16, v Opt[T]) {
	if v.Set {
		e.Uint8(typ, uint8(v.V))
	}
}

// PutU16 appends v as a u16 (or s16) attribute in host byte order.
func PutU16[T Integer](e *netlink.AttrEncoder, typ uint16, v Opt[T]) {
	if v.Set {
		e.Uint16(typ, uint16(v.V))
	}
}

// PutU32 appends v as a u32 (or s32) attribute in host byte order.
func PutU32[T Integer](e *netlink.AttrEncoder, typ uint16, v Opt[T]) {
	if v.Set {
		e.Uint32(typ, uint32(v.V))
	}
}

// PutU64 appends v as a u64 (or s64) attribute in host byte order.
func PutU64[T Integer](e *netlink.AttrEncoder, typ uint16, v Opt[T]) {
	if v.Set {
		e.Uint64(typ, uint64(v.V))
	}
}

// PutU16BE appends v as a big-endian u16 (or s16) attribute.
func PutU16BE[T Integer](e *netlink.AttrEncoder, typ uint16, v Opt[T]) {
	if v.Set {
		e.Uint16BE(typ, uint16(v.V))
	}
}

// PutU32BE appends v as a big-endian u32 (or s32) attribute.
func PutU32BE[T Integer](e *netlink.AttrEncoder, typ uint16, v Opt[T]) {
	if v.Set {
		e.Uint32BE(typ, uint32(v.V))
	}
}

// PutU64BE appends v as a big-endian u64 (or s64) attribute.
func PutU64BE[T Integer](e *netlink.AttrEncoder, typ uint16, v Opt[T]) {
	if v.Set {
		e.Uint64BE(typ, uint64(v.V))
	}
}

// PutUint appends v as a variable-width uint attribute (4 or 8 bytes).
func PutUint[T Integer](e *netlink.AttrEncoder, typ uint16, v Opt[T]) {
	if v.Set {
		e.Uint(typ, uint64(v.V))
	}
}

// PutSint appends v as a variable-width sint attribute (4 or 8 bytes).
func PutSint[T Integer](e *netlink.AttrEncoder, typ uint16, v Opt[T]) {
	if v.Set {
		e.Int(typ, int64(v.V))
	}
}

// PutString appends s as a string attribute, unless it is empty.
func PutString(e *netlink.AttrEncoder, typ uint16, s string) {
	if s != "" {
		e.String(typ, s)
	}
}

// PutBytes appends b as a binary attribute, unless it is nil.
func PutBytes[B ~[]byte](e *netlink.AttrEncoder, typ uint16, b B) {
	if b != nil {
		e.Bytes(typ, b)
	}
}

// PutAddr appends a as an address attribute (4 or 16 bytes), unless it is
// the zero Addr.
func PutAddr(e *netlink.AttrEncoder, typ uint16, a netip.Addr) {
	if a.IsValid() {
		e.Addr(typ, a)
	}
}

// PutFlag appends a flag attribute if set is true.
func PutFlag(e *netlink.AttrEncoder, typ uint16, set bool) {
	if set {
		e.Flag(typ)
	}
}

// PutUnknowns appends, as they came, the attributes a set kept because its
// spec does not name them.
func PutUnknowns(e *netlink.AttrEncoder, attrs []netlink.Attr) {
	for _, a := range attrs {
		PutUnknown(e, a)
	}
}
