package nftables

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/nlkit/netlink"
)

// The expressions and named objects declare their attributes in struct
// tags, `nft:"N"` or `nft:"N,always"`, and one codec encodes and decodes
// them all, so a kind's file holds its type and nothing else to get wrong:
//
//   - unsigned and signed integers are big-endian of the field's size, as
//     nf_tables sends its numbers; they are sent when not 0, or always
//     with "always" (an attribute the kernel requires, such as a payload's
//     base, whose 0 means something);
//   - a pointer to an integer is sent when not nil (an attribute whose
//     absence means something else than 0, such as a log's group);
//   - a string is sent NUL-terminated when not empty;
//   - []byte is sent as it is when not nil, or as a struct nft_data value
//     nest with "data";
//   - *Verdict is a struct nft_data verdict nest;
//   - Expr is one expression nest, []Expr a list of them;
//   - the field Other (RawAttrs) keeps what no field takes, and is sent
//     back last.
//
// A payload of the wrong size for its field, or a second attribute of a
// field, is kept in Other, not lost. An "always" attribute that is missing
// or of the wrong size fails the decoding (the caller then keeps the
// expression raw): its field would be sent back as 0, which it was not.

type fieldKind uint8

const (
	kUint fieldKind = iota
	kPtr
	kString
	kBytes
	kData
	kVerdict
	kExpr
	kExprs
)

type field struct {
	typ    uint16
	index  int
	kind   fieldKind
	size   int // of an integer, in bytes
	always bool
}

type codec struct {
	fields []field
	other  int // index of Other, or -1
}

var codecs sync.Map // reflect.Type -> *codec

var (
	rawAttrsType = reflect.TypeFor[RawAttrs]()
	verdictType  = reflect.TypeFor[*Verdict]()
	exprType     = reflect.TypeFor[Expr]()
	exprsType    = reflect.TypeFor[[]Expr]()
	bytesType    = reflect.TypeFor[[]byte]()
)

// codecOf returns the codec of struct type t, built once from its tags.
func codecOf(t reflect.Type) *codec {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	c := &codec{other: -1}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Name == "Other" && sf.Type == rawAttrsType {
			c.other = i
			continue
		}
		tag, ok := sf.Tag.Lookup("nft")
		if !ok {
			continue
		}
		parts := strings.Split(tag, ",")
		n, err := strconv.ParseUint(parts[0], 10, 16)
		if err != nil {
			panic(fmt.Sprintf("nftables: %v.%s: bad tag %q", t, sf.Name, tag))
		}
		f := field{typ: uint16(n), index: i}
		for _, p := range parts[1:] {
			f.always = f.always || p == "always"
		}
		ft := sf.Type
		switch {
		case ft == verdictType:
			f.kind = kVerdict
		case ft == exprType:
			f.kind = kExpr
		case ft == exprsType:
			f.kind = kExprs
		case ft == bytesType:
			f.kind = kBytes
			if strings.Contains(tag, ",data") {
				f.kind = kData
			}
		case ft.Kind() == reflect.String:
			f.kind = kString
		case ft.Kind() == reflect.Pointer:
			f.kind, f.size = kPtr, int(ft.Elem().Size())
		default:
			f.kind, f.size = kUint, int(ft.Size())
		}
		c.fields = append(c.fields, f)
	}
	if len(c.fields) > 64 {
		panic(fmt.Sprintf("nftables: %v: more than 64 tagged fields", t)) // decodeTagged's seen
	}
	codecs.Store(t, c)
	return c
}

// encodeTagged appends the attributes of the struct p points to.
func encodeTagged(e *netlink.AttrEncoder, p any) {
	v := reflect.ValueOf(p).Elem()
	c := codecOf(v.Type())
	for _, f := range c.fields {
		fv := v.Field(f.index)
		switch f.kind {
		case kUint:
			if u := uintOf(fv); u != 0 || f.always {
				putUint(e, f.typ, f.size, u)
			}
		case kPtr:
			if !fv.IsNil() {
				putUint(e, f.typ, f.size, uintOf(fv.Elem()))
			}
		case kString:
			if s := fv.String(); s != "" {
				e.String(f.typ, s)
			}
		case kBytes:
			if !fv.IsNil() {
				e.Bytes(f.typ, fv.Bytes())
			}
		case kData:
			if !fv.IsNil() {
				putValue(e, f.typ, fv.Bytes())
			}
		case kVerdict:
			if !fv.IsNil() {
				putVerdict(e, f.typ, fv.Interface().(*Verdict))
			}
		case kExpr:
			if !fv.IsNil() {
				putExpr(e, f.typ, fv.Interface().(Expr))
			}
		case kExprs:
			if fv.Len() > 0 {
				putExprs(e, f.typ, fv.Interface().([]Expr))
			}
		}
	}
	if c.other >= 0 {
		e.RawAttrs(RawAttrs(v.Field(c.other).String()))
	}
}

