package ynl

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/nlkit/netlink"
)

// EncodeJSON encodes a JSON object whose keys are attribute names of set
// (as the kernel's ynl tool takes them, {"header": {"dev-name": "eth0"}})
// as the attributes of a message: integers as numbers, strings as strings,
// flags as true, binary as hexadecimal strings, bitfield32 as {"value",
// "selector"}, nests as objects (a nest of an ordered set, as a flow's
// actions, as an array of objects of one attribute each, in order),
// multi-attr and arrays as JSON arrays,
// nest-type-value as objects keyed by number (of objects, or of values
// for one whose entries are scalars, as ethtool's stats-grp stat).
func (f *Family) EncodeJSON(set string, js []byte) ([]byte, error) {
	obj, err := f.jsonObject(js)
	if err != nil {
		return nil, err
	}
	return f.encodeSet(set, obj)
}

// EncodeRequestJSON is EncodeJSON for a whole request: for a family with
// a fixed header (Header), the header's members are read from the keys of
// the same object that name them, as the kernel's ynl tool takes them
// ({"dp-ifindex": 5, "name": "dp0"}; a member not given is 0), and
// returned apart; header is nil for a family without one.
func (f *Family) EncodeRequestJSON(set string, js []byte) (header, attrs []byte, err error) {
	obj, err := f.jsonObject(js)
	if err != nil {
		return nil, nil, err
	}
	if h := f.Header; h != nil {
		header = make([]byte, h.Len)
		for _, m := range h.Members {
			v, ok := obj[m.Name]
			if !ok {
				continue
			}
			delete(obj, m.Name)
			if err := m.put(header[m.Offset:m.Offset+m.Len], v); err != nil {
				return nil, nil, fmt.Errorf("%s: %s.%s: %w", f.Name, h.Name, m.Name, err)
			}
		}
	}
	attrs, err = f.encodeSet(set, obj)
	return header, attrs, err
}

// jsonObject reads a JSON object, numbers as json.Number.
func (f *Family) jsonObject(js []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	return obj, nil
}

// encodeSet encodes obj as the attributes of set.
func (f *Family) encodeSet(set string, obj map[string]any) ([]byte, error) {
	s, ok := f.Set(set)
	if !ok {
		return nil, fmt.Errorf("%s: no attribute set %q", f.Name, set)
	}
	var e netlink.AttrEncoder
	if err := f.encodeObject(&e, s, obj); err != nil {
		return nil, err
	}
	return e.Finish()
}

// put writes v, a JSON number (or a hexadecimal string for binary), into
// b, the member's bytes.
func (m Member) put(b []byte, v any) error {
	if m.Kind == "binary" {
		str, ok := v.(string)
		x, err := hex.DecodeString(str)
		if !ok || err != nil || len(x) != len(b) {
			return fmt.Errorf("%v is not %d bytes in hexadecimal", v, len(b))
		}
		copy(b, x)
		return nil
	}
	n, _ := v.(json.Number)
	var x uint64
	if m.Kind[0] == 's' {
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || !fitsSigned(m.Kind, i) {
			return fmt.Errorf("%v is not a %s", v, m.Kind)
		}
		x = uint64(i)
	} else {
		u, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil || !fitsUnsigned(m.Kind, u) {
			return fmt.Errorf("%v is not a %s", v, m.Kind)
		}
		x = u
	}
	order := binary.ByteOrder(binary.NativeEndian)
	if m.BigEndian {
		order = binary.BigEndian
	}
	switch len(b) {
	case 1:
		b[0] = uint8(x)
	case 2:
		order.PutUint16(b, uint16(x))
	case 4:
		order.PutUint32(b, uint32(x))
	case 8:
		order.PutUint64(b, x)
	}
	return nil
}

