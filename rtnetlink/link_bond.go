package rtnetlink

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() {
	registerLinkKind("bond", func() LinkData { return new(Bond) })
	registerPortKind("bond", func() PortData { return new(BondPort) })
}

// Bond is a bonding device: links made its ports (with SetLinkMaster)
// carry its traffic together, for load balancing or failover (ip link add
// NAME type bond).
//
// The fields are its options, as ip link add and ip link set take them;
// a zero field is not sent, so the kernel keeps its value (on creation,
// its default). The kernel refuses to change some options while the bond
// has ports (Mode among them): leave them zero in SetLinkData. Options
// with no field here (resend_igmp, num_peer_notif, packets_per_slave,
// use_carrier, ...) and what only the kernel reports (ad_info) are in
// Other as the kernel sent them, and sent back unchanged.
//
// The kernel lists every option of every mode, but takes some in a few
// modes alone, and refuses them in the others (EACCES, "option not
// supported in mode"): packets_per_slave (balance-rr); ARPInterval,
// ARPValidate and ARPMissedMax (all but 802.3ad, balance-tlb and
// balance-alb); PrimaryIndex and ActivePortIndex (active-backup,
// balance-tlb, balance-alb); NoTLBDynamicLB (balance-tlb, balance-alb);
// LACPPassive, LACPRate, ADActorSysPrio, ADUserPortKey, ADActorSystem
// and coupled_control (802.3ad). A request sends each of them only in the
// modes that take it: on creation, those of Mode, which CreateLink always
// sends (0 too, rather than leave it to the bonding module's default); in
// SetLinkData, those of Mode when it is not 0 (with Mode 0, every option
// set goes, and the kernel checks them against the bond's mode). So a
// bond as listed is created again in its mode with the options of that
// mode; those of other modes, which it can have only from a mode it was
// in before, are left at their defaults.
type Bond struct {
	Mode BondMode // IFLA_BOND_MODE: 0 is balance-rr (CreateLink sends it, 0 too)
	// ActivePortIndex is the active port of an active-backup,
	// balance-tlb or balance-alb bond (IFLA_BOND_ACTIVE_SLAVE). CreateLink
	// leaves it out, since a new bond has no ports (those of a bond as
	// listed left it when it was deleted): make them its ports again with
	// SetLinkMaster, and set it with SetLinkData if need be.
	ActivePortIndex int
	MIIMon          uint32              // IFLA_BOND_MIIMON: how often the ports' carrier is checked, in ms; a bond listed with 0 keeps the attribute in Other too, so that it is created again with 0, not a default
	UpDelay         uint32              // IFLA_BOND_UPDELAY: how long a port is up before it is used, in ms
	DownDelay       uint32              // IFLA_BOND_DOWNDELAY: how long a port is down before it is dropped, in ms
	PeerNotifyDelay uint32              // IFLA_BOND_PEER_NOTIF_DELAY: between peer notifications after a failover, in ms
	ARPInterval     uint32              // IFLA_BOND_ARP_INTERVAL: how often ARP targets are probed, in ms
	ARPIPTargets    []netip.Addr        // IFLA_BOND_ARP_IP_TARGET: the IPv4 addresses probed; non-nil and empty clears them
	NSIP6Targets    []netip.Addr        // IFLA_BOND_NS_IP6_TARGET: the IPv6 addresses probed (6.0); non-nil and empty clears them
	ARPValidate     BondARPValidate     // IFLA_BOND_ARP_VALIDATE: which ports' ARP replies are checked
	ARPAllTargets   bool                // IFLA_BOND_ARP_ALL_TARGETS: a port is up only if all targets answer, not any
	ARPMissedMax    uint8               // IFLA_BOND_MISSED_MAX: probes missed before a port is down (5.19)
	PrimaryIndex    int                 // IFLA_BOND_PRIMARY: the port preferred as active
	PrimaryReselect BondPrimaryReselect // IFLA_BOND_PRIMARY_RESELECT: when the primary becomes active again
	FailOverMAC     BondFailOverMAC     // IFLA_BOND_FAIL_OVER_MAC: what happens to MAC addresses on failover
	XmitHashPolicy  BondXmitHashPolicy  // IFLA_BOND_XMIT_HASH_POLICY: how balance-xor, 802.3ad and tlb pick a port
	AllPortsActive  bool                // IFLA_BOND_ALL_SLAVES_ACTIVE: backup ports deliver received packets too
	MinLinks        uint32              // IFLA_BOND_MIN_LINKS: ports up before the bond's carrier is
	LPInterval      uint32              // IFLA_BOND_LP_INTERVAL: seconds between learning packets (tlb, alb)
	LACPRate        BondLACPRate        // IFLA_BOND_AD_LACP_RATE: the LACPDU rate 802.3ad asks its partner for
	// LACPPassive makes an 802.3ad bond speak LACP only to a partner that
	// does (IFLA_BOND_AD_LACP_ACTIVE 0: lacp_active off).
	LACPPassive    bool
	ADSelect       BondADSelect     // IFLA_BOND_AD_SELECT: how 802.3ad picks its aggregator
	ADActorSysPrio uint16           // IFLA_BOND_AD_ACTOR_SYS_PRIO: the LACP system priority (the kernel's default is 65535)
	ADUserPortKey  uint16           // IFLA_BOND_AD_USER_PORT_KEY: the upper 10 bits of the LACP port key
	ADActorSystem  net.HardwareAddr // IFLA_BOND_AD_ACTOR_SYSTEM: the LACP system ID
	// NoTLBDynamicLB makes balance-tlb place flows by hash alone
	// (IFLA_BOND_TLB_DYNAMIC_LB 0).
	NoTLBDynamicLB bool
	// Other holds the IFLA_BOND_* attributes the fields above do not
	// model, as the kernel sent them; they are sent back unchanged.
	Other RawAttrs
}

