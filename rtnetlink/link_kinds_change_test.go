//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// Links of the kinds changed both ways, against the kernel and ip: our
// change (SetLinkData) read with ip -j -d, and ip's (ip link set NAME type
// KIND ...) read with Link. A kernel without the kind skips them: they run
// in the VM harness (TestModulesVM), where the kinds' modules are loaded.

// changeTest is one kind's change test, on a link "k0" the test makes.
type changeTest struct {
	name  string
	setup []string // ip commands run first; "p0", if they make it, is the lower link
	ours  func(p0 int) rtnetlink.Link
	// change is what SetLinkData sends, made from k0's data as listed:
	// the tunnels send their whole configuration, so they change the
	// listed data; the others send what changes.
	change func(listed rtnetlink.LinkData, p0 int) rtnetlink.LinkData
	// ipSet are the arguments of ip link set k0 type KIND, and ipWant
	// what k0's data then has, in its fields that are not zero.
	ipSet  string
	ipWant func(p0 int) rtnetlink.LinkData
	// refused is set for the kinds the kernel cannot change (no
	// changelink): both changes are refused, and k0 keeps its data.
	refused bool
	// view is what ip -j -d prints of the data (info_data), each key
	// printed as the value JSON marshals: checkIPView checks every one.
	view func(d rtnetlink.LinkData) map[string]any
	// fou is set for the tunnels whose changes set a UDP encapsulation
	// (see needFOU).
	fou bool
}

// hexView is how ip prints a mark or a TOS in JSON: "0x1f".
func hexView(v uint32) string { return fmt.Sprintf("%#x", v) }

// encapView is ip's "encap" object: printed when a type is set.
func encapView(v map[string]any, e rtnetlink.TunnelEncap) {
	if e.Type == rtnetlink.TunnelEncapNone {
		return
	}
	v["encap"] = map[string]any{
		"type": e.Type.String(), "sport": e.SourcePort, "dport": e.DestPort,
		"csum":    e.Flags&rtnetlink.TunnelEncapCsum != 0,
		"csum6":   e.Flags&rtnetlink.TunnelEncapCsum6 != 0,
		"remcsum": e.Flags&rtnetlink.TunnelEncapRemCsum != 0,
	}
}

// greTunnelView is what ip prints of a GRE tunnel's data, over IPv6 if v6:
// more than greView, with the keys ip prints only when they are set.
func greTunnelView(d rtnetlink.LinkData) map[string]any {
	var t *rtnetlink.GRETunnel
	v6 := false
	switch d := d.(type) {
	case *rtnetlink.GRE:
		t = (*rtnetlink.GRETunnel)(d)
	case *rtnetlink.GRETap:
		t = (*rtnetlink.GRETunnel)(d)
	case *rtnetlink.IP6GRE:
		t, v6 = (*rtnetlink.GRETunnel)(d), true
	case *rtnetlink.IP6GRETap:
		t, v6 = (*rtnetlink.GRETunnel)(d), true
	default:
		return map[string]any{"data type": fmt.Sprintf("%T", d)}
	}
	v := map[string]any{"remote": ipEndpoint(t.Remote), "local": ipEndpoint(t.Local), "ttl": t.TTL}
	if !v6 {
		v["pmtudisc"] = !t.NoPMTUDisc
		if t.TOS != 0 {
			v["tos"] = hexView(uint32(t.TOS))
		}
	}
	if t.IFlags&rtnetlink.GREKey != 0 {
		v["ikey"] = keyString(t.IKey)
	}
	if t.OFlags&rtnetlink.GREKey != 0 {
		v["okey"] = keyString(t.OKey)
	}
	if t.Fwmark != 0 {
		v["fwmark"] = hexView(t.Fwmark)
	}
	encapView(v, t.Encap)
	return v
}

