//go:build linux

package rtnetlink

import (
	"net/netip"
	"testing"

	"github.com/nlkit/netlink/internal/uapi"
)

// kindSeeds are links of the kinds in link_KIND.go files with most of
// their fields set: TestKindsRoundTrip checks them, and FuzzParseLink
// starts from their requests.
var kindSeeds = []Link{
	{Name: "vl0", ParentIndex: 2, Data: &Vlan{ID: 4094, Protocol: VlanAD, Flags: VlanGVRP, FlagsOff: VlanReorderHdr | VlanMVRP,
		IngressQoS: []VlanQoS{{1, 2}, {7, 3}}, EgressQoS: []VlanQoS{{5, 6}}, Other: raw(100, 1)}},
	{Name: "vl1", ParentIndex: 2, Data: &Vlan{}},
	{Name: "gre0", Data: &GRE{Local: netip.MustParseAddr("198.18.0.1"), Remote: netip.MustParseAddr("198.18.0.2"), DevIndex: 3,
		IFlags: GREKey | GRESeq, OFlags: GREKey | GRECsum, IKey: 1, OKey: 2, TTL: 3, TOS: 4, NoPMTUDisc: true, IgnoreDF: true,
		Fwmark: 5, Encap: TunnelEncap{TunnelEncapGUE, TunnelEncapCsum | TunnelEncapRemCsum, 6, 7}, Other: raw(uapi.IFLA_INFO_DATA+20, 1)}},
	{Name: "gre1", Data: &GRETap{External: true}},
	{Name: "gre2", Data: &IP6GRE{Local: netip.MustParseAddr("2001:db8::1"), TTL: 64, EncapLimit: 4, FlowInfo: 0x12345,
		Flags: IP6TunnelIgnoreEncapLimit, Encap: TunnelEncap{Flags: TunnelEncapCsum6}, NoPMTUDisc: true}},
	{Name: "gre3", Data: &IP6GRETap{External: true, TTL: 7, TOS: 1, Fwmark: 9}},
	{Name: "ipip0", Data: &IPIP{Local: netip.MustParseAddr("198.18.0.1"), Proto: 137, TTL: 9, TOS: 1, Fwmark: 3, Flags: IP6TunnelMIP6Dev}},
	{Name: "sit0", Data: &SIT{Remote: netip.MustParseAddr("198.18.0.2"), ISATAP: true, Proto: 41,
		Prefix6RD: netip.MustParsePrefix("2001:db8::/32"), RelayPrefix6RD: netip.MustParsePrefix("198.18.0.0/15")}},
	{Name: "sit1", Data: &SIT{External: true, ISATAP: true}},
	{Name: "ip6t0", Data: &IP6Tnl{Local: netip.MustParseAddr("2001:db8::1"), Remote: netip.MustParseAddr("2001:db8::2"),
		TTL: 64, EncapLimit: 4, FlowInfo: 0x99, Flags: IP6TunnelRcvDSCPCopy, DevIndex: 2, NoPMTUDisc: true, TOS: 3}},
	// As 6.1 and 6.12 list one: the capabilities the kernel set travel
	// back as they came.
	{Name: "ip6t1", Data: &IP6Tnl{Local: netip.MustParseAddr("2001:db8::1"), Remote: netip.MustParseAddr("2001:db8::2"),
		TTL: 10, EncapLimit: 4, Flags: IP6TunnelRcvDSCPCopy | IP6TunnelCapXmit | IP6TunnelCapRcv}},
	{Name: "vti0", Data: &VTI{Local: netip.MustParseAddr("198.18.0.1"), IKey: 1, OKey: 2, Fwmark: 3, DevIndex: 4, Other: raw(50)}},
	{Name: "vti1", Data: &VTI6{Remote: netip.MustParseAddr("2001:db8::2")}},
	{Name: "gnv0", Data: &Geneve{ID: 5, Remote: netip.MustParseAddr("2001:db8::2"), TTL: 1, TTLInherit: true, TOS: 2,
		DF: GeneveDFInherit, FlowLabel: 3, Port: 4, InnerProtoInherit: true, UDPCsum: true, UDPZeroCsum6Tx: true, UDPZeroCsum6Rx: true}},
	{Name: "gnv1", Data: &Geneve{External: true}},
	{Name: "ipv0", ParentIndex: 2, Data: &IPVlan{Mode: IPVlanL3S, Flags: IPVlanPrivate}},
	{Name: "ipv1", ParentIndex: 2, Data: &IPVtap{}},
	{Name: "vrf0", Data: &VRF{Table: 10}},
	{Name: "xfrm0", Data: &Xfrm{IfID: 1, DevIndex: 2}},
	{Name: "xfrm1", Data: &Xfrm{External: true}},
	{Name: "bu0", Data: &BareUDP{Port: 6635, EtherType: 0x8847, SourcePortMin: 1, MultiProto: true}},
	{Name: "bond0", Data: &Bond{Mode: Bond8023AD, ActivePortIndex: 2, MIIMon: 100, UpDelay: 1, DownDelay: 2, PeerNotifyDelay: 3,
		ARPInterval: 4, ARPIPTargets: []netip.Addr{netip.MustParseAddr("198.18.0.1")}, NSIP6Targets: []netip.Addr{netip.MustParseAddr("2001:db8::1")},
		ARPValidate: BondARPValidateAll, ARPAllTargets: true, ARPMissedMax: 2, PrimaryIndex: 3, PrimaryReselect: BondReselectBetter,
		FailOverMAC: BondFailOverMACFollow, XmitHashPolicy: BondXmitEncap34, AllPortsActive: true, MinLinks: 1, LPInterval: 2,
		LACPRate: BondLACPFast, LACPPassive: true, ADSelect: BondADSelectCount, ADActorSysPrio: 1, ADUserPortKey: 2,
		ADActorSystem: mustMAC("02:00:00:00:00:01"), NoTLBDynamicLB: true, Other: raw(uapi.IFLA_BOND_RESEND_IGMP, 0, 0, 0, 0)}},
	{Name: "bond1", Data: &Bond{ARPIPTargets: []netip.Addr{}}},
	{Name: "port0", Kind: "dummy", MasterIndex: 2, Port: &BondPort{QueueID: 1, Prio: -2, Other: raw(50, 1)}},
	{Name: "port1", Kind: "dummy", MasterIndex: 2, Port: &VRFPort{Table: 10, Other: raw(50, 1)}},
	{Name: "port2", Kind: "dummy", MasterIndex: 2, Port: &VRFPort{Table: 10}},
	{Name: "nk0", Data: &Netkit{PeerName: "nk1", L2: true, Policy: NetkitDrop, PeerPolicy: NetkitDrop, Other: raw(8, 1, 0)}},
	{Name: "wg0", Kind: "wireguard"},
	{Name: "team0", Kind: "team"},
}

// TestKindsRoundTrip: each kind's values, encoded as CreateLink's request
// and parsed again, come back the same (roundTripLink).
func TestKindsRoundTrip(t *testing.T) {
	for _, l := range kindSeeds {
		if !roundTripLink(t, l) {
			t.Errorf("%s: refused by its encoder", l.Name)
		}
	}
}

// TestUnknownKindsDecode: a kind no file registers decodes as its name and
// its data's bytes, whatever they hold; never an error.
func TestUnknownKindsDecode(t *testing.T) {
	for _, kind := range []string{"macsec", "amt", "gtp", "no-such"} {
		d, err := decodeLinkData(kind, []byte{0xff, 0xff, 1})
		if r, ok := d.(*RawLinkData); err != nil || !ok || r.KindName != kind || len(r.Data) != 3 {
			t.Errorf("%s: %+v, %v", kind, d, err)
		}
	}
}
