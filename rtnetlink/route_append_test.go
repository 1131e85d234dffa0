//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/netlink/rtnetlink"
)

// TestAppendRoute: AppendRoute makes what ip route append makes: an IPv4
// route beside those to the same destination that differ by path, realm or
// encapsulation; an IPv6 path joined to the route to the same destination
// as a multipath route. The package's routes in table 100 list as ip's in
// table 101, and ip -j -d route show reads them alike; appending the same
// route twice fails with EEXIST.
func TestAppendRoute(t *testing.T) {
	ns, c, v0, v1 := arRouteNS(t, nil)
	ctx := context.Background()
	ip, pfx := netip.MustParseAddr, netip.MustParsePrefix
	ours := []rtnetlink.Route{
		{Dst: pfx("198.18.1.0/24"), Gateway: ip("10.0.0.2"), Index: v0},
		{Dst: pfx("198.18.1.0/24"), Gateway: ip("10.0.1.2"), Index: v1},
		{Dst: pfx("198.18.1.0/24"), Gateway: ip("10.0.1.2"), Index: v1, Realms: 7},
		{Dst: pfx("198.18.1.0/24"), Index: v0, Encap: &rtnetlink.IPEncap{ID: 3, Dst: ip("198.18.0.9")}},
		{Dst: pfx("2001:db8:1::/64"), Gateway: ip("2001:db8::2"), Index: v0},
		{Dst: pfx("2001:db8:1::/64"), Gateway: ip("2001:db8:1::2"), Index: v1},
	}
	for _, r := range ours {
		r.Table = 100
		if err := c.AppendRoute(ctx, r); err != nil {
			t.Fatalf("append %+v: %v", r, err)
		}
	}
	ns.Batch(t, []string{
		"route append 198.18.1.0/24 via 10.0.0.2 dev v0 table 101",
		"route append 198.18.1.0/24 via 10.0.1.2 dev v1 table 101",
		"route append 198.18.1.0/24 via 10.0.1.2 dev v1 realm 7 table 101",
		"route append 198.18.1.0/24 encap ip id 3 dst 198.18.0.9 dev v0 table 101",
		"route append 2001:db8:1::/64 via 2001:db8::2 dev v0 table 101",
		"route append 2001:db8:1::/64 via 2001:db8:1::2 dev v1 table 101",
	})
	names := arLinkNames(t, ns)
	for _, fam := range []struct {
		flag   string
		family int
	}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
		var got, want []string
		for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: fam.family}) {
			if err != nil {
				t.Fatal(err)
			}
			line := ourRoute(r, names) + " encap=" + ourRouteEncap(r.Encap, names) + " realms=" + arStr(float64(r.Realms))
			switch r.Table {
			case 100:
				got = append(got, strings.Replace(line, " table=100 ", " table=T ", 1))
			case 101:
				want = append(want, strings.Replace(line, " table=101 ", " table=T ", 1))
			}
		}
		arDiff(t, "appended routes "+fam.flag, got, want)
		if n := map[string]int{"-4": 4, "-6": 1}[fam.flag]; len(got) != n {
			t.Errorf("%s: appending made %q, want %d routes", fam.flag, got, n)
		}
	}
	arCompareRoutes(t, ns, c)
	r := ours[2]
	r.Table = 100
	if err := c.AppendRoute(ctx, r); !errors.Is(err, unix.EEXIST) {
		t.Errorf("appending %+v twice: %v, want EEXIST", r, err)
	}
}

// TestDeleteRouteAsListedByEncap: routes that differ only by their
// encapsulation (IPv4 and IPv6, on the route and on a path of a multipath
// route) list as different Routes, and deleting the one added second as
// listed deletes that one, as ip -j -d route show then shows, where the
// kernel tells them apart: IPv4 compares a route's encapsulation on
// delete (fib_nh_match), but not a path's, and IPv6 (ip6_route_del)
// compares neither, so there the request, encapsulation and all, deletes
// the first route that matches the rest, as ip route del does; the test
// checks that one of the two went and logs which.
func TestDeleteRouteAsListedByEncap(t *testing.T) {
	ns, c, _, _ := arRouteNS(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name, flag string
		family     int
		adds       [2]string
		kernelTold bool // the kernel compares the encapsulations on delete
	}{
		{"ipv4", "-4", unix.AF_INET, [2]string{
			"route append 198.18.1.0/24 encap ip id 1 dst 198.18.0.9 dev v0 table 100",
			"route append 198.18.1.0/24 encap ip id 2 dst 198.18.0.9 dev v0 table 100"}, true},
		{"ipv4 multipath", "-4", unix.AF_INET, [2]string{
			"route append 198.18.2.0/24 table 101 nexthop via 10.0.0.2 dev v0 encap ip id 1 dst 198.18.0.9 nexthop via 10.0.1.2 dev v1",
			"route append 198.18.2.0/24 table 101 nexthop via 10.0.0.2 dev v0 encap ip id 2 dst 198.18.0.9 nexthop via 10.0.1.2 dev v1"}, false},
		{"ipv6", "-6", unix.AF_INET6, [2]string{
			"route append 2001:db8:1::/64 encap ip6 id 1 dst 2001:db8::9 dev v0 table 102",
			"route append 2001:db8:1::/64 encap ip6 id 2 dst 2001:db8::9 dev v0 table 102"}, false},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			ns.Batch(t, tc.adds[:])
			table := map[string]uint32{"ipv4": 100, "ipv4 multipath": 101, "ipv6": 102}[tc.name]
			var listed []rtnetlink.Route
			for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: tc.family, Table: table}) {
				if err != nil {
					t.Fatal(err)
				}
				listed = append(listed, r)
			}
			if len(listed) != 2 {
				t.Fatalf("listed %+v: want two routes", listed)
			}
			names := arLinkNames(t, ns)
			encapOf := func(r rtnetlink.Route) string {
				if len(r.MultiPath) > 0 {
					return ourRouteEncap(r.MultiPath[0].Encap, names)
				}
				return ourRouteEncap(r.Encap, names)
			}
			keep, gone := listed[0], listed[1]
			if !strings.Contains(encapOf(gone), " id=2 ") {
				keep, gone = gone, keep
			}
			if err := c.DeleteRoute(ctx, gone); err != nil {
				t.Fatalf("deleting %+v as listed: %v", gone, err)
			}
			var left []string
			for _, r := range ipOrdered(t, ns, tc.flag, "-d", "route", "show", "table", arStr(float64(table))) {
				left = append(left, ipEncap(r))
				for _, kv := range r {
					if kv.k == "nexthops" {
						h := kv.v.([]any)[0].(map[string]any)
						var hop []ipKV
						for k, v := range h {
							hop = append(hop, ipKV{k, v})
						}
						left = append(left, ipEncapSorted(hop))
					}
				}
			}
			want := encapOf(keep)
			exact := strings.Contains(strings.Join(left, "|"), want) && !strings.Contains(strings.Join(left, "|"), " id=2 ")
			switch n := len(ipOrdered(t, ns, tc.flag, "route", "show", "table", arStr(float64(table)))); {
			case n != 1:
				t.Errorf("after deleting the route with %s as listed, ip lists %d routes: %q", encapOf(gone), n, left)
			case tc.kernelTold && !exact:
				t.Errorf("after deleting the route with %s as listed, ip lists %q; want the one with %s alone", encapOf(gone), left, want)
			case !exact:
				t.Logf("the kernel deleted the other route, as ip route del would: it does not compare this encapsulation; ip lists %q", left)
			}
		})
	}
}