// BondMode is a bond's policy (IFLA_BOND_MODE, BOND_MODE_* in
// <linux/if_bonding.h>).
type BondMode uint8

// The bonding modes.
const (
	BondBalanceRR    BondMode = 0 // balance-rr: round robin
	BondActiveBackup BondMode = 1 // active-backup: one port at a time
	BondBalanceXOR   BondMode = 2 // balance-xor: a port per flow, by XmitHashPolicy
	BondBroadcast    BondMode = 3 // broadcast: every port
	Bond8023AD       BondMode = 4 // 802.3ad: LACP link aggregation
	BondBalanceTLB   BondMode = 5 // balance-tlb: adaptive transmit load balancing
	BondBalanceALB   BondMode = 6 // balance-alb: adaptive load balancing, receive too
)

// String names the mode as ip does: "balance-rr", "802.3ad", ...
func (m BondMode) String() string {
	return enumName(int(m), "BondMode", "balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb")
}

// BondXmitHashPolicy is how a bond picks a port for a packet
// (IFLA_BOND_XMIT_HASH_POLICY, BOND_XMIT_POLICY_*).
type BondXmitHashPolicy uint8

// The transmit hash policies.
const (
	BondXmitLayer2     BondXmitHashPolicy = 0 // layer2: MAC addresses (the default)
	BondXmitLayer34    BondXmitHashPolicy = 1 // layer3+4: IP addresses and ports
	BondXmitLayer23    BondXmitHashPolicy = 2 // layer2+3: MAC and IP addresses
	BondXmitEncap23    BondXmitHashPolicy = 3 // encap2+3: layer2+3 of the inner packet
	BondXmitEncap34    BondXmitHashPolicy = 4 // encap3+4: layer3+4 of the inner packet
	BondXmitVLANSrcMAC BondXmitHashPolicy = 5 // vlan+srcmac: VLAN ID and source MAC
)

