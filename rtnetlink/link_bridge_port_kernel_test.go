//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
)

// bridgeShow returns what `bridge -j -d link show dev NAME` prints.
func bridgeShow(t *testing.T, ns *nstest.NS, name string) string {
	t.Helper()
	out, err := exec.Command("bridge", "-n", ns.Name, "-j", "-d", "link", "show", "dev", name).CombinedOutput()
	if err != nil {
		t.Fatalf("bridge -j -d link show dev %s: %v: %s", name, err, out)
	}
	return string(out)
}

// otherAttrs maps the types of a RawAttrs to their payloads.
func otherAttrs(t *testing.T, o rtnetlink.RawAttrs) map[uint16][]byte {
	t.Helper()
	m := map[uint16][]byte{}
	for a, err := range o.All() {
		if err != nil {
			t.Fatal(err)
		}
		m[a.Type] = a.Data
	}
	return m
}

// withOther returns o with the attributes of set in place of those of
// their types.
func withOther(t *testing.T, o rtnetlink.RawAttrs, set map[uint16][]byte) rtnetlink.RawAttrs {
	t.Helper()
	var e netlink.AttrEncoder
	for a, err := range o.All() {
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := set[a.Type]; !ok {
			e.Attr(a)
		}
	}
	for typ, v := range set {
		e.Bytes(typ, v)
	}
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return rtnetlink.RawAttrs(b)
}

