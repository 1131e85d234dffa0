//go:build linux

package netlink

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Fuzz targets for the decoder. Seeds: the kernel dumps in testdata/, each of
// their messages and attribute blocks, and hand-made malformed inputs.
//
//	go test -run '^$' -fuzz FuzzMessages -fuzztime 60s .
//	go test -run '^$' -fuzz FuzzAttrs -fuzztime 60s .

// fuzzFixedLens are the family header lengths FuzzMessages tries on every
// message (with Messages and with MessageDecoder): none, struct rtgenmsg, genlmsghdr, ifaddrmsg, rtmsg, ifinfomsg,
// tcmsg, and one longer than most payloads.
var fuzzFixedLens = []int{0, unix.SizeofRtGenmsg, 4, unix.SizeofIfAddrmsg, unix.SizeofRtMsg, unix.SizeofIfInfomsg, 20, 64}

// fuzzMaxDepth bounds how deep fuzzing descends into attribute payloads.
const fuzzMaxDepth = 4

func captureSeeds(f *testing.F) [][]byte {
	f.Helper()
	var seeds [][]byte
	for _, c := range []struct {
		file     string
		fixedLen int
	}{
		{"rtm_newlink_dump.bin", unix.SizeofIfInfomsg},
		{"rtm_newroute_dump.bin", unix.SizeofRtMsg},
	} {
		b, err := os.ReadFile("testdata/" + c.file)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
		for m, err := range Messages(b) {
			if err != nil {
				f.Fatalf("%s: %v", c.file, err)
			}
			if len(m.Data) >= Align(c.fixedLen) {
				seeds = append(seeds, m.Data[Align(c.fixedLen):])
			}
		}
	}
	return seeds
}

// handSeeds are small inputs, mostly malformed, for both targets.
func handSeeds() [][]byte {
	valid := AppendMessage(nil, Header{Type: 20, Flags: Request}, []byte{4, 0, 1, 0, 5, 0, 2, 0, 7})
	var e AttrEncoder
	n := e.Nest(1)
	e.Uint32(2, 3)
	inner := e.Nest(4)
	e.String(5, "lo")
	e.End(inner)
	e.End(n)
	e.Uint16BE(6|AttrNetByteOrder, 80)
	attrs, _ := e.Finish()
	return [][]byte{
		nil,
		{0},
		{4, 0, 0, 0},
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},          // message length 0
		{15, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},         // message length 15
		{17, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},         // past the end
		{0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, // short header
		valid,
		valid[:len(valid)-3], // no trailing padding
		append(valid, 0xde, 0xad),
		attrs,
		append(attrs, 1, 0),
		{0, 0, 1, 0},          // nla_len 0
		{3, 0, 1, 0},          // nla_len 3
		{8, 0, 1, 0x80, 4, 0}, // past the end
	}
}

func FuzzMessages(f *testing.F) {
	for _, s := range append(captureSeeds(f), handSeeds()...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		newFuzzChecker(t).messages(data)
	})
}

func FuzzAttrs(f *testing.F) {
	for _, s := range append(captureSeeds(f), handSeeds()...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newFuzzChecker(t)
		c.attrs(data, data, Attrs(data), 0)
		// The same bytes as a nest, and behind a family header.
		c.attrs(data, data, Attr{Nested: true, Data: data}.Attrs(), 0)
		m := Message{Data: append(make([]byte, 4, 4+len(data)), data...)}
		c.attrs(m.Data, m.Data[4:], m.Attrs(3), 0)
	})
}

// within reports whether sub lies inside b (an empty sub is anywhere).
func within(sub, b []byte) bool {
	if len(sub) == 0 {
		return true
	}
	if len(b) == 0 {
		return false
	}
	s := uintptr(unsafe.Pointer(unsafe.SliceData(sub)))
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return s >= lo && s+uintptr(len(sub)) <= lo+uintptr(len(b))
}