// String names the policy as ip does: "layer2", "layer3+4", ...
func (p BondXmitHashPolicy) String() string {
	return enumName(int(p), "BondXmitHashPolicy", "layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac")
}

// BondARPValidate says which ports' ARP traffic proves them up
// (IFLA_BOND_ARP_VALIDATE, BOND_ARP_VALIDATE_*).
type BondARPValidate uint32

// The ARP validation settings.
const (
	BondARPValidateNone         BondARPValidate = 0 // none
	BondARPValidateActive       BondARPValidate = 1 // active
	BondARPValidateBackup       BondARPValidate = 2 // backup
	BondARPValidateAll          BondARPValidate = 3 // all
	BondARPValidateFilter       BondARPValidate = 4 // filter
	BondARPValidateFilterActive BondARPValidate = 5 // filter_active
	BondARPValidateFilterBackup BondARPValidate = 6 // filter_backup
)

// String names the setting as ip does: "none", "active", ...
func (v BondARPValidate) String() string {
	return enumName(int(v), "BondARPValidate", "none", "active", "backup", "all", "filter", "filter_active", "filter_backup")
}

// BondPrimaryReselect is when the primary port becomes active again
// (IFLA_BOND_PRIMARY_RESELECT).
type BondPrimaryReselect uint8

// The reselection policies.
const (
	BondReselectAlways  BondPrimaryReselect = 0 // always (the default)
	BondReselectBetter  BondPrimaryReselect = 1 // better: when faster than the active port
	BondReselectFailure BondPrimaryReselect = 2 // failure: only when the active port fails
)

// String names the policy as ip does: "always", "better", "failure".
func (p BondPrimaryReselect) String() string {
	return enumName(int(p), "BondPrimaryReselect", "always", "better", "failure")
}

// BondFailOverMAC is what an active-backup bond does with MAC addresses on
// failover (IFLA_BOND_FAIL_OVER_MAC).
type BondFailOverMAC uint8

// The fail_over_mac policies.
const (
	BondFailOverMACNone   BondFailOverMAC = 0 // none: every port takes the bond's address (the default)
	BondFailOverMACActive BondFailOverMAC = 1 // active: the bond takes the active port's
	BondFailOverMACFollow BondFailOverMAC = 2 // follow: the active port takes the bond's
)

// String names the policy as ip does: "none", "active", "follow".
func (p BondFailOverMAC) String() string {
	return enumName(int(p), "BondFailOverMAC", "none", "active", "follow")
}

// BondLACPRate is the rate of LACPDUs an 802.3ad bond asks for
// (IFLA_BOND_AD_LACP_RATE).
type BondLACPRate uint8

// The LACP rates.
const (
	BondLACPSlow BondLACPRate = 0 // slow: every 30 seconds (the default)
	BondLACPFast BondLACPRate = 1 // fast: every second
)

// String names the rate as ip does: "slow", "fast".
func (r BondLACPRate) String() string { return enumName(int(r), "BondLACPRate", "slow", "fast") }

// BondADSelect is how an 802.3ad bond picks its active aggregator
// (IFLA_BOND_AD_SELECT).
type BondADSelect uint8

// The aggregator selection policies.
const (
	BondADSelectStable    BondADSelect = 0 // stable (the default)
	BondADSelectBandwidth BondADSelect = 1 // bandwidth
	BondADSelectCount     BondADSelect = 2 // count
)

// String names the policy as ip does: "stable", "bandwidth", "count".
func (s BondADSelect) String() string {
	return enumName(int(s), "BondADSelect", "stable", "bandwidth", "count")
}

// enumName returns names[v], or typ(v) for a value without a name.
func enumName(v int, typ string, names ...string) string {
	if v >= 0 && v < len(names) {
		return names[v]
	}
	return typ + "(" + strconv.Itoa(v) + ")"
}

// Kind returns "bond".
func (*Bond) Kind() string { return "bond" }

