package netlink

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// Helpers shared by the codec tests; this file has no build constraint.

// requireLittleEndian skips tests whose expected bytes are written out for a
// little-endian host.
func requireLittleEndian(t testing.TB) {
	t.Helper()
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("expected bytes are written for a little-endian host")
	}
}

// le16 and le32 spell little-endian fields in byte literals.
func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// msgResult is what Messages yields at one step.
type msgResult struct {
	m   Message
	err error
}

func (r msgResult) String() string {
	if r.err != nil {
		return fmt.Sprintf("error(%v)", r.err)
	}
	return fmt.Sprintf("%v % x", r.m.Header, r.m.Data)
}

// collectMessages calls the iterator directly (not through range, so that it
// is not protected by the runtime's checks) with a yield that always asks
// for more, and fails the test if the iterator yields anything after an
// error or more often than b can hold messages.
func collectMessages(t testing.TB, b []byte) []msgResult {
	t.Helper()
	var out []msgResult
	limit := len(b)/HeaderLen + 1
	Messages(b)(func(m Message, err error) bool {
		if n := len(out); n > 0 && out[n-1].err != nil {
			t.Fatalf("Messages yielded %v after the error %v", m.Header, out[n-1].err)
		}
		out = append(out, msgResult{m, err})
		if len(out) > limit {
			t.Fatalf("Messages yielded %d times for %d bytes", len(out), len(b))
		}
		return true
	})
	return out
}

// attrResult is what an attribute iterator yields at one step.
type attrResult struct {
	a   Attr
	err error
}

func (r attrResult) String() string {
	if r.err != nil {
		return fmt.Sprintf("error(%v)", r.err)
	}
	return fmt.Sprintf("%+v", r.a)
}

// collectAttrs is collectMessages for attribute iterators.
func collectAttrs(t testing.TB, seq func(func(Attr, error) bool), size int) []attrResult {
	t.Helper()
	var out []attrResult
	limit := size/AttrHeaderLen + 1
	seq(func(a Attr, err error) bool {
		if n := len(out); n > 0 && out[n-1].err != nil {
			t.Fatalf("attribute iterator yielded %+v after the error %v", a, out[n-1].err)
		}
		out = append(out, attrResult{a, err})
		if len(out) > limit {
			t.Fatalf("attribute iterator yielded %d times for %d bytes", len(out), size)
		}
		return true
	})
	return out
}

