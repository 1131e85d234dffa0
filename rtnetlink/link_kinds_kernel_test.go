//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// The link kinds of link_KIND.go files, against the kernel and ip: each
// made with CreateLink and read with ip -j -d; made with ip and read with
// Links; changed with SetLinkData; deleted. A kernel without the kind (this
// machine's has none of them, no modules) skips them: they run in the VM
// harness, with a distribution kernel and its modules.

// kindTest is one kind's kernel test.
type kindTest struct {
	name  string
	setup []string // ip commands run first; "p0", if they make it, is the lower link
	// ours is the link CreateLink makes, named "k0"; p0 is p0's index.
	ours func(p0 int) rtnetlink.Link
	ip   string // ip link add arguments that make "k1", which Links reads as ip shows it
	// change is data SetLinkData sends to k0, if not nil; k0 then has
	// what it asks for.
	change func(p0 int) rtnetlink.LinkData
	// view is what ip -j -d prints of the data: info_data's keys and the
	// values, as JSON marshals them; keys ip does not print are skipped.
	view func(d rtnetlink.LinkData) map[string]any
}

var (
	kaddr     = netip.MustParseAddr
	vethSetup = []string{"link add p0 type veth peer name p1", "link set p0 up", "link set p1 up"}
)

func keyString(k uint32) string {
	return netip.AddrFrom4([4]byte{byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)}).String()
}

func greView(d rtnetlink.LinkData) map[string]any {
	var t *rtnetlink.GRETunnel
	switch d := d.(type) {
	case *rtnetlink.GRE:
		t = (*rtnetlink.GRETunnel)(d)
	case *rtnetlink.GRETap:
		t = (*rtnetlink.GRETunnel)(d)
	case *rtnetlink.IP6GRE:
		t = (*rtnetlink.GRETunnel)(d)
	case *rtnetlink.IP6GRETap:
		t = (*rtnetlink.GRETunnel)(d)
	}
	v := map[string]any{"remote": t.Remote.String(), "local": t.Local.String(), "ttl": t.TTL}
	if t.IFlags&rtnetlink.GREKey != 0 {
		v["ikey"] = keyString(t.IKey)
	}
	if t.OFlags&rtnetlink.GREKey != 0 {
		v["okey"] = keyString(t.OKey)
	}
	return v
}

func ipTunView(d rtnetlink.LinkData) map[string]any {
	var t *rtnetlink.IPTunnel
	switch d := d.(type) {
	case *rtnetlink.IPIP:
		t = (*rtnetlink.IPTunnel)(d)
	case *rtnetlink.SIT:
		t = (*rtnetlink.IPTunnel)(d)
	case *rtnetlink.IP6Tnl:
		t = (*rtnetlink.IPTunnel)(d)
	}
	return map[string]any{"remote": ipEndpoint(t.Remote), "local": ipEndpoint(t.Local), "ttl": t.TTL}
}

// ipEndpoint is a tunnel's endpoint as ip prints it: "any" where the
// kernel reports none or the unspecified address (which 6.1 and 6.12
// report for a sit tunnel without a remote).
func ipEndpoint(a netip.Addr) string {
	if !a.IsValid() || a.IsUnspecified() {
		return "any"
	}
	return a.String()
}

func vtiView(d rtnetlink.LinkData) map[string]any {
	var t *rtnetlink.VTITunnel
	switch d := d.(type) {
	case *rtnetlink.VTI:
		t = (*rtnetlink.VTITunnel)(d)
	case *rtnetlink.VTI6:
		t = (*rtnetlink.VTITunnel)(d)
	}
	return map[string]any{"remote": ipEndpoint(t.Remote), "local": ipEndpoint(t.Local), "ikey": keyString(t.IKey), "okey": keyString(t.OKey)}
}

