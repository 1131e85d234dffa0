//go:build linux

package netlink

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// decodeAll walks d to its end and returns the attributes it saw and Err.
func decodeAll(t testing.TB, d *AttrDecoder, size int) ([]Attr, error) {
	t.Helper()
	var out []Attr
	for d.Next() {
		out = append(out, d.Attr())
		if len(out) > size/AttrHeaderLen+1 {
			t.Fatalf("decoder yielded %d attributes from %d bytes", len(out), size)
		}
	}
	if d.Next() {
		t.Fatal("Next returned true after returning false")
	}
	return out, d.Err()
}

// TestAttrDecoderGetters reads payloads written out byte by byte.
func TestAttrDecoderGetters(t *testing.T) {
	requireLittleEndian(t)
	const net = AttrNetByteOrder
	tests := []struct {
		name string
		typ  uint16 // nla_type, flags included
		data []byte
		get  func(d *AttrDecoder) any
		want any
	}{
		{"Uint8", 1, []byte{0xfe}, func(d *AttrDecoder) any { return d.Uint8() }, uint8(0xfe)},
		{"Int8", 1, []byte{0xfe}, func(d *AttrDecoder) any { return d.Int8() }, int8(-2)},
		{"Uint16", 1, []byte{0x34, 0x12}, func(d *AttrDecoder) any { return d.Uint16() }, uint16(0x1234)},
		{"Uint16 NET_BYTEORDER", 1 | net, []byte{0x12, 0x34}, func(d *AttrDecoder) any { return d.Uint16() }, uint16(0x1234)},
		{"Uint16BE", 1, []byte{0x12, 0x34}, func(d *AttrDecoder) any { return d.Uint16BE() }, uint16(0x1234)},
		{"Int16", 1, []byte{0xfe, 0xff}, func(d *AttrDecoder) any { return d.Int16() }, int16(-2)},
		{"Int16 NET_BYTEORDER", 1 | net, []byte{0xff, 0xfe}, func(d *AttrDecoder) any { return d.Int16() }, int16(-2)},
		{"Uint32", 1, []byte{0x78, 0x56, 0x34, 0x12}, func(d *AttrDecoder) any { return d.Uint32() }, uint32(0x12345678)},
		{"Uint32 NET_BYTEORDER", 1 | net, []byte{0x12, 0x34, 0x56, 0x78}, func(d *AttrDecoder) any { return d.Uint32() }, uint32(0x12345678)},
		{"Uint32 nested flag", 1 | AttrNested, []byte{0x78, 0x56, 0x34, 0x12}, func(d *AttrDecoder) any { return d.Uint32() }, uint32(0x12345678)},
		{"Uint32BE", 1, []byte{0x12, 0x34, 0x56, 0x78}, func(d *AttrDecoder) any { return d.Uint32BE() }, uint32(0x12345678)},
		{"Int32", 1, []byte{0xfe, 0xff, 0xff, 0xff}, func(d *AttrDecoder) any { return d.Int32() }, int32(-2)},
		{"Uint64", 1, []byte{8, 7, 6, 5, 4, 3, 2, 1}, func(d *AttrDecoder) any { return d.Uint64() }, uint64(0x0102030405060708)},
		{"Uint64 NET_BYTEORDER", 1 | net, []byte{1, 2, 3, 4, 5, 6, 7, 8}, func(d *AttrDecoder) any { return d.Uint64() }, uint64(0x0102030405060708)},
		{"Uint64BE", 1, []byte{1, 2, 3, 4, 5, 6, 7, 8}, func(d *AttrDecoder) any { return d.Uint64BE() }, uint64(0x0102030405060708)},
		{"Int64", 1, []byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, func(d *AttrDecoder) any { return d.Int64() }, int64(-2)},
		{"Uint of 4", 1, []byte{0xfe, 0xff, 0xff, 0xff}, func(d *AttrDecoder) any { return d.Uint() }, uint64(0xfffffffe)},
		{"Uint of 8", 1, []byte{0, 0, 0, 0, 1, 0, 0, 0}, func(d *AttrDecoder) any { return d.Uint() }, uint64(1 << 32)},
		{"Uint of 8 NET_BYTEORDER", 1 | net, []byte{0, 0, 0, 1, 0, 0, 0, 2}, func(d *AttrDecoder) any { return d.Uint() }, uint64(1<<32 | 2)},
		{"Int of 4", 1, []byte{0xfe, 0xff, 0xff, 0xff}, func(d *AttrDecoder) any { return d.Int() }, int64(-2)},
		{"Int of 4 NET_BYTEORDER", 1 | net, []byte{0xff, 0xff, 0xff, 0xfe}, func(d *AttrDecoder) any { return d.Int() }, int64(-2)},
		{"Int of 8", 1, []byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, func(d *AttrDecoder) any { return d.Int() }, int64(-2)},
		{"Flag", 1, nil, func(d *AttrDecoder) any { return d.Flag() }, true},
		{"String with NUL", 1, []byte("eth0\x00"), func(d *AttrDecoder) any { return d.String() }, "eth0"},
		{"String without NUL", 1, []byte("eth0"), func(d *AttrDecoder) any { return d.String() }, "eth0"},
		{"String with two NULs", 1, []byte("ab\x00\x00"), func(d *AttrDecoder) any { return d.String() }, "ab\x00"},
		{"CString", 1, []byte("a\x00b\x00"), func(d *AttrDecoder) any { return d.CString() }, "a"},
		{"CString empty", 1, []byte{0}, func(d *AttrDecoder) any { return d.CString() }, ""},
		{"Bytes", 1, []byte{1, 2, 3}, func(d *AttrDecoder) any { return string(d.Bytes()) }, "\x01\x02\x03"},
		{"Addr v4", 1, []byte{192, 0, 2, 1}, func(d *AttrDecoder) any { return d.Addr() }, netip.MustParseAddr("192.0.2.1")},
		{"Addr v6", 1, netip.MustParseAddr("2001:db8::1").AsSlice(), func(d *AttrDecoder) any { return d.Addr() },
			netip.MustParseAddr("2001:db8::1")},
		{"Addr v4-mapped", 1, netip.MustParseAddr("::ffff:192.0.2.1").AsSlice(), func(d *AttrDecoder) any { return d.Addr() },
			netip.MustParseAddr("::ffff:192.0.2.1")},
		{"Type", 0x7123, nil, func(d *AttrDecoder) any { return d.Type() }, uint16(0x3123)},
		{"Attr", 0xc005, []byte{9}, func(d *AttrDecoder) any { return attrString(d.Attr()) },
			attrString(Attr{Type: 5, Nested: true, NetByteOrder: true, Data: []byte{9}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := cat(le16(uint16(AttrLen(len(tt.data)))), le16(tt.typ), tt.data, make([]byte, AttrSpace(len(tt.data))-AttrLen(len(tt.data))))
			d := NewAttrDecoder(b)
			if !d.Next() {
				t.Fatalf("no attribute in % x: %v", b, d.Err())
			}
			if got := tt.get(&d); got != tt.want {
				t.Errorf("got %v (%T), want %v (%T)", got, got, tt.want, tt.want)
			}
			if d.Next() || d.Err() != nil {
				t.Errorf("after the only attribute: Next true or Err %v", d.Err())
			}
		})
	}
}

// attrString prints a for comparisons and failure messages.
func attrString(a Attr) string {
	return fmt.Sprintf("%+v", a)
}

// TestAttrDecoderRoundTrip decodes what AttrEncoder wrote, nests included.
func TestAttrDecoderRoundTrip(t *testing.T) {
	v4 := netip.MustParseAddr("192.0.2.1")
	v6 := netip.MustParseAddr("2001:db8::42")
	m := Message{Header: Header{Type: 24}}
	m.Data = []byte{2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0} // a struct rtmsg
	e := NewAttrEncoder(m.Data)
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
	e.Uint16BE(12, 0xabcd)
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
	var err error
	if m.Data, err = e.Finish(); err != nil {
		t.Fatal(err)
	}

	type result struct {
		u8                 uint8
		u16                uint16
		u32                uint32
		u64                uint64
		i8                 int8
		i16                int16
		i32                int32
		i64                int64
		n16, n32, n64      uint64 // NLA_F_NET_BYTEORDER, read by Uint16/32/64
		be16               uint16
		u4, u8b            uint64
		s4, s8             int64
		flag               bool
		str, cstr          string
		raw                string
		ip4, ip6           netip.Addr
		nestU32            uint32
		deep               string
		deepFlag, deepDone bool
		after              uint32
		types              []uint16
	}
	want := result{
		u8: 0xfe, u16: 0xfedc, u32: 0xfedcba98, u64: 0xfedcba9876543210,
		i8: -5, i16: -6, i32: -7, i64: -8,
		n16: 0x1234, n32: 0x12345678, n64: 0x123456789abcdef0, be16: 0xabcd,
		u4: 7, u8b: 1 << 40, s4: -7, s8: -1 << 40,
		flag: true, str: "hello", cstr: "hello", raw: "\x01\x02\x03\x04\x05",
		ip4: v4, ip6: v6, nestU32: 100, deep: "deep", deepFlag: true, deepDone: true, after: 23,
	}
	for i := 1; i <= 23; i++ {
		want.types = append(want.types, uint16(i))
	}
	var got result
	d := m.AttrDecoder(12)
	for d.Next() {
		got.types = append(got.types, d.Type())
		switch d.Type() {
		case 1:
			got.u8 = d.Uint8()
		case 2:
			got.u16 = d.Uint16()
		case 3:
			got.u32 = d.Uint32()
		case 4:
			got.u64 = d.Uint64()
		case 5:
			got.i8 = d.Int8()
		case 6:
			got.i16 = d.Int16()
		case 7:
			got.i32 = d.Int32()
		case 8:
			got.i64 = d.Int64()
		case 9:
			got.n16 = uint64(d.Uint16())
		case 10:
			got.n32 = uint64(d.Uint32())
		case 11:
			got.n64 = d.Uint64()
		case 12:
			got.be16 = d.Uint16BE()
		case 13:
			got.u4 = d.Uint()
		case 14:
			got.u8b = d.Uint()
		case 15:
			got.s4 = d.Int()
		case 16:
			got.s8 = d.Int()
		case 17:
			got.flag = d.Flag()
		case 18:
			got.str, got.cstr = d.String(), d.CString()
		case 19:
			got.raw = string(d.Bytes())
		case 20:
			got.ip4 = d.Addr()
		case 21:
			got.ip6 = d.Addr()
		case 22:
			if !d.Attr().Nested {
				t.Error("nest without NLA_F_NESTED")
			}
			outer := d.Enter()
			for d.Next() {
				switch d.Type() {
				case 1:
					got.nestU32 = d.Uint32()
				case 2:
					inner := d.Enter()
					for d.Next() {
						switch d.Type() {
						case 1:
							got.deep = d.String()
						case 2:
							innermost := d.Enter()
							for d.Next() {
								got.deepFlag = d.Type() == 9 && d.Flag()
							}
							got.deepDone = d.Err() == nil
							d.Exit(innermost)
						}
					}
					d.Exit(inner)
				default:
					t.Errorf("nest holds attribute %d (the cancelled nest must be gone)", d.Type())
				}
			}
			d.Exit(outer)
		case 23:
			got.after = d.Uint32()
		}
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.types, want.types) {
		t.Errorf("types %v, want %v", got.types, want.types)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", got, want)
	}
}

// TestAttrDecoderMatchesAttrs: on valid and malformed blocks the decoder
// sees what Attrs yields, and fails with the same error.
func TestAttrDecoderMatchesAttrs(t *testing.T) {
	valid := encode(t, func(e *AttrEncoder) { e.Uint32(1, 1) })
	raw := func(length, typ uint16, rest ...byte) []byte {
		return cat(le16(length), le16(typ), rest)
	}
	blocks := [][]byte{
		nil,
		{},
		valid,
		valid[:7],
		cat(valid, valid),
		cat(valid, []byte{1, 2}),
		cat(valid, raw(0, 2)),
		cat(valid, valid, raw(12, 2, 1, 2, 3, 4)),
		{4},
		{4, 0, 1},
		raw(0, 1),
		raw(3, 1, 0, 0, 0, 0),
		raw(9, 1, 1, 2, 3, 4),
		raw(0xffff, 1, 1, 2, 3, 4),
		raw(5, 0xc001, 7, 0xff, 0xff, 0xff, 4, 0, 9, 0), // non-zero padding, then a flag
		cat(raw(5, 1, 7), valid),                        // an unpadded attribute in the middle
	}
	for _, name := range []string{"rtm_newlink_dump.bin", "rtm_newroute_dump.bin"} {
		for m, err := range Messages(readCapture(t, name)) {
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Data) >= 16 {
				blocks = append(blocks, m.Data[16:], m.Data[12:])
			}
		}
	}
	for _, b := range blocks {
		want := collectAttrs(t, Attrs(b), len(b))
		var wantErr error
		if n := len(want); n > 0 && want[n-1].err != nil {
			wantErr = want[n-1].err
			want = want[:n-1]
		}
		d := NewAttrDecoder(b)
		got, err := decodeAll(t, &d, len(b))
		if len(got) != len(want) {
			t.Errorf("% x: decoded %v, Attrs yields %v", b, got, want)
			continue
		}
		for i := range got {
			if g, w := got[i], want[i].a; attrString(g) != attrString(w) || (len(g.Data) > 0 && &g.Data[0] != &w.Data[0]) || cap(g.Data) != len(g.Data) {
				t.Errorf("% x: attribute %d is %v (cap %d), Attrs yields %v", b, i, g, cap(g.Data), w)
			}
		}
		if (err == nil) != (wantErr == nil) || err != nil && (err.Error() != wantErr.Error() || !errors.Is(err, ErrMalformed)) {
			t.Errorf("% x: Err() = %v, Attrs yields %v", b, err, wantErr)
		}
	}
}

