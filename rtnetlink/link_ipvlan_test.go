//go:build linux

package rtnetlink

import "testing"

func TestIPVlanBytes(t *testing.T) {
	checkDataBytes(t, &IPVlan{Mode: IPVlanL3S, Flags: IPVlanVEPA}, `
06 00 01 00  02 00 00 00     # IFLA_IPVLAN_MODE l3s
06 00 02 00  02 00 00 00     # IFLA_IPVLAN_FLAGS vepa
`)
	checkDataBytes(t, &IPVtap{}, `
06 00 01 00  00 00 00 00     # IFLA_IPVLAN_MODE l2: always sent
06 00 02 00  00 00 00 00     # IFLA_IPVLAN_FLAGS bridge
`)
	checkRefused(t, map[string]Link{
		"mode 3":           {Name: "i", ParentIndex: 1, Data: &IPVlan{Mode: 3}},
		"private and vepa": {Name: "i", ParentIndex: 1, Data: &IPVtap{Flags: IPVlanPrivate | IPVlanVEPA}},
	})
	if IPVlanL3S.String() != "l3s" || IPVlanMode(5).String() != "IPVlanMode(5)" {
		t.Error("IPVlanMode.String")
	}
}

func TestIPVlanEncodesAsIP(t *testing.T) {
	checkAsIP(t, nil, nil, []ipCase{
		{"name t0 link lo type ipvlan mode l2", Link{Name: "t0", ParentIndex: 1, Data: &IPVlan{}}},
		{"name t0 link lo type ipvlan mode l3 private", Link{Name: "t0", ParentIndex: 1, Data: &IPVlan{Mode: IPVlanL3, Flags: IPVlanPrivate}}},
		{"name t0 link lo type ipvlan mode l3s vepa", Link{Name: "t0", ParentIndex: 1, Data: &IPVlan{Mode: IPVlanL3S, Flags: IPVlanVEPA}}},
		{"name t0 link lo type ipvlan mode l2 bridge", Link{Name: "t0", ParentIndex: 1, Data: &IPVlan{}}},
		{"name t0 link lo type ipvtap mode l3 vepa", Link{Name: "t0", ParentIndex: 1, Data: &IPVtap{Mode: IPVlanL3, Flags: IPVlanVEPA}}},
	})
}

// TestIPVlanSetEncodesAsIP: SetLinkData's request, as ip link set sends it.
func TestIPVlanSetEncodesAsIP(t *testing.T) {
	checkSetAsIP(t, nil, []ipSetCase{
		{"dev lo type ipvlan mode l3 private", 1, &IPVlan{Mode: IPVlanL3, Flags: IPVlanPrivate}},
		{"dev lo type ipvtap mode l2 vepa", 1, &IPVtap{Flags: IPVlanVEPA}},
	})
}
