package rtnetlink_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/rtnetlink"
)

// wpRouteMessage returns an IPv4 route message of type typ for dst, of
// family family (AF_INET, or another to test that it is left alone).
func wpRouteMessage(t testing.TB, typ netlink.HeaderType, family uint8, dst netip.Prefix) netlink.Message {
	t.Helper()
	b := make([]byte, uapi.SizeofRtMsg, 64)
	b[0], b[1], b[4], b[5], b[7] = family, uint8(dst.Bits()), uapi.RT_TABLE_MAIN, uapi.RTPROT_BOOT, uapi.RTN_UNICAST
	e := netlink.NewAttrEncoder(b)
	e.Addr(uapi.RTA_DST, dst.Addr())
	e.Uint32(uapi.RTA_OIF, 2)
	data, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return netlink.Message{Header: netlink.Header{Type: typ}, Data: data}
}

// TestParseEvent decodes events from bytes: a route deletion, a route of a
// family Event does not decode, a bridge port's link message, a neighbour
// message of no family, typed neighbours, FDB entries, rules, nexthops and
// buckets, a multicast routing rule, and malformed messages.
func TestParseEvent(t *testing.T) {
	dst := netip.MustParsePrefix("10.2.0.0/16")
	ev, err := rtnetlink.ParseEvent(wpRouteMessage(t, uapi.RTM_DELROUTE, uapi.AF_INET, dst))
	if err != nil || ev.Route == nil || ev.Route.Dst != dst || ev.Route.Index != 2 || !ev.Deleted() || ev.Type != uapi.RTM_DELROUTE {
		t.Errorf("RTM_DELROUTE: %+v, %v", ev, err)
	}
	if _, err := rtnetlink.ParseRoute(wpRouteMessage(t, uapi.RTM_NEWROUTE, uapi.AF_MPLS, dst)); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("ParseRoute of an MPLS route: %v, want errors.ErrUnsupported", err)
	}
	ev, err = rtnetlink.ParseEvent(wpRouteMessage(t, uapi.RTM_NEWROUTE, uapi.AF_MPLS, dst))
	if err != nil || ev.Route != nil || ev.Deleted() || len(ev.Message.Data) == 0 {
		t.Errorf("MPLS route: %+v, %v; want the message alone", ev, err)
	}
	bridge := netlink.Message{Header: netlink.Header{Type: uapi.RTM_DELLINK}, Data: make([]byte, uapi.SizeofIfInfomsg)}
	bridge.Data[0] = uapi.AF_BRIDGE
	if ev, err := rtnetlink.ParseEvent(bridge); err != nil || ev.Link != nil || !ev.Deleted() {
		t.Errorf("bridge port message: %+v, %v; want the message alone", ev, err)
	}
	neigh := netlink.Message{Header: netlink.Header{Type: uapi.RTM_NEWNEIGH}, Data: make([]byte, 12)}
	if ev, err := rtnetlink.ParseEvent(neigh); err != nil || ev.Link != nil || ev.Address != nil || ev.Route != nil || ev.Deleted() {
		t.Errorf("neighbour message: %+v, %v; want the message alone", ev, err)
	}
	typed := []struct {
		typ  netlink.HeaderType
		data []byte
		ok   func(ev rtnetlink.Event) bool
	}{
		{uapi.RTM_DELNEIGH, []byte{2, 0, 0, 0, 3, 0, 0, 0, 0x80, 0, 0, 0, 8, 0, 1, 0, 198, 18, 0, 9}, func(ev rtnetlink.Event) bool {
			return ev.Neighbor != nil && ev.Neighbor.IP == netip.MustParseAddr("198.18.0.9") && ev.Neighbor.Index == 3 && ev.Deleted()
		}},
		{uapi.RTM_NEWNEIGH, []byte{7, 0, 0, 0, 4, 0, 0, 0, 0x40, 0, 2, 0, 10, 0, 2, 0, 2, 0, 0, 0, 0, 1, 0, 0, 8, 0, 7, 0, 42, 0, 0, 0}, func(ev rtnetlink.Event) bool {
			return ev.FDB != nil && ev.FDB.HardwareAddr.String() == "02:00:00:00:00:01" && ev.FDB.VNI == 42 && ev.FDB.Flags == rtnetlink.NeighSelf
		}},
		{uapi.RTM_NEWRULE, []byte{10, 0, 0, 0, 100, 0, 0, 1, 0, 0, 0, 0, 8, 0, 6, 0, 100, 0, 0, 0}, func(ev rtnetlink.Event) bool {
			return ev.Rule != nil && ev.Rule.Family == uapi.AF_INET6 && ev.Rule.Priority == 100
		}},
		{uapi.RTM_NEWRULE, []byte{128, 0, 0, 0, 100, 0, 0, 1, 0, 0, 0, 0}, func(ev rtnetlink.Event) bool { // RTNL_FAMILY_IPMR
			return ev.Rule == nil && len(ev.Message.Data) == 12
		}},
		{uapi.RTM_DELNEXTHOP, []byte{2, 0, 0, 0, 0, 0, 0, 0, 8, 0, 1, 0, 50, 0, 0, 0}, func(ev rtnetlink.Event) bool {
			return ev.NextHop != nil && ev.NextHop.ID == 50 && ev.Deleted()
		}},
		{116, []byte{0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 1, 0, 10, 0, 0, 0, 20, 0, 13, 0x80, 6, 0, 1, 0, 3, 0, 0, 0, 8, 0, 3, 0, 2, 0, 0, 0}, func(ev rtnetlink.Event) bool {
			b := ev.NextHopBucket
			return b != nil && b.ID == 10 && b.Index == 3 && b.NextHopID == 2 && !ev.Deleted()
		}},
	}
	for _, tc := range typed {
		ev, err := rtnetlink.ParseEvent(netlink.Message{Header: netlink.Header{Type: tc.typ}, Data: tc.data})
		if err != nil || !tc.ok(ev) {
			t.Errorf("%v: %+v, %v", tc.typ, ev, err)
		}
	}
	for _, m := range []netlink.Message{
		{Header: netlink.Header{Type: uapi.RTM_NEWNEIGH}, Data: []byte{2, 0, 0}},
		{Header: netlink.Header{Type: uapi.RTM_NEWRULE}, Data: []byte{2, 0, 0}},
		{Header: netlink.Header{Type: uapi.RTM_NEWNEXTHOP}, Data: []byte{2, 0, 0}},
		{Header: netlink.Header{Type: 117}, Data: []byte{2, 0, 0}},
		{Header: netlink.Header{Type: uapi.RTM_NEWROUTE}, Data: make([]byte, 4)},
		{Header: netlink.Header{Type: uapi.RTM_DELADDR}, Data: make([]byte, 4)},
		{Header: netlink.Header{Type: uapi.RTM_NEWLINK}, Data: make([]byte, 4)},
	} {
		if ev, err := rtnetlink.ParseEvent(m); !errors.Is(err, netlink.ErrMalformed) || ev.Type != m.Header.Type {
			t.Errorf("short %v: %+v, %v; want netlink.ErrMalformed", m.Header.Type, ev, err)
		}
	}
	if _, err := rtnetlink.ParseAddress(bridge); !errors.Is(err, netlink.ErrMalformed) {
		t.Errorf("ParseAddress of a link message: %v, want netlink.ErrMalformed", err)
	}
}

