package conntrack_test

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"slices"
	"testing"

	"github.com/nlkit/netlink/netfilter/conntrack"
	"github.com/nlkit/netlink/netfilter/conntrack/conntracktest"
)

func TestFilterMatch(t *testing.T) {
	v4 := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	tcp := conntrack.Flow{
		Family: 2,
		Orig:   conntrack.Tuple{Src: v4("198.18.1.1"), Dst: v4("198.18.1.2"), Proto: 6, SrcPort: 1000, DstPort: 80},
		Reply:  conntrack.Tuple{Src: v4("198.18.1.2"), Dst: v4("198.18.1.1"), Proto: 6, SrcPort: 80, DstPort: 1000},
		Status: conntrack.StatusAssured | conntrack.StatusConfirmed,
		Mark:   0x107, Zone: 5,
	}
	sctp6 := conntrack.Flow{
		Family: 10,
		Orig:   conntrack.Tuple{Src: v4("2001:db8::1"), Dst: v4("2001:db8::2"), Proto: 132, SrcPort: 5000, DstPort: 38412},
		Reply:  conntrack.Tuple{Src: v4("2001:db8::2"), Dst: v4("2001:db8::1"), Proto: 132, SrcPort: 38412, DstPort: 5000},
	}
	icmp := conntrack.Flow{
		Family: 2,
		Orig:   conntrack.Tuple{Src: v4("198.18.1.1"), Dst: v4("198.18.1.2"), Proto: 1, ICMPType: 8, ICMPID: 77},
		Reply:  conntrack.Tuple{Src: v4("198.18.1.2"), Dst: v4("198.18.1.1"), Proto: 1, ICMPID: 77},
	}
	oneWay := tcp
	oneWay.Zone, oneWay.Orig.Zone, oneWay.Orig.HasZone = 0, 9, true // a zone of the original direction only
	orig := func(tu conntrack.Tuple, m conntrack.TupleMatch) conntrack.TupleFilter {
		return conntrack.TupleFilter{Tuple: tu, Match: m}
	}
	for _, tc := range []struct {
		name string
		f    conntrack.Filter
		fl   *conntrack.Flow
		want bool
	}{
		{"zero filter", conntrack.Filter{}, &tcp, true},
		{"family", conntrack.Filter{Family: 2}, &tcp, true},
		{"other family", conntrack.Filter{Family: 10}, &tcp, false},
		{"mark under mask", conntrack.Filter{Mark: 7, MarkMask: 0xff}, &tcp, true},
		{"whole mark", conntrack.Filter{Mark: 7, MarkMask: 0xffffffff}, &tcp, false},
		{"mark bits outside the mask", conntrack.Filter{Mark: 0x107, MarkMask: 0xff}, &tcp, false},
		{"status", conntrack.Filter{Status: conntrack.StatusAssured, StatusMask: conntrack.StatusAssured}, &tcp, true},
		{"status not set", conntrack.Filter{Status: 0, StatusMask: conntrack.StatusAssured}, &tcp, false},
		{"zone", conntrack.Filter{Zone: 5, HasZone: true}, &tcp, true},
		{"other zone", conntrack.Filter{Zone: 0, HasZone: true}, &tcp, false},
		{"zone of one direction", conntrack.Filter{Zone: 9, HasZone: true}, &oneWay, true},
		{"zone 0 of a one-direction zone's entry", conntrack.Filter{Zone: 0, HasZone: true}, &oneWay, false},
		{"source and port", conntrack.Filter{Family: 2, Orig: orig(conntrack.Tuple{Src: v4("198.18.1.1"), Proto: 6, SrcPort: 1000}, conntrack.MatchSrc|conntrack.MatchProto|conntrack.MatchSrcPort)}, &tcp, true},
		{"other port", conntrack.Filter{Family: 2, Orig: orig(conntrack.Tuple{Proto: 6, SrcPort: 1001}, conntrack.MatchProto|conntrack.MatchSrcPort)}, &tcp, false},
		{"reply source", conntrack.Filter{Family: 2, Reply: orig(conntrack.Tuple{Src: v4("198.18.1.2")}, conntrack.MatchSrc)}, &tcp, true},
		{"reply source is not the original's", conntrack.Filter{Family: 2, Reply: orig(conntrack.Tuple{Src: v4("198.18.1.1")}, conntrack.MatchSrc)}, &tcp, false},
		// What the kernel gets wrong: IPv6 addresses, ports of SCTP.
		{"IPv6 source", conntrack.Filter{Family: 10, Orig: orig(conntrack.Tuple{Src: v4("2001:db8::1")}, conntrack.MatchSrc)}, &sctp6, true},
		{"other IPv6 source", conntrack.Filter{Family: 10, Orig: orig(conntrack.Tuple{Src: v4("2001:db8::9")}, conntrack.MatchSrc)}, &sctp6, false},
		{"SCTP port", conntrack.Filter{Family: 10, Orig: orig(conntrack.Tuple{Proto: 132, DstPort: 38412}, conntrack.MatchProto|conntrack.MatchDstPort)}, &sctp6, true},
		{"other SCTP port", conntrack.Filter{Family: 10, Orig: orig(conntrack.Tuple{Proto: 132, DstPort: 2905}, conntrack.MatchProto|conntrack.MatchDstPort)}, &sctp6, false},
		{"ICMP id", conntrack.Filter{Family: 2, Orig: orig(conntrack.Tuple{Proto: 1, ICMPID: 77}, conntrack.MatchProto|conntrack.MatchICMPID)}, &icmp, true},
		{"ICMP type", conntrack.Filter{Family: 2, Orig: orig(conntrack.Tuple{Proto: 1, ICMPType: 0}, conntrack.MatchProto|conntrack.MatchICMPType)}, &icmp, false},
		{"another protocol", conntrack.Filter{Family: 2, Orig: orig(conntrack.Tuple{Proto: 1}, conntrack.MatchProto)}, &tcp, false},
	} {
		if got := tc.f.Match(tc.fl); got != tc.want {
			t.Errorf("%s: Match = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestFilterRefusedBeforeSending: filters whose fields the protocol does
// not have are refused by Flows and DeleteMatching before anything is
// sent.
func TestFilterRefusedBeforeSending(t *testing.T) {
	c := &conntrack.Conn{} // no socket: a request that went out would panic
	ctx := context.Background()
	for _, f := range []conntrack.Filter{
		{Family: 2, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Proto: 1, SrcPort: 5}, Match: conntrack.MatchProto | conntrack.MatchSrcPort}},
		{Family: 2, Reply: conntrack.TupleFilter{Tuple: conntrack.Tuple{Proto: 6, ICMPID: 5}, Match: conntrack.MatchProto | conntrack.MatchICMPID}},
		{Family: 2, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Src: netip.MustParseAddr("2001:db8::1")}, Match: conntrack.MatchSrc}},
	} {
		if err := c.DeleteMatching(ctx, f); !errors.Is(err, os.ErrInvalid) {
			t.Errorf("DeleteMatching(%+v) = %v, want an invalid argument", f, err)
		}
		for _, err := range c.Flows(ctx, f) {
			if !errors.Is(err, os.ErrInvalid) {
				t.Errorf("Flows(%+v) = %v, want an invalid argument", f, err)
			}
		}
	}
}