// offsetIn returns the offset of sub in b, which must hold it.
func offsetIn(sub, b []byte) int {
	return int(uintptr(unsafe.Pointer(unsafe.SliceData(sub))) - uintptr(unsafe.Pointer(unsafe.SliceData(b))))
}

// fuzzChecker checks the decoder's invariants on one input.
type fuzzChecker struct {
	t *testing.T
	// sizes marks the payload sizes whose getters have all been called
	// already: a getter's wrong-size error depends on the size alone, and
	// building errors is what costs most.
	sizes [(maxAttrLen + 1) / 64]uint64
	enc   AttrEncoder
}

func newFuzzChecker(t *testing.T) *fuzzChecker { return &fuzzChecker{t: t} }

// messages walks data's messages, and the attributes of each at several
// family header offsets, checking the iterators' invariants.
func (c *fuzzChecker) messages(data []byte) {
	t := c.t
	orig := bytes.Clone(data)
	off := 0 // where the next message must start
	count := 0
	var failed error
	Messages(data)(func(m Message, err error) bool {
		if failed != nil {
			t.Fatalf("Messages yielded again after the error %v", failed)
		}
		count++
		if count > len(data)/HeaderLen+1 {
			t.Fatalf("Messages yielded %d times for %d bytes", count, len(data))
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if m.Data != nil || m.Header != (Header{}) {
				t.Fatalf("error came with message %v", m.Header)
			}
			failed = err
			return true
		}
		if off+HeaderLen > len(data) {
			t.Fatalf("message at %d of %d bytes", off, len(data))
		}
		h, err := ParseHeader(data[off:])
		if err != nil || h != m.Header {
			t.Fatalf("header %v, want %v (%v) at offset %d", m.Header, h, err, off)
		}
		if int(m.Header.Length) != HeaderLen+len(m.Data) {
			t.Fatalf("Length %d with %d bytes of data", m.Header.Length, len(m.Data))
		}
		end := off + int(m.Header.Length)
		if end > len(data) {
			t.Fatalf("message %d..%d runs past %d bytes", off, end, len(data))
		}
		if len(m.Data) > 0 && (!within(m.Data, data) || offsetIn(m.Data, data) != off+HeaderLen) {
			t.Fatalf("Data of the message at %d does not alias data[%d:%d]", off, off+HeaderLen, end)
		}
		if cap(m.Data) != len(m.Data) {
			t.Fatalf("cap(Data) = %d, len %d", cap(m.Data), len(m.Data))
		}
		// Re-encoding the message gives back its bytes.
		if re := AppendMessage(nil, m.Header, m.Data); !bytes.Equal(re[:m.Header.Length], data[off:end]) {
			t.Fatalf("AppendMessage(%v) = % x, want % x", m.Header, re, data[off:end])
		}
		_ = m.Header.String()
		for _, k := range []FlagKind{KindGet, KindNew, KindDelete, KindAck} {
			_ = m.Header.Flags.Format(k)
		}
		walked := -1 // the last offset walked: 1 and 4 both skip 4 bytes
		for _, fl := range fuzzFixedLens {
			switch {
			case fl > len(m.Data):
				r := collectAttrs(t, m.Attrs(fl), len(m.Data))
				if len(r) != 1 || !errors.Is(r[0].err, ErrMalformed) {
					t.Fatalf("Attrs(%d) of a %d-byte payload: %v", fl, len(m.Data), r)
				}
			case Align(fl) > len(m.Data):
				// The family header without its padding: no attributes.
				// Whether that is an error is for
				// TestMessageAttrsUnpaddedFamilyHeader to say.
				r := collectAttrs(t, m.Attrs(fl), len(m.Data))
				if len(r) > 1 || len(r) == 1 && !errors.Is(r[0].err, ErrMalformed) {
					t.Fatalf("Attrs(%d) of a %d-byte payload: %v", fl, len(m.Data), r)
				}
			case Align(fl) != walked:
				walked = Align(fl)
				c.attrs(m.Data, m.Data[walked:], m.Attrs(fl), 0)
			}
		}
		off = min(Align(end), len(data))
		return true
	})
	if failed == nil && off != len(data) {
		t.Fatalf("walk ended at %d of %d bytes without an error", off, len(data))
	}
	// MessageDecoder walks the same messages, stops at the same error, and
	// gives the same attribute decoders.
	checkMessageDecoder(t, data, fuzzFixedLens)
	if !bytes.Equal(data, orig) {
		t.Fatal("decoding changed the input")
	}
}