// TestAttrDecoderWrongSize calls every getter on every payload size from 0
// to 17 bytes: a wrong size is the decoder's error, and the value is zero.
func TestAttrDecoderWrongSize(t *testing.T) {
	getters := []struct {
		name string
		ok   []int
		get  func(d *AttrDecoder) any
		zero any
	}{
		{"Uint8", []int{1}, func(d *AttrDecoder) any { return d.Uint8() }, uint8(0)},
		{"Uint16", []int{2}, func(d *AttrDecoder) any { return d.Uint16() }, uint16(0)},
		{"Uint32", []int{4}, func(d *AttrDecoder) any { return d.Uint32() }, uint32(0)},
		{"Uint64", []int{8}, func(d *AttrDecoder) any { return d.Uint64() }, uint64(0)},
		{"Uint16BE", []int{2}, func(d *AttrDecoder) any { return d.Uint16BE() }, uint16(0)},
		{"Uint32BE", []int{4}, func(d *AttrDecoder) any { return d.Uint32BE() }, uint32(0)},
		{"Uint64BE", []int{8}, func(d *AttrDecoder) any { return d.Uint64BE() }, uint64(0)},
		{"Int8", []int{1}, func(d *AttrDecoder) any { return d.Int8() }, int8(0)},
		{"Int16", []int{2}, func(d *AttrDecoder) any { return d.Int16() }, int16(0)},
		{"Int32", []int{4}, func(d *AttrDecoder) any { return d.Int32() }, int32(0)},
		{"Int64", []int{8}, func(d *AttrDecoder) any { return d.Int64() }, int64(0)},
		{"Uint", []int{4, 8}, func(d *AttrDecoder) any { return d.Uint() }, uint64(0)},
		{"Int", []int{4, 8}, func(d *AttrDecoder) any { return d.Int() }, int64(0)},
		{"Flag", []int{0}, func(d *AttrDecoder) any { return d.Flag() }, false},
		{"Addr", []int{4, 16}, func(d *AttrDecoder) any { return d.Addr() }, netip.Addr{}},
	}
	for _, g := range getters {
		for n := 0; n <= 17; n++ {
			for _, typ := range []uint16{7, 7 | AttrNetByteOrder, 7 | AttrNested} {
				a := Attr{Type: typ & AttrTypeMask, NetByteOrder: typ&AttrNetByteOrder != 0, Data: bytes.Repeat([]byte{0xff}, n)}
				b := encode(t, func(e *AttrEncoder) {
					e.Bytes(typ, a.Data)
					e.Uint32(8, 8) // never reached after an error
				})
				d := NewAttrDecoder(b)
				d.Next()
				v := g.get(&d)
				if slices.Contains(g.ok, n) {
					if d.Err() != nil || !d.Next() || d.Type() != 8 {
						t.Errorf("%s of %d bytes: %v", g.name, n, d.Err())
					}
					continue
				}
				err := d.Err()
				want := sizeError(7, n, "")
				if !errors.Is(err, ErrMalformed) || !strings.HasPrefix(err.Error(), want.Error()[:strings.Index(want.Error(), "want")]) {
					t.Errorf("%s of %d bytes: error %v, want one like %v", g.name, n, err, want)
				}
				if v != g.zero {
					t.Errorf("%s of %d bytes: %v, want the zero value", g.name, n, v)
				}
				if d.Next() {
					t.Errorf("%s of %d bytes: Next after the error", g.name, n)
				}
				// The first error stays.
				d.Uint8()
				d.Flag()
				if again := d.Err(); again.Error() != err.Error() {
					t.Errorf("%s of %d bytes: error %v, then %v", g.name, n, err, again)
				}
			}
		}
	}

	b := encode(t, func(e *AttrEncoder) { e.Bytes(3, []byte{1, 2, 3}) })
	d := NewAttrDecoder(b)
	d.Next()
	d.Uint32()
	if err := d.Err(); err == nil || err.Error() != "netlink: attribute 3 has 3 bytes, want 4: malformed netlink data" {
		t.Errorf("Uint32 of 3 bytes: %v", err)
	}
	d.Reset(encode(t, func(e *AttrEncoder) { e.String(3, "abc") }))
	d.Next()
	if d.Bytes()[3] = 'd'; d.CString() != "" || !errors.Is(d.Err(), ErrMalformed) || !strings.Contains(d.Err().Error(), "attribute 3: string is not NUL-terminated") {
		t.Errorf("CString without a NUL: %v", d.Err())
	}
}

