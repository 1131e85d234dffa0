//go:build linux

package genetlink_test

import (
	"errors"
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
	"golang.org/x/sys/unix"
)

// noNetdev reports whether err is the ENOENT of a kernel older than the
// netdev family (Linux 6.3; the VM matrix's 6.1 has none), and logs so. On
// a kernel that has the family it is false, and err stays the test's.
func noNetdev(t testing.TB, err error) bool {
	t.Helper()
	if errors.Is(err, unix.ENOENT) && !vmtest.KernelAtLeast(t, 6, 3) {
		t.Logf("this kernel has no netdev family (Linux 6.3): %v", err)
		return true
	}
	return false
}
