package rtnetlink

import (
	"errors"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// TestNextHopRoundTrip runs roundTripNextHop on objects with every field a
// caller sets: resilient groups and their timers, FDB next hops and
// groups, encapsulations; and checks what a resilient group's request
// holds.
func TestNextHopRoundTrip(t *testing.T) {
	gw := netip.MustParseAddr("198.18.0.9")
	for i, nh := range []NextHopObject{
		{ID: 1, Group: []NextHopGroupMember{{ID: 2}, {ID: 3, Weight: maxWeight}}, GroupType: NextHopGroupResilient,
			Resilient: NextHopResilience{Buckets: 1<<16 - 1, IdleTimer: maxTicks * clockTick, UnbalancedTimer: 20 * time.Millisecond, UnbalancedTime: time.Hour}},
		{ID: 1, Group: []NextHopGroupMember{{ID: 2}}, GroupType: NextHopGroupResilient},
		{ID: 1, Group: []NextHopGroupMember{{ID: 2}}, GroupType: NextHopGroupMultipath, FDB: true},
		{ID: 2, Gateway: netip.MustParseAddr("2001:db8::1"), FDB: true},
		{ID: 3, Gateway: gw, Index: 2, Encap: &IPEncap{Src: netip.MustParseAddr("198.18.0.1")}},
		{ID: 4, Gateway: gw, Index: 2, Encap: &MPLSEncap{Labels: []uint32{100, 200}, TTL: 9}},
		{ID: 5, Index: 2, Encap: &RawEncap{Type: 77, Data: raw(1, 1, 2, 3)}, Flags: NextHopOnLink},
		{ID: 6, Index: 2, Encap: &RawEncap{Type: 77}},
	} {
		if !roundTripNextHop(t, nh) {
			t.Errorf("%d: %+v does not encode", i, nh)
		}
	}

	b, err := (&NextHopObject{ID: 1, Group: []NextHopGroupMember{{ID: 2}}, GroupType: NextHopGroupResilient,
		Resilient: NextHopResilience{Buckets: 8, IdleTimer: 1234 * time.Millisecond}}).encode()
	if err != nil {
		t.Fatal(err)
	}
	var res []netlink.Attr
	for a, err := range netlink.Attrs(b[nhmsgLen:]) {
		if err != nil {
			t.Fatal(err)
		}
		if a.Type == nhaResGroup {
			for r, err := range a.Attrs() {
				if err != nil {
					t.Fatal(err)
				}
				res = append(res, r)
			}
		}
	}
	if len(res) != 3 || res[0].Type != nhaResGroupBuckets || res[1].Type != nhaResGroupIdleTimer || res[2].Type != nhaResGroupUnbalancedTimer {
		t.Fatalf("NHA_RES_GROUP holds %+v", res)
	}
	if v, _ := res[1].Uint32(); v != 123 {
		t.Errorf("idle timer of 1.234 s sent as %d ticks, want 123", v)
	}
}

// TestNextHopChecks checks the objects refused before sending.
func TestNextHopChecks(t *testing.T) {
	gw := netip.MustParseAddr("198.18.0.9")
	grp := []NextHopGroupMember{{ID: 2}}
	for _, nh := range []NextHopObject{
		{Gateway: gw, Index: 2, GroupType: NextHopGroupResilient},
		{Gateway: gw, Index: 2, Resilient: NextHopResilience{Buckets: 8}},
		{Group: grp, Resilient: NextHopResilience{Buckets: 8}},
		{Group: grp, GroupType: NextHopGroupResilient, Resilient: NextHopResilience{IdleTimer: -time.Second}},
		{Group: grp, GroupType: NextHopGroupResilient, Resilient: NextHopResilience{UnbalancedTimer: (maxTicks + 1) * clockTick}},
		{Gateway: gw, Index: 2, FDB: true},
		{Blackhole: true, FDB: true},
		{Gateway: gw, FDB: true, Encap: &IPEncap{Dst: gw}},
		{Gateway: gw, Index: 2, Encap: &RawEncap{Data: raw(3, 198, 18, 0, 1)}},
		{Gateway: gw, Index: 2, Encap: (*RawEncap)(nil)},
		{Gateway: gw, Index: 2, Encap: &MPLSEncap{Labels: []uint32{1 << 20}}},
		{Group: grp, Encap: &IPEncap{Dst: gw}},
		{Blackhole: true, Encap: &IPEncap{Dst: gw}},
		{Group: []NextHopGroupMember{{ID: 2, Weight: maxWeight + 1}}},
		{Family: uapi.AF_INET, Gateway: netip.MustParseAddr("2001:db8::9"), Index: 2}, // the kernel's "Invalid gateway"
		{Family: uapi.AF_INET6, Gateway: gw, Index: 2},
	} {
		_, err := nh.encode()
		var oe *netlink.OpError
		if !errors.Is(err, os.ErrInvalid) || !errors.As(err, &oe) || oe.Op != "check" || oe.Request != uapi.RTM_NEWNEXTHOP {
			t.Errorf("%+v: %v, want a check error of RTM_NEWNEXTHOP", nh, err)
		}
	}
}

// FuzzParseNextHopBucket parses arbitrary payloads as nexthop bucket
// messages, seeded with the kernel's (testdata/fuzz, written by
// TestWriteFuzzCorpus): never a panic, errors wrap ErrMalformed, and a
// second parse gives the same bucket.
func FuzzParseNextHopBucket(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 1, 0, 10, 0, 0, 0, 36, 0, 13, 0x80, 6, 0, 1, 0, 3, 0, 0, 0,
		12, 0, 2, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 8, 0, 3, 0, 2, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		bk, err := ParseNextHopBucket(asReply(rtmNewNextHopBucket, b))
		if err != nil {
			if !errors.Is(err, netlink.ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if bk.IdleTime < 0 {
			t.Fatalf("negative idle time: %+v", bk)
		}
		again, err := ParseNextHopBucket(asReply(rtmDelNextHopBucket, b))
		if err != nil || again != bk {
			t.Fatalf("second parse: %+v, %v; first %+v", again, err, bk)
		}
	})
}

// TestNextHopEncapNested checks that NHA_ENCAP goes with NLA_F_NESTED,
// which the kernel wants, for typed and raw encapsulations, after its
// NHA_ENCAP_TYPE.
func TestNextHopEncapNested(t *testing.T) {
	gw := netip.MustParseAddr("198.18.0.9")
	for _, enc := range []Encap{&IPEncap{ID: 5, Dst: gw}, &RawEncap{Type: 77, Data: raw(1, 1, 2, 3)}} {
		b, err := (&NextHopObject{ID: 1, Gateway: gw, Index: 2, Encap: enc}).encode()
		if err != nil {
			t.Fatal(err)
		}
		var typ, nested bool
		for a, err := range netlink.Attrs(b[nhmsgLen:]) {
			if err != nil {
				t.Fatal(err)
			}
			switch a.Type {
			case nhaEncapType:
				v, _ := a.Uint16()
				typ = v == uint16(enc.EncapType())
			case nhaEncap:
				nested = typ && a.Nested
			}
		}
		if !nested {
			t.Errorf("%T: NHA_ENCAP_TYPE then NHA_ENCAP with NLA_F_NESTED not in % x", enc, b)
		}
	}
}
