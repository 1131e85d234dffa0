//go:build linux

package rtnetlink

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/nlkit/netlink/internal/uapi"
)

func TestBondBytes(t *testing.T) {
	checkDataBytes(t, &Bond{
		Mode: Bond8023AD, MIIMon: 100, XmitHashPolicy: BondXmitLayer34, LACPRate: BondLACPFast, LACPPassive: true,
		ARPIPTargets:  []netip.Addr{netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2")},
		ADActorSystem: mustMAC("02:00:00:00:00:01"), NoTLBDynamicLB: true,
	}, `
05 00 01 00  04 00 00 00                    # IFLA_BOND_MODE 802.3ad
08 00 03 00  64 00 00 00                    # IFLA_BOND_MIIMON 100
14 00 08 80                                 # IFLA_BOND_ARP_IP_TARGET
  08 00 00 00  c6 12 00 01                  #   0: 198.18.0.1
  08 00 01 00  c6 12 00 02                  #   1: 198.18.0.2
05 00 0e 00  01 00 00 00                    # IFLA_BOND_XMIT_HASH_POLICY layer3+4
05 00 15 00  01 00 00 00                    # IFLA_BOND_AD_LACP_RATE fast
05 00 1d 00  00 00 00 00                    # IFLA_BOND_AD_LACP_ACTIVE off
0a 00 1a 00  02 00 00 00  00 01 00 00       # IFLA_BOND_AD_ACTOR_SYSTEM
05 00 1b 00  00 00 00 00                    # IFLA_BOND_TLB_DYNAMIC_LB off
`)
	// An empty list of targets clears them.
	checkDataBytes(t, &Bond{ARPIPTargets: []netip.Addr{}}, `04 00 08 80`)
	checkRefused(t, map[string]Link{
		"mode 7":             {Name: "b", Data: &Bond{Mode: 7}},
		"xmit policy 6":      {Name: "b", Data: &Bond{XmitHashPolicy: 6}},
		"arp_validate 7":     {Name: "b", Data: &Bond{ARPValidate: 7}},
		"IPv6 ARP target":    {Name: "b", Data: &Bond{ARPIPTargets: []netip.Addr{netip.MustParseAddr("2001:db8::1")}}},
		"IPv4 NS target":     {Name: "b", Data: &Bond{NSIP6Targets: []netip.Addr{netip.MustParseAddr("198.18.0.1")}}},
		"17 ARP targets":     {Name: "b", Data: &Bond{ARPIPTargets: make([]netip.Addr, 17)}},
		"short actor system": {Name: "b", Data: &Bond{ADActorSystem: []byte{2, 0, 0}}},
		"negative primary":   {Name: "b", Data: &Bond{PrimaryIndex: -1}},
		"negative active":    {Name: "b", Data: &Bond{ActivePortIndex: -1}},
	})
	for _, c := range []struct{ got, want string }{
		{Bond8023AD.String(), "802.3ad"}, {BondMode(9).String(), "BondMode(9)"},
		{BondXmitVLANSrcMAC.String(), "vlan+srcmac"}, {BondARPValidateFilterBackup.String(), "filter_backup"},
		{BondReselectFailure.String(), "failure"}, {BondFailOverMACFollow.String(), "follow"},
		{BondLACPFast.String(), "fast"}, {BondADSelectCount.String(), "count"}, {BondLinkGoingBack.String(), "GOING_BACK"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

// TestBondPortBytes: a bond's port as the kernel reports it, and what
// SetLinkPort sends of it.
func TestBondPortBytes(t *testing.T) {
	littleEndian(t)
	b := unhex(t, `
05 00 01 00  01 00 00 00                    # IFLA_BOND_SLAVE_STATE backup
05 00 02 00  02 00 00 00                    # IFLA_BOND_SLAVE_MII_STATUS down
08 00 03 00  03 00 00 00                    # IFLA_BOND_SLAVE_LINK_FAILURE_COUNT 3
0a 00 04 00  02 00 00 00  00 09 00 00       # IFLA_BOND_SLAVE_PERM_HWADDR
06 00 05 00  04 00 00 00                    # IFLA_BOND_SLAVE_QUEUE_ID 4
08 00 09 00  fb ff ff ff                    # IFLA_BOND_SLAVE_PRIO -5
06 00 06 00  07 00 00 00                    # IFLA_BOND_SLAVE_AD_AGGREGATOR_ID 7
05 00 07 00  3d 00 00 00                    # IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE
06 00 08 00  3f 00 00 00                    # IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE
`)
	got, err := decodePortData("bond", b)
	want := &BondPort{QueueID: 4, Prio: -5, Status: BondPortStatus{Backup: true, MIIStatus: BondLinkDown, LinkFailureCount: 3,
		PermHardwareAddr: mustMAC("02:00:00:00:00:09"), AggregatorID: 7, ActorOperState: 0x3d, PartnerOperState: 0x3f}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v\nwant %+v", got, err, want)
	}
	r, err := changeLinkRequest(5, uapi.IFLA_INFO_SLAVE_KIND, "bond", uapi.IFLA_INFO_SLAVE_DATA, want.encode)
	if err != nil {
		t.Fatal(err)
	}
	sent, _ := r.Finish()
	if w := unhex(t, `
00 00 00 00  05 00 00 00  00 00 00 00  00 00 00 00  # ifinfomsg: index 5
24 00 12 80                                         # IFLA_LINKINFO
  09 00 04 00  62 6f 6e 64  00 00 00 00             #   IFLA_INFO_SLAVE_KIND "bond"
  14 00 05 80                                       #   IFLA_INFO_SLAVE_DATA
    06 00 05 00  04 00 00 00                        #     IFLA_BOND_SLAVE_QUEUE_ID 4
    08 00 09 00  fb ff ff ff                        #     IFLA_BOND_SLAVE_PRIO -5
`); !reflect.DeepEqual(sent, append(make([]byte, 0), w...)) {
		t.Errorf("SetLinkPort sends\n% x\nwant\n% x", sent, w)
	}
}

var bondIPNested = map[uint16]bool{uapi.IFLA_BOND_ARP_IP_TARGET: true, uapi.IFLA_BOND_NS_IP6_TARGET: true}

func TestBondEncodesAsIP(t *testing.T) {
	a := netip.MustParseAddr
	checkAsIP(t, bondIPNested, nil, []ipCase{
		{"name t0 type bond", Link{Name: "t0", Kind: "bond"}},
		{"name t0 type bond mode active-backup miimon 100 updelay 200 downdelay 300 primary lo primary_reselect better fail_over_mac active num_grat_arp 0",
			Link{Name: "t0", Data: &Bond{Mode: BondActiveBackup, MIIMon: 100, UpDelay: 200, DownDelay: 300, PrimaryIndex: 1,
				PrimaryReselect: BondReselectBetter, FailOverMAC: BondFailOverMACActive, Other: raw(uapi.IFLA_BOND_NUM_PEER_NOTIF, 0)}}},
		{"name t0 type bond mode 802.3ad xmit_hash_policy layer3+4 lacp_rate fast lacp_active off ad_select bandwidth ad_actor_sys_prio 100 ad_user_port_key 5 ad_actor_system 02:00:00:00:00:01 min_links 2",
			Link{Name: "t0", Data: &Bond{Mode: Bond8023AD, XmitHashPolicy: BondXmitLayer34, LACPRate: BondLACPFast, LACPPassive: true,
				ADSelect: BondADSelectBandwidth, ADActorSysPrio: 100, ADUserPortKey: 5, ADActorSystem: mustMAC("02:00:00:00:00:01"), MinLinks: 2}}},
		{"name t0 type bond mode balance-xor xmit_hash_policy vlan+srcmac all_slaves_active 1 peer_notify_delay 400",
			Link{Name: "t0", Data: &Bond{Mode: BondBalanceXOR, XmitHashPolicy: BondXmitVLANSrcMAC, AllPortsActive: true, PeerNotifyDelay: 400}}},
		{"name t0 type bond mode balance-tlb tlb_dynamic_lb 0 lp_interval 5 active_slave lo",
			Link{Name: "t0", Data: &Bond{Mode: BondBalanceTLB, NoTLBDynamicLB: true, LPInterval: 5, ActivePortIndex: 1}}},
		{"name t0 type bond mode active-backup arp_interval 1000 arp_ip_target 198.18.0.1,198.18.0.2 arp_validate filter_backup arp_all_targets all arp_missed_max 3",
			Link{Name: "t0", Data: &Bond{Mode: BondActiveBackup, ARPInterval: 1000, ARPIPTargets: []netip.Addr{a("198.18.0.1"), a("198.18.0.2")},
				ARPValidate: BondARPValidateFilterBackup, ARPAllTargets: true, ARPMissedMax: 3}}},
		{"name t0 type bond arp_interval 100 ns_ip6_target 2001:db8::1,2001:db8::2",
			Link{Name: "t0", Data: &Bond{ARPInterval: 100, NSIP6Targets: []netip.Addr{a("2001:db8::1"), a("2001:db8::2")}}}},
	})
}

// TestBondSetEncodesAsIP: what SetLinkData and SetLinkPort send, as ip link
// set sends it.
func TestBondSetEncodesAsIP(t *testing.T) {
	checkSetAsIP(t, bondIPNested, []ipSetCase{
		{"dev lo type bond miimon 50 arp_ip_target 198.18.0.9", 1,
			&Bond{MIIMon: 50, ARPIPTargets: []netip.Addr{netip.MustParseAddr("198.18.0.9")}}},
		{"dev lo type bond_slave queue_id 3 prio 7", 1, &BondPort{QueueID: 3, Prio: 7}},
	})
}
