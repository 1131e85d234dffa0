//go:build linux

package ynl_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/psp"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// runPSP drives psp on netdevsim ports, which register a PSP device each
// when the kernel has CONFIG_INET_PSP (no Debian kernel does: run it
// with vmtest's -kernel local and a kernel built with the option and
// netdevsim): the dump lists one device per port, by its ifindex (from
// ip), with capabilities and nothing enabled; a get of each equals its
// dump record; a set enables every version the device can, read back,
// and back to none; a key rotation answers with the device; and the
// kernel's errors: a get of a device that does not exist, and a set of a
// version the device cannot do.
func runPSP(t *testing.T, ns *nstest.NS, _, g *genetlink.Conn) {
	if _, err := os.Stat("/sys/bus/netdevsim/new_device"); err != nil {
		t.Skipf("the policy comparison ran, but the do and dump need netdevsim's devices, which this kernel cannot make "+
			"(vmtest loads the module with -modules netdevsim): %v", err)
	}
	ctx := context.Background()
	ports := ns.NewNetdevsim(t, 2, 1).Ports
	c, err := psp.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	byIfindex := map[uint32]psp.Dev{}
	for d, err := range c.DevGetDump(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		byIfindex[d.Ifindex.V] = d
	}
	if len(byIfindex) != len(ports) {
		t.Fatalf("dev-get dump: %d devices; want one per netdevsim port (%d): %+v", len(byIfindex), len(ports), byIfindex)
	}
	for _, port := range ports {
		idx := ifindex(t, ns, port)
		d, ok := byIfindex[idx]
		switch {
		case !ok:
			t.Fatalf("dev-get dump: no device of port %s (ifindex %d): %+v", port, idx, byIfindex)
		case !d.ID.Set || d.ID.V == 0 || !d.PSPVersionsCap.Set || d.PSPVersionsCap.V == 0:
			t.Fatalf("port %s: device %+v; want an ID and capabilities", port, d)
		case d.PSPVersionsEna.V != 0:
			t.Errorf("port %s: a new device has versions %#x enabled; want none", port, d.PSPVersionsEna.V)
		}
		got, err := c.DevGet(ctx, &psp.Dev{ID: d.ID})
		if err != nil {
			t.Fatalf("dev-get %d: %v", d.ID.V, err)
		}
		if got.ID != d.ID || got.Ifindex != d.Ifindex || got.PSPVersionsCap != d.PSPVersionsCap || got.PSPVersionsEna != d.PSPVersionsEna {
			t.Errorf("dev-get %d = %+v; the dump has %+v", d.ID.V, got, d)
		}
	}

	d := byIfindex[ifindex(t, ns, ports[0])]
	for _, ena := range []uint32{d.PSPVersionsCap.V, 0} {
		if _, err := c.DevSet(ctx, &psp.Dev{ID: d.ID, PSPVersionsEna: ynl.Some(ena)}); err != nil {
			t.Fatalf("dev-set %d versions %#x: %v", d.ID.V, ena, err)
		}
		got, err := c.DevGet(ctx, &psp.Dev{ID: d.ID})
		if err != nil || got.PSPVersionsEna.V != ena {
			t.Errorf("dev-get after dev-set of versions %#x: %+v, %v", ena, got, err)
		}
	}
	if r, err := c.KeyRotate(ctx, &psp.Dev{ID: d.ID}); err != nil || r.ID != d.ID {
		t.Errorf("key-rotate %d = %+v, %v; want the device's ID back", d.ID.V, r, err)
	}

	// Refusals, with the errno and the kernel's extended ACK.
	var oe *netlink.OpError
	if _, err := c.DevGet(ctx, &psp.Dev{ID: ynl.Some(uint32(9999))}); !errors.Is(err, unix.ENODEV) || !errors.As(err, &oe) {
		t.Errorf("dev-get of no such device: %v; want ENODEV", err)
	}
	if bad := ^d.PSPVersionsCap.V; bad != 0 {
		_, err := c.DevSet(ctx, &psp.Dev{ID: d.ID, PSPVersionsEna: ynl.Some(bad)})
		if !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.ExtAck.Message == "" {
			t.Errorf("dev-set of versions %#x the device cannot do: %v; want EINVAL with the kernel's message", bad, err)
		}
	}
}
