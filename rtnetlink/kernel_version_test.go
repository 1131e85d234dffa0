//go:build linux

package rtnetlink_test

import (
	"fmt"
	"testing"

	"golang.org/x/sys/unix"
)

// kernelAtLeast reports whether the running kernel is major.minor or
// newer, for the features the kernel matrix (6.1, 6.12, this machine's)
// found to differ and that a request cannot probe without side effects.
func kernelAtLeast(t testing.TB, major, minor int) bool {
	t.Helper()
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	var maj, min int
	if _, err := fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &maj, &min); err != nil {
		t.Fatalf("kernel release %q: %v", unix.ByteSliceToString(u.Release[:]), err)
	}
	return maj > major || maj == major && min >= minor
}
