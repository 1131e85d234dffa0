package nftables

import (
	"encoding/binary"

	"github.com/nlkit/netlink"
)

// RawAttrs are attributes kept as the kernel sent them, in order (see
// netlink.RawAttrs). Every typed object and expression keeps in a RawAttrs
// field the attributes it does not model, and sends them back.
type RawAttrs = netlink.RawAttrs

// walk calls fn for each attribute of b, and keeps those fn does not take
// (returns false for) in other. It stops at a malformed attribute.
func walk(b []byte, other *RawAttrs, fn func(a netlink.Attr) error) error {
	var keep []byte
	for a, err := range netlink.Attrs(b) {
		if err != nil {
			return err
		}
		if err := fn(a); err == errSkip {
			keep = a.Append(keep)
		} else if err != nil {
			return err
		}
	}
	if other != nil {
		*other = RawAttrs(keep)
	}
	return nil
}

// errSkip, from walk's callback, keeps the attribute raw.
var errSkip = skipError{}

type skipError struct{}

func (skipError) Error() string { return "attribute kept raw" }

// be32To and be64To store big-endian payloads, as nf_tables sends its
// numbers, in *v. A payload of another size is not a number of that kind:
// they return errSkip, for walk to keep the attribute raw.
func be32To[T ~uint32 | ~int32](a netlink.Attr, v *T) error {
	if len(a.Data) != 4 {
		return errSkip
	}
	*v = T(binary.BigEndian.Uint32(a.Data))
	return nil
}

func be64To[T ~uint64](a netlink.Attr, v *T) error {
	if len(a.Data) != 8 {
		return errSkip
	}
	*v = T(binary.BigEndian.Uint64(a.Data))
	return nil
}

// clone copies b, keeping nil as nil.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}
