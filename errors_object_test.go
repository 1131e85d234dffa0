package netlink_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
)

// TestWithObject checks that WithObject names the object in a copy of an
// *OpError, printed after the request, and leaves nil, other errors and
// an *OpError that names an object already as they are.
func TestWithObject(t *testing.T) {
	if err := netlink.WithObject(nil, `link "x"`); err != nil {
		t.Errorf("WithObject(nil) = %v, want nil", err)
	}
	plain := errors.New("plain")
	if err := netlink.WithObject(plain, `link "x"`); err != plain {
		t.Errorf("WithObject(plain) = %v, want it unchanged", err)
	}
	orig := &netlink.OpError{Op: "execute", Protocol: 0, Request: 18, Err: syscall.ENODEV} // RTM_GETLINK
	orig.Offset, orig.MissingNest = -1, -1
	err := netlink.WithObject(orig, `link "nosuch0"`)
	if got, want := err.Error(), `netlink route RTM_GETLINK link "nosuch0": no such device`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if orig.Object != "" {
		t.Errorf("WithObject changed the original: Object %q", orig.Object)
	}
	var oe *netlink.OpError
	if !errors.Is(err, syscall.ENODEV) || !errors.As(err, &oe) || oe.Object != `link "nosuch0"` {
		t.Errorf("%v: not an *OpError naming the link and wrapping ENODEV", err)
	}
	if again := netlink.WithObject(err, "link 3"); again != err {
		t.Errorf("WithObject on a named error = %v, want it unchanged", again)
	}
}
