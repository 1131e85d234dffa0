//go:build linux

package rtnetlink_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// wtTypedLine is an event of a neighbour, FDB entry, rule, nexthop or
// bucket, as TestWatchTyped compares them: "+" or "-", the kind, and the
// fields that tell the test's objects apart; "" for other events and for
// what the kernel does on its own (entries of other addresses).
func wtTypedLine(ev rtnetlink.Event) string {
	sign := "+"
	if ev.Deleted() {
		sign = "-"
	}
	switch {
	case ev.Neighbor != nil:
		n := ev.Neighbor
		if !strings.HasPrefix(n.IP.String(), "198.18.0.") {
			return ""
		}
		return fmt.Sprintf("%s neigh %v %d %v %v %v", sign, n.IP, n.Index, n.HardwareAddr, n.State, n.Flags)
	case ev.FDB != nil:
		e := ev.FDB
		if !strings.HasPrefix(e.HardwareAddr.String(), "02:00:00:00:00:") {
			return ""
		}
		return fmt.Sprintf("%s fdb %v %d %v %v %v vni=%d", sign, e.HardwareAddr, e.Index, e.Dst, bridgeState(e.State), e.Flags, e.VNI)
	case ev.Rule != nil:
		r := ev.Rule
		if r.Priority < 100 || r.Priority > 199 {
			return ""
		}
		return fmt.Sprintf("%s rule %d family %d %v table %d", sign, r.Priority, r.Family, r.Src, r.Table)
	case ev.NextHop != nil:
		nh := ev.NextHop
		var group []string
		for _, m := range nh.Group {
			group = append(group, fmt.Sprintf("%d*%d", m.ID, m.Weight))
		}
		return fmt.Sprintf("%s nexthop %d %v %d group=%s type=%v fdb=%v", sign, nh.ID, strOf(nh.Gateway), nh.Index, strings.Join(group, ","), nh.GroupType, nh.FDB)
	case ev.NextHopBucket != nil:
		b := ev.NextHopBucket
		return fmt.Sprintf("%s bucket %d %d %d", sign, b.ID, b.Index, b.NextHopID)
	}
	return ""
}