// encode runs f on a fresh encoder and returns its buffer, failing on error.
func encode(t testing.TB, f func(e *AttrEncoder)) []byte {
	t.Helper()
	var e AttrEncoder
	f(&e)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAttrEncoderBytes(t *testing.T) {
	requireLittleEndian(t)
	tests := []struct {
		name string
		f    func(e *AttrEncoder)
		want []byte
	}{
		{"Uint8", func(e *AttrEncoder) { e.Uint8(1, 0xab) }, []byte{5, 0, 1, 0, 0xab, 0, 0, 0}},
		{"Int8", func(e *AttrEncoder) { e.Int8(1, -2) }, []byte{5, 0, 1, 0, 0xfe, 0, 0, 0}},
		{"Uint16", func(e *AttrEncoder) { e.Uint16(2, 0x1234) }, []byte{6, 0, 2, 0, 0x34, 0x12, 0, 0}},
		{"Int16", func(e *AttrEncoder) { e.Int16(2, -2) }, []byte{6, 0, 2, 0, 0xfe, 0xff, 0, 0}},
		{"Uint32", func(e *AttrEncoder) { e.Uint32(3, 0x12345678) }, []byte{8, 0, 3, 0, 0x78, 0x56, 0x34, 0x12}},
		{"Int32", func(e *AttrEncoder) { e.Int32(3, -2) }, []byte{8, 0, 3, 0, 0xfe, 0xff, 0xff, 0xff}},
		{"Uint64", func(e *AttrEncoder) { e.Uint64(4, 0x0102030405060708) }, []byte{12, 0, 4, 0, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"Int64", func(e *AttrEncoder) { e.Int64(4, -2) }, []byte{12, 0, 4, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"Uint16BE", func(e *AttrEncoder) { e.Uint16BE(5, 0x1234) }, []byte{6, 0, 5, 0, 0x12, 0x34, 0, 0}},
		{"Uint16BE with NLA_F_NET_BYTEORDER", func(e *AttrEncoder) { e.Uint16BE(5|AttrNetByteOrder, 0x1234) }, []byte{6, 0, 5, 0x40, 0x12, 0x34, 0, 0}},
		{"Uint32BE", func(e *AttrEncoder) { e.Uint32BE(6, 0x0a000001) }, []byte{8, 0, 6, 0, 10, 0, 0, 1}},
		{"Uint64BE", func(e *AttrEncoder) { e.Uint64BE(7, 0x0102030405060708) }, []byte{12, 0, 7, 0, 1, 2, 3, 4, 5, 6, 7, 8}},
		{"Uint 4 bytes", func(e *AttrEncoder) { e.Uint(8, math.MaxUint32) }, []byte{8, 0, 8, 0, 0xff, 0xff, 0xff, 0xff}},
		{"Uint 8 bytes", func(e *AttrEncoder) { e.Uint(8, 1<<32) }, []byte{12, 0, 8, 0, 0, 0, 0, 0, 1, 0, 0, 0}},
		{"Int 4 bytes", func(e *AttrEncoder) { e.Int(9, math.MinInt32) }, []byte{8, 0, 9, 0, 0, 0, 0, 0x80}},
		{"Int 8 bytes", func(e *AttrEncoder) { e.Int(9, math.MinInt32-1) }, []byte{12, 0, 9, 0, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff}},
		{"Int 8 bytes positive", func(e *AttrEncoder) { e.Int(9, math.MaxInt32+1) }, []byte{12, 0, 9, 0, 0, 0, 0, 0x80, 0, 0, 0, 0}},
		{"Flag", func(e *AttrEncoder) { e.Flag(10) }, []byte{4, 0, 10, 0}},
		{"String", func(e *AttrEncoder) { e.String(11, "eth0") }, []byte{9, 0, 11, 0, 'e', 't', 'h', '0', 0, 0, 0, 0}},
		{"empty String", func(e *AttrEncoder) { e.String(11, "") }, []byte{5, 0, 11, 0, 0, 0, 0, 0}},
		{"Bytes", func(e *AttrEncoder) { e.Bytes(12, []byte{1, 2, 3}) }, []byte{7, 0, 12, 0, 1, 2, 3, 0}},
		{"empty Bytes", func(e *AttrEncoder) { e.Bytes(12, nil) }, []byte{4, 0, 12, 0}},
		{"Addr v4", func(e *AttrEncoder) { e.Addr(13, netip.MustParseAddr("10.0.0.1")) }, []byte{8, 0, 13, 0, 10, 0, 0, 1}},
		{"Addr v6", func(e *AttrEncoder) { e.Addr(13, netip.MustParseAddr("2001:db8::1")) },
			[]byte{20, 0, 13, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
		{"Addr v4-mapped v6", func(e *AttrEncoder) { e.Addr(13, netip.MustParseAddr("::ffff:10.0.0.1")) },
			[]byte{20, 0, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1}},
		{"type flags kept", func(e *AttrEncoder) { e.Uint8(0x7fff, 1) }, []byte{5, 0, 0xff, 0x7f, 1, 0, 0, 0}},
		{"Nest", func(e *AttrEncoder) {
			n := e.Nest(14)
			e.Uint32(1, 1)
			e.Uint8(2, 2)
			e.End(n)
		}, []byte{20, 0, 14, 0x80, 8, 0, 1, 0, 1, 0, 0, 0, 5, 0, 2, 0, 2, 0, 0, 0}},
		{"empty Nest", func(e *AttrEncoder) { e.End(e.Nest(14)) }, []byte{4, 0, 14, 0x80}},
		{"nested nests", func(e *AttrEncoder) {
			outer := e.Nest(1)
			inner := e.Nest(2)
			e.Flag(3)
			e.End(inner)
			e.Uint8(4, 4)
			e.End(outer)
		}, []byte{20, 0, 1, 0x80, 8, 0, 2, 0x80, 4, 0, 3, 0, 5, 0, 4, 0, 4, 0, 0, 0}},
		{"Cancel", func(e *AttrEncoder) {
			e.Uint8(1, 1)
			n := e.Nest(2)
			e.Uint32(3, 3)
			e.Cancel(n)
			e.Flag(4)
		}, []byte{5, 0, 1, 0, 1, 0, 0, 0, 4, 0, 4, 0}},
		{"Cancel inner nest", func(e *AttrEncoder) {
			outer := e.Nest(1)
			e.Flag(2)
			inner := e.Nest(3)
			e.Uint32(4, 4)
			e.Cancel(inner)
			e.End(outer)
		}, []byte{8, 0, 1, 0x80, 4, 0, 2, 0}},
		{"several", func(e *AttrEncoder) {
			e.Uint16(1, 1)
			e.String(2, "ab")
			e.Flag(3)
		}, []byte{6, 0, 1, 0, 1, 0, 0, 0, 7, 0, 2, 0, 'a', 'b', 0, 0, 4, 0, 3, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := encode(t, tt.f)
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got  % x\nwant % x", got, tt.want)
			}
		})
	}
}

func TestAttrEncoderKeepsPrefix(t *testing.T) {
	// A 1-byte family header (struct rtgenmsg) is padded before the first
	// attribute, as NLMSG_ALIGN(sizeof(struct rtgenmsg)) says.
	e := NewAttrEncoder([]byte{0xaa})
	e.Flag(1)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0xaa, 0, 0, 0, 4, 0, 1, 0}
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		want[4], want[5], want[6], want[7] = 0, 4, 0, 1
	}
	if !bytes.Equal(b, want) {
		t.Errorf("got % x, want % x", b, want)
	}
	// A nest after an unaligned prefix starts aligned too.
	e = NewAttrEncoder([]byte{0xaa, 0xbb})
	n := e.Nest(1)
	if n != 4 {
		t.Errorf("Nest after 2 bytes returned offset %d, want 4", n)
	}
	e.End(n)
	if b, err = e.Finish(); err != nil || len(b) != 8 {
		t.Errorf("got % x, %v", b, err)
	}
}

func TestAttrEncoderReset(t *testing.T) {
	var e AttrEncoder
	e.Bytes(1, make([]byte, math.MaxUint16))
	if !errors.Is(e.Err(), ErrAttrTooLarge) {
		t.Fatalf("Err() = %v", e.Err())
	}
	buf := make([]byte, 0, 64)
	e.Reset(buf[:0])
	if e.Err() != nil {
		t.Fatalf("Reset kept the error %v", e.Err())
	}
	e.Uint32(2, 2)
	b, err := e.Finish()
	if err != nil || len(b) != 8 || &b[0] != &buf[:1][0] {
		t.Errorf("after Reset: % x, %v; want 8 bytes in the given buffer", b, err)
	}
}

// TestAttrRoundTrip builds a message in place with AppendHeader, a family
// header, AttrEncoder and SetLength, and reads everything back.
func TestAttrRoundTrip(t *testing.T) {
	family := []byte{2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0} // a struct rtmsg
	b := AppendMessage(nil, Header{Type: TypeNoop}, nil)    // something before
	start := len(b)
	b = AppendHeader(b, Header{Type: 24, Flags: Request | Acknowledge | Create, Sequence: 9, PortID: 10})
	b = append(b, family...)
	e := NewAttrEncoder(b)
	v4 := netip.MustParseAddr("192.0.2.1")
	v6 := netip.MustParseAddr("2001:db8::42")
	e.Uint8(1, 0xfe)
	e.Uint16(2, 0xfedc)
	e.Uint32(3, 0xfedcba98)
	e.Uint64(4, 0xfedcba9876543210)
	e.Int8(5, -5)
	e.Int16(6, -6)
	e.Int32(7, -7)
	e.Int64(8, -8)
	e.Uint16BE(9|AttrNetByteOrder, 0x1234)
	e.Uint32BE(10|AttrNetByteOrder, 0x12345678)
	e.Uint64BE(11|AttrNetByteOrder, 0x123456789abcdef0)
	e.Uint16BE(12, 0xabcd) // no flag: only the BE getters read it right
	e.Uint(13, 7)
	e.Uint(14, 1<<40)
	e.Int(15, -7)
	e.Int(16, -1<<40)
	e.Flag(17)
	e.String(18, "hello")
	e.Bytes(19, []byte{1, 2, 3, 4, 5})
	e.Addr(20, v4)
	e.Addr(21, v6)
	outer := e.Nest(22)
	e.Uint32(1, 100)
	inner := e.Nest(2)
	e.String(1, "deep")
	innermost := e.Nest(2)
	e.Flag(9)
	e.End(innermost)
	e.End(inner)
	dropped := e.Nest(3)
	e.Uint64(1, 1)
	e.Cancel(dropped)
	e.End(outer)
	e.Uint32(23, 23)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	b = SetLength(b, start)
	b = AppendMessage(b, Header{Type: TypeDone}, nil) // something after

	msgs := collectMessages(t, b)
	if len(msgs) != 3 || msgs[1].err != nil {
		t.Fatalf("messages: %v", msgs)
	}
	m := msgs[1].m
	if m.Header.Type != 24 || m.Header.Sequence != 9 || m.Header.PortID != 10 || int(m.Header.Length) != len(b)-start-HeaderLen {
		t.Errorf("header %v", m.Header)
	}
	if !bytes.Equal(m.Data[:len(family)], family) {
		t.Errorf("family header % x", m.Data[:len(family)])
	}
	var attrs []Attr
	for a, err := range m.Attrs(len(family)) {
		if err != nil {
			t.Fatal(err)
		}
		attrs = append(attrs, a)
	}
	if len(attrs) != 23 {
		t.Fatalf("got %d attributes, want 23", len(attrs))
	}
	for i, a := range attrs {
		if int(a.Type) != i+1 {
			t.Fatalf("attribute %d has type %d", i, a.Type)
		}
	}
	check := func(name string, got, want any, err error) {
		t.Helper()
		if err != nil || got != want {
			t.Errorf("%s: got %v (%T), %v; want %v", name, got, got, err, want)
		}
	}
	u8, err := attrs[0].Uint8()
	check("Uint8", u8, uint8(0xfe), err)
	u16, err := attrs[1].Uint16()
	check("Uint16", u16, uint16(0xfedc), err)
	u32, err := attrs[2].Uint32()
	check("Uint32", u32, uint32(0xfedcba98), err)
	u64, err := attrs[3].Uint64()
	check("Uint64", u64, uint64(0xfedcba9876543210), err)
	i8, err := attrs[4].Int8()
	check("Int8", i8, int8(-5), err)
	i16, err := attrs[5].Int16()
	check("Int16", i16, int16(-6), err)
	i32, err := attrs[6].Int32()
	check("Int32", i32, int32(-7), err)
	i64, err := attrs[7].Int64()
	check("Int64", i64, int64(-8), err)

	// NLA_F_NET_BYTEORDER: the plain getters read big-endian.
	for _, a := range attrs[8:11] {
		if !a.NetByteOrder || a.Nested {
			t.Errorf("attribute %d: flags %+v", a.Type, a)
		}
	}
	u16, err = attrs[8].Uint16()
	check("Uint16 of a NET_BYTEORDER attribute", u16, uint16(0x1234), err)
	u16, err = attrs[8].Uint16BE()
	check("Uint16BE of a NET_BYTEORDER attribute", u16, uint16(0x1234), err)
	u32, err = attrs[9].Uint32()
	check("Uint32 of a NET_BYTEORDER attribute", u32, uint32(0x12345678), err)
	u32, err = attrs[9].Uint32BE()
	check("Uint32BE of a NET_BYTEORDER attribute", u32, uint32(0x12345678), err)
	u64, err = attrs[10].Uint64()
	check("Uint64 of a NET_BYTEORDER attribute", u64, uint64(0x123456789abcdef0), err)
	u64, err = attrs[10].Uint64BE()
	check("Uint64BE of a NET_BYTEORDER attribute", u64, uint64(0x123456789abcdef0), err)
	u16, err = attrs[11].Uint16BE()
	check("Uint16BE", u16, uint16(0xabcd), err)
	if attrs[11].NetByteOrder {
		t.Error("Uint16BE set NLA_F_NET_BYTEORDER")
	}
	u16, err = attrs[11].Uint16()
	check("Uint16 of a big-endian payload without the flag", u16, binary.NativeEndian.Uint16([]byte{0xab, 0xcd}), err)

	uv, err := attrs[12].Uint()
	check("Uint (4 bytes)", uv, uint64(7), err)
	if len(attrs[12].Data) != 4 {
		t.Errorf("Uint(7) took %d bytes, want 4", len(attrs[12].Data))
	}
	uv, err = attrs[13].Uint()
	check("Uint (8 bytes)", uv, uint64(1<<40), err)
	if len(attrs[13].Data) != 8 {
		t.Errorf("Uint(1<<40) took %d bytes, want 8", len(attrs[13].Data))
	}
	iv, err := attrs[14].Int()
	check("Int (4 bytes)", iv, int64(-7), err)
	if len(attrs[14].Data) != 4 {
		t.Errorf("Int(-7) took %d bytes, want 4", len(attrs[14].Data))
	}
	iv, err = attrs[15].Int()
	check("Int (8 bytes)", iv, int64(-1<<40), err)
	if len(attrs[15].Data) != 8 {
		t.Errorf("Int(-1<<40) took %d bytes, want 8", len(attrs[15].Data))
	}
	fl, err := attrs[16].Flag()
	check("Flag", fl, true, err)
	check("Str", attrs[17].Str(), "hello", nil)
	cs, err := attrs[17].CString()
	check("CString", cs, "hello", err)
	if !bytes.Equal(attrs[17].Data, []byte("hello\x00")) {
		t.Errorf("String payload % x, want the NUL kept", attrs[17].Data)
	}
	if !bytes.Equal(attrs[18].Data, []byte{1, 2, 3, 4, 5}) {
		t.Errorf("Bytes payload % x", attrs[18].Data)
	}
	ip, err := attrs[19].Addr()
	check("Addr v4", ip, v4, err)
	ip, err = attrs[20].Addr()
	check("Addr v6", ip, v6, err)

	// The nest and its nests.
	n := attrs[21]
	if !n.Nested || n.NetByteOrder {
		t.Errorf("nest flags: %+v", n)
	}
	var kids []Attr
	for c, err := range n.Attrs() {
		if err != nil {
			t.Fatal(err)
		}
		kids = append(kids, c)
	}
	if len(kids) != 2 || kids[0].Type != 1 || kids[1].Type != 2 || !kids[1].Nested || kids[0].Nested {
		t.Fatalf("nest holds %+v (the cancelled nest must be gone)", kids)
	}
	u32, err = kids[0].Uint32()
	check("nested Uint32", u32, uint32(100), err)
	var grandkids []Attr
	for c, err := range kids[1].Attrs() {
		if err != nil {
			t.Fatal(err)
		}
		grandkids = append(grandkids, c)
	}
	if len(grandkids) != 2 || grandkids[0].Str() != "deep" || !grandkids[1].Nested {
		t.Fatalf("inner nest holds %+v", grandkids)
	}
	var deepest []Attr
	for c, err := range grandkids[1].Attrs() {
		if err != nil {
			t.Fatal(err)
		}
		deepest = append(deepest, c)
	}
	if len(deepest) != 1 || deepest[0].Type != 9 || len(deepest[0].Data) != 0 {
		t.Fatalf("innermost nest holds %+v", deepest)
	}
	u32, err = attrs[22].Uint32()
	check("attribute after the nest", u32, uint32(23), err)
}

func TestAttrTypeFlags(t *testing.T) {
	for _, tt := range []struct {
		raw          uint16
		typ          uint16
		nested, netb bool
	}{
		{0x0001, 1, false, false},
		{0x8001, 1, true, false},
		{0x4001, 1, false, true},
		{0xc001, 1, true, true},
		{0xffff, 0x3fff, true, true},
		{0x3fff, 0x3fff, false, false},
	} {
		b := encode(t, func(e *AttrEncoder) { e.Flag(tt.raw) })
		got := collectAttrs(t, Attrs(b), len(b))
		if len(got) != 1 || got[0].err != nil {
			t.Fatalf("type %#x: %v", tt.raw, got)
		}
		a := got[0].a
		if a.Type != tt.typ || a.Nested != tt.nested || a.NetByteOrder != tt.netb {
			t.Errorf("type %#x decoded as %+v", tt.raw, a)
		}
	}
	if AttrTypeMask != 0x3fff {
		t.Errorf("AttrTypeMask = %#x, want NLA_TYPE_MASK 0x3fff", AttrTypeMask)
	}
}

// TestAttrGettersWrongSize feeds every getter every payload size from 0 to 17
// bytes: the wrong sizes are errors wrapping ErrMalformed, never panics.
func TestAttrGettersWrongSize(t *testing.T) {
	getters := []struct {
		name string
		ok   []int // the sizes the getter accepts
		get  func(Attr) error
	}{
		{"Uint8", []int{1}, func(a Attr) error { _, err := a.Uint8(); return err }},
		{"Uint16", []int{2}, func(a Attr) error { _, err := a.Uint16(); return err }},
		{"Uint32", []int{4}, func(a Attr) error { _, err := a.Uint32(); return err }},
		{"Uint64", []int{8}, func(a Attr) error { _, err := a.Uint64(); return err }},
		{"Uint16BE", []int{2}, func(a Attr) error { _, err := a.Uint16BE(); return err }},
		{"Uint32BE", []int{4}, func(a Attr) error { _, err := a.Uint32BE(); return err }},
		{"Uint64BE", []int{8}, func(a Attr) error { _, err := a.Uint64BE(); return err }},
		{"Int8", []int{1}, func(a Attr) error { _, err := a.Int8(); return err }},
		{"Int16", []int{2}, func(a Attr) error { _, err := a.Int16(); return err }},
		{"Int32", []int{4}, func(a Attr) error { _, err := a.Int32(); return err }},
		{"Int64", []int{8}, func(a Attr) error { _, err := a.Int64(); return err }},
		{"Uint", []int{4, 8}, func(a Attr) error { _, err := a.Uint(); return err }},
		{"Int", []int{4, 8}, func(a Attr) error { _, err := a.Int(); return err }},
		{"Flag", []int{0}, func(a Attr) error { _, err := a.Flag(); return err }},
		{"Addr", []int{4, 16}, func(a Attr) error { _, err := a.Addr(); return err }},
	}
	for _, g := range getters {
		for n := 0; n <= 17; n++ {
			for _, netb := range []bool{false, true} {
				a := Attr{Type: 7, NetByteOrder: netb, Data: bytes.Repeat([]byte{0xff}, n)}
				if n == 0 {
					a.Data = nil
				}
				err := g.get(a)
				switch {
				case slices.Contains(g.ok, n) && err != nil:
					t.Errorf("%s of %d bytes: %v", g.name, n, err)
				case !slices.Contains(g.ok, n) && !errors.Is(err, ErrMalformed):
					t.Errorf("%s of %d bytes: error %v, want one wrapping ErrMalformed", g.name, n, err)
				}
			}
		}
	}

	// On error the value is the zero value, and the error says why.
	a := Attr{Data: []byte{1, 2, 3}}
	if v, err := a.Uint32(); v != 0 || err == nil ||
		err.Error() != "netlink: attribute 0 has 3 bytes, want 4: malformed netlink data" {
		t.Errorf("Uint32 of 3 bytes returned %d, %v", v, err)
	}
	if v, _ := a.Int(); v != 0 {
		t.Errorf("Int of 3 bytes returned %d", v)
	}
	if v, _ := a.Addr(); v.IsValid() {
		t.Errorf("Addr of 3 bytes returned %v", v)
	}
	if v, err := (Attr{Data: []byte{0}}).Flag(); v || err == nil {
		t.Errorf("Flag with a payload: %v, %v", v, err)
	}
}

func TestAttrSignExtension(t *testing.T) {
	a := Attr{Data: binary.NativeEndian.AppendUint32(nil, 0xfffffffe)}
	if v, err := a.Int(); err != nil || v != -2 {
		t.Errorf("Int of 4-byte -2: %d, %v", v, err)
	}
	if v, err := a.Uint(); err != nil || v != 0xfffffffe {
		t.Errorf("Uint of 4-byte 0xfffffffe: %#x, %v", v, err)
	}
	be := Attr{NetByteOrder: true, Data: []byte{0xff, 0xff, 0xff, 0xfe}}
	if v, err := be.Int(); err != nil || v != -2 {
		t.Errorf("Int of big-endian 4-byte -2: %d, %v", v, err)
	}
	if v, err := be.Int32(); err != nil || v != -2 {
		t.Errorf("Int32 of big-endian -2: %d, %v", v, err)
	}
	be8 := Attr{NetByteOrder: true, Data: []byte{0, 0, 0, 1, 0, 0, 0, 2}}
	if v, err := be8.Uint(); err != nil || v != 1<<32|2 {
		t.Errorf("Uint of big-endian 8 bytes: %#x, %v", v, err)
	}
}

func TestAttrStrings(t *testing.T) {
	for _, tt := range []struct {
		data    string
		str     string
		cstr    string
		cstrErr bool
	}{
		{"eth0\x00", "eth0", "eth0", false},
		{"eth0", "eth0", "", true},
		{"", "", "", true},
		{"\x00", "", "", false},
		{"a\x00b\x00", "a\x00b", "a", false},
		{"ab\x00\x00", "ab\x00", "ab", false},
	} {
		a := Attr{Type: 3, Data: []byte(tt.data)}
		if got := a.Str(); got != tt.str {
			t.Errorf("Str(%q) = %q, want %q", tt.data, got, tt.str)
		}
		got, err := a.CString()
		if tt.cstrErr {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("CString(%q): error %v, want ErrMalformed", tt.data, err)
			}
		} else if err != nil || got != tt.cstr {
			t.Errorf("CString(%q) = %q, %v; want %q", tt.data, got, err, tt.cstr)
		}
	}
	// Str copies.
	buf := []byte("abc\x00")
	s := Attr{Data: buf}.Str()
	buf[0] = 'x'
	if s != "abc" {
		t.Errorf("Str aliases its payload: %q", s)
	}
}

func TestAttrsMalformed(t *testing.T) {
	valid := encode(t, func(e *AttrEncoder) { e.Uint32(1, 1) })
	raw := func(length, typ uint16, rest ...byte) []byte {
		b := binary.NativeEndian.AppendUint16(nil, length)
		b = binary.NativeEndian.AppendUint16(b, typ)
		return append(b, rest...)
	}
	tests := []struct {
		name   string
		b      []byte
		nValid int
	}{
		{"1-byte header", []byte{4}, 0},
		{"3-byte header", []byte{4, 0, 1}, 0},
		{"nla_len 0", raw(0, 1), 0},
		{"nla_len 0, more bytes", raw(0, 1, 0, 0, 0, 0, 0, 0, 0, 0), 0},
		{"nla_len 3", raw(3, 1, 0, 0, 0, 0), 0},
		{"nla_len past buffer", raw(9, 1, 1, 2, 3, 4), 0},
		{"nla_len 0xffff", raw(0xffff, 1, 1, 2, 3, 4), 0},
		{"garbage after a valid attribute", cat(valid, []byte{1, 2}), 1},
		{"nla_len 0 after a valid attribute", cat(valid, raw(0, 2)), 1},
		{"nla_len past buffer after a valid attribute", cat(valid, valid, raw(12, 2, 1, 2, 3, 4)), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, seq := range []struct {
				name string
				f    func(func(Attr, error) bool)
			}{
				{"Attrs", Attrs(tt.b)},
				{"Attr.Attrs", Attr{Nested: true, Data: tt.b}.Attrs()},
				{"Message.Attrs", Message{Data: cat([]byte{1, 2, 3, 4}, tt.b)}.Attrs(3)},
			} {
				got := collectAttrs(t, seq.f, len(tt.b))
				if len(got) != tt.nValid+1 {
					t.Fatalf("%s: got %v, want %d attributes and an error", seq.name, got, tt.nValid)
				}
				for _, r := range got[:tt.nValid] {
					if r.err != nil {
						t.Fatalf("%s: unexpected error %v", seq.name, r.err)
					}
				}
				last := got[tt.nValid]
				if !errors.Is(last.err, ErrMalformed) {
					t.Errorf("%s: error %v, want one wrapping ErrMalformed", seq.name, last.err)
				}
				if last.a.Data != nil || last.a.Type != 0 {
					t.Errorf("%s: error came with attribute %+v", seq.name, last.a)
				}
			}
		})
	}
}

