//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
)

// The tests here make objects that differ only by what the typed values do
// not model (or barely), list them, delete or replace one as it was listed,
// and check with ip -j or bridge -j that exactly that one changed.

// TestDeleteRuleAsListed: rules at one priority that differ only by
// uidrange and ipproto list as different Rules, and deleting one as
// listed deletes that one; rules with a missing oif or goto target, which
// carry kernel-set flags, are deleted as listed.
func TestDeleteRuleAsListed(t *testing.T) {
	ns, c, _, _ := arNS(t, nil)
	ctx := context.Background()
	for _, fam := range []struct {
		flag   string
		family int
	}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
		ns.Run(t, fam.flag, "rule", "add", "prio", "100", "uidrange", "1000-2000", "lookup", "100")
		ns.Run(t, fam.flag, "rule", "add", "prio", "100", "ipproto", "tcp", "lookup", "100")
		var uid, proto rtnetlink.Rule
		n := 0
		for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Family: fam.family, Table: 100}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			if r.HasUIDRange {
				uid = r
			}
			if r.IPProto == unix.IPPROTO_TCP {
				proto = r
			}
		}
		if n != 2 || uid.Priority != 100 || proto.Priority != 100 || uid == proto {
			t.Fatalf("%s: %d rules, uidrange %+v, ipproto %+v: want both, told apart", fam.flag, n, uid, proto)
		}
		if err := c.DeleteRule(ctx, proto); err != nil {
			t.Fatal(err)
		}
		left := arJSON(t, ns, fam.flag, "rule", "show", "pref", "100")
		if len(left) != 1 || left[0]["uid_start"] == nil || left[0]["ipproto"] != nil {
			t.Errorf("%s: after deleting the ipproto rule, ip lists %v; want the uidrange rule alone", fam.flag, left)
		}
		if err := c.DeleteRule(ctx, uid); err != nil {
			t.Fatal(err)
		}
		if left := arJSON(t, ns, fam.flag, "rule", "show", "pref", "100"); len(left) != 0 {
			t.Errorf("%s: after deleting both, ip lists %v", fam.flag, left)
		}
	}

	ns.Run(t, "rule", "add", "prio", "110", "oif", "nosuch", "lookup", "100")
	ns.Run(t, "rule", "add", "prio", "111", "goto", "5000")
	for _, tc := range []struct {
		pref uint32
		flag rtnetlink.RuleFlags
	}{{110, rtnetlink.RuleOIFDetached}, {111, rtnetlink.RuleUnresolved}} {
		pref, flag := tc.pref, tc.flag
		var found bool
		for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Family: unix.AF_INET}) {
			if err != nil {
				t.Fatal(err)
			}
			if r.Priority != pref {
				continue
			}
			found = true
			if r.Flags&flag == 0 {
				t.Errorf("rule %d: flags %v, want %v", pref, r.Flags, flag)
			}
			if err := c.DeleteRule(ctx, r); err != nil {
				t.Errorf("deleting rule %+v as listed: %v", r, err)
			}
		}
		if !found {
			t.Errorf("rule %d not listed", pref)
		}
		if left := arJSON(t, ns, "rule", "show", "pref", fmt.Sprint(pref)); len(left) != 0 {
			t.Errorf("rule %d: ip still lists %v", pref, left)
		}
	}
}

