package rtnltest_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"github.com/nlkit/netlink/rtnetlink/rtnltest"
)

// TestSameAsKernel runs one scenario of typed calls against the kernel, in
// a network namespace of the test's, and against the fake, and compares
// the transcripts line by line: every call's result (errno and extended
// ACK message) and the listings of links, addresses, routes, neighbours
// and rules after each step, then the notifications a Conn that joined
// the IPv4 address, route and rule groups and the neighbour group
// received meanwhile. Left out of the transcript, as the fake does
// not model them: hardware addresses (random), traffic counters, the
// operational state and LOWER_UP/RUNNING (the kernel sets them a moment
// later, from its link watch), RTNH_F_LINKDOWN (likewise), IPv6
// link-local addresses and the fe80::/64 and ff00::/8 routes
// autoconfiguration adds (and its multicast neighbour entries), and the local routes of IPv6 addresses (the
// kernel adds them from a work queue, once DAD is done or skipped).
func TestSameAsKernel(t *testing.T) {
	fake := rtnltest.New()
	lo, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := lo.SetLinkUp(context.Background(), 1); err != nil { // as nstest leaves it
		t.Fatal(err)
	}
	lo.Close()
	fw, err := fake.Dial(&netlink.Config{Groups: watched})
	if err != nil {
		t.Fatal(err)
	}
	defer fw.Close()
	fc, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	want := append(scenario(t, fc), events(t, fc, fw)...)

	ns := nstest.New(t)
	kw, err := rtnetlink.Dial(&netlink.Config{NetNS: ns.Path, Groups: watched})
	if err != nil {
		t.Fatal(err)
	}
	defer kw.Close()
	kc, err := rtnetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	got := append(scenario(t, kc), events(t, kc, kw)...)

	bad := 0
	for i := 0; i < max(len(got), len(want)) && bad < 12; i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			bad++
			t.Errorf("line %d:\nkernel: %s\nfake:   %s", i, g, w)
		}
	}
}