var kindTests = []kindTest{{
	// A kind every kernel has, which runs the test's own steps where the
	// others are skipped.
	name: "macvlan", setup: vethSetup,
	ours: func(p0 int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", ParentIndex: p0, Data: &rtnetlink.Macvlan{Mode: rtnetlink.MacvlanBridge}}
	},
	ip:     "name k1 link p0 type macvlan mode vepa",
	change: func(int) rtnetlink.LinkData { return &rtnetlink.Macvlan{Mode: rtnetlink.MacvlanPrivate} },
	view: func(d rtnetlink.LinkData) map[string]any {
		return map[string]any{"mode": d.(*rtnetlink.Macvlan).Mode.String()}
	},
}, {
	name: "vlan", setup: vethSetup,
	ours: func(p0 int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", ParentIndex: p0, Data: &rtnetlink.Vlan{ID: 10, Flags: rtnetlink.VlanGVRP,
			FlagsOff: rtnetlink.VlanReorderHdr, IngressQoS: []rtnetlink.VlanQoS{{1, 2}}, EgressQoS: []rtnetlink.VlanQoS{{3, 4}}}}
	},
	ip: "name k1 link p0 type vlan protocol 802.1ad id 20 loose_binding on egress-qos-map 1:7",
	change: func(int) rtnetlink.LinkData {
		return &rtnetlink.Vlan{ID: 10, Flags: rtnetlink.VlanReorderHdr | rtnetlink.VlanLooseBinding, IngressQoS: []rtnetlink.VlanQoS{{1, 6}}}
	},
	// Protocol, ID, flags and QoS maps: TestVlanMatchesIP checks more.
	view: func(d rtnetlink.LinkData) map[string]any { return vlanView(d.(*rtnetlink.Vlan)) },
}, {
	name: "gre", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.GRE{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2"),
			IFlags: rtnetlink.GREKey, OFlags: rtnetlink.GREKey, IKey: 5, OKey: 6, TTL: 64}}
	},
	ip: "name k1 type gre local 198.18.0.1 remote 198.18.0.3 key 7 ttl 9",
	change: func(int) rtnetlink.LinkData {
		return &rtnetlink.GRE{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.4"), TTL: 32}
	},
	view: greView,
}, {
	name: "gretap", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.GRETap{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2"), TTL: 3}}
	},
	ip:   "name k1 type gretap local 198.18.0.1 remote 198.18.0.9 key 1",
	view: greView,
}, {
	name: "ip6gre", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.IP6GRE{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::2"), TTL: 64, EncapLimit: 4}}
	},
	ip: "name k1 type ip6gre local 2001:db8::1 remote 2001:db8::3 hoplimit 7",
	change: func(int) rtnetlink.LinkData {
		return &rtnetlink.IP6GRE{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::4"), TTL: 9, EncapLimit: 4}
	},
	view: greView,
}, {
	name: "ip6gretap", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.IP6GRETap{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::2"), TTL: 64, EncapLimit: 4}}
	},
	ip:   "name k1 type ip6gretap local 2001:db8::1 remote 2001:db8::3",
	view: greView,
}, {
	name: "ipip", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.IPIP{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2"), TTL: 64}}
	},
	ip: "name k1 type ipip local 198.18.0.1 remote 198.18.0.3 ttl 5",
	change: func(int) rtnetlink.LinkData {
		return &rtnetlink.IPIP{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.5"), TTL: 6}
	},
	view: ipTunView,
}, {
	name: "sit", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.SIT{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2"), TTL: 64}}
	},
	ip:   "name k1 type sit local 198.18.0.1 mode any isatap",
	view: ipTunView,
}, {
	name: "ip6tnl", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.IP6Tnl{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::2"), TTL: 64, EncapLimit: 4}}
	},
	ip: "name k1 type ip6tnl local 2001:db8::1 remote 2001:db8::3 mode ip6ip6",
	change: func(int) rtnetlink.LinkData {
		return &rtnetlink.IP6Tnl{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::2"), TTL: 10, EncapLimit: 4, Flags: rtnetlink.IP6TunnelRcvDSCPCopy}
	},
	view: ipTunView,
}, {
	name: "vti", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.VTI{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2"), IKey: 1, OKey: 2}}
	},
	ip: "name k1 type vti local 198.18.0.1 remote 198.18.0.3 key 9",
	change: func(int) rtnetlink.LinkData {
		return &rtnetlink.VTI{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2"), IKey: 3, OKey: 4}
	},
	view: vtiView,
}, {
	name: "vti6", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.VTI6{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::2"), IKey: 1, OKey: 1}}
	},
	ip:   "name k1 type vti6 local 2001:db8::1 remote 2001:db8::3",
	view: vtiView,
}, {
	name: "geneve", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.Geneve{ID: 5, Remote: kaddr("198.18.0.2"), TTL: 9, Port: 6082}}
	},
	ip:     "name k1 type geneve id 6 remote 2001:db8::2 df set",
	change: func(int) rtnetlink.LinkData { return &rtnetlink.Geneve{ID: 5, Remote: kaddr("198.18.0.3"), TTL: 10} },
	view: func(d rtnetlink.LinkData) map[string]any {
		g := d.(*rtnetlink.Geneve)
		v := map[string]any{"id": g.ID, "df": g.DF.String(), "port": g.Port}
		if g.Remote.Is4() {
			v["remote"] = g.Remote.String()
		} else {
			v["remote6"] = g.Remote.String()
		}
		return v
	},
}, {
	name: "ipvlan", setup: vethSetup,
	ours: func(p0 int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", ParentIndex: p0, Data: &rtnetlink.IPVlan{Mode: rtnetlink.IPVlanL2, Flags: rtnetlink.IPVlanPrivate}}
	},
	ip:     "name k1 link p0 type ipvlan mode l3s vepa",
	change: func(int) rtnetlink.LinkData { return &rtnetlink.IPVlan{Mode: rtnetlink.IPVlanL3} },
	view: func(d rtnetlink.LinkData) map[string]any {
		v := d.(*rtnetlink.IPVlan)
		return map[string]any{"mode": v.Mode.String(), "private": v.Flags&rtnetlink.IPVlanPrivate != 0, "vepa": v.Flags&rtnetlink.IPVlanVEPA != 0}
	},
}, {
	name: "ipvtap", setup: vethSetup,
	ours: func(p0 int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", ParentIndex: p0, Data: &rtnetlink.IPVtap{Mode: rtnetlink.IPVlanL3}}
	},
	ip: "name k1 link p0 type ipvtap mode l2",
	view: func(d rtnetlink.LinkData) map[string]any {
		return map[string]any{"mode": d.(*rtnetlink.IPVtap).Mode.String()}
	},
}, {
	name: "vrf", ours: func(int) rtnetlink.Link { return rtnetlink.Link{Name: "k0", Data: &rtnetlink.VRF{Table: 100}} },
	ip:   "name k1 type vrf table 200",
	view: func(d rtnetlink.LinkData) map[string]any { return map[string]any{"table": d.(*rtnetlink.VRF).Table} },
}, {
	name: "xfrm", setup: vethSetup,
	ours: func(p0 int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.Xfrm{IfID: 5, DevIndex: p0}}
	},
	ip:     "name k1 type xfrm if_id 6",
	change: func(p0 int) rtnetlink.LinkData { return &rtnetlink.Xfrm{IfID: 7, DevIndex: p0} },
	view: func(d rtnetlink.LinkData) map[string]any {
		return map[string]any{"if_id": fmt.Sprintf("%#x", d.(*rtnetlink.Xfrm).IfID)}
	},
}, {
	name: "bareudp", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.BareUDP{Port: 6635, EtherType: 0x8847, SourcePortMin: 2000}}
	},
	ip: "name k1 type bareudp dstport 6636 ethertype ipv4 multiproto",
	view: func(d rtnetlink.LinkData) map[string]any {
		u := d.(*rtnetlink.BareUDP)
		return map[string]any{"dstport": u.Port, "srcportmin": u.SourcePortMin, "multiproto": u.MultiProto}
	},
}, {
	name: "bond", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.Bond{Mode: rtnetlink.Bond8023AD, MIIMon: 100, UpDelay: 200,
			XmitHashPolicy: rtnetlink.BondXmitLayer34, LACPRate: rtnetlink.BondLACPFast, MinLinks: 1,
			ADActorSystem: []byte{2, 0, 0, 0, 0, 1}}}
	},
	ip:     "name k1 type bond mode active-backup miimon 50 fail_over_mac active",
	change: func(int) rtnetlink.LinkData { return &rtnetlink.Bond{MIIMon: 300, DownDelay: 600, MinLinks: 2} },
	view: func(d rtnetlink.LinkData) map[string]any {
		b := d.(*rtnetlink.Bond)
		return map[string]any{"mode": b.Mode.String(), "miimon": b.MIIMon, "updelay": b.UpDelay, "downdelay": b.DownDelay,
			"xmit_hash_policy": b.XmitHashPolicy.String(), "ad_lacp_rate": b.LACPRate.String(), "min_links": b.MinLinks,
			"fail_over_mac": b.FailOverMAC.String(), "ad_select": b.ADSelect.String()}
	},
}, {
	// ip 6.1 does not make netkit links: only ours is read with ip.
	name: "netkit", ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.Netkit{PeerName: "k0peer", L2: true, PeerPolicy: rtnetlink.NetkitDrop}}
	},
	change: func(int) rtnetlink.LinkData { return &rtnetlink.Netkit{Policy: rtnetlink.NetkitDrop} },
	view: func(d rtnetlink.LinkData) map[string]any {
		k := d.(*rtnetlink.Netkit)
		return map[string]any{"mode": map[bool]string{false: "l3", true: "l2"}[k.L2], "policy": k.Policy.String(), "peer_policy": k.PeerPolicy.String()}
	},
}, {
	name: "dummy", ours: func(int) rtnetlink.Link { return rtnetlink.Link{Name: "k0", Kind: "dummy", MTU: 9000} },
	ip: "name k1 type dummy",
}, {
	name: "wireguard", ours: func(int) rtnetlink.Link { return rtnetlink.Link{Name: "k0", Kind: "wireguard"} },
	ip: "name k1 type wireguard",
}, {
	name: "team", ours: func(int) rtnetlink.Link { return rtnetlink.Link{Name: "k0", Kind: "team"} },
	ip: "name k1 type team",
}}

