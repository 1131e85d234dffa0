package ynl

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"syscall"

	"github.com/nlkit/netlink"
)

// RequestError is an attribute of a request that the spec says the
// kernel refuses: what CheckRequest returns. It wraps the kernel's
// answer: syscall.ERANGE for an integer out of the spec's range,
// syscall.EINVAL for the rest.
type RequestError struct {
	Op     string // the operation
	Path   string // the attribute, as set.attr.attr…
	Offset int    // the attribute's offset in the attributes checked
	Reason string
	Errno  syscall.Errno
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Op, e.Path, e.Reason)
}

// Unwrap returns the errno the kernel answers.
func (e *RequestError) Unwrap() error { return e.Errno }

// CheckRequest checks attrs, the attributes of a request of command cmd
// (a dump request if dump), as the kernel validates a request against the
// policy it generates from the spec, strictly as generic netlink does:
// each top-level attribute is one the operation's request takes (when
// the spec lists them), each attribute anywhere is one its set has, of
// the size its type has, nests are marked nested and hold well-formed
// attributes, and the spec's checks (ranges and lengths) hold. An
// unknown command is an error wrapping syscall.EOPNOTSUPP. It is what a
// fake kernel (genltest.Family.Spec) uses to refuse what the real one
// would.
func (f *Family) CheckRequest(cmd uint8, dump bool, attrs []byte) error {
	var op *Op
	for i := range f.Ops {
		o := &f.Ops[i]
		if o.Request == int(cmd) && !o.Notify && ((dump && o.Dump) || (!dump && o.Do)) {
			op = o
			break
		}
	}
	if op == nil {
		return fmt.Errorf("%s: no %s of command %d: %w", f.Name, map[bool]string{false: "do", true: "dump"}[dump], cmd, syscall.EOPNOTSUPP)
	}
	set, ok := f.Set(op.Set)
	if !ok {
		return nil
	}
	allowed := op.DoRequest
	if dump {
		allowed = op.DumpRequest
	}
	v := validator{f: f, op: op.Name, base: attrs}
	return v.attrs(set, attrs, allowed, set.Name)
}

type validator struct {
	f    *Family
	op   string
	base []byte // the attributes checked, for offsets
}

func (v *validator) fail(b []byte, path, format string, args ...any) error {
	off := 0
	if len(b) > 0 && len(v.base) > 0 {
		// b aliases base: its offset is how far into base it starts.
		off = cap(v.base) - cap(b)
	}
	return &RequestError{Op: v.op, Path: path, Offset: off, Reason: fmt.Sprintf(format, args...), Errno: syscall.EINVAL}
}

// attrs checks the attributes in b against set; allowed, if not nil,
// names the only ones accepted.
func (v *validator) attrs(set *AttrSet, b []byte, allowed []string, path string) error {
	for len(b) > 0 {
		if len(b) < netlink.AttrHeaderLen {
			return v.fail(b, path, "%d trailing bytes", len(b))
		}
		n := int(binary.NativeEndian.Uint16(b))
		if n < netlink.AttrHeaderLen || n > len(b) {
			return v.fail(b, path, "attribute length %d outside %d..%d", n, netlink.AttrHeaderLen, len(b))
		}
		raw := binary.NativeEndian.Uint16(b[2:])
		typ := raw & netlink.AttrTypeMask
		a, ok := set.ByType(typ)
		if !ok || a.Kind == "unused" || a.Kind == "pad" {
			return v.fail(b, fmt.Sprintf("%s.%d", path, typ), "attribute %d is not in set %s", typ, set.Name)
		}
		at := path + "." + a.Name
		if allowed != nil && !slices.Contains(allowed, a.Name) {
			return v.fail(b, at, "the request of %s does not take it", v.op)
		}
		if err := v.attr(a, raw, b[:n], at); err != nil {
			return err
		}
		b = b[min(netlink.Align(n), len(b)):]
	}
	return nil
}

var sizes = map[string]int{"u8": 1, "s8": 1, "u16": 2, "s16": 2, "u32": 4, "s32": 4, "u64": 8, "s64": 8, "flag": 0, "bitfield32": 8}

