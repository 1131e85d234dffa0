//go:build linux

package netlink

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// collectMessageDecoder walks b with a MessageDecoder and returns what
// collectMessages would: the messages, then the error if there is one. It
// checks that Type, Header and Data agree with Message, and that Next stays
// false at the end.
func collectMessageDecoder(t testing.TB, b []byte) []msgResult {
	t.Helper()
	var out []msgResult
	md := NewMessageDecoder(b)
	for md.Next() {
		m := md.Message()
		if md.Type() != m.Header.Type || md.Header() != m.Header || !sameSlice(md.Data(), m.Data) {
			t.Fatalf("message %d: Type %v, Header %v, Data %p/%d/%d disagree with Message %v",
				len(out), md.Type(), md.Header(), unsafe.SliceData(md.Data()), len(md.Data()), cap(md.Data()), m.Header)
		}
		out = append(out, msgResult{m: m})
		if len(out) > len(b)/HeaderLen+1 {
			t.Fatalf("Next returned true %d times for %d bytes", len(out), len(b))
		}
	}
	if md.Next() {
		t.Fatal("Next returned true after returning false")
	}
	if err := md.Err(); err != nil {
		out = append(out, msgResult{err: err})
	}
	return out
}

// sameSlice reports whether a and b are the same slice: the same array,
// length and capacity.
func sameSlice(a, b []byte) bool {
	return unsafe.SliceData(a) == unsafe.SliceData(b) && len(a) == len(b) && cap(a) == cap(b)
}

// sameAttrDecoder reports whether two decoders are in the same state.
func sameAttrDecoder(a, b *AttrDecoder) bool {
	return sameSlice(a.rest, b.rest) && sameSlice(a.cur, b.cur) && a.typ == b.typ && a.bad == b.bad
}

// checkMessageDecoder checks that a MessageDecoder walks b as Messages does:
// the same messages, aliasing the same bytes, the same error, and the same
// attribute decoders for each of fixedLens.
func checkMessageDecoder(t testing.TB, b []byte, fixedLens []int) {
	t.Helper()
	want := collectMessages(t, b)
	got := collectMessageDecoder(t, b)
	if len(got) != len(want) {
		t.Fatalf("MessageDecoder: %d results, Messages: %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if (g.err == nil) != (w.err == nil) || g.err != nil && g.err.Error() != w.err.Error() {
			t.Fatalf("result %d: error %v, Messages: %v", i, g.err, w.err)
		}
		if g.m.Header != w.m.Header || !sameSlice(g.m.Data, w.m.Data) {
			t.Fatalf("result %d: %v, Messages: %v", i, g.m, w.m)
		}
	}
	md := NewMessageDecoder(b)
	for i := 0; md.Next(); i++ {
		m := want[i].m
		for _, fl := range fixedLens {
			if d1, d2 := md.AttrDecoder(fl), m.AttrDecoder(fl); !sameAttrDecoder(&d1, &d2) {
				t.Fatalf("message %d: AttrDecoder(%d) differs from Message.AttrDecoder", i, fl)
			}
		}
	}
}

func TestMessageDecoderMatchesMessages(t *testing.T) {
	valid := AppendMessage(nil, Header{Type: 20, Flags: Multi, Sequence: 7, PortID: 9}, []byte{1, 2, 3, 4, 5})
	link := readCapture(t, "rtm_newlink_dump.bin")
	route := readCapture(t, "rtm_newroute_dump.bin")
	inputs := [][]byte{
		nil, {}, valid, valid[:21], cat(valid, valid[:21]), cat(valid[:21], valid),
		link, route, cat(link, route),
		cat(valid, []byte{0xff}), cat(valid, make([]byte, 12)), cat(valid, make([]byte, 16)),
		append(valid[:16:16], 0xff, 0xff, 0xff, 0xff),
	}
	inputs = append(inputs, handSeeds()...)
	for n := range len(valid) {
		inputs = append(inputs, valid[:n]) // truncated
	}
	for _, l := range []uint32{0, 1, 15, 16, 17, 23, 24, 25, 0xffff, math.MaxUint32} {
		b := bytes.Clone(valid)
		b[0], b[1], b[2], b[3] = byte(l), byte(l>>8), byte(l>>16), byte(l>>24) // lying lengths
		inputs = append(inputs, b, cat(valid, b))
	}
	for i, b := range inputs {
		t.Logf("input %d: %d bytes", i, len(b))
		checkMessageDecoder(t, b, append(fuzzFixedLens, -1, 1, 5, math.MaxInt, math.MinInt))
	}
}

