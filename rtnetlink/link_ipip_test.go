//go:build linux

package rtnetlink

import (
	"net/netip"
	"testing"
)

func TestIPTunnelBytes(t *testing.T) {
	checkDataBytes(t, &SIT{
		Local: netip.MustParseAddr("198.18.0.1"), TTL: 64, ISATAP: true, Proto: 41,
		Prefix6RD: netip.MustParsePrefix("2001:db8::/32"), RelayPrefix6RD: netip.MustParsePrefix("198.18.0.0/15"),
	}, `
05 00 09 00  29 00 00 00     # IFLA_IPTUN_PROTO IPv6
08 00 02 00  c6 12 00 01     # IFLA_IPTUN_LOCAL
05 00 0a 00  01 00 00 00     # IFLA_IPTUN_PMTUDISC on
05 00 05 00  00 00 00 00     # IFLA_IPTUN_TOS
05 00 04 00  40 00 00 00     # IFLA_IPTUN_TTL 64
06 00 08 00  01 00 00 00     # IFLA_IPTUN_FLAGS SIT_ISATAP, a u16
08 00 01 00  00 00 00 00     # IFLA_IPTUN_LINK
08 00 14 00  00 00 00 00     # IFLA_IPTUN_FWMARK
06 00 0f 00  00 00 00 00     # IFLA_IPTUN_ENCAP_TYPE
06 00 10 00  00 00 00 00     # IFLA_IPTUN_ENCAP_FLAGS
06 00 11 00  00 00 00 00     # IFLA_IPTUN_ENCAP_SPORT
06 00 12 00  00 00 00 00     # IFLA_IPTUN_ENCAP_DPORT
14 00 0b 00  20 01 0d b8  00 00 00 00  00 00 00 00  00 00 00 00   # IFLA_IPTUN_6RD_PREFIX
06 00 0d 00  20 00 00 00     # IFLA_IPTUN_6RD_PREFIXLEN 32
08 00 0c 00  c6 12 00 00     # IFLA_IPTUN_6RD_RELAY_PREFIX
06 00 0e 00  0f 00 00 00     # IFLA_IPTUN_6RD_RELAY_PREFIXLEN 15
`)
	checkDataBytes(t, &IP6Tnl{External: true, Flags: IP6TunnelIgnoreEncapLimit}, `
05 00 09 00  00 00 00 00     # IFLA_IPTUN_PROTO any
04 00 13 00                  # IFLA_IPTUN_COLLECT_METADATA
08 00 08 00  01 00 00 00     # IFLA_IPTUN_FLAGS, a u32
`)
	checkRefused(t, map[string]Link{
		"ipip over IPv6":  {Name: "t", Data: &IPIP{Local: netip.MustParseAddr("2001:db8::1")}},
		"ip6tnl ISATAP":   {Name: "t", Data: &IP6Tnl{ISATAP: true}},
		"sit ip6 flags":   {Name: "t", Data: &SIT{Flags: IP6TunnelMIP6Dev}},
		"ipip 6rd":        {Name: "t", Data: &IPIP{Prefix6RD: netip.MustParsePrefix("2001:db8::/32")}},
		"sit 6rd in IPv4": {Name: "t", Data: &SIT{Prefix6RD: netip.MustParsePrefix("198.18.0.0/16")}},
		"sit relay in v6": {Name: "t", Data: &SIT{RelayPrefix6RD: netip.MustParsePrefix("2001:db8::/32")}},
	})
}