func TestAttrsEmpty(t *testing.T) {
	for _, b := range [][]byte{nil, {}} {
		if got := collectAttrs(t, Attrs(b), 0); len(got) != 0 {
			t.Errorf("Attrs(%v) yielded %v", b, got)
		}
	}
}

// TestAttrsPadding: the last attribute may lack its padding, and its padding
// is not read as an attribute; an attribute in the middle must be padded.
func TestAttrsPadding(t *testing.T) {
	b := encode(t, func(e *AttrEncoder) {
		e.Uint32(1, 1)
		e.Bytes(2, []byte{7})
	})
	if len(b) != 16 {
		t.Fatalf("encoded %d bytes, want 16", len(b))
	}
	for _, n := range []int{13, 16} { // without and with the padding
		got := collectAttrs(t, Attrs(b[:n]), n)
		if len(got) != 2 || got[0].err != nil || got[1].err != nil || !bytes.Equal(got[1].a.Data, []byte{7}) {
			t.Errorf("%d bytes: got %v", n, got)
		}
		if cap(got[1].a.Data) != 1 {
			t.Errorf("%d bytes: cap(Data) = %d, want 1", n, cap(got[1].a.Data))
		}
	}
	// Padding bytes need not be zero.
	c := slices.Clone(b)
	c[13], c[14], c[15] = 0xff, 0xff, 0xff
	if got := collectAttrs(t, Attrs(c), len(c)); len(got) != 2 || got[1].err != nil {
		t.Errorf("non-zero padding: got %v", got)
	}
	// An unpadded attribute followed by another.
	mid := cat(b[8:13], b[:8]) // 5-byte attribute, then an 8-byte one right after
	got := collectAttrs(t, Attrs(mid), len(mid))
	if n := len(got); n == 0 || got[n-1].err == nil {
		t.Errorf("unpadded attribute in the middle: got %v, want an error", got)
	}
}

