//go:build linux

package netdev

import (
	"context"
	"encoding/json"
	"flag"
	"strconv"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	handwritten "github.com/nlkit/netlink/genetlink/netdev"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/ynltest"
	"github.com/nlkit/netlink/internal/nstest"
)

var update = flag.Bool("update", false, "write the kernel's replies to testdata/fuzz as seeds")

// TestDevs dumps the devices of a namespace holding lo and a veth pair,
// compares their indexes with `ip -j link` and their features with the
// hand-written netdev package, and asks for each alone.
func TestDevs(t *testing.T) {
	ns := nstest.New(t)
	ns.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	c, err := New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	var links []struct{ Ifindex uint32 }
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "link", "show")), &links); err != nil {
		t.Fatal(err)
	}
	hw, err := handwritten.New(ctx, g)
	if err != nil {
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
		h, err := hw.Dev(ctx, int(l.Ifindex))
		if err != nil {
			t.Fatal(err)
		}
		if uint64(d.XDPFeatures.V) != uint64(h.XDPFeatures) || uint64(d.XSKFeatures.V) != h.XSKFeatures {
			t.Errorf("device %d: generated %v/%v, hand-written %v/%#x", l.Ifindex, d.XDPFeatures, d.XSKFeatures, h.XDPFeatures, h.XSKFeatures)
		}
		if *update {
			msgs, err := g.Execute(ctx, &c.Family, CmdDevGet, mustEncode(t, &Dev{Ifindex: ynl.Some(l.Ifindex)}))
			if err != nil {
				t.Fatal(err)
			}
			ynltest.WriteSeed(t, "FuzzRoundTrip", "dev-"+strconv.Itoa(int(l.Ifindex)), 0, msgs[0].Data[genetlink.HeaderLen:])
		}
	}
	// veth does XDP: its features say so by name.
	for _, d := range got {
		if d.Ifindex.V != 1 && d.XDPFeatures.V&XDPActBasic == 0 {
			t.Errorf("veth %d: xdp-features %v, want basic", d.Ifindex.V, d.XDPFeatures)
		}
	}

	// A device that does not exist is the kernel's error, named.
	if _, err := c.DevGet(ctx, &Dev{Ifindex: ynl.Some[uint32](1 << 30)}); err == nil {
		t.Error("DevGet of a device that does not exist succeeded")
	} else {
		t.Logf("DevGet of a missing device: %v", err)
	}
}

func mustEncode(t *testing.T, s ynl.Set) []byte {
	b, err := ynl.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
