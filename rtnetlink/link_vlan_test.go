//go:build linux

package rtnetlink

import (
	"testing"

	"github.com/nlkit/netlink/internal/uapi"
)

func TestVlanBytes(t *testing.T) {
	checkDataBytes(t, &Vlan{
		ID: 100, Protocol: VlanAD, Flags: VlanGVRP | VlanLooseBinding, FlagsOff: VlanReorderHdr,
		IngressQoS: []VlanQoS{{1, 2}, {7, 9}}, EgressQoS: []VlanQoS{{3, 4}},
		Other: raw(9, 1, 2),
	}, `
06 00 01 00  64 00 00 00                    # IFLA_VLAN_ID 100
06 00 05 00  88 a8 00 00                    # IFLA_VLAN_PROTOCOL 802.1ad, big-endian
0c 00 02 00  06 00 00 00  07 00 00 00       # IFLA_VLAN_FLAGS: GVRP|LOOSE_BINDING, mask adds REORDER_HDR
1c 00 04 80                                 # IFLA_VLAN_INGRESS_QOS
  0c 00 01 00  01 00 00 00  02 00 00 00     #   IFLA_VLAN_QOS_MAPPING 1:2
  0c 00 01 00  07 00 00 00  09 00 00 00     #   7:9
10 00 03 80                                 # IFLA_VLAN_EGRESS_QOS
  0c 00 01 00  03 00 00 00  04 00 00 00     #   3:4
06 00 09 00  01 02 00 00                    # unknown 9, kept
`)
	// The kernel reports every flag (mask ~0): those not on are off, of
	// those it takes in a request's mask. With no flag on it sends no
	// IFLA_VLAN_FLAGS: every flag is off.
	for _, c := range []struct {
		b       string
		on, off VlanFlags
		resend  string // IFLA_VLAN_FLAGS in the request that creates the VLAN again
	}{
		{"0c 00 02 00  01 00 00 00  ff ff ff ff", VlanReorderHdr, VlanGVRP | VlanLooseBinding | VlanMVRP | VlanBridgeBinding,
			"0c 00 02 00  01 00 00 00  1f 00 00 00"},
		{"0c 00 02 00  12 00 00 00  ff ff ff ff", VlanGVRP | VlanBridgeBinding, VlanReorderHdr | VlanLooseBinding | VlanMVRP,
			"0c 00 02 00  12 00 00 00  1f 00 00 00"},
		{"", 0, VlanReorderHdr | VlanGVRP | VlanLooseBinding | VlanMVRP | VlanBridgeBinding,
			"0c 00 02 00  00 00 00 00  1f 00 00 00"},
		// A flag this package does not know, on, stays on.
		{"0c 00 02 00  21 00 00 00  ff ff ff ff", VlanReorderHdr | 0x20, VlanGVRP | VlanLooseBinding | VlanMVRP | VlanBridgeBinding,
			"0c 00 02 00  21 00 00 00  3f 00 00 00"},
	} {
		d, err := decodeLinkData("vlan", unhex(t, "06 00 01 00  05 00 00 00"+c.b))
		v, _ := d.(*Vlan)
		if err != nil || v == nil || v.Flags != c.on || v.FlagsOff != c.off {
			t.Errorf("% s: %+v, %v; want flags %v, off %v", c.b, d, err, c.on, c.off)
			continue
		}
		checkDataBytes(t, &Vlan{ID: 5, Flags: v.Flags, FlagsOff: v.FlagsOff}, "06 00 01 00  05 00 00 00"+c.resend)
	}
	for _, bad := range []string{
		"0b 00 02 00  01 00 00 00  ff ff ff",    // short flags
		"0c 00 04 00  08 00 01 00  01 00 00 00", // short mapping
		"08 00 03 00  05 00 01 00",              // nest that overruns
		"05 00 01 00  05 00 00 00",              // 1-byte ID
	} {
		if _, err := decodeLinkData("vlan", unhex(t, bad)); err == nil {
			t.Errorf("% s: no error", bad)
		}
	}
}