// attrs walks the attributes seq yields from block, which lies in parent,
// calls the getters on each, and descends into every payload.
func (c *fuzzChecker) attrs(parent, block []byte, seq func(func(Attr, error) bool), depth int) {
	t := c.t
	off := 0 // where the next attribute must start in block
	count := 0
	var failed error
	seq(func(a Attr, err error) bool {
		if failed != nil {
			t.Fatalf("attribute iterator yielded again after the error %v", failed)
		}
		count++
		if count > len(block)/AttrHeaderLen+1 {
			t.Fatalf("attribute iterator yielded %d times for %d bytes", count, len(block))
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			failed = err
			return true
		}
		if off+AttrHeaderLen > len(block) {
			t.Fatalf("attribute at %d of %d bytes", off, len(block))
		}
		end := off + AttrHeaderLen + len(a.Data)
		if end > len(block) || !within(a.Data, parent) || (len(a.Data) > 0 && offsetIn(a.Data, block) != off+AttrHeaderLen) {
			t.Fatalf("attribute %d: payload of %d bytes at %d is not block[%d:%d] (%d bytes)", a.Type, len(a.Data), off, off+AttrHeaderLen, end, len(block))
		}
		if cap(a.Data) != len(a.Data) {
			t.Fatalf("cap(Data) = %d, len %d", cap(a.Data), len(a.Data))
		}
		if a.Type&^AttrTypeMask != 0 {
			t.Fatalf("type %#x keeps flag bits", a.Type)
		}
		// Re-encoding the attribute gives back its bytes, through the
		// encoder and through Append.
		c.enc.Reset(c.enc.b[:0])
		c.enc.Attr(a)
		re, err := c.enc.Finish()
		if err != nil || !bytes.Equal(re[:end-off], block[off:end]) {
			t.Fatalf("re-encoded attribute % x (%v), want % x", re, err, block[off:end])
		}
		if app := a.Append(nil); !bytes.Equal(app, re) {
			t.Fatalf("Append gave % x, the encoder % x", app, re)
		}
		c.getters(a)
		if depth < fuzzMaxDepth {
			c.attrs(parent, a.Data, a.Attrs(), depth+1)
		}
		off = min(Align(end), len(block))
		return true
	})
	if failed == nil && off != len(block) {
		t.Fatalf("walk ended at %d of %d bytes without an error", off, len(block))
	}
}

// fuzzGetters are the Attr getters with the payload sizes they accept.
var fuzzGetters = []struct {
	name  string
	sizes []int
	get   func(Attr) (uint64, error) // the value as bits, for checking
}{
	{"Uint8", []int{1}, func(a Attr) (uint64, error) { v, err := a.Uint8(); return uint64(v), err }},
	{"Int8", []int{1}, func(a Attr) (uint64, error) { v, err := a.Int8(); return uint64(uint8(v)), err }},
	{"Uint16", []int{2}, func(a Attr) (uint64, error) { v, err := a.Uint16(); return uint64(v), err }},
	{"Int16", []int{2}, func(a Attr) (uint64, error) { v, err := a.Int16(); return uint64(uint16(v)), err }},
	{"Uint32", []int{4}, func(a Attr) (uint64, error) { v, err := a.Uint32(); return uint64(v), err }},
	{"Int32", []int{4}, func(a Attr) (uint64, error) { v, err := a.Int32(); return uint64(uint32(v)), err }},
	{"Uint64", []int{8}, func(a Attr) (uint64, error) { return a.Uint64() }},
	{"Int64", []int{8}, func(a Attr) (uint64, error) { v, err := a.Int64(); return uint64(v), err }},
	{"Uint", []int{4, 8}, func(a Attr) (uint64, error) { return a.Uint() }},
	{"Int", []int{4, 8}, func(a Attr) (uint64, error) {
		v, err := a.Int()
		if len(a.Data) == 4 {
			if int64(int32(v)) != v {
				return 0, errors.New("not sign-extended")
			}
			return uint64(uint32(v)), err
		}
		return uint64(v), err
	}},
}