func (b *Bond) encode(r *request) error {
	switch {
	case b.Mode > BondBalanceALB:
		return invalid(r.typ, "bond mode %v is unknown", b.Mode)
	case b.XmitHashPolicy > BondXmitVLANSrcMAC:
		return invalid(r.typ, "bond xmit hash policy %v is unknown", b.XmitHashPolicy)
	case b.ARPValidate > BondARPValidateFilterBackup:
		return invalid(r.typ, "bond arp_validate %v is unknown", b.ARPValidate)
	case b.ActivePortIndex < 0 || b.ActivePortIndex > 1<<31-1 || b.PrimaryIndex < 0 || b.PrimaryIndex > 1<<31-1:
		return invalid(r.typ, "bond active port %d or primary %d is out of range", b.ActivePortIndex, b.PrimaryIndex)
	case len(b.ADActorSystem) != 0 && len(b.ADActorSystem) != 6:
		return invalid(r.typ, "bond ad_actor_system %v is not a MAC address", b.ADActorSystem)
	case len(b.ARPIPTargets) > 16 || len(b.NSIP6Targets) > 16:
		return invalid(r.typ, "a bond has at most 16 ARP and 16 NS targets")
	}
	for _, a := range b.ARPIPTargets {
		if !a.Is4() {
			return invalid(r.typ, "bond arp_ip_target %v is not an IPv4 address", a)
		}
	}
	for _, a := range b.NSIP6Targets {
		if !a.Is6() || a.Is4In6() {
			return invalid(r.typ, "bond ns_ip6_target %v is not an IPv6 address", a)
		}
	}
	// The fields' attributes go into a scratch request first, to be sent
	// if the mode takes them.
	fields := &request{typ: r.typ}
	fields.Reset(nil)
	some := kindAttrs{fields, false}
	some.u32(uapi.IFLA_BOND_ACTIVE_SLAVE, uint32(b.ActivePortIndex))
	some.u32(uapi.IFLA_BOND_MIIMON, b.MIIMon)
	some.u32(uapi.IFLA_BOND_UPDELAY, b.UpDelay)
	some.u32(uapi.IFLA_BOND_DOWNDELAY, b.DownDelay)
	some.u32(uapi.IFLA_BOND_PEER_NOTIF_DELAY, b.PeerNotifyDelay)
	some.u32(uapi.IFLA_BOND_ARP_INTERVAL, b.ARPInterval)
	putBondTargets(fields, uapi.IFLA_BOND_ARP_IP_TARGET, b.ARPIPTargets)
	putBondTargets(fields, uapi.IFLA_BOND_NS_IP6_TARGET, b.NSIP6Targets)
	some.u32(uapi.IFLA_BOND_ARP_VALIDATE, uint32(b.ARPValidate))
	some.u32(uapi.IFLA_BOND_ARP_ALL_TARGETS, uint32(boolByte(b.ARPAllTargets)))
	some.u8(uapi.IFLA_BOND_MISSED_MAX, b.ARPMissedMax)
	some.u32(uapi.IFLA_BOND_PRIMARY, uint32(b.PrimaryIndex))
	some.u8(uapi.IFLA_BOND_PRIMARY_RESELECT, uint8(b.PrimaryReselect))
	some.u8(uapi.IFLA_BOND_FAIL_OVER_MAC, uint8(b.FailOverMAC))
	some.u8(uapi.IFLA_BOND_XMIT_HASH_POLICY, uint8(b.XmitHashPolicy))
	some.u8(uapi.IFLA_BOND_ALL_SLAVES_ACTIVE, boolByte(b.AllPortsActive))
	some.u32(uapi.IFLA_BOND_MIN_LINKS, b.MinLinks)
	some.u32(uapi.IFLA_BOND_LP_INTERVAL, b.LPInterval)
	some.u8(uapi.IFLA_BOND_AD_LACP_RATE, uint8(b.LACPRate))
	if b.LACPPassive {
		fields.Uint8(uapi.IFLA_BOND_AD_LACP_ACTIVE, 0)
	}
	some.u8(uapi.IFLA_BOND_AD_SELECT, uint8(b.ADSelect))
	some.u16(uapi.IFLA_BOND_AD_ACTOR_SYS_PRIO, b.ADActorSysPrio)
	some.u16(uapi.IFLA_BOND_AD_USER_PORT_KEY, b.ADUserPortKey)
	if len(b.ADActorSystem) > 0 {
		fields.Bytes(uapi.IFLA_BOND_AD_ACTOR_SYSTEM, b.ADActorSystem)
	}
	if b.NoTLBDynamicLB {
		fields.Uint8(uapi.IFLA_BOND_TLB_DYNAMIC_LB, 0)
	}
	sent, err := fields.Finish()
	if err != nil {
		return invalid(r.typ, "%v", err)
	}
	// On creation the mode goes even when 0, so that the bond is in the
	// mode the options are chosen for (the bonding module's mode
	// parameter may make another the default).
	if r.create || b.Mode != 0 {
		r.Uint8(uapi.IFLA_BOND_MODE, uint8(b.Mode))
	}
	takes := func(typ uint16) bool {
		switch {
		case r.create && typ == uapi.IFLA_BOND_ACTIVE_SLAVE:
			return false // a new bond has no ports
		case !r.create && b.Mode == 0:
			return true // the bond's mode is the kernel's to check
		}
		return bondModeTakes(b.Mode, typ)
	}
	for a := range netlink.Attrs(sent) {
		if takes(a.Type) {
			r.Attr(a)
		}
	}
	return putKindOther(r, withoutKept(b.Other, kept{uapi.IFLA_BOND_MIIMON, b.MIIMon != 0}), func(_ *request, a netlink.Attr) bool {
		return !takes(a.Type) // handled: left out
	})
}

