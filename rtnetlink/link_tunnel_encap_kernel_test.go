//go:build linux

package rtnetlink_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// The tunnels' UDP encapsulation (Foo-over-UDP, GUE), TOS, PMTU discovery
// and mark against the kernel and ip. The kernel takes an encapsulation
// only when its module is loaded (fou for the tunnels over IPv4, fou6 for
// those over IPv6; without, EINVAL): this machine's kernel has neither,
// and no tunnel kinds; they run in TestModulesVM.

// needFOU skips t unless fou and fou6 are loaded: the kernel takes a
// tunnel's UDP encapsulation only then (EINVAL otherwise) and does not
// load them on demand. TestModulesVM loads them, and there a skip fails;
// the kernel matrix does not, as fou6 brings ip6_tunnel, whose fallback
// device (ip6tnl0) every new namespace then has.
func needFOU(t *testing.T) {
	t.Helper()
	for _, m := range []string{"fou", "fou6"} {
		if _, err := os.Stat("/sys/module/" + m); err != nil {
			t.Skipf("module %s is not loaded (TestModulesVM loads it): %v", m, err)
		}
	}
}

// encapTest is a tunnel made with CreateLink ("k0") and one made with ip
// ("k1"), with what Link reads of the second.
type encapTest struct {
	name   string
	ours   rtnetlink.LinkData
	ip     string // ip link add arguments that make "k1"
	ipWant rtnetlink.LinkData
	view   func(rtnetlink.LinkData) map[string]any
}

var (
	encapFOU = rtnetlink.TunnelEncapFOU
	encapGUE = rtnetlink.TunnelEncapGUE
	csum     = rtnetlink.TunnelEncapCsum
	csum6    = rtnetlink.TunnelEncapCsum6
	remCsum  = rtnetlink.TunnelEncapRemCsum
)

var encapTests = []encapTest{{
	name: "gre",
	ours: &rtnetlink.GRE{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2"), TOS: 0x10, NoPMTUDisc: true, Fwmark: 7,
		IFlags: rtnetlink.GREKey, OFlags: rtnetlink.GREKey, IKey: 5, OKey: 6,
		Encap: rtnetlink.TunnelEncap{Type: encapFOU, Flags: csum | remCsum, SourcePort: 5555, DestPort: 5556}},
	ip: "name k1 type gre local 198.18.0.1 remote 198.18.0.3 tos 0x10 nopmtudisc ttl 0 fwmark 7 encap fou encap-sport 5555 encap-dport 5556 encap-csum encap-remcsum",
	ipWant: &rtnetlink.GRE{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.3"), TOS: 0x10, NoPMTUDisc: true, Fwmark: 7,
		Encap: rtnetlink.TunnelEncap{Type: encapFOU, Flags: csum | remCsum, SourcePort: 5555, DestPort: 5556}},
	view: greTunnelView,
}, {
	name: "gretap",
	ours: &rtnetlink.GRETap{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2"), TTL: 9, TOS: 1, Fwmark: 0x10,
		Encap: rtnetlink.TunnelEncap{Type: encapGUE, Flags: remCsum, DestPort: 5557}},
	ip: "name k1 type gretap local 198.18.0.1 remote 198.18.0.3 ttl 9 tos inherit fwmark 0x10 encap gue encap-sport auto encap-dport 5557 noencap-csum encap-remcsum",
	ipWant: &rtnetlink.GRETap{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.3"), TTL: 9, TOS: 1, Fwmark: 0x10,
		Encap: rtnetlink.TunnelEncap{Type: encapGUE, Flags: remCsum, DestPort: 5557}},
	view: greTunnelView,
}, {
	name: "ip6gre",
	ours: &rtnetlink.IP6GRE{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::2"), TTL: 64, EncapLimit: 4, Fwmark: 3,
		Encap: rtnetlink.TunnelEncap{Type: encapGUE, Flags: csum6 | remCsum, SourcePort: 5563, DestPort: 5562}},
	ip: "name k1 type ip6gre local 2001:db8::1 remote 2001:db8::3 fwmark 3 encap gue encap-sport 5563 encap-dport 5562 encap-udp6-csum encap-remcsum",
	ipWant: &rtnetlink.IP6GRE{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::3"), TTL: 64, EncapLimit: 4, Fwmark: 3,
		Encap: rtnetlink.TunnelEncap{Type: encapGUE, Flags: csum6 | remCsum, SourcePort: 5563, DestPort: 5562}},
	view: greTunnelView,
}, {
	name: "ipip",
	ours: &rtnetlink.IPIP{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2"), Proto: unix.IPPROTO_IPIP, TOS: 0x20, NoPMTUDisc: true, Fwmark: 9,
		Encap: rtnetlink.TunnelEncap{Type: encapFOU, Flags: csum, SourcePort: 5560, DestPort: 5558}},
	ip: "name k1 type ipip mode ipip local 198.18.0.1 remote 198.18.0.3 tos 0x20 nopmtudisc fwmark 9 encap fou encap-sport 5560 encap-dport 5558 encap-csum",
	ipWant: &rtnetlink.IPIP{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.3"), Proto: unix.IPPROTO_IPIP, TOS: 0x20, NoPMTUDisc: true, Fwmark: 9,
		Encap: rtnetlink.TunnelEncap{Type: encapFOU, Flags: csum, SourcePort: 5560, DestPort: 5558}},
	view: ipTunnelView,
}, {
	name: "sit",
	ours: &rtnetlink.SIT{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2"), Proto: unix.IPPROTO_IPV6, TTL: 64, TOS: 0x8, Fwmark: 3,
		Encap: rtnetlink.TunnelEncap{Type: encapGUE, Flags: csum | remCsum, DestPort: 5559}},
	ip: "name k1 type sit mode ip6ip local 198.18.0.1 remote 198.18.0.3 ttl 64 tos 0x8 fwmark 3 encap gue encap-dport 5559 encap-csum encap-remcsum",
	ipWant: &rtnetlink.SIT{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.3"), Proto: unix.IPPROTO_IPV6, TTL: 64, TOS: 0x8, Fwmark: 3,
		Encap: rtnetlink.TunnelEncap{Type: encapGUE, Flags: csum | remCsum, DestPort: 5559}},
	view: ipTunnelView,
}, {
	name: "ip6tnl",
	ours: &rtnetlink.IP6Tnl{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::2"), Proto: unix.IPPROTO_IPV6, TTL: 64, EncapLimit: 4, Fwmark: 3,
		Encap: rtnetlink.TunnelEncap{Type: encapFOU, Flags: csum6, SourcePort: 5561, DestPort: 5560}},
	ip: "name k1 type ip6tnl mode ip6ip6 local 2001:db8::1 remote 2001:db8::3 fwmark 3 encap fou encap-sport 5561 encap-dport 5560 encap-udp6-csum",
	ipWant: &rtnetlink.IP6Tnl{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::3"), Proto: unix.IPPROTO_IPV6, TTL: 64, EncapLimit: 4, Fwmark: 3,
		Encap: rtnetlink.TunnelEncap{Type: encapFOU, Flags: csum6, SourcePort: 5561, DestPort: 5560}},
	view: ipTunnelView,
}}