// DecodeMessageJSON is DecodeJSON for a whole message's payload after the
// generic netlink header: for a family with a fixed header (Header), the
// header's members come first in the object, then the attributes of set.
// A payload too short for the header is an error wrapping
// netlink.ErrMalformed.
func (f *Family) DecodeMessageJSON(set string, payload []byte) ([]byte, error) {
	h := f.Header
	if h == nil {
		return f.DecodeJSON(set, payload)
	}
	if len(payload) < h.Len {
		return nil, fmt.Errorf("%s: %s of %d bytes in a payload of %d: %w", f.Name, h.Name, h.Len, len(payload), netlink.ErrMalformed)
	}
	attrs, err := f.DecodeJSON(set, payload[min(netlink.Align(h.Len), len(payload)):])
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range h.Members {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%s", m.Name, m.value(payload[m.Offset:m.Offset+m.Len]))
	}
	if len(attrs) > 2 { // not "{}"
		if len(h.Members) > 0 {
			b.WriteByte(',')
		}
		b.Write(attrs[1:])
	} else {
		b.WriteByte('}')
	}
	return b.Bytes(), nil
}

// value is the JSON of a member whose bytes are b.
func (m Member) value(b []byte) string {
	if m.Kind == "binary" {
		return strconv.Quote(hex.EncodeToString(b))
	}
	order := binary.ByteOrder(binary.NativeEndian)
	if m.BigEndian {
		order = binary.BigEndian
	}
	var x uint64
	switch len(b) {
	case 1:
		x = uint64(b[0])
	case 2:
		x = uint64(order.Uint16(b))
	case 4:
		x = uint64(order.Uint32(b))
	case 8:
		x = order.Uint64(b)
	}
	if m.Kind[0] == 's' {
		shift := 64 - 8*len(b)
		return strconv.FormatInt(int64(x<<shift)>>shift, 10)
	}
	return strconv.FormatUint(x, 10)
}

func (f *Family) encodeObject(e *netlink.AttrEncoder, s *AttrSet, obj map[string]any) error {
	// In the set's order, so that the bytes do not depend on the map's.
	for _, a := range s.Attrs {
		v, ok := obj[a.Name]
		if !ok {
			continue
		}
		if a.Multi {
			list, ok := v.([]any)
			if !ok {
				return fmt.Errorf("%s.%s: multi-attr wants an array", s.Name, a.Name)
			}
			for _, item := range list {
				if err := f.encodeValue(e, s, a, a.Kind, a.Type, item); err != nil {
					return err
				}
			}
			continue
		}
		if err := f.encodeValue(e, s, a, a.Kind, a.Type, v); err != nil {
			return err
		}
	}
	// Attributes the spec does not name, as DecodeJSON writes them.
	var unknown []int
	for k := range obj {
		if _, ok := s.Attr(k); ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimPrefix(k, "attr-"), 10, 14)
		if !strings.HasPrefix(k, "attr-") || err != nil {
			return fmt.Errorf("%s: no attribute %q", s.Name, k)
		}
		unknown = append(unknown, int(n))
	}
	slices.Sort(unknown)
	for _, n := range unknown {
		str, ok := obj["attr-"+strconv.Itoa(n)].(string)
		b, err := hex.DecodeString(str)
		if !ok || err != nil {
			return fmt.Errorf("%s: attr-%d: %v is not a hexadecimal string", s.Name, n, obj["attr-"+strconv.Itoa(n)])
		}
		e.Bytes(uint16(n), b)
	}
	return nil
}

