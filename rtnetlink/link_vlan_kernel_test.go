//go:build linux

package rtnetlink_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
)

// vlanView is a VLAN's data as ip -j -d prints its info_data: protocol,
// id, the flags on (a list; the kernel sends none when no flag is on),
// and the QoS maps as lists of {from, to}, there when not empty. It marshals and unmarshals
// back, so that it compares with ip's JSON as decoded.
func vlanView(v *rtnetlink.Vlan) map[string]any {
	m := map[string]any{"protocol": v.Protocol.String(), "id": v.ID}
	if v.Flags != 0 {
		m["flags"] = v.Flags.Names()
	}
	qos := func(key string, maps []rtnetlink.VlanQoS) {
		if len(maps) == 0 {
			return
		}
		var l []map[string]uint32
		for _, q := range maps {
			l = append(l, map[string]uint32{"from": q.From, "to": q.To})
		}
		m[key] = l
	}
	qos("ingress_qos", v.IngressQoS)
	qos("egress_qos", v.EgressQoS)
	b, _ := json.Marshal(m)
	var back map[string]any
	json.Unmarshal(b, &back)
	return back
}

// vlanFlagsAll are the VLAN flags, each of them on or off as read.
const vlanFlagsAll = rtnetlink.VlanReorderHdr | rtnetlink.VlanGVRP | rtnetlink.VlanMVRP | rtnetlink.VlanLooseBinding | rtnetlink.VlanBridgeBinding

// sortedQoS returns the mappings sorted by From: the kernel lists the
// egress ones in its own order.
func sortedQoS(maps []rtnetlink.VlanQoS) []rtnetlink.VlanQoS {
	return slices.SortedFunc(slices.Values(maps), func(a, b rtnetlink.VlanQoS) int { return cmp.Compare(a.From, b.From) })
}

// checkVlan compares the VLAN name as Links reads it with ip's info_data,
// key by key both ways, and with want: its protocol, ID, the flags on
// (all the others are off) and its QoS maps in any order.
func checkVlan(t *testing.T, ns *nstest.NS, rt *rtnetlink.Conn, name string, want rtnetlink.Vlan) {
	t.Helper()
	l, err := rt.LinkByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	v, ok := l.Data.(*rtnetlink.Vlan)
	if !ok {
		t.Fatalf("%s: data %T", name, l.Data)
	}
	li, _ := ipJSON(t, ns, name)["linkinfo"].(map[string]any)
	ip, _ := li["info_data"].(map[string]any)
	if ours := vlanView(v); !reflect.DeepEqual(ours, ip) {
		t.Errorf("%s: ip says\n\t%v\nwe read\n\t%v", name, ip, ours)
	}
	got := fmt.Sprintf("%v id %d flags %v ingress %v egress %v", v.Protocol, v.ID, v.Flags, sortedQoS(v.IngressQoS), sortedQoS(v.EgressQoS))
	if want.Protocol == 0 {
		want.Protocol = rtnetlink.VlanQ
	}
	exp := fmt.Sprintf("%v id %d flags %v ingress %v egress %v", want.Protocol, want.ID, want.Flags, sortedQoS(want.IngressQoS), sortedQoS(want.EgressQoS))
	if got != exp {
		t.Errorf("%s: %s, want %s", name, got, exp)
	}
	if v.Flags|v.FlagsOff != vlanFlagsAll {
		t.Errorf("%s: Flags %#x and FlagsOff %#x do not split the flags", name, uint32(v.Flags), uint32(v.FlagsOff))
	}
}