func TestAttrDecoderNested(t *testing.T) {
	// 1: {2: u32, 3: {4: u16, 5: u32}}, 6: u32
	b := encode(t, func(e *AttrEncoder) {
		n1 := e.Nest(1)
		e.Uint32(2, 2)
		n3 := e.Nest(3)
		e.Uint16(4, 4)
		e.Uint32(5, 5)
		e.End(n3)
		e.End(n1)
		e.Uint32(6, 6)
	})
	// walk walks b, entering the nests, and calls f on each attribute
	// outside them; it returns the types it saw.
	walk := func(d *AttrDecoder, f func(d *AttrDecoder)) []uint16 {
		var seen []uint16
		for d.Next() {
			seen = append(seen, d.Type())
			switch d.Type() {
			case 1, 3:
				outer := d.Enter()
				for d.Next() {
					seen = append(seen, d.Type())
					if d.Type() == 3 {
						inner := d.Enter()
						for d.Next() {
							seen = append(seen, d.Type())
							f(d)
						}
						d.Exit(inner)
					}
				}
				d.Exit(outer)
			}
		}
		return seen
	}

	t.Run("valid", func(t *testing.T) {
		d := NewAttrDecoder(b)
		var sum uint32
		seen := walk(&d, func(d *AttrDecoder) {
			if d.Type() == 5 {
				sum += d.Uint32()
			}
		})
		if !slices.Equal(seen, []uint16{1, 2, 3, 4, 5, 6}) || sum != 5 || d.Err() != nil {
			t.Errorf("saw %v, sum %d, Err %v", seen, sum, d.Err())
		}
	})

	t.Run("error two levels down", func(t *testing.T) {
		d := NewAttrDecoder(b)
		seen := walk(&d, func(d *AttrDecoder) { d.Uint32() }) // wrong for attribute 4
		if !slices.Equal(seen, []uint16{1, 2, 3, 4}) {
			t.Errorf("saw %v, want the walk to end at attribute 4", seen)
		}
		const want = "netlink: attribute 4 has 2 bytes, want 4: malformed netlink data"
		if err := d.Err(); err == nil || err.Error() != want {
			t.Errorf("Err() = %v, want %s", err, want)
		}
	})

	t.Run("malformed nest", func(t *testing.T) {
		bad := slices.Clone(b)
		bad[12] = 99 // nla_len of attribute 3, inside nest 1
		want := collectAttrs(t, Attrs(bad[4:32]), 28)
		werr := want[len(want)-1].err
		d := NewAttrDecoder(bad)
		seen := walk(&d, func(*AttrDecoder) {})
		if !slices.Equal(seen, []uint16{1, 2}) {
			t.Errorf("saw %v, want [1 2]", seen)
		}
		if err := d.Err(); err == nil || err.Error() != werr.Error() {
			t.Errorf("Err() = %v, want %v", err, werr)
		}
	})

	t.Run("nest walked in part", func(t *testing.T) {
		d := NewAttrDecoder(b)
		d.Next()
		outer := d.Enter()
		d.Next()
		d.Exit(outer)
		d.Exit(d.Enter()) // not walked at all
		if !d.Next() || d.Uint32() != 6 || d.Next() || d.Err() != nil {
			t.Errorf("after nests walked in part: %v", d.Err())
		}
	})

	t.Run("trailing bytes in a nest", func(t *testing.T) {
		nb := encode(t, func(e *AttrEncoder) {
			e.Bytes(1|AttrNested, cat(encode(t, func(e *AttrEncoder) { e.Flag(2) }), []byte{1}))
		})
		d := NewAttrDecoder(nb)
		d.Next()
		outer := d.Enter()
		for d.Next() {
		}
		d.Exit(outer)
		if d.Next() {
			t.Error("the outer walk went on")
		}
		if err := d.Err(); err == nil || err.Error() != "netlink: 1 trailing bytes are too short for an attribute header: malformed netlink data" {
			t.Errorf("Err() = %v", err)
		}
	})

	t.Run("a payload that is not a nest", func(t *testing.T) {
		d := NewAttrDecoder(encode(t, func(e *AttrEncoder) { e.String(1, "not a nest") }))
		d.Next()
		outer := d.Enter()
		if d.Next() {
			t.Error("yielded an attribute")
		}
		d.Exit(outer)
		if !errors.Is(d.Err(), ErrMalformed) {
			t.Errorf("Enter on a string: Err() = %v", d.Err())
		}
	})

	t.Run("empty nest", func(t *testing.T) {
		d := NewAttrDecoder(encode(t, func(e *AttrEncoder) { e.End(e.Nest(1)) }))
		d.Next()
		outer := d.Enter()
		if d.Next() {
			t.Error("yielded an attribute")
		}
		d.Exit(outer)
		if d.Next() || d.Err() != nil {
			t.Error(d.Err())
		}
	})
}