// bondModeTakes reports whether a bond in mode takes the option of
// attribute typ: the kernel refuses some options in the modes that have
// no use for them (the unsuppmodes of their bond_options.c entries), with
// EACCES. The others go in every mode.
func bondModeTakes(mode BondMode, typ uint16) bool {
	var modes []BondMode
	switch typ {
	case uapi.IFLA_BOND_PACKETS_PER_SLAVE:
		modes = []BondMode{BondBalanceRR}
	case uapi.IFLA_BOND_ARP_INTERVAL, uapi.IFLA_BOND_ARP_VALIDATE, uapi.IFLA_BOND_MISSED_MAX:
		modes = []BondMode{BondBalanceRR, BondActiveBackup, BondBalanceXOR, BondBroadcast}
	case uapi.IFLA_BOND_ACTIVE_SLAVE, uapi.IFLA_BOND_PRIMARY:
		modes = []BondMode{BondActiveBackup, BondBalanceTLB, BondBalanceALB}
	case uapi.IFLA_BOND_TLB_DYNAMIC_LB:
		modes = []BondMode{BondBalanceTLB, BondBalanceALB}
	case uapi.IFLA_BOND_AD_LACP_ACTIVE, uapi.IFLA_BOND_AD_LACP_RATE, uapi.IFLA_BOND_AD_ACTOR_SYS_PRIO,
		uapi.IFLA_BOND_AD_USER_PORT_KEY, uapi.IFLA_BOND_AD_ACTOR_SYSTEM, uapi.IFLA_BOND_COUPLED_CONTROL:
		modes = []BondMode{Bond8023AD}
	default:
		return true
	}
	return slices.Contains(modes, mode)
}

// putBondTargets appends a nest of addresses numbered from 0, unless
// addrs is nil.
func putBondTargets(r *request, typ uint16, addrs []netip.Addr) {
	if addrs == nil {
		return
	}
	nest := r.Nest(typ)
	for i, a := range addrs {
		r.Addr(uint16(i), a)
	}
	r.End(nest)
}

