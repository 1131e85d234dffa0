package xfrm

import (
	"iter"

	"github.com/nlkit/netlink"
)

// RawAttrs are XFRMA_* attributes kept as the kernel sent them, in order:
// each a struct nlattr (its type with the NLA_F_* flags), its payload and
// its padding. State and Policy keep in a RawAttrs field the attributes
// their other fields do not model (those of kernels newer than the
// package, for one) and send them back in the requests that add or update
// the object, so that re-adding what was listed re-adds it whole.
//
// A RawAttrs is a string, so copies share no mutable memory. The zero
// RawAttrs has no attributes.
type RawAttrs string

// All walks the attributes. The payloads alias a copy of a.
func (a RawAttrs) All() iter.Seq2[netlink.Attr, error] {
	return netlink.Attrs([]byte(a))
}

// appendRaw appends attribute a to b as it came: its header with its
// flags, its payload and its padding.
func appendRaw(b []byte, a netlink.Attr) []byte {
	return a.Append(b)
}
