package netfilter

import (
	"errors"
	"testing"

	"github.com/nlkit/netlink"
)

func TestHeaderRoundTrip(t *testing.T) {
	h := Header{Family: 2, Version: Version0, ResourceID: 0x1234}
	b := h.Append(nil)
	if want := []byte{2, 0, 0x12, 0x34}; string(b) != string(want) {
		t.Fatalf("Append = % x, want % x (res_id big-endian)", b, want)
	}
	got, err := ParseHeader(b)
	if err != nil || got != h {
		t.Fatalf("ParseHeader = %+v, %v; want %+v", got, err, h)
	}
	if _, err := ParseHeader(b[:3]); !errors.Is(err, netlink.ErrMalformed) {
		t.Fatalf("short header: err = %v, want ErrMalformed", err)
	}
}

func TestMessageType(t *testing.T) {
	mt := MessageType(SubsysNFTables, 3)
	if mt != 0x0a03 {
		t.Fatalf("MessageType = %#x, want 0xa03", mt)
	}
	if s, m := SplitType(mt); s != SubsysNFTables || m != 3 {
		t.Fatalf("SplitType = %v, %d", s, m)
	}
	if SubsysConntrack.String() != "conntrack" || Subsystem(99).String() != "subsystem(99)" {
		t.Fatalf("String: %q %q", SubsysConntrack, Subsystem(99))
	}
}

func FuzzParseHeader(f *testing.F) {
	f.Add([]byte{2, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHeader(b)
		if err != nil {
			return
		}
		if got := h.Append(nil); string(got) != string(b[:HeaderLen]) {
			t.Fatalf("re-encoded % x, want % x", got, b[:HeaderLen])
		}
	})
}