// lacksKind skips the test when err says the kernel does not know kind.
func lacksKind(t *testing.T, kind string, err error) {
	t.Helper()
	var oe *netlink.OpError
	if errors.Is(err, unix.EOPNOTSUPP) && errors.As(err, &oe) && strings.Contains(oe.Message, "Unknown device type") {
		t.Skipf("kernel lacks %s: %v", kind, err)
	}
}

func TestKindsMatchIP(t *testing.T) {
	ctx := context.Background()
	for _, c := range kindTests {
		t.Run(c.name, func(t *testing.T) {
			ns := nstest.New(t)
			rt := dial(t, ns, netlink.Config{})
			if len(c.setup) > 0 {
				ns.Batch(t, c.setup)
			}
			p0 := 0
			if l, err := rt.LinkByName(ctx, "p0"); err == nil {
				p0 = l.Index
			}
			want := c.ours(p0)
			k0, err := rt.CreateLink(ctx, want)
			lacksKind(t, c.name, err)
			if err != nil {
				t.Fatalf("CreateLink %s: %v", c.name, err)
			}
			// What we make, ip reads; and we read back what we asked for.
			checkKind(t, ns, rt, c, "k0", want.Data)
			// What ip makes, we read as ip shows it.
			if c.ip != "" {
				ns.Run(t, append([]string{"link", "add"}, strings.Fields(c.ip)...)...)
				checkKind(t, ns, rt, c, "k1", nil)
			}
			if c.change != nil {
				d := c.change(p0)
				if err := rt.SetLinkData(ctx, k0.Index, d); err != nil {
					t.Fatalf("SetLinkData %+v: %v", d, err)
				}
				checkKind(t, ns, rt, c, "k0", d)
			}
			if err := rt.DeleteLink(ctx, k0.Index); err != nil {
				t.Fatal(err)
			}
			if _, err := rt.Link(ctx, k0.Index); !errors.Is(err, unix.ENODEV) {
				t.Errorf("k0 after DeleteLink: %v", err)
			}
		})
	}
}

