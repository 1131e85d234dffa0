package uapi

import (
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestErrnoTable checks the translation both ways on any platform, and on
// Linux (but mips, whose numbers differ) that the table's numbers are
// Linux's.
func TestErrnoTable(t *testing.T) {
	linuxNumbers := runtime.GOOS == "linux" && !strings.HasPrefix(runtime.GOARCH, "mips")
	for _, e := range linuxErrnos {
		if got := errnoToTable(e.host); got != e.linux {
			t.Errorf("errnoToTable(%v) = %d, want %d", e.host, got, e.linux)
		}
		got := errnoFromTable(e.linux)
		if errnoToTable(got) != e.linux {
			t.Errorf("errnoFromTable(%d) = %v, which goes back as %d", e.linux, got, errnoToTable(got))
		}
		if linuxNumbers && uint32(e.host) != e.linux {
			t.Errorf("%v is %d on Linux, the table says %d", e.host, uint32(e.host), e.linux)
		}
	}
	if got := errnoFromTable(19); got != syscall.ENODEV {
		t.Errorf("errnoFromTable(19) = %v, want ENODEV", got)
	}
	if got := errnoFromTable(95); got != syscall.EOPNOTSUPP {
		t.Errorf("errnoFromTable(95) = %v, want EOPNOTSUPP", got)
	}
	// A number the table lacks stays as it is, both ways.
	if got := errnoFromTable(4000); got != syscall.Errno(4000) {
		t.Errorf("errnoFromTable(4000) = %d, want 4000", got)
	}
	if got := errnoToTable(syscall.Errno(4000)); got != 4000 {
		t.Errorf("errnoToTable(4000) = %d, want 4000", got)
	}
	// The exported pair round-trips on every platform.
	for _, e := range []syscall.Errno{syscall.ENODEV, syscall.EEXIST, syscall.EOPNOTSUPP, syscall.Errno(4000)} {
		if got := ErrnoFromLinux(ErrnoToLinux(e)); got != e {
			t.Errorf("ErrnoFromLinux(ErrnoToLinux(%v)) = %v", e, got)
		}
	}
}
