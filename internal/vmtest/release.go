package vmtest

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// KernelAtLeast reports whether the running kernel is release major.minor
// or newer. Tests call it where the kernel matrix (Debian's 6.1 and 6.12 in
// the VM, the host's) differs in a way a request cannot tell from a bug: a
// family, an attribute or a behaviour that came in a known release, so
// that a test skips or expects the older behaviour only on kernels before
// it and keeps its full check on those after. It fails t if the release
// cannot be read.
func KernelAtLeast(t testing.TB, major, minor int) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		t.Fatalf("kernel release: %v", err)
	}
	ok, err := releaseAtLeast(strings.TrimSpace(string(b)), major, minor)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// releaseAtLeast reports whether release ("6.1.0-57-amd64") is major.minor
// or newer.
func releaseAtLeast(release string, major, minor int) (bool, error) {
	n := numbers(release)
	if len(n) < 2 || !strings.HasPrefix(release, fmt.Sprint(n[0])+".") {
		return false, fmt.Errorf("kernel release %q is not MAJOR.MINOR…", release)
	}
	return !less(n[:2], []int{major, minor}), nil
}
