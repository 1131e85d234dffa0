package nfqueue_test

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter/nfqueue"
)

// captured reads testdata/packets.bin: messages the kernel sent for
// queued packets (NLKIT_CAPTURE=1 rewrites it).
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
		var p nfqueue.Packet
		if err := p.Decode(m.Data); err != nil {
			t.Fatal(err)
		}
		if p.ID == 0 || p.Queue != 3 || len(p.Payload) < 28 || len(p.Unknown) != 0 {
			t.Errorf("packet %d: %+v", n, p)
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d packets in the capture, want 3", n)
	}
}

// TestDecodeAllocatesNothing decodes every captured packet into one
// reused Packet, as Packets does.
func TestDecodeAllocatesNothing(t *testing.T) {
	b := captured(t)
	var p nfqueue.Packet
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
		var a nfqueue.Packet
		if err := a.Decode(data); err != nil {
			return
		}
		a = a.Clone()
		b1, err := a.Append(nil)
		if err != nil {
			return
		}
		var b nfqueue.Packet
		if err := b.Decode(b1); err != nil {
			t.Fatalf("re-decoding % x: %v", b1, err)
		}
		b = b.Clone()
		if b2, _ := b.Append(nil); !bytes.Equal(b1, b2) {
			t.Fatalf("encoding is not stable:\n% x\n% x", b1, b2)
		}
		for _, p := range []*nfqueue.Packet{&a, &b} {
			p.HWAddr, p.L2Header, p.Payload = nilEmpty(p.HWAddr), nilEmpty(p.L2Header), nilEmpty(p.Payload)
			p.CT, p.Exp, p.Unknown = nilEmpty(p.CT), nilEmpty(p.Exp), nilEmpty(p.Unknown)
		}
		if !a.Timestamp.Equal(b.Timestamp) {
			t.Fatalf("timestamp %v, then %v", a.Timestamp, b.Timestamp)
		}
		a.Timestamp = b.Timestamp // equal instants; DeepEqual would compare their representation
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip:\n%+v\n%+v", a, b)
		}
	})
}