// attr checks one attribute, b with its header.
func (v *validator) attr(a Attr, raw uint16, b []byte, at string) error {
	data := b[netlink.AttrHeaderLen:]
	if size, ok := sizes[a.Kind]; ok && len(data) != size {
		return v.fail(b, at, "%s has %d bytes, want %d", a.Kind, len(data), size)
	}
	switch a.Kind {
	case "uint", "sint":
		if len(data) != 4 && len(data) != 8 {
			return v.fail(b, at, "%s has %d bytes, want 4 or 8", a.Kind, len(data))
		}
	case "nest", "indexed-array", "nest-type-value":
		if raw&netlink.AttrNested == 0 {
			return v.fail(b, at, "a nest without NLA_F_NESTED")
		}
	}
	ch := a.Checks
	if ch.Has&HasMinLen != 0 && int64(len(data)) < ch.MinLen {
		return v.fail(b, at, "%d bytes, at least %d wanted", len(data), ch.MinLen)
	}
	if ch.Has&HasMaxLen != 0 {
		n := int64(len(data))
		if a.Kind == "string" {
			n = int64(len(strings.TrimRight(string(data), "\x00")))
		}
		if n > ch.MaxLen {
			return v.fail(b, at, "%d bytes, at most %d allowed", n, ch.MaxLen)
		}
	}
	if ch.Has&(HasMin|HasMax) != 0 {
		if x, signed, ok := intValue(a, data); ok {
			if err := v.rangeCheck(b, at, ch, x, signed); err != nil {
				return err
			}
		}
	}
	switch a.Kind {
	case "nest":
		nested, ok := v.f.Set(a.Nested)
		if !ok {
			return nil
		}
		return v.attrs(nested, data, nil, at)
	case "indexed-array", "nest-type-value":
		nested, ok := v.f.Set(a.Nested)
		for len(data) > 0 {
			if len(data) < netlink.AttrHeaderLen {
				return v.fail(data, at, "%d trailing bytes", len(data))
			}
			n := int(binary.NativeEndian.Uint16(data))
			if n < netlink.AttrHeaderLen || n > len(data) {
				return v.fail(data, at, "attribute length %d outside %d..%d", n, netlink.AttrHeaderLen, len(data))
			}
			switch {
			case ok && (a.Kind == "nest-type-value" || a.SubType == "nest"):
				if err := v.attrs(nested, data[netlink.AttrHeaderLen:n], nil, at); err != nil {
					return err
				}
			case a.Kind == "nest-type-value" && a.Nested == "" && a.Keys == 1:
				// An entry that is a scalar of the sub-type.
				leaf := Attr{Name: a.Name, Kind: a.SubType, BigEndian: a.BigEndian}
				if err := v.attr(leaf, binary.NativeEndian.Uint16(data[2:]), data[:n], at); err != nil {
					return err
				}
			}
			data = data[min(netlink.Align(n), len(data)):]
		}
	}
	return nil
}

func (v *validator) rangeCheck(b []byte, at string, ch Checks, x uint64, signed bool) error {
	if signed {
		s := int64(x)
		if (ch.Has&HasMin != 0 && s < ch.Min) || (ch.Has&HasMax != 0 && s > ch.Max) {
			return outOfRange(v.fail(b, at, "%d is out of range", s))
		}
		return nil
	}
	if (ch.Has&HasMin != 0 && (ch.Min > 0 && x < uint64(ch.Min))) || (ch.Has&HasMax != 0 && ch.Max >= 0 && x > uint64(ch.Max)) {
		return outOfRange(v.fail(b, at, "%d is out of range", x))
	}
	return nil
}

// outOfRange makes a RequestError the kernel's ERANGE.
func outOfRange(err error) error {
	err.(*RequestError).Errno = syscall.ERANGE
	return err
}

// intValue reads an integer attribute's payload, whose size is checked.
func intValue(a Attr, data []byte) (uint64, bool, bool) {
	order := binary.ByteOrder(binary.NativeEndian)
	if a.BigEndian {
		order = binary.BigEndian
	}
	switch len(data) {
	case 1:
		if a.Kind == "s8" {
			return uint64(int8(data[0])), true, true
		}
		return uint64(data[0]), false, true
	case 2:
		if a.Kind == "s16" {
			return uint64(int16(order.Uint16(data))), true, true
		}
		return uint64(order.Uint16(data)), false, true
	case 4:
		switch a.Kind {
		case "s32", "sint":
			return uint64(int32(order.Uint32(data))), true, true
		case "u32", "uint":
			return uint64(order.Uint32(data)), false, true
		}
	case 8:
		switch a.Kind {
		case "s64", "sint":
			return order.Uint64(data), true, true
		case "u64", "uint":
			return order.Uint64(data), false, true
		}
	}
	return 0, false, false
}