func TestAttrsBreak(t *testing.T) {
	b := encode(t, func(e *AttrEncoder) {
		for i := range 5 {
			e.Uint8(uint16(i), uint8(i))
		}
	})
	b = append(b, 0xff) // malformed tail, never reached
	n := 0
	for a, err := range Attrs(b) {
		if err != nil {
			t.Fatal(err)
		}
		if int(a.Type) != n {
			t.Fatalf("attribute %d has type %d", n, a.Type)
		}
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("saw %d attributes, want 3", n)
	}
}

func TestAttrEncoderTooLarge(t *testing.T) {
	// nla_len is 16 bits: a 65,531-byte payload is the largest that fits.
	b := encode(t, func(e *AttrEncoder) { e.Bytes(1, make([]byte, 65531)) })
	if got := binary.NativeEndian.Uint16(b); got != 65535 || len(b) != 65536 {
		t.Errorf("65,531-byte payload: nla_len %d, %d bytes", got, len(b))
	}

	tooLarge := []struct {
		name string
		f    func(e *AttrEncoder)
	}{
		{"Bytes", func(e *AttrEncoder) { e.Bytes(1, make([]byte, 65532)) }},
		{"Bytes, far too large", func(e *AttrEncoder) { e.Bytes(1, make([]byte, 1<<20)) }},
		{"String", func(e *AttrEncoder) { e.String(1, strings.Repeat("x", 65531)) }},
		{"nest", func(e *AttrEncoder) {
			n := e.Nest(1)
			e.Bytes(2, make([]byte, 40000))
			e.Bytes(3, make([]byte, 40000))
			e.End(n)
		}},
		{"nest of 65,536 bytes", func(e *AttrEncoder) {
			// 4 + Align(4 + 65525) = 65536.
			n := e.Nest(1)
			e.Bytes(2, make([]byte, 65525))
			e.End(n)
		}},
		{"outer nest", func(e *AttrEncoder) {
			outer := e.Nest(1)
			for range 3 {
				inner := e.Nest(2)
				e.Bytes(3, make([]byte, 30000))
				e.End(inner)
			}
			e.End(outer)
		}},
	}
	for _, tt := range tooLarge {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte{1, 2, 3, 4}
			e := NewAttrEncoder(slices.Clone(prefix))
			e.Uint32(9, 9)
			before := len(e.b)
			tt.f(e)
			err := e.Err()
			if !errors.Is(err, ErrAttrTooLarge) {
				t.Fatalf("Err() = %v, want one wrapping ErrAttrTooLarge", err)
			}
			// Sticky: nothing more is appended, nests included.
			n := len(e.b)
			e.Uint32(10, 10)
			e.Flag(11)
			e.String(12, "x")
			e.Addr(13, netip.MustParseAddr("10.0.0.1"))
			if start := e.Nest(14); start != -1 {
				t.Errorf("Nest after an error returned %d, want -1", start)
			} else {
				e.End(start)
				e.Cancel(start)
			}
			e.Cancel(before) // no rolling back out of an error either
			if len(e.b) != n {
				t.Errorf("calls after the error changed the buffer from %d to %d bytes", n, len(e.b))
			}
			b, ferr := e.Finish()
			if ferr != err || e.Err() != err {
				t.Errorf("Finish error %v, Err %v; want the first error %v", ferr, e.Err(), err)
			}
			if !bytes.Equal(b[:len(prefix)], prefix) {
				t.Errorf("prefix clobbered: % x", b[:len(prefix)])
			}
			// Never truncated: no nla_len in the buffer was wrapped around.
			for a, aerr := range Attrs(b[len(prefix):]) {
				if aerr != nil {
					break
				}
				if a.Type == 1 && len(a.Data) < 65532 && !a.Nested {
					t.Errorf("found a truncated attribute of %d bytes", len(a.Data))
				}
			}
		})
	}

	// Nests at the limit: 4 + Align(4 + 65524) = 65532.
	b = encode(t, func(e *AttrEncoder) {
		n := e.Nest(1)
		e.Bytes(2, make([]byte, 65524))
		e.End(n)
	})
	if got := binary.NativeEndian.Uint16(b); got != 65532 {
		t.Errorf("largest nest: nla_len %d, want 65532", got)
	}
}

