package conntrack_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter/conntrack"
)

// dump reads testdata/dump.bin, a listing the kernel sent (see
// TestCaptureDump).
func dump(t testing.TB) []byte {
	b, err := os.ReadFile("testdata/dump.bin")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCapturedDump(t *testing.T) {
	b := dump(t)
	var n int
	kinds := map[string]bool{}
	for m, err := range netlink.Messages(b) {
		if err != nil {
			t.Fatal(err)
		}
		f, err := conntrack.ParseFlow(m)
		if err != nil {
			t.Fatal(err)
		}
		n++
		if f.ID == 0 || f.Set&conntrack.FieldUse == 0 || !f.Orig.Src.IsValid() || !f.Reply.Dst.IsValid() || f.Timeout == 0 {
			t.Errorf("entry %d lacks what every listed entry has: %+v", n, f)
		}
		if f.Set&conntrack.FieldCountersOrig != 0 {
			kinds["counters"] = true
		}
		if f.Start != 0 {
			kinds["timestamp"] = true
		}
		if f.TCP.State == conntrack.TCPEstablished {
			kinds["tcp"] = true
		}
		// conntrack -I --orig-vtag 11 sends the tag in host byte order
		// where the kernel reads a __be32: 11 comes back as 11<<24.
		if f.SCTP.State == 4 && f.SCTP.VTagOrig == 11<<24 && f.SCTP.VTagReply == 12<<24 {
			kinds["sctp"] = true
		}
		if f.Zone == 5 {
			kinds["zone"] = true
		}
		if f.Orig.HasZone && f.Orig.Zone == 3 {
			kinds["zone-orig"] = true
		}
		if f.Status&conntrack.StatusDstNAT != 0 {
			kinds["dnat"] = true
		}
		if f.Status&conntrack.StatusSrcNAT != 0 {
			kinds["snat"] = true
		}
		if f.Orig.Proto == 58 && f.Orig.ICMPType == 128 {
			kinds["icmpv6"] = true
		}
		if len(f.Unknown) != 0 {
			t.Errorf("entry %d has attributes this package does not decode: % x", n, f.Unknown)
		}
	}
	for _, k := range []string{"counters", "timestamp", "tcp", "sctp", "zone", "zone-orig", "dnat", "snat", "icmpv6"} {
		if !kinds[k] {
			t.Errorf("no entry of the capture has %s", k)
		}
	}
	if n < 10 {
		t.Errorf("%d entries in the capture", n)
	}
}

// TestDecodeAllocatesNothing decodes every entry of a captured listing
// into one reused Flow, as Flows does: no allocation per entry.
func TestDecodeAllocatesNothing(t *testing.T) {
	b := dump(t)
	var f conntrack.Flow
	entries := 0
	allocs := testing.AllocsPerRun(100, func() {
		entries = 0
		md := netlink.NewMessageDecoder(b)
		for md.Next() {
			if err := f.Decode(md.Data()); err != nil {
				t.Fatal(err)
			}
			entries++
		}
	})
	if allocs != 0 {
		t.Errorf("decoding %d entries allocates %.1f times", entries, allocs)
	}
}

// TestUnknownAttributesKept decodes an entry with attributes of a newer
// kernel, and encodes it back with them in place.
func TestUnknownAttributesKept(t *testing.T) {
	f := conntrack.Flow{
		Family:  2,
		Orig:    conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: 47, ProtoExtra: "\x08\x00\x0a\x00\x00\x00\x00\x07"},
		Timeout: 5,
		Unknown: []byte{8, 0, 99, 0, 1, 2, 3, 4, 5, 0, 100, 0, 9, 0, 0, 0},
	}
	b, err := f.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	var g conntrack.Flow
	if err := g.Decode(b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g.Unknown, f.Unknown) || g.Orig.ProtoExtra != f.Orig.ProtoExtra {
		t.Fatalf("Unknown % x, ProtoExtra %q; want % x, %q", g.Unknown, g.Orig.ProtoExtra, f.Unknown, f.Orig.ProtoExtra)
	}
	b2, _ := g.Append(nil)
	if !bytes.Equal(b, b2) {
		t.Fatalf("re-encoded\n% x\nwant\n% x", b2, b)
	}
}

