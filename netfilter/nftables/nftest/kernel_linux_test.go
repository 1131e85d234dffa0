//go:build linux

package nftest_test

import (
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/netfilter/nftables"
	"github.com/nlkit/netlink/netfilter/nftables/nftest"
)

// TestSameAsKernel runs the scenario on the fake and on Linux, in a
// network namespace of its own, and compares the two logs: each step's
// outcome (the message refused and its errno) and each listing.
func TestSameAsKernel(t *testing.T) {
	ns := nstest.New(t)
	kc, err := nftables.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	want := scenario(t, kc)

	fc, err := nftest.New().Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	got := scenario(t, fc)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		for i := range max(len(got), len(want)) {
			var g, w string
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Errorf("step %d:\nfake:   %s\nkernel: %s", i, g, w)
			}
		}
	}
}