func (b *Bond) decode(p []byte) error {
	var other []byte
	d := netlink.NewAttrDecoder(p)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_BOND_MODE:
			b.Mode = BondMode(d.Uint8())
		case uapi.IFLA_BOND_ACTIVE_SLAVE:
			b.ActivePortIndex = int(int32(d.Uint32()))
		case uapi.IFLA_BOND_MIIMON:
			b.MIIMon = d.Uint32()
			other = keepZero(other, &d, b.MIIMon == 0)
		case uapi.IFLA_BOND_UPDELAY:
			b.UpDelay = d.Uint32()
		case uapi.IFLA_BOND_DOWNDELAY:
			b.DownDelay = d.Uint32()
		case uapi.IFLA_BOND_PEER_NOTIF_DELAY:
			b.PeerNotifyDelay = d.Uint32()
		case uapi.IFLA_BOND_ARP_INTERVAL:
			b.ARPInterval = d.Uint32()
		case uapi.IFLA_BOND_ARP_IP_TARGET, uapi.IFLA_BOND_NS_IP6_TARGET:
			addrs := []netip.Addr{} // an empty nest clears the targets
			for a, err := range netlink.Attrs(d.Bytes()) {
				if err != nil {
					return err
				}
				ip, err := a.Addr()
				if err != nil {
					return fmt.Errorf("bond target: %w", err)
				}
				addrs = append(addrs, ip)
			}
			if d.Type() == uapi.IFLA_BOND_ARP_IP_TARGET {
				b.ARPIPTargets = addrs
			} else {
				b.NSIP6Targets = addrs
			}
		case uapi.IFLA_BOND_ARP_VALIDATE:
			b.ARPValidate = BondARPValidate(d.Uint32())
		case uapi.IFLA_BOND_ARP_ALL_TARGETS:
			b.ARPAllTargets = d.Uint32() != 0
		case uapi.IFLA_BOND_MISSED_MAX:
			b.ARPMissedMax = d.Uint8()
		case uapi.IFLA_BOND_PRIMARY:
			b.PrimaryIndex = int(int32(d.Uint32()))
		case uapi.IFLA_BOND_PRIMARY_RESELECT:
			b.PrimaryReselect = BondPrimaryReselect(d.Uint8())
		case uapi.IFLA_BOND_FAIL_OVER_MAC:
			b.FailOverMAC = BondFailOverMAC(d.Uint8())
		case uapi.IFLA_BOND_XMIT_HASH_POLICY:
			b.XmitHashPolicy = BondXmitHashPolicy(d.Uint8())
		case uapi.IFLA_BOND_ALL_SLAVES_ACTIVE:
			b.AllPortsActive = d.Uint8() != 0
		case uapi.IFLA_BOND_MIN_LINKS:
			b.MinLinks = d.Uint32()
		case uapi.IFLA_BOND_LP_INTERVAL:
			b.LPInterval = d.Uint32()
		case uapi.IFLA_BOND_AD_LACP_RATE:
			b.LACPRate = BondLACPRate(d.Uint8())
		case uapi.IFLA_BOND_AD_LACP_ACTIVE:
			b.LACPPassive = d.Uint8() == 0
		case uapi.IFLA_BOND_AD_SELECT:
			b.ADSelect = BondADSelect(d.Uint8())
		case uapi.IFLA_BOND_AD_ACTOR_SYS_PRIO:
			b.ADActorSysPrio = d.Uint16()
		case uapi.IFLA_BOND_AD_USER_PORT_KEY:
			b.ADUserPortKey = d.Uint16()
		case uapi.IFLA_BOND_AD_ACTOR_SYSTEM:
			b.ADActorSystem = cloneAddr(d.Bytes())
		case uapi.IFLA_BOND_TLB_DYNAMIC_LB:
			b.NoTLBDynamicLB = d.Uint8() == 0
		default:
			other = d.Attr().Append(other)
		}
	}
	b.Other = RawAttrs(other)
	return d.Err()
}

