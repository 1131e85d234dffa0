package rtnetlink

import (
	"encoding/binary"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("bridge", func() LinkData { return new(Bridge) }) }

// Bridge is an Ethernet bridge's basic settings. On creation, zero fields
// are left to the kernel's defaults (STP off, VLAN filtering off, forward
// delay 15s, hello time 2s, max age 20s, ageing time 300s, priority 32768).
// The kernel keeps times in centiseconds, so durations are truncated to
// 10ms. A bridge whose forward delay, ageing time, priority or default
// PVID is 0 lists with the field 0 and the kernel's attribute saying so in
// Other, which creation sends while the field is 0: a bridge created from
// its listing has the 0, not the default, and one whose field was set
// since has the field's value.
type Bridge struct {
	STP           bool          // IFLA_BR_STP_STATE: spanning tree on
	VLANFiltering bool          // IFLA_BR_VLAN_FILTERING
	ForwardDelay  time.Duration // IFLA_BR_FORWARD_DELAY
	HelloTime     time.Duration // IFLA_BR_HELLO_TIME
	MaxAge        time.Duration // IFLA_BR_MAX_AGE
	AgeingTime    time.Duration // IFLA_BR_AGEING_TIME: how long learned addresses stay
	Priority      uint16        // IFLA_BR_PRIORITY: the bridge priority of STP
	// NoMulticastSnooping turns IGMP/MLD snooping off (IFLA_BR_MCAST_SNOOPING
	// 0, ip's mcast_snooping 0): multicast is flooded. The kernel snoops
	// by default.
	NoMulticastSnooping bool
	// VLANProtocol is the VLAN filtering protocol (IFLA_BR_VLAN_PROTOCOL):
	// 0x8100 (802.1Q, the kernel's default, and 0 on creation) or 0x88a8
	// (802.1ad). Kernels without VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING
	// off) neither report nor keep it.
	VLANProtocol uint16
	// DefaultPVID is the VLAN new ports get untagged (IFLA_BR_VLAN_DEFAULT_PVID):
	// 1 by default (0 on creation), 0 for none once created. Like
	// VLANProtocol, it needs VLAN filtering in the kernel.
	DefaultPVID uint16
	// Other holds the bridge's attributes no field above models (the
	// multicast timers, group_fwd_mask, nf_call_iptables, ...), as the
	// kernel sent them; creation sends them back, but for those only the
	// kernel sets (see putBridgeOther).
	Other RawAttrs
}

// putBridgeOther leaves out of a request the IFLA_BR_* attributes only the
// kernel sets (the STP identifiers and timers, the querier state, the
// count of learned entries), and sends IFLA_BR_MULTI_BOOLOPT with the
// options that are on alone: the kernel reports every option in the mask,
// and refuses to touch one it lacks (mst_enabled without VLAN filtering),
// while off is what a new bridge has.
func putBridgeOther(r *request, a netlink.Attr) bool {
	switch a.Type {
	case uapi.IFLA_BR_ROOT_ID, uapi.IFLA_BR_BRIDGE_ID, uapi.IFLA_BR_ROOT_PORT, uapi.IFLA_BR_ROOT_PATH_COST,
		uapi.IFLA_BR_TOPOLOGY_CHANGE, uapi.IFLA_BR_TOPOLOGY_CHANGE_DETECTED, uapi.IFLA_BR_HELLO_TIMER,
		uapi.IFLA_BR_TCN_TIMER, uapi.IFLA_BR_TOPOLOGY_CHANGE_TIMER, uapi.IFLA_BR_GC_TIMER, uapi.IFLA_BR_PAD,
		uapi.IFLA_BR_MCAST_QUERIER_STATE, uapi.IFLA_BR_FDB_N_LEARNED:
		return true
	case uapi.IFLA_BR_MULTI_BOOLOPT: // struct br_boolopt_multi: optval, optmask
		if len(a.Data) >= 8 {
			if on := binary.NativeEndian.Uint32(a.Data); on != 0 {
				var b [8]byte
				binary.NativeEndian.PutUint32(b[:], on)
				binary.NativeEndian.PutUint32(b[4:], on)
				r.Bytes(uapi.IFLA_BR_MULTI_BOOLOPT, b[:])
			}
		}
		return true
	}
	return false
}