func (f *Family) encodeValue(e *netlink.AttrEncoder, s *AttrSet, a Attr, kind string, typ uint16, v any) error {
	bad := func(want string) error { return fmt.Errorf("%s.%s: %v is not %s", s.Name, a.Name, v, want) }
	switch kind {
	case "u8", "u16", "u32", "u64", "uint", "s8", "s16", "s32", "s64", "sint":
		if a.Enum != "" {
			var err error
			if v, err = f.enumNumber(a, v); err != nil {
				return fmt.Errorf("%s.%s: %w", s.Name, a.Name, err)
			}
		}
		n, ok := v.(json.Number)
		if !ok {
			return bad("a number")
		}
		if kind[0] == 's' {
			x, err := strconv.ParseInt(string(n), 10, 64)
			if err != nil || !fitsSigned(kind, x) {
				return bad("a " + kind)
			}
			putInt(e, kind, typ, uint64(x), a.BigEndian)
			return nil
		}
		x, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil || !fitsUnsigned(kind, x) {
			return bad("a " + kind)
		}
		putInt(e, kind, typ, x, a.BigEndian)
	case "flag":
		if v != true {
			return bad("true")
		}
		e.Flag(typ)
	case "string":
		str, ok := v.(string)
		if !ok {
			return bad("a string")
		}
		e.String(typ, str)
	case "binary":
		str, ok := v.(string)
		b, err := hex.DecodeString(str)
		if !ok || err != nil {
			return bad("a hexadecimal string")
		}
		e.Bytes(typ, b)
	case "bitfield32":
		m, ok := v.(map[string]any)
		if !ok {
			return bad(`{"value": …, "selector": …}`)
		}
		var w [8]byte
		for i, k := range []string{"value", "selector"} {
			n, _ := m[k].(json.Number)
			x, err := strconv.ParseUint(string(n), 10, 32)
			if err != nil {
				return bad(`{"value": …, "selector": …}`)
			}
			binary.NativeEndian.PutUint32(w[4*i:], uint32(x))
		}
		e.Bytes(typ, w[:])
	case "nest":
		nested, found := f.Set(a.Nested)
		if found && nested.Ordered {
			// A list: an array of objects, each of one attribute.
			list, ok := v.([]any)
			if !ok {
				return bad("an array of objects")
			}
			n := e.Nest(typ)
			for _, item := range list {
				m, ok := item.(map[string]any)
				if !ok {
					return bad("an array of objects")
				}
				if err := f.encodeObject(e, nested, m); err != nil {
					return err
				}
			}
			e.End(n)
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok || !found {
			return bad("an object")
		}
		n := e.Nest(typ)
		if err := f.encodeObject(e, nested, m); err != nil {
			return err
		}
		e.End(n)
	case "indexed-array":
		list, ok := v.([]any)
		if !ok {
			return bad("an array")
		}
		n := e.Nest(typ)
		for i, item := range list {
			if err := f.encodeValue(e, s, a, a.SubType, uint16(i+1), item); err != nil {
				return err
			}
		}
		e.End(n)
	case "nest-type-value":
		nested, found := f.Set(a.Nested)
		if !found && a.SubType == "" {
			return bad("an object keyed by number")
		}
		n := e.Nest(typ)
		if err := f.encodeKeyed(e, s, a, nested, max(a.Keys, 1), v); err != nil {
			return err
		}
		e.End(n)
	default: // unused, sub-message, …: the payload, as DecodeJSON writes it
		str, ok := v.(string)
		b, err := hex.DecodeString(str)
		if !ok || err != nil {
			return bad("a hexadecimal string")
		}
		e.Bytes(typ, b)
	}
	return nil
}

// encodeKeyed encodes levels of a nest-type-value: objects keyed by
// number, in increasing order, around objects of set nested, or around
// values of a's sub-type if nested is nil.
func (f *Family) encodeKeyed(e *netlink.AttrEncoder, s *AttrSet, a Attr, nested *AttrSet, levels int, v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s.%s: %v is not an object keyed by number", s.Name, a.Name, v)
	}
	keys := make([]int, 0, len(m))
	for k := range m {
		key, err := strconv.ParseUint(k, 10, 16)
		if err != nil {
			return fmt.Errorf("%s.%s: key %q is not a number", s.Name, a.Name, k)
		}
		keys = append(keys, int(key))
	}
	slices.Sort(keys)
	for _, key := range keys {
		inner := m[strconv.Itoa(key)]
		if levels == 1 && nested == nil {
			if err := f.encodeValue(e, s, a, a.SubType, uint16(key), inner); err != nil {
				return err
			}
			continue
		}
		n := e.Nest(uint16(key))
		if levels > 1 {
			if err := f.encodeKeyed(e, s, a, nested, levels-1, inner); err != nil {
				return err
			}
		} else {
			obj, ok := inner.(map[string]any)
			if !ok {
				return fmt.Errorf("%s.%s: %v is not an object", s.Name, a.Name, inner)
			}
			if err := f.encodeObject(e, nested, obj); err != nil {
				return err
			}
		}
		e.End(n)
	}
	return nil
}