// TestDeleteRouteAsListed: IPv4 routes that differ only by realm (of the
// route, or of a path of a multipath route), and IPv6
// routes that differ by link and metric, are deleted one at a time as
// listed.
func TestDeleteRouteAsListed(t *testing.T) {
	ns, c, v0, v1 := arRouteNS(t, nil)
	ctx := context.Background()
	if _, err := ns.Try("route", "add", "198.18.5.0/24", "dev", "v0", "realm", "5", "table", "100"); err != nil {
		t.Skipf("no realms in this kernel: %v", err)
	}
	ns.Run(t, "route", "append", "198.18.5.0/24", "dev", "v0", "realm", "6", "table", "100")
	var realm6 rtnetlink.Route
	n := 0
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: unix.AF_INET, Table: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if r.Realms == 6 {
			realm6 = r
		}
	}
	if n != 2 || !realm6.Dst.IsValid() {
		t.Fatalf("%d routes, the one of realm 6 %+v: want two, told apart", n, realm6)
	}
	if err := c.DeleteRoute(ctx, realm6); err != nil {
		t.Fatal(err)
	}
	left := arJSON(t, ns, "route", "show", "table", "100")
	if len(left) != 1 || arStr(left[0]["flow"].(map[string]any)["to"]) != "5" {
		t.Errorf("after deleting the route of realm 6, ip lists %v; want the one of realm 5", left)
	}

	// IPv6 has no realms, and refuses two routes to one destination
	// and metric: these differ by link and metric.
	// The same with the realm on a path of a multipath route.
	ns.Run(t, "route", "add", "198.18.6.0/24", "table", "101", "nexthop", "via", "10.0.0.2", "dev", "v0", "realm", "5", "nexthop", "via", "10.0.1.2", "dev", "v1")
	ns.Run(t, "route", "append", "198.18.6.0/24", "table", "101", "nexthop", "via", "10.0.0.2", "dev", "v0", "realm", "6", "nexthop", "via", "10.0.1.2", "dev", "v1")
	n = 0
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: unix.AF_INET, Table: 101}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if len(r.MultiPath) != 2 {
			t.Fatalf("route %+v: want two paths", r)
		}
		if r.MultiPath[0].Realms == 6 {
			if err := c.DeleteRoute(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	left = arJSON(t, ns, "route", "show", "table", "101")
	if n != 2 || len(left) != 1 || arStr(left[0]["nexthops"].([]any)[0].(map[string]any)["flow"].(map[string]any)["to"]) != "5" {
		t.Errorf("listed %d routes; after deleting the one with a path of realm 6, ip lists %v; want the one of realm 5", n, left)
	}

	ns.Run(t, "-6", "route", "add", "2001:db8:5::/64", "dev", "v0", "metric", "5", "table", "100")
	ns.Run(t, "-6", "route", "add", "2001:db8:5::/64", "dev", "v1", "metric", "6", "table", "100")
	n = 0
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: unix.AF_INET6, Table: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Dst != netip.MustParsePrefix("2001:db8:5::/64") {
			continue
		}
		n++
		if r.Index == v1 {
			if err := c.DeleteRoute(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	left = arJSON(t, ns, "-6", "route", "show", "table", "100", "2001:db8:5::/64")
	if n != 2 || len(left) != 1 || left[0]["dev"] != "v0" {
		t.Errorf("listed %d routes; after deleting the one through v1 (%d), ip lists %v; want the one through v0 (%d)", n, v1, left, v0)
	}
}

// TestDeleteAddressAsListed: one IPv4 address with two prefix lengths on a
// link, and one IPv6 address on two links, deleted one at a time as listed.
func TestDeleteAddressAsListed(t *testing.T) {
	ns, c, _, v1 := arNS(t, nil)
	ctx := context.Background()
	ns.Batch(t, []string{
		"addr add 198.18.0.1/24 dev v0", "addr add 198.18.0.1/25 dev v0",
		"addr add 2001:db8::1/64 dev v0 nodad", "addr add 2001:db8::1/64 dev v1 nodad",
	})
	for a, err := range c.Addresses(ctx, rtnetlink.AddressFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if a.Prefix == netip.MustParsePrefix("198.18.0.1/25") || a.Prefix == netip.MustParsePrefix("2001:db8::1/64") && a.Index == v1 {
			if err := c.DeleteAddress(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	var got []string
	for _, l := range arJSON(t, ns, "addr", "show") {
		for _, ai := range l["addr_info"].([]any) {
			a := ai.(map[string]any)
			if a["scope"] == "global" {
				got = append(got, l["ifname"].(string)+" "+a["local"].(string)+"/"+arStr(a["prefixlen"]))
			}
		}
	}
	if len(got) != 2 || got[0] != "v0 198.18.0.1/24" || got[1] != "v0 2001:db8::1/64" {
		t.Errorf("ip lists %q; want v0's 198.18.0.1/24 and 2001:db8::1/64 alone", got)
	}
}

// TestDeleteNeighborAsListed: a cache entry and a proxy entry for one
// address on one link, the proxy deleted as listed; an entry with no state
// ("nud none") and a managed one are added as ip adds them.
func TestDeleteNeighborAsListed(t *testing.T) {
	ns, c, v0, _ := arNS(t, nil)
	ctx := context.Background()
	ns.Run(t, "neigh", "add", "198.18.0.9", "lladdr", "02:00:00:00:00:09", "dev", "v0")
	ns.Run(t, "neigh", "add", "proxy", "198.18.0.9", "dev", "v0")
	n := 0
	for e, err := range c.Neighbors(ctx, rtnetlink.NeighborFilter{Proxy: true}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if err := c.DeleteNeighbor(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if proxies := arJSON(t, ns, "neigh", "show", "proxy"); n != 1 || len(proxies) != 0 {
		t.Errorf("listed %d proxy entries; after deleting, ip lists %v", n, proxies)
	}
	if left := arJSON(t, ns, "neigh", "show", "198.18.0.9", "dev", "v0"); len(left) != 1 {
		t.Errorf("the cache entry is gone too: ip lists %v", left)
	}

	if err := c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0, IP: netip.MustParseAddr("198.18.0.10")}); err != nil {
		t.Errorf("adding an entry with no state (nud none): %v", err)
	}
	if err := c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0, IP: netip.MustParseAddr("198.18.0.11"), Flags: rtnetlink.NeighManaged}); err != nil {
		t.Errorf("adding a managed entry: %v", err)
	}
	for ip, key := range map[string]string{"198.18.0.10": "", "198.18.0.11": "managed"} {
		got := arJSON(t, ns, "neigh", "show", "nud", "all", ip, "dev", "v0")
		if len(got) != 1 {
			t.Errorf("%s: ip lists %v, want one entry", ip, got)
		} else if _, ok := got[0][key]; key != "" && !ok {
			t.Errorf("%s: ip lists %v, want one entry (%s)", ip, got, key)
		} else {
			t.Logf("%s: %v", ip, got[0])
		}
	}
}

// TestDeleteFDBEntryAsListed: a VXLAN device's two remotes for one
// address, which differ only by port, deleted one as listed; a static
// entry (NeighNoARP) added as bridge fdb add ... static adds it.
func TestDeleteFDBEntryAsListed(t *testing.T) {
	ns, c, _, _ := arNS(t, nil)
	ctx := context.Background()
	ns.Run(t, "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "nolearning")
	l, err := c.LinkByName(ctx, "vx0")
	if err != nil {
		t.Fatal(err)
	}
	vx0 := l.Index
	remote := rtnetlink.FDBEntry{HardwareAddr: net.HardwareAddr{0, 0, 0, 0, 0, 0}, Index: vx0, Dst: netip.MustParseAddr("198.18.0.2")}
	if err := c.AddFDBEntry(ctx, remote); err != nil {
		t.Fatal(err)
	}
	// The second remote is added as bridge does.
	out, err := exec.Command("ip", "netns", "exec", ns.Name, "bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", "198.18.0.2", "port", "5000").CombinedOutput()
	if err != nil {
		t.Fatalf("bridge fdb append: %v: %s", err, out)
	}
	n := 0
	for e, err := range c.FDB(ctx, rtnetlink.FDBFilter{Index: vx0}) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Dst != netip.MustParseAddr("198.18.0.2") {
			continue
		}
		n++
		if e.Port == 5000 {
			if err := c.DeleteFDBEntry(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	left := bridgeJSON(t, ns, "fdb", "show", "dev", "vx0")
	if n != 2 || len(left) != 1 || left[0]["dst"] != "198.18.0.2" || left[0]["port"] != nil {
		t.Errorf("listed %d remotes; after deleting the one with a port, bridge lists %v; want the other", n, left)
	}

	static := rtnetlink.FDBEntry{HardwareAddr: net.HardwareAddr{2, 0, 0, 0, 0, 0x33}, Index: vx0, Dst: netip.MustParseAddr("198.18.0.3"), State: rtnetlink.NeighNoARP}
	if err := c.AddFDBEntry(ctx, static); err != nil {
		t.Fatalf("adding a static entry to a VXLAN device: %v", err)
	}
	for _, e := range bridgeJSON(t, ns, "fdb", "show", "dev", "vx0") {
		if e["mac"] == "02:00:00:00:00:33" {
			t.Logf("%v", e)
			if e["state"] != "static" {
				t.Errorf("bridge lists %v, want a static entry", e)
			}
		}
	}
}

// TestNextHopObjectsAsListed: a resilient group replaced as listed stays
// resilient (its type and parameters travel in GroupType and Resilient,
// what the kernel added that they do not model in Other); a weight of
// 65535 is taken and 65536 refused before sending.
func TestNextHopObjectsAsListed(t *testing.T) {
	ns, c, _, _ := arRouteNS(t, nil)
	ctx := context.Background()
	if _, err := ns.Try("nexthop", "add", "id", "1", "via", "10.0.0.2", "dev", "v0"); err != nil {
		t.Skipf("no nexthop objects: %v", err)
	}
	ns.Run(t, "nexthop", "add", "id", "2", "group", "1", "type", "resilient", "buckets", "8", "idle_timer", "60")
	nh, err := c.NextHopObject(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if nh.GroupType != rtnetlink.NextHopGroupResilient || nh.Resilient.Buckets != 8 || nh.Resilient.IdleTimer != time.Minute {
		t.Fatalf("group %+v: want a resilient group of 8 buckets, idle timer 60s", nh)
	}
	if _, err := c.ReplaceNextHopObject(ctx, nh); err != nil {
		t.Fatalf("replacing %+v as listed: %v", nh, err)
	}
	got := arJSON(t, ns, "nexthop", "show", "id", "2")
	if len(got) != 1 || got[0]["type"] != "resilient" {
		t.Errorf("after replacing, ip lists %v; want a resilient group", got)
	} else if args := got[0]["resilient_args"].(map[string]any); arStr(args["buckets"]) != "8" || arStr(args["idle_timer"]) != "60" {
		t.Errorf("after replacing, ip lists %v; want 8 buckets, idle timer 60", got)
	}

	heavy := rtnetlink.NextHopObject{ID: 3, Group: []rtnetlink.NextHopGroupMember{{ID: 1, Weight: 65535}}}
	if _, err := c.AddNextHopObject(ctx, heavy); err != nil {
		t.Errorf("weight 65535: %v", err)
	} else if got, err := c.NextHopObject(ctx, 3); err != nil || len(got.Group) != 1 || got.Group[0].Weight != 65535 {
		t.Errorf("listed %+v, %v; want weight 65535", got, err)
	} else {
		// ip before 6.12 prints the weight's low byte only (and
		// TestNextHopWeightsOracle compares more weights).
		t.Run("ip", func(t *testing.T) {
			ipns := ns.WithIP(nstest.NewerIP(t, "6.15"))
			if !kernelAtLeast(t, 6, 12) {
				t.Skip(ipWeightsSkip)
			}
			if got := ipNextHops(t, ipns); !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "id=3 gw= dev= blackhole=false group=1*65535 ") }) {
				t.Errorf("ip lists %q; want id 3 with weight 65535", got)
			}
		})
	}
	heavy.ID, heavy.Group[0].Weight = 4, 65536
	if _, err := c.AddNextHopObject(ctx, heavy); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("weight 65536: %v, want a check error", err)
	}
}

// TestChangeAsListedWithKernelFlags: a route through a link whose carrier
// is down carries the kernel's linkdown flag, and replacing and deleting it
// as listed works. (A nexthop object goes with its link's carrier.)
func TestChangeAsListedWithKernelFlags(t *testing.T) {
	ns, c, _, _ := arRouteNS(t, nil)
	ctx := context.Background()
	ns.Run(t, "route", "add", "198.18.8.0/24", "via", "10.0.1.2", "dev", "v1", "table", "102")
	ns.Run(t, "link", "set", "v0", "down") // v1 loses its carrier
	// The carrier change reaches the route through the kernel's linkwatch
	// work, after ip returns: wait until ip shows the flag.
	for deadline := time.Now().Add(2 * time.Minute); !arRouteFlagged(t, ns, "102", "linkdown"); {
		if time.Now().After(deadline) {
			t.Fatal("the route never showed linkdown after v0 went down")
		}
		time.Sleep(50 * time.Millisecond)
	}
	n := 0
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: unix.AF_INET, Table: 102}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if r.Flags&rtnetlink.NextHopLinkDown == 0 {
			t.Errorf("route %+v: want linkdown", r)
		}
		if err := c.ReplaceRoute(ctx, r); err != nil {
			t.Errorf("replacing %+v as listed: %v", r, err)
		}
		if err := c.DeleteRoute(ctx, r); err != nil {
			t.Errorf("deleting %+v as listed: %v", r, err)
		}
	}
	if left := arJSON(t, ns, "route", "show", "table", "102"); n != 1 || len(left) != 0 {
		t.Errorf("listed %d routes; after deleting, ip lists %v", n, left)
	}
}

// arRouteFlagged says whether every route ip lists in table shows flag.
func arRouteFlagged(t *testing.T, ns *nstest.NS, table, flag string) bool {
	t.Helper()
	routes := arJSON(t, ns, "route", "show", "table", table)
	for _, r := range routes {
		flags, _ := r["flags"].([]any)
		if !slices.Contains(flags, any(flag)) {
			return false
		}
	}
	return len(routes) > 0
}

// TestDeleteRuleAsListedKernelFlags: of two rules at one priority that
// differ only by a missing input link, a missing output link or a goto
// target with no rule, which carry the kernel's iif_detached, oif_detached
// and unresolved flags, deleting one as listed deletes that one; IPv4 and
// IPv6.
func TestDeleteRuleAsListedKernelFlags(t *testing.T) {
	ns, c, _, _ := arNS(t, nil)
	ctx := context.Background()
	for _, fam := range []struct {
		flag   string
		family int
	}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
		for _, tc := range []struct {
			pref       uint32
			key        string // ip's key for the field that differs
			keep, drop string // its value in the rule kept, the rule deleted
			action     string
			flag       rtnetlink.RuleFlags
		}{
			{120, "iif", "nosuch0", "nosuch1", "lookup 100", rtnetlink.RuleIIFDetached},
			{121, "oif", "nosuch0", "nosuch1", "lookup 100", rtnetlink.RuleOIFDetached},
			// The kernel takes two rules that differ by their goto
			// target alone as one (EEXIST): these differ by mark.
			{122, "fwmark", "0x1", "0x2", "goto 5000", rtnetlink.RuleUnresolved},
		} {
			pref := fmt.Sprint(tc.pref)
			for _, v := range []string{tc.keep, tc.drop} {
				ns.Run(t, append([]string{fam.flag, "rule", "add", "pref", pref, tc.key, v}, strings.Fields(tc.action)...)...)
			}
			n := 0
			for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Family: fam.family}) {
				if err != nil {
					t.Fatal(err)
				}
				if r.Priority != tc.pref {
					continue
				}
				n++
				if r.Flags&tc.flag == 0 {
					t.Errorf("%s rule %+v: flags %v, want %v", fam.flag, r, r.Flags, tc.flag)
				}
				if r.IIF == tc.drop || r.OIF == tc.drop || fmt.Sprintf("%#x", r.Mark) == tc.drop {
					if err := c.DeleteRule(ctx, r); err != nil {
						t.Errorf("%s: deleting %+v as listed: %v", fam.flag, r, err)
					}
				}
			}
			left := arJSON(t, ns, fam.flag, "rule", "show", "pref", pref)
			if n != 2 || len(left) != 1 || arStr(left[0][tc.key]) != tc.keep {
				t.Errorf("%s: listed %d rules of priority %s; after deleting the one with %s %s, ip lists %v; want the one with %s %s alone",
					fam.flag, n, pref, tc.key, tc.drop, left, tc.key, tc.keep)
			}
		}
	}
}