// TestBridgePortOther: a bridge port's settings that BridgePort does not
// model are kept in Other as ip and bridge show them, and a listed port's
// settings sent back (SetLinkPort) set them again and change nothing
// else: not the read-only attributes the kernel reports, one of which it
// refuses in a request.
func TestBridgePortOther(t *testing.T) {
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	ns.Batch(t, []string{
		"link add br0 type bridge",
		"link add v0 type veth peer name v1",
		"link add v2 type veth peer name v3",
		"link set v0 master br0",
		"link set v2 master br0",
		"link set v0 type bridge_slave mcast_router 2 group_fwd_mask 0x8 mcast_to_unicast on vlan_tunnel on proxy_arp_wifi on backup_port v2 locked on",
	})
	v2, err := rt.LinkByName(ctx, "v2")
	if err != nil {
		t.Fatal(err)
	}
	l, err := rt.LinkByName(ctx, "v0")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := l.Port.(*rtnetlink.BridgePort)
	if !ok {
		t.Fatalf("v0's port settings: %+v", l.Port)
	}
	// ip -> package: what ip set is in Other, as ip shows it.
	other := otherAttrs(t, p.Other)
	u8 := func(typ uint16) int {
		if v, ok := other[typ]; ok && len(v) == 1 {
			return int(v[0])
		}
		return -1
	}
	u32 := func(typ uint16) int {
		if v, ok := other[typ]; ok && len(v) == 4 {
			return int(binary.NativeEndian.Uint32(v))
		}
		return -1
	}
	slave, _ := ipJSON(t, ns, "v0")["linkinfo"].(map[string]any)["info_slave_data"].(map[string]any)
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"mcast_router (25)", u8(25), 2},
		{"mcast_to_unicast (28)", u8(28), 1},
		{"vlan_tunnel (29)", u8(29), 1},
		{"proxy_arp_wifi (12)", u8(12), 1},
		{"locked (39)", u8(39), 1},
		{"backup_port (34)", u32(34), v2.Index},
	} {
		if c.got != c.want {
			t.Errorf("Other's %s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if v := other[31]; len(v) != 2 || binary.NativeEndian.Uint16(v) != 8 {
		t.Errorf("Other's group_fwd_mask (31) = % x, want 8", v)
	}
	if slave["multicast_router"] != float64(u8(25)) || slave["group_fwd_mask"] != "0x8" || slave["mcast_to_unicast"] != true ||
		slave["vlan_tunnel"] != true || slave["proxy_arp_wifi"] != true || slave["locked"] != true || slave["backup_port"] != "v2" {
		t.Errorf("ip -j -d shows %v; Other holds %v", slave, other)
	}
	if _, ok := other[13]; !ok {
		t.Errorf("no IFLA_BRPORT_ROOT_ID in Other: %v", other)
	}

	// A listed port's settings sent back change nothing.
	ipBefore, bridgeBefore := ns.Run(t, "-d", "link", "show", "dev", "v0"), bridgeShow(t, ns, "v0")
	if err := rt.SetLinkPort(ctx, l.Index, p); err != nil {
		t.Fatalf("SetLinkPort with the listed settings: %v", err)
	}
	if got := ns.Run(t, "-d", "link", "show", "dev", "v0"); got != ipBefore {
		t.Errorf("ip -d link show after sending the listed settings back:\n%s\nbefore:\n%s", got, ipBefore)
	}
	if got := bridgeShow(t, ns, "v0"); got != bridgeBefore {
		t.Errorf("bridge -j -d link show after sending the listed settings back:\n%s\nbefore:\n%s", got, bridgeBefore)
	}
	// Which is so only because the read-only attributes stay out: the
	// kernel refuses the multicast group count it reports.
	if v, ok := other[41]; ok {
		var e netlink.AttrEncoder
		e.Bytes(41, v)
		b, _ := e.Finish()
		err := rt.SetLinkPort(ctx, l.Index, &rtnetlink.RawPortData{KindName: "bridge", Data: b})
		if !errors.Is(err, unix.EINVAL) {
			t.Errorf("IFLA_BRPORT_MCAST_N_GROUPS in a request: %v, want EINVAL", err)
		}
	} else {
		t.Log("this kernel reports no IFLA_BRPORT_MCAST_N_GROUPS")
	}

	// package -> ip: with the settings undone by ip, the listed ones sent
	// back are what ip shows again.
	ns.Run(t, "link", "set", "v0", "type", "bridge_slave", "mcast_router", "1", "group_fwd_mask", "0", "mcast_to_unicast", "off",
		"vlan_tunnel", "off", "proxy_arp_wifi", "off", "nobackup_port", "locked", "off")
	if ns.Run(t, "-d", "link", "show", "dev", "v0") == ipBefore {
		t.Fatal("ip did not change the port's settings")
	}
	if err := rt.SetLinkPort(ctx, l.Index, p); err != nil {
		t.Fatalf("SetLinkPort with the listed settings: %v", err)
	}
	if got := ns.Run(t, "-d", "link", "show", "dev", "v0"); got != ipBefore {
		t.Errorf("ip -d link show after setting the listed settings:\n%s\nwant:\n%s", got, ipBefore)
	}
	if got := bridgeShow(t, ns, "v0"); got != bridgeBefore {
		t.Errorf("bridge -j -d link show after setting the listed settings:\n%s\nwant:\n%s", got, bridgeBefore)
	}

	// What this ip cannot set, set through Other and read back, where the
	// kernel reports it (the EHT hosts limit from 5.11, MAB from 6.2, the
	// group limit from 6.3, the per-VLAN suppression from 6.8).
	set := map[uint16][]byte{}
	for typ, v := range map[uint16][]byte{
		37: binary.NativeEndian.AppendUint32(nil, 100),
		40: {1},
		42: binary.NativeEndian.AppendUint32(nil, 10),
		43: {1},
	} {
		if _, ok := other[typ]; ok {
			set[typ] = v
		}
	}
	q := *p
	q.Other = withOther(t, p.Other, set)
	if err := rt.SetLinkPort(ctx, l.Index, &q); err != nil {
		t.Fatalf("SetLinkPort with %v in Other: %v", set, err)
	}
	l2, err := rt.LinkByName(ctx, "v0")
	if err != nil {
		t.Fatal(err)
	}
	got := otherAttrs(t, l2.Port.(*rtnetlink.BridgePort).Other)
	for typ, v := range set {
		if string(got[typ]) != string(v) {
			t.Errorf("IFLA_BRPORT %d set to % x reads back % x", typ, v, got[typ])
		}
	}
	t.Logf("set through Other and read back: %d attributes", len(set))
}

// TestLinkInfoXStatsIgnored: the kernel ignores IFLA_INFO_XSTATS in a
// request (ifla_info_policy has no entry for it), which is why a Link's
// Other holds it and CreateLink never sends it.
func TestLinkInfoXStatsIgnored(t *testing.T) {
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ctx := context.Background()
	req := netlink.NewAttrEncoder(make([]byte, unix.SizeofIfInfomsg))
	req.String(unix.IFLA_IFNAME, "x0")
	info := req.Nest(unix.IFLA_LINKINFO)
	req.String(unix.IFLA_INFO_KIND, "bridge")
	req.Bytes(unix.IFLA_INFO_XSTATS, make([]byte, 24))
	req.End(info)
	data, err := req.Finish()
	if err != nil {
		t.Fatal(err)
	}
	m := netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL}, Data: data}
	if _, err := rt.NL.Execute(ctx, m); err != nil {
		t.Fatalf("RTM_NEWLINK with IFLA_INFO_XSTATS: %v", err)
	}
	l, err := rt.LinkByName(ctx, "x0")
	if err != nil {
		t.Fatal(err)
	}
	if l.Kind != "bridge" {
		t.Errorf("x0: %+v", l)
	}
}
