//go:build linux

package rtnetlink

import "testing"

func TestBareUDPBytes(t *testing.T) {
	checkDataBytes(t, &BareUDP{Port: 6635, EtherType: 0x8847, SourcePortMin: 4000, MultiProto: true}, `
06 00 01 00  19 eb 00 00     # IFLA_BAREUDP_PORT 6635, big-endian
06 00 02 00  88 47 00 00     # IFLA_BAREUDP_ETHERTYPE MPLS unicast, big-endian
06 00 03 00  a0 0f 00 00     # IFLA_BAREUDP_SRCPORT_MIN 4000
04 00 04 00                  # IFLA_BAREUDP_MULTIPROTO_MODE
`)
	checkRefused(t, map[string]Link{
		"no port":      {Name: "b", Data: &BareUDP{EtherType: 0x800}},
		"no ethertype": {Name: "b", Data: &BareUDP{Port: 1}},
	})
}

func TestBareUDPEncodesAsIP(t *testing.T) {
	checkAsIP(t, nil, nil, []ipCase{
		{"name t0 type bareudp dstport 6635 ethertype mpls_uc", Link{Name: "t0", Data: &BareUDP{Port: 6635, EtherType: 0x8847}}},
		{"name t0 type bareudp dstport 6635 ethertype ipv4 srcportmin 1000 multiproto",
			Link{Name: "t0", Data: &BareUDP{Port: 6635, EtherType: 0x800, SourcePortMin: 1000, MultiProto: true}}},
		{"name t0 type bareudp dstport 1 ethertype ipv6 nomultiproto", Link{Name: "t0", Data: &BareUDP{Port: 1, EtherType: 0x86dd}}},
	})
}