// fuzzGettersBE read big-endian whatever the flag says.
var fuzzGettersBE = []struct {
	name  string
	sizes []int
	get   func(Attr) (uint64, error)
}{
	{"Uint16BE", []int{2}, func(a Attr) (uint64, error) { v, err := a.Uint16BE(); return uint64(v), err }},
	{"Uint32BE", []int{4}, func(a Attr) (uint64, error) { v, err := a.Uint32BE(); return uint64(v), err }},
	{"Uint64BE", []int{8}, func(a Attr) (uint64, error) { return a.Uint64BE() }},
}

// readUint reads an unsigned integer of len(b) bytes in the given order.
func readUint(b []byte, order binary.ByteOrder) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(order.Uint16(b))
	case 4:
		return uint64(order.Uint32(b))
	case 8:
		return order.Uint64(b)
	}
	panic("bad size")
}

// getters calls the getters and checks that each fails exactly when the
// payload has the wrong size, with an error wrapping ErrMalformed, and reads
// the right value otherwise. All of them are called for the first payload of
// each size; after that only those that accept the size, since a wrong-size
// error depends on the size alone (and building errors is what costs most).
func (c *fuzzChecker) getters(a Attr) {
	t := c.t
	n := len(a.Data)
	all := c.sizes[n/64]&(1<<(n%64)) == 0
	c.sizes[n/64] |= 1 << (n % 64)
	check := func(name string, ok bool, got uint64, err error, order binary.ByteOrder) {
		if ok != (err == nil) {
			t.Fatalf("%s of %d bytes: %#x, error %v", name, n, got, err)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("%s: error %v does not wrap ErrMalformed", name, err)
			}
			if got != 0 {
				t.Fatalf("%s: %#x with error %v", name, got, err)
			}
			return
		}
		if want := readUint(a.Data, order); got != want {
			t.Fatalf("%s of % x (NET_BYTEORDER %v) = %#x, want %#x", name, a.Data, a.NetByteOrder, got, want)
		}
	}
	order := binary.ByteOrder(binary.NativeEndian)
	if a.NetByteOrder {
		order = binary.BigEndian
	}
	for _, g := range fuzzGetters {
		if ok := slices.Contains(g.sizes, n); ok || all {
			v, err := g.get(a)
			check(g.name, ok, v, err, order)
		}
	}
	for _, g := range fuzzGettersBE {
		if ok := slices.Contains(g.sizes, n); ok || all {
			v, err := g.get(a)
			check(g.name, ok, v, err, binary.BigEndian)
		}
	}
	if ok := n == 0; ok || all {
		if v, err := a.Flag(); v != ok || ok != (err == nil) || err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("Flag of %d bytes: %v, %v", n, v, err)
		}
	}
	if ok := n == 4 || n == 16; ok || all {
		ip, err := a.Addr()
		if ok != (err == nil) || err != nil && (!errors.Is(err, ErrMalformed) || ip.IsValid()) {
			t.Fatalf("Addr of %d bytes: %v, %v", n, ip, err)
		}
		if err == nil && (ip.BitLen() != 8*n || !bytes.Equal(ip.AsSlice(), a.Data)) {
			t.Fatalf("Addr of % x is %v", a.Data, ip)
		}
	}
	s, err := a.CString()
	if nul := bytes.IndexByte(a.Data, 0); (nul >= 0) != (err == nil) || err != nil && !errors.Is(err, ErrMalformed) ||
		err == nil && s != string(a.Data[:nul]) {
		t.Fatalf("CString of % x: %q, %v", a.Data, s, err)
	}
	if s := a.Str(); s != string(a.Data) && s+"\x00" != string(a.Data) {
		t.Fatalf("Str of % x = %q", a.Data, s)
	}
}