// normalize makes empty slices nil, so that a decoded empty attribute
// and an absent one compare equal where the encoding cannot tell.
func normalize(f *conntrack.Flow) {
	if len(f.Labels) == 0 {
		f.Labels = nil
	}
	if len(f.LabelsMask) == 0 {
		f.LabelsMask = nil
	}
	if len(f.Unknown) == 0 {
		f.Unknown = nil
	}
}

func FuzzFlow(f *testing.F) {
	for m, err := range netlink.Messages(dump(f)) {
		if err != nil {
			f.Fatal(err)
		}
		f.Add(m.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var a conntrack.Flow
		if err := a.Decode(data); err != nil {
			return
		}
		a = a.Clone()
		b1, err := a.Append(nil)
		if err != nil {
			return // a field too large to encode (a 64 KiB label)
		}
		var b conntrack.Flow
		if err := b.Decode(b1); err != nil {
			t.Fatalf("re-decoding %x: %v", b1, err)
		}
		b = b.Clone()
		normalize(&a)
		normalize(&b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip:\n%+v\n%+v", a, b)
		}
		b2, _ := b.Append(nil)
		if !bytes.Equal(b1, b2) {
			t.Fatalf("encoding is not stable:\n% x\n% x", b1, b2)
		}
	})
}

func FuzzExpect(f *testing.F) {
	x := conntrack.Expect{
		Family:  2,
		Master:  conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: 6, SrcPort: 1000, DstPort: 21},
		Tuple:   conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: 6, DstPort: 20000},
		Mask:    conntrack.Tuple{Src: netip.MustParseAddr("255.255.255.255"), Dst: netip.MustParseAddr("255.255.255.255"), Proto: 6, DstPort: 0xffff},
		Timeout: 300, ID: 7, Helper: "ftp", Flags: 4, Class: 1,
		HasNAT: true, NATDir: 1, NATTuple: conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.9"), Proto: 6, SrcPort: 5},
		Fn: "nat-follow-master",
	}
	seed, err := x.Append(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		var a conntrack.Expect
		if err := a.Decode(data); err != nil {
			return
		}
		a = a.Clone()
		b1, err := a.Append(nil)
		if err != nil {
			return
		}
		var b conntrack.Expect
		if err := b.Decode(b1); err != nil {
			t.Fatalf("re-decoding %x: %v", b1, err)
		}
		b = b.Clone()
		if len(a.Unknown) == 0 {
			a.Unknown = nil
		}
		if len(b.Unknown) == 0 {
			b.Unknown = nil
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip:\n%+v\n%+v", a, b)
		}
	})
}

// TestGREKeysSent checks that a GRE tuple goes out with its keys, 0
// included (the kernel refuses a GRE tuple without them), and prints them
// as conntrack does.
func TestGREKeysSent(t *testing.T) {
	for _, keys := range [][2]uint16{{0, 0}, {0x1234, 0x5678}} {
		f := conntrack.Flow{Family: 2, Orig: conntrack.Tuple{
			Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"),
			Proto: 47, SrcPort: keys[0], DstPort: keys[1],
		}}
		b, err := f.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		for typ, key := range map[byte]uint16{2: keys[0], 3: keys[1]} { // CTA_PROTO_SRC_PORT, _DST_PORT
			if !bytes.Contains(b, []byte{6, 0, typ, 0, byte(key >> 8), byte(key)}) {
				t.Errorf("keys %#x: no attribute %d holding %#x in % x", keys, typ, key, b)
			}
		}
		var g conntrack.Flow
		if err := g.Decode(b); err != nil {
			t.Fatal(err)
		}
		want := "src=198.18.0.1 dst=198.18.0.2 srckey=" + fmt.Sprintf("%#x dstkey=%#x", keys[0], keys[1])
		if g.Orig != f.Orig || g.Orig.String() != want {
			t.Errorf("decoded %q (%+v), want %q", g.Orig, g.Orig, want)
		}
	}
}