// TestAttrDecoderErrEarly: Err called before Next has returned false reports
// a malformed attribute ahead, and nothing for a good one.
func TestAttrDecoderErrEarly(t *testing.T) {
	good := encode(t, func(e *AttrEncoder) {
		e.Uint32(1, 1)
		e.Uint32(2, 2)
	})
	d := NewAttrDecoder(append(slices.Clone(good), 0xff))
	if err := d.Err(); err != nil {
		t.Errorf("before Next: %v", err)
	}
	d.Next()
	d.Next()
	if err := d.Err(); !errors.Is(err, ErrMalformed) {
		t.Errorf("on the last good attribute, before the garbage: %v", err)
	}
	d.Reset(good)
	d.Next()
	if err := d.Err(); err != nil {
		t.Errorf("mid-walk: %v", err)
	}
}

func TestAttrDecoderZeroAndReset(t *testing.T) {
	var d AttrDecoder
	if d.Next() || d.Err() != nil || d.Type() != 0 || d.Bytes() != nil {
		t.Errorf("zero decoder: Next, Err %v, Type %d, Bytes %v", d.Err(), d.Type(), d.Bytes())
	}
	// Getters before the first attribute see an empty payload.
	if !d.Flag() || d.Attr().Data != nil || d.String() != "" || d.Err() != nil {
		t.Errorf("zero decoder: Flag, Attr, String or Err %v", d.Err())
	}
	if v := d.Uint32(); v != 0 || d.Err() == nil ||
		d.Err().Error() != "netlink: attribute 0 has 0 bytes, want 4: malformed netlink data" {
		t.Errorf("zero decoder: Uint32 %d, Err %v", v, d.Err())
	}
	d.Reset([]byte{1})
	if d.Next() || d.Err() == nil {
		t.Errorf("1 byte: Err %v", d.Err())
	}
	d.Reset(encode(t, func(e *AttrEncoder) { e.Uint8(5, 5) }))
	if !d.Next() || d.Uint8() != 5 || d.Next() || d.Err() != nil {
		t.Errorf("after Reset: %v", d.Err())
	}
	// Reset forgets the error.
	d.Uint32()
	if d.Err() == nil {
		t.Fatal("no error")
	}
	d.Reset(encode(t, func(e *AttrEncoder) { e.Uint8(5, 5) }))
	if !d.Next() || d.Uint8() != 5 || d.Err() != nil {
		t.Errorf("after Reset: %v", d.Err())
	}
}