func FuzzAttrDecoder(f *testing.F) {
	for _, s := range append(captureSeeds(f), handSeeds()...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newFuzzChecker(t)
		d := NewAttrDecoder(data)
		c.decoder(&d, data, 0)
		// The same bytes behind a family header, and a family header
		// longer than the payload.
		m := Message{Header: Header{Type: 16}, Data: append(make([]byte, 4, 4+len(data)), data...)}
		d = m.AttrDecoder(3)
		c.decoder(&d, m.Data[4:], 0)
		d = m.AttrDecoder(len(m.Data) + 1)
		want := collectAttrs(t, m.Attrs(len(m.Data)+1), len(m.Data))
		if d.Next() || len(want) != 1 || d.Err() == nil || d.Err().Error() != want[0].err.Error() {
			t.Fatalf("short payload: Err() = %v, Attrs yields %v", d.Err(), want)
		}
	})
}

// decoder walks d over block, entering every attribute as a nest down to
// fuzzMaxDepth, and checks what it sees against Attrs: the same attributes,
// the same getter values and errors, and the same error at the end, which
// it returns.
func (c *fuzzChecker) decoder(d *AttrDecoder, block []byte, depth int) error {
	t := c.t
	want := collectAttrs(t, Attrs(block), len(block))
	i := 0
	for d.Next() {
		if i >= len(want) || want[i].err != nil {
			t.Fatalf("decoder yielded %+v where Attrs yields %v", d.Attr(), want[i:])
		}
		a, w := d.Attr(), want[i].a
		if a.Type != w.Type || a.Nested != w.Nested || a.NetByteOrder != w.NetByteOrder || d.Type() != w.Type ||
			len(a.Data) != len(w.Data) || cap(a.Data) != cap(w.Data) || len(a.Data) > 0 && &a.Data[0] != &w.Data[0] {
			t.Fatalf("decoder yielded %+v (cap %d), Attrs %+v (cap %d)", a, cap(a.Data), w, cap(w.Data))
		}
		c.decoderGetters(d, w)
		if depth < fuzzMaxDepth {
			outer := d.Enter()
			nestErr := c.decoder(d, w.Data, depth+1)
			d.Exit(outer)
			if d.Type() != w.Type || len(d.Bytes()) != len(w.Data) {
				t.Fatalf("after Exit the current attribute is %+v, want %+v", d.Attr(), w)
			}
			if nestErr != nil {
				// A malformed nest ends the outer walk with its error.
				if d.Next() {
					t.Fatalf("the walk went on after the nest failed with %v", nestErr)
				}
				if err := d.Err(); err == nil || err.Error() != nestErr.Error() {
					t.Fatalf("after a malformed nest: Err() = %v, want %v", err, nestErr)
				}
				return nestErr
			}
		}
		i++
	}
	var wantErr error
	if i < len(want) {
		if wantErr = want[i].err; wantErr == nil {
			t.Fatalf("decoder stopped at %d of %d attributes without an error", i, len(want))
		}
	}
	if err := d.Err(); (err == nil) != (wantErr == nil) || err != nil && (err.Error() != wantErr.Error() || !errors.Is(err, ErrMalformed)) {
		t.Fatalf("Err() = %v, Attrs yields %v", err, wantErr)
	}
	return wantErr
}

