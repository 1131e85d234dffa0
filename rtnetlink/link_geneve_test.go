//go:build linux

package rtnetlink

import (
	"net/netip"
	"testing"
)

func TestGeneveBytes(t *testing.T) {
	checkDataBytes(t, &Geneve{ID: 0x123456, Remote: netip.MustParseAddr("2001:db8::2"), TTL: 9, TOS: 1,
		DF: GeneveDFInherit, FlowLabel: 0xabcde, Port: 6082, UDPZeroCsum6Tx: true}, `
08 00 01 00  56 34 12 00     # IFLA_GENEVE_ID
14 00 07 00  20 01 0d b8  00 00 00 00  00 00 00 00  00 00 00 02   # IFLA_GENEVE_REMOTE6
08 00 0b 00  00 0a bc de     # IFLA_GENEVE_LABEL, big-endian
05 00 03 00  09 00 00 00     # IFLA_GENEVE_TTL
05 00 04 00  01 00 00 00     # IFLA_GENEVE_TOS inherit
06 00 05 00  17 c2 00 00     # IFLA_GENEVE_PORT 6082, big-endian
05 00 0d 00  02 00 00 00     # IFLA_GENEVE_DF inherit
05 00 09 00  01 00 00 00     # IFLA_GENEVE_UDP_ZERO_CSUM6_TX
`)
	checkRefused(t, map[string]Link{
		"id 1<<24":          {Name: "g", Data: &Geneve{ID: 1 << 24}},
		"label 1<<20":       {Name: "g", Data: &Geneve{ID: 1, FlowLabel: 1 << 20}},
		"df 3":              {Name: "g", Data: &Geneve{ID: 1, DF: 3}},
		"external with vni": {Name: "g", Data: &Geneve{ID: 1, External: true}},
	})
	if GeneveDFInherit.String() != "inherit" || GeneveDF(9).String() != "GeneveDF(9)" {
		t.Error("GeneveDF.String")
	}
}

func TestGeneveEncodesAsIP(t *testing.T) {
	a := netip.MustParseAddr
	checkAsIP(t, nil, nil, []ipCase{
		{"name t0 type geneve id 5 remote 198.18.0.2", Link{Name: "t0", Data: &Geneve{ID: 5, Remote: a("198.18.0.2")}}},
		{"name t0 type geneve vni 16777215 remote 2001:db8::2 ttl 3 tos 0x10 df set flowlabel 0x54321 dstport 6082 udpcsum udp6zerocsumtx udp6zerocsumrx",
			Link{Name: "t0", Data: &Geneve{ID: 1<<24 - 1, Remote: a("2001:db8::2"), TTL: 3, TOS: 0x10, DF: GeneveDFSet,
				FlowLabel: 0x54321, Port: 6082, UDPCsum: true, UDPZeroCsum6Tx: true, UDPZeroCsum6Rx: true}}},
		{"name t0 type geneve id 7 remote 198.18.0.2 ttl inherit tos inherit df inherit",
			Link{Name: "t0", Data: &Geneve{ID: 7, Remote: a("198.18.0.2"), TTLInherit: true, TOS: 1, DF: GeneveDFInherit}}},
		{"name t0 type geneve external", Link{Name: "t0", Data: &Geneve{External: true}}},
		{"name t0 type geneve external innerprotoinherit", Link{Name: "t0", Data: &Geneve{External: true, InnerProtoInherit: true}}},
	})
}