func TestVlanChecks(t *testing.T) {
	checkRefused(t, map[string]Link{
		"id 4095":            {Name: "v", ParentIndex: 1, Data: &Vlan{ID: 4095}},
		"protocol 0x9100":    {Name: "v", ParentIndex: 1, Data: &Vlan{ID: 1, Protocol: 0x9100}},
		"flag on and off":    {Name: "v", ParentIndex: 1, Data: &Vlan{ID: 1, Flags: VlanGVRP, FlagsOff: VlanGVRP | VlanMVRP}},
		"ingress from 8":     {Name: "v", ParentIndex: 1, Data: &Vlan{ID: 1, IngressQoS: []VlanQoS{{8, 1}}}},
		"egress to priority": {Name: "v", ParentIndex: 1, Data: &Vlan{ID: 1, EgressQoS: []VlanQoS{{1, 8}}}},
	})
	for _, c := range []struct{ got, want string }{
		{VlanQ.String(), "802.1Q"},
		{VlanAD.String(), "802.1ad"},
		{VlanProtocol(0x9100).String(), "0x9100"},
		{(VlanReorderHdr | VlanBridgeBinding).String(), "REORDER_HDR,BRIDGE_BINDING"},
		{VlanFlags(0).String(), "0"},
		{(VlanMVRP | 0x100).String(), "MVRP,0x100"},
		{(VlanLooseBinding | VlanMVRP | VlanGVRP).String(), "GVRP,MVRP,LOOSE_BINDING"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

func TestVlanEncodesAsIP(t *testing.T) {
	l := func(v Vlan) Link { return Link{Name: "t0", ParentIndex: 1, Data: &v} }
	checkAsIP(t, map[uint16]bool{uapi.IFLA_VLAN_INGRESS_QOS: true, uapi.IFLA_VLAN_EGRESS_QOS: true}, nil, []ipCase{
		{"name t0 link lo type vlan id 5", l(Vlan{ID: 5})},
		{"name t0 link lo type vlan id 0", l(Vlan{})},
		{"name t0 link lo type vlan id 4094 protocol 802.1ad", l(Vlan{ID: 4094, Protocol: VlanAD})},
		{"name t0 link lo type vlan protocol 802.1Q id 7 reorder_hdr off gvrp on mvrp on loose_binding on bridge_binding off",
			l(Vlan{ID: 7, Protocol: VlanQ, Flags: VlanGVRP | VlanMVRP | VlanLooseBinding, FlagsOff: VlanReorderHdr | VlanBridgeBinding})},
		{"name t0 link lo type vlan id 8 bridge_binding on",
			l(Vlan{ID: 8, Flags: VlanBridgeBinding})},
		{"name t0 link lo type vlan id 9 ingress-qos-map 0:1 1:2 7:7 egress-qos-map 2:3 4:5",
			l(Vlan{ID: 9, IngressQoS: []VlanQoS{{0, 1}, {1, 2}, {7, 7}}, EgressQoS: []VlanQoS{{2, 3}, {4, 5}}})},
		{"name t0 mtu 1400 address 02:00:00:00:00:05 link lo type vlan id 10",
			Link{Name: "t0", MTU: 1400, HardwareAddr: mustMAC("02:00:00:00:00:05"), ParentIndex: 1, Data: &Vlan{ID: 10}}},
	})
}

// TestVlanSetEncodesAsIP: SetLinkData's request, as ip link set sends it.
func TestVlanSetEncodesAsIP(t *testing.T) {
	nested := map[uint16]bool{uapi.IFLA_VLAN_INGRESS_QOS: true, uapi.IFLA_VLAN_EGRESS_QOS: true}
	checkSetAsIP(t, nested, []ipSetCase{
		// SetLinkData always sends the id, which the kernel checks is in
		// range and does not change: ip sends it when given.
		{"dev lo type vlan id 7 gvrp on reorder_hdr off", 1, &Vlan{ID: 7, Flags: VlanGVRP, FlagsOff: VlanReorderHdr}},
		{"dev lo type vlan id 7 egress-qos-map 1:2 ingress-qos-map 3:0", 1, &Vlan{ID: 7, EgressQoS: []VlanQoS{{1, 2}}, IngressQoS: []VlanQoS{{3, 0}}}},
	})
}