func TestAttrEncoderOversizedNotTruncated(t *testing.T) {
	// The payload that would wrap nla_len to a small number (65536+8 bytes
	// gives nla_len 12 when truncated) must not be written at all.
	var e AttrEncoder
	e.Bytes(1, make([]byte, 1<<16+8))
	b, err := e.Finish()
	if !errors.Is(err, ErrAttrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if len(b) != 0 {
		t.Errorf("wrote %d bytes", len(b))
	}
}

func TestAttrEncoderInvalidAddr(t *testing.T) {
	var e AttrEncoder
	e.Addr(1, netip.Addr{})
	if e.Err() == nil {
		t.Fatal("no error for the zero netip.Addr")
	}
	e.Uint32(2, 2)
	if b, err := e.Finish(); len(b) != 0 || err == nil {
		t.Errorf("after an invalid address: % x, %v", b, err)
	}
}

func TestAttrEncoderEndMismatch(t *testing.T) {
	for _, start := range []int{-1, 1, 100} {
		e := NewAttrEncoder(make([]byte, 4))
		e.End(start)
		if e.Err() == nil {
			t.Errorf("End(%d) without a nest there: no error", start)
		}
	}
}

func TestAttrEncoderCancelRestores(t *testing.T) {
	var e AttrEncoder
	e.String(1, "keep")
	want := slices.Clone(e.b)
	n := e.Nest(2)
	inner := e.Nest(3)
	e.Uint64(4, 4)
	e.End(inner)
	e.Bytes(5, make([]byte, 100))
	e.Cancel(n)
	b, err := e.Finish()
	if err != nil || !bytes.Equal(b, want) {
		t.Errorf("after Cancel: % x, %v; want % x", b, err, want)
	}
	// The encoder goes on normally.
	e.Flag(6)
	if b, _ := e.Finish(); len(b) != len(want)+4 {
		t.Errorf("after Cancel and Flag: %d bytes, want %d", len(b), len(want)+4)
	}
}

// TestAttrEncoderNestMisuse: the misuses of nests that would leave a
// malformed message are the encoder's sticky error, and corrupt nothing
// already written.
func TestAttrEncoderNestMisuse(t *testing.T) {
	tests := []struct {
		name string
		f    func(e *AttrEncoder)
		want string // in the error
	}{
		{"End without a nest", func(e *AttrEncoder) { e.End(4) }, "End(4): no nest open there"},
		{"End of an offset inside a nest", func(e *AttrEncoder) {
			n := e.Nest(1)
			e.End(n + 4)
		}, "End(12): no nest open there"},
		{"End twice", func(e *AttrEncoder) {
			n := e.Nest(1)
			e.End(n)
			e.End(n)
		}, "End(8): no nest open there"},
		{"End of the outer nest first", func(e *AttrEncoder) {
			outer := e.Nest(1)
			e.Nest(2)
			e.End(outer)
		}, "End(8) of attribute 1: the nest of attribute 2 at offset 12 is still open inside it"},
		{"End of a negative offset", func(e *AttrEncoder) { e.End(-1) }, "End(-1): no nest open there"},
		{"Cancel without a nest", func(e *AttrEncoder) { e.Cancel(4) }, "Cancel(4): no nest open there"},
		{"Cancel of a closed nest", func(e *AttrEncoder) {
			n := e.Nest(1)
			e.End(n)
			e.Cancel(n)
		}, "Cancel(8): no nest open there"},
		{"Cancel past the end", func(e *AttrEncoder) { e.Cancel(1000) }, "Cancel(1000): no nest open there"},
		{"Finish with a nest open", func(e *AttrEncoder) {
			e.Nest(1)
			e.Nest(2)
		}, "2 nests left open; the innermost, attribute 2, starts at offset 12"},
		{"too deep", func(e *AttrEncoder) {
			for i := range MaxNestDepth + 1 {
				e.Nest(uint16(i + 1))
			}
		}, "nested attribute 17: nests more than 16 deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := encode(t, func(e *AttrEncoder) { e.Uint32(9, 9) })
			e := NewAttrEncoder(slices.Clone(prefix))
			tt.f(e)
			b, err := e.Finish()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
			if errors.Is(err, ErrAttrTooLarge) || errors.Is(err, ErrMalformed) {
				t.Errorf("misuse error %v wraps a sentinel for bad data", err)
			}
			// Sticky: nothing more is appended or changed.
			n := len(e.b)
			e.Uint32(10, 10)
			e.Raw([]byte{1})
			if start := e.Nest(11); start != -1 {
				t.Errorf("Nest after an error returned %d", start)
			}
			e.End(8)
			e.Cancel(8)
			if len(e.b) != n || e.Err() != err {
				t.Errorf("calls after the error: %d bytes, was %d; error %v", len(e.b), n, e.Err())
			}
			if _, again := e.Finish(); again != err {
				t.Errorf("Finish again: %v", again)
			}
			if !bytes.Equal(b[:len(prefix)], prefix) {
				t.Errorf("prefix clobbered: % x", b[:len(prefix)])
			}
		})
	}
}

