//go:build linux

package tc_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

var capture = flag.Bool("capture", false, "write the kernel's replies to hostScript's listing to testdata/kernel, FuzzObject's seeds")

// TestCaptureKernel, with -capture, writes the payloads of the kernel's
// RTM_NEWQDISC, RTM_NEWTCLASS, RTM_NEWTFILTER and RTM_NEWACTION replies
// for hostScript's objects to testdata/kernel.
func TestCaptureKernel(t *testing.T) {
	if !*capture {
		t.Skip("run with -capture to write testdata/kernel")
	}
	w := newWorld(t)
	w.script(t, hostScript)
	dir := filepath.Join("testdata", "kernel")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n := 0
	save := func(typ netlink.HeaderType, data []byte) {
		for m, err := range w.c.NL.Dump(context.Background(), netlink.Message{Header: netlink.Header{Type: typ}, Data: data}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%03d.bin", n)), m.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tcmsg := func(parent uint32) []byte {
		b := make([]byte, 20)
		b[4] = byte(w.v0)
		b[12], b[13], b[14], b[15] = byte(parent), byte(parent>>8), byte(parent>>16), byte(parent>>24)
		return b
	}
	save(uapi.RTM_GETQDISC, tcmsg(0))
	save(uapi.RTM_GETTCLASS, tcmsg(0))
	for _, p := range []uint32{0x10000, 0xFFFFFFF2, 0xFFFFFFF3} {
		save(uapi.RTM_GETTFILTER, tcmsg(p))
	}
	// tcamsg, then TCA_ACT_TAB { 1 { TCA_ACT_KIND "mirred" } }
	save(uapi.RTM_GETACTION, []byte{0, 0, 0, 0, 20, 0, 1, 0x80, 16, 0, 1, 0x80, 11, 0, 1, 0, 'm', 'i', 'r', 'r', 'e', 'd', 0, 0})
}