// TestDeleteRouteAsListedKernelFlags: routes that carry the kernel's flags
// (an IPv4 multipath route with a path through a link that is down, dead
// and linkdown; one with a path through a link without carrier, linkdown;
// an IPv6 route through a link without carrier, linkdown), each beside one
// that differs only by its metric: deleting one as listed deletes that one.
func TestDeleteRouteAsListedKernelFlags(t *testing.T) {
	ns, c, _, _ := arTestRangeNS(t)
	ctx := context.Background()
	ns.Batch(t, []string{
		"link add w0 type veth peer name w1", "link set w0 up", "link set w1 up",
		"link add x0 type veth peer name x1", "link set x0 up", "link set x1 up",
		"addr add 198.18.2.1/24 dev w0", "addr add 2001:db8:2::1/64 dev w0 nodad",
		"addr add 198.18.3.1/24 dev x0",
	})
	for _, metric := range []string{"5", "6"} {
		ns.Run(t, "route", "add", "198.19.1.0/24", "table", "102", "metric", metric, "nexthop", "via", "198.18.0.2", "dev", "v0", "nexthop", "via", "198.18.2.2", "dev", "w0")
		ns.Run(t, "route", "add", "198.19.2.0/24", "table", "102", "metric", metric, "nexthop", "via", "198.18.0.2", "dev", "v0", "nexthop", "via", "198.18.3.2", "dev", "x0")
		ns.Run(t, "-6", "route", "add", "2001:db8:20::/64", "table", "102", "metric", metric, "via", "2001:db8:2::2", "dev", "w0")
	}
	ns.Run(t, "link", "set", "x0", "down") // x0's paths are dead
	ns.Run(t, "link", "set", "w1", "down") // w0 loses its carrier
	// The carrier change reaches the routes through the kernel's linkwatch
	// work, after ip returns: wait until ip shows the flags.
	want := []struct {
		family int
		flag   string
		dst    string
		flags  rtnetlink.RouteFlags // of the route, or of its second path
	}{
		{unix.AF_INET, "-4", "198.19.1.0/24", rtnetlink.NextHopLinkDown},
		{unix.AF_INET, "-4", "198.19.2.0/24", rtnetlink.NextHopDead | rtnetlink.NextHopLinkDown},
		{unix.AF_INET6, "-6", "2001:db8:20::/64", rtnetlink.NextHopLinkDown},
	}
	flagged := func(r rtnetlink.Route, f rtnetlink.RouteFlags) bool {
		if len(r.MultiPath) == 2 {
			return r.MultiPath[1].Flags&f == f && r.MultiPath[0].Flags&(rtnetlink.NextHopDead|rtnetlink.NextHopLinkDown) == 0
		}
		return r.Flags&f == f
	}
	listed := func(family int, dst string) []rtnetlink.Route {
		var rs []rtnetlink.Route
		for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: family, Table: 102}) {
			if err != nil {
				t.Fatal(err)
			}
			if r.Dst.String() == dst {
				rs = append(rs, r)
			}
		}
		return rs
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		all := true
		for _, w := range want {
			for _, r := range listed(w.family, w.dst) {
				all = all && flagged(r, w.flags)
			}
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the routes never showed their flags after x0 went down and w0 lost its carrier")
		}
	}
	for _, w := range want {
		rs := listed(w.family, w.dst)
		for _, r := range rs {
			if r.Priority == 6 {
				if err := c.DeleteRoute(ctx, r); err != nil {
					t.Errorf("deleting %+v as listed: %v", r, err)
				}
			}
		}
		left := arJSON(t, ns, w.flag, "route", "show", "table", "102", w.dst)
		if len(rs) != 2 || len(left) != 1 || arStr(left[0]["metric"]) != "5" {
			t.Errorf("%s: listed %d routes (%+v); after deleting the one of metric 6, ip lists %v; want the one of metric 5 alone", w.dst, len(rs), rs, left)
		} else {
			t.Logf("%s: %v", w.dst, left)
		}
	}
}

