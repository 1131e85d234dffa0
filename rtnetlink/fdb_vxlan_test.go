//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// fvNS makes a namespace with the links of arNS, a VXLAN device vx0 (VNI
// 42, port 4789, through v0) and one in external mode, vx1, and an FDB
// nexthop group (id 2, of the next hop 1), and returns vx0's and vx1's
// indexes beside arNS's values.
func fvNS(t *testing.T) (ns *nstest.NS, c *rtnetlink.Conn, v0, vx0, vx1 int) {
	t.Helper()
	ns, c, v0, _ = arNS(t, nil)
	ns.Batch(t, []string{
		"addr add 198.18.0.1/24 dev v0",
		"link add vx0 type vxlan id 42 dstport 4789 nolearning dev v0",
		"link add vx1 type vxlan external dstport 4790 nolearning",
		"link set vx0 up",
	})
	if _, err := ns.Try("nexthop", "add", "id", "1", "via", "198.18.0.6", "fdb"); err != nil {
		t.Skipf("no FDB nexthops here: %v", err)
	}
	ns.Run(t, "nexthop", "add", "id", "2", "group", "1", "fdb")
	for i, n := range arLinkNames(t, ns) {
		switch n {
		case "vx0":
			vx0 = i
		case "vx1":
			vx1 = i
		}
	}
	return ns, c, v0, vx0, vx1
}

// bridgeRun runs bridge with args in ns.
func bridgeRun(t testing.TB, ns *nstest.NS, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "bridge"}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("bridge %v: %v: %s", args, err, out)
	}
}

