//go:build linux

package rtnetlink_test

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/netlink/rtnetlink"
)

// TestGetRouteSelectors: GetRoute asks with each selector a rule can
// match (uid, ipproto, sport, dport, mark, iif), and finds the route of
// the table the matching rule names, as ip route get (and ip route get
// fibmatch) with the same selectors does: the same table, destination,
// gateway and link; for both families.
func TestGetRouteSelectors(t *testing.T) {
	ns, c, _, v1 := arRouteNS(t, nil)
	ctx := context.Background()
	if out, err := exec.Command("ip", "netns", "exec", ns.Name, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1").CombinedOutput(); err != nil {
		t.Fatalf("sysctl: %v: %s", err, out)
	}
	var lines []string
	for _, r := range []struct{ sel, table, gw4, gw6 string }{
		{"uidrange 1000-1000", "10", "10.0.0.2", "2001:db8::2"},
		{"ipproto udp dport 53", "11", "10.0.1.2", "2001:db8:1::2"},
		{"ipproto tcp sport 1000-2000", "12", "10.0.0.3", "2001:db8::3"},
		{"fwmark 7", "13", "10.0.1.3", "2001:db8:1::3"},
		{"iif v1", "14", "10.0.0.4", "2001:db8::4"},
	} {
		prio := "1" + r.table
		lines = append(lines,
			"rule add prio "+prio+" "+r.sel+" lookup "+r.table,
			"-6 rule add prio "+prio+" "+r.sel+" lookup "+r.table,
			"route add 198.18.10.0/24 via "+r.gw4+" table "+r.table,
			"route add 2001:db8:10::/64 via "+r.gw6+" table "+r.table)
	}
	// Packets no rule selects take the main table's route.
	lines = append(lines, "route add 198.18.10.0/24 via 10.0.1.4", "route add 2001:db8:10::/64 via 2001:db8:1::4")
	for _, l := range lines {
		ns.Run(t, strings.Fields(l)...)
	}
	dst4, dst6 := netip.MustParseAddr("198.18.10.1"), netip.MustParseAddr("2001:db8:10::1")
	type tc struct {
		q    rtnetlink.RouteQuery
		args string
	}
	var cases []tc
	for _, fam := range []struct {
		flag     string
		dst, src netip.Addr
	}{{"-4", dst4, netip.MustParseAddr("10.0.1.9")}, {"-6", dst6, netip.MustParseAddr("2001:db8:1::9")}} {
		d := fam.flag + " route get " + fam.dst.String()
		for _, c := range []tc{
			{rtnetlink.RouteQuery{HasUID: true, UID: 1000}, d + " uid 1000"},
			{rtnetlink.RouteQuery{HasUID: true}, d + " uid 0"},
			{rtnetlink.RouteQuery{IPProto: unix.IPPROTO_UDP, DPort: 53}, d + " ipproto udp dport 53"},
			{rtnetlink.RouteQuery{IPProto: unix.IPPROTO_TCP, SPort: 1500}, d + " ipproto tcp sport 1500"},
			{rtnetlink.RouteQuery{IPProto: unix.IPPROTO_TCP, SPort: 2500, DPort: 53}, d + " ipproto tcp sport 2500 dport 53"},
			{rtnetlink.RouteQuery{Mark: 7}, d + " mark 7"},
			{rtnetlink.RouteQuery{DPort: 53}, d + " dport 53"}, // the kernel takes UDP: rule 11 matches
			{rtnetlink.RouteQuery{Src: fam.src, InIndex: v1}, d + " from " + fam.src.String() + " iif v1"},
		} {
			c.q.Dst = fam.dst
			cases = append(cases, c)
			c.q.FIBMatch = true
			c.args = strings.Replace(c.args, " get ", " get fibmatch ", 1)
			cases = append(cases, c)
		}
	}
	for _, tc := range cases {
		r, err := c.GetRoute(ctx, tc.q)
		if err != nil {
			t.Errorf("%s: %v", tc.args, err)
			continue
		}
		want := arJSON(t, ns, strings.Fields(tc.args)...)
		names := arLinkNames(t, ns)
		table := arStr(want[0]["table"])
		if table == "" {
			table = "main" // ip prints the table unless it is main
		}
		gw := ""
		if r.Gateway.IsValid() {
			gw = r.Gateway.String()
		}
		if len(want) != 1 || table != arTableName(r.Table) || arStr(want[0]["dst"]) != dstString(r) ||
			arStr(want[0]["gateway"]) != gw || arStr(want[0]["dev"]) != names[r.Index] {
			t.Errorf("%s: table %s, dst %s, gateway %s, dev %s; ip says %v", tc.args, arTableName(r.Table), dstString(r), gw, names[r.Index], want)
		} else {
			t.Logf("%s: table %s via %s dev %s", tc.args, table, gw, names[r.Index])
		}
	}
	// What cannot be asked is refused before sending.
	for _, q := range []rtnetlink.RouteQuery{
		{Dst: dst4, UID: 5},
		{Dst: dst4, Index: -1},
	} {
		if _, err := c.GetRoute(ctx, q); !errors.Is(err, os.ErrInvalid) || !errors.Is(err, unix.EINVAL) {
			t.Errorf("GetRoute(%+v) = %v, want a check error", q, err)
		}
	}
}
