//go:build linux

package rtnetlink

import "testing"

func TestXfrmBytes(t *testing.T) {
	checkDataBytes(t, &Xfrm{IfID: 7, DevIndex: 3}, `
08 00 02 00  07 00 00 00     # IFLA_XFRM_IF_ID 7
08 00 01 00  03 00 00 00     # IFLA_XFRM_LINK 3
`)
	checkDataBytes(t, &Xfrm{External: true}, `
04 00 03 00                  # IFLA_XFRM_COLLECT_METADATA
`)
	checkRefused(t, map[string]Link{
		"external with if_id": {Name: "x", Data: &Xfrm{External: true, IfID: 1}},
		"external with link":  {Name: "x", Data: &Xfrm{External: true, DevIndex: 1}},
		"negative link":       {Name: "x", Data: &Xfrm{IfID: 1, DevIndex: -1}},
		"no if_id":            {Name: "x", Data: &Xfrm{DevIndex: 1}},
	})
}

func TestXfrmEncodesAsIP(t *testing.T) {
	checkAsIP(t, nil, nil, []ipCase{
		{"name t0 type xfrm if_id 5", Link{Name: "t0", Data: &Xfrm{IfID: 5}}},
		{"name t0 type xfrm dev lo if_id 0xffffffff", Link{Name: "t0", Data: &Xfrm{IfID: 1<<32 - 1, DevIndex: 1}}},
		{"name t0 type xfrm external", Link{Name: "t0", Data: &Xfrm{External: true}}},
	})
}
