//go:build linux

package rtnetlink

import "testing"

func TestVRFBytes(t *testing.T) {
	checkDataBytes(t, &VRF{Table: 1000}, `
08 00 01 00  e8 03 00 00     # IFLA_VRF_TABLE 1000
`)
	checkRefused(t, map[string]Link{"no table": {Name: "v", Data: &VRF{}}})
}

func TestVRFEncodesAsIP(t *testing.T) {
	checkAsIP(t, nil, nil, []ipCase{
		{"name t0 type vrf table 10", Link{Name: "t0", Data: &VRF{Table: 10}}},
		{"name t0 type vrf table 4294967295", Link{Name: "t0", Data: &VRF{Table: 1<<32 - 1}}},
	})
}
