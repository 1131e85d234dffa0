//go:build linux

package rtnetlink_test

import (
	"context"
	"net/netip"
	"strconv"
	"testing"

	"github.com/nlkit/netlink/rtnetlink"
)

// TestGetRouteTable: GetRoute reports the table the lookup used, as ip
// route get (and ip route get fibmatch) prints it: 100 for a packet a
// fwmark rule sends to table 100, local for an address of this host; not
// main whatever the table.
func TestGetRouteTable(t *testing.T) {
	ns, c, _, _ := arRouteNS(t, nil)
	ctx := context.Background()
	ns.Batch(t, []string{
		"route add 198.18.7.0/24 via 10.0.0.2 table 100", "rule add fwmark 7 lookup 100 prio 50",
		"route add 2001:db8:7::/64 via 2001:db8::2 table 100",
	})
	ns.Run(t, "-6", "rule", "add", "fwmark", "7", "lookup", "100", "prio", "50")
	tableName := func(id uint32) string {
		switch id {
		case rtnetlink.TableLocal:
			return "local"
		case rtnetlink.TableMain:
			return "main"
		}
		return strconv.FormatUint(uint64(id), 10)
	}
	for _, tc := range []struct {
		q    rtnetlink.RouteQuery
		args []string
	}{
		{rtnetlink.RouteQuery{Dst: netip.MustParseAddr("198.18.7.1"), Mark: 7}, []string{"route", "get", "198.18.7.1", "mark", "7"}},
		{rtnetlink.RouteQuery{Dst: netip.MustParseAddr("198.18.7.1"), Mark: 7, FIBMatch: true}, []string{"route", "get", "fibmatch", "198.18.7.1", "mark", "7"}},
		{rtnetlink.RouteQuery{Dst: netip.MustParseAddr("10.0.0.1")}, []string{"route", "get", "10.0.0.1"}},
		{rtnetlink.RouteQuery{Dst: netip.MustParseAddr("10.0.0.1"), FIBMatch: true}, []string{"route", "get", "fibmatch", "10.0.0.1"}},
		{rtnetlink.RouteQuery{Dst: netip.MustParseAddr("2001:db8:7::1"), Mark: 7}, []string{"-6", "route", "get", "2001:db8:7::1", "mark", "7"}},
		{rtnetlink.RouteQuery{Dst: netip.MustParseAddr("2001:db8::1")}, []string{"-6", "route", "get", "2001:db8::1"}},
	} {
		r, err := c.GetRoute(ctx, tc.q)
		if err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		want := arJSON(t, ns, tc.args...)
		if len(want) != 1 || arStr(want[0]["table"]) != tableName(r.Table) || arStr(want[0]["dst"]) != dstString(r) {
			t.Errorf("%v: table %s, dst %s; ip says %v", tc.args, tableName(r.Table), dstString(r), want)
		}
	}
}

// dstString prints r's destination as ip route get does: an address alone
// for a host route.
func dstString(r rtnetlink.Route) string {
	if r.Dst.IsSingleIP() {
		return r.Dst.Addr().String()
	}
	return r.Dst.String()
}