// TestDeleteMatchingByListing deletes by filters no kernel runs as Match
// does (an IPv6 address, SCTP's ports), which DeleteMatching deletes
// entry by entry, on the fake table.
func TestDeleteMatchingByListing(t *testing.T) {
	k := conntracktest.New()
	c, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	a, b, x := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2"), netip.MustParseAddr("2001:db8::3")
	flow := func(src netip.Addr, proto uint8, sport uint16) *conntrack.Flow {
		return &conntrack.Flow{
			Orig:    conntrack.Tuple{Src: src, Dst: b, Proto: proto, SrcPort: sport, DstPort: 53},
			Reply:   conntrack.Tuple{Src: b, Dst: src, Proto: proto, SrcPort: 53, DstPort: sport},
			Timeout: 30,
		}
	}
	for _, f := range []*conntrack.Flow{flow(a, 17, 1), flow(a, 17, 2), flow(x, 17, 3), flow(a, 132, 4), flow(a, 132, 5)} {
		if err := c.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	ports := func() []uint16 {
		var out []uint16
		for fl, err := range c.Flows(ctx, conntrack.Filter{}) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fl.Orig.SrcPort)
		}
		slices.Sort(out)
		return out
	}
	err = c.DeleteMatching(ctx, conntrack.Filter{Family: 10, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Src: x}, Match: conntrack.MatchSrc}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ports(); !slices.Equal(got, []uint16{1, 2, 4, 5}) {
		t.Fatalf("after deleting source %v: ports %v", x, got)
	}
	err = c.DeleteMatching(ctx, conntrack.Filter{Family: 10, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Proto: 132, SrcPort: 5}, Match: conntrack.MatchProto | conntrack.MatchSrcPort}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ports(); !slices.Equal(got, []uint16{1, 2, 4}) {
		t.Fatalf("after deleting SCTP port 5: ports %v", got)
	}
	// Flows lists by an IPv6 address what Match selects.
	var got []uint16
	for fl, err := range c.Flows(ctx, conntrack.Filter{Family: 10, Reply: conntrack.TupleFilter{Tuple: conntrack.Tuple{Dst: a, Proto: 17}, Match: conntrack.MatchDst | conntrack.MatchProto}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fl.Orig.SrcPort)
	}
	if slices.Sort(got); !slices.Equal(got, []uint16{1, 2}) {
		t.Errorf("Flows to %v over UDP: ports %v, want 1 and 2", a, got)
	}
}
