//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// TestNextHopKindsOracle adds resilient groups, FDB next hops and groups,
// and next hops with an encapsulation, through the package and through
// ip, and checks that the package lists what ip -j -d nexthop show lists,
// field by field (group type, buckets, idle and unbalanced timers, fdb,
// the encapsulation); then replaces every object as listed, and checks
// that ip lists the same as before.
func TestNextHopKindsOracle(t *testing.T) {
	ns, c, v0, _ := arRouteNS(t, nil)
	ctx := context.Background()
	ip := netip.MustParseAddr
	if _, err := ns.Try("nexthop", "add", "id", "1", "via", "10.0.0.2", "dev", "v0"); err != nil {
		t.Skipf("no nexthop objects: %v", err)
	}
	ns.Run(t, "nexthop", "add", "id", "2", "via", "10.0.0.3", "dev", "v0")
	grp := []rtnetlink.NextHopGroupMember{{ID: 1}, {ID: 2, Weight: 3}}
	for _, nh := range []rtnetlink.NextHopObject{
		{ID: 10, Group: grp, GroupType: rtnetlink.NextHopGroupResilient,
			Resilient: rtnetlink.NextHopResilience{Buckets: 8, IdleTimer: 60 * time.Second, UnbalancedTimer: 5 * time.Second}},
		{ID: 11, Group: grp[:1], GroupType: rtnetlink.NextHopGroupResilient,
			Resilient: rtnetlink.NextHopResilience{Buckets: 16, IdleTimer: 1500 * time.Millisecond}},
		{ID: 12, Group: grp, GroupType: rtnetlink.NextHopGroupMultipath},
		{ID: 20, Gateway: ip("10.0.0.5"), FDB: true},
		{ID: 21, Gateway: ip("2001:db8::5"), FDB: true},
		{ID: 22, Group: []rtnetlink.NextHopGroupMember{{ID: 20}, {ID: 23, Weight: 2}}, FDB: true},
	} {
		if nh.ID == 22 {
			if _, err := c.AddNextHopObject(ctx, rtnetlink.NextHopObject{ID: 23, Gateway: ip("10.0.0.6"), FDB: true}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.AddNextHopObject(ctx, nh); err != nil {
			t.Fatalf("add %+v: %v", nh, err)
		}
	}
	// (TestNextHopEncapOracle has the other encapsulations, and those
	// the kernel refuses.)
	encap := rtnetlink.NextHopObject{ID: 30, Gateway: ip("10.0.0.9"), Index: v0, Encap: &rtnetlink.IPEncap{ID: 5, Dst: ip("198.18.0.1"), TTL: 4}}
	if _, err := c.AddNextHopObject(ctx, encap); err != nil {
		t.Fatalf("add %+v: %v", encap, err)
	}

	ns.Batch(t, []string{
		"nexthop add id 40 group 1/2,3 type resilient buckets 8 idle_timer 60 unbalanced_timer 5",
		"nexthop add id 41 group 2 type resilient buckets 4 idle_timer 0",
		"nexthop add id 42 via 10.0.0.7 fdb",
		"nexthop add id 43 group 42 fdb",
	})
	ns.Run(t, "nexthop", "add", "id", "44", "encap", "ip", "id", "6", "dst", "198.18.0.2", "ttl", "5", "via", "10.0.0.9", "dev", "v0")

	names := arLinkNames(t, ns)
	all := ipNextHops(t, ns)
	arDiff(t, "nexthops", ourNextHops(t, c, rtnetlink.NextHopObjectFilter{}, names), slices.Clone(all))
	want := []string{
		"id=10 gw= dev= blackhole=false group=1*1,2*3 scope=global proto=unspec flags=[] type=resilient res=8/60/5",
		"id=11 gw= dev= blackhole=false group=1*1 scope=global proto=unspec flags=[] type=resilient res=16/1.5/0",
		"id=12 gw= dev= blackhole=false group=1*1,2*3 scope=global proto=unspec flags=[]",
		"id=20 gw=10.0.0.5 dev= blackhole=false group= scope=link proto=unspec flags=[] fdb",
		"id=21 gw=2001:db8::5 dev= blackhole=false group= scope=link proto=unspec flags=[] fdb",
		"id=22 gw= dev= blackhole=false group=20*1,23*2 scope=global proto=unspec flags=[] fdb",
		"id=40 gw= dev= blackhole=false group=1*1,2*3 scope=global proto=unspec flags=[] type=resilient res=8/60/5",
		"id=41 gw= dev= blackhole=false group=2*1 scope=global proto=unspec flags=[] type=resilient res=4/0/0",
		"id=43 gw= dev= blackhole=false group=42*1 scope=global proto=unspec flags=[] fdb",
		"id=30 gw=10.0.0.9 dev=v0 blackhole=false group= scope=link proto=unspec flags=[] encap=ip id=5 src=0.0.0.0 dst=198.18.0.1 ttl=4 tos=0",
		"id=44 gw=10.0.0.9 dev=v0 blackhole=false group= scope=link proto=unspec flags=[] encap=ip id=6 src=0.0.0.0 dst=198.18.0.2 ttl=5 tos=0",
	}
	for _, w := range want {
		if !slices.Contains(all, w) {
			t.Errorf("ip does not list %s", w)
		}
	}

	// Every object replaced as listed stays as it was.
	var listed []rtnetlink.NextHopObject
	for nh, err := range c.NextHopObjects(ctx, rtnetlink.NextHopObjectFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, nh)
	}
	for _, nh := range listed {
		if _, err := c.ReplaceNextHopObject(ctx, nh); err != nil {
			t.Errorf("replacing %+v as listed: %v", nh, err)
		}
	}
	arDiff(t, "after replacing as listed", ipNextHops(t, ns), slices.Clone(all))

	// Of the objects that differ in one field (10 and 40, the same
	// resilient group through the package and ip; 11 by its timers; 12 by
	// its type; 20 and 21 by their gateway), delete each as listed, and
	// ip lists exactly the others.
	for _, id := range []uint32{40, 11, 12, 21} {
		var nh rtnetlink.NextHopObject
		for _, l := range listed {
			if l.ID == id {
				nh = l
			}
		}
		if err := c.DeleteNextHopObject(ctx, nh.ID); err != nil {
			t.Fatalf("deleting %+v as listed: %v", nh, err)
		}
		all = slices.DeleteFunc(all, func(l string) bool { return strings.HasPrefix(l, fmt.Sprintf("id=%d ", id)) })
		arDiff(t, fmt.Sprintf("after deleting %d", id), ipNextHops(t, ns), slices.Clone(all))
	}
}

// TestNextHopBuckets lists the buckets of resilient groups, all of them
// and filtered by group and by member, and compares them with ip -j
// nexthop bucket show.
func TestNextHopBuckets(t *testing.T) {
	ns, c, _, _ := arRouteNS(t, nil)
	ctx := context.Background()
	if _, err := ns.Try("nexthop", "add", "id", "1", "via", "10.0.0.2", "dev", "v0"); err != nil {
		t.Skipf("no nexthop objects: %v", err)
	}
	ns.Batch(t, []string{
		"nexthop add id 2 via 10.0.0.3 dev v0",
		"nexthop add id 10 group 1/2 type resilient buckets 8",
		"nexthop add id 11 group 2 type resilient buckets 4",
	})
	// Bucket lines without the idle time, which grows between listings.
	ipBuckets := func(args ...string) []string {
		var lines []string
		for _, b := range arJSON(t, ns, append([]string{"nexthop", "bucket", "show"}, args...)...) {
			bk := b["bucket"].(map[string]any)
			lines = append(lines, "group="+arStr(b["id"])+" index="+arStr(bk["index"])+" nhid="+arStr(bk["nhid"]))
		}
		return lines
	}
	ours := func(f rtnetlink.NextHopBucketFilter) []string {
		var lines []string
		for b, err := range c.NextHopBuckets(ctx, f) {
			if err != nil {
				t.Fatal(err)
			}
			if b.IdleTime < 0 {
				t.Errorf("bucket %+v: negative idle time", b)
			}
			lines = append(lines, fmt.Sprintf("group=%d index=%d nhid=%d", b.ID, b.Index, b.NextHopID))
		}
		return lines
	}
	all := ipBuckets()
	if len(all) != 12 {
		t.Errorf("ip lists %d buckets, want 12: %q", len(all), all)
	}
	arDiff(t, "buckets", ours(rtnetlink.NextHopBucketFilter{}), all)
	arDiff(t, "buckets of 10", ours(rtnetlink.NextHopBucketFilter{ID: 10}), ipBuckets("id", "10"))
	arDiff(t, "buckets to 2", ours(rtnetlink.NextHopBucketFilter{NextHopID: 2}), ipBuckets("nhid", "2"))
	for _, err := range c.NextHopBuckets(ctx, rtnetlink.NextHopBucketFilter{ID: 99}) {
		if !errors.Is(err, unix.ENOENT) || !strings.Contains(fmt.Sprint(err), "nexthop 99") {
			t.Errorf("buckets of a missing group: %v, want ENOENT naming it", err)
		}
	}
}

// TestNextHopKernelRefusals checks that what the kernel refuses of groups
// (a group in a group, an FDB next hop in a plain group and the other way
// round, a resilient group without buckets) comes back as its errno and
// extended ACK message, naming the object; that the package's own checks
// come first for what it can tell; and that the weight 65536 its check
// refuses, sent in a request made by hand, the kernel refuses too.
func TestNextHopKernelRefusals(t *testing.T) {
	ns, c, v0, _ := arRouteNS(t, nil)
	ctx := context.Background()
	ip := netip.MustParseAddr
	if _, err := ns.Try("nexthop", "add", "id", "1", "via", "10.0.0.2", "dev", "v0"); err != nil {
		t.Skipf("no nexthop objects: %v", err)
	}
	ns.Batch(t, []string{
		"nexthop add id 2 via 10.0.0.6 fdb",
		"nexthop add id 10 group 1",
		"nexthop add id 11 group 1 type resilient buckets 4",
	})
	for _, tc := range []struct {
		nh   rtnetlink.NextHopObject
		text string
	}{
		{rtnetlink.NextHopObject{ID: 20, Group: []rtnetlink.NextHopGroupMember{{ID: 10}}}, "group can not be a nexthop within a group"} /* "Hash-threshold" in 6.18, "Multipath" before */, {rtnetlink.NextHopObject{ID: 26, Group: []rtnetlink.NextHopGroupMember{{ID: 1}, {ID: 1}}}, "Nexthop id can not be used twice in a group"},
		{rtnetlink.NextHopObject{ID: 21, Group: []rtnetlink.NextHopGroupMember{{ID: 11}}}, "Resilient group can not be a nexthop within a group"},
		{rtnetlink.NextHopObject{ID: 22, Group: []rtnetlink.NextHopGroupMember{{ID: 2}}}, "Non FDB nexthop group cannot have fdb nexthops"},
		{rtnetlink.NextHopObject{ID: 23, Group: []rtnetlink.NextHopGroupMember{{ID: 1}}, FDB: true}, "FDB nexthop group can only have fdb nexthops"},
		{rtnetlink.NextHopObject{ID: 24, Group: []rtnetlink.NextHopGroupMember{{ID: 1}}, GroupType: rtnetlink.NextHopGroupResilient}, "Number of buckets not specified"},
		{rtnetlink.NextHopObject{ID: 25, Group: []rtnetlink.NextHopGroupMember{{ID: 99}}}, "Invalid nexthop id"},
	} {
		_, err := c.AddNextHopObject(ctx, tc.nh)
		var oe *netlink.OpError
		if !errors.Is(err, unix.EINVAL) || errors.Is(err, os.ErrInvalid) || !errors.As(err, &oe) || !strings.Contains(oe.Message, tc.text) || !strings.Contains(err.Error(), "nexthop ") {
			t.Errorf("AddNextHopObject(%+v) = %v, want the kernel's EINVAL %q naming the object", tc.nh, err, tc.text)
		}
	}
	// The package's checks, before sending.
	for _, nh := range []rtnetlink.NextHopObject{
		{ID: 30, Gateway: ip("10.0.0.7"), Index: v0, FDB: true},
		{ID: 31, Group: []rtnetlink.NextHopGroupMember{{ID: 1}}, Resilient: rtnetlink.NextHopResilience{Buckets: 4}},
		{ID: 32, Group: []rtnetlink.NextHopGroupMember{{ID: 1, Weight: 65536}}},
	} {
		_, err := c.AddNextHopObject(ctx, nh)
		var oe *netlink.OpError
		if !errors.Is(err, os.ErrInvalid) || !errors.As(err, &oe) || oe.Op != "check" {
			t.Errorf("AddNextHopObject(%+v) = %v, want a check error", nh, err)
		}
	}
	// Weight 65536 as nexthop_grp carries it (weight-1 in weight and,
	// since 6.12, weight_high: 0xff, 0xff), in a request built by hand,
	// past the package's check. Linux 6.12 and later find the weight 0
	// once it wraps round in 16 bits; older ones refuse the reserved byte
	// weight_high was.
	var grp [8]byte
	binary.NativeEndian.PutUint32(grp[:], 1) // the member's id
	grp[4], grp[5] = 0xff, 0xff
	var e netlink.AttrEncoder
	e.Reset(make([]byte, 8)) // struct nhmsg, zero: no family for a group
	e.Uint32(unix.NHA_ID, 32)
	e.Bytes(unix.NHA_GROUP, grp[:])
	req, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWNEXTHOP, Flags: netlink.Create | netlink.Excl}, Data: req})
	var oe *netlink.OpError
	if !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) || oe.Message != "Invalid value for weight" && oe.Message != "Reserved fields in nexthop_grp must be 0" {
		t.Errorf("a group member of weight 65536, sent raw: %v, want the kernel's EINVAL \"Invalid value for weight\"", err)
	} else {
		t.Logf("weight 65536, sent raw: %v", err)
	}
	if _, err := c.NextHopObject(ctx, 32); !errors.Is(err, unix.ENOENT) {
		t.Errorf("nexthop 32 after the refusal: %v, want ENOENT", err)
	}

	// Replacing a resilient group with another number of buckets.
	nh, err := c.NextHopObject(ctx, 11)
	if err != nil {
		t.Fatal(err)
	}
	nh.Resilient.Buckets = 8
	if _, err := c.ReplaceNextHopObject(ctx, nh); !errors.Is(err, unix.EINVAL) {
		t.Errorf("changing the buckets of a resilient group: %v, want EINVAL", err)
	} else {
		t.Logf("%v", err)
	}
}
