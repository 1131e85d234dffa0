package rtnltest

import (
	"context"
	"net/netip"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/nltest"
	"github.com/nlkit/netlink/rtnetlink"
)

// FuzzRequests feeds arbitrary requests to a fake namespace that has a
// few objects already (one request, then its payload read as a sequence of
// requests): whatever the bytes, the fake answers (or refuses)
// without a panic, and a dump of every table still works after.
func FuzzRequests(f *testing.F) {
	var all []byte // every seed request in one datagram
	for _, m := range seedRequests(f) {
		f.Add(uint16(m.Header.Type), uint16(m.Header.Flags), m.Data)
		all = netlink.AppendMessage(all, m.Header, m.Data)
	}
	f.Add(uint16(0), uint16(0), all)
	f.Fuzz(func(t *testing.T, typ, flags uint16, data []byte) {
		k := seeded(t)
		req := netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(typ), Flags: netlink.HeaderFlags(flags) | netlink.Request}, Data: data}
		k.handle(req)
		// The payload read as a datagram of requests too, one after the
		// other, so that one input can change the namespace step by step.
		for m, err := range netlink.Messages(data) {
			if err != nil {
				break
			}
			m.Header.Flags |= netlink.Request
			k.handle(m)
		}
		for _, typ := range []netlink.HeaderType{rtmGetLink, rtmGetAddr, rtmGetRoute, rtmGetNeigh, rtmGetRule} {
			if _, err := k.handle(netlink.Message{Header: netlink.Header{Type: typ, Flags: netlink.Request | netlink.Dump}, Data: []byte{0}}); err != nil {
				t.Fatalf("dump %d after %d/%#x %x: %v", typ, req.Header.Type, req.Header.Flags, data, err)
			}
		}
	})
}