// checkKind compares the link name with ip's view of it: its common fields
// as the other link tests do, and its data through c.view. It also checks
// that the fields asked for (those not zero in asked, if not nil) are
// what the kernel reports.
func checkKind(t *testing.T, ns *nstest.NS, rt *rtnetlink.Conn, c kindTest, name string, asked rtnetlink.LinkData) {
	t.Helper()
	l, err := rt.LinkByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	ip := ipShow(t, ns, name)
	index := map[string]int{}
	for _, x := range ipLinks(t, ns) {
		index[x.Name] = x.Index
	}
	// The common fields, without the data, which compareData knows only
	// for the kinds of link_kernel_test.go: c.view compares it below.
	common, ipCommon := l, ip
	common.Data, common.Kind, ipCommon.LinkInfo.Kind = nil, "", ""
	if diffs := compareLink(ipCommon, common, index); len(diffs) > 0 {
		t.Error(strings.Join(diffs, "\n"))
	}
	if l.Kind != ip.LinkInfo.Kind {
		t.Errorf("%s: Kind %q, ip says %q", name, l.Kind, ip.LinkInfo.Kind)
	}
	if c.view != nil {
		if l.Data == nil {
			t.Fatalf("%s: no data", name)
		}
		for k, v := range c.view(l.Data) {
			raw, ok := ip.LinkInfo.Data[k]
			if !ok {
				continue // ip prints it only in some configurations
			}
			want, _ := json.Marshal(v)
			var gotV, wantV any
			json.Unmarshal(raw, &gotV)
			json.Unmarshal(want, &wantV)
			if !reflect.DeepEqual(gotV, wantV) {
				t.Errorf("%s %s: %s = %s, ip says %s", c.name, name, k, want, raw)
			}
		}
	}
	if asked != nil {
		if diffs := askedFields(asked, l.Data); len(diffs) > 0 {
			t.Errorf("%s %s: %s", c.name, name, strings.Join(diffs, "; "))
		}
	}
}