// TestFDBVXLANOracle adds VXLAN FDB entries with every field a remote
// has (port, VNI, source VNI, via link, nexthop id), flood lists made by
// appending remotes to the all-zeros address, and the states and flags
// bridge sends (static, dynamic, permanent, extern_learn, router, sticky),
// through the package and through bridge; and checks that the package
// lists what bridge -j fdb show lists, field by field, both ways.
func TestFDBVXLANOracle(t *testing.T) {
	ns, c, v0, vx0, vx1 := fvNS(t)
	ctx := context.Background()
	zero := net.HardwareAddr{0, 0, 0, 0, 0, 0}
	mac := func(b byte) net.HardwareAddr { return net.HardwareAddr{2, 0, 0, 0, 0, b} }
	ip := netip.MustParseAddr

	// Through the package: a flood list of remotes differing in one field
	// each, and entries of each state and flag.
	if err := c.AddFDBEntry(ctx, rtnetlink.FDBEntry{HardwareAddr: zero, Index: vx0, Dst: ip("198.18.0.2")}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddFDBEntry(ctx, rtnetlink.FDBEntry{HardwareAddr: zero, Index: vx0, Dst: ip("198.18.0.3")}); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding a second remote without appending: %v, want EEXIST", err)
	}
	for _, e := range []rtnetlink.FDBEntry{
		{HardwareAddr: zero, Index: vx0, Dst: ip("198.18.0.3")},
		{HardwareAddr: zero, Index: vx0, Dst: ip("198.18.0.3"), Port: 5000},
		{HardwareAddr: zero, Index: vx0, Dst: ip("198.18.0.3"), VNI: 100},
		{HardwareAddr: zero, Index: vx0, Dst: ip("198.18.0.3"), ViaIndex: v0},
		{HardwareAddr: zero, Index: vx0, Dst: ip("198.18.0.11"), Port: 6000, VNI: 101},
	} {
		if err := c.AppendFDBEntry(ctx, e); err != nil {
			t.Fatalf("append %+v: %v", e, err)
		}
	}
	// The kernel takes a remote appended twice, and lists it once.
	if err := c.AppendFDBEntry(ctx, rtnetlink.FDBEntry{HardwareAddr: zero, Index: vx0, Dst: ip("198.18.0.3"), Port: 5000}); err != nil {
		t.Errorf("appending a remote twice: %v", err)
	}
	for _, e := range []rtnetlink.FDBEntry{
		{HardwareAddr: mac(0x10), Index: vx0, Dst: ip("198.18.0.4"), State: rtnetlink.NeighNoARP},     // static
		{HardwareAddr: mac(0x11), Index: vx0, Dst: ip("198.18.0.4"), State: rtnetlink.NeighReachable}, // dynamic
		{HardwareAddr: mac(0x12), Index: vx0, Dst: ip("198.18.0.4"), State: rtnetlink.NeighPermanent},
		{HardwareAddr: mac(0x13), Index: vx0, Dst: ip("198.18.0.4"), Flags: rtnetlink.NeighExtLearned | rtnetlink.NeighRouter},
		{HardwareAddr: mac(0x14), Index: vx0, Dst: ip("198.18.0.4"), Flags: rtnetlink.NeighSticky},
		{HardwareAddr: mac(0x15), Index: vx0, NextHopID: 2},
		{HardwareAddr: mac(0x16), Index: vx1, Dst: ip("198.18.0.5"), SrcVNI: 300, VNI: 300},
		{HardwareAddr: mac(0x17), Index: vx1, NextHopID: 2, SrcVNI: 301},
	} {
		if err := c.AddFDBEntry(ctx, e); err != nil {
			t.Fatalf("add %+v: %v", e, err)
		}
	}

	// Through bridge, the same kinds of entries.
	for _, args := range []string{
		"fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.7",
		"fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.8 port 5001",
		"fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.8 vni 0",
		"fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.8 vni 102 via v0",
		"fdb add 02:00:00:00:00:20 dev vx0 dst 198.18.0.9 static",
		"fdb add 02:00:00:00:00:21 dev vx0 dst 198.18.0.9 dynamic",
		"fdb add 02:00:00:00:00:22 dev vx0 dst 198.18.0.9 permanent",
		"fdb add 02:00:00:00:00:23 dev vx0 dst 198.18.0.9 extern_learn router",
		"fdb add 02:00:00:00:00:24 dev vx0 dst 198.18.0.9 sticky",
		"fdb add 02:00:00:00:00:25 dev vx0 nhid 2 self",
		"fdb add 02:00:00:00:00:26 dev vx1 dst 198.18.0.10 src_vni 302 vni 302",
		"fdb add 02:00:00:00:00:27 dev vx1 nhid 2 src_vni 303",
	} {
		bridgeRun(t, ns, strings.Fields(args)...)
	}

	names := arLinkNames(t, ns)
	all := bridgeFDB(t, ns)
	arDiff(t, "fdb", ourFDBs(t, c, rtnetlink.FDBFilter{}, names), slices.Clone(all))
	for _, w := range []string{
		"00:00:00:00:00:00 dev=vx0 vlan= dst=198.18.0.2 master= state=permanent flags=self",
		"00:00:00:00:00:00 dev=vx0 vlan= dst=198.18.0.3 master= state=permanent flags=self",
		"00:00:00:00:00:00 dev=vx0 vlan= dst=198.18.0.3 master= state=permanent flags=self port=5000",
		"00:00:00:00:00:00 dev=vx0 vlan= dst=198.18.0.3 master= state=permanent flags=self vni=100",
		"00:00:00:00:00:00 dev=vx0 vlan= dst=198.18.0.3 master= state=permanent flags=self via=v0",
		"00:00:00:00:00:00 dev=vx0 vlan= dst=198.18.0.11 master= state=permanent flags=self port=6000 vni=101",
		"02:00:00:00:00:10 dev=vx0 vlan= dst=198.18.0.4 master= state=static flags=self",
		"02:00:00:00:00:11 dev=vx0 vlan= dst=198.18.0.4 master= state= flags=self",
		"02:00:00:00:00:12 dev=vx0 vlan= dst=198.18.0.4 master= state=permanent flags=self",
		"02:00:00:00:00:13 dev=vx0 vlan= dst=198.18.0.4 master= state=permanent flags=extern_learn,router,self",
		"02:00:00:00:00:14 dev=vx0 vlan= dst=198.18.0.4 master= state=permanent flags=self,sticky",
		"02:00:00:00:00:15 dev=vx0 vlan= dst= master= state=permanent flags=self nhid=2",
		"02:00:00:00:00:16 dev=vx1 vlan= dst=198.18.0.5 master= state=permanent flags=self vni=300 src_vni=300",
		"02:00:00:00:00:17 dev=vx1 vlan= dst= master= state=permanent flags=self src_vni=301 nhid=2",
		"00:00:00:00:00:00 dev=vx0 vlan= dst=198.18.0.8 master= state=permanent flags=self vni=0",
		"00:00:00:00:00:00 dev=vx0 vlan= dst=198.18.0.8 master= state=permanent flags=self vni=102 via=v0",
	} {
		if !slices.Contains(all, w) {
			t.Errorf("bridge does not list %s", w)
		}
	}

	// What bridge added, the package reads with the fields bridge was
	// given; and the entries bridge and the package sent alike list alike.
	want := map[string]rtnetlink.FDBEntry{
		"02:00:00:00:00:20": {State: rtnetlink.NeighNoARP | rtnetlink.NeighReachable, Dst: ip("198.18.0.9")},
		"02:00:00:00:00:21": {State: rtnetlink.NeighReachable, Dst: ip("198.18.0.9")},
		"02:00:00:00:00:22": {State: rtnetlink.NeighNoARP | rtnetlink.NeighPermanent, Dst: ip("198.18.0.9")},
		"02:00:00:00:00:26": {State: rtnetlink.NeighNoARP | rtnetlink.NeighPermanent, Dst: ip("198.18.0.10"), VNI: 302, SrcVNI: 302},
		"02:00:00:00:00:27": {State: rtnetlink.NeighNoARP | rtnetlink.NeighPermanent, NextHopID: 2, SrcVNI: 303},
	}
	seen := 0
	for e, err := range c.FDB(ctx, rtnetlink.FDBFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		w, ok := want[e.HardwareAddr.String()]
		if !ok {
			continue
		}
		seen++
		if e.State != w.State || e.Dst != w.Dst || e.VNI != w.VNI || e.SrcVNI != w.SrcVNI || e.NextHopID != w.NextHopID || e.Flags != rtnetlink.NeighSelf {
			t.Errorf("listed %+v, want %+v", e, w)
		}
	}
	if seen != len(want) {
		t.Errorf("listed %d of bridge's entries, want %d", seen, len(want))
	}
}

