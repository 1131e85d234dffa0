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

// arTableName names a table as ip does.
func arTableName(id uint32) string {
	switch id {
	case rtnetlink.TableMain:
		return "main"
	case rtnetlink.TableLocal:
		return "local"
	case rtnetlink.TableDefault:
		return "default"
	}
	return strconv.FormatUint(uint64(id), 10)
}

// arPrefName names an IPv6 router preference as ip does.
var arPrefName = map[uint8]string{0: "medium", 1: "high", 3: "low"}

// ipMetricKeys are the metrics the route lines compare, as ip -j names
// them.
var ipMetricKeys = []string{"mtu", "window", "rtt", "ssthresh", "cwnd", "advmss", "reordering", "hoplimit", "initcwnd", "initrwnd", "quickack", "congestion"}

// arExpires says whether a route expires: the seconds left tick between
// ip's listing and ours, so the value is checked apart (TestRoutesOracle's
// 2001:db8:10::/48), against the time that passed.
func arExpires(s int) string {
	if s == 0 {
		return ""
	}
	return "set"
}

// ipRoutes lists the routes of ns of one family ("-4" or "-6") as ip -j -d
// route show table all does, one line each in the form ourRoutes uses.
func ipRoutes(t testing.TB, ns *nstest.NS, family string) []string {
	t.Helper()
	return ipTableRoutes(t, ns, family, "all")
}

// ipTableRoutes is ipRoutes for the routes of one table (its id, or
// "all"), as ip -j -d route show table TABLE lists them: ip leaves out
// the table it was asked for, which the lines have.
func ipTableRoutes(t testing.TB, ns *nstest.NS, family, table string) []string {
	t.Helper()
	var lines []string
	for _, kvs := range ipOrdered(t, ns, family, "-d", "route", "show", "table", table) {
		r := map[string]any{} // the route's keys: an encapsulation's come after, with some of the same names
		for _, kv := range kvs {
			if _, ok := r[kv.k]; !ok {
				r[kv.k] = kv.v
			}
		}
		if _, ok := r["table"]; !ok && table != "all" {
			r["table"] = table
		}
		dst := arStr(r["dst"])
		switch {
		case dst == "default" && family == "-4":
			dst = "0.0.0.0/0"
		case dst == "default":
			dst = "::/0"
		case !strings.Contains(dst, "/") && family == "-4":
			dst += "/32"
		case !strings.Contains(dst, "/"):
			dst += "/128"
		}
		gw := arStr(r["gateway"])
		if via, ok := r["via"].(map[string]any); ok {
			gw = arStr(via["host"])
		}
		tos := "0"
		if s := arStr(r["tos"]); s != "" {
			n, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 8)
			if err != nil {
				t.Fatalf("tos %q: %v", s, err)
			}
			tos = strconv.FormatUint(n, 10)
		}
		metric := arStr(r["metric"])
		if metric == "" {
			metric = "0"
		}
		var metrics []string
		if ms, ok := r["metrics"].([]any); ok {
			for _, m := range ms {
				for _, k := range ipMetricKeys {
					if v, ok := m.(map[string]any)[k]; ok {
						metrics = append(metrics, k+"="+arStr(v))
					}
				}
			}
		}
		var hops []string
		if nh, ok := r["nexthops"].([]any); ok {
			for _, h := range nh {
				h := h.(map[string]any)
				gw := arStr(h["gateway"])
				if via, ok := h["via"].(map[string]any); ok {
					gw = arStr(via["host"])
				}
				var hop []ipKV
				for k, v := range h {
					hop = append(hop, ipKV{k, v})
				}
				hops = append(hops, fmt.Sprintf("%s@%s*%s%s%s%s", gw, arStr(h["dev"]), arStr(h["weight"]), arFlags(h["flags"]), ipRealms(h["flow"]), encapSuffix(ipEncapSorted(hop))))
			}
		}
		expires := 0
		if e, ok := r["expires"].(float64); ok {
			expires = int(e)
		}
		lines = append(lines, fmt.Sprintf("%s table=%s tos=%s metric=%s type=%s proto=%s scope=%s gw=%s dev=%s prefsrc=%s flags=%s pref=%s expires=%s metrics=%s hops=%s",
			dst, arStr(r["table"]), tos, metric, arStr(r["type"]), arStr(r["protocol"]), arStr(r["scope"]), gw,
			arStr(r["dev"]), arStr(r["prefsrc"]), arFlags(r["flags"]), arStr(r["pref"]), arExpires(expires),
			strings.Join(metrics, ","), strings.Join(hops, ","))+ipRealms(r["flow"])+encapSuffix(ipEncap(kvs)))
	}
	return lines
}

