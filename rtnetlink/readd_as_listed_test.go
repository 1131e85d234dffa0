//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
)

// raLines returns what args (an ip or bridge -j -d listing) prints, one
// JSON line per object, sorted, without the keys in drop (what moves on
// its own: the kernel's timers and counters).
func raLines(t *testing.T, ns *nstest.NS, tool string, args []string, drop ...string) []string {
	t.Helper()
	cmd := append([]string{"netns", "exec", ns.Name, tool, "-j", "-d"}, args...)
	out, err := exec.Command("ip", cmd...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v: %s", tool, args, err, out)
	}
	var objs []map[string]any
	if err := json.Unmarshal(out, &objs); err != nil {
		t.Fatalf("%s -j %v: %v: %s", tool, args, err, out)
	}
	var lines []string
	for _, o := range objs {
		for _, k := range drop {
			delete(o, k)
		}
		b, _ := json.Marshal(o)
		lines = append(lines, string(b))
	}
	slices.Sort(lines)
	return lines
}

// TestReAddAsListed: rules, routes (both families, multipath), addresses,
// neighbours and FDB entries made by ip and bridge with the fields the
// package models and some it keeps in Other, listed, deleted as listed and
// added again from their listings, are what they were: ip -j -d (and
// bridge -j -d) lists them as before. Each kind in a namespace of its
// own: the rules would route the others' checks elsewhere.
func TestReAddAsListed(t *testing.T) {
	ctx := context.Background()

	t.Run("rules", func(t *testing.T) {
		ns, c, _, _ := arRouteNS(t, nil)
		lines := []string{
			"rule add pref 100 uidrange 1000-2000 lookup 100",
			"rule add pref 100 ipproto tcp sport 1000-2000 dport 80 lookup 100",
			"rule add pref 101 from 198.18.0.0/16 to 198.19.0.0/24 fwmark 0x10/0xff tos 8 lookup 101 proto static",
			"rule add pref 102 not iif v0 oif v1 realms 3/4 lookup main suppress_prefixlength 0 suppress_ifgroup 7",
			"rule add pref 103 tun_id 77 goto 104",
			"rule add pref 104 l3mdev",
			"rule add pref 105 oif nosuch lookup 100",
			"rule add pref 106 goto 5000",
			"rule add pref 107 fwmark 7 blackhole",
			"rule add pref 0 from 198.18.0.0/16 lookup 100", // not the kernel's choice, which a request without a priority gets
			"-6 rule add pref 100 from 2001:db8::/32 ipproto udp dport 53 lookup 100",
			"-6 rule add pref 101 not uidrange 5-6 unreachable",
			"-6 rule add pref 0 from 2001:db8:1::/48 lookup 100",
		}
		for _, l := range lines {
			ns.Run(t, strings.Fields(l)...)
		}
		for _, fam := range []struct {
			flag   string
			family int
		}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
			show := func() []string { return raLines(t, ns, "ip", []string{fam.flag, "rule", "show"}) }
			before := show()
			var listed []rtnetlink.Rule
			for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{Family: fam.family}) {
				if err != nil {
					t.Fatal(err)
				}
				if r.Priority >= 100 && r.Priority < 200 || r.Priority == 0 && r.Table == 100 {
					listed = append(listed, r)
				}
			}
			reAdd(t, "rules "+fam.flag, show, before, listed,
				func(r rtnetlink.Rule) error { return c.DeleteRule(ctx, r) },
				func(r rtnetlink.Rule) error { return c.AddRule(ctx, r) },
				leaving(t, fam.flag+" rules", len(before)-len(listed)))
		}
	})

	t.Run("routes", func(t *testing.T) {
		ns, c, _, _ := arRouteNS(t, nil)
		lines := []string{
			"route add 198.18.1.0/24 via 10.0.0.2 dev v0 realm 5 table 100 proto static metric 7 mtu 1400 advmss 1300",
			"route add 198.18.2.0/24 table 100 nexthop via 10.0.0.2 dev v0 weight 2 realm 6 encap ip id 3 dst 198.18.0.9 nexthop via 10.0.1.2 dev v1",
			"route add 198.18.3.0/24 dev v0 scope link src 10.0.0.1 table 100 tos 8",
			"route add blackhole 198.18.4.0/24 table 100",
			"route add unreachable 198.18.5.0/24 table 100 metric 9",
			"route add 198.18.6.0/24 encap ip id 9 dst 198.18.0.7 ttl 3 key dev v0 table 100",
			"route add 198.18.8.0/24 via 198.18.100.1 dev v0 onlink table 100",
			"route add 198.18.7.0/24 via 10.0.0.2 dev v0 table 100 congctl reno initcwnd 10 quickack 1",
			// Scope 0 (global) and protocol 0 (unspec), which a request
			// without them would not get: a route through a link alone
			// gets scope link, and a route with no protocol boot.
			"route add 198.18.9.0/24 dev v0 scope global proto 0 table 100",
			"route add 198.18.10.0/24 dev v0 scope global proto static table 100",
			"route add 198.18.11.0/24 via 10.0.0.2 dev v0 proto 0 table 100",
			"route add local 198.18.12.1 dev v0 proto 0 table 100",
			"-6 route add 2001:db8:5::/64 via 2001:db8::2 dev v0 table 100 pref high metric 5",
			"-6 route add 2001:db8:6::/64 table 100 nexthop via 2001:db8::2 dev v0 weight 3 nexthop via 2001:db8:1::2 dev v1",
			"-6 route add prohibit 2001:db8:7::/64 table 100",
			"-6 route add 2001:db8:8::/64 encap ip6 id 4 dst 2001:db8::9 hoplimit 5 dev v0 table 100",
		}
		for _, l := range lines {
			ns.Run(t, strings.Fields(l)...)
		}
		for _, fam := range []struct {
			flag   string
			family int
		}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
			show := func() []string { return raLines(t, ns, "ip", []string{fam.flag, "route", "show", "table", "100"}) }
			before := show()
			var listed []rtnetlink.Route
			for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: fam.family, Table: 100}) {
				if err != nil {
					t.Fatal(err)
				}
				listed = append(listed, r)
			}
			if len(listed) == 0 || len(listed) != len(before) {
				t.Fatalf("%s: listed %d routes, ip %d", fam.flag, len(listed), len(before))
			}
			reAdd(t, "routes "+fam.flag, show, before, listed,
				func(r rtnetlink.Route) error { return c.DeleteRoute(ctx, r) },
				func(r rtnetlink.Route) error { return c.AddRoute(ctx, r) },
				leaving(t, fam.flag+" routes", 0))
		}
	})

	t.Run("addresses", func(t *testing.T) {
		ns, c, _, _ := arRouteNS(t, nil)
		lines := []string{
			"addr add 198.18.9.1/24 brd 198.18.9.127 label v0:lab dev v0 scope link noprefixroute",
			"addr add 198.18.9.2/32 peer 198.18.9.3/32 dev v0",
			"addr add 198.18.9.4/24 dev v1 metric 50",
			"addr add 2001:db8:9::1/64 dev v0 nodad noprefixroute",
			"addr add 2001:db8:9::2/64 dev v1 nodad mngtmpaddr",
			"addr add 2001:db8:9::3/128 dev v1 nodad home",
		}
		for _, l := range lines {
			ns.Run(t, strings.Fields(l)...)
		}
		// The test's addresses: those of 198.18.9.0/24 and 2001:db8:9::/64.
		ours := func(p netip.Prefix) bool {
			return netip.MustParsePrefix("198.18.9.0/24").Contains(p.Addr()) || netip.MustParsePrefix("2001:db8:9::/64").Contains(p.Addr())
		}
		show := func() []string {
			var out []string
			for _, l := range raLines(t, ns, "ip", []string{"addr", "show"}) {
				var link map[string]any
				json.Unmarshal([]byte(l), &link)
				for _, a := range link["addr_info"].([]any) {
					ai := a.(map[string]any)
					if ours(netip.MustParsePrefix(arStr(ai["local"]) + "/" + arStr(ai["prefixlen"]))) {
						b, _ := json.Marshal(ai)
						out = append(out, arStr(link["ifname"])+" "+string(b))
					}
				}
			}
			slices.Sort(out)
			return out
		}
		before := show()
		var listed []rtnetlink.Address
		for a, err := range c.Addresses(ctx, rtnetlink.AddressFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			if ours(a.Prefix) {
				listed = append(listed, a)
			}
		}
		if len(listed) != len(lines) || len(before) != len(lines) {
			t.Fatalf("listed %d addresses, ip %d, want %d", len(listed), len(before), len(lines))
		}
		reAdd(t, "addresses", show, before, listed,
			func(a rtnetlink.Address) error { return c.DeleteAddress(ctx, a) },
			func(a rtnetlink.Address) error { return c.AddAddress(ctx, a) },
			leaving(t, "addresses", 0))
	})

	t.Run("neighbours", func(t *testing.T) {
		ns, c, _, _ := arRouteNS(t, nil)
		lines := []string{
			"neigh add 10.0.0.20 lladdr 02:00:00:00:00:20 dev v0",
			"neigh add 10.0.0.21 lladdr 02:00:00:00:00:21 dev v0 nud noarp",
			"neigh add 10.0.0.22 lladdr 02:00:00:00:00:22 dev v0 nud stale extern_learn",
			"neigh add 10.0.0.23 dev v0 nud none",
			"neigh add 2001:db8::20 lladdr 02:00:00:00:00:20 dev v0 router",
			"neigh add 2001:db8::21 lladdr 02:00:00:00:00:21 dev v0 nud noarp router extern_learn protocol static",
			"neigh add proxy 10.0.0.24 dev v0",
			"neigh add proxy 2001:db8::24 dev v1 router",
		}
		for _, l := range lines {
			ns.Run(t, strings.Fields(l)...)
		}
		ours := func(ip netip.Addr) bool {
			return netip.MustParsePrefix("10.0.0.16/28").Contains(ip) || netip.MustParsePrefix("2001:db8::20/124").Contains(ip)
		}
		show := func() []string {
			var out []string
			for _, args := range [][]string{{"neigh", "show", "nud", "all"}, {"neigh", "show", "proxy"}} {
				for _, l := range raLines(t, ns, "ip", args) {
					var n map[string]any
					json.Unmarshal([]byte(l), &n)
					if ours(netip.MustParseAddr(arStr(n["dst"]))) {
						out = append(out, l)
					}
				}
			}
			return out
		}
		before := show()
		var listed []rtnetlink.Neighbor
		for _, proxy := range []bool{false, true} {
			for n, err := range c.Neighbors(ctx, rtnetlink.NeighborFilter{Proxy: proxy}) {
				if err != nil {
					t.Fatal(err)
				}
				if ours(n.IP) {
					listed = append(listed, n)
				}
			}
		}
		if len(listed) != len(lines) || len(before) != len(lines) {
			t.Fatalf("listed %d entries, ip %d, want %d", len(listed), len(before), len(lines))
		}
		reAdd(t, "neighbours", show, before, listed,
			func(n rtnetlink.Neighbor) error { return c.DeleteNeighbor(ctx, n) },
			func(n rtnetlink.Neighbor) error { return c.AddNeighbor(ctx, n) },
			func(left []string) {
				// The kernel keeps a deleted cache entry a while as FAILED
				// (or drops it); the proxies go at once.
				for _, l := range left {
					if !strings.Contains(l, `"FAILED"`) {
						t.Errorf("after deleting every entry, ip lists %s", l)
					}
				}
			})
	})

	t.Run("fdb", func(t *testing.T) {
		ns, c, _, _ := arRouteNS(t, nil)
		ns.Batch(t, []string{
			"link add vx0 type vxlan id 42 dstport 4789 nolearning dev v0",
			"link add br0 type bridge",
			"link add p0 type veth peer name p1",
			"link set p0 master br0",
			"link set vx0 up", "link set br0 up", "link set p0 up",
		})
		for _, args := range []string{
			"fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.2",
			"fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.2 port 5000",
			"fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.3 vni 100 via v0",
			"fdb add 02:00:00:00:00:30 dev vx0 dst 198.18.0.4 static",
			"fdb add 02:00:00:00:00:31 dev vx0 dst 198.18.0.4 extern_learn router",
			"fdb add 02:00:00:00:00:32 dev p0 master static sticky",
			"fdb add 02:00:00:00:00:33 dev p0 master",
			"fdb add 02:00:00:00:00:34 dev br0 self local",
		} {
			bridgeRun(t, ns, strings.Fields(args)...)
		}
		// The test's entries: not the multicast addresses the kernel
		// adds to the devices' own lists, nor the links' own addresses.
		ours := func(mac string) bool { return mac == "00:00:00:00:00:00" || strings.HasPrefix(mac, "02:00:00:00:00:3") }
		show := func() []string {
			var out []string
			for _, l := range raLines(t, ns, "bridge", []string{"fdb", "show"}, "updated", "used") {
				var e map[string]any
				json.Unmarshal([]byte(l), &e)
				if ours(arStr(e["mac"])) {
					out = append(out, l)
				}
			}
			return out
		}
		before := show()
		var listed []rtnetlink.FDBEntry
		for e, err := range c.FDB(ctx, rtnetlink.FDBFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			if ours(e.HardwareAddr.String()) {
				listed = append(listed, e)
			}
		}
		// Eight, or more where the kernel has bridge VLAN support (Debian's
		// do): a port's entry added without a VLAN is added once more for
		// each VLAN of the port (its default PVID 1).
		if len(listed) != len(before) || len(listed) < 8 {
			t.Fatalf("listed %d entries, bridge %d, want 8 or more: %q", len(listed), len(before), before)
		}
		reAdd(t, "fdb", show, before, listed,
			func(e rtnetlink.FDBEntry) error { return c.DeleteFDBEntry(ctx, e) },
			func(e rtnetlink.FDBEntry) error {
				switch {
				case e.HardwareAddr.String() == "00:00:00:00:00:00":
					return c.AppendFDBEntry(ctx, e) // a flood list's remotes
				case e.MasterIndex != 0:
					// A bridge adds an entry without a VLAN for each VLAN
					// of the port too (above): its listed VLAN copy may be
					// back already, the same.
					return c.ReplaceFDBEntry(ctx, e)
				}
				return c.AddFDBEntry(ctx, e)
			},
			leaving(t, "fdb entries", 0))
	})
}

// reAdd deletes each object of listed with del, hands what show lists then
// to gone, adds each object again with add, and compares what show lists
// with before: what was listed comes back as it was.
func reAdd[T any](t *testing.T, what string, show func() []string, before []string, listed []T, del, add func(T) error, gone func(left []string)) {
	t.Helper()
	for _, o := range listed {
		if err := del(o); err != nil {
			t.Fatalf("deleting %+v as listed: %v", o, err)
		}
	}
	gone(show())
	for _, o := range listed {
		if err := add(o); err != nil {
			t.Fatalf("adding %+v as listed: %v", o, err)
		}
	}
	arDiff(t, what, show(), before)
}

// leaving is reAdd's check that n objects (what was not listed) are left.
func leaving(t *testing.T, what string, n int) func(left []string) {
	return func(left []string) {
		t.Helper()
		if len(left) != n {
			t.Fatalf("after deleting what was listed, %d %s are left, want %d: %q", len(left), what, n, left)
		}
	}
}
