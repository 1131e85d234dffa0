package nflog_test

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter/nflog"
)

// captured reads testdata/packets.bin: the messages the kernel sent for
// the packets TestLogGroup logged (NLKIT_CAPTURE=1 rewrites it).
func captured(t testing.TB) []byte {
	b, err := os.ReadFile("testdata/packets.bin")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeCaptured(t *testing.T) {
	n := 0
	for m, err := range netlink.Messages(captured(t)) {
		if err != nil {
			t.Fatal(err)
		}
		var p nflog.Packet
		if err := p.Decode(m.Data); err != nil {
			t.Fatal(err)
		}
		if p.Has&nflog.HasHeader == 0 || p.Prefix == "" || len(p.Payload) == 0 {
			t.Errorf("packet %d: %+v", n, p)
		}
		n++
	}
	if n != 8 {
		t.Errorf("%d packets in the capture, want 8", n)
	}
}

// TestDecodeAllocatesNothing decodes every captured packet into one
// reused Packet, as Packets does: no allocation per packet.
func TestDecodeAllocatesNothing(t *testing.T) {
	b := captured(t)
	var p nflog.Packet
	allocs := testing.AllocsPerRun(100, func() {
		md := netlink.NewMessageDecoder(b)
		for md.Next() {
			if err := p.Decode(md.Data()); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("decoding allocates %.1f times", allocs)
	}
}

func nilEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func FuzzPacket(f *testing.F) {
	for m, err := range netlink.Messages(captured(f)) {
		if err != nil {
			f.Fatal(err)
		}
		f.Add(m.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var a nflog.Packet
		if err := a.Decode(data); err != nil {
			return
		}
		a = a.Clone()
		b1, err := a.Append(nil)
		if err != nil {
			return
		}
		var b nflog.Packet
		if err := b.Decode(b1); err != nil {
			t.Fatalf("re-decoding % x: %v", b1, err)
		}
		b = b.Clone()
		b2, _ := b.Append(nil)
		if !bytes.Equal(b1, b2) {
			t.Fatalf("encoding is not stable:\n% x\n% x", b1, b2)
		}
		for _, p := range []*nflog.Packet{&a, &b} {
			p.HWAddr, p.HWHeader, p.L2Header = nilEmpty(p.HWAddr), nilEmpty(p.HWHeader), nilEmpty(p.L2Header)
			p.Payload, p.CT, p.Unknown = nilEmpty(p.Payload), nilEmpty(p.CT), nilEmpty(p.Unknown)
		}
		if !a.Timestamp.Equal(b.Timestamp) {
			t.Fatalf("timestamp %v, then %v", a.Timestamp, b.Timestamp)
		}
		a.Timestamp = b.Timestamp // equal instants; DeepEqual would compare monotonic and location parts
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip:\n%+v\n%+v", a, b)
		}
	})
}