// TestAttrEncoderNestOrder: nests close innermost first, Cancel may drop an
// outer nest with nests open inside it, and MaxNestDepth nests are fine.
func TestAttrEncoderNestOrder(t *testing.T) {
	var e AttrEncoder
	e.Uint8(1, 1)
	keep := len(e.b)
	outer := e.Nest(2)
	e.Nest(3)
	e.Nest(4)
	e.Cancel(outer)
	e.Flag(5)
	b, err := e.Finish()
	if err != nil || len(b) != keep+4 {
		t.Fatalf("after Cancel of an outer nest: % x, %v", b, err)
	}

	e.Reset(nil)
	var starts []int
	for i := range MaxNestDepth {
		starts = append(starts, e.Nest(uint16(i+1)))
	}
	e.Uint32(100, 100)
	for _, start := range slices.Backward(starts) {
		e.End(start)
	}
	b, err = e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	d := NewAttrDecoder(b)
	depth := 0
	var leaf uint32
	var walk func()
	walk = func() {
		for d.Next() {
			if d.Type() == 100 {
				leaf = d.Uint32()
				continue
			}
			depth++
			outer := d.Enter()
			walk()
			d.Exit(outer)
		}
	}
	walk()
	if err := d.Err(); err != nil || depth != MaxNestDepth || leaf != 100 {
		t.Errorf("decoded %d nests, leaf %d: %v", depth, leaf, err)
	}

	// Reset forgets open nests.
	e.Reset(nil)
	e.Nest(1)
	e.Reset(nil)
	if _, err := e.Finish(); err != nil {
		t.Errorf("after Reset: %v", err)
	}
}