// ipRealms formats the flow (realms) ip -j prints for a route or a path.
func ipRealms(v any) string {
	f, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	from := arStr(f["from"])
	if from == "" {
		from = "0"
	}
	return " realms=" + from + "/" + arStr(f["to"])
}

// ourRealms formats realms as ipRealms does.
func ourRealms(realms uint32) string {
	if realms == 0 {
		return ""
	}
	return fmt.Sprintf(" realms=%d/%d", realms>>16, realms&0xffff)
}

// encapSuffix appends an encapsulation, as ipEncap and ourRouteEncap format
// one, to a route's line.
func encapSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " encap=" + s
}

// arFlags formats ip's list of flag names.
func arFlags(v any) string {
	var names []string
	if l, ok := v.([]any); ok {
		for _, n := range l {
			names = append(names, arStr(n))
		}
	}
	slices.Sort(names)
	return "[" + strings.Join(names, ",") + "]"
}

// ourFlags formats route or next-hop flags as arFlags does, from the
// names RouteFlags.String gives.
func ourFlags(f rtnetlink.RouteFlags) string {
	if f == 0 {
		return "[]"
	}
	names := strings.Split(f.String(), "|")
	slices.Sort(names)
	return "[" + strings.Join(names, ",") + "]"
}

// ourRoute formats r as ipRoutes does.
func ourRoute(r rtnetlink.Route, names map[int]string) string {
	str := func(a netip.Addr) string {
		if !a.IsValid() {
			return ""
		}
		return a.String()
	}
	var metrics []string
	m := r.Metrics
	for _, kv := range []struct {
		k string
		v uint32
	}{
		{"mtu", m.MTU}, {"window", m.Window}, {"rtt", m.RTT / 8}, {"ssthresh", m.SSThresh}, {"cwnd", m.CWnd},
		{"advmss", m.AdvMSS}, {"reordering", m.Reordering}, {"hoplimit", m.HopLimit}, {"initcwnd", m.InitCWnd},
		{"initrwnd", m.InitRWnd}, {"quickack", m.QuickAck},
	} {
		if kv.v != 0 {
			metrics = append(metrics, kv.k+"="+strconv.FormatUint(uint64(kv.v), 10))
		}
	}
	if m.CongestionControl != "" {
		metrics = append(metrics, "congestion="+m.CongestionControl)
	}
	var hops []string
	for _, h := range r.MultiPath {
		hops = append(hops, fmt.Sprintf("%s@%s*%d%s%s%s", str(h.Gateway), names[h.Index], h.Weight, ourFlags(h.Flags), ourRealms(h.Realms), encapSuffix(ourRouteEncap(h.Encap, names))))
	}
	pref := ""
	if r.Dst.Addr().Is6() {
		pref = arPrefName[r.Pref]
	}
	return fmt.Sprintf("%s table=%s tos=%d metric=%d type=%s proto=%s scope=%s gw=%s dev=%s prefsrc=%s flags=%s pref=%s expires=%s metrics=%s hops=%s",
		r.Dst, arTableName(r.Table), r.TOS, r.Priority, r.Type, r.Protocol, r.Scope, str(r.Gateway),
		names[r.Index], str(r.PrefSrc), ourFlags(r.Flags), pref, arExpires(int(r.Expires/time.Second)),
		strings.Join(metrics, ","), strings.Join(hops, ",")) + ourRealms(r.Realms) + encapSuffix(ourRouteEncap(r.Encap, names))
}

// ourRoutes lists the routes f selects through c, one line each.
func ourRoutes(t testing.TB, c *rtnetlink.Conn, f rtnetlink.RouteFilter, names map[int]string) []string {
	t.Helper()
	var lines []string
	for r, err := range c.Routes(context.Background(), f) {
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, ourRoute(r, names))
	}
	return lines
}

// arCompareRoutes compares the routes of both families as the package and
// ip list them, and returns ip's lines.
func arCompareRoutes(t testing.TB, ns *nstest.NS, c *rtnetlink.Conn) []string {
	t.Helper()
	names := arLinkNames(t, ns)
	var all []string
	for _, fam := range []struct {
		ip     string
		family int
	}{{"-4", unix.AF_INET}, {"-6", unix.AF_INET6}} {
		want := ipRoutes(t, ns, fam.ip)
		arDiff(t, "routes "+fam.ip, ourRoutes(t, c, rtnetlink.RouteFilter{Family: fam.family}, names), want)
		all = append(all, want...)
	}
	arDiff(t, "every route", ourRoutes(t, c, rtnetlink.RouteFilter{}, names), slices.Clone(all))
	return all
}