func TestMessageAttrDecoder(t *testing.T) {
	attrs := encode(t, func(e *AttrEncoder) {
		e.Uint32(1, 0x01020304)
		e.String(2, "x")
	})
	for _, tt := range []struct {
		family   []byte
		fixedLen int
	}{
		{nil, 0},
		{make([]byte, 12), 12},
		{make([]byte, 16), 16},
		{[]byte{2, 0, 0, 0}, 1},
		{[]byte{1, 2, 3, 4, 5, 0, 0, 0}, 5},
	} {
		m := Message{Header: Header{Type: 20}, Data: cat(tt.family, attrs)}
		d := m.AttrDecoder(tt.fixedLen)
		if !d.Next() || d.Type() != 1 || d.Uint32() != 0x01020304 || !d.Next() || d.String() != "x" || d.Next() || d.Err() != nil {
			t.Errorf("%d-byte family header: Err %v", tt.fixedLen, d.Err())
		}
	}
	// Short payloads fail as Message.Attrs does; an unpadded family header
	// holds no attributes and is fine.
	for _, tt := range []struct{ payload, fixedLen int }{
		{0, 1}, {0, 4}, {11, 12}, {15, 16}, {4, 5}, {7, 9}, {0, -1}, {4, -4}, {1, 1}, {5, 5}, {7, 5}, {12, 12},
		{32, math.MaxInt}, {32, math.MaxInt - 3}, {32, math.MinInt},
	} {
		m := Message{Header: Header{Type: 16}, Data: make([]byte, tt.payload)}
		want := collectAttrs(t, m.Attrs(tt.fixedLen), tt.payload)
		d := m.AttrDecoder(tt.fixedLen)
		if d.Next() {
			t.Errorf("%d-byte payload, %d-byte family header: an attribute", tt.payload, tt.fixedLen)
		}
		err := d.Err()
		switch {
		case len(want) == 0:
			if err != nil {
				t.Errorf("%d-byte payload, %d-byte family header: %v", tt.payload, tt.fixedLen, err)
			}
		case !errors.Is(err, ErrMalformed):
			t.Errorf("%d-byte payload, %d-byte family header: %v, want %v", tt.payload, tt.fixedLen, err, want[0].err)
		case tt.fixedLen >= math.MinInt32 && tt.fixedLen <= math.MaxInt32 && err.Error() != want[0].err.Error():
			// Beyond 32 bits the family header length is not spelled out.
			t.Errorf("%d-byte payload, %d-byte family header: %v, want %v", tt.payload, tt.fixedLen, err, want[0].err)
		}
	}
}

