//go:build linux

package nftest_test

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/netfilter/nftables"
	"github.com/nlkit/netlink/netfilter/nftables/nftest"
)

// TestSameAsKernel runs the scenario on the fake and on Linux, in a
// network namespace of its own, and compares the two logs: each step's
// outcome (the message refused and its errno) and each listing. On a
// kernel before 6.3, which has no NFT_MSG_DESTROY* (it refuses a destroy
// with EINVAL), both leave out the scenario's destroy step.
func TestSameAsKernel(t *testing.T) {
	ns := nstest.New(t)
	kc, err := nftables.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	destroy := hasDestroy(t)
	if !destroy {
		t.Log("this kernel has no NFT_MSG_DESTROY* (Linux 6.3): the scenario's destroy step is left out")
	}
	want := scenario(t, kc, destroy)

	fc, err := nftest.New().Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	got := scenario(t, fc, destroy)
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

// hasDestroy reports whether the kernel takes NFT_MSG_DESTROYTABLE: a
// destroy of a table that does not exist, in a namespace of its own,
// succeeds from Linux 6.3 on and fails with EINVAL before.
func hasDestroy(t *testing.T) bool {
	ns := nstest.New(t)
	c, err := nftables.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var tx nftables.Tx
	tx.Destroy(&nftables.Table{Family: nftables.FamilyIPv4, Name: "none"})
	err = c.Commit(context.Background(), &tx)
	if err != nil && !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("destroy of a missing table: %v", err)
	}
	return err == nil
}
