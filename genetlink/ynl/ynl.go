// Package ynl is what the packages generated from the kernel's YNL netlink
// specs share: optional values, bitfields, keyed entries of
// nest-type-value attributes, and the requests their family clients send.
// The generated packages are its subdirectories (ynl/netdev, ynl/ethtool,
// …), one per spec, written by internal/cmd/ynlgen; see README.md there.
//
// A generated package has, for its family:
//
//   - constants for the spec's constants, attribute numbers (Attr…) and
//     commands (Cmd…), and types with String methods for its enums and
//     flags;
//   - a struct per attribute set, whose Decode reads the attributes at an
//     AttrDecoder's current level and whose Encode appends the present
//     fields to an AttrEncoder. Scalars are Opt values (absent unless
//     Set), strings and byte slices are absent when empty and nil, nests
//     are Opt of the nested set's struct, multi-attr and indexed arrays
//     are slices. Attributes the spec does not name are kept, in order,
//     in Unknown, and encoded again;
//   - a Client with a method per operation: context first, a request of
//     the operation's attribute set, and the reply decoded into the same
//     set's struct; dumps are iterators. In a family whose messages carry
//     a fixed header before their attributes (Open vSwitch's), a call
//     takes the request's header too, and a reply is a Fixed: its header
//     and its attributes.
//
// Decoding allocates only what the value keeps: strings, slices of
// multi-attr and indexed-array attributes, and Unknown. Byte slices,
// net.HardwareAddr values and Unknown alias the decoded message: in a
// dump, they are valid until the next iteration.
package ynl

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"net/netip"
	"strings"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
)

// Opt is an optional value: an attribute that is present (Set) with value
// V, or absent.
type Opt[T any] struct {
	V   T
	Set bool
}

// Some returns a present value v.
func Some[T any](v T) Opt[T] { return Opt[T]{V: v, Set: true} }

// Get returns the value and whether it is present.
func (o Opt[T]) Get() (T, bool) { return o.V, o.Set }

// String formats a present value with %v, and an absent one as "-".
func (o Opt[T]) String() string {
	if !o.Set {
		return "-"
	}
	return fmt.Sprint(o.V)
}

// Bitfield32 is the payload of an NLA_BITFIELD32 attribute: the bits to
// set or clear (Value), and which of them the request changes (Selector).
type Bitfield32 struct {
	Value, Selector uint32
}

// Keyed is an entry of a nest-type-value attribute, whose nested
// attributes' numbers are keys (such as policy numbers) rather than
// attribute types. V is a set, the next level of keys, or a scalar (the
// counters of ethtool's stats-grp stat, keyed by their index).
type Keyed[T any] struct {
	Key uint16
	V   T
}

// Set is what a generated attribute set's struct does.
type Set interface {
	// Decode reads the attributes at d's current level (until d.Next
	// returns false) into the set, replacing what it held. Errors are d's.
	Decode(d *netlink.AttrDecoder)
	// Encode appends the set's present attributes to e.
	Encode(e *netlink.AttrEncoder)
}

// setPtr is a pointer to a generated set's struct.
type setPtr[T any] interface {
	*T
	Set
}

// Name is an enum value or flag bit and its name in the spec.
type Name struct {
	V    uint64
	Name string
}

// EnumString returns the spec's name for v, or the type's name and v's
// number ("xdp-act(9)") if v has none.
func EnumString(v uint64, names []Name, typ string) string {
	for _, n := range names {
		if n.V == v {
			return n.Name
		}
	}
	return fmt.Sprintf("%s(%d)", typ, v)
}

// FlagsString lists the flags set in v by their names in the spec, as in
// "basic|redirect", with bits that have no name in hexadecimal; "0" if v
// is 0.
func FlagsString(v uint64, names []Name) string {
	if v == 0 {
		return "0"
	}
	var parts []string
	for _, n := range names {
		if n.V != 0 && v&n.V == n.V {
			parts = append(parts, n.Name)
			v &^= n.V
		}
	}
	if v != 0 {
		parts = append(parts, fmt.Sprintf("%#x", v))
	}
	return strings.Join(parts, "|")
}

// PutUnknown appends a, an attribute the spec does not name, as it came:
// its flags and its payload.
func PutUnknown(e *netlink.AttrEncoder, a netlink.Attr) {
	typ := a.Type
	if a.NetByteOrder {
		typ |= netlink.AttrNetByteOrder
	}
	if a.Nested {
		typ |= netlink.AttrNested
	}
	e.Bytes(typ, a.Data)
}

