package netlink_test

import (
	"errors"
	"runtime"
	"testing"

	"github.com/nlkit/netlink"
)

// TestErrNotSupported checks that ErrNotSupported wraps
// errors.ErrUnsupported and, off Linux, that Dial's error wraps both.
func TestErrNotSupported(t *testing.T) {
	if !errors.Is(netlink.ErrNotSupported, errors.ErrUnsupported) {
		t.Fatalf("ErrNotSupported (%v) does not wrap errors.ErrUnsupported", netlink.ErrNotSupported)
	}
	if runtime.GOOS == "linux" {
		return
	}
	c, err := netlink.Dial(0, nil)
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded off Linux")
	}
	if !errors.Is(err, netlink.ErrNotSupported) || !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Dial: %v, want an error wrapping ErrNotSupported and errors.ErrUnsupported", err)
	}
}
