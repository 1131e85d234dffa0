//go:build linux

package rtnetlink

import (
	"net/netip"
	"testing"
)

func TestVTIBytes(t *testing.T) {
	checkDataBytes(t, &VTI{Local: netip.MustParseAddr("198.18.0.1"), Remote: netip.MustParseAddr("198.18.0.2"), IKey: 5, OKey: 6, DevIndex: 2}, `
08 00 02 00  00 00 00 05     # IFLA_VTI_IKEY, big-endian
08 00 03 00  00 00 00 06     # IFLA_VTI_OKEY
08 00 04 00  c6 12 00 01     # IFLA_VTI_LOCAL
08 00 05 00  c6 12 00 02     # IFLA_VTI_REMOTE
08 00 06 00  00 00 00 00     # IFLA_VTI_FWMARK
08 00 01 00  02 00 00 00     # IFLA_VTI_LINK
`)
	checkRefused(t, map[string]Link{
		"vti6 over IPv4": {Name: "t", Data: &VTI6{Remote: netip.MustParseAddr("198.18.0.1")}},
		"vti over IPv6":  {Name: "t", Data: &VTI{Local: netip.MustParseAddr("2001:db8::1")}},
	})
}

func TestVTIEncodesAsIP(t *testing.T) {
	a := netip.MustParseAddr
	checkAsIP(t, nil, nil, []ipCase{
		{"name t0 type vti local 198.18.0.1 remote 198.18.0.2", Link{Name: "t0", Data: &VTI{Local: a("198.18.0.1"), Remote: a("198.18.0.2")}}},
		{"name t0 type vti local 198.18.0.1 remote 198.18.0.2 ikey 7 okey 0.0.0.9 fwmark 3 dev lo",
			Link{Name: "t0", Data: &VTI{Local: a("198.18.0.1"), Remote: a("198.18.0.2"), IKey: 7, OKey: 9, Fwmark: 3, DevIndex: 1}}},
		{"name t0 type vti key 10 remote 198.18.0.2", Link{Name: "t0", Data: &VTI{Remote: a("198.18.0.2"), IKey: 10, OKey: 10}}},
		{"name t0 type vti6 local 2001:db8::1 remote 2001:db8::2 key 3 fwmark 1 dev lo",
			Link{Name: "t0", Data: &VTI6{Local: a("2001:db8::1"), Remote: a("2001:db8::2"), IKey: 3, OKey: 3, Fwmark: 1, DevIndex: 1}}},
		{"name t0 type vti6 remote 2001:db8::2", Link{Name: "t0", Data: &VTI6{Remote: a("2001:db8::2")}}},
	})
}
