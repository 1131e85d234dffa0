//go:build linux

package netdev

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/ynltest"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
)

var update = flag.Bool("update", false, "write the kernel's replies to testdata/fuzz as seeds")

// TestDevs dumps the devices of a namespace holding lo and a veth pair,
// compares their indexes with `ip -j link`, checks the XDP features veth
// and lo have, and asks for each alone.
func TestDevs(t *testing.T) {
	ns := nstest.New(t)
	ns.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	c := newClient(t, g)
	var links []struct{ Ifindex uint32 }
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "link", "show")), &links); err != nil {
		t.Fatal(err)
	}

	got := map[uint32]Dev{}
	for d, err := range c.DevGetDump(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got[d.Ifindex.V] = d
	}
	if len(got) != len(links) {
		t.Errorf("dump has %d devices, ip link %d", len(got), len(links))
	}
	for _, l := range links {
		d, ok := got[l.Ifindex]
		if !ok {
			t.Errorf("device %d is not in the dump", l.Ifindex)
			continue
		}
		one, err := c.DevGet(ctx, &Dev{Ifindex: ynl.Some(l.Ifindex)})
		if err != nil {
			t.Fatal(err)
		}
		if one.Ifindex != d.Ifindex || one.XDPFeatures != d.XDPFeatures || one.XSKFeatures != d.XSKFeatures {
			t.Errorf("device %d: do %+v, dump %+v", l.Ifindex, one, d)
		}
		if *update {
			msgs, err := g.Execute(ctx, &c.Family, CmdDevGet, mustEncode(t, &Dev{Ifindex: ynl.Some(l.Ifindex)}))
			if err != nil {
				t.Fatal(err)
			}
			ynltest.WriteSeed(t, "FuzzRoundTrip", "dev-"+strconv.Itoa(int(l.Ifindex)), 0, msgs[0].Data[genetlink.HeaderLen:])
		}
	}
	// veth does XDP (basic and redirect, whatever else it does); lo does
	// none.
	for _, d := range got {
		want := XDPActBasic | XDPActRedirect
		if d.Ifindex.V == 1 {
			want = 0
		}
		if d.XDPFeatures.V&want != want || (want == 0 && d.XDPFeatures.V != 0) {
			t.Errorf("device %d: xdp-features %v, want %v", d.Ifindex.V, d.XDPFeatures, want)
		}
	}

	// A device that does not exist is the kernel's error, named.
	if _, err := c.DevGet(ctx, &Dev{Ifindex: ynl.Some[uint32](1 << 30)}); err == nil {
		t.Error("DevGet of a device that does not exist succeeded")
	} else {
		t.Logf("DevGet of a missing device: %v", err)
	}
}

// newClient returns a Client on g, or skips t on a kernel older than the
// netdev family (Linux 6.3; the VM matrix's 6.1 has none).
func newClient(t *testing.T, g *genetlink.Conn) *Client {
	t.Helper()
	c, err := New(context.Background(), g)
	if errors.Is(err, syscall.ENOENT) && !vmtest.KernelAtLeast(t, 6, 3) {
		t.Skipf("this kernel has no netdev family (Linux 6.3): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustEncode(t *testing.T, s ynl.Set) []byte {
	b, err := ynl.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNotifications joins the mgmt group by name, adds a veth pair with
// ip, and decodes the dev-add-ntf notifications with ynl.Parse: they name
// the devices ip made.
func TestNotifications(t *testing.T) {
	ns := nstest.New(t)
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang guard
	defer cancel()
	c := newClient(t, g)
	id, err := c.JoinGroup(GroupMgmt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.JoinGroup("nosuch"); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("JoinGroup(nosuch): %v, want ENOENT", err)
	}
	ns.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	var links []struct{ Ifindex uint32 }
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "link", "show", "type", "veth")), &links); err != nil {
		t.Fatal(err)
	}
	want := map[uint32]bool{}
	for _, l := range links {
		want[l.Ifindex] = true
	}
	for len(want) > 0 {
		d, err := g.NL.ReceiveDatagram(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for m, err := range d.Messages() {
			if err != nil {
				t.Fatal(err)
			}
			h, err := genetlink.ParseHeader(m.Data)
			if err != nil {
				t.Fatal(err)
			}
			if h.Command != CmdDevAddNtf {
				continue
			}
			dev, err := ynl.Parse[Dev](m)
			if err != nil {
				t.Fatal(err)
			}
			if d.Group != id {
				t.Errorf("dev-add-ntf to group %d, want %d", d.Group, id)
			}
			delete(want, dev.Ifindex.V)
		}
	}
}