// arRouteNS is arNS with addresses on the pair: 10.0.0.1/24 and
// 2001:db8::1/64 on v0, 10.0.1.1/24 and 2001:db8:1::1/64 on v1.
func arRouteNS(t testing.TB, cfg *netlink.Config) (*nstest.NS, *rtnetlink.Conn, int, int) {
	t.Helper()
	ns, c, v0, v1 := arNS(t, cfg)
	ns.Batch(t, []string{
		"addr add 10.0.0.1/24 dev v0", "addr add 2001:db8::1/64 dev v0 nodad",
		"addr add 10.0.1.1/24 dev v1", "addr add 2001:db8:1::1/64 dev v1 nodad",
	})
	return ns, c, v0, v1
}

// TestRoutesOracle adds, replaces and deletes routes through the package
// and through ip, and checks that the package lists what ip -j -d route
// show table all lists, for each family, field by field: destination,
// table (ids above 255 too), TOS, metric, type, protocol, scope, gateway
// (RTA_GATEWAY and RTA_VIA), link, preferred source, flags, IPv6
// preference and expiry, metrics (mtu, advmss, hoplimit, ...), and the
// next hops of multipath routes with their weights.
func TestRoutesOracle(t *testing.T) {
	ns, c, v0, v1 := arRouteNS(t, nil)
	ctx := context.Background()
	pfx := netip.MustParsePrefix
	ip := netip.MustParseAddr
	adds := []rtnetlink.Route{
		{Dst: pfx("10.1.0.0/16"), Gateway: ip("10.0.0.2")},
		{Dst: pfx("10.2.0.0/16"), Gateway: ip("10.0.0.2"), Table: 1000, Protocol: rtnetlink.ProtoStatic, Priority: 20,
			Metrics: rtnetlink.Metrics{MTU: 1400, AdvMSS: 1360, HopLimit: 9, InitCWnd: 10, RTT: 80, CongestionControl: "reno"}},
		{Dst: pfx("10.3.0.0/16"), Type: rtnetlink.RouteBlackhole, Table: 5, Priority: 7},
		{Dst: pfx("10.4.0.0/16"), Type: rtnetlink.RouteUnreachable},
		{Dst: pfx("10.4.1.0/24"), Type: rtnetlink.RouteProhibit},
		{Dst: pfx("10.4.2.0/24"), Type: rtnetlink.RouteThrow, Table: 7},
		{Dst: pfx("10.5.0.0/16"), Table: 70000, MultiPath: []rtnetlink.NextHop{
			{Gateway: ip("10.0.0.2"), Index: v0, Weight: 3}, {Gateway: ip("10.0.1.2"), Index: v1}, {Gateway: ip("10.0.0.3"), Index: v0, Weight: 256}}},
		{Dst: pfx("10.6.0.0/24"), Index: v0, PrefSrc: ip("10.0.0.1")},
		{Dst: pfx("10.7.0.0/16"), Gateway: ip("fe80::1"), Index: v0},
		{Dst: pfx("10.8.0.0/16"), Gateway: ip("10.99.0.1"), Index: v0, Flags: rtnetlink.NextHopOnLink},
		{Dst: pfx("0.0.0.0/0"), Gateway: ip("10.0.0.254"), Table: 200},
		{Dst: pfx("10.10.0.5/32"), Type: rtnetlink.RouteLocal, Index: v0, Table: 300},
		{Dst: pfx("10.11.0.0/16"), TOS: 0x10, Gateway: ip("10.0.0.2")},
		{Dst: pfx("2001:db8:10::/48"), Gateway: ip("2001:db8::2"), Priority: 50, Pref: 1, Expires: 300 * time.Second},
		{Dst: pfx("2001:db8:11::/48"), MultiPath: []rtnetlink.NextHop{
			{Gateway: ip("2001:db8::2"), Index: v0, Weight: 2}, {Gateway: ip("2001:db8:1::2"), Index: v1, Weight: 5}}},
		{Dst: pfx("2001:db8:12::/48"), Type: rtnetlink.RouteBlackhole, Table: 1000},
		{Dst: pfx("::/0"), Gateway: ip("fe80::1"), Index: v0},
		{Dst: pfx("2001:db8:13::/48"), Index: v1, Metrics: rtnetlink.Metrics{MTU: 1300}},
		{Dst: pfx("2001:db8:14::/48"), Type: rtnetlink.RouteProhibit, Protocol: 99},
		{Dst: pfx("10.12.0.0/16"), Gateway: ip("10.0.0.2")},                                                                                                  // deleted below by its fields
		{Dst: pfx("2001:db8:15::/48"), Gateway: ip("2001:db8::2")},                                                                                           // deleted below as listed
		{Dst: pfx("10.13.0.0/16"), Gateway: ip("10.0.0.2"), Table: 1001, Priority: 3, Metrics: rtnetlink.Metrics{MTU: 1400, CongestionControl: "reno"}},      // likewise
		{Dst: pfx("10.14.0.0/16"), Table: 1001, MultiPath: []rtnetlink.NextHop{{Gateway: ip("10.0.0.2"), Weight: 4}, {Gateway: ip("10.0.1.2")}}},             // likewise
		{Dst: pfx("2001:db8:16::/48"), Table: 1001, MultiPath: []rtnetlink.NextHop{{Gateway: ip("2001:db8::2"), Weight: 4}, {Gateway: ip("2001:db8:1::2")}}}, // likewise
	}
	added := time.Now()
	for _, r := range adds {
		if err := c.AddRoute(ctx, r); err != nil {
			t.Fatalf("add %+v: %v", r, err)
		}
	}
	// The route that expires counts down from 300 s, by no more than the
	// time since it was added.
	defer func() {
		var r rtnetlink.Route
		for l, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: unix.AF_INET6}) {
			if err != nil {
				t.Fatal(err)
			}
			if l.Dst == pfx("2001:db8:10::/48") {
				r = l
			}
		}
		if passed := time.Since(added) + time.Second; r.Expires > 300*time.Second || 300*time.Second-r.Expires > passed {
			t.Errorf("2001:db8:10::/48 expires in %v, want 300 s less at most %v", r.Expires, passed)
		}
	}()
	if err := c.AddRoute(ctx, adds[0]); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding %v twice: %v, want EEXIST", adds[0].Dst, err)
	}
	r := adds[1]
	r.Metrics.MTU = 1280
	if err := c.ReplaceRoute(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRoute(ctx, rtnetlink.Route{Dst: pfx("10.12.0.0/16")}); err != nil {
		t.Fatal(err)
	}
	var listed []rtnetlink.Route
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Table == 1001 || r.Dst == pfx("2001:db8:15::/48") {
			listed = append(listed, r)
		}
	}
	if len(listed) != 4 {
		t.Errorf("listed %d routes to delete, want 4", len(listed))
	}
	for _, r := range listed {
		if err := c.DeleteRoute(ctx, r); err != nil {
			t.Errorf("delete %+v: %v", r, err)
		}
	}
	if err := c.DeleteRoute(ctx, rtnetlink.Route{Dst: pfx("10.12.0.0/16")}); !errors.Is(err, unix.ESRCH) {
		t.Errorf("deleting twice: %v, want ESRCH", err)
	}

	// What ip adds, the package must read back the same.
	ns.Batch(t, []string{
		"route add 172.16.0.0/12 via 10.0.0.2 table 2000 proto 42 metric 5 mtu lock 1450 advmss 1400 window 65535 quickack 1",
		"route add 172.17.0.0/16 nexthop via 10.0.0.2 dev v0 weight 7 nexthop via 10.0.1.2 dev v1 weight 2",
		"route add unreachable 172.18.0.0/16 table 250",
		"route add 172.19.0.0/16 via inet6 fe80::2 dev v1",
		"route add throw 172.20.0.0/16 table 9",
		"route add 172.21.0.0/16 dev v1 scope 99 proto dhcp src 10.0.1.1",
		"route add 2001:db8:20::/48 via 2001:db8::2 table 3000 proto static metric 7 hoplimit 33 pref low",
		"route add 2001:db8:21::/48 nexthop via 2001:db8::2 dev v0 weight 4 nexthop via 2001:db8:1::2 dev v1",
		"route add 2001:db8:22::/48 dev v1 expires 100 initcwnd 20 ssthresh 30",
	})
	all := arCompareRoutes(t, ns, c)
	// ip -j does not print locks; "mtu lock" sets bit RTAX_MTU.
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Table: 2000}) {
		if err != nil || r.Metrics.Lock != 1<<unix.RTAX_MTU || r.Metrics.MTU != 1450 {
			t.Errorf("mtu lock 1450: %+v, %v", r.Metrics, err)
		}
	}

	// Spot checks that the package wrote what it was asked to, as ip reads
	// it back.
	for _, w := range []string{
		"10.1.0.0/16 table=main tos=0 metric=0 type=unicast proto=boot scope=global gw=10.0.0.2 dev=v0 ",
		"10.2.0.0/16 table=1000 tos=0 metric=20 type=unicast proto=static scope=global gw=10.0.0.2 dev=v0 prefsrc= flags=[] pref= expires= metrics=mtu=1280,rtt=10,advmss=1360,hoplimit=9,initcwnd=10,congestion=reno hops=",
		"10.3.0.0/16 table=5 tos=0 metric=7 type=blackhole ",
		"10.4.0.0/16 table=main tos=0 metric=0 type=unreachable ",
		"10.4.1.0/24 table=main tos=0 metric=0 type=prohibit ",
		"10.4.2.0/24 table=7 tos=0 metric=0 type=throw ",
		"10.5.0.0/16 table=70000 tos=0 metric=0 type=unicast proto=boot scope=global gw= dev= prefsrc= flags=[] pref= expires= metrics= hops=10.0.0.2@v0*3[],10.0.1.2@v1*1[],10.0.0.3@v0*256[]",
		"10.6.0.0/24 table=main tos=0 metric=0 type=unicast proto=boot scope=link gw= dev=v0 prefsrc=10.0.0.1 ",
		"10.7.0.0/16 table=main tos=0 metric=0 type=unicast proto=boot scope=global gw=fe80::1 dev=v0 ",
		"10.8.0.0/16 table=main tos=0 metric=0 type=unicast proto=boot scope=global gw=10.99.0.1 dev=v0 prefsrc= flags=[onlink] ",
		"0.0.0.0/0 table=200 tos=0 metric=0 type=unicast proto=boot scope=global gw=10.0.0.254 dev=v0 ",
		"10.10.0.5/32 table=300 tos=0 metric=0 type=local proto=boot scope=host gw= dev=v0 ",
		"10.11.0.0/16 table=main tos=16 metric=0 type=unicast ",
		"2001:db8:10::/48 table=main tos=0 metric=50 type=unicast proto=boot scope=global gw=2001:db8::2 dev=v0 prefsrc= flags=[] pref=high expires=set ",
		"2001:db8:11::/48 table=main tos=0 metric=1024 type=unicast proto=boot scope=global gw= dev= prefsrc= flags=[] pref=medium expires= metrics= hops=2001:db8::2@v0*2[],2001:db8:1::2@v1*5[]",
		"2001:db8:12::/48 table=1000 tos=0 metric=1024 type=blackhole ",
		"::/0 table=main tos=0 metric=1024 type=unicast proto=boot scope=global gw=fe80::1 dev=v0 ",
		"2001:db8:13::/48 table=main tos=0 metric=1024 type=unicast proto=boot scope=global gw= dev=v1 prefsrc= flags=[] pref=medium expires= metrics=mtu=1300 ",
		"2001:db8:14::/48 table=main tos=0 metric=1024 type=prohibit proto=openr ",
	} {
		found := slices.ContainsFunc(all, func(l string) bool {
			return strings.HasPrefix(l, w)
		})
		if !found {
			t.Errorf("ip does not list %s...", w)
		}
	}
	for _, l := range all {
		if strings.HasPrefix(l, "10.12.0.0/16 ") || strings.HasPrefix(l, "2001:db8:15::/48 ") || strings.Contains(l, " table=1001 ") {
			t.Errorf("deleted route still listed: %s", l)
		}
	}
}