// askedFields returns how got differs from asked in asked's fields that
// are not zero (but Other, FlagsOff, which only a request sets, and a
// peer's name and namespace, which the kernel does not report).
func askedFields(asked, got rtnetlink.LinkData) []string {
	av, gv := reflect.ValueOf(asked).Elem(), reflect.ValueOf(got)
	if gv.Kind() != reflect.Pointer || gv.Elem().Type() != av.Type() {
		return []string{fmt.Sprintf("data is %T, want %T", got, asked)}
	}
	gv = gv.Elem()
	var diffs []string
	for i := range av.NumField() {
		f := av.Type().Field(i)
		if f.Name == "Other" || f.Name == "FlagsOff" || f.Name == "PeerName" || f.Name == "PeerNetNS" || av.Field(i).IsZero() {
			continue
		}
		if f.Name == "Flags" && f.Type == reflect.TypeOf(rtnetlink.VlanFlags(0)) {
			// Flags turned on are on; others may be too.
			if a, g := av.Field(i).Uint(), gv.Field(i).Uint(); a&g != a {
				diffs = append(diffs, fmt.Sprintf("Flags %#x, asked %#x", g, a))
			}
			continue
		}
		if f.Type == reflect.TypeOf(rtnetlink.IP6TunnelFlags(0)) {
			// The options are as asked; the kernel adds the
			// capabilities it works out from the endpoints.
			a, g := rtnetlink.IP6TunnelFlags(av.Field(i).Uint()), rtnetlink.IP6TunnelFlags(gv.Field(i).Uint())
			if g&^rtnetlink.IP6TunnelCapabilities != a {
				diffs = append(diffs, fmt.Sprintf("Flags = %v, asked %v", g, a))
			}
			continue
		}
		if !reflect.DeepEqual(av.Field(i).Interface(), gv.Field(i).Interface()) {
			diffs = append(diffs, fmt.Sprintf("%s = %v, asked %v", f.Name, gv.Field(i), av.Field(i)))
		}
	}
	return diffs
}