// BondPort is what a link has as a port of a bond (IFLA_INFO_SLAVE_DATA
// of kind "bond"; ip prints "bond_slave"). QueueID and Prio can be set
// with SetLinkPort (sent when not zero); the kernel reports the rest.
type BondPort struct {
	QueueID uint16 // IFLA_BOND_SLAVE_QUEUE_ID: the transmit queue mapped to this port
	Prio    int32  // IFLA_BOND_SLAVE_PRIO: the port's priority to become active (6.0)
	// Status is what the kernel reports of the port, and never sends.
	Status BondPortStatus
	// Other holds the IFLA_BOND_SLAVE_* attributes the fields above do not
	// model, as the kernel sent them; they are sent back unchanged.
	Other RawAttrs
}

// BondPortStatus is the state of a bond's port, as the kernel reports it.
type BondPortStatus struct {
	Backup           bool             // IFLA_BOND_SLAVE_STATE: a backup port, not an active one
	MIIStatus        BondMIIStatus    // IFLA_BOND_SLAVE_MII_STATUS
	LinkFailureCount uint32           // IFLA_BOND_SLAVE_LINK_FAILURE_COUNT
	PermHardwareAddr net.HardwareAddr // IFLA_BOND_SLAVE_PERM_HWADDR: its own MAC address, which the bond may have changed
	AggregatorID     uint16           // IFLA_BOND_SLAVE_AD_AGGREGATOR_ID (802.3ad)
	ActorOperState   uint8            // IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE: LACP state bits (802.3ad)
	PartnerOperState uint16           // IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE (802.3ad)
}

// BondMIIStatus is the carrier state a bond sees on a port (BOND_LINK_*).
type BondMIIStatus uint8

// The port link states.
const (
	BondLinkUp        BondMIIStatus = 0 // UP
	BondLinkGoingDown BondMIIStatus = 1 // GOING_DOWN: down, within DownDelay
	BondLinkDown      BondMIIStatus = 2 // DOWN
	BondLinkGoingBack BondMIIStatus = 3 // GOING_BACK: up, within UpDelay
)

// String names the state as ip does: "UP", "GOING_DOWN", "DOWN", "GOING_BACK".
func (s BondMIIStatus) String() string {
	return enumName(int(s), "BondMIIStatus", "UP", "GOING_DOWN", "DOWN", "GOING_BACK")
}

// PortKind returns "bond".
func (*BondPort) PortKind() string { return "bond" }

func (p *BondPort) encode(r *request) error {
	some := kindAttrs{r, false}
	some.u16(uapi.IFLA_BOND_SLAVE_QUEUE_ID, p.QueueID)
	some.u32(uapi.IFLA_BOND_SLAVE_PRIO, uint32(p.Prio))
	return putKindOther(r, p.Other, nil)
}

func (p *BondPort) decode(b []byte) error {
	var other []byte
	s := &p.Status
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_BOND_SLAVE_QUEUE_ID:
			p.QueueID = d.Uint16()
		case uapi.IFLA_BOND_SLAVE_PRIO:
			p.Prio = d.Int32()
		case uapi.IFLA_BOND_SLAVE_STATE:
			s.Backup = d.Uint8() != 0
		case uapi.IFLA_BOND_SLAVE_MII_STATUS:
			s.MIIStatus = BondMIIStatus(d.Uint8())
		case uapi.IFLA_BOND_SLAVE_LINK_FAILURE_COUNT:
			s.LinkFailureCount = d.Uint32()
		case uapi.IFLA_BOND_SLAVE_PERM_HWADDR:
			s.PermHardwareAddr = cloneAddr(d.Bytes())
		case uapi.IFLA_BOND_SLAVE_AD_AGGREGATOR_ID:
			s.AggregatorID = d.Uint16()
		case uapi.IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE:
			s.ActorOperState = d.Uint8()
		case uapi.IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE:
			s.PartnerOperState = d.Uint16()
		default:
			other = d.Attr().Append(other)
		}
	}
	p.Other = RawAttrs(other)
	return d.Err()
}