// TestRouteFilters checks which filters the kernel applies to a route dump
// under strict checking: each reply must carry NLM_F_DUMP_FILTERED and
// hold only routes that pass, and the typed listing must be the same with
// and without strict checking.
func TestRouteFilters(t *testing.T) { backends(t, testRouteFilters) }

func testRouteFilters(t *testing.T, b *backend) {
	c, v0, v1 := b.arRouteNS(t, nil)
	ctx := context.Background()
	pfx, ip := netip.MustParsePrefix, netip.MustParseAddr
	b.setup(t, []string{
		"route add 10.1.0.0/16 via 10.0.0.2 table 1000 proto static",
		"route add 10.2.0.0/16 via 10.0.1.2 table 1000",
		"route add blackhole 10.3.0.0/16 table 1000",
		"route add 10.4.0.0/16 nexthop via 10.0.0.2 dev v0 nexthop via 10.0.1.2 dev v1",
		"route add 2001:db8:10::/48 via 2001:db8::2 table 1000 proto static",
		"route add 2001:db8:11::/48 via 2001:db8:1::2",
		"route add unreachable 2001:db8:12::/48 table 1000",
	}, func(c *rtnetlink.Conn) error {
		for _, r := range []rtnetlink.Route{
			{Dst: pfx("10.1.0.0/16"), Gateway: ip("10.0.0.2"), Table: 1000, Protocol: rtnetlink.ProtoStatic},
			{Dst: pfx("10.2.0.0/16"), Gateway: ip("10.0.1.2"), Table: 1000},
			{Dst: pfx("10.3.0.0/16"), Type: rtnetlink.RouteBlackhole, Table: 1000},
			{Dst: pfx("10.4.0.0/16"), MultiPath: []rtnetlink.NextHop{{Gateway: ip("10.0.0.2"), Index: v0}, {Gateway: ip("10.0.1.2"), Index: v1}}},
			{Dst: pfx("2001:db8:10::/48"), Gateway: ip("2001:db8::2"), Table: 1000, Protocol: rtnetlink.ProtoStatic},
			{Dst: pfx("2001:db8:11::/48"), Gateway: ip("2001:db8:1::2")},
			{Dst: pfx("2001:db8:12::/48"), Type: rtnetlink.RouteUnreachable, Table: 1000},
		} {
			if err := c.AddRoute(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	names := b.linkNames(t)
	lc := b.dialLoose(t)
	for _, f := range []rtnetlink.RouteFilter{
		{Table: 1000}, {Family: unix.AF_INET, Table: 1000}, {Family: unix.AF_INET6, Table: 1000},
		{Table: rtnetlink.TableLocal}, {Index: v0}, {Index: v1}, {Family: unix.AF_INET6, Index: v1},
		{Protocol: rtnetlink.ProtoStatic}, {Type: rtnetlink.RouteBlackhole}, {Family: unix.AF_INET6, Type: rtnetlink.RouteUnreachable},
		{Table: 1000, Index: v0, Protocol: rtnetlink.ProtoStatic},
	} {
		strict := ourRoutes(t, c, f, names)
		arDiff(t, fmt.Sprintf("strict and loose %+v", f), strict, ourRoutes(t, lc, f, names))
		if len(strict) == 0 {
			t.Errorf("%+v: no routes", f)
		}
		// The raw dump: what the kernel itself sends.
		n, filtered := 0, 0
		for m, err := range c.NL.Dump(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE}, Data: arRouteDumpRequest(f)}) {
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			if m.Header.Flags&netlink.DumpFiltered != 0 {
				filtered++
			}
			if len(m.Data) > 0 && (m.Data[0] == unix.AF_INET || m.Data[0] == unix.AF_INET6) {
				n++
			}
		}
		if n != len(strict) || filtered == 0 {
			t.Errorf("%+v: the kernel sent %d routes (%d messages marked filtered), want %d: it does not filter", f, n, filtered, len(strict))
		}
	}
	// A table that does not exist: an error from the kernel for one
	// family, which the listing turns into no routes.
	for _, fam := range []int{0, unix.AF_INET, unix.AF_INET6} {
		for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: fam, Table: 4242}) {
			t.Errorf("family %d, missing table: %+v, %v", fam, r, err)
		}
	}
	_, err := c.NL.DumpAll(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE}, Data: arRouteDumpRequest(rtnetlink.RouteFilter{Family: unix.AF_INET, Table: 4242})})
	if !errors.Is(err, unix.ENOENT) {
		t.Errorf("raw dump of a missing IPv4 table: %v, want ENOENT", err)
	}
	// A link that does not exist is an error.
	for _, err := range c.Routes(ctx, rtnetlink.RouteFilter{Index: 9999}) {
		if !errors.Is(err, unix.ENODEV) {
			t.Errorf("missing link: %v, want ENODEV", err)
		}
	}
}

