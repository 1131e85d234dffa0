//go:build linux

package rtnetlink_test

import (
	"context"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// TestVRFMatchesIP checks a VRF's routing through the package and ip,
// both ways: the l3mdev rules the kernel adds with the first VRF, deleted
// and added again through Rules/AddRule/DeleteRule and by ip rule (and a
// rule to the VRF's table), compared with ip -j rule show; routes in the
// VRF's table added by AddRoute and by ip route add (table N, vrf NAME),
// compared with ip -j route show table N; a port made the VRF's by ip
// and read by Links, one made its by SetLinkMaster and read by ip, then
// removed; and a port of the VRF as listed, created again.
func TestVRFMatchesIP(t *testing.T) {
	ctx := context.Background()
	ns, c, v0, v1 := arNS(t, nil)
	const table = 1001
	if rules := ourRules(t, c, rtnetlink.RuleFilter{}); slices.ContainsFunc(rules, func(r string) bool { return strings.Contains(r, "l3mdev") }) {
		t.Fatalf("an l3mdev rule before the first VRF: %q", rules)
	}
	vrf, err := c.CreateLink(ctx, rtnetlink.Link{Name: "vrf0", Data: &rtnetlink.VRF{Table: table}})
	lacksKind(t, "vrf", err)
	if err != nil {
		t.Fatal(err)
	}
	// As arNS does for v0 and v1: duplicate address detection of the
	// VRF's link-local address stays where it is, so that ip's listing
	// and ours agree.
	if out, err := exec.Command("ip", "netns", "exec", ns.Name, "sysctl", "-qw",
		"net.ipv6.neigh.vrf0.retrans_time_ms=3600000").CombinedOutput(); err != nil {
		t.Fatalf("sysctl: %v: %s", err, out)
	}
	if err := c.SetLinkUp(ctx, vrf.Index); err != nil {
		t.Fatal(err)
	}

	// The kernel's l3mdev rules, one a family, at 1000.
	kernelRules := map[int]rtnetlink.Rule{}
	for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.L3MDev {
			kernelRules[r.Family] = r
		}
	}
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6} {
		if r, ok := kernelRules[fam]; !ok || r.Priority != 1000 || r.Action != rtnetlink.RuleToTable {
			t.Errorf("family %d: the kernel's l3mdev rule is %+v (listed: %v)", fam, r, ok)
		}
	}
	ruCompare(t, ns, c)
	// Deleted as listed and added again by us, its IPv4 one; rules to
	// the VRF's table by l3mdev and by table, added by ip and by us.
	if err := c.DeleteRule(ctx, kernelRules[unix.AF_INET]); err != nil {
		t.Fatal(err)
	}
	if out := ns.Run(t, "-4", "rule", "show"); strings.Contains(out, "l3mdev") {
		t.Errorf("ip still lists the IPv4 l3mdev rule after DeleteRule:\n%s", out)
	}
	for _, r := range []rtnetlink.Rule{
		{Family: unix.AF_INET, Priority: 1000, L3MDev: true},
		{Family: unix.AF_INET6, Priority: 1500, IIF: "vrf0", Table: table},
		{Family: unix.AF_INET, Priority: 1500, OIF: "vrf0", Table: table, Protocol: rtnetlink.ProtoStatic},
	} {
		if err := c.AddRule(ctx, r); err != nil {
			t.Fatalf("AddRule %+v: %v", r, err)
		}
	}
	ns.Run(t, "-6", "rule", "add", "pref", "2000", "l3mdev")
	ns.Batch(t, []string{"rule add pref 2000 l3mdev unreachable", "rule add pref 2001 iif vrf0 lookup 1001"})
	ipRules := ruCompare(t, ns, c)
	for _, want := range [][]string{
		{"-4 pref=1000 ", "action=lookup table= ", " l3mdev"},
		{"-4 pref=1500 ", "oif=vrf0 ", "action=lookup table=1001 ", "proto=static "},
		{"-6 pref=1500 ", "iif=vrf0 ", "action=lookup table=1001 "},
		{"-6 pref=2000 ", "action=lookup table= ", " l3mdev"},
		{"-4 pref=2000 ", "action=unreachable ", " l3mdev"},
		{"-4 pref=2001 ", "iif=vrf0 ", "action=lookup table=1001 "},
	} {
		if !slices.ContainsFunc(ipRules, func(l string) bool {
			return !slices.ContainsFunc(want, func(w string) bool { return !strings.Contains(l, w) })
		}) {
			t.Errorf("ip lists no rule with %q: %q", want, ipRules)
		}
	}

	// v0 made the VRF's port by ip, v1 by us.
	ns.Run(t, "link", "set", "v0", "master", "vrf0")
	if err := c.SetLinkMaster(ctx, v1, vrf.Index); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name  string
		index int
	}{{"v0", v0}, {"v1", v1}} {
		l, err := c.Link(ctx, p.index)
		if err != nil {
			t.Fatal(err)
		}
		ip := ipShow(t, ns, p.name)
		if vp, ok := l.Port.(*rtnetlink.VRFPort); !ok || vp.Table != table || l.MasterIndex != vrf.Index {
			t.Errorf("%s: master %d, port %+v; want %d, VRFPort{Table: %d}", p.name, l.MasterIndex, l.Port, vrf.Index, table)
		}
		if ip.Master != "vrf0" {
			t.Errorf("%s: ip says master %q", p.name, ip.Master)
		}
		if diffs := comparePort(ip, l); len(diffs) > 0 {
			t.Error(strings.Join(diffs, "\n"))
		}
	}
	// Taken out of the VRF by us: ip shows no master.
	if err := c.SetLinkMaster(ctx, v1, 0); err != nil {
		t.Fatal(err)
	}
	if ip := ipShow(t, ns, "v1"); ip.Master != "" || ip.LinkInfo.SlaveKind != "" {
		t.Errorf("v1 after SetLinkMaster 0: ip says master %q, a %q port", ip.Master, ip.LinkInfo.SlaveKind)
	}
	if l, err := c.Link(ctx, v1); err != nil || l.MasterIndex != 0 || l.Port != nil {
		t.Errorf("v1 after SetLinkMaster 0: master %d, port %+v, %v", l.MasterIndex, l.Port, err)
	}

	// Routes in the VRF's table: v0's connected ones, ours, ip's.
	ns.Batch(t, []string{"addr add 198.18.7.1/24 dev v0", "addr add 2001:db8:7::1/64 dev v0 nodad"})
	// The kernel adds an IPv6 address's local route, here to the VRF's
	// table, from its address-configuration work queue, after ip addr
	// add returns; and v0's link-local prefix route, when it sees the
	// link up again after making it the VRF's port (the VRF takes its
	// port down and up), from the link-watch work.
	waitRoute(t, ns, "-6", "table", "1001", "exact", "2001:db8:7::1")
	waitRoute(t, ns, "-6", "table", "1001", "exact", "fe80::/64", "dev", "v0")
	pfx, addr := netip.MustParsePrefix, netip.MustParseAddr
	ours := []rtnetlink.Route{
		{Dst: pfx("198.18.8.0/24"), Gateway: addr("198.18.7.2"), Index: v0, Table: table},
		{Dst: pfx("2001:db8:8::/48"), Gateway: addr("2001:db8:7::2"), Index: v0, Table: table, Priority: 10},
		{Dst: pfx("198.18.10.0/24"), Type: rtnetlink.RouteUnreachable, Table: table},
	}
	for _, r := range ours {
		if err := c.AddRoute(ctx, r); err != nil {
			t.Fatalf("AddRoute %+v: %v", r, err)
		}
	}
	ns.Batch(t, []string{
		"route add 198.18.9.0/24 dev v0 table 1001",
		"route add vrf vrf0 2001:db8:9::/48 via 2001:db8:7::3 dev v0",
		"route add vrf vrf0 unreachable default metric 4278198272",
		"route add vrf vrf0 unreachable ::/0 metric 4278198272",
	})
	arCompareRoutes(t, ns, c)
	names := arLinkNames(t, ns)
	for _, fam := range []struct {
		ip     string
		family int
	}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
		ip := ipTableRoutes(t, ns, fam.ip, "1001")
		arDiff(t, "table 1001 "+fam.ip, ourRoutes(t, c, rtnetlink.RouteFilter{Family: fam.family, Table: table}, names), slices.Clone(ip))
		for _, want := range []string{"198.18.7.0/24", "198.18.8.0/24", "198.18.9.0/24", "198.18.10.0/24", "0.0.0.0/0",
			"2001:db8:7::/64", "2001:db8:8::/48", "2001:db8:9::/48", "::/0"} {
			if (fam.ip == "-6") == strings.Contains(want, ":") && !slices.ContainsFunc(ip, func(l string) bool { return strings.HasPrefix(l, want+" ") }) {
				t.Errorf("ip lists no route to %s in table 1001: %q", want, ip)
			}
		}
	}
	// What we added, ip reads as we listed it; what ip added, we delete.
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Table: table}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Dst == pfx("198.18.9.0/24") || r.Dst == pfx("2001:db8:9::/48") {
			if err := c.DeleteRoute(ctx, r); err != nil {
				t.Fatalf("DeleteRoute %+v: %v", r, err)
			}
		}
	}
	for _, fam := range []string{"-4", "-6"} {
		if out := ns.Run(t, fam, "route", "show", "table", "1001"); strings.Contains(out, "198.18.9.0/24") || strings.Contains(out, "2001:db8:9::/48") {
			t.Errorf("ip still lists a route DeleteRoute deleted:\n%s", out)
		}
	}
	arCompareRoutes(t, ns, c)

	// A port of the VRF, as listed, created again with its master.
	ns.Batch(t, []string{"link add d0 type dummy", "link set d0 master vrf0"})
	recreateListed(t, ns, c, "d0")
}

// waitRoute waits, for up to a minute, until ip route show with args
// (family first) lists a route, as ns.WaitLocal does for the local table.
func waitRoute(t *testing.T, ns *nstest.NS, args ...string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	show := append([]string{args[0], "route", "show"}, args[1:]...)
	for {
		out, err := ns.Try(show...)
		if err == nil && strings.TrimSpace(out) != "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("ip %s lists nothing after a minute: %s %v", strings.Join(show, " "), out, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