// TestVlanMatchesIP makes VLANs of both protocols with every flag on and
// off and QoS maps, through CreateLink and through ip, and changes them
// through SetLinkData and ip link set: ip reads what we make as we asked,
// and we read what ip makes as ip shows it.
func TestVlanMatchesIP(t *testing.T) {
	ctx := context.Background()
	ns := nstest.New(t)
	rt := dial(t, ns, netlink.Config{})
	ns.Batch(t, vethSetup)
	p0, err := rt.LinkByName(ctx, "p0")
	if err != nil {
		t.Fatal(err)
	}
	const all = vlanFlagsAll
	q := func(pairs ...uint32) []rtnetlink.VlanQoS {
		var m []rtnetlink.VlanQoS
		for i := 0; i < len(pairs); i += 2 {
			m = append(m, rtnetlink.VlanQoS{From: pairs[i], To: pairs[i+1]})
		}
		return m
	}
	// Ours: as asked, and as ip reads them.
	ours := []struct {
		name string
		v    rtnetlink.Vlan
		want rtnetlink.VlanFlags // the flags on: the kernel's default is REORDER_HDR alone
	}{
		{"o1", rtnetlink.Vlan{ID: 10, Flags: rtnetlink.VlanGVRP | rtnetlink.VlanMVRP | rtnetlink.VlanLooseBinding, FlagsOff: rtnetlink.VlanReorderHdr,
			IngressQoS: q(1, 2, 5, 6), EgressQoS: q(3, 4, 17, 7, 2, 1)}, rtnetlink.VlanGVRP | rtnetlink.VlanMVRP | rtnetlink.VlanLooseBinding},
		{"o2", rtnetlink.Vlan{ID: 20, Protocol: rtnetlink.VlanAD, Flags: rtnetlink.VlanBridgeBinding}, rtnetlink.VlanReorderHdr | rtnetlink.VlanBridgeBinding},
		{"o3", rtnetlink.Vlan{ID: 30, Protocol: rtnetlink.VlanQ, FlagsOff: all, EgressQoS: q(0, 7)}, 0},
		{"o4", rtnetlink.Vlan{ID: 4094, Protocol: rtnetlink.VlanAD, Flags: all, IngressQoS: q(7, 1)}, all},
	}
	for _, c := range ours {
		v := c.v
		if _, err := rt.CreateLink(ctx, rtnetlink.Link{Name: c.name, ParentIndex: p0.Index, Data: &v}); err != nil {
			lacksKind(t, "vlan", err)
			t.Fatalf("CreateLink %s %+v: %v", c.name, c.v, err)
		}
		want := c.v
		want.Flags = c.want
		checkVlan(t, ns, rt, c.name, want)
	}
	// Ip's: as ip shows them, and as ip was asked.
	ns.Batch(t, []string{
		"link add link p0 name i1 type vlan id 11 egress-qos-map 1:7 2:5 ingress-qos-map 3:4",
		"link add link p0 name i2 type vlan protocol 802.1ad id 21 reorder_hdr off gvrp on mvrp on loose_binding on bridge_binding on",
		"link add link p0 name i3 type vlan protocol 802.1Q id 31 reorder_hdr on gvrp off mvrp off loose_binding off bridge_binding off ingress-qos-map 0:1 7:7",
	})
	checkVlan(t, ns, rt, "i1", rtnetlink.Vlan{ID: 11, Flags: rtnetlink.VlanReorderHdr, IngressQoS: q(3, 4), EgressQoS: q(1, 7, 2, 5)})
	checkVlan(t, ns, rt, "i2", rtnetlink.Vlan{ID: 21, Protocol: rtnetlink.VlanAD, Flags: all &^ rtnetlink.VlanReorderHdr})
	checkVlan(t, ns, rt, "i3", rtnetlink.Vlan{ID: 31, Flags: rtnetlink.VlanReorderHdr, IngressQoS: q(0, 1, 7, 7)})

	// Changed by us: mappings added, changed, and removed (to 0; an
	// egress mapping to 0 stays in the kernel, unlisted), flags turned
	// on and off, the others kept.
	o1, err := rt.LinkByName(ctx, "o1")
	if err != nil {
		t.Fatal(err)
	}
	change := &rtnetlink.Vlan{ID: 10, Flags: rtnetlink.VlanReorderHdr | rtnetlink.VlanBridgeBinding, FlagsOff: rtnetlink.VlanGVRP,
		IngressQoS: q(1, 0, 7, 3), EgressQoS: q(3, 0, 17, 6, 4, 5)}
	if err := rt.SetLinkData(ctx, o1.Index, change); err != nil {
		t.Fatalf("SetLinkData %+v: %v", change, err)
	}
	checkVlan(t, ns, rt, "o1", rtnetlink.Vlan{ID: 10, Flags: rtnetlink.VlanReorderHdr | rtnetlink.VlanBridgeBinding | rtnetlink.VlanMVRP | rtnetlink.VlanLooseBinding,
		IngressQoS: q(5, 6, 7, 3), EgressQoS: q(2, 1, 4, 5, 17, 6)})
	// Changed by ip, read by us.
	ns.Batch(t, []string{
		"link set i1 type vlan ingress-qos-map 3:0 6:1 egress-qos-map 2:0 9:3 reorder_hdr off mvrp on",
		"link set i2 type vlan gvrp off bridge_binding off",
	})
	checkVlan(t, ns, rt, "i1", rtnetlink.Vlan{ID: 11, Flags: rtnetlink.VlanMVRP, IngressQoS: q(6, 1), EgressQoS: q(1, 7, 9, 3)})
	checkVlan(t, ns, rt, "i2", rtnetlink.Vlan{ID: 21, Protocol: rtnetlink.VlanAD, Flags: rtnetlink.VlanMVRP | rtnetlink.VlanLooseBinding})
	// And the links as Links lists them, with the other fields, as ip
	// shows them.
	index := map[string]int{}
	for _, x := range ipLinks(t, ns) {
		index[x.Name] = x.Index
	}
	for _, name := range []string{"o1", "o2", "o3", "o4", "i1", "i2", "i3"} {
		l, err := rt.LinkByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		ip := ipShow(t, ns, name)
		l.Data, l.Kind, ip.LinkInfo.Kind = nil, "", ""
		if diffs := compareLink(ip, l, index); len(diffs) > 0 {
			t.Error(strings.Join(diffs, "\n"))
		}
	}
	// And created again as listed, with their flags and maps.
	recreateListed(t, ns, rt, "o1", "o3", "i1", "i2", "i3")
}
