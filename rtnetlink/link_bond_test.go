//go:build linux

package rtnetlink

import (
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func TestBondBytes(t *testing.T) {
	checkDataBytes(t, &Bond{
		Mode: Bond8023AD, MIIMon: 100, XmitHashPolicy: BondXmitLayer34, LACPRate: BondLACPFast, LACPPassive: true,
		ARPIPTargets:  []netip.Addr{netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2")},
		ADActorSystem: mustMAC("02:00:00:00:00:01"),
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
`)
	checkDataBytes(t, &Bond{Mode: BondBalanceTLB, NoTLBDynamicLB: true}, `
05 00 01 00  05 00 00 00                    # IFLA_BOND_MODE balance-tlb
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
		{"name t0 type bond mode balance-tlb tlb_dynamic_lb 0 lp_interval 5",
			Link{Name: "t0", Data: &Bond{Mode: BondBalanceTLB, NoTLBDynamicLB: true, LPInterval: 5, ActivePortIndex: 1}}}, // no ports, no active one
		{"name t0 type bond mode active-backup arp_interval 1000 arp_ip_target 198.18.0.1,198.18.0.2 arp_validate filter_backup arp_all_targets all arp_missed_max 3",
			Link{Name: "t0", Data: &Bond{Mode: BondActiveBackup, ARPInterval: 1000, ARPIPTargets: []netip.Addr{a("198.18.0.1"), a("198.18.0.2")},
				ARPValidate: BondARPValidateFilterBackup, ARPAllTargets: true, ARPMissedMax: 3}}},
		{"name t0 type bond mode balance-rr arp_interval 100 ns_ip6_target 2001:db8::1,2001:db8::2", // the mode goes, 0 too
			Link{Name: "t0", Data: &Bond{ARPInterval: 100, NSIP6Targets: []netip.Addr{a("2001:db8::1"), a("2001:db8::2")}}}},
	})
}

// TestBondSetEncodesAsIP: what SetLinkData and SetLinkPort send, as ip link
// set sends it.
func TestBondSetEncodesAsIP(t *testing.T) {
	checkSetAsIP(t, bondIPNested, []ipSetCase{
		{"dev lo type bond miimon 50 arp_ip_target 198.18.0.9", 1,
			&Bond{MIIMon: 50, ARPIPTargets: []netip.Addr{netip.MustParseAddr("198.18.0.9")}}},
		{"dev lo type bond active_slave lo ad_actor_sys_prio 5", 1, &Bond{ActivePortIndex: 1, ADActorSysPrio: 5}}, // no mode: every option set goes
		{"dev lo type bond mode active-backup active_slave lo", 1, &Bond{Mode: BondActiveBackup, ActivePortIndex: 1, ADActorSysPrio: 5}},
		{"dev lo type bond_slave queue_id 3 prio 7", 1, &BondPort{QueueID: 3, Prio: 7}},
	})
}

// TestBondModeOptions: of a bond with every option set, as a listing has
// them (the kernel reports every mode's options), CreateLink sends the
// mode and the options the kernel takes in that mode (bond_options.c's
// unsuppmodes), and no active port, which a new bond cannot have;
// SetLinkData sends them for the mode it sets, and every option set when
// it sets none.
func TestBondModeOptions(t *testing.T) {
	a := netip.MustParseAddr
	u8 := func(typ uint16, v uint8) RawAttrs { return raw(typ, v, 0, 0, 0) }
	full := Bond{ActivePortIndex: 3, MIIMon: 100, UpDelay: 200, DownDelay: 300, PeerNotifyDelay: 400, ARPInterval: 500,
		ARPIPTargets: []netip.Addr{a("198.18.0.1")}, NSIP6Targets: []netip.Addr{a("2001:db8::1")}, ARPValidate: BondARPValidateAll,
		ARPAllTargets: true, ARPMissedMax: 2, PrimaryIndex: 4, PrimaryReselect: BondReselectBetter, FailOverMAC: BondFailOverMACActive,
		XmitHashPolicy: BondXmitLayer34, AllPortsActive: true, MinLinks: 1, LPInterval: 1, LACPRate: BondLACPFast, LACPPassive: true,
		ADSelect: BondADSelectCount, ADActorSysPrio: 65535, ADUserPortKey: 1, ADActorSystem: mustMAC("02:00:00:00:00:01"), NoTLBDynamicLB: true,
		Other: u8(6, 1) /* IFLA_BOND_USE_CARRIER */ + raw(uapi.IFLA_BOND_RESEND_IGMP, 1, 0, 0, 0) + u8(uapi.IFLA_BOND_NUM_PEER_NOTIF, 1) +
			raw(uapi.IFLA_BOND_PACKETS_PER_SLAVE, 1, 0, 0, 0) + u8(uapi.IFLA_BOND_COUPLED_CONTROL, 1)}
	// The attribute numbers of <linux/if_link.h>: what every mode takes,
	// then each mode's own.
	const (
		mode, active, miimon, updelay, downdelay, useCarrier, arpInterval, arpTargets, arpValidate, arpAll        = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
		primary, reselect, failOverMAC, xmitHash, resendIGMP, numPeerNotif, allActive, minLinks, lpInterval, pps  = 11, 12, 13, 14, 15, 16, 17, 18, 19, 20
		lacpRate, adSelect, sysPrio, portKey, actorSystem, tlbDynamic, peerNotifDelay, lacpActive, missedMax, ns6 = 21, 22, 24, 25, 26, 27, 28, 29, 30, 31
		coupled                                                                                                   = 32
	)
	every := []uint16{miimon, updelay, downdelay, peerNotifDelay, arpTargets, ns6, arpAll, reselect, failOverMAC, xmitHash,
		allActive, minLinks, lpInterval, adSelect, useCarrier, resendIGMP, numPeerNotif}
	arp := []uint16{arpInterval, arpValidate, missedMax}
	own := map[BondMode][]uint16{
		BondBalanceRR:    append(slices.Clone(arp), pps),
		BondActiveBackup: append(slices.Clone(arp), primary),
		BondBalanceXOR:   arp,
		BondBroadcast:    arp,
		Bond8023AD:       {lacpRate, lacpActive, sysPrio, portKey, actorSystem, coupled},
		BondBalanceTLB:   {primary, tlbDynamic},
		BondBalanceALB:   {primary, tlbDynamic},
	}
	sorted := func(types ...[]uint16) []uint16 {
		s := slices.Concat(types...)
		slices.Sort(s)
		return s
	}
	sent := func(t *testing.T, b []byte) []uint16 {
		t.Helper()
		for a, err := range netlink.Attrs(b) {
			if err != nil {
				t.Fatal(err)
			}
			if a.Type != uapi.IFLA_LINKINFO {
				continue
			}
			for i := range netlink.Attrs(a.Data) {
				if i.Type != uapi.IFLA_INFO_DATA {
					continue
				}
				var types []uint16
				for d := range netlink.Attrs(i.Data) {
					types = append(types, d.Type)
				}
				slices.Sort(types)
				return types
			}
		}
		t.Fatal("no IFLA_INFO_DATA")
		return nil
	}
	for m := BondBalanceRR; m <= BondBalanceALB; m++ {
		b := full
		b.Mode = m
		r, err := newLinkRequest(&Link{Name: "b0", Data: &b})
		if err != nil {
			t.Fatal(err)
		}
		created, _ := r.Finish()
		if got, want := sent(t, created[uapi.SizeofIfInfomsg:]), sorted(every, own[m], []uint16{mode}); !slices.Equal(got, want) {
			t.Errorf("%v: CreateLink sends %v, want %v", m, got, want)
		}
		if m == BondBalanceRR {
			continue // in a change, no mode (below)
		}
		r, err = changeLinkRequest(5, uapi.IFLA_INFO_KIND, "bond", uapi.IFLA_INFO_DATA, b.encode)
		if err != nil {
			t.Fatal(err)
		}
		changed, _ := r.Finish()
		want := sorted(every, own[m], []uint16{mode})
		if slices.Contains(own[m], primary) {
			want = sorted(want, []uint16{active})
		}
		if got := sent(t, changed[uapi.SizeofIfInfomsg:]); !slices.Equal(got, want) {
			t.Errorf("%v: SetLinkData sends %v, want %v", m, got, want)
		}
	}
	// Mode 0 in a change is no mode: every option set goes, and the
	// kernel checks them against the bond's.
	r, err := changeLinkRequest(5, uapi.IFLA_INFO_KIND, "bond", uapi.IFLA_INFO_DATA, full.encode)
	if err != nil {
		t.Fatal(err)
	}
	changed, _ := r.Finish()
	var all []uint16
	for _, o := range own {
		for _, typ := range o {
			if !slices.Contains(all, typ) {
				all = append(all, typ)
			}
		}
	}
	if got, want := sent(t, changed[uapi.SizeofIfInfomsg:]), sorted(every, all, []uint16{active}); !slices.Equal(got, want) {
		t.Errorf("no mode: SetLinkData sends %v, want %v", got, want)
	}
}