func fitsUnsigned(kind string, x uint64) bool {
	switch kind {
	case "u8":
		return x <= math.MaxUint8
	case "u16":
		return x <= math.MaxUint16
	case "u32":
		return x <= math.MaxUint32
	}
	return true
}

func fitsSigned(kind string, x int64) bool {
	switch kind {
	case "s8":
		return x >= math.MinInt8 && x <= math.MaxInt8
	case "s16":
		return x >= math.MinInt16 && x <= math.MaxInt16
	case "s32":
		return x >= math.MinInt32 && x <= math.MaxInt32
	}
	return true
}

func putInt(e *netlink.AttrEncoder, kind string, typ uint16, x uint64, be bool) {
	switch kind {
	case "u8", "s8":
		e.Uint8(typ, uint8(x))
	case "u16", "s16":
		if be {
			e.Uint16BE(typ, uint16(x))
		} else {
			e.Uint16(typ, uint16(x))
		}
	case "u32", "s32":
		if be {
			e.Uint32BE(typ, uint32(x))
		} else {
			e.Uint32(typ, uint32(x))
		}
	case "u64", "s64":
		if be {
			e.Uint64BE(typ, x)
		} else {
			e.Uint64(typ, x)
		}
	case "uint":
		e.Uint(typ, x)
	case "sint":
		e.Int(typ, int64(x))
	}
}

// DecodeJSON returns the attributes attrs of set as a JSON object keyed by
// attribute name, as the kernel's ynl tool prints them: the form
// EncodeJSON reads, with binary as hexadecimal and attributes the spec does
// not name as "attr-N": hexadecimal payload.
func (f *Family) DecodeJSON(set string, attrs []byte) ([]byte, error) {
	s, ok := f.Set(set)
	if !ok {
		return nil, fmt.Errorf("%s: no attribute set %q", f.Name, set)
	}
	var b bytes.Buffer
	if err := f.decodeObject(&b, s, attrs); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// decodeObject writes attrs of set s as a JSON object. Multi-attr
// attributes are gathered into one array, at the place of their first.
func (f *Family) decodeObject(b *bytes.Buffer, s *AttrSet, attrs []byte) error {
	type entry struct {
		name   string
		values []json.RawMessage
		multi  bool
	}
	var entries []*entry
	byName := map[string]*entry{}
	for at, err := range netlink.Attrs(attrs) {
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		a, ok := s.ByType(at.Type)
		if ok && a.Kind == "pad" {
			continue
		}
		var val bytes.Buffer
		name := fmt.Sprintf("attr-%d", at.Type)
		if ok {
			name = a.Name
			if err := f.decodeValue(&val, s, a, a.Kind, at.Data); err != nil {
				return err
			}
		} else {
			val.WriteString(strconv.Quote(hex.EncodeToString(at.Data)))
		}
		en := byName[name]
		if en == nil {
			en = &entry{name: name, multi: ok && a.Multi}
			byName[name] = en
			entries = append(entries, en)
		}
		if !en.multi {
			en.values = en.values[:0] // the last wins, as in a decoded struct
		}
		en.values = append(en.values, val.Bytes())
	}
	b.WriteByte('{')
	for i, en := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(en.name)) // names are ASCII
		b.WriteByte(':')
		if en.multi {
			b.WriteByte('[')
		}
		for j, v := range en.values {
			if j > 0 {
				b.WriteByte(',')
			}
			b.Write(v)
		}
		if en.multi {
			b.WriteByte(']')
		}
	}
	b.WriteByte('}')
	return nil
}

