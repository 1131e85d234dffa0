//go:build linux

package sockdiag_test

import (
	"context"
	"encoding/binary"
	"flag"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/sockdiag"
)

var update = flag.Bool("update", false, "rewrite testdata/ with the kernel's replies")

// TestCaptureReplies dumps the test's sockets raw and, with -update,
// writes the replies' payloads to testdata/ as the fuzz targets' seeds
// (each a 4-byte length then the payload). Without -update it checks
// that every reply parses.
func TestCaptureReplies(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	inNS(t, w.ns, func() {
		l, err := net.Listen("unix", filepath.Join(t.TempDir(), "s"))
		if err != nil {
			t.Error(err)
			return
		}
		w.closers = append(w.closers, func() { l.Close() })
	})
	dump := func(name string, req []byte, parse func([]byte) error) {
		var out []byte
		for m, err := range c.NL.Dump(context.Background(), netlink.Message{Header: netlink.Header{Type: 20}, Data: req}) {
			if err != nil {
				t.Fatal(err)
			}
			if err := parse(m.Data); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			out = binary.NativeEndian.AppendUint32(out, uint32(len(m.Data)))
			out = append(out, m.Data...)
		}
		if *update {
			if err := os.WriteFile(filepath.Join("testdata", name), out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var s sockdiag.InetSocket
	inet := func(family, proto byte) []byte {
		b := []byte{family, proto, 0xff, 0}
		b = binary.NativeEndian.AppendUint32(b, 0xffffffff)
		return append(b, make([]byte, 48)...)
	}
	dump("inet_tcp4.bin", inet(2, 6), func(b []byte) error { return s.Parse(b, 6) })
	dump("inet_tcp6.bin", inet(10, 6), func(b []byte) error { return s.Parse(b, 6) })
	dump("inet_udp.bin", inet(2, 17), func(b []byte) error { return s.Parse(b, 17) })
	var u sockdiag.UnixSocket
	ureq := []byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x7f, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	dump("unix.bin", ureq, u.Parse)
}