// TestDeleteFDBEntryAsListedLocked: a bridge port that is locked, learns
// and has MAC authentication bypass (set through SetLinkPort, in Other)
// makes locked entries of the addresses it receives frames from; of two
// such, deleting one as listed deletes that one, and the package lists
// the entries bridge lists (which prints no locked flag in iproute2 6.1).
func TestDeleteFDBEntryAsListedLocked(t *testing.T) {
	ns, c, _, _ := arNS(t, nil)
	ctx := context.Background()
	ns.Batch(t, []string{
		"link add br0 type bridge", "link set br0 up",
		"link add p0 type veth peer name p1", "link set p0 master br0", "link set p0 up", "link set p1 up",
	})
	l, err := c.LinkByName(ctx, "p0")
	if err != nil {
		t.Fatal(err)
	}
	port, ok := l.Port.(*rtnetlink.BridgePort)
	if !ok {
		t.Fatalf("p0's port settings: %#v", l.Port)
	}
	var e netlink.AttrEncoder
	for a, err := range port.Other.All() {
		if err != nil {
			t.Fatal(err)
		}
		if a.Type != unix.IFLA_BRPORT_LOCKED && a.Type != unix.IFLA_BRPORT_MAB {
			e.Attr(a)
		}
	}
	e.Uint8(unix.IFLA_BRPORT_LOCKED, 1)
	e.Uint8(unix.IFLA_BRPORT_MAB, 1)
	other, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	port.Other, port.Learning = netlink.RawAttrs(other), true
	if err := c.SetLinkPort(ctx, l.Index, port); err != nil {
		t.Fatal(err)
	}
	if l, err = c.LinkByName(ctx, "p0"); err != nil {
		t.Fatal(err)
	}
	mab := false
	for a, err := range l.Port.(*rtnetlink.BridgePort).Other.All() {
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := a.Uint8(); a.Type == unix.IFLA_BRPORT_MAB && v == 1 {
			mab = true
		}
	}
	if !mab {
		t.Skip("this kernel has no MAC authentication bypass on bridge ports (IFLA_BRPORT_MAB, Linux 6.2)")
	}
	macs := []net.HardwareAddr{{2, 0, 0, 0, 0, 0xa1}, {2, 0, 0, 0, 0, 0xa2}}
	p1, err := c.LinkByName(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	locked := func() []rtnetlink.FDBEntry {
		var es []rtnetlink.FDBEntry
		for e, err := range c.FDB(ctx, rtnetlink.FDBFilter{Index: l.Index}) {
			if err != nil {
				t.Fatal(err)
			}
			if e.Flags&rtnetlink.NeighLocked != 0 {
				es = append(es, e)
			}
		}
		return es
	}
	// Frames from p1 reach the bridge on p0; the port drops them, and
	// makes a locked entry of each source address.
	for deadline := time.Now().Add(2 * time.Minute); len(locked()) < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no locked entries for %v: the FDB has %+v", macs, locked())
		}
		for _, mac := range macs {
			if err := sendFrame(ns, p1.Index, mac); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, e := range locked() {
		if e.HardwareAddr.String() == macs[1].String() {
			if err := c.DeleteFDBEntry(ctx, e); err != nil {
				t.Fatalf("deleting %+v as listed: %v", e, err)
			}
		}
	}
	var left []string
	for _, e := range locked() {
		left = append(left, e.HardwareAddr.String())
	}
	if !slices.Contains(left, macs[0].String()) || slices.Contains(left, macs[1].String()) {
		t.Errorf("after deleting %v's locked entry as listed, the locked entries are %q; want %v's still", macs[1], left, macs[0])
	}
	// bridge (iproute2 6.1) does not print the locked flag: the entries
	// the bridge learned, as it lists them.
	var ours, bridges []string
	for e, err := range c.FDB(ctx, rtnetlink.FDBFilter{Index: l.Index}) {
		if err != nil {
			t.Fatal(err)
		}
		if e.MasterIndex != 0 && e.State&rtnetlink.NeighPermanent == 0 {
			ours = append(ours, e.HardwareAddr.String())
		}
	}
	for _, e := range bridgeJSON(t, ns, "fdb", "show", "dev", "p0") {
		if e["master"] == "br0" && e["state"] != "permanent" {
			bridges = append(bridges, arStr(e["mac"]))
		}
	}
	arDiff(t, "learned entries after the delete", ours, bridges)
	if !slices.Contains(bridges, macs[0].String()) || slices.Contains(bridges, macs[1].String()) {
		t.Errorf("after deleting %v's locked entry as listed, bridge lists %q; want %v's still", macs[1], bridges, macs[0])
	}
}

// sendFrame sends an Ethernet broadcast frame from src out of the link
// index in ns, through a packet socket.
func sendFrame(ns *nstest.NS, index int, src net.HardwareAddr) error {
	return ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		frame := make([]byte, 60)
		copy(frame, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		copy(frame[6:], src)
		frame[12], frame[13] = 0x88, 0xb5 // IEEE 802 local experimental ethertype
		to := &unix.SockaddrLinklayer{Ifindex: index, Halen: 6}
		copy(to.Addr[:], frame[:6])
		return unix.Sendto(fd, frame, 0, to)
	})
}
