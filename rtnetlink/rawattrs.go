package rtnetlink

import (
	"iter"

	"github.com/nlkit/netlink"
)

// RawAttrs are netlink attributes kept as the kernel sent them, in order:
// each a struct nlattr (its type with the NLA_F_* flags), its payload and
// its padding. The typed objects (Rule, Route, Address, Neighbor, FDBEntry,
// NextHopObject) keep in a RawAttrs field the attributes their other
// fields do not model, such as those of kernels newer than the package,
// and send them back in the requests that name the object, so
// that deleting an object as it was listed deletes that object and not
// another that differs only by what this package does not decode.
//
// A RawAttrs is a string, so objects stay comparable with == and copies
// share no mutable memory. The zero RawAttrs has no attributes.
type RawAttrs string

// All walks the attributes. The payloads alias a copy of a.
func (a RawAttrs) All() iter.Seq2[netlink.Attr, error] {
	return netlink.Attrs([]byte(a))
}

// appendRaw appends the decoder's current attribute to b as it came: its
// header, with the type's flags, its payload and its padding.
func appendRaw(b []byte, d *netlink.AttrDecoder) []byte {
	return d.Attr().Append(b)
}

// attrFlags returns a's NLA_F_NESTED and NLA_F_NET_BYTEORDER flags, as
// they came.
func attrFlags(a netlink.Attr) uint16 {
	var f uint16
	if a.Nested {
		f |= netlink.AttrNested
	}
	if a.NetByteOrder {
		f |= netlink.AttrNetByteOrder
	}
	return f
}

// putRaw appends a's attributes to e as they are. (A link kind's Other
// goes through putKindOther, which lets the kind leave some out.)
func putRaw(e *netlink.AttrEncoder, a RawAttrs) {
	if a != "" {
		e.Raw([]byte(a))
	}
}