// arRouteDumpRequest builds the rtmsg and attributes of a filtered dump by
// hand, as the kernel's ip_valid_fib_dump_req reads them.
func arRouteDumpRequest(f rtnetlink.RouteFilter) []byte {
	b := make([]byte, unix.SizeofRtMsg)
	b[0] = uint8(f.Family)
	b[5] = uint8(f.Protocol)
	b[7] = uint8(f.Type)
	e := netlink.NewAttrEncoder(b)
	if f.Table != 0 {
		e.Uint32(unix.RTA_TABLE, f.Table)
	}
	if f.Index != 0 {
		e.Uint32(unix.RTA_OIF, uint32(f.Index))
	}
	b, err := e.Finish()
	if err != nil {
		panic(err)
	}
	return b
}

// TestRoutesSmallBuffer lists a table larger than a datagram through 4 KiB
// reads, so that the dump goes on across many datagrams.
func TestRoutesSmallBuffer(t *testing.T) {
	ns, c, _, _ := arRouteNS(t, &netlink.Config{DatagramBuffer: 4096})
	var lines []string
	for i := range 600 {
		lines = append(lines, fmt.Sprintf("route add 10.%d.%d.0/24 via 10.0.0.2 table 77", 100+i/256, i%256))
		if i%3 == 0 {
			lines = append(lines, fmt.Sprintf("route add 2001:db8:%x::/48 via 2001:db8::2 table 77 mtu 1300", 0x100+i))
		}
	}
	ns.Batch(t, lines)
	n := 0
	for _, err := range c.Routes(context.Background(), rtnetlink.RouteFilter{Table: 77}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 800 {
		t.Errorf("listed %d routes, want 800", n)
	}
	arCompareRoutes(t, ns, c)
}

// TestGetRoute asks the kernel for routes as ip route get does and
// compares with ip's answer.
func TestGetRoute(t *testing.T) {
	ns, c, v0, v1 := arRouteNS(t, nil)
	ctx := context.Background()
	ip := netip.MustParseAddr
	ns.Batch(t, []string{
		"route add 10.1.0.0/16 via 10.0.0.2",
		"route add 10.1.0.0/16 via 10.0.1.2 table 100",
		"route add unreachable 10.2.0.0/16",
		"route add 2001:db8:10::/48 via 2001:db8::2",
	})
	for _, tc := range []struct {
		q    rtnetlink.RouteQuery
		args []string
		want rtnetlink.Route
	}{
		{rtnetlink.RouteQuery{Dst: ip("10.1.2.3")}, []string{"10.1.2.3"},
			rtnetlink.Route{Dst: netip.MustParsePrefix("10.1.2.3/32"), Gateway: ip("10.0.0.2"), Index: v0, PrefSrc: ip("10.0.0.1"),
				Table: rtnetlink.TableMain, Type: rtnetlink.RouteUnicast, Flags: rtnetlink.RouteCloned}},
		{rtnetlink.RouteQuery{Dst: ip("10.1.2.3"), FIBMatch: true}, []string{"fibmatch", "10.1.2.3"},
			rtnetlink.Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), Gateway: ip("10.0.0.2"), Index: v0,
				Table: rtnetlink.TableMain, Type: rtnetlink.RouteUnicast, Protocol: rtnetlink.ProtoBoot}},
		{rtnetlink.RouteQuery{Dst: ip("10.0.1.9"), Index: v1}, []string{"10.0.1.9", "oif", "v1"},
			rtnetlink.Route{Dst: netip.MustParsePrefix("10.0.1.9/32"), Index: v1, PrefSrc: ip("10.0.1.1"),
				Table: rtnetlink.TableMain, Type: rtnetlink.RouteUnicast, Flags: rtnetlink.RouteCloned}},
		{rtnetlink.RouteQuery{Dst: ip("10.0.0.1")}, []string{"10.0.0.1"},
			// The kernel answers with table main, and RTCF_LOCAL in the
			// high bits of the flags.
			rtnetlink.Route{Dst: netip.MustParsePrefix("10.0.0.1/32"), Index: 1, PrefSrc: ip("10.0.0.1"),
				Table: rtnetlink.TableMain, Type: rtnetlink.RouteLocal, Flags: rtnetlink.RouteCloned | 0x80000000}},
	} {
		got, err := c.GetRoute(ctx, tc.q)
		if err != nil {
			t.Errorf("GetRoute(%+v): %v", tc.q, err)
			continue
		}
		got.Metrics, got.Expires = rtnetlink.Metrics{}, 0
		if got.Flags&rtnetlink.RouteCloned != 0 {
			got.Scope, got.Protocol = 0, 0
		}
		if !arSameRoute(got, tc.want) {
			t.Errorf("GetRoute(%+v) =\n %+v, want\n %+v", tc.q, got, tc.want)
		}
		// ip route get's answer names the same gateway, link and source.
		j := arJSON(t, ns, append([]string{"route", "get"}, tc.args...)...)
		names := arLinkNames(t, ns)
		if len(j) != 1 || arStr(j[0]["gateway"]) != strOf(got.Gateway) || arStr(j[0]["dev"]) != names[got.Index] || arStr(j[0]["prefsrc"]) != strOf(got.PrefSrc) {
			t.Errorf("ip route get %v: %v, package: %+v", tc.args, j, got)
		}
	}
	got, err := c.GetRoute(ctx, rtnetlink.RouteQuery{Dst: ip("2001:db8:10::1")})
	if err != nil || got.Gateway != ip("2001:db8::2") || got.Index != v0 || got.Dst != netip.MustParsePrefix("2001:db8:10::1/128") {
		t.Errorf("IPv6 GetRoute: %+v, %v", got, err)
	}
	// The kernel's answer for a destination behind an unreachable route.
	_, err = c.GetRoute(ctx, rtnetlink.RouteQuery{Dst: ip("10.2.0.1")})
	var oe *netlink.OpError
	if !errors.Is(err, unix.EHOSTUNREACH) || !errors.As(err, &oe) {
		t.Errorf("GetRoute to an unreachable route: %v, want EHOSTUNREACH", err)
	}
	if _, err := c.GetRoute(ctx, rtnetlink.RouteQuery{Dst: ip("10.1.0.1"), Src: ip("2001:db8::1")}); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("GetRoute with mixed families: %v, want os.ErrInvalid", err)
	}
}

