//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// ipNextHops lists the nexthop objects of ns as ip -j -d nexthop show
// does, one line each in the form ourNextHop uses; the encapsulation as
// ipEncap formats a route's.
func ipNextHops(t testing.TB, ns *nstest.NS) []string {
	t.Helper()
	var lines []string
	for _, kvs := range ipOrdered(t, ns, "-d", "nexthop", "show") {
		// ip prints an encapsulation's keys among the object's, after
		// them (an ip tunnel's "id" after the object's): the first of
		// each key is the object's.
		nh := map[string]any{}
		for _, kv := range kvs {
			if _, ok := nh[kv.k]; !ok {
				nh[kv.k] = kv.v
			}
		}
		var group []string
		if g, ok := nh["group"].([]any); ok {
			for _, m := range g {
				m := m.(map[string]any)
				w := arStr(m["weight"])
				if w == "" {
					w = "1"
				}
				group = append(group, arStr(m["id"])+"*"+w)
			}
		}
		_, blackhole := nh["blackhole"]
		_, fdb := nh["fdb"]
		var res []string
		if args, ok := nh["resilient_args"].(map[string]any); ok {
			res = []string{arStr(args["buckets"]), arStr(args["idle_timer"]), arStr(args["unbalanced_timer"])}
		}
		lines = append(lines, fmt.Sprintf("id=%s gw=%s dev=%s blackhole=%v group=%s scope=%s proto=%s flags=%s",
			arStr(nh["id"]), arStr(nh["gateway"]), arStr(nh["dev"]), blackhole, strings.Join(group, ","),
			arStr(nh["scope"]), arStr(nh["protocol"]), arFlags(nh["flags"]))+nhExtras(arStr(nh["type"]), res, fdb, ipEncap(kvs)))
	}
	return lines
}

// ourNextHop formats nh as ipNextHops does.
func ourNextHop(nh rtnetlink.NextHopObject, names map[int]string) string {
	var group []string
	for _, m := range nh.Group {
		group = append(group, fmt.Sprintf("%d*%d", m.ID, m.Weight))
	}
	scope := nh.Scope.String()
	var res []string
	typ := ""
	if nh.GroupType == rtnetlink.NextHopGroupResilient {
		typ = nh.GroupType.String()
		r := nh.Resilient
		res = []string{fmt.Sprint(r.Buckets), secs(r.IdleTimer), secs(r.UnbalancedTimer)}
	}
	return fmt.Sprintf("id=%d gw=%s dev=%s blackhole=%v group=%s scope=%s proto=%s flags=%s",
		nh.ID, strOf(nh.Gateway), names[nh.Index], nh.Blackhole, strings.Join(group, ","), scope, nh.Protocol, ourFlags(nh.Flags)) +
		nhExtras(typ, res, nh.FDB, ourRouteEncap(nh.Encap, names))
}

// secs formats d in seconds as ip does.
func secs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// nhExtras formats the fields ip prints only when an object has them: a
// group's type and resilient parameters, fdb, and the encapsulation.
func nhExtras(typ string, res []string, fdb bool, encap string) string {
	s := ""
	if typ != "" {
		s += " type=" + typ
	}
	if res != nil {
		s += " res=" + strings.Join(res, "/")
	}
	if fdb {
		s += " fdb"
	}
	if encap != "" {
		s += " encap=" + encap
	}
	return s
}

// ourNextHops lists the objects f selects through c, one line each.
func ourNextHops(t testing.TB, c *rtnetlink.Conn, f rtnetlink.NextHopObjectFilter, names map[int]string) []string {
	t.Helper()
	var lines []string
	for nh, err := range c.NextHopObjects(context.Background(), f) {
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, ourNextHop(nh, names))
	}
	return lines
}

// ipWeightsSkip says why the comparisons of group weights above 256 with
// ip skip before Linux 6.12: upstream kernels refuse such weights, and
// Debian's 6.1 (6.1.192), which has them backported, takes and lists
// them (the package reads them back) but does not say in its replies that
// nexthop_grp's weight_high is meaningful (NHA_OP_FLAG_RESP_GRP_RESVD_0,
// which needs NHA_OP_FLAGS, 6.8), so ip 6.15 prints the low byte alone.
const ipWeightsSkip = "before Linux 6.12 ip does not read the high byte of group weights (no NHA_OP_FLAG_RESP_GRP_RESVD_0 in the kernel's replies)"