// TestTunnelEncapMatchIP: tunnels made with an encapsulation, a TOS, PMTU
// discovery off and a mark, as ip prints them; made so by ip, as Link
// reads them.
func TestTunnelEncapMatchIP(t *testing.T) {
	ctx := context.Background()
	for _, c := range encapTests {
		t.Run(c.name, func(t *testing.T) {
			needFOU(t)
			ns := nstest.New(t)
			rt := dial(t, ns, netlink.Config{})
			k0, err := rt.CreateLink(ctx, rtnetlink.Link{Name: "k0", Data: c.ours})
			lacksKind(t, c.name, err)
			if err != nil {
				t.Fatalf("CreateLink %s %+v: %v", c.name, c.ours, err)
			}
			checkEncap(t, ns, rt, c, "k0", c.ours)
			ns.Run(t, append([]string{"link", "add"}, strings.Fields(c.ip)...)...)
			checkEncap(t, ns, rt, c, "k1", c.ipWant)
			if err := rt.DeleteLink(ctx, k0.Index); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// checkEncap checks that link name has what want has, and that ip prints
// what Link reads of it.
func checkEncap(t *testing.T, ns *nstest.NS, rt *rtnetlink.Conn, c encapTest, name string, want rtnetlink.LinkData) {
	t.Helper()
	checkKind(t, ns, rt, kindTest{name: c.name}, name, want)
	l, err := rt.LinkByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	checkIPView(t, ns, name, c.view(l.Data))
	// Every field, zeros included: the view holds what ip prints, and
	// the tunnel has nothing else set.
	got := reflect.ValueOf(l.Data).Elem()
	w := reflect.ValueOf(want).Elem()
	for _, f := range []string{"Encap", "TOS", "NoPMTUDisc", "Fwmark", "TTL", "Proto"} {
		if gf, wf := got.FieldByName(f), w.FieldByName(f); gf.IsValid() && !reflect.DeepEqual(gf.Interface(), wf.Interface()) {
			t.Errorf("%s %s: %s = %+v, want %+v", c.name, name, f, gf, wf)
		}
	}
}

// TestIPTunnelProtoZero: an IP tunnel made with Proto 0 carries any
// protocol its kind can, as ip's tunnels made without a mode do: the
// request always has IFLA_IPTUN_PROTO, so the kernel's own default (which
// it takes when the attribute is missing) does not apply.
func TestIPTunnelProtoZero(t *testing.T) {
	ctx := context.Background()
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	for i, d := range []rtnetlink.LinkData{
		&rtnetlink.IPIP{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2")},
		&rtnetlink.SIT{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.3")},
		&rtnetlink.IP6Tnl{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::2")},
	} {
		name := fmt.Sprintf("t%d", i)
		l, err := rt.CreateLink(ctx, rtnetlink.Link{Name: name, Data: d})
		lacksKind(t, d.Kind(), err)
		if err != nil {
			t.Fatalf("CreateLink %s: %v", d.Kind(), err)
		}
		got := reflect.ValueOf(l.Data).Elem().FieldByName("Proto").Uint()
		if proto := string(ipShow(t, ns, name).LinkInfo.Data["proto"]); got != 0 || proto != `"any"` {
			t.Errorf("%s made with Proto 0: Proto %d, ip says proto %s", d.Kind(), got, proto)
		}
	}
}
