//go:build linux

package xfrm_test

import (
	"context"
	"encoding/binary"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/xfrm"
)

var update = flag.Bool("update", false, "rewrite testdata/ with the kernel's replies")

// TestCaptureReplies dumps the policies ip adds raw and, with -update,
// writes the replies' payloads to testdata/policies.bin as the fuzz
// targets' seeds (each a 4-byte length then the payload). Without
// -update it checks that every reply parses.
func TestCaptureReplies(t *testing.T) {
	ns := nstest.New(t)
	c := dial(t, ns)
	for _, tp := range testPolicies {
		ns.Run(t, append([]string{"xfrm"}, strings.Fields(tp.ip)...)...)
	}
	var out []byte
	req := netlink.Message{Header: netlink.Header{Type: xfrm.EventNewPolicy + 2, Flags: netlink.Dump}} // XFRM_MSG_GETPOLICY
	for m, err := range c.NL.Dump(context.Background(), req) {
		if err != nil {
			t.Fatal(err)
		}
		if _, err := xfrm.ParsePolicy(m); err != nil {
			t.Error(err)
		}
		out = binary.NativeEndian.AppendUint32(out, uint32(len(m.Data)))
		out = append(out, m.Data...)
	}
	if *update {
		if err := os.WriteFile(filepath.Join("testdata", "policies.bin"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