// seeded returns a namespace with a veth pair, an address, a route, a
// neighbour and a rule.
func seeded(t testing.TB) *Kernel {
	k := New()
	l, err := k.AddLink(rtnetlink.Link{Name: "v0", Flags: rtnetlink.LinkUp, Data: &rtnetlink.Veth{PeerName: "v1"}})
	if err != nil {
		t.Fatal(err)
	}
	pfx := netip.MustParsePrefix
	for _, err := range []error{
		k.AddAddress(rtnetlink.Address{Index: l.Index, Prefix: pfx("198.18.0.1/24")}),
		k.AddRoute(rtnetlink.Route{Dst: pfx("198.19.0.0/16"), Gateway: netip.MustParseAddr("198.18.0.2")}),
		k.AddNeighbor(rtnetlink.Neighbor{Index: l.Index, IP: netip.MustParseAddr("198.18.0.2"), HardwareAddr: []byte{2, 0, 0, 0, 0, 2}}),
		k.AddRule(rtnetlink.Rule{Src: pfx("198.18.0.0/16"), Table: 5}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return k
}

// seedRequests records the requests of typed calls: every kind of
// request the fake answers, as rtnetlink sends it.
func seedRequests(t testing.TB) []netlink.Message {
	k := seeded(t)
	var reqs []netlink.Message
	rec := nltest.New(netlinkRoute, func(m netlink.Message) ([]netlink.Message, error) {
		reqs = append(reqs, netlink.Message{Header: m.Header, Data: append([]byte(nil), m.Data...)})
		return k.handle(m)
	})
	nl, err := rec.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	c := rtnetlink.New(nl)
	ctx := context.Background()
	pfx := netip.MustParsePrefix
	ip := netip.MustParseAddr
	for range c.Links(ctx, rtnetlink.LinkFilter{Kind: "veth", MasterIndex: 2}) {
	}
	for range c.Addresses(ctx, rtnetlink.AddressFilter{Index: 2}) {
	}
	for range c.Routes(ctx, rtnetlink.RouteFilter{Table: 254, Index: 2}) {
	}
	for range c.Neighbors(ctx, rtnetlink.NeighborFilter{Index: 2}) {
	}
	for range c.Rules(ctx, rtnetlink.RuleFilter{}) {
	}
	c.LinkByName(ctx, "v0")
	c.CreateLink(ctx, rtnetlink.Link{Name: "br0", Data: &rtnetlink.Bridge{STP: true}})
	c.CreateLink(ctx, rtnetlink.Link{Name: "vx0", Data: &rtnetlink.Vxlan{ID: 5, Remote: ip("198.18.0.9")}})
	c.CreateLink(ctx, rtnetlink.Link{Name: "mv0", ParentIndex: 2, Data: &rtnetlink.Macvlan{}})
	c.CreateLink(ctx, rtnetlink.Link{Name: "w0", Data: &rtnetlink.Veth{PeerName: "w1"}})
	c.SetLinkMTU(ctx, 2, 9000)
	c.SetLinkMaster(ctx, 2, 4)
	c.SetLinkAlias(ctx, 2, "x")
	c.SetLinkName(ctx, 2, "v9")
	c.SetLinkDown(ctx, 2)
	// The link settings users change.
	c.SetLinkPromisc(ctx, 2, true)
	c.SetLinkARP(ctx, 2, false)
	c.SetLinkGroup(ctx, 2, 3)
	c.SetLinkGSOMaxSize(ctx, 2, 30000)
	c.SetLinkGROIPv4MaxSize(ctx, 2, 20000)
	c.SetLinkAddrGenMode(ctx, 2, rtnetlink.AddrGenNone)
	c.SetLinkProtoDownReason(ctx, 6, 1, 1)
	c.SetLinkProtoDown(ctx, 6, true)
	c.AddLinkAltName(ctx, 2, "v0-alternative")
	c.LinkByAltName(ctx, "v0-alternative")
	c.DeleteLinkAltName(ctx, 2, "v0-alternative")
	c.SetLinkPort(ctx, 2, &rtnetlink.BridgePort{Cost: 5, Priority: 3, Learning: true})
	c.SetBridgePortState(ctx, 2, rtnetlink.BridgePortDisabled)
	c.SetLinkXDP(ctx, 2, -1, rtnetlink.XDPSKBMode)
	c.CreateLink(ctx, rtnetlink.Link{Name: "w2", Data: &rtnetlink.Veth{PeerName: "w3"}, MasterIndex: 4, Group: 2, GSOMaxSegs: 9,
		AltNames: []string{"w2-alternative"}, AddrGenMode: rtnetlink.AddrGenRandom, Port: &rtnetlink.BridgePort{Cost: 3}})
	c.AddAddress(ctx, rtnetlink.Address{Index: 3, Prefix: pfx("2001:db8::1/64")})
	c.DeleteAddress(ctx, rtnetlink.Address{Index: 3, Prefix: pfx("198.18.0.1/24")})
	c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.20.0.0/16"), MultiPath: []rtnetlink.NextHop{{Index: 3}, {Index: 2}}, Metrics: rtnetlink.Metrics{MTU: 1400}})
	c.DeleteRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.0.0/16")})
	c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: 3, IP: ip("2001:db8::2"), HardwareAddr: []byte{2, 0, 0, 0, 0, 3}})
	c.GetNeighbor(ctx, 3, ip("2001:db8::2"))
	c.DeleteNeighbor(ctx, rtnetlink.Neighbor{Index: 3, IP: ip("2001:db8::2")})
	c.AddRule(ctx, rtnetlink.Rule{Family: 10, Priority: 5, IIF: "v0", Mark: 1, Goto: 9})
	c.DeleteRule(ctx, rtnetlink.Rule{Family: 2, Priority: 32765})
	c.AddRule(ctx, rtnetlink.Rule{Family: 2, Priority: 6, Table: 5, HasUIDRange: true, UIDRange: rtnetlink.UIDRange{Start: 1, End: 2}, IPProto: 6,
		SPort: rtnetlink.PortRange{Start: 1, End: 9}, DPort: rtnetlink.PortRange{Start: 80, End: 80}, DPortMask: 0xf0, HasSuppressPrefixLen: true, TunID: 3, Realms: 4, DSCP: 5})
	c.AddRule(ctx, rtnetlink.Rule{Family: 10, Priority: 7, L3MDev: true, FlowLabel: 1, HasSuppressIfGroup: true, SuppressIfGroup: 2})
	c.AppendRoute(ctx, rtnetlink.Route{Dst: pfx("198.21.0.0/16"), Index: 2, Realms: 5, Encap: &rtnetlink.IPEncap{ID: 1, Dst: ip("198.18.0.9")}})
	c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.22.0.0/16"), MultiPath: []rtnetlink.NextHop{{Index: 2, Realms: 6, Encap: &rtnetlink.MPLSEncap{Labels: []uint32{16}}}, {Index: 2, Encap: &rtnetlink.RawEncap{Type: 99, Data: "\x05\x00\x01\x00\x07\x00\x00\x00"}}}})
	c.DeleteRoute(ctx, rtnetlink.Route{Dst: pfx("198.21.0.0/16"), Index: 2, Realms: 5, Encap: &rtnetlink.IPEncap{ID: 1, Dst: ip("198.18.0.9")}})
	c.DeleteLink(ctx, 3)
	return reqs
}

// TestSeedRequests checks that the seeds are many, so that a change to
// the typed calls does not leave the fuzzer with none.
func TestSeedRequests(t *testing.T) {
	if n := len(seedRequests(t)); n < 25 {
		t.Errorf("%d seed requests", n)
	}
}