// TestBondPorts: ports added to a bond by us and by ip, their bond_slave
// data (state, MII status, link failures, permanent address, queue ID,
// priority, and an 802.3ad bond's aggregator and LACP states) read and
// changed both ways and compared with ip's info_slave_data, and ports
// removed both ways.
func TestBondPorts(t *testing.T) {
	ctx := context.Background()
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	// bond0 stays down: with no MII monitor running, its ports' state
	// holds still.
	bond, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "bond0", Data: &rtnetlink.Bond{Mode: rtnetlink.BondActiveBackup, MIIMon: 100}})
	lacksKind(t, "bond", err)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for _, p := range []string{"p0", "p1", "p2", "p3"} {
		pairs = append(pairs, "link add "+p+" type veth peer name q"+p[1:])
	}
	ns.Batch(t, pairs)
	index := map[string]int{}
	for _, name := range []string{"p0", "p1", "p2", "p3"} {
		p, err := rt.LinkByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		index[name] = p.Index
	}
	// p0 and p1 are made its ports by us, p2 by ip; p3 is ip's port of
	// an 802.3ad bond that is up, whose aggregator and LACP states the
	// kernel reports.
	for _, name := range []string{"p0", "p1"} {
		if err := rt.SetLinkMaster(ctx, index[name], bond.Index); err != nil {
			t.Fatalf("adding %s: %v", name, err)
		}
	}
	ns.Batch(t, []string{"link set p2 master bond0",
		"link add bond1 type bond mode 802.3ad lacp_rate fast", "link set p3 master bond1",
		"link set q3 up", "link set p3 up", "link set bond1 up"})
	bond1, err := rt.LinkByName(ctx, "bond1")
	if err != nil {
		t.Fatal(err)
	}
	// Changed by us and by ip, read by both.
	if err := rt.SetLinkPort(ctx, index["p1"], &rtnetlink.BondPort{QueueID: 3, Prio: -7}); err != nil {
		t.Fatal(err)
	}
	ns.Run(t, "link", "set", "p2", "type", "bond_slave", "queue_id", "5", "prio", "9")
	for _, c := range []struct {
		name        string
		master      int
		queue, prio int
	}{{"p0", bond.Index, 0, 0}, {"p1", bond.Index, 3, -7}, {"p2", bond.Index, 5, 9}, {"p3", bond1.Index, 0, 0}} {
		l, ip := bondPortRead(t, ns, rt, c.name)
		bp, ok := l.Port.(*rtnetlink.BondPort)
		if !ok || l.MasterIndex != c.master {
			t.Errorf("%s: master %d, port data %+v; want %d and a bond port", c.name, l.MasterIndex, l.Port, c.master)
			continue
		}
		if int(bp.QueueID) != c.queue || int(bp.Prio) != c.prio {
			t.Errorf("%s: QueueID %d, Prio %d; want %d, %d", c.name, bp.QueueID, bp.Prio, c.queue, c.prio)
		}
		if len(bp.Status.PermHardwareAddr) != 6 {
			t.Errorf("%s: permanent address %v", c.name, bp.Status.PermHardwareAddr)
		}
		if (c.master == bond1.Index) != (bp.Status.AggregatorID != 0) {
			t.Errorf("%s: aggregator %d", c.name, bp.Status.AggregatorID)
		}
		if diffs := comparePort(ip, l); len(diffs) > 0 {
			t.Error(strings.Join(diffs, "\n"))
		}
	}
	// Removed: p0 (ours) and p2 (ip's) by us, p1 by ip; ip shows no
	// master and no port data, nor do we.
	for _, name := range []string{"p0", "p2"} {
		if err := rt.SetLinkMaster(ctx, index[name], 0); err != nil {
			t.Fatal(err)
		}
	}
	ns.Run(t, "link", "set", "p1", "nomaster")
	for _, name := range []string{"p0", "p1", "p2"} {
		l, err := rt.Link(ctx, index[name])
		if err != nil || l.MasterIndex != 0 || l.Port != nil {
			t.Errorf("%s after removal: master %d, port %+v, %v", name, l.MasterIndex, l.Port, err)
		}
		if ip := ipShow(t, ns, name); ip.Master != "" || ip.LinkInfo.SlaveKind != "" || ip.LinkInfo.SlaveData != nil {
			t.Errorf("%s after removal: ip says master %q, port %q %v", name, ip.Master, ip.LinkInfo.SlaveKind, ip.LinkInfo.SlaveData)
		}
	}
}