// Encode returns the attributes of set s, or nil for a nil s.
func Encode(s Set) ([]byte, error) {
	if s == nil {
		return nil, nil
	}
	var e netlink.AttrEncoder
	s.Encode(&e)
	return e.Finish()
}

// Parse decodes the attributes of m, a message of a generic netlink family
// with no fixed header of its own, into a T: a reply or a notification.
func Parse[T any, P setPtr[T]](m netlink.Message) (T, error) {
	var v T
	if _, err := genetlink.ParseHeader(m.Data); err != nil {
		return v, err
	}
	d := m.AttrDecoder(genetlink.HeaderLen)
	P(&v).Decode(&d)
	if err := d.Err(); err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// Do sends command cmd of family f with the attributes of req (nil for
// none) and decodes the one reply into a T.
func Do[T any, P setPtr[T]](ctx context.Context, c *genetlink.Conn, f *genetlink.Family, cmd uint8, req Set) (T, error) {
	var zero T
	attrs, err := Encode(req)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", f.Name, err)
	}
	msgs, err := c.Execute(ctx, f, cmd, attrs)
	if err != nil {
		return zero, err
	}
	if len(msgs) != 1 {
		return zero, fmt.Errorf("%s: command %d: %d replies, want 1: %w", f.Name, cmd, len(msgs), netlink.ErrMalformed)
	}
	v, err := Parse[T, P](msgs[0])
	if err != nil {
		return zero, fmt.Errorf("%s: command %d reply: %w", f.Name, cmd, err)
	}
	return v, nil
}

// Exec sends command cmd of family f with the attributes of req (nil for
// none), for a command that has no reply but the ACK.
func Exec(ctx context.Context, c *genetlink.Conn, f *genetlink.Family, cmd uint8, req Set) error {
	attrs, err := Encode(req)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	_, err = c.Execute(ctx, f, cmd, attrs)
	return err
}

// Dump sends command cmd of family f as a dump request with the attributes
// of req (nil for none) and yields each reply decoded into a T. Byte
// slices in a T alias a buffer the next iteration reuses.
func Dump[T any, P setPtr[T]](ctx context.Context, c *genetlink.Conn, f *genetlink.Family, cmd uint8, req Set) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		attrs, err := Encode(req)
		if err != nil {
			yield(zero, fmt.Errorf("%s: %w", f.Name, err))
			return
		}
		for m, err := range c.Dump(ctx, f, cmd, attrs) {
			v := zero
			if err == nil {
				v, err = Parse[T, P](m)
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// JoinGroup joins family f's multicast group named name on c and returns
// its ID. A name f has no group by is an error.
func JoinGroup(c *genetlink.Conn, f *genetlink.Family, name string) (uint32, error) {
	id, ok := f.Group(name)
	if !ok {
		return 0, fmt.Errorf("%s: no multicast group %q: %w", f.Name, name, syscall.ENOENT)
	}
	return id, c.NL.JoinGroup(id)
}

// IPv4 returns the IPv4 address whose big-endian u32 form is v, as the
// kernel's __be32 addresses are read.
func IPv4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// PutIPv4 appends a, an IPv4 address, as a big-endian u32 attribute. An
// address that is not IPv4 is the encoder's error.
func PutIPv4(e *netlink.AttrEncoder, typ uint16, a netip.Addr) {
	if !a.Is4() {
		e.Addr(typ, netip.Addr{}) // the encoder's "invalid IP address"
		return
	}
	b := a.As4()
	e.Uint32BE(typ, uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3]))
}

// DecodeBitfield32 reads an NLA_BITFIELD32 payload. A short payload reads
// as zeros where it ends.
func DecodeBitfield32(b []byte) Bitfield32 {
	var w [8]byte
	copy(w[:], b)
	return Bitfield32{Value: binary.NativeEndian.Uint32(w[:]), Selector: binary.NativeEndian.Uint32(w[4:])}
}

// PutBitfield32 appends an NLA_BITFIELD32 attribute.
func PutBitfield32(e *netlink.AttrEncoder, typ uint16, v Bitfield32) {
	var w [8]byte
	binary.NativeEndian.PutUint32(w[:], v.Value)
	binary.NativeEndian.PutUint32(w[4:], v.Selector)
	e.Bytes(typ, w[:])
}
