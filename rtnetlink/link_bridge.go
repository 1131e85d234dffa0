package rtnetlink

import (
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("bridge", func() LinkData { return new(Bridge) }) }

// Bridge is an Ethernet bridge's basic settings. On creation, zero fields
// are left to the kernel's defaults (STP off, VLAN filtering off, forward
// delay 15s, hello time 2s, max age 20s, ageing time 300s, priority 32768).
// The kernel keeps times in centiseconds, so durations are truncated to
// 10ms.
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
	return nil
}

func (b *Bridge) decode(p []byte) error {
	d := netlink.NewAttrDecoder(p)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_BR_STP_STATE:
			b.STP = d.Uint32() != 0
		case uapi.IFLA_BR_VLAN_FILTERING:
			b.VLANFiltering = d.Uint8() != 0
		case uapi.IFLA_BR_FORWARD_DELAY:
			b.ForwardDelay = centiseconds(d.Uint32())
		case uapi.IFLA_BR_HELLO_TIME:
			b.HelloTime = centiseconds(d.Uint32())
		case uapi.IFLA_BR_MAX_AGE:
			b.MaxAge = centiseconds(d.Uint32())
		case uapi.IFLA_BR_AGEING_TIME:
			b.AgeingTime = centiseconds(d.Uint32())
		case uapi.IFLA_BR_PRIORITY:
			b.Priority = d.Uint16()
		case uapi.IFLA_BR_MCAST_SNOOPING:
			b.NoMulticastSnooping = d.Uint8() == 0
		case uapi.IFLA_BR_VLAN_PROTOCOL:
			b.VLANProtocol = d.Uint16BE()
		case uapi.IFLA_BR_VLAN_DEFAULT_PVID:
			b.DefaultPVID = d.Uint16()
		}
	}
	return d.Err()
}
