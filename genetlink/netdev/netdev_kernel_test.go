//go:build linux

package netdev_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/netdev"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "rewrite testdata/ with the kernel's replies")

// TestDevs lists the devices of a namespace holding lo and a veth pair,
// compares their indexes with `ip -j link`, asks for each alone, and checks
// the XDP features the kernel's veth driver always has.
func TestDevs(t *testing.T) {
	ns := nstest.New(t)
	ns.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	c, err := netdev.New(ctx, g)
	if errors.Is(err, unix.ENOENT) && !vmtest.KernelAtLeast(t, 6, 3) {
		t.Skipf("this kernel has no netdev family (Linux 6.3): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}

	var links []struct {
		Ifindex int
		Ifname  string
	}
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "link", "show")), &links); err != nil {
		t.Fatal(err)
	}
	names := map[int]string{}
	for _, l := range links {
		names[l.Ifindex] = l.Ifname
	}

	got := map[int]netdev.Dev{}
	var raw []byte
	for m, err := range g.Dump(ctx, &c.Family, 1, nil) {
		if err != nil {
			t.Fatal(err)
		}
		raw = netlink.AppendMessage(raw, m.Header, m.Data)
	}
	for d, err := range c.Devs(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got[d.Index] = d
	}
	if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(names))) {
		t.Fatalf("devices %v; ip link shows %v", got, names)
	}
	for idx, d := range got {
		one, err := c.Dev(ctx, idx)
		if err != nil {
			t.Fatal(err)
		}
		if one != d {
			t.Errorf("Dev(%d) = %+v; the dump says %+v", idx, one, d)
		}
		want := netdev.XDPAct(0)
		if strings.HasPrefix(names[idx], "v") {
			want = netdev.XDPBasic | netdev.XDPRedirect
		}
		if d.XDPFeatures&want != want {
			t.Errorf("%s: XDP features %v, want %v", names[idx], d.XDPFeatures, want)
		}
		t.Logf("%s: %+v (%v)", names[idx], d, d.XDPFeatures)
	}
	if *update {
		if err := os.WriteFile("testdata/dev_dump.bin", raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	_, err = c.Dev(ctx, 999)
	if !errors.Is(err, unix.ENODEV) || !strings.Contains(err.Error(), "netdev DEV_GET") {
		t.Errorf("Dev(999): %v, want ENODEV naming netdev DEV_GET", err)
	}
	t.Log(err)
}