// Kind returns "bridge".
func (*Bridge) Kind() string { return "bridge" }

func (b *Bridge) encode(r *request) error {
	if b.STP {
		r.Uint32(uapi.IFLA_BR_STP_STATE, 1)
	}
	if b.VLANFiltering {
		r.Uint8(uapi.IFLA_BR_VLAN_FILTERING, 1)
	}
	for _, t := range [...]struct {
		typ uint16
		d   time.Duration
	}{
		{uapi.IFLA_BR_FORWARD_DELAY, b.ForwardDelay},
		{uapi.IFLA_BR_HELLO_TIME, b.HelloTime},
		{uapi.IFLA_BR_MAX_AGE, b.MaxAge},
		{uapi.IFLA_BR_AGEING_TIME, b.AgeingTime},
	} {
		if t.d == 0 {
			continue
		}
		cs := t.d / (10 * time.Millisecond)
		if cs < 0 || cs > 1<<32-1 {
			return invalid(uapi.RTM_NEWLINK, "bridge time %v is out of range", t.d)
		}
		r.Uint32(t.typ, uint32(cs))
	}
	if b.Priority != 0 {
		r.Uint16(uapi.IFLA_BR_PRIORITY, b.Priority)
	}
	if b.NoMulticastSnooping {
		r.Uint8(uapi.IFLA_BR_MCAST_SNOOPING, 0)
	}
	if b.VLANProtocol != 0 {
		r.Uint16BE(uapi.IFLA_BR_VLAN_PROTOCOL, b.VLANProtocol)
	}
	if b.DefaultPVID != 0 {
		r.Uint16(uapi.IFLA_BR_VLAN_DEFAULT_PVID, b.DefaultPVID)
	}
	return putKindOther(r, withoutKept(b.Other, b.keptZeros()...), putBridgeOther)
}

// keptZeros are the attributes decode may keep in Other (keepZero), with
// whether their fields are set now.
func (b *Bridge) keptZeros() []kept {
	return []kept{
		{uapi.IFLA_BR_FORWARD_DELAY, b.ForwardDelay != 0},
		{uapi.IFLA_BR_AGEING_TIME, b.AgeingTime != 0},
		{uapi.IFLA_BR_PRIORITY, b.Priority != 0},
		{uapi.IFLA_BR_VLAN_DEFAULT_PVID, b.DefaultPVID != 0},
	}
}

func (b *Bridge) decode(p []byte) error {
	var buf [512]byte
	other := buf[:0]
	d := netlink.NewAttrDecoder(p)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_BR_STP_STATE:
			b.STP = d.Uint32() != 0
		case uapi.IFLA_BR_VLAN_FILTERING:
			b.VLANFiltering = d.Uint8() != 0
		case uapi.IFLA_BR_FORWARD_DELAY:
			b.ForwardDelay = centiseconds(d.Uint32())
			other = keepZero(other, &d, b.ForwardDelay == 0)
		case uapi.IFLA_BR_HELLO_TIME:
			b.HelloTime = centiseconds(d.Uint32())
		case uapi.IFLA_BR_MAX_AGE:
			b.MaxAge = centiseconds(d.Uint32())
		case uapi.IFLA_BR_AGEING_TIME:
			b.AgeingTime = centiseconds(d.Uint32())
			other = keepZero(other, &d, b.AgeingTime == 0)
		case uapi.IFLA_BR_PRIORITY:
			b.Priority = d.Uint16()
			other = keepZero(other, &d, b.Priority == 0)
		case uapi.IFLA_BR_MCAST_SNOOPING:
			b.NoMulticastSnooping = d.Uint8() == 0
		case uapi.IFLA_BR_VLAN_PROTOCOL:
			b.VLANProtocol = d.Uint16BE()
		case uapi.IFLA_BR_VLAN_DEFAULT_PVID:
			b.DefaultPVID = d.Uint16()
			other = keepZero(other, &d, b.DefaultPVID == 0)
		default:
			other = d.Attr().Append(other)
		}
	}
	b.Other = RawAttrs(other)
	return d.Err()
}