// scenario runs the calls on c and returns the transcript.
func scenario(t *testing.T, c *rtnetlink.Conn) []string {
	ctx := context.Background()
	var out []string
	say := func(what string, err error) {
		out = append(out, what+": "+errString(err))
	}
	list := func(step string) {
		out = append(out, "-- "+step)
		for l, err := range c.Links(ctx, rtnetlink.LinkFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, "link "+linkString(l))
		}
		for a, err := range c.Addresses(ctx, rtnetlink.AddressFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			if a.Prefix.Addr().IsLinkLocalUnicast() {
				continue
			}
			out = append(out, fmt.Sprintf("addr %d %v peer=%v brd=%v label=%q scope=%v flags=%v valid=%d pref=%d metric=%d proto=%d",
				a.Index, a.Prefix, a.Peer, a.Broadcast, a.Label, a.Scope, a.Flags, a.ValidLifetime, a.PreferredLifetime, a.Metric, a.Protocol))
		}
		for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			if r.Dst.Addr().IsLinkLocalUnicast() || r.Dst.Addr().IsMulticast() || r.Dst.Addr().Is6() && r.Type == rtnetlink.RouteLocal {
				continue
			}
			r.Flags &^= rtnetlink.NextHopLinkDown
			for i := range r.MultiPath {
				r.MultiPath[i].Flags &^= rtnetlink.NextHopLinkDown
			}
			out = append(out, fmt.Sprintf("route %v from %v via %v dev %d src %v proto %v scope %v type %v table %d metric %d tos %d flags %v pref %d hops %v metrics %+v realms %d encap %+v",
				r.Dst, r.Src, r.Gateway, r.Index, r.PrefSrc, r.Protocol, r.Scope, r.Type, r.Table, r.Priority, r.TOS, r.Flags, r.Pref, r.MultiPath, r.Metrics, r.Realms, r.Encap))
		}
		var neighs []string // in the kernel's hash order: sorted
		for n, err := range c.Neighbors(ctx, rtnetlink.NeighborFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			if n.IP.IsMulticast() {
				continue // IPv6 autoconfiguration's MLD entries
			}
			neighs = append(neighs, fmt.Sprintf("neigh %d %v %v %v %v", n.Index, n.IP, n.HardwareAddr, n.State, n.Flags))
		}
		slices.Sort(neighs)
		out = append(out, neighs...)
		for r, err := range c.Rules(ctx, rtnetlink.RuleFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("rule %+v", r))
		}
	}
	pfx := netip.MustParsePrefix
	ip := netip.MustParseAddr
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}

	say("up lo", c.SetLinkUp(ctx, 1)) // nstest sets it up
	list("fresh")
	v0, err := c.CreateLink(ctx, rtnetlink.Link{Name: "v0", Data: &rtnetlink.Veth{PeerName: "v1"}})
	say("create v0", err)
	br, err := c.CreateLink(ctx, rtnetlink.Link{Name: "br0", Kind: "bridge"})
	say("create br0", err)
	_, err = c.CreateLink(ctx, rtnetlink.Link{Name: "mv0", ParentIndex: v0.ParentIndex, Data: &rtnetlink.Macvlan{Mode: rtnetlink.MacvlanBridge}})
	say("create mv0", err)
	_, err = c.CreateLink(ctx, rtnetlink.Link{Name: "vx0", Data: &rtnetlink.Vxlan{ID: 42, Port: 4789}})
	say("create vx0", err)
	_, err = c.CreateLink(ctx, rtnetlink.Link{Name: "vx1", Data: &rtnetlink.Vxlan{ID: 42, Port: 4789}})
	say("create vx1, same VNI", err)
	_, err = c.CreateLink(ctx, rtnetlink.Link{Name: "w0", MTU: 9000, TxQueueLen: 5, Data: &rtnetlink.Veth{PeerName: "w1"}})
	say("create w0", err)
	_, err = c.CreateLink(ctx, rtnetlink.Link{Name: "ifb%d", Kind: "ifb"})
	say("create ifb%d", err)
	_, err = c.CreateLink(ctx, rtnetlink.Link{Name: "v0", Kind: "bridge"})
	say("create v0 again", err)
	_, err = c.CreateLink(ctx, rtnetlink.Link{Name: "t0", Data: &rtnetlink.Tun{}})
	say("create tun", err)
	_, err = c.CreateLink(ctx, rtnetlink.Link{Name: "x0", Kind: "no-such-kind"})
	say("create unknown kind", err)
	_, err = c.CreateLink(ctx, rtnetlink.Link{Name: "vx2", Data: &rtnetlink.Vxlan{ID: 1 << 24}})
	say("create VNI too large", err)
	_, err = c.Link(ctx, 999)
	say("get 999", err)
	_, err = c.LinkByName(ctx, "nope")
	say("get nope", err)
	say("mtu 10", c.SetLinkMTU(ctx, v0.Index, 10))
	say("mtu 70000", c.SetLinkMTU(ctx, v0.Index, 70000))
	say("mtu 9000", c.SetLinkMTU(ctx, v0.Index, 9000))
	say("master v1", c.SetLinkMaster(ctx, v0.Index, v0.ParentIndex))
	say("master br0", c.SetLinkMaster(ctx, v0.Index, br.Index))
	say("master 999", c.SetLinkMaster(ctx, v0.Index, 999))
	say("alias", c.SetLinkAlias(ctx, v0.Index, "to v1"))
	say("alias too long", c.SetLinkAlias(ctx, v0.Index, strings.Repeat("x", 256)))
	say("up v0", c.SetLinkUp(ctx, v0.Index))
	say("rename v0 while up", c.SetLinkName(ctx, v0.Index, "uplink"))
	say("rename v1 to v0", c.SetLinkName(ctx, v0.ParentIndex, "v0"))
	say("up lo", c.SetLinkUp(ctx, 1))
	say("delete lo", c.DeleteLink(ctx, 1))
	// The settings users change, and a link created with them.
	say("promisc v0", c.SetLinkPromisc(ctx, v0.Index, true))
	say("arp off v0", c.SetLinkARP(ctx, v0.Index, false))
	say("arp on v0", c.SetLinkARP(ctx, v0.Index, true)) // the neighbour steps need ARP
	say("arp off v1", c.SetLinkARP(ctx, v0.ParentIndex, false))
	say("txqueuelen v0", c.SetLinkTxQueueLen(ctx, v0.Index, 77))
	say("group v0", c.SetLinkGroup(ctx, v0.Index, 4))
	say("gso v0", c.SetLinkGSOMaxSize(ctx, v0.Index, 40000))
	say("gso segs v0", c.SetLinkGSOMaxSegs(ctx, v0.Index, 99))
	say("gro v0", c.SetLinkGROMaxSize(ctx, v0.Index, 50000))
	say("gso ipv4 v0", c.SetLinkGSOIPv4MaxSize(ctx, v0.Index, 30000))
	say("gro ipv4 v0", c.SetLinkGROIPv4MaxSize(ctx, v0.Index, 20000))
	say("addrgenmode v0", c.SetLinkAddrGenMode(ctx, v0.Index, rtnetlink.AddrGenNone))
	say("altname v0", c.AddLinkAltName(ctx, v0.Index, "v0-alternative-name-longer-than-ifnamsiz"))
	say("altname v0 taken", c.AddLinkAltName(ctx, v0.ParentIndex, "v0-alternative-name-longer-than-ifnamsiz"))
	say("altname missing", c.DeleteLinkAltName(ctx, v0.Index, "nope"))
	l, err := c.LinkByAltName(ctx, "v0-alternative-name-longer-than-ifnamsiz")
	say(fmt.Sprintf("get by altname: %d==%d", l.Index, v0.Index), err)
	_, err = c.LinkByAltName(ctx, "nope")
	say("get by missing altname", err)
	say("protodown veth", c.SetLinkProtoDown(ctx, v0.Index, true))
	say("vf trust veth", c.SetLinkVF(ctx, v0.Index, rtnetlink.VFInfo{ID: 0, Has: rtnetlink.VFHasTrust, Trust: true}))
	say("protodown reason mv0", c.SetLinkProtoDownReason(ctx, 5, 6, 2))
	say("protodown mv0", c.SetLinkProtoDown(ctx, 5, true))
	say("protodown off mv0 with a reason", c.SetLinkProtoDown(ctx, 5, false))
	if p, ok := getPort(ctx, c, v0.Index); ok {
		p.Cost, p.Priority, p.Learning, p.Isolated, p.Hairpin = 8, 3, false, true, true
		say("port settings v0", c.SetLinkPort(ctx, v0.Index, p))
	} else {
		say("v0 is no bridge port", nil)
	}
	say("port settings v1, no master", c.SetLinkPort(ctx, v0.ParentIndex, &rtnetlink.BridgePort{Cost: 5}))
	say("port state v0", c.SetBridgePortState(ctx, v0.Index, rtnetlink.BridgePortDisabled))
	say("port state v1, no master", c.SetBridgePortState(ctx, v0.ParentIndex, rtnetlink.BridgePortDisabled))
	_, err = c.CreateLink(ctx, rtnetlink.Link{Name: "w9", Data: &rtnetlink.Veth{PeerName: "w8"}, Group: 3, GSOMaxSize: 30000,
		AltNames: []string{"w9-alternative"}, AddrGenMode: rtnetlink.AddrGenRandom, MasterIndex: br.Index, Port: &rtnetlink.BridgePort{Cost: 9, Learning: true}})
	say("create w9 with settings", err)
	list("links")

	say("addr", c.AddAddress(ctx, rtnetlink.Address{Index: v0.Index, Prefix: pfx("198.18.0.1/24")}))
	say("addr again", c.AddAddress(ctx, rtnetlink.Address{Index: v0.Index, Prefix: pfx("198.18.0.1/24")}))
	say("addr secondary", c.AddAddress(ctx, rtnetlink.Address{Index: v0.Index, Prefix: pfx("198.18.0.2/24"), Label: "v0:1"}))
	say("addr on down v1", c.AddAddress(ctx, rtnetlink.Address{Index: v0.ParentIndex, Prefix: pfx("198.18.1.1/24"), Metric: 7}))
	say("addr6", c.AddAddress(ctx, rtnetlink.Address{Index: v0.Index, Prefix: pfx("2001:db8::1/64"), Flags: rtnetlink.AddrNoDAD}))
	say("addr6 again", c.AddAddress(ctx, rtnetlink.Address{Index: v0.Index, Prefix: pfx("2001:db8::1/64"), Flags: rtnetlink.AddrNoDAD}))
	say("addr missing link", c.AddAddress(ctx, rtnetlink.Address{Index: 999, Prefix: pfx("198.18.9.1/24")}))
	say("del missing addr", c.DeleteAddress(ctx, rtnetlink.Address{Index: v0.Index, Prefix: pfx("198.18.9.1/24")}))
	say("del missing addr6", c.DeleteAddress(ctx, rtnetlink.Address{Index: v0.Index, Prefix: pfx("2001:db8::9/64")}))
	say("replace addr", c.ReplaceAddress(ctx, rtnetlink.Address{Index: v0.Index, Prefix: pfx("198.18.0.1/24"), Metric: 5}))
	list("addresses")

	say("route via", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.1.0/24"), Gateway: ip("198.18.0.9")}))
	say("route via again", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.1.0/24"), Gateway: ip("198.18.0.9")}))
	say("route replace", c.ReplaceRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.1.0/24"), Gateway: ip("198.18.0.8"), Priority: 0}))
	say("route unreachable gw", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.2.0/24"), Gateway: ip("192.0.2.1")}))
	say("route missing link", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.2.0/24"), Index: 999}))
	say("route down link", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.2.0/24"), Index: v0.ParentIndex}))
	say("route dev", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.3.0/24"), Index: v0.Index, Table: 1000, Priority: 9}))
	say("route blackhole", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.4.0/24"), Type: rtnetlink.RouteBlackhole, Table: 5}))
	say("route multipath", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.5.0/24"), MultiPath: []rtnetlink.NextHop{
		{Gateway: ip("198.18.0.7"), Weight: 2}, {Gateway: ip("198.18.0.6")}}}))
	say("route6 via", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("2001:db8:1::/48"), Gateway: ip("2001:db8::9")}))
	say("route6 dev", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("2001:db8:2::/48"), Index: v0.Index, Priority: 7}))
	say("route6 unreachable gw", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("2001:db8:50::/48"), Gateway: ip("2001:db8:99::1"), Index: v0.Index}))
	say("route6 again", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("2001:db8:1::/48"), Gateway: ip("2001:db8::9")}))
	say("del missing route", c.DeleteRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.9.0/24")}))
	say("del route missing table", c.DeleteRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.9.0/24"), Table: 55}))
	say("del missing route6", c.DeleteRoute(ctx, rtnetlink.Route{Dst: pfx("2001:db8:9::/48")}))
	say("del blackhole", c.DeleteRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.4.0/24"), Table: 5}))
	// Scope 0 and protocol 0 as a listing has them: sent as they are; a
	// delete with scope 0 matches the universe scope alone.
	say("route dev scope 0 proto 0", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.6.0/24"), Index: v0.Index, HasScope: true, HasProtocol: true}))
	say("del route dev scope link", c.DeleteRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.6.0/24"), Index: v0.Index, Scope: rtnetlink.ScopeLink}))
	say("route dev scope link", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.6.128/25"), Index: v0.Index}))
	say("del route dev scope 0", c.DeleteRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.6.128/25"), Index: v0.Index, HasScope: true}))
	say("route6 dev proto 0", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("2001:db8:3::/48"), Index: v0.Index, HasScope: true, HasProtocol: true}))
	// Raw requests for what the typed calls do not send.
	rt := func(dst string, bits byte, oif uint32) []byte {
		b := []byte{syscall.AF_INET, bits, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0} // main, boot, universe, unicast
		e := netlink.NewAttrEncoder(b)
		e.Addr(1, ip(dst)) // RTA_DST
		e.Uint32(4, oif)   // RTA_OIF
		out, _ := e.Finish()
		return out
	}
	say("raw route change, no create", raw(c, 24, netlink.Replace, rt("198.19.7.0", 24, uint32(v0.Index))))
	say("raw route append", raw(c, 24, netlink.Create, rt("198.19.3.0", 24, uint32(v0.Index))))
	say("raw route append again", raw(c, 24, netlink.Create, rt("198.19.3.0", 24, uint32(v0.Index))))
	say("raw route unmasked", raw(c, 24, netlink.Create|netlink.Excl, rt("198.19.7.1", 24, uint32(v0.Index))))
	say("raw route bad length", raw(c, 24, netlink.Create|netlink.Excl, rt("198.19.7.0", 33, uint32(v0.Index))))
	bad6 := []byte{syscall.AF_INET6, 129, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0}
	say("raw route6 bad length", raw(c, 24, netlink.Create|netlink.Excl, bad6))
	// The kernel reports every field of an ip encapsulation: these are set.
	encap := &rtnetlink.IPEncap{ID: 9, Dst: ip("198.18.0.9"), Src: ip("198.18.0.1"), TTL: 4}
	say("route realms encap", c.AddRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.8.0/24"), Index: v0.Index, Realms: 5, Encap: encap}))
	say("route append realm", c.AppendRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.8.0/24"), Index: v0.Index, Realms: 6, Encap: encap}))
	say("route append same", c.AppendRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.8.0/24"), Index: v0.Index, Realms: 6, Encap: encap}))
	say("del route realm 6", c.DeleteRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.8.0/24"), Index: v0.Index, Realms: 6, Encap: encap}))
	say("del route realm 6 again", c.DeleteRoute(ctx, rtnetlink.Route{Dst: pfx("198.19.8.0/24"), Index: v0.Index, Realms: 6, Encap: encap}))
	ifi := func(name string, mtu uint32) []byte {
		e := netlink.NewAttrEncoder(make([]byte, 16)) // ifinfomsg, index 0
		if name != "" {
			e.String(3, name) // IFLA_IFNAME
		}
		if mtu != 0 {
			e.Uint32(4, mtu) // IFLA_MTU
		}
		out, _ := e.Finish()
		return out
	}
	say("raw newlink, no create", raw(c, 16, 0, ifi("nosuch0", 0)))
	say("raw newlink on an existing link", raw(c, 16, 0, ifi("v0", 1400)))
	say("raw newlink excl on an existing link", raw(c, 16, netlink.Create|netlink.Excl, ifi("v0", 1400)))
	say("raw getlink, neither index nor name", raw(c, 18, 0, ifi("", 0)))
	say("raw setlink by name", raw(c, 19, 0, ifi("v0", 1300)))
	say("raw dellink by name, missing", raw(c, 17, 0, ifi("nosuch0", 0)))
	list("routes")

	say("neigh", c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("198.18.0.5"), HardwareAddr: mac}))
	say("neigh again", c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("198.18.0.5"), HardwareAddr: mac}))
	say("neigh replace", c.ReplaceNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("198.18.0.5"), HardwareAddr: mac, State: rtnetlink.NeighReachable}))
	say("neigh no lladdr", c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("198.18.0.4"), State: rtnetlink.NeighPermanent}))
	say("neigh missing link", c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: 999, IP: ip("198.18.0.4"), HardwareAddr: mac}))
	say("neigh6", c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("2001:db8::5"), HardwareAddr: mac}))
	say("neigh proxy", c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("198.18.0.3"), Flags: rtnetlink.NeighProxy}))
	say("del missing neigh", c.DeleteNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("198.18.0.99")}))
	say("neigh none", c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("198.18.0.6")}))
	say("neigh failed with lladdr", c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("198.18.0.7"), HardwareAddr: mac, State: rtnetlink.NeighFailed}))
	say("neigh stale router", c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("2001:db8::7"), HardwareAddr: mac, State: rtnetlink.NeighStale, Flags: rtnetlink.NeighRouter | rtnetlink.NeighExtLearned}))
	say("neigh managed", c.AddNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("198.18.0.8"), HardwareAddr: mac, Flags: rtnetlink.NeighManaged}))
	say("neigh6 proxy of no link", c.AddNeighbor(ctx, rtnetlink.Neighbor{IP: ip("2001:db8::8"), Flags: rtnetlink.NeighProxy}))
	say("neigh proxy of no link", c.AddNeighbor(ctx, rtnetlink.Neighbor{IP: ip("198.18.0.9"), Flags: rtnetlink.NeighProxy}))
	say("del neigh", c.DeleteNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("2001:db8::7")}))
	say("del neigh none", c.DeleteNeighbor(ctx, rtnetlink.Neighbor{Index: v0.Index, IP: ip("198.18.0.6")}))
	// Linux 6.18 keeps a proxy entry of no link after its namespace.
	say("del neigh proxy of no link", c.DeleteNeighbor(ctx, rtnetlink.Neighbor{IP: ip("198.18.0.9"), Flags: rtnetlink.NeighProxy}))
	_, err = c.GetNeighbor(ctx, v0.Index, ip("198.18.0.5"))
	say("get neigh", err)
	_, err = c.GetNeighbor(ctx, v0.Index, ip("198.18.0.99"))
	say("get missing neigh", err)
	list("neighbours")

	say("rule", c.AddRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET, Priority: 100, Table: 5}))
	say("rule again", c.AddRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET, Priority: 100, Table: 5}))
	say("rule default priority", c.AddRule(ctx, rtnetlink.Rule{Src: pfx("198.18.0.0/16"), Table: 6}))
	say("rule goto", c.AddRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET, Priority: 50, Goto: 100}))
	say("rule goto nowhere", c.AddRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET, Action: rtnetlink.RuleGoto}))
	say("rule6 mark", c.AddRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET6, Priority: 10, Mark: 7, Table: 9, IIF: "v0"}))
	say("rule selectors", c.AddRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET, Priority: 20, Table: 5, HasUIDRange: true, UIDRange: rtnetlink.UIDRange{Start: 1000, End: 2000},
		IPProto: syscall.IPPROTO_TCP, SPort: rtnetlink.PortRange{Start: 1000, End: 2000}, DPort: rtnetlink.PortRange{Start: 80, End: 80}, TunID: 7, Realms: 1<<16 | 2, DSCP: 10}))
	say("rule selectors again", c.AddRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET, Priority: 20, Table: 5, HasUIDRange: true, UIDRange: rtnetlink.UIDRange{Start: 1000, End: 2000},
		IPProto: syscall.IPPROTO_TCP, SPort: rtnetlink.PortRange{Start: 1000, End: 2000}, DPort: rtnetlink.PortRange{Start: 80, End: 80}, TunID: 7, Realms: 1<<16 | 2, DSCP: 10}))
	say("rule suppress", c.AddRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET, Priority: 21, Table: 254, HasSuppressPrefixLen: true, HasSuppressIfGroup: true, SuppressIfGroup: 3}))
	say("rule6 selectors", c.AddRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET6, Priority: 20, Table: 5, FlowLabel: 0x100, FlowLabelMask: 0xf00, DSCP: 4, DSCPMask: 0x3c, IPProto: syscall.IPPROTO_UDP, DPort: rtnetlink.PortRange{Start: 0x10, End: 0x10}, DPortMask: 0xf0}))
	say("rule6 l3mdev", c.AddRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET6, Priority: 21, L3MDev: true}))
	say("rule6 l3mdev table", c.AddRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET6, Priority: 22, L3MDev: true, Table: 5}))
	say("del rule uid range", c.DeleteRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET, HasUIDRange: true, UIDRange: rtnetlink.UIDRange{Start: 1000, End: 2000}}))
	say("del rule uid range again", c.DeleteRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET, HasUIDRange: true, UIDRange: rtnetlink.UIDRange{Start: 1000, End: 2000}}))
	say("del missing rule", c.DeleteRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET6, Priority: 4242}))
	say("del rule", c.DeleteRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET, Priority: 100}))
	list("rules")

	say("down v0", c.SetLinkDown(ctx, v0.Index))
	list("v0 down")
	say("up v0", c.SetLinkUp(ctx, v0.Index))
	list("v0 up")
	say("del addr", c.DeleteAddress(ctx, rtnetlink.Address{Index: v0.Index, Prefix: pfx("198.18.0.1/24")}))
	list("primary deleted")
	say("delete v0", c.DeleteLink(ctx, v0.Index))
	say("delete v0 again", c.DeleteLink(ctx, v0.Index))
	say("delete br0", c.DeleteLink(ctx, br.Index))
	list("deleted")
	return out
}