// TestNextHopWeightsOracle compares group weights above 256 (Linux 6.12
// on), which ip 6.1 can neither add nor print (it prints the low byte),
// with iproute2 6.15's ip (nstest.NewerIP) both ways, in plain and
// resilient groups: what the package adds, ip lists alike; what ip adds,
// the package lists alike, and replaces as listed with the weights kept.
func TestNextHopWeightsOracle(t *testing.T) {
	ipPath := nstest.NewerIP(t, "6.15")
	if !kernelAtLeast(t, 6, 12) {
		t.Skip(ipWeightsSkip)
	}
	ns, c, v0, v1 := arRouteNS(t, nil)
	ns = ns.WithIP(ipPath)
	ctx := context.Background()
	ip := netip.MustParseAddr
	for _, nh := range []rtnetlink.NextHopObject{
		{ID: 1, Gateway: ip("10.0.0.2"), Index: v0},
		{ID: 2, Gateway: ip("10.0.1.2"), Index: v1},
		{ID: 10, Group: []rtnetlink.NextHopGroupMember{{ID: 1, Weight: 257}, {ID: 2, Weight: 65535}}},
		{ID: 11, Group: []rtnetlink.NextHopGroupMember{{ID: 1, Weight: 256}, {ID: 2, Weight: 4097}}},
		{ID: 12, Group: []rtnetlink.NextHopGroupMember{{ID: 1, Weight: 1000}, {ID: 2}}, GroupType: rtnetlink.NextHopGroupResilient,
			Resilient: rtnetlink.NextHopResilience{Buckets: 64}},
	} {
		if _, err := c.AddNextHopObject(ctx, nh); err != nil {
			t.Fatalf("add %+v: %v", nh, err)
		}
	}
	ns.Batch(t, []string{
		"nexthop add id 20 group 1,65535/2,300",
		"nexthop add id 21 group 1,512/2,65534",
		"nexthop add id 22 group 1/2,60000 type resilient buckets 32",
	})
	// Each of ip's groups replaced as listed keeps its weights.
	for _, id := range []uint32{20, 21, 22} {
		nh, err := c.NextHopObject(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ReplaceNextHopObject(ctx, nh); err != nil {
			t.Errorf("replacing %+v as listed: %v", nh, err)
		}
	}
	all := ipNextHops(t, ns)
	arDiff(t, "nexthops", ourNextHops(t, c, rtnetlink.NextHopObjectFilter{}, arLinkNames(t, ns)), slices.Clone(all))
	for _, w := range []string{
		"id=10 gw= dev= blackhole=false group=1*257,2*65535 ",
		"id=11 gw= dev= blackhole=false group=1*256,2*4097 ",
		"id=12 gw= dev= blackhole=false group=1*1000,2*1 ",
		"id=20 gw= dev= blackhole=false group=1*65535,2*300 ",
		"id=21 gw= dev= blackhole=false group=1*512,2*65534 ",
		"id=22 gw= dev= blackhole=false group=1*1,2*60000 ",
	} {
		if !slices.ContainsFunc(all, func(l string) bool { return strings.HasPrefix(l, w) }) {
			t.Errorf("ip does not list %s", w)
		}
	}
}

// TestNextHopsOracle adds, replaces and deletes nexthop objects and the
// routes that use them through the package and through ip, and checks
// that the package lists what ip -j -d nexthop show lists, field by field:
// id, gateway, link, blackhole, group members with their weights, scope,
// protocol and flags; and that routes name their nexthop (nhid) alike.
func TestNextHopsOracle(t *testing.T) {
	ns, c, v0, v1 := arRouteNS(t, nil)
	ctx := context.Background()
	ip := netip.MustParseAddr
	pfx := netip.MustParsePrefix
	adds := []rtnetlink.NextHopObject{
		{ID: 1, Gateway: ip("10.0.0.2"), Index: v0},
		{ID: 2, Gateway: ip("2001:db8::2"), Index: v0, Protocol: rtnetlink.ProtoStatic},
		{ID: 3, Blackhole: true},
		{ID: 4, Index: v1},
		{ID: 5, Gateway: ip("10.99.0.3"), Index: v0, Flags: rtnetlink.NextHopOnLink},
		{ID: 6, Family: unix.AF_INET6, Index: v1},
		{ID: 7, Gateway: ip("10.0.1.2"), Index: v1}, // deleted below
		{ID: 10, Group: []rtnetlink.NextHopGroupMember{{ID: 1}, {ID: 5, Weight: 4}, {ID: 7}}},
		{ID: 11, Group: []rtnetlink.NextHopGroupMember{{ID: 2, Weight: 256}, {ID: 6, Weight: 2}}},
	}
	for _, nh := range adds {
		if id, err := c.AddNextHopObject(ctx, nh); err != nil || id != nh.ID {
			t.Fatalf("add %+v: %d, %v", nh, id, err)
		}
	}
	if _, err := c.AddNextHopObject(ctx, adds[0]); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding id 1 twice: %v, want EEXIST", err)
	}
	auto, err := c.AddNextHopObject(ctx, rtnetlink.NextHopObject{Gateway: ip("10.0.1.3"), Index: v1})
	if err != nil || auto == 0 {
		t.Fatalf("add without an id: %d, %v", auto, err)
	}
	if _, err := c.ReplaceNextHopObject(ctx, rtnetlink.NextHopObject{ID: 1, Gateway: ip("10.0.0.4"), Index: v0}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteNextHopObject(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteNextHopObject(ctx, 7); !errors.Is(err, unix.ENOENT) {
		t.Errorf("deleting twice: %v, want ENOENT", err)
	}
	for _, r := range []rtnetlink.Route{
		{Dst: pfx("10.50.0.0/16"), NextHopID: 10},
		{Dst: pfx("10.51.0.0/16"), NextHopID: 1, Table: 1000},
		{Dst: pfx("2001:db8:50::/48"), NextHopID: 11},
	} {
		if err := c.AddRoute(ctx, r); err != nil {
			t.Fatalf("add route %v: %v", r.Dst, err)
		}
	}

	// What ip adds, the package must read back the same.
	ns.Batch(t, []string{
		"nexthop add id 20 via 10.0.0.5 dev v0 proto 99",
		"nexthop add id 21 group 20,3/1,5",
		"nexthop add id 22 blackhole proto static",
		"nexthop add id 23 via 2001:db8:1::5 dev v1",
		"nexthop add id 24 dev v0",
		"route add 10.60.0.0/16 nhid 21",
		"route add 2001:db8:60::/48 nhid 23 table 2000",
	})
	names := arLinkNames(t, ns)
	all := ipNextHops(t, ns)
	arDiff(t, "nexthops", ourNextHops(t, c, rtnetlink.NextHopObjectFilter{}, names), slices.Clone(all))
	for _, w := range []string{
		"id=1 gw=10.0.0.4 dev=v0 blackhole=false group= scope=link proto=unspec flags=[]",
		"id=2 gw=2001:db8::2 dev=v0 blackhole=false group= scope=link proto=static flags=[]",
		"id=3 gw= dev= blackhole=true group= scope=global proto=unspec flags=[]",
		"id=4 gw= dev=v1 blackhole=false group= scope=host proto=unspec flags=[]",
		"id=5 gw=10.99.0.3 dev=v0 blackhole=false group= scope=link proto=unspec flags=[onlink]",
		"id=10 gw= dev= blackhole=false group=1*1,5*4 scope=global proto=unspec flags=[]",
		"id=11 gw= dev= blackhole=false group=2*256,6*2 scope=global proto=unspec flags=[]",
		fmt.Sprintf("id=%d gw=10.0.1.3 dev=v1 ", auto),
	} {
		if !slices.ContainsFunc(all, func(l string) bool { return strings.HasPrefix(l, w) }) {
			t.Errorf("ip does not list %s", w)
		}
	}
	if slices.ContainsFunc(all, func(l string) bool { return strings.HasPrefix(l, "id=7 ") }) {
		t.Error("deleted nexthop still listed")
	}

	// Filters.
	for _, tc := range []struct {
		f    rtnetlink.NextHopObjectFilter
		want func(l string) bool
	}{
		{rtnetlink.NextHopObjectFilter{Index: v1}, func(l string) bool { return strings.Contains(l, " dev=v1 ") }},
		{rtnetlink.NextHopObjectFilter{Groups: true}, func(l string) bool { return !strings.Contains(l, " group= ") }},
		{rtnetlink.NextHopObjectFilter{Family: unix.AF_INET6}, func(l string) bool {
			return strings.HasPrefix(l, "id=2 ") || strings.HasPrefix(l, "id=6 ") || strings.HasPrefix(l, "id=23 ")
		}},
	} {
		want := slices.DeleteFunc(slices.Clone(all), func(l string) bool { return !tc.want(l) })
		arDiff(t, fmt.Sprintf("%+v", tc.f), ourNextHops(t, c, tc.f, names), want)
	}

	// Routes that use nexthops, as ip and the package see them.
	nhids := map[string]string{}
	for _, fam := range []string{"-4", "-6"} {
		for _, r := range arJSON(t, ns, fam, "route", "show", "table", "all") {
			if id := arStr(r["nhid"]); id != "" {
				nhids[arStr(r["dst"])] = id
			}
		}
	}
	ours := map[string]string{}
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.NextHopID != 0 {
			ours[r.Dst.String()] = fmt.Sprint(r.NextHopID)
		}
	}
	want := map[string]string{"10.50.0.0/16": "10", "10.51.0.0/16": "1", "2001:db8:50::/48": "11", "10.60.0.0/16": "21", "2001:db8:60::/48": "23"}
	if fmt.Sprint(ours) != fmt.Sprint(want) || fmt.Sprint(nhids) != fmt.Sprint(want) {
		t.Errorf("routes' nexthop ids: rtnetlink %v, ip %v, want %v", ours, nhids, want)
	}

	// A route through a nexthop is deleted, and replaced, as listed,
	// though the kernel reports the nexthop's gateway and link with it.
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{}) {
		if err == nil && r.NextHopID != 0 && (r.Dst == pfx("10.51.0.0/16") || r.Dst == pfx("10.50.0.0/16")) {
			if !r.Gateway.IsValid() && r.MultiPath == nil {
				t.Errorf("route %v through nexthop %d: no gateway nor paths reported", r.Dst, r.NextHopID)
			}
			if r.Dst == pfx("10.50.0.0/16") {
				err = c.ReplaceRoute(ctx, r)
			} else {
				err = c.DeleteRoute(ctx, r)
			}
		}
		if err != nil {
			t.Error(err)
		}
	}
	if j := arJSON(t, ns, "route", "show", "table", "1000"); len(j) != 0 {
		t.Errorf("route deleted as listed is still there: %v", j)
	}

	// One object, with a weight above 256 (Linux 6.12 and later).
	if _, err := c.AddNextHopObject(ctx, rtnetlink.NextHopObject{ID: 30, Group: []rtnetlink.NextHopGroupMember{{ID: 4, Weight: 300}, {ID: 24}}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.NextHopObject(ctx, 30)
	if err != nil || !slices.Equal(got.Group, []rtnetlink.NextHopGroupMember{{ID: 4, Weight: 300}, {ID: 24, Weight: 1}}) {
		t.Errorf("NextHopObject(30) = %+v, %v", got, err)
	}
	if _, err := c.NextHopObject(ctx, 4242); !errors.Is(err, unix.ENOENT) {
		t.Errorf("missing nexthop: %v, want ENOENT", err)
	}
	// Deleting a nexthop deletes the routes that use it.
	if err := c.DeleteNextHopObject(ctx, 21); err != nil {
		t.Fatal(err)
	}
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{}) {
		if err != nil || r.Dst == pfx("10.60.0.0/16") {
			t.Errorf("route through a deleted nexthop: %+v, %v", r, err)
		}
	}
}

// TestNextHopErrors checks the errors found before sending and those the
// kernel reports with its extended ACK.
func TestNextHopErrors(t *testing.T) {
	_, c, v0, _ := arRouteNS(t, nil)
	ctx := context.Background()
	ip := netip.MustParseAddr
	for _, nh := range []rtnetlink.NextHopObject{
		{Group: []rtnetlink.NextHopGroupMember{}},
		{Group: []rtnetlink.NextHopGroupMember{{ID: 1}}, Index: v0},
		{Group: []rtnetlink.NextHopGroupMember{{ID: 0}}},
		{Group: []rtnetlink.NextHopGroupMember{{ID: 1, Weight: 1 << 17}}},
		{Blackhole: true, Gateway: ip("10.0.0.2")},
		{Gateway: ip("::ffff:10.0.0.2"), Index: v0},
		{Family: unix.AF_INET6, Gateway: ip("10.0.0.2"), Index: v0},
		{Family: 99, Index: v0},
		{Index: -1},
	} {
		_, err := c.AddNextHopObject(ctx, nh)
		var oe *netlink.OpError
		if !errors.Is(err, os.ErrInvalid) || !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.Op != "check" {
			t.Errorf("AddNextHopObject(%+v) = %v, want a check error matching EINVAL and os.ErrInvalid", nh, err)
		}
	}
	for _, tc := range []struct {
		nh    rtnetlink.NextHopObject
		errno error
	}{
		{rtnetlink.NextHopObject{ID: 1, Gateway: ip("192.0.2.1"), Index: v0}, unix.ENETUNREACH},
		{rtnetlink.NextHopObject{ID: 2, Group: []rtnetlink.NextHopGroupMember{{ID: 99}}}, unix.EINVAL},
		{rtnetlink.NextHopObject{ID: 3, Index: 9999}, unix.EINVAL},
	} {
		_, err := c.AddNextHopObject(ctx, tc.nh)
		var oe *netlink.OpError
		if !errors.Is(err, tc.errno) || !errors.As(err, &oe) || oe.Op == "check" || oe.Message == "" {
			t.Errorf("AddNextHopObject(%+v) = %v, want %v from the kernel with a message", tc.nh, err, tc.errno)
		} else {
			t.Log(err)
		}
	}
	if err := c.DeleteNextHopObject(ctx, 0); !errors.Is(err, unix.EINVAL) {
		t.Errorf("deleting id 0: %v, want EINVAL", err)
	}
}
