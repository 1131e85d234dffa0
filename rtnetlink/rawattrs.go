package rtnetlink

import (
	"encoding/binary"

	"github.com/nlkit/netlink"
)

// RawAttrs are attributes kept as the kernel sent them, in order (see
// netlink.RawAttrs). The typed objects (Rule, Route, Address, Neighbor,
// FDBEntry, NextHopObject, the link kinds) keep in a RawAttrs field the
// attributes their other fields do not model, such as those of kernels
// newer than the package, and send them back in the requests that name
// the object, so that deleting an object as it was listed deletes that
// object and not another that differs only by what this package does not
// decode.
type RawAttrs = netlink.RawAttrs

// keepZero appends d's attribute to other when zero says its value is 0,
// which the field that decoded it cannot send (0 there means the kernel's
// default, or leaves the attribute out): kept in Other, it goes back as it
// came. The requests that send Other drop it (withoutKept) once the field
// is no longer 0, so that the field's own attribute, not the kept 0, is
// what the kernel takes (it takes the last of two).
func keepZero(other []byte, d *netlink.AttrDecoder, zero bool) []byte {
	if zero && d.Err() == nil {
		return d.Attr().Append(other)
	}
	return other
}

// kept is an attribute type keepZero may keep in Other, and whether the
// field it was decoded into is set now (not 0), so that the field sends
// it.
type kept struct {
	typ uint16
	set bool
}

// withoutKept returns other without the attributes of the types of
// fields that are set now, which keepZero may have kept there: the field
// sends its own. It returns other itself when there is none to drop, or
// when other does not parse (the caller refuses it then).
func withoutKept(other RawAttrs, fields ...kept) RawAttrs {
	drop := func(a netlink.Attr) bool {
		for _, f := range fields {
			if f.set && a.Type == f.typ {
				return true
			}
		}
		return false
	}
	n := 0
	for a, err := range other.All() {
		if err != nil {
			return other
		}
		if drop(a) {
			n++
		}
	}
	if n == 0 {
		return other
	}
	var b []byte
	for a := range other.All() {
		if !drop(a) {
			b = a.Append(b)
		}
	}
	return RawAttrs(b)
}

// openKept appends to other the header of a copy of the nest where d
// stands (its type, with the flags it had), to hold those of its
// attributes that a decoder keeps in Other; it returns where the copy
// starts, for closeKept.
func openKept(other []byte, d *netlink.AttrDecoder) ([]byte, int) {
	a := d.Attr()
	typ := a.Type
	if a.Nested {
		typ |= netlink.AttrNested
	}
	if a.NetByteOrder {
		typ |= netlink.AttrNetByteOrder
	}
	return binary.NativeEndian.AppendUint16(append(other, 0, 0), typ), len(other)
}

// closeKept ends the copy of a nest that openKept started at start: it
// sets its length, or drops it when it holds nothing (or more than a nest
// can: that cannot come from a nest that fitted).
func closeKept(other []byte, start int) []byte {
	if n := len(other) - start; n > netlink.AttrLen(0) && n <= 0xffff {
		binary.NativeEndian.PutUint16(other[start:], uint16(n))
		return other
	}
	return other[:start]
}