// errString is the errno and extended ACK message of err, or "ok".
func errString(err error) string {
	if err == nil {
		return "ok"
	}
	var oe *netlink.OpError
	var errno syscall.Errno
	if !errors.As(err, &oe) || !errors.As(err, &errno) {
		return "not from the kernel: " + err.Error()
	}
	s := errno.Error()
	if oe.Message != "" {
		s += fmt.Sprintf(" %q", oe.Message)
	}
	if oe.AttrType != 0 {
		s += fmt.Sprintf(" attr %d", oe.AttrType)
	}
	return s
}

// linkString is what the comparison reads of l.
func linkString(l rtnetlink.Link) string {
	flags := l.Flags &^ (rtnetlink.LinkLowerUp | rtnetlink.LinkRunning)
	return fmt.Sprintf("%d %s kind=%q type=%d flags=%v mtu=%d min=%d max=%d master=%d parent=%d txq=%d alias=%q data=%+v hw=%d"+
		" group=%d gso=%d/%d/%d/%d/%d agm=%v protodown=%v/%#x alt=%q port=%+v",
		l.Index, l.Name, l.Kind, l.HardwareType, flags, l.MTU, l.MinMTU, l.MaxMTU, l.MasterIndex, l.ParentIndex, l.TxQueueLen, l.Alias, modelled(l.Data), len(l.HardwareAddr),
		l.Group, l.GSOMaxSize, l.GSOMaxSegs, l.GROMaxSize, l.GSOIPv4MaxSize, l.GROIPv4MaxSize, l.AddrGenMode, l.ProtoDown, l.ProtoDownReason, l.AltNames, modelledPort(l.Port))
}