// TestAttrEncoderRaw builds what `ip link add veth0 type veth peer name
// veth1` sends: the peer's struct ifinfomsg inside VETH_INFO_PEER, before
// the peer's attributes.
func TestAttrEncoderRaw(t *testing.T) {
	requireLittleEndian(t)
	const vethInfoPeer = 1 // VETH_INFO_PEER
	ifinfomsg := make([]byte, 16)
	e := NewAttrEncoder(slices.Clone(ifinfomsg))
	e.String(3, "veth0") // IFLA_IFNAME
	info := e.Nest(18)   // IFLA_LINKINFO
	e.String(1, "veth")  // IFLA_INFO_KIND
	data := e.Nest(2)    // IFLA_INFO_DATA
	peer := e.Nest(vethInfoPeer)
	e.Raw(ifinfomsg)
	e.String(3, "veth1")
	e.End(peer)
	e.End(data)
	e.End(info)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	want := cat(
		ifinfomsg,
		[]byte{10, 0, 3, 0, 'v', 'e', 't', 'h', '0', 0, 0, 0},
		[]byte{52, 0, 18, 0x80}, // IFLA_LINKINFO
		[]byte{9, 0, 1, 0, 'v', 'e', 't', 'h', 0, 0, 0, 0},
		[]byte{36, 0, 2, 0x80},                   // IFLA_INFO_DATA
		[]byte{32, 0, 1, 0x80}, make([]byte, 16), // VETH_INFO_PEER, ifinfomsg
		[]byte{10, 0, 3, 0, 'v', 'e', 't', 'h', '1', 0, 0, 0},
	)
	if !bytes.Equal(b, want) {
		t.Errorf("got\n% x\nwant\n% x", b, want)
	}

	// Raw pads what it appends, and what comes before it.
	b = encode(t, func(e *AttrEncoder) {
		e.Raw([]byte{1, 2, 3, 4, 5})
		e.Raw([]byte{6})
		e.Uint8(1, 7)
	})
	if want := []byte{1, 2, 3, 4, 5, 0, 0, 0, 6, 0, 0, 0, 5, 0, 1, 0, 7, 0, 0, 0}; !bytes.Equal(b, want) {
		t.Errorf("padding: got % x, want % x", b, want)
	}
	// Raw counts towards its nest's size.
	e.Reset(nil)
	n := e.Nest(1)
	e.Raw(make([]byte, 1<<16))
	e.End(n)
	if _, err := e.Finish(); !errors.Is(err, ErrAttrTooLarge) {
		t.Errorf("64 KiB of Raw in a nest: %v", err)
	}
}