// ipTunnelView is greTunnelView for ipip, sit and ip6tnl, with the
// protocol carried as ip names it.
func ipTunnelView(d rtnetlink.LinkData) map[string]any {
	var t *rtnetlink.IPTunnel
	protos := map[uint8]string{0: "any", unix.IPPROTO_IPIP: "ipip", unix.IPPROTO_IPV6: "ip6ip", unix.IPPROTO_MPLS: "mplsip"}
	v6 := false
	switch d := d.(type) {
	case *rtnetlink.IPIP:
		t = (*rtnetlink.IPTunnel)(d)
	case *rtnetlink.SIT:
		t = (*rtnetlink.IPTunnel)(d)
	case *rtnetlink.IP6Tnl:
		t, v6 = (*rtnetlink.IPTunnel)(d), true
		protos = map[uint8]string{0: "any", unix.IPPROTO_IPIP: "ipip6", unix.IPPROTO_IPV6: "ip6ip6"}
	default:
		return map[string]any{"data type": fmt.Sprintf("%T", d)}
	}
	v := map[string]any{"remote": ipEndpoint(t.Remote), "local": ipEndpoint(t.Local), "ttl": t.TTL}
	if p, ok := protos[t.Proto]; ok {
		v["proto"] = p
	}
	if !v6 {
		v["pmtudisc"] = !t.NoPMTUDisc
		if t.TOS != 0 {
			v["tos"] = hexView(uint32(t.TOS))
		}
	}
	if t.Fwmark != 0 {
		v["fwmark"] = hexView(t.Fwmark)
	}
	encapView(v, t.Encap)
	return v
}

// vtiTunnelView is what ip prints of a VTI's data: the keys and the mark
// when they are set.
func vtiTunnelView(d rtnetlink.LinkData) map[string]any {
	var t *rtnetlink.VTITunnel
	switch d := d.(type) {
	case *rtnetlink.VTI:
		t = (*rtnetlink.VTITunnel)(d)
	case *rtnetlink.VTI6:
		t = (*rtnetlink.VTITunnel)(d)
	default:
		return map[string]any{"data type": fmt.Sprintf("%T", d)}
	}
	v := map[string]any{"remote": ipEndpoint(t.Remote), "local": ipEndpoint(t.Local)}
	if t.IKey != 0 {
		v["ikey"] = keyString(t.IKey)
	}
	if t.OKey != 0 {
		v["okey"] = keyString(t.OKey)
	}
	if t.Fwmark != 0 {
		v["fwmark"] = hexView(t.Fwmark)
	}
	return v
}

// ipvlanView is what ip prints of an ipvlan's or ipvtap's data: the mode,
// and one of private, vepa and bridge.
func ipvlanView(mode rtnetlink.IPVlanMode, flags rtnetlink.IPVlanFlags) map[string]any {
	v := map[string]any{"mode": mode.String()}
	switch {
	case flags&rtnetlink.IPVlanPrivate != 0:
		v["private"] = true
	case flags&rtnetlink.IPVlanVEPA != 0:
		v["vepa"] = true
	default:
		v["bridge"] = true
	}
	return v
}

// optionalKeys are info_data keys ip prints only when they are set: a view
// that leaves one out says it is not.
var optionalKeys = []string{"tos", "fwmark", "encap", "ikey", "okey", "private", "vepa", "bridge", "multiproto"}