// decodeLinks walks every message of a captured link dump with decoders,
// reads every attribute with the getter its size fits, and descends into
// IFLA_LINKINFO and IFLA_AF_SPEC, two levels deep. It returns a checksum.
func decodeLinks(b []byte) (sum uint64, err error) {
	for m, err := range Messages(b) {
		if err != nil {
			return 0, err
		}
		if m.Header.Type == TypeDone {
			break
		}
		d := m.AttrDecoder(16)
		for d.Next() {
			switch d.Type() {
			case 18, 26: // IFLA_LINKINFO, IFLA_AF_SPEC
				spec := d.Type() == 26
				outer := d.Enter()
				for d.Next() {
					if d.Attr().Nested || spec {
						inner := d.Enter()
						for d.Next() {
							sum = sum*31 + readAny(&d)
						}
						d.Exit(inner)
						continue
					}
					sum = sum*31 + readAny(&d)
				}
				d.Exit(outer)
			default:
				sum = sum*31 + readAny(&d)
			}
		}
		if err := d.Err(); err != nil {
			return 0, err
		}
	}
	return sum, nil
}

// readAny reads the current attribute of d with the getter its size fits.
func readAny(d *AttrDecoder) uint64 {
	sum := uint64(d.Type())
	switch n := len(d.Bytes()); {
	case n == 1:
		sum += uint64(d.Uint8())
	case n == 2:
		sum += uint64(d.Uint16())
	case n == 4:
		sum += uint64(d.Uint32())
	case n == 8:
		sum += d.Uint64()
	case n == 16:
		sum += uint64(d.Addr().BitLen())
	default: // strings would allocate
		sum += uint64(n)
	}
	return sum
}

func TestAttrDecoderAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation changes inlining")
	}
	b := readCapture(t, "rtm_newlink_dump.bin")
	want, err := decodeLinks(b)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if sum, err := decodeLinks(b); err != nil || sum != want {
			t.Fatalf("%#x, %v", sum, err)
		}
	})
	if allocs != 0 {
		t.Errorf("decoding a link dump allocates %v times", allocs)
	}
}