func strOf(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// arSameRoute compares routes, MultiPath by value.
func arSameRoute(a, b rtnetlink.Route) bool {
	if !slices.Equal(a.MultiPath, b.MultiPath) {
		return false
	}
	a.MultiPath, b.MultiPath = nil, nil
	return a.Dst == b.Dst && a.Src == b.Src && a.Gateway == b.Gateway && a.Index == b.Index && a.InIndex == b.InIndex &&
		a.PrefSrc == b.PrefSrc && a.Protocol == b.Protocol && a.Scope == b.Scope && a.Type == b.Type && a.Table == b.Table &&
		a.Priority == b.Priority && a.TOS == b.TOS && a.Flags == b.Flags && a.Pref == b.Pref && a.Expires == b.Expires &&
		a.NextHopID == b.NextHopID && a.Metrics == b.Metrics
}

// TestRouteErrors checks the errors found before sending and those the
// kernel reports with its extended ACK.
func TestRouteErrors(t *testing.T) { backends(t, testRouteErrors) }

func testRouteErrors(t *testing.T, b *backend) {
	c, v0, _ := b.arRouteNS(t, nil)
	ctx := context.Background()
	pfx := netip.MustParsePrefix
	ip := netip.MustParseAddr
	for _, r := range []rtnetlink.Route{
		{},
		{Dst: netip.PrefixFrom(ip("10.0.0.0"), 33)},
		{Dst: pfx("10.1.2.3/16"), Gateway: ip("10.0.0.2")},
		{Dst: pfx("::ffff:10.0.0.0/104")},
		{Dst: pfx("2001:db8::/32"), Gateway: ip("10.0.0.2")},
		{Dst: pfx("10.1.0.0/16"), Gateway: ip("::ffff:10.0.0.2")},
		{Dst: pfx("10.1.0.0/16"), PrefSrc: ip("2001:db8::1")},
		{Dst: pfx("10.1.0.0/16"), Gateway: ip("10.0.0.2"), MultiPath: []rtnetlink.NextHop{{Gateway: ip("10.0.0.3")}}},
		{Dst: pfx("10.1.0.0/16"), MultiPath: []rtnetlink.NextHop{{Gateway: ip("10.0.0.3"), Weight: 257}}},
		{Dst: pfx("2001:db8::/32"), MultiPath: []rtnetlink.NextHop{{Gateway: ip("10.0.0.3")}}},
		{Dst: pfx("10.1.0.0/16"), Expires: time.Minute},
		{Dst: pfx("10.1.0.0/16"), Index: -1},
		{Dst: pfx("2001:db8::/32"), Gateway: ip("fe80::1%v0")},
		{Dst: pfx("2001:db8::/32"), MultiPath: []rtnetlink.NextHop{{Gateway: ip("fe80::1%v0")}}},
	} {
		err := c.AddRoute(ctx, r)
		var oe *netlink.OpError
		if !errors.Is(err, os.ErrInvalid) || !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.Op != "check" {
			t.Errorf("AddRoute(%+v) = %v, want a check's *OpError wrapping os.ErrInvalid and EINVAL before sending", r, err)
		}
	}
	for _, tc := range []struct {
		r      rtnetlink.Route
		errno  error
		extack bool // whether the kernel explains
	}{
		{rtnetlink.Route{Dst: pfx("10.50.0.0/16"), Gateway: ip("192.0.2.1")}, unix.ENETUNREACH, true},
		{rtnetlink.Route{Dst: pfx("10.50.0.0/16"), Index: 9999}, unix.ENODEV, false},
		{rtnetlink.Route{Dst: pfx("2001:db8:50::/48"), Gateway: ip("2001:db8:99::1"), Index: v0}, unix.EHOSTUNREACH, false},
		{rtnetlink.Route{Dst: pfx("10.50.0.0/16"), Table: 70000, MultiPath: []rtnetlink.NextHop{{Gateway: ip("10.0.0.2"), Index: v0}, {Gateway: ip("192.0.2.1")}}}, unix.ENETUNREACH, true},
	} {
		err := c.AddRoute(ctx, tc.r)
		var oe *netlink.OpError
		if !errors.Is(err, tc.errno) || !errors.As(err, &oe) || tc.extack && oe.Message == "" {
			t.Errorf("AddRoute(%+v) = %v, want %v (with an extended ACK message: %v)", tc.r, err, tc.errno, tc.extack)
		} else {
			t.Logf("%v: %v", tc.r.Dst, err)
		}
	}
}