// TestAttrAppend: an attribute appended as it came re-parses to the same
// type, flags and payload, padded to 4 bytes.
func TestAttrAppend(t *testing.T) {
	for _, a := range []Attr{
		{Type: 1, Data: []byte{1, 2, 3}},
		{Type: 2, Nested: true, Data: []byte{8, 0, 1, 0, 1, 2, 3, 4}},
		{Type: 3, NetByteOrder: true, Data: []byte{0, 0, 0, 7}},
		{Type: 4},
	} {
		b := a.Append([]byte{0xff})
		if len(b)-1 != AttrSpace(len(a.Data)) {
			t.Fatalf("%+v: appended %d bytes, want %d", a, len(b)-1, AttrSpace(len(a.Data)))
		}
		for got, err := range Attrs(b[1:]) {
			if err != nil || got.Type != a.Type || got.Nested != a.Nested || got.NetByteOrder != a.NetByteOrder || string(got.Data) != string(a.Data) {
				t.Fatalf("%+v: re-parsed as %+v, %v", a, got, err)
			}
		}
	}
}

// TestRawAttrs: attributes kept as they came (flags, padding) and sent
// back through the encoder come out as they went in, aligned after a
// header of odd length; the zero RawAttrs appends nothing.
func TestRawAttrs(t *testing.T) {
	in := []Attr{
		{Type: 1, Data: []byte{1, 2, 3}},
		{Type: 2, Nested: true, Data: []byte{8, 0, 1, 0, 1, 2, 3, 4}},
		{Type: 3, NetByteOrder: true, Data: []byte{0, 0, 0, 7}},
		{Type: 4},
	}
	var b []byte
	for _, a := range in {
		b = a.Append(b)
	}
	r := RawAttrs(b)
	i := 0
	for a, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		if w := in[i]; a.Type != w.Type || a.Nested != w.Nested || a.NetByteOrder != w.NetByteOrder || string(a.Data) != string(w.Data) {
			t.Errorf("attribute %d = %+v, want %+v", i, a, w)
		}
		i++
	}
	if i != len(in) {
		t.Fatalf("All yielded %d attributes, want %d", i, len(in))
	}

	e := NewAttrEncoder(nil)
	e.Raw([]byte{0xaa}) // a header of one byte, padded to four
	e.RawAttrs(r)
	e.RawAttrs("")
	e.Uint8(9, 1)
	got, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte{0xaa, 0, 0, 0}, b...), 5, 0, 9, 0, 1, 0, 0, 0)
	if !bytes.Equal(got, want) {
		t.Fatalf("encoded\n% x\nwant\n% x", got, want)
	}

	// Each attribute through the encoder's Attr: the same bytes.
	e.Reset(nil)
	for a, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		e.Attr(a)
	}
	if got, err := e.Finish(); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("Attr one by one = % x, %v; want % x", got, err, b)
	}

	// A malformed RawAttrs walks to an error; the encoder sends it as it is.
	bad := RawAttrs("\x08\x00\x01\x00\x01")
	var werr error
	for _, err := range bad.All() {
		werr = err
	}
	if !errors.Is(werr, ErrMalformed) {
		t.Errorf("walking a malformed RawAttrs: %v, want ErrMalformed", werr)
	}
	e.Reset(nil)
	e.RawAttrs(bad)
	if got, err := e.Finish(); err != nil || string(got) != string(bad)+"\x00\x00\x00" {
		t.Errorf("encoding a malformed RawAttrs = % x, %v; want it as it is, padded", got, err)
	}
}