func TestIPTunnelEncodesAsIP(t *testing.T) {
	a := netip.MustParseAddr
	v4 := IPTunnel{Local: a("198.18.0.1"), Remote: a("198.18.0.2")}
	v6 := IPTunnel{Local: a("2001:db8::1"), Remote: a("2001:db8::2"), TTL: 64, EncapLimit: 4, Encap: TunnelEncap{Flags: TunnelEncapCsum6}}
	with := func(t IPTunnel, f func(*IPTunnel)) *IPTunnel { f(&t); return &t }
	checkAsIP(t, nil, nil, []ipCase{
		{"name t0 type ipip local 198.18.0.1 remote 198.18.0.2", Link{Name: "t0", Data: (*IPIP)(&v4)}},
		{"name t0 type ipip local 198.18.0.1 remote 198.18.0.2 mode ipip tos 0x20 nopmtudisc dev lo fwmark 4 encap fou encap-dport 7777 encap-csum",
			Link{Name: "t0", Data: (*IPIP)(with(v4, func(t *IPTunnel) {
				t.Proto, t.TOS, t.NoPMTUDisc, t.DevIndex, t.Fwmark = 4, 0x20, true, 1, 4
				t.Encap = TunnelEncap{Type: TunnelEncapFOU, Flags: TunnelEncapCsum, DestPort: 7777}
			}))}},
		{"name t0 type ipip mode mplsip remote 198.18.0.2", Link{Name: "t0", Data: &IPIP{Proto: 137, Remote: a("198.18.0.2")}}},
		{"name t0 type ipip external", Link{Name: "t0", Data: &IPIP{External: true}}},
		{"name t0 type ipip mode any external", Link{Name: "t0", Data: &IPIP{External: true}}},
		{"name t0 type sit local 198.18.0.1 remote 198.18.0.2 mode ip6ip", Link{Name: "t0", Data: (*SIT)(with(v4, func(t *IPTunnel) { t.Proto = 41 }))}},
		{"name t0 type sit local 198.18.0.1 mode any isatap ttl 64 tos inherit",
			Link{Name: "t0", Data: &SIT{Local: a("198.18.0.1"), ISATAP: true, TTL: 64, TOS: 1}}},
		{"name t0 type sit local 198.18.0.1 6rd-prefix 2001:db8::/32 6rd-relay_prefix 198.18.0.0/15",
			Link{Name: "t0", Data: &SIT{Local: a("198.18.0.1"), Prefix6RD: netip.MustParsePrefix("2001:db8::/32"), RelayPrefix6RD: netip.MustParsePrefix("198.18.0.0/15")}}},
		{"name t0 type sit external", Link{Name: "t0", Data: &SIT{External: true}}},
		{"name t0 type ip6tnl local 2001:db8::1 remote 2001:db8::2", Link{Name: "t0", Data: (*IP6Tnl)(&v6)}},
		{"name t0 type ip6tnl local 2001:db8::1 remote 2001:db8::2 mode ip6ip6 hoplimit 3 encaplimit 9 tclass 0x40 flowlabel 0x99 dscp inherit fwmark 12 allow-localremote dev lo noencap-udp6-csum encap gue encap-sport 4000 encap-dport 5000",
			Link{Name: "t0", Data: (*IP6Tnl)(with(v6, func(t *IPTunnel) {
				t.Proto, t.TTL, t.EncapLimit, t.FlowInfo, t.Fwmark, t.DevIndex = 41, 3, 9, 0x40<<20|0x99, 12, 1
				t.Flags = IP6TunnelRcvDSCPCopy | IP6TunnelAllowLocalRemote
				t.Encap = TunnelEncap{Type: TunnelEncapGUE, SourcePort: 4000, DestPort: 5000}
			}))}},
		{"name t0 type ip6tnl local 2001:db8::1 remote 2001:db8::2 mode ipip6 encaplimit none tclass inherit flowlabel inherit fwmark inherit",
			Link{Name: "t0", Data: (*IP6Tnl)(with(v6, func(t *IPTunnel) {
				t.Proto = 4
				t.Flags = IP6TunnelIgnoreEncapLimit | IP6TunnelUseOrigTClass | IP6TunnelUseOrigFlowLabel | IP6TunnelUseOrigFwmark
			}))}},
		{"name t0 type ip6tnl external", Link{Name: "t0", Data: &IP6Tnl{External: true}}},
	})
}
