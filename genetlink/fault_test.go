//go:build linux

package genetlink_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"golang.org/x/sys/unix"
)

// TestFaultFamilyGone is the fault table's row for a family that goes away
// between Family and Execute. Families are global, not per namespace, and
// leave only when their module is unloaded, which a test must not do to
// the host; so the test uses what a caller holds after the unload: a
// Family whose ID no family has. Execute and Dump fail with ENOENT in an
// *OpError that names the family's command; the Conn is unharmed, and
// looking the family up again is the remedy (with ENOENT if it is gone).
// (Should another family register later, it may get the old ID: a stale
// Family then talks to the wrong family, so callers must look families up
// again after ENOENT, and not cache IDs across module reloads.)
func TestFaultFamilyGone(t *testing.T) { onBackends(t, testFaultFamilyGone) }

func testFaultFamilyGone(t *testing.T, b backend) {
	c := b.dial(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f, err := c.Family(ctx, "nlctrl")
	if err != nil {
		t.Fatal(err)
	}
	used := map[uint16]bool{}
	for g, err := range c.Families(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		used[g.ID] = true
	}
	gone := f
	gone.Name = "nlkit-gone"
	gone.CommandNames = map[uint8]string{unix.CTRL_CMD_GETFAMILY: "GETFAMILY"}
	for id := uint16(1023); ; id-- { // GENL_MAX_ID
		if !used[id] {
			gone.ID = id
			break
		}
	}

	msgs, err := c.Execute(ctx, &gone, unix.CTRL_CMD_GETFAMILY, nil)
	var oe *netlink.OpError
	if !errors.Is(err, unix.ENOENT) || !errors.As(err, &oe) || msgs != nil {
		t.Fatalf("Execute on a vanished family: %v, %#v; want an *OpError wrapping ENOENT", msgs, err)
	}
	t.Logf("Execute: %v", err)
	n := 0
	var last error
	for _, err := range c.Dump(ctx, &gone, unix.CTRL_CMD_GETFAMILY, nil) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if n != 0 || !errors.Is(last, unix.ENOENT) {
		t.Fatalf("Dump on a vanished family: %d messages, then %v; want ENOENT", n, last)
	}
	// The Conn still works, and a new lookup is the remedy.
	if _, err := c.Family(ctx, "nlctrl"); err != nil {
		t.Fatalf("Family after the failures: %v", err)
	}
	if _, err := c.Family(ctx, gone.Name); !errors.Is(err, unix.ENOENT) {
		t.Fatalf("Family(%s): %v, want ENOENT", gone.Name, err)
	}
}

// Families are global, so deleting a namespace takes none away (see
// TestFaultNetNSDeleted in the root package for a Conn in a deleted
// namespace); Dial into a namespace path that no longer exists fails with
// ENOENT.
func TestFaultFamilyNamespacePathGone(t *testing.T) {
	_, err := genetlink.Dial(&netlink.Config{NetNS: "/run/netns/nlkit-test-no-such-namespace"})
	if !errors.Is(err, unix.ENOENT) {
		t.Fatalf("Dial: %v, want ENOENT", err)
	}
}