// decoderGetters calls each getter on a copy of d and checks it against the
// same getter of Attr: the same value, or the same error.
func (c *fuzzChecker) decoderGetters(d *AttrDecoder, a Attr) {
	t := c.t
	n := len(a.Data)
	all := c.sizes[n/64]&(1<<(n%64)) == 0 // as in getters
	c.sizes[n/64] |= 1 << (n % 64)
	// check calls get on a copy of d, which must give want, or fail with
	// werr and give zero.
	check := func(name string, zero, want any, werr error, get func(d *AttrDecoder) any) {
		cp := *d
		v := get(&cp)
		var err error // not Err: that also looks ahead at the rest
		if cp.bad != 0 {
			err = cp.error()
		}
		switch {
		case werr == nil && (err != nil || v != want):
			t.Fatalf("%s of % x: %v (%v), want %v", name, a.Data, v, err, want)
		case werr != nil && (err == nil || err.Error() != werr.Error() || v != zero || cp.Next()):
			t.Fatalf("%s of % x: %v (%v), want %v and the zero value %v", name, a.Data, v, err, werr, zero)
		}
	}
	for _, g := range []struct {
		name   string
		sizes  []int
		dec    func(d *AttrDecoder) any
		attr   func(a Attr) (any, error)
		zeroOf any
	}{
		{"Uint8", []int{1}, func(d *AttrDecoder) any { return d.Uint8() }, func(a Attr) (any, error) { return a.Uint8() }, uint8(0)},
		{"Uint16", []int{2}, func(d *AttrDecoder) any { return d.Uint16() }, func(a Attr) (any, error) { return a.Uint16() }, uint16(0)},
		{"Uint32", []int{4}, func(d *AttrDecoder) any { return d.Uint32() }, func(a Attr) (any, error) { return a.Uint32() }, uint32(0)},
		{"Uint64", []int{8}, func(d *AttrDecoder) any { return d.Uint64() }, func(a Attr) (any, error) { return a.Uint64() }, uint64(0)},
		{"Uint16BE", []int{2}, func(d *AttrDecoder) any { return d.Uint16BE() }, func(a Attr) (any, error) { return a.Uint16BE() }, uint16(0)},
		{"Uint32BE", []int{4}, func(d *AttrDecoder) any { return d.Uint32BE() }, func(a Attr) (any, error) { return a.Uint32BE() }, uint32(0)},
		{"Uint64BE", []int{8}, func(d *AttrDecoder) any { return d.Uint64BE() }, func(a Attr) (any, error) { return a.Uint64BE() }, uint64(0)},
		{"Int8", []int{1}, func(d *AttrDecoder) any { return d.Int8() }, func(a Attr) (any, error) { return a.Int8() }, int8(0)},
		{"Int16", []int{2}, func(d *AttrDecoder) any { return d.Int16() }, func(a Attr) (any, error) { return a.Int16() }, int16(0)},
		{"Int32", []int{4}, func(d *AttrDecoder) any { return d.Int32() }, func(a Attr) (any, error) { return a.Int32() }, int32(0)},
		{"Int64", []int{8}, func(d *AttrDecoder) any { return d.Int64() }, func(a Attr) (any, error) { return a.Int64() }, int64(0)},
		{"Uint", []int{4, 8}, func(d *AttrDecoder) any { return d.Uint() }, func(a Attr) (any, error) { return a.Uint() }, uint64(0)},
		{"Int", []int{4, 8}, func(d *AttrDecoder) any { return d.Int() }, func(a Attr) (any, error) { return a.Int() }, int64(0)},
		{"Flag", []int{0}, func(d *AttrDecoder) any { return d.Flag() }, func(a Attr) (any, error) { return a.Flag() }, false},
		{"Addr", []int{4, 16}, func(d *AttrDecoder) any { return d.Addr() }, func(a Attr) (any, error) { return a.Addr() }, netip.Addr{}},
	} {
		if slices.Contains(g.sizes, n) || all {
			want, werr := g.attr(a)
			check(g.name, g.zeroOf, want, werr, g.dec)
		}
	}
	cs, cerr := a.CString()
	check("CString", "", cs, cerr, func(d *AttrDecoder) any { return d.CString() })
	check("String", "", a.Str(), nil, func(d *AttrDecoder) any { return d.String() })
	if !bytes.Equal(d.Bytes(), a.Data) {
		t.Fatalf("Bytes() = % x, want % x", d.Bytes(), a.Data)
	}
}