// modelledPort returns p without the bridge port settings no field models
// (Other), which the fake does not model either.
func modelledPort(p rtnetlink.PortData) rtnetlink.PortData {
	if b, ok := p.(*rtnetlink.BridgePort); ok {
		c := *b
		c.Other = ""
		return &c
	}
	return p
}

// modelled returns d without the kind's options no field models (Other),
// which the fake does not model either.
func modelled(d rtnetlink.LinkData) rtnetlink.LinkData {
	switch d := d.(type) {
	case *rtnetlink.Bridge:
		c := *d
		c.Other = ""
		return &c
	case *rtnetlink.Macvlan:
		c := *d
		c.Other = ""
		return &c
	case *rtnetlink.Vxlan:
		c := *d
		c.Other = ""
		return &c
	}
	return d
}

// getPort returns the bridge port settings of link index.
func getPort(ctx context.Context, c *rtnetlink.Conn, index int) (*rtnetlink.BridgePort, bool) {
	l, err := c.Link(ctx, index)
	if err != nil {
		return nil, false
	}
	p, ok := l.Port.(*rtnetlink.BridgePort)
	return p, ok
}

// watched are the groups whose notifications are compared: RTNLGRP_NEIGH,
// IPV4_IFADDR, IPV4_ROUTE, IPV4_RULE. The link group is not: the kernel
// notifies the operational state's changes from its link watch, a moment
// later, among the others.
var watched = []uint32{3, 5, 7, 8}