// decodeList writes the attributes of an ordered set s as an array of
// objects, one attribute each, in order.
func (f *Family) decodeList(b *bytes.Buffer, s *AttrSet, attrs []byte) error {
	b.WriteByte('[')
	i := 0
	for at, err := range netlink.Attrs(attrs) {
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		i++
		if err := f.decodeObject(b, s, at.Append(nil)); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

// decodeKeyed writes levels of a nest-type-value as objects keyed by
// number around objects of set nested, or around values of a's sub-type
// if nested is nil.
func (f *Family) decodeKeyed(b *bytes.Buffer, s *AttrSet, a Attr, nested *AttrSet, levels int, data []byte) error {
	b.WriteByte('{')
	i := 0
	for at, err := range netlink.Attrs(data) {
		if err != nil {
			return fmt.Errorf("%s.%s: %w", s.Name, a.Name, err)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		i++
		fmt.Fprintf(b, "%q:", strconv.Itoa(int(at.Type)))
		switch {
		case levels > 1:
			err = f.decodeKeyed(b, s, a, nested, levels-1, at.Data)
		case nested == nil:
			err = f.decodeValue(b, s, a, a.SubType, at.Data)
		default:
			err = f.decodeObject(b, nested, at.Data)
		}
		if err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

func (f *Family) decodeValue(b *bytes.Buffer, s *AttrSet, a Attr, kind string, data []byte) error {
	d := netlink.Attr{Data: data}
	bad := func(err error) error { return fmt.Errorf("%s.%s: %w", s.Name, a.Name, err) }
	var x uint64
	var err error
	switch kind {
	case "u8", "s8":
		var v uint8
		v, err = d.Uint8()
		x = uint64(v)
		if kind == "s8" {
			x = uint64(int8(v))
		}
	case "u16", "s16":
		var v uint16
		if a.BigEndian {
			v, err = d.Uint16BE()
		} else {
			v, err = d.Uint16()
		}
		x = uint64(v)
		if kind == "s16" {
			x = uint64(int16(v))
		}
	case "u32", "s32":
		var v uint32
		if a.BigEndian {
			v, err = d.Uint32BE()
		} else {
			v, err = d.Uint32()
		}
		x = uint64(v)
		if kind == "s32" {
			x = uint64(int32(v))
		}
	case "u64", "s64":
		if a.BigEndian {
			x, err = d.Uint64BE()
		} else {
			x, err = d.Uint64()
		}
	case "uint":
		x, err = d.Uint()
	case "sint":
		var v int64
		v, err = d.Int()
		x = uint64(v)
	case "flag":
		b.WriteString("true")
		return nil
	case "string":
		q, _ := json.Marshal(d.Str()) // JSON's escapes, not Go's
		b.Write(q)
		return nil
	case "bitfield32":
		if len(data) != 8 {
			return bad(fmt.Errorf("bitfield32 of %d bytes: %w", len(data), netlink.ErrMalformed))
		}
		fmt.Fprintf(b, `{"value":%d,"selector":%d}`, binary.NativeEndian.Uint32(data), binary.NativeEndian.Uint32(data[4:]))
		return nil
	case "nest":
		nested, ok := f.Set(a.Nested)
		if !ok {
			b.WriteString(strconv.Quote(hex.EncodeToString(data)))
			return nil
		}
		if nested.Ordered {
			return f.decodeList(b, nested, data)
		}
		return f.decodeObject(b, nested, data)
	case "indexed-array":
		b.WriteByte('[')
		i := 0
		for at, err := range netlink.Attrs(data) {
			if err != nil {
				return bad(err)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			i++
			sub := a.SubType
			if err := f.decodeValue(b, s, Attr{Name: a.Name, Kind: sub, Nested: a.Nested}, sub, at.Data); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case "nest-type-value":
		nested, ok := f.Set(a.Nested)
		if !ok && a.SubType == "" {
			b.WriteString(strconv.Quote(hex.EncodeToString(data)))
			return nil
		}
		return f.decodeKeyed(b, s, a, nested, max(a.Keys, 1), data)
	default: // binary, and what JSON has no form for
		b.WriteString(strconv.Quote(hex.EncodeToString(data)))
		return nil
	}
	if err != nil {
		return bad(err)
	}
	if en, ok := f.Enum(a.Enum); ok && a.Enum != "" {
		writeEnum(b, en, a, x)
		return nil
	}
	if kind[0] == 's' {
		b.WriteString(strconv.FormatInt(int64(x), 10))
	} else {
		b.WriteString(strconv.FormatUint(x, 10))
	}
	return nil
}

// AttrPath names the attribute at offset off of attrs, the attributes of
// set: "header.dev-name" for a dev-name nested in a header. It is what an
// extended ACK's offset points at, less the request's headers. Attributes
// the spec does not name are numbers; "" if off is at no attribute.
func (f *Family) AttrPath(set string, attrs []byte, off int) string {
	s, ok := f.Set(set)
	if !ok {
		return ""
	}
	return f.attrPath(s, attrs, 0, off)
}

// attrPath walks attrs, which start at offset base, down to the attribute
// at off.
func (f *Family) attrPath(s *AttrSet, attrs []byte, base, off int) string {
	pos := base
	for len(attrs) >= netlink.AttrHeaderLen {
		n := int(binary.NativeEndian.Uint16(attrs))
		if n < netlink.AttrHeaderLen || n > len(attrs) {
			return ""
		}
		typ := binary.NativeEndian.Uint16(attrs[2:]) & netlink.AttrTypeMask
		if off >= pos && off < pos+n {
			name := strconv.Itoa(int(typ))
			a, ok := s.ByType(typ)
			if ok {
				name = a.Name
			}
			if off == pos {
				return name
			}
			if ok && a.Kind == "nest" {
				if nested, ok := f.Set(a.Nested); ok {
					if inner := f.attrPath(nested, attrs[netlink.AttrHeaderLen:n], pos+netlink.AttrHeaderLen, off); inner != "" {
						return name + "." + inner
					}
				}
			}
			return name
		}
		step := min(netlink.Align(n), len(attrs))
		attrs = attrs[step:]
		pos += step
	}
	return ""
}

// enumBit is the value of enum entry n of en: a bit for flags and for an
// enum used as flags (asFlags, an attribute's enum-as-flags).
func enumBit(en *Enum, asFlags bool, n Name) uint64 {
	if asFlags && !en.Flags {
		return 1 << n.V
	}
	return n.V
}

// enumNumber turns an enum's name, or a list of flags' names and numbers,
// into the number they stand for; numbers stay as they are.
func (f *Family) enumNumber(a Attr, v any) (any, error) {
	en, ok := f.Enum(a.Enum)
	if !ok {
		return v, nil
	}
	lookup := func(name string) (uint64, error) {
		for _, n := range en.Values {
			if n.Name == name {
				return enumBit(en, a.EnumAsFlags, n), nil
			}
		}
		return 0, fmt.Errorf("%q is not a value of %s", name, en.Name)
	}
	switch v := v.(type) {
	case string:
		x, err := lookup(v)
		return json.Number(strconv.FormatUint(x, 10)), err
	case []any:
		var x uint64
		for _, item := range v {
			switch item := item.(type) {
			case string:
				bit, err := lookup(item)
				if err != nil {
					return nil, err
				}
				x |= bit
			case json.Number:
				bit, err := strconv.ParseUint(string(item), 10, 64)
				if err != nil {
					return nil, fmt.Errorf("%v is not a flag of %s", item, en.Name)
				}
				x |= bit
			default:
				return nil, fmt.Errorf("%v is not a flag of %s", item, en.Name)
			}
		}
		return json.Number(strconv.FormatUint(x, 10)), nil
	}
	return v, nil
}

// writeEnum writes x as its enum's name, or its flags' names in a list
// (bits with no name together as one number at the end); a value with no
// name stays a number.
func writeEnum(b *bytes.Buffer, en *Enum, a Attr, x uint64) {
	if !en.Flags && !a.EnumAsFlags {
		for _, n := range en.Values {
			if n.V == x {
				b.WriteString(strconv.Quote(n.Name))
				return
			}
		}
		b.WriteString(strconv.FormatUint(x, 10))
		return
	}
	b.WriteByte('[')
	first := true
	for _, n := range en.Values {
		bit := enumBit(en, a.EnumAsFlags, n)
		if bit == 0 || x&bit != bit {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(strconv.Quote(n.Name))
		x &^= bit
	}
	if x != 0 {
		if !first {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(x, 10))
	}
	b.WriteByte(']')
}
