package sockdiag_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/nlkit/netlink/sockdiag"
)

// seeds returns the payloads captured in testdata/name (see
// TestCaptureReplies).
func seeds(t testing.TB, name string) [][]byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for len(b) >= 4 {
		n := int(binary.NativeEndian.Uint32(b))
		if 4+n > len(b) {
			t.Fatalf("%s: truncated", name)
		}
		out = append(out, b[4:4+n])
		b = b[4+n:]
	}
	return out
}

func FuzzParseInet(f *testing.F) {
	for _, name := range []string{"inet_tcp4.bin", "inet_tcp6.bin", "inet_udp.bin"} {
		for _, s := range seeds(f, name) {
			f.Add(s, uint8(6))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, proto uint8) {
		var s sockdiag.InetSocket
		if err := s.Parse(b, int(proto)); err != nil {
			return
		}
		s.BBR()
		s.Vegas()
		s.DCTCP()
		c := s.Clone()
		var again sockdiag.InetSocket
		if err := again.Parse(append([]byte(nil), b...), int(proto)); err != nil {
			t.Fatalf("parses once, not twice: %v", err)
		}
		if again.ID != c.ID || again.TCPInfo != c.TCPInfo || again.SkMemInfo != c.SkMemInfo || string(again.Attrs) != string(c.Attrs) {
			t.Fatal("parse is not deterministic")
		}
	})
}

func FuzzParseUnix(f *testing.F) {
	for _, s := range seeds(f, "unix.bin") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s sockdiag.UnixSocket
		if err := s.Parse(b); err != nil {
			return
		}
		_ = s.IconsInodes(nil)
		c := s.Clone()
		if string(c.Attrs) != string(s.Attrs) || string(c.Name) != string(s.Name) {
			t.Fatal("clone differs")
		}
	})
}

// TestParseCaptured parses every captured reply.
func TestParseCaptured(t *testing.T) {
	n := 0
	for _, name := range []string{"inet_tcp4.bin", "inet_tcp6.bin"} {
		for _, b := range seeds(t, name) {
			var s sockdiag.InetSocket
			if err := s.Parse(b, sockdiag.ProtoTCP); err != nil {
				t.Fatal(err)
			}
			if s.State == sockdiag.StateEstablished {
				n++
				if s.TCPInfo.Len < 200 || s.CongName() != "cubic" && s.CongName() == "" || !s.Has(sockdiag.AttrSkMemInfo) {
					t.Errorf("%v: tcp_info %d bytes, cong %q", s.ID, s.TCPInfo.Len, s.CongName())
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no established socket in the captures")
	}
}

// TestParseAllocs checks that parsing a reply allocates nothing.
func TestParseAllocs(t *testing.T) {
	msgs := seeds(t, "inet_tcp4.bin")
	var s sockdiag.InetSocket
	if a := testing.AllocsPerRun(100, func() {
		for _, b := range msgs {
			s.Parse(b, sockdiag.ProtoTCP)
		}
	}); a != 0 {
		t.Errorf("%v allocations", a)
	}
	u := seeds(t, "unix.bin")
	var us sockdiag.UnixSocket
	if a := testing.AllocsPerRun(100, func() {
		for _, b := range u {
			us.Parse(b)
		}
	}); a != 0 {
		t.Errorf("unix: %v allocations", a)
	}
}