// TestDeleteFDBRemoteAsListed: remotes of a flood list that differ in one
// field each (port, VNI, an explicit VNI 0, via link, address) are
// deleted one at a time as listed, and bridge then lists exactly the
// others; so are entries of a device in external mode that differ by
// source VNI, a bridge's own entries and its port's, and a
// port's entries that differ by VLAN.
func TestDeleteFDBRemoteAsListed(t *testing.T) {
	ns, c, _, _, _ := fvNS(t)
	ns.Batch(t, []string{"link add br0 type bridge", "link set v1 master br0"})
	ctx := context.Background()
	for _, args := range []string{
		"fdb add 00:00:00:00:00:00 dev vx0 dst 198.18.0.3",
		"fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.3 port 5000",
		"fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.3 vni 100",
		"fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.3 vni 0",
		"fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.3 via v0",
		"fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.4",
		"fdb add 02:00:00:00:00:01 dev vx1 dst 198.18.0.5 src_vni 300",
		"fdb add 02:00:00:00:00:01 dev vx1 dst 198.18.0.5 src_vni 301",
		"fdb add 02:00:00:00:00:02 dev v1 master",
		"fdb add 02:00:00:00:00:03 dev v1 master static sticky",
		"fdb add 02:00:00:00:00:04 dev br0 self",
	} {
		bridgeRun(t, ns, strings.Fields(args)...)
	}
	if out, err := exec.Command("ip", "netns", "exec", ns.Name, "bridge", "vlan", "add", "vid", "10", "dev", "v1").CombinedOutput(); err != nil {
		t.Logf("no bridge VLANs here (CONFIG_BRIDGE_VLAN_FILTERING), entries differing by VLAN left out: %v: %s", err, out)
	} else {
		bridgeRun(t, ns, "vlan", "add", "vid", "11", "dev", "v1")
		bridgeRun(t, ns, "fdb", "add", "02:00:00:00:00:02", "dev", "v1", "master", "vlan", "10")
		bridgeRun(t, ns, "fdb", "add", "02:00:00:00:00:02", "dev", "v1", "master", "vlan", "11")
	}
	names := arLinkNames(t, ns)
	// The test's entries; not the multicast addresses the kernel adds to
	// the devices' own lists, which neither bridge nor a request deletes.
	ours := func() []string {
		return slices.DeleteFunc(bridgeFDB(t, ns), func(l string) bool { return strings.HasPrefix(l, "33:33:") || strings.HasPrefix(l, "01:00:5e:") })
	}
	before := ours()
	for len(before) > 0 {
		var victim *rtnetlink.FDBEntry
		for e, err := range c.FDB(ctx, rtnetlink.FDBFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			if line := ourFDB(e, names); line == before[0] {
				victim = &e
			}
		}
		if victim == nil {
			t.Fatalf("bridge lists %s, the package does not", before[0])
		}
		if err := c.DeleteFDBEntry(ctx, *victim); err != nil {
			t.Fatalf("deleting %s (%+v) as listed: %v", before[0], *victim, err)
		}
		after := ours()
		want := slices.Clone(before[1:])
		if victim.MasterIndex != 0 && victim.VLAN == 0 {
			// A bridge deletes an address given without a VLAN from
			// every VLAN of the port (br_fdb_delete), and takes no VLAN
			// 0 to say "only the entry without one": bridge fdb del
			// does the same.
			f := strings.Fields(before[0])
			want = slices.DeleteFunc(want, func(l string) bool {
				g := strings.Fields(l)
				return len(g) == len(f) && g[0] == f[0] && g[1] == f[1] && g[4] == f[4]
			})
		}
		arDiff(t, "after deleting "+before[0], after, want)
		if t.Failed() {
			return
		}
		before = after
	}
}