// events returns the notifications w received, up to the one of a rule c
// adds last as a marker.
func events(t *testing.T, c, w *rtnetlink.Conn) []string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const marker = 4321
	if err := c.AddRule(ctx, rtnetlink.Rule{Family: syscall.AF_INET, Priority: marker, Table: 42}); err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		msgs, err := w.NL.Receive(ctx)
		if err != nil {
			t.Fatalf("after %d notifications: %v", len(out), err)
		}
		for _, m := range msgs {
			e, err := rtnetlink.ParseEvent(m)
			if err != nil {
				t.Fatal(err)
			}
			s := "event " + netlink.RequestName(0, e.Type)
			switch {
			case e.Address != nil:
				s += fmt.Sprintf(" %d %v %v", e.Address.Index, e.Address.Prefix, e.Address.Flags)
			case e.Route != nil:
				s += fmt.Sprintf(" %v table %d dev %d type %v", e.Route.Dst, e.Route.Table, e.Route.Index, e.Route.Type)
			case m.Header.Type == 28 || m.Header.Type == 29: // RTM_NEWNEIGH, RTM_DELNEIGH
				n, err := rtnetlink.ParseNeighbor(m)
				if err != nil || n.IP.IsMulticast() {
					continue // IPv6 autoconfiguration's MLD entries
				}
				s += fmt.Sprintf(" %d %v %v %v %v", n.Index, n.IP, n.HardwareAddr, n.State, n.Flags)
			default:
				r, err := rtnetlink.ParseRule(m)
				if err != nil {
					t.Fatal(err)
				}
				s += fmt.Sprintf(" %d table %d", r.Priority, r.Table)
				if r.Priority == marker {
					return sortRuns(out, "event RTM_DELNEIGH")
				}
			}
			out = append(out, s)
		}
	}
}