// TestWatchTyped makes known changes to neighbours, FDB entries, rules and
// nexthop objects with ip and bridge, and checks that Watch yields them as
// typed events, decoded, in order: ip waits for the kernel's answer to
// each change, and the kernel sends its notifications before that answer.
// (The kernel sends bucket notifications from its periodic upkeep of
// resilient groups, at its own pace, not for these changes; TestParseEvent
// decodes one from bytes.)
func TestWatchTyped(t *testing.T) {
	ns, c, v0, _ := arRouteNS(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a guard against a hang
	defer cancel()
	if _, err := ns.Try("nexthop", "add", "id", "99", "blackhole"); err != nil {
		t.Skipf("no nexthop objects: %v", err)
	}
	ns.Batch(t, []string{
		"link add vx0 type vxlan id 42 dstport 4789 nolearning dev v0",
	})
	vx0 := 0
	for i, n := range arLinkNames(t, ns) {
		if n == "vx0" {
			vx0 = i
		}
	}
	// Join before the changes, so that none is missed.
	for _, g := range []rtnetlink.Group{rtnetlink.GroupNeighbor, rtnetlink.GroupIPv4Rule, rtnetlink.GroupIPv6Rule, rtnetlink.GroupNextHop} {
		if err := c.NL.JoinGroup(uint32(g)); err != nil {
			t.Fatal(err)
		}
	}
	changes := []string{
		"neigh add 198.18.0.9 lladdr 02:00:00:00:00:09 dev v0 nud reachable",
		"neigh replace 198.18.0.9 lladdr 02:00:00:00:00:0a dev v0 nud permanent",
		"rule add prio 100 from 198.18.0.0/24 lookup 100",
		"-6 rule add prio 101 lookup 101",
		"nexthop add id 50 via 10.0.0.2 dev v0",
		"nexthop add id 51 group 50,3 type resilient buckets 4 idle_timer 0",
		"nexthop add id 52 via 10.0.0.7 fdb",
		"nexthop add id 53 via 10.0.0.3 dev v0",
		"nexthop replace id 51 group 50/53 type resilient idle_timer 0",
		"nexthop del id 53",
		"nexthop del id 51",
		"nexthop del id 50",
		"rule del prio 100",
		"-6 rule del prio 101",
		"neigh del 198.18.0.9 dev v0",
	}
	for _, l := range changes {
		ns.Run(t, strings.Fields(l)...)
	}
	bridgeRun(t, ns, "fdb", "add", "02:00:00:00:00:10", "dev", "vx0", "dst", "198.18.0.2", "vni", "7", "static")
	bridgeRun(t, ns, "fdb", "del", "02:00:00:00:00:10", "dev", "vx0", "dst", "198.18.0.2", "vni", "7")
	ns.Run(t, "nexthop", "del", "id", "99") // the end

	want := []string{
		fmt.Sprintf("+ neigh 198.18.0.9 %d 02:00:00:00:00:09 REACHABLE 0", v0),
		fmt.Sprintf("+ neigh 198.18.0.9 %d 02:00:00:00:00:0a PERMANENT 0", v0),
		"+ rule 100 family 2 198.18.0.0/24 table 100",
		"+ rule 101 family 10 invalid Prefix table 101",
		fmt.Sprintf("+ nexthop 50 10.0.0.2 %d group= type=mpath fdb=false", v0),
		"+ nexthop 51  0 group=50*3 type=resilient fdb=false",
		"+ nexthop 52 10.0.0.7 0 group= type=mpath fdb=true",
		fmt.Sprintf("+ nexthop 53 10.0.0.3 %d group= type=mpath fdb=false", v0),
		"+ nexthop 51  0 group=50*1,53*1 type=resilient fdb=false",
		fmt.Sprintf("- nexthop 53 10.0.0.3 %d group= type=mpath fdb=false", v0),
		"+ nexthop 51  0 group=50*1 type=resilient fdb=false", // the group without the member deleted
		"- nexthop 51  0 group=50*1 type=resilient fdb=false",
		fmt.Sprintf("- nexthop 50 10.0.0.2 %d group= type=mpath fdb=false", v0),
		"- rule 100 family 2 198.18.0.0/24 table 100",
		"- rule 101 family 10 invalid Prefix table 101",
		fmt.Sprintf("+ neigh 198.18.0.9 %d  FAILED 0", v0), // the kernel fails an entry before it goes
		fmt.Sprintf("- neigh 198.18.0.9 %d  FAILED 0", v0),
		fmt.Sprintf("+ fdb 02:00:00:00:00:10 %d 198.18.0.2 static self vni=7", vx0),
		fmt.Sprintf("- fdb 02:00:00:00:00:10 %d 198.18.0.2 static self vni=7", vx0),
		"- nexthop 99  0 group= type=mpath fdb=false",
	}
	if !kernelAtLeast(t, 6, 13) {
		// Before 6.13 (ndo_fdb_add and _del learning to say they had
		// notified), the core sends a notification of its own after the
		// VXLAN driver's: the address alone, in the state the request
		// gave (bridge fdb del sends permanent).
		fdb := len(want) - 3
		want = slices.Insert(want, fdb+2, fmt.Sprintf("- fdb 02:00:00:00:00:10 %d invalid IP permanent self vni=0", vx0))
		want = slices.Insert(want, fdb+1, fmt.Sprintf("+ fdb 02:00:00:00:00:10 %d invalid IP static self vni=0", vx0))
	}
	var got []string
	for ev, err := range c.Watch(ctx) {
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		if l := wtTypedLine(ev); l != "" {
			got = append(got, l)
		}
		if ev.NextHop != nil && ev.NextHop.ID == 99 && ev.Type == unix.RTM_DELNEXTHOP {
			break
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Watch saw:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