func TestMessageDecoderRoundTrip(t *testing.T) {
	headers := []Header{
		{Type: unix.RTM_NEWLINK, Flags: Multi, Sequence: 1, PortID: 100},
		{Type: TypeNoop},
		{Type: TypeError, Flags: Capped | AckTLVs, Sequence: math.MaxUint32, PortID: math.MaxUint32},
		{Type: TypeDone, Flags: Multi, Sequence: 1, PortID: 100},
	}
	payloads := [][]byte{bytes.Repeat([]byte{0x11}, 16), nil, {1, 2, 3}, {0, 0, 0, 0}}
	var b []byte
	for i, h := range headers {
		b = AppendMessage(b, h, payloads[i])
	}
	md := NewMessageDecoder(b)
	for i, h := range headers {
		if !md.Next() {
			t.Fatalf("message %d: Next false, Err %v", i, md.Err())
		}
		h.Length = uint32(MessageLen(len(payloads[i])))
		if md.Header() != h || md.Type() != h.Type || !bytes.Equal(md.Data(), payloads[i]) {
			t.Errorf("message %d: %v % x, want %v % x", i, md.Header(), md.Data(), h, payloads[i])
		}
		if cap(md.Data()) != len(md.Data()) {
			t.Errorf("message %d: cap(Data) = %d, want %d", i, cap(md.Data()), len(md.Data()))
		}
		if re := AppendMessage(nil, md.Header(), md.Data()); !bytes.Equal(re, b[:len(re)]) {
			t.Errorf("message %d: re-encoded % x, want % x", i, re, b[:len(re)])
		}
		b = b[Align(int(md.Header().Length)):]
	}
	if md.Next() || md.Err() != nil {
		t.Errorf("after the last message: Err %v", md.Err())
	}
}

func TestMessageDecoderMalformed(t *testing.T) {
	valid := AppendMessage(nil, Header{Type: 20}, []byte{1, 2, 3, 4})
	for _, tt := range []struct {
		b      []byte
		nValid int
	}{
		{[]byte{0x10}, 0},
		{valid[:15], 0},
		{valid[:19], 0}, // length past the buffer
		{cat(valid, valid[:17]), 1},
		{cat(valid, []byte{0, 0, 0, 0}), 1},
	} {
		md := NewMessageDecoder(tt.b)
		n := 0
		for md.Next() {
			n++
		}
		err := md.Err()
		if n != tt.nValid || !errors.Is(err, ErrMalformed) {
			t.Errorf("% x: %d messages, Err %v; want %d and ErrMalformed", tt.b, n, err, tt.nValid)
		}
		if md.Next() || md.Err() == nil || md.Err().Error() != err.Error() {
			t.Errorf("% x: the error is not sticky", tt.b)
		}
		// The current message is the last valid one.
		if tt.nValid > 0 && (md.Type() != 20 || len(md.Data()) != 4) {
			t.Errorf("% x: current message %v", tt.b, md.Header())
		}
	}
}

func TestMessageDecoderZeroResetBreak(t *testing.T) {
	var md MessageDecoder
	if md.Next() || md.Err() != nil || md.Header() != (Header{}) || md.Type() != 0 || md.Data() != nil {
		t.Errorf("zero MessageDecoder: %v %v", md.Header(), md.Err())
	}
	if d := md.AttrDecoder(0); d.Next() || d.Err() != nil {
		t.Errorf("zero MessageDecoder's AttrDecoder(0): %v", d.Err())
	}
	if d := md.AttrDecoder(4); d.Next() || !errors.Is(d.Err(), ErrMalformed) {
		t.Errorf("zero MessageDecoder's AttrDecoder(4): %v", d.Err())
	}
	var b []byte
	for i := range 3 {
		b = AppendMessage(b, Header{Type: 20, Sequence: uint32(i)}, []byte{byte(i)})
	}
	md.Reset(cat(b, []byte{1}))
	// Before the walk reaches the malformed tail, Err is nil.
	if !md.Next() || md.Header().Sequence != 0 || md.Err() != nil {
		t.Fatalf("first message: %v, %v", md.Header(), md.Err())
	}
	md.Reset(b[:0])
	if md.Next() || md.Err() != nil || md.Data() != nil {
		t.Errorf("after Reset to an empty buffer: %v", md.Err())
	}
	md.Reset(b)
	n := 0
	for md.Next() {
		if md.Header().Sequence != uint32(n) {
			t.Errorf("message %d has sequence %d", n, md.Header().Sequence)
		}
		n++
	}
	if n != 3 || md.Err() != nil {
		t.Errorf("after Reset: %d messages, %v", n, md.Err())
	}
}

func TestMessageDecoderAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation changes inlining")
	}
	b := cat(readCapture(t, "rtm_newroute_dump.bin"), []byte{0xff}) // with a malformed tail
	var sum uint64
	allocs := testing.AllocsPerRun(100, func() {
		md := NewMessageDecoder(b)
		for md.Next() {
			sum += uint64(md.Type()) + uint64(len(md.Data())) + uint64(md.Header().Sequence)
			if md.Type() != unix.RTM_NEWROUTE {
				continue
			}
			d := md.AttrDecoder(unix.SizeofRtMsg)
			for d.Next() {
				sum += uint64(d.Type())
			}
			if d.Err() != nil {
				t.Fatal(d.Err())
			}
		}
		if len(md.rest) == 0 {
			t.Fatal("no malformed tail")
		}
	})
	if allocs != 0 {
		t.Errorf("walking a route dump allocates %v times", allocs)
	}
}