// decodeTagged decodes attributes b into the struct p points to.
func decodeTagged(b []byte, p any) error {
	v := reflect.ValueOf(p).Elem()
	c := codecOf(v.Type())
	var keep []byte
	var seen uint64 // bit i: fields[i] took an attribute
	for a, err := range netlink.Attrs(b) {
		if err != nil {
			return err
		}
		i, err := c.decodeAttr(v, a, seen)
		if err != nil {
			return err
		}
		if i < 0 {
			keep = a.Append(keep)
		} else {
			seen |= 1 << i
		}
	}
	for i, f := range c.fields {
		if f.always && seen&(1<<i) == 0 {
			return fmt.Errorf("nftables: %v: attribute %d missing: %w", v.Type(), f.typ, netlink.ErrMalformed)
		}
	}
	if c.other >= 0 {
		v.Field(c.other).SetString(string(keep))
	} else if len(keep) > 0 {
		return fmt.Errorf("nftables: %v: attributes it does not model and cannot keep: %w", v.Type(), netlink.ErrMalformed)
	}
	return nil
}

// decodeAttr stores a in the field that takes it, and returns the field's
// index in c.fields, or -1 when none does. A field in seen (a bit per
// index) has taken an attribute already.
func (c *codec) decodeAttr(v reflect.Value, a netlink.Attr, seen uint64) (int, error) {
	for i, f := range c.fields {
		if f.typ != a.Type {
			continue
		}
		if seen&(1<<i) != 0 {
			return -1, nil
		}
		fv := v.Field(f.index)
		switch f.kind {
		case kUint:
			if len(a.Data) != f.size && f.always {
				return -1, fmt.Errorf("nftables: %v: attribute %d of %d bytes, not %d: %w", v.Type(), a.Type, len(a.Data), f.size, netlink.ErrMalformed)
			}
			if len(a.Data) != f.size {
				return -1, nil
			}
			setUint(fv, a.Data)
		case kPtr:
			if len(a.Data) != f.size {
				return -1, nil
			}
			fv.Set(reflect.New(fv.Type().Elem()))
			setUint(fv.Elem(), a.Data)
		case kString:
			fv.SetString(a.Str())
		case kBytes:
			fv.SetBytes(append([]byte{}, a.Data...))
		case kData:
			val, vd, err := parseData(a.Data)
			if err != nil || vd != nil || val == nil {
				return -1, nil
			}
			fv.SetBytes(val)
		case kVerdict:
			_, vd, err := parseData(a.Data)
			if err != nil || vd == nil {
				return -1, nil
			}
			fv.Set(reflect.ValueOf(vd))
		case kExpr:
			x, err := parseExpr(a.Data)
			if err != nil {
				return -1, err
			}
			fv.Set(reflect.ValueOf(&x).Elem())
		case kExprs:
			xs, err := parseExprs(a.Data)
			if err != nil {
				return -1, err
			}
			fv.Set(reflect.ValueOf(xs))
		}
		return i, nil
	}
	return -1, nil
}

func uintOf(v reflect.Value) uint64 {
	if v.CanInt() {
		return uint64(v.Int())
	}
	return v.Uint()
}

func putUint(e *netlink.AttrEncoder, typ uint16, size int, u uint64) {
	switch size {
	case 1:
		e.Uint8(typ, uint8(u))
	case 2:
		e.Uint16BE(typ, uint16(u))
	case 4:
		e.Uint32BE(typ, uint32(u))
	default:
		e.Uint64BE(typ, u)
	}
}

func setUint(v reflect.Value, b []byte) {
	var u uint64
	switch len(b) {
	case 1:
		u = uint64(b[0])
	case 2:
		u = uint64(binary.BigEndian.Uint16(b))
	case 4:
		u = uint64(binary.BigEndian.Uint32(b))
	default:
		u = binary.BigEndian.Uint64(b)
	}
	if v.CanInt() {
		// Sign-extend from the field's size.
		shift := 64 - 8*len(b)
		v.SetInt(int64(u<<shift) >> shift)
		return
	}
	v.SetUint(u)
}