// TestFDBErrors checks the entries refused before sending, and one the
// kernel refuses.
func TestFDBErrors(t *testing.T) {
	_, c, v0, vx0, _ := fvNS(t)
	ctx := context.Background()
	zero := net.HardwareAddr{0, 0, 0, 0, 0, 0}
	ip := netip.MustParseAddr("198.18.0.3")
	for _, e := range []rtnetlink.FDBEntry{
		{HardwareAddr: zero, Index: vx0, Dst: ip, VNI: 1 << 24},
		{HardwareAddr: zero, Index: vx0, Dst: ip, SrcVNI: 1 << 24},
		{HardwareAddr: zero, Index: vx0, Dst: ip, ViaIndex: -1},
		{HardwareAddr: zero, Index: vx0, Dst: ip, NextHopID: 2},
		{HardwareAddr: zero, Index: vx0, Port: 5, NextHopID: 2},
		{HardwareAddr: zero, Index: vx0, ViaIndex: v0, NextHopID: 2},
		{HardwareAddr: zero, Index: vx0, Flags: 1 << 20},
	} {
		err := c.AddFDBEntry(ctx, e)
		var oe *netlink.OpError
		if !errors.Is(err, os.ErrInvalid) || !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.Op != "check" || oe.Request != unix.RTM_NEWNEIGH {
			t.Errorf("AddFDBEntry(%+v) = %v, want a check error of RTM_NEWNEIGH", e, err)
		}
	}
	err := c.AddFDBEntry(ctx, rtnetlink.FDBEntry{HardwareAddr: zero, Index: vx0, NextHopID: 99})
	if !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) || errors.Is(err, os.ErrInvalid) {
		t.Errorf("an entry for a missing nexthop: %v, want the kernel's refusal", err)
	} else {
		t.Logf("missing nexthop: %v", err)
	}
}