// FuzzParseEvent checks that ParseEvent never panics, and that what it
// decodes is one object at most, of the message's type.
func FuzzParseEvent(f *testing.F) {
	dst := netip.MustParsePrefix("10.2.0.0/16")
	f.Add(uint16(uapi.RTM_DELROUTE), wpRouteMessage(f, uapi.RTM_DELROUTE, uapi.AF_INET, dst).Data)
	f.Add(uint16(uapi.RTM_NEWADDR), []byte{2, 24, 0, 0, 2, 0, 0, 0, 8, 0, 2, 0, 10, 0, 0, 1})
	f.Add(uint16(uapi.RTM_NEWLINK), make([]byte, uapi.SizeofIfInfomsg))
	f.Add(uint16(uapi.RTM_NEWNEIGH), []byte{7, 0, 0, 0, 4, 0, 0, 0, 0x40, 0, 2, 0, 10, 0, 2, 0, 2, 0, 0, 0, 0, 1, 0, 0, 8, 0, 7, 0, 42, 0, 0, 0})
	f.Add(uint16(uapi.RTM_DELRULE), []byte{2, 0, 0, 0, 100, 0, 0, 1, 0, 0, 0, 0, 8, 0, 6, 0, 100, 0, 0, 0})
	f.Add(uint16(uapi.RTM_NEWNEXTHOP), []byte{2, 0, 0, 0, 0, 0, 0, 0, 8, 0, 1, 0, 50, 0, 0, 0})
	f.Add(uint16(116), []byte{0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 1, 0, 10, 0, 0, 0, 20, 0, 13, 0x80, 6, 0, 1, 0, 3, 0, 0, 0, 8, 0, 3, 0, 2, 0, 0, 0})
	f.Fuzz(func(t *testing.T, typ uint16, data []byte) {
		ev, err := rtnetlink.ParseEvent(netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(typ)}, Data: data})
		if ev.Type != netlink.HeaderType(typ) {
			t.Fatalf("type %d, want %d", ev.Type, typ)
		}
		if err == nil && ev.Route != nil && typ != uapi.RTM_NEWROUTE && typ != uapi.RTM_DELROUTE {
			t.Fatalf("a route from a message of type %d", typ)
		}
		n := 0
		for _, set := range []bool{ev.Link != nil, ev.Address != nil, ev.Route != nil, ev.Neighbor != nil, ev.FDB != nil, ev.Rule != nil, ev.NextHop != nil, ev.NextHopBucket != nil} {
			if set {
				n++
			}
		}
		if n > 1 || err != nil && n != 0 {
			t.Fatalf("%d objects (error %v) from one message of type %d: %+v", n, err, typ, ev)
		}
		if err == nil && (ev.Neighbor != nil || ev.FDB != nil) && typ != uapi.RTM_NEWNEIGH && typ != uapi.RTM_DELNEIGH ||
			err == nil && ev.Rule != nil && typ != uapi.RTM_NEWRULE && typ != uapi.RTM_DELRULE ||
			err == nil && ev.NextHop != nil && typ != uapi.RTM_NEWNEXTHOP && typ != uapi.RTM_DELNEXTHOP ||
			err == nil && ev.NextHopBucket != nil && typ != 116 && typ != 117 {
			t.Fatalf("an object of another type from a message of type %d: %+v", typ, ev)
		}
	})
}