// bondPortRead reads the bond port name through rt and with ip, when it
// holds still: an 802.3ad bond that is up runs its LACP state machines,
// which change the port's states until they settle. It reads the port,
// then ip's view, then the port again, until both readings of ours agree.
func bondPortRead(t *testing.T, ns *nstest.NS, rt *rtnetlink.Conn, name string) (rtnetlink.Link, ipLink) {
	t.Helper()
	for range 50 {
		before, err := rt.LinkByName(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		ip := ipShow(t, ns, name)
		l, err := rt.LinkByName(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(before.Port, l.Port) {
			return l, ip
		}
	}
	t.Fatalf("%s: its port data changed at each of 50 readings", name)
	return rtnetlink.Link{}, ipLink{}
}

// TestVRFPorts: a link made a port of a VRF routes through its table.
func TestVRFPorts(t *testing.T) {
	ctx := context.Background()
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	vrf, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "vrf0", Flags: rtnetlink.LinkUp, Data: &rtnetlink.VRF{Table: 1234}})
	lacksKind(t, "vrf", err)
	if err != nil {
		t.Fatal(err)
	}
	ns.Batch(t, []string{"link add p0 type veth peer name q0", "link set p0 up", "addr add 198.18.7.1/24 dev p0"})
	p0, err := rt.LinkByName(ctx, "p0")
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.SetLinkMaster(ctx, p0.Index, vrf.Index); err != nil {
		t.Fatal(err)
	}
	if l, err := rt.Link(ctx, p0.Index); err != nil || l.MasterIndex != vrf.Index {
		t.Fatalf("p0: master %d, %v", l.MasterIndex, err)
	}
	// The connected route moves to the VRF's table.
	if out := ns.Run(t, "route", "show", "table", "1234"); !strings.Contains(out, "198.18.7.0/24") {
		t.Errorf("table 1234 has no route to p0's subnet: %s", out)
	}
}

// TestSetLinkData changes a bridge's data and a bridge port's, kinds this
// kernel has, and compares them with ip; data of another kind than the
// link's is the kernel's EOPNOTSUPP.
func TestSetLinkData(t *testing.T) {
	ctx := context.Background()
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ns.Batch(t, []string{"link add br0 type bridge", "link add v0 type veth peer name v1", "link set v0 master br0"})
	br, err := rt.LinkByName(ctx, "br0")
	if err != nil {
		t.Fatal(err)
	}
	v0, err := rt.LinkByName(ctx, "v0")
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.SetLinkData(ctx, br.Index, &rtnetlink.Bridge{Priority: 0x1234, STP: true}); err != nil {
		t.Fatal(err)
	}
	if b, err := rt.Link(ctx, br.Index); err != nil || b.Data.(*rtnetlink.Bridge).Priority != 0x1234 || !b.Data.(*rtnetlink.Bridge).STP {
		t.Errorf("bridge after SetLinkData: %+v, %v", b.Data, err)
	}
	if got := ipShow(t, ns, "br0").LinkInfo.Data["priority"]; string(got) != "4660" {
		t.Errorf("ip says priority %s, want 4660", got)
	}
	// A port's data, by the master's kind: the bridge port's cost
	// (IFLA_BRPORT_COST, a u32), raw.
	cost := []byte{8, 0, unix.IFLA_BRPORT_COST, 0, 77, 0, 0, 0}
	if err := rt.SetLinkPort(ctx, v0.Index, &rtnetlink.RawPortData{KindName: "bridge", Data: cost}); err != nil {
		t.Fatal(err)
	}
	var ip []struct {
		LinkInfo struct {
			SlaveData map[string]any `json:"info_slave_data"`
		} `json:"linkinfo"`
	}
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "-d", "link", "show", "dev", "v0")), &ip); err != nil || len(ip) != 1 {
		t.Fatalf("ip: %v", err)
	}
	if c := ip[0].LinkInfo.SlaveData["cost"]; c != float64(77) {
		t.Errorf("ip says the port's cost is %v, want 77", c)
	}
	// Data of another kind.
	err = rt.SetLinkData(ctx, v0.Index, &rtnetlink.Macvlan{Mode: rtnetlink.MacvlanBridge})
	var oe *netlink.OpError
	if !errors.Is(err, unix.EOPNOTSUPP) || !errors.As(err, &oe) {
		t.Errorf("macvlan data on a veth: %v, want EOPNOTSUPP", err)
	}
	if err := rt.SetLinkData(ctx, v0.Index, nil); !errors.Is(err, unix.EINVAL) {
		t.Errorf("nil data: %v, want EINVAL", err)
	}
	if err := rt.SetLinkPort(ctx, 0, &rtnetlink.BondPort{}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("index 0: %v, want EINVAL", err)
	}
}
