package ethtool

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
)

// seedBytes reads the attributes of a fuzz seed in testdata/fuzz, a
// kernel reply recorded by the kernel tests.
func seedBytes(tb testing.TB, name string) []byte {
	text, err := os.ReadFile("testdata/fuzz/FuzzRoundTrip/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	// The seed's third line is []byte("…"), a Go string literal.
	lines := strings.Split(string(text), "\n")
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[2], "[]byte("), ")"))
	if err != nil {
		tb.Fatal(err)
	}
	return []byte(s)
}

// The benchmarks decode kernel replies (a veth's link info, link modes,
// channels and features) into their sets, and encode them again. Each
// calls the set's methods directly: through an interface or a func value,
// the decoder would move to the heap.

func BenchmarkDecodeLinkinfo(b *testing.B) {
	data := seedBytes(b, "linkinfo-veth")
	var v Linkinfo
	b.ReportAllocs()
	for b.Loop() {
		d := netlink.NewAttrDecoder(data)
		v.Decode(&d)
		if err := d.Err(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeLinkinfo(b *testing.B) {
	data := seedBytes(b, "linkinfo-veth")
	var v Linkinfo
	d := netlink.NewAttrDecoder(data)
	v.Decode(&d)
	buf := make([]byte, 0, 4096)
	var e netlink.AttrEncoder
	b.ReportAllocs()
	for b.Loop() {
		e.Reset(buf)
		v.Encode(&e)
	}
	if _, err := e.Finish(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkDecodeLinkmodes(b *testing.B) {
	data := seedBytes(b, "linkmodes-veth")
	var v Linkmodes
	b.ReportAllocs()
	for b.Loop() {
		d := netlink.NewAttrDecoder(data)
		v.Decode(&d)
		if err := d.Err(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeLinkmodes(b *testing.B) {
	data := seedBytes(b, "linkmodes-veth")
	var v Linkmodes
	d := netlink.NewAttrDecoder(data)
	v.Decode(&d)
	buf := make([]byte, 0, 4096)
	var e netlink.AttrEncoder
	b.ReportAllocs()
	for b.Loop() {
		e.Reset(buf)
		v.Encode(&e)
	}
	if _, err := e.Finish(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkDecodeChannels(b *testing.B) {
	data := seedBytes(b, "channels-veth")
	var v Channels
	b.ReportAllocs()
	for b.Loop() {
		d := netlink.NewAttrDecoder(data)
		v.Decode(&d)
		if err := d.Err(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeChannels(b *testing.B) {
	data := seedBytes(b, "channels-veth")
	var v Channels
	d := netlink.NewAttrDecoder(data)
	v.Decode(&d)
	buf := make([]byte, 0, 4096)
	var e netlink.AttrEncoder
	b.ReportAllocs()
	for b.Loop() {
		e.Reset(buf)
		v.Encode(&e)
	}
	if _, err := e.Finish(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkDecodeFeatures(b *testing.B) {
	data := seedBytes(b, "features-veth")
	var v Features
	b.ReportAllocs()
	for b.Loop() {
		d := netlink.NewAttrDecoder(data)
		v.Decode(&d)
		if err := d.Err(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeFeatures(b *testing.B) {
	data := seedBytes(b, "features-veth")
	var v Features
	d := netlink.NewAttrDecoder(data)
	v.Decode(&d)
	buf := make([]byte, 0, 4096)
	var e netlink.AttrEncoder
	b.ReportAllocs()
	for b.Loop() {
		e.Reset(buf)
		v.Encode(&e)
	}
	if _, err := e.Finish(); err != nil {
		b.Fatal(err)
	}
}

// TestDecodeAllocations decodes the kernel's replies for a veth: link info
// and channels hold numbers and a nest, the header, whose device name is
// a string: decoding them allocates that string only. (Each decode is
// called directly: through an interface or a func value, the decoder
// would move to the heap.)
func TestDecodeAllocations(t *testing.T) {
	li := seedBytes(t, "linkinfo-veth")
	ch := seedBytes(t, "channels-veth")
	var l Linkinfo
	var c Channels
	allocs := testing.AllocsPerRun(100, func() {
		d := netlink.NewAttrDecoder(li)
		l.Decode(&d)
		if d.Err() != nil {
			t.Fatal(d.Err())
		}
	})
	if allocs != 1 || l.Header.V.DevName == "" {
		t.Errorf("linkinfo: %v allocations, want 1 (the device's name); decoded %+v", allocs, l)
	}
	allocs = testing.AllocsPerRun(100, func() {
		d := netlink.NewAttrDecoder(ch)
		c.Decode(&d)
		if d.Err() != nil {
			t.Fatal(d.Err())
		}
	})
	if allocs != 1 || c.Header.V.DevName == "" {
		t.Errorf("channels: %v allocations, want 1 (the device's name); decoded %+v", allocs, c)
	}
}
