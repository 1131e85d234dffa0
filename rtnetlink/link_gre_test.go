//go:build linux

package rtnetlink

import (
	"net/netip"
	"testing"
)

func TestGREBytes(t *testing.T) {
	checkDataBytes(t, &GRE{
		Local: netip.MustParseAddr("198.18.0.1"), Remote: netip.MustParseAddr("198.18.0.2"),
		IFlags: GREKey, OFlags: GREKey | GRECsum, IKey: 0x01020304, OKey: 7, TTL: 64, TOS: 1,
		Fwmark: 9, Encap: TunnelEncap{TunnelEncapFOU, TunnelEncapCsum, 0, 5555},
	}, `
08 00 04 00  01 02 03 04     # IFLA_GRE_IKEY, big-endian
08 00 05 00  00 00 00 07     # IFLA_GRE_OKEY
06 00 02 00  20 00 00 00     # IFLA_GRE_IFLAGS GRE_KEY, big-endian
06 00 03 00  a0 00 00 00     # IFLA_GRE_OFLAGS GRE_KEY|GRE_CSUM
08 00 06 00  c6 12 00 01     # IFLA_GRE_LOCAL
08 00 07 00  c6 12 00 02     # IFLA_GRE_REMOTE
05 00 08 00  40 00 00 00     # IFLA_GRE_TTL 64
05 00 09 00  01 00 00 00     # IFLA_GRE_TOS 1 (inherit)
05 00 0a 00  01 00 00 00     # IFLA_GRE_PMTUDISC on
08 00 14 00  09 00 00 00     # IFLA_GRE_FWMARK
06 00 0e 00  01 00 00 00     # IFLA_GRE_ENCAP_TYPE FOU
06 00 0f 00  01 00 00 00     # IFLA_GRE_ENCAP_FLAGS CSUM
06 00 10 00  00 00 00 00     # IFLA_GRE_ENCAP_SPORT auto
06 00 11 00  15 b3 00 00     # IFLA_GRE_ENCAP_DPORT 5555, big-endian
`)
	// External sends only what is set.
	checkDataBytes(t, &IP6GRETap{External: true, NoPMTUDisc: true, TTL: 3}, `
04 00 12 00                  # IFLA_GRE_COLLECT_METADATA
05 00 08 00  03 00 00 00     # IFLA_GRE_TTL 3
05 00 0a 00  00 00 00 00     # IFLA_GRE_PMTUDISC off
`)
	checkRefused(t, map[string]Link{
		"gre over IPv6":     {Name: "g", Data: &GRE{Remote: netip.MustParseAddr("2001:db8::1")}},
		"ip6gre over IPv4":  {Name: "g", Data: &IP6GRE{Local: netip.MustParseAddr("198.18.0.1")}},
		"negative link":     {Name: "g", Data: &GRETap{DevIndex: -1}},
		"ignore-df with DF": {Name: "g", Data: &GRE{IgnoreDF: true}},
	})
}

func TestGREEncodesAsIP(t *testing.T) {
	a := netip.MustParseAddr
	v4 := GRETunnel{Local: a("198.18.0.1"), Remote: a("198.18.0.2")}
	v6 := GRETunnel{Local: a("2001:db8::1"), Remote: a("2001:db8::2"), TTL: 64, EncapLimit: 4, Encap: TunnelEncap{Flags: TunnelEncapCsum6}}
	// ip 6.1 sends IFLA_GRE_ERSPAN_VER 1 for every ip6gre and ip6gretap,
	// ERSPAN or not; the kernel uses it for ip6erspan alone.
	erspanVer := []string{"22=01"}
	with := func(t GRETunnel, f func(*GRETunnel)) *GRETunnel { f(&t); return &t }
	checkAsIP(t, nil, erspanVer, []ipCase{
		{"name t0 type gre local 198.18.0.1 remote 198.18.0.2", Link{Name: "t0", Data: (*GRE)(&v4)}},
		{"name t0 type gre remote 198.18.0.2", Link{Name: "t0", Data: &GRE{Remote: a("198.18.0.2")}}},
		{"name t0 type gre local 198.18.0.1 remote 198.18.0.2 ikey 5 okey 0.0.1.2 iseq ocsum ttl 17 tos 0x10 nopmtudisc ignore-df dev lo fwmark 0x33",
			Link{Name: "t0", Data: (*GRE)(with(v4, func(t *GRETunnel) {
				t.IFlags, t.OFlags, t.IKey, t.OKey = GREKey|GRESeq, GREKey|GRECsum, 5, 0x102
				t.TTL, t.TOS, t.NoPMTUDisc, t.IgnoreDF, t.DevIndex, t.Fwmark = 17, 0x10, true, true, 1, 0x33
			}))}},
		{"name t0 type gre local 198.18.0.1 remote 198.18.0.2 key 9 csum seq tos inherit encap gue encap-sport 1000 encap-dport 6080 encap-csum encap-remcsum",
			Link{Name: "t0", Data: (*GRE)(with(v4, func(t *GRETunnel) {
				t.IFlags, t.OFlags, t.IKey, t.OKey, t.TOS = GREKey|GRECsum|GRESeq, GREKey|GRECsum|GRESeq, 9, 9, 1
				t.Encap = TunnelEncap{TunnelEncapGUE, TunnelEncapCsum | TunnelEncapRemCsum, 1000, 6080}
			}))}},
		{"name t0 type gre external", Link{Name: "t0", Data: &GRE{External: true}}},
		{"name t0 type gretap local 198.18.0.1 remote 198.18.0.2 key 1", Link{Name: "t0", Data: (*GRETap)(with(v4, func(t *GRETunnel) {
			t.IFlags, t.OFlags, t.IKey, t.OKey = GREKey, GREKey, 1, 1
		}))}},
		{"name t0 mtu 1400 type gretap external", Link{Name: "t0", MTU: 1400, Data: &GRETap{External: true}}},
		{"name t0 type ip6gre local 2001:db8::1 remote 2001:db8::2", Link{Name: "t0", Data: (*IP6GRE)(&v6)}},
		{"name t0 type ip6gre local 2001:db8::1 remote 2001:db8::2 hoplimit 9 encaplimit none tclass inherit flowlabel 0x12345 dscp inherit key 3 fwmark 5 noencap-udp6-csum allow-localremote dev lo",
			Link{Name: "t0", Data: (*IP6GRE)(with(v6, func(t *GRETunnel) {
				t.TTL, t.FlowInfo, t.Fwmark, t.DevIndex, t.Encap.Flags = 9, 0x12345, 5, 1, 0
				t.Flags = IP6TunnelIgnoreEncapLimit | IP6TunnelUseOrigTClass | IP6TunnelRcvDSCPCopy | IP6TunnelAllowLocalRemote
				t.IFlags, t.OFlags, t.IKey, t.OKey = GREKey, GREKey, 3, 3
			}))}},
		{"name t0 type ip6gre local 2001:db8::1 remote 2001:db8::2 encaplimit 7 tclass 0x20 flowlabel inherit fwmark inherit",
			Link{Name: "t0", Data: (*IP6GRE)(with(v6, func(t *GRETunnel) {
				t.EncapLimit, t.FlowInfo = 7, 0x20<<20
				t.Flags = IP6TunnelUseOrigFlowLabel | IP6TunnelUseOrigFwmark
			}))}},
		{"name t0 type ip6gretap local 2001:db8::1 remote 2001:db8::2", Link{Name: "t0", Data: (*IP6GRETap)(&v6)}},
		{"name t0 type ip6gretap external", Link{Name: "t0", Data: &IP6GRETap{External: true}}},
	})
}