// checkIPView checks that ip -j -d prints, in name's info_data, each key
// of view with view's value, and none of optionalKeys that view leaves
// out.
func checkIPView(t *testing.T, ns *nstest.NS, name string, view map[string]any) {
	t.Helper()
	data := ipShow(t, ns, name).LinkInfo.Data
	for k, v := range view {
		raw, ok := data[k]
		if !ok {
			t.Errorf("%s: ip prints no %s, want %v (ip prints %s)", name, k, v, jsonOf(data))
			continue
		}
		want, _ := json.Marshal(v)
		var gotV, wantV any
		json.Unmarshal(raw, &gotV)
		json.Unmarshal(want, &wantV)
		if !reflect.DeepEqual(gotV, wantV) {
			t.Errorf("%s: %s = %s, ip says %s", name, k, want, raw)
		}
	}
	for _, k := range optionalKeys {
		if _, ours := view[k]; !ours {
			if raw, ok := data[k]; ok {
				t.Errorf("%s: ip prints %s %s, which the data does not have", name, k, raw)
			}
		}
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// checkChanged checks k0 after a change: its data holds what want has
// (its fields that are not zero), and ip prints what the data says.
func checkChanged(t *testing.T, ns *nstest.NS, rt *rtnetlink.Conn, c changeTest, want rtnetlink.LinkData) {
	t.Helper()
	checkKind(t, ns, rt, kindTest{name: c.name}, "k0", want)
	l, err := rt.LinkByName(context.Background(), "k0")
	if err != nil {
		t.Fatal(err)
	}
	checkIPView(t, ns, "k0", c.view(l.Data))
}

// withoutCapabilities returns d, or a copy of it without the capability
// bits of its IP6TunnelFlags: sent back as listed, the kernel replaces
// them with its own.
func withoutCapabilities(d rtnetlink.LinkData) rtnetlink.LinkData {
	v := reflect.ValueOf(d).Elem()
	f := v.FieldByName("Flags")
	if !f.IsValid() || f.Type() != reflect.TypeOf(rtnetlink.IP6TunnelFlags(0)) {
		return d
	}
	c := reflect.New(v.Type())
	c.Elem().Set(v)
	c.Elem().FieldByName("Flags").SetUint(f.Uint() &^ uint64(rtnetlink.IP6TunnelCapabilities))
	return c.Interface().(rtnetlink.LinkData)
}

// checkRefusedChange checks that err is the kernel's refusal of a change
// to link index: EOPNOTSUPP, in a *netlink.OpError naming the link.
func checkRefusedChange(t *testing.T, err error, index int) {
	t.Helper()
	var oe *netlink.OpError
	switch {
	case !errors.Is(err, unix.EOPNOTSUPP):
		t.Errorf("change refused with %v, want EOPNOTSUPP", err)
	case !errors.As(err, &oe) || oe.Op == "check":
		t.Errorf("%v: not the kernel's refusal", err)
	case oe.Object != fmt.Sprintf("link %d", index) || !strings.Contains(err.Error(), oe.Object):
		t.Errorf("%v: names %q, want link %d", err, oe.Object, index)
	}
}

var changeTests = []changeTest{{
	name: "gretap",
	fou:  true,
	ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.GRETap{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2"), TTL: 3}}
	},
	change: func(listed rtnetlink.LinkData, _ int) rtnetlink.LinkData {
		d := *listed.(*rtnetlink.GRETap)
		d.Remote, d.TTL, d.TOS, d.Fwmark = kaddr("198.18.0.6"), 9, 0x10, 5
		d.IFlags, d.OFlags, d.IKey, d.OKey = rtnetlink.GREKey, rtnetlink.GREKey, 7, 8
		d.Encap = rtnetlink.TunnelEncap{Type: rtnetlink.TunnelEncapGUE, Flags: rtnetlink.TunnelEncapCsum, SourcePort: 6001, DestPort: 6000}
		return &d
	},
	ipSet: "local 198.18.0.1 remote 198.18.0.7 ttl 12 tos 0x20 key 9 fwmark 0x11 encap fou encap-sport 7000 encap-dport 7001 noencap-csum encap-remcsum",
	ipWant: func(int) rtnetlink.LinkData {
		return &rtnetlink.GRETap{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.7"), TTL: 12, TOS: 0x20, Fwmark: 0x11,
			IFlags: rtnetlink.GREKey, OFlags: rtnetlink.GREKey, IKey: 9, OKey: 9,
			Encap: rtnetlink.TunnelEncap{Type: rtnetlink.TunnelEncapFOU, Flags: rtnetlink.TunnelEncapRemCsum, SourcePort: 7000, DestPort: 7001}}
	},
	view: greTunnelView,
}, {
	name: "ip6gretap",
	fou:  true,
	ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.IP6GRETap{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::2"), TTL: 64, EncapLimit: 4}}
	},
	change: func(listed rtnetlink.LinkData, _ int) rtnetlink.LinkData {
		d := *listed.(*rtnetlink.IP6GRETap)
		d.Remote, d.TTL, d.Fwmark = kaddr("2001:db8::4"), 9, 5
		d.Encap = rtnetlink.TunnelEncap{Type: rtnetlink.TunnelEncapGUE, Flags: rtnetlink.TunnelEncapCsum6, SourcePort: 6001, DestPort: 6000}
		return &d
	},
	ipSet: "local 2001:db8::1 remote 2001:db8::5 hoplimit 7 fwmark 0x12 encap fou encap-sport auto encap-dport 7001 encap-udp6-csum",
	ipWant: func(int) rtnetlink.LinkData {
		return &rtnetlink.IP6GRETap{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::5"), TTL: 7, EncapLimit: 4, Fwmark: 0x12,
			Encap: rtnetlink.TunnelEncap{Type: rtnetlink.TunnelEncapFOU, Flags: rtnetlink.TunnelEncapCsum6, DestPort: 7001}}
	},
	view: greTunnelView,
}, {
	name: "sit",
	fou:  true,
	ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.SIT{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.2"), TTL: 64, Proto: unix.IPPROTO_IPV6}}
	},
	change: func(listed rtnetlink.LinkData, _ int) rtnetlink.LinkData {
		d := *listed.(*rtnetlink.SIT)
		d.Remote, d.TTL, d.TOS, d.Fwmark = kaddr("198.18.0.6"), 10, 0x10, 4
		d.Encap = rtnetlink.TunnelEncap{Type: rtnetlink.TunnelEncapFOU, Flags: rtnetlink.TunnelEncapCsum, SourcePort: 5000, DestPort: 5001}
		return &d
	},
	ipSet: "local 198.18.0.1 remote 198.18.0.7 ttl 11 tos 0x20 mode any encap gue encap-sport 6000 encap-dport 6001 encap-csum encap-remcsum",
	ipWant: func(int) rtnetlink.LinkData {
		return &rtnetlink.SIT{Local: kaddr("198.18.0.1"), Remote: kaddr("198.18.0.7"), TTL: 11, TOS: 0x20, Fwmark: 4,
			Encap: rtnetlink.TunnelEncap{Type: rtnetlink.TunnelEncapGUE, Flags: rtnetlink.TunnelEncapCsum | rtnetlink.TunnelEncapRemCsum, SourcePort: 6000, DestPort: 6001}}
	},
	view: ipTunnelView,
}, {
	name: "vti6",
	ours: func(int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.VTI6{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::2"), IKey: 1, OKey: 1}}
	},
	change: func(listed rtnetlink.LinkData, _ int) rtnetlink.LinkData {
		d := *listed.(*rtnetlink.VTI6)
		d.Remote, d.IKey, d.OKey, d.Fwmark = kaddr("2001:db8::4"), 5, 6, 7
		return &d
	},
	ipSet: "local 2001:db8::1 remote 2001:db8::5 ikey 8 okey 9 fwmark 10",
	ipWant: func(int) rtnetlink.LinkData {
		return &rtnetlink.VTI6{Local: kaddr("2001:db8::1"), Remote: kaddr("2001:db8::5"), IKey: 8, OKey: 9, Fwmark: 10}
	},
	view: vtiTunnelView,
}, {
	name: "ipvtap", setup: vethSetup,
	ours: func(p0 int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", ParentIndex: p0, Data: &rtnetlink.IPVtap{Mode: rtnetlink.IPVlanL3}}
	},
	change: func(rtnetlink.LinkData, int) rtnetlink.LinkData {
		return &rtnetlink.IPVtap{Mode: rtnetlink.IPVlanL2, Flags: rtnetlink.IPVlanPrivate}
	},
	ipSet: "mode l3s vepa",
	ipWant: func(int) rtnetlink.LinkData {
		return &rtnetlink.IPVtap{Mode: rtnetlink.IPVlanL3S, Flags: rtnetlink.IPVlanVEPA}
	},
	view: func(d rtnetlink.LinkData) map[string]any {
		v := d.(*rtnetlink.IPVtap)
		return ipvlanView(v.Mode, v.Flags)
	},
}, {
	name: "macvtap", setup: vethSetup,
	ours: func(p0 int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", ParentIndex: p0, Data: &rtnetlink.Macvtap{Mode: rtnetlink.MacvlanBridge}}
	},
	change: func(rtnetlink.LinkData, int) rtnetlink.LinkData {
		return &rtnetlink.Macvtap{Mode: rtnetlink.MacvlanPrivate}
	},
	ipSet:  "mode vepa",
	ipWant: func(int) rtnetlink.LinkData { return &rtnetlink.Macvtap{Mode: rtnetlink.MacvlanVEPA} },
	view: func(d rtnetlink.LinkData) map[string]any {
		return map[string]any{"mode": d.(*rtnetlink.Macvtap).Mode.String()}
	},
}, {
	// The if_id changes; the lower link cannot (the kernel's EINVAL),
	// so ip names it too.
	name: "xfrm", setup: vethSetup,
	ours: func(p0 int) rtnetlink.Link {
		return rtnetlink.Link{Name: "k0", Data: &rtnetlink.Xfrm{IfID: 5, DevIndex: p0}}
	},
	change: func(_ rtnetlink.LinkData, p0 int) rtnetlink.LinkData { return &rtnetlink.Xfrm{IfID: 7, DevIndex: p0} },
	ipSet:  "dev p0 if_id 0x1234",
	ipWant: func(p0 int) rtnetlink.LinkData { return &rtnetlink.Xfrm{IfID: 0x1234, DevIndex: p0} },
	view: func(d rtnetlink.LinkData) map[string]any {
		return map[string]any{"if_id": hexView(d.(*rtnetlink.Xfrm).IfID)}
	},
}, {
	// A VRF's table is fixed: the kernel has no changelink for vrf.
	name: "vrf",
	ours: func(int) rtnetlink.Link { return rtnetlink.Link{Name: "k0", Data: &rtnetlink.VRF{Table: 100}} },
	change: func(rtnetlink.LinkData, int) rtnetlink.LinkData {
		return &rtnetlink.VRF{Table: 200}
	},
	ipSet:   "table 300",
	refused: true,
	view:    func(d rtnetlink.LinkData) map[string]any { return map[string]any{"table": d.(*rtnetlink.VRF).Table} },
}}

// TestKindsChangeMatchIP: each kind's link changed with SetLinkData, as
// ip then prints it; changed with ip link set, as Link then reads it. The
// kinds the kernel cannot change refuse both, with EOPNOTSUPP, and keep
// their data.
func TestKindsChangeMatchIP(t *testing.T) {
	for _, c := range changeTests {
		t.Run(c.name, func(t *testing.T) { runChangeTest(t, c) })
	}
}

// TestBareUDPChangeRefused is TestKindsChangeMatchIP for bareudp, which
// has no changelink either. Debian's kernels do not build it
// (CONFIG_BAREUDP is not set), so TestModulesVM cannot run it: it runs
// where a kernel has it, and skips elsewhere.
func TestBareUDPChangeRefused(t *testing.T) {
	runChangeTest(t, changeTest{
		name: "bareudp",
		ours: func(int) rtnetlink.Link {
			return rtnetlink.Link{Name: "k0", Data: &rtnetlink.BareUDP{Port: 6635, EtherType: 0x8847}}
		},
		change: func(rtnetlink.LinkData, int) rtnetlink.LinkData {
			return &rtnetlink.BareUDP{Port: 6636, EtherType: 0x8847, SourcePortMin: 3000}
		},
		ipSet:   "dstport 6637 ethertype mpls_uc",
		refused: true,
		view: func(d rtnetlink.LinkData) map[string]any {
			u := d.(*rtnetlink.BareUDP)
			return map[string]any{"dstport": u.Port, "srcportmin": u.SourcePortMin}
		},
	})
}

// runChangeTest runs c: k0 made, changed by us and by ip, each change
// compared with what ip prints and what Link reads.
func runChangeTest(t *testing.T, c changeTest) {
	ctx := context.Background()
	if c.fou {
		needFOU(t)
	}
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	if len(c.setup) > 0 {
		ns.Batch(t, c.setup)
	}
	p0 := 0
	if l, err := rt.LinkByName(ctx, "p0"); err == nil {
		p0 = l.Index
	}
	k0, err := rt.CreateLink(ctx, c.ours(p0))
	lacksKind(t, c.name, err)
	if err != nil {
		t.Fatalf("CreateLink %s: %v", c.name, err)
	}
	listed, err := rt.Link(ctx, k0.Index)
	if err != nil {
		t.Fatal(err)
	}
	checkIPView(t, ns, "k0", c.view(listed.Data))
	d := c.change(listed.Data, p0)
	err = rt.SetLinkData(ctx, k0.Index, d)
	ipArgs := append([]string{"link", "set", "k0", "type", c.name}, strings.Fields(c.ipSet)...)
	if c.refused {
		checkRefusedChange(t, err, k0.Index)
		if out, err := ns.Try(ipArgs...); err == nil {
			t.Errorf("ip %s: the kernel took it: %s", strings.Join(ipArgs, " "), out)
		}
		after, err := rt.Link(ctx, k0.Index)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after.Data, listed.Data) {
			t.Errorf("refused changes changed the data: %+v, before %+v", after.Data, listed.Data)
		}
		checkIPView(t, ns, "k0", c.view(after.Data))
		return
	}
	if err != nil {
		t.Fatalf("SetLinkData %+v: %v", d, err)
	}
	checkChanged(t, ns, rt, c, withoutCapabilities(d))
	ns.Run(t, ipArgs...)
	checkChanged(t, ns, rt, c, c.ipWant(p0))
}