// sortRuns sorts each run of consecutive lines that start with prefix: the
// kernel flushes neighbour entries in the order of its hash table.
func sortRuns(lines []string, prefix string) []string {
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && strings.HasPrefix(lines[j], prefix) {
			j++
		}
		slices.Sort(lines[i:j])
		i = max(j, i+1)
	}
	return lines
}

// TestCarrierAsKernel compares the flags and operational states of links
// of every kind the fake makes, up and down, with the kernel's. The kernel
// sets them a moment after the change (its link watch), so its view is
// read again, for up to ten seconds, until it matches.
func TestCarrierAsKernel(t *testing.T) {
	ctx := context.Background()
	steps := func(c *rtnetlink.Conn) []func() error {
		idx := func(name string) int {
			l, err := c.LinkByName(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			return l.Index
		}
		return []func() error{
			func() error {
				for _, l := range []rtnetlink.Link{
					{Name: "v0", Data: &rtnetlink.Veth{PeerName: "v1"}},
					{Name: "br0", Kind: "bridge"},
					{Name: "vx0", Data: &rtnetlink.Vxlan{ID: 7}},
					{Name: "ifb0", Kind: "ifb"},
				} {
					if _, err := c.CreateLink(ctx, l); err != nil {
						return err
					}
				}
				_, err := c.CreateLink(ctx, rtnetlink.Link{Name: "mv0", ParentIndex: idx("v1"), Data: &rtnetlink.Macvlan{}})
				return err
			},
			func() error { return c.SetLinkUp(ctx, idx("v0")) },
			func() error {
				return errors.Join(c.SetLinkUp(ctx, idx("br0")), c.SetLinkUp(ctx, idx("vx0")), c.SetLinkUp(ctx, idx("ifb0")), c.SetLinkUp(ctx, idx("mv0")))
			},
			func() error { return c.SetLinkUp(ctx, idx("v1")) },
			func() error { return c.SetLinkDown(ctx, idx("v0")) },
			func() error { return c.SetLinkMaster(ctx, idx("v0"), idx("br0")) },
			func() error { return c.SetLinkUp(ctx, idx("v0")) },
			func() error { return c.SetLinkMaster(ctx, idx("v0"), 0) },
		}
	}
	view := func(c *rtnetlink.Conn) string {
		var s []string
		for l, err := range c.Links(ctx, rtnetlink.LinkFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			s = append(s, fmt.Sprintf("%s %v %v", l.Name, l.Flags, l.OperState))
		}
		return strings.Join(s, "\n")
	}
	fake := rtnltest.New()
	fc, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	if err := fc.SetLinkUp(ctx, 1); err != nil { // as nstest leaves it
		t.Fatal(err)
	}
	ns := nstest.New(t)
	kc, err := rtnetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	fsteps, ksteps := steps(fc), steps(kc)
	for i := range fsteps {
		if err := fsteps[i](); err != nil {
			t.Fatalf("step %d on the fake: %v", i, err)
		}
		if err := ksteps[i](); err != nil {
			t.Fatalf("step %d on the kernel: %v", i, err)
		}
		want := view(fc)
		got := view(kc)
		for try := 0; got != want && try < 100; try++ {
			time.Sleep(100 * time.Millisecond)
			got = view(kc)
		}
		if got != want {
			t.Errorf("step %d:\nkernel:\n%s\nfake:\n%s", i, got, want)
		}
	}
}

// raw runs a request of type typ with flags and payload data on c.
func raw(c *rtnetlink.Conn, typ netlink.HeaderType, flags netlink.HeaderFlags, data []byte) error {
	_, err := c.NL.Execute(context.Background(), netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: data})
	return err
}
