package vmtest_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// TestSkipFailsVM checks Run's rule in a VM (with NLKIT_VM=1): it runs
// TestSkipFixtureVM there as Run does, and the run fails (exit status 1)
// naming the subtest that skipped, not the one Config.AllowSkip would
// allow.
func TestSkipFailsVM(t *testing.T) {
	if _, ok := vmtest.Guest(); ok {
		t.Skip("boots a VM from the host")
	}
	if !vmtest.Enabled() {
		t.Skip("boots a VM: set NLKIT_VM=1 to run it (see internal/vmtest)")
	}
	k := vmtest.Kernels[len(vmtest.Kernels)-1]
	res, err := vmtest.RunPackage(context.Background(), vmtest.Options{
		Config:       vmtest.Config{Kernel: k},
		Package:      ".",
		Args:         []string{"-test.run", "^TestSkipFixtureVM$", "-test.v", "-test.count=1"},
		Logf:         t.Logf,
		FailSkips:    true,
		AllowedSkips: map[string]string{"TestSkipFixtureVM/Allowed": "the fixture's allowed skip"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var named []string
	for _, f := range res.Fails {
		name, _, _ := strings.Cut(f, " ")
		named = append(named, name)
	}
	if res.Exit != 1 || !slices.Equal(named, []string{"TestSkipFixtureVM/Skips"}) {
		t.Errorf("Linux %s: exit status %d, fails %q; want 1, TestSkipFixtureVM/Skips only", res.Release, res.Exit, res.Fails)
	}
}

// TestSkipFixtureVM is what TestSkipFailsVM runs in the VM: a subtest
// that passes, one that skips and one that skips as allowed.
func TestSkipFixtureVM(t *testing.T) {
	if _, ok := vmtest.Guest(); !ok {
		t.Skip("the fixture of TestSkipFailsVM, in its VM")
	}
	t.Run("Runs", func(t *testing.T) {})
	t.Run("Skips", func(t *testing.T) { t.Skip("skips in the VM") })
	t.Run("Allowed", func(t *testing.T) { t.Skip("skips as allowed") })
}
