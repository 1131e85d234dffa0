package rtnetlink

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("vlan", func() LinkData { return new(Vlan) }) }

// Vlan is an 802.1Q (or 802.1ad) VLAN on top of a lower link, which is
// Link.ParentIndex (required on creation): it sends its packets tagged with
// ID, and receives those the lower link receives with that tag.
type Vlan struct {
	ID       uint16       // IFLA_VLAN_ID: 0 (priority tags only) to 4094; always sent, fixed once created
	Protocol VlanProtocol // IFLA_VLAN_PROTOCOL: VlanQ or VlanAD; 0 is not sent (the kernel's default, VlanQ)
	// Flags are the flags to turn on and FlagsOff those to turn off
	// (IFLA_VLAN_FLAGS: its flags, and its mask, which holds both); the
	// others keep their value, on creation the kernel's default
	// (VlanReorderHdr on). As read, FlagsOff holds every flag of this
	// package (VlanReorderHdr to VlanBridgeBinding) that is not on: the
	// kernel reports the mask ~0, but refuses a mask with a flag it does
	// not know (EINVAL), and sends no IFLA_VLAN_FLAGS when no flag is on.
	// So a VLAN as listed is created again with its flags, none on too.
	Flags, FlagsOff VlanFlags
	// IngressQoS maps the priority in a received packet's tag (From, 0
	// to 7) to the packet's priority, skb->priority (To)
	// (IFLA_VLAN_INGRESS_QOS); mappings are added to the link's, and a
	// mapping To 0 removes one. The kernel reports the mappings not to 0.
	IngressQoS []VlanQoS
	// EgressQoS maps a sent packet's priority (From) to the priority in
	// its tag (To, 0 to 7) (IFLA_VLAN_EGRESS_QOS), as IngressQoS does.
	EgressQoS []VlanQoS
	// Other holds the IFLA_VLAN_* attributes the fields above do not
	// model, as the kernel sent them; they are sent back unchanged.
	Other RawAttrs
}

// VlanQoS maps one priority to another (struct ifla_vlan_qos_mapping).
type VlanQoS struct {
	From uint32 // the priority mapped: a tag's (ingress) or a packet's (egress)
	To   uint32 // what it maps to: a packet's (ingress) or a tag's (egress)
}

// VlanProtocol is the EtherType of a VLAN's tags (IFLA_VLAN_PROTOCOL).
type VlanProtocol uint16

// The VLAN protocols the kernel supports.
const (
	VlanQ  VlanProtocol = uapi.ETH_P_8021Q  // 802.1Q, 0x8100: a customer VLAN
	VlanAD VlanProtocol = uapi.ETH_P_8021AD // 802.1ad, 0x88a8: a service VLAN (QinQ's outer tag)
)

// String names the protocol as ip does: "802.1Q", "802.1ad", or the
// EtherType in hex.
func (p VlanProtocol) String() string {
	switch p {
	case VlanQ:
		return "802.1Q"
	case VlanAD:
		return "802.1ad"
	}
	return fmt.Sprintf("%#04x", uint16(p))
}

// VlanFlags are a VLAN's options (VLAN_FLAG_* in <linux/if_vlan.h>).
type VlanFlags uint32

// The VLAN flags.
const (
	VlanReorderHdr    VlanFlags = 0x1  // VLAN_FLAG_REORDER_HDR: received packets look untagged to the stack (on by default)
	VlanGVRP          VlanFlags = 0x2  // VLAN_FLAG_GVRP: register the VLAN with GVRP
	VlanLooseBinding  VlanFlags = 0x4  // VLAN_FLAG_LOOSE_BINDING: the VLAN's state does not follow its lower link's
	VlanMVRP          VlanFlags = 0x8  // VLAN_FLAG_MVRP: register the VLAN with MVRP
	VlanBridgeBinding VlanFlags = 0x10 // VLAN_FLAG_BRIDGE_BINDING: the state follows the bridge's ports in the VLAN
	vlanFlagsKnown              = VlanReorderHdr | VlanGVRP | VlanLooseBinding | VlanMVRP | VlanBridgeBinding
	maxVlanID                   = 4094 // VLAN_VID_MASK - 1: 4095 is reserved
	maxVlanPriority             = 7    // the tag's 3-bit priority
	sizeofVlanQoS               = 8    // struct ifla_vlan_qos_mapping
	sizeofVlanFlags             = 8    // struct ifla_vlan_flags
)

// vlanFlagNames are the flags in the order ip prints them.
var vlanFlagNames = [...]struct {
	f    VlanFlags
	name string
}{
	{VlanReorderHdr, "REORDER_HDR"}, {VlanGVRP, "GVRP"}, {VlanMVRP, "MVRP"},
	{VlanLooseBinding, "LOOSE_BINDING"}, {VlanBridgeBinding, "BRIDGE_BINDING"},
}

// Names returns the names of the flags set, in the order ip prints them:
// "REORDER_HDR", "GVRP", "MVRP", "LOOSE_BINDING", "BRIDGE_BINDING".
// Unknown bits have no name.
func (f VlanFlags) Names() []string {
	var s []string
	for _, n := range vlanFlagNames {
		if f&n.f != 0 {
			s = append(s, n.name)
		}
	}
	return s
}

// String names the flags as ip does, separated by commas:
// "REORDER_HDR,GVRP"; unknown bits in hex, no flags "0".
func (f VlanFlags) String() string {
	if f == 0 {
		return "0"
	}
	s := f.Names()
	if rest := f &^ vlanFlagsKnown; rest != 0 {
		s = append(s, "0x"+strconv.FormatUint(uint64(rest), 16))
	}
	return strings.Join(s, ",")
}

// Kind returns "vlan".
func (*Vlan) Kind() string { return "vlan" }

func (v *Vlan) encode(r *request) error {
	switch {
	case v.ID > maxVlanID:
		return invalid(r.typ, "vlan id %d is out of range 0-%d", v.ID, maxVlanID)
	case v.Protocol != 0 && v.Protocol != VlanQ && v.Protocol != VlanAD:
		return invalid(r.typ, "vlan protocol %v is neither 802.1Q nor 802.1ad", v.Protocol)
	case v.Flags&v.FlagsOff != 0:
		return invalid(r.typ, "vlan flags %v are both on and off", v.Flags&v.FlagsOff)
	}
	for _, m := range v.IngressQoS {
		if m.From > maxVlanPriority {
			return invalid(r.typ, "vlan ingress QoS mapping from %d: a tag's priority is 0-7", m.From)
		}
	}
	for _, m := range v.EgressQoS {
		if m.To > maxVlanPriority {
			return invalid(r.typ, "vlan egress QoS mapping to %d: a tag's priority is 0-7", m.To)
		}
	}
	r.Uint16(uapi.IFLA_VLAN_ID, v.ID)
	if v.Protocol != 0 {
		r.Uint16BE(uapi.IFLA_VLAN_PROTOCOL, uint16(v.Protocol))
	}
	if mask := v.Flags | v.FlagsOff; mask != 0 {
		var b [sizeofVlanFlags]byte
		binary.NativeEndian.PutUint32(b[:], uint32(v.Flags))
		binary.NativeEndian.PutUint32(b[4:], uint32(mask))
		r.Bytes(uapi.IFLA_VLAN_FLAGS, b[:])
	}
	putVlanQoS(r, uapi.IFLA_VLAN_INGRESS_QOS, v.IngressQoS)
	putVlanQoS(r, uapi.IFLA_VLAN_EGRESS_QOS, v.EgressQoS)
	return putKindOther(r, v.Other, nil)
}

// putVlanQoS appends a nest of IFLA_VLAN_QOS_MAPPING, if there are mappings.
func putVlanQoS(r *request, typ uint16, maps []VlanQoS) {
	if len(maps) == 0 {
		return
	}
	nest := r.Nest(typ)
	for _, m := range maps {
		var b [sizeofVlanQoS]byte
		binary.NativeEndian.PutUint32(b[:], m.From)
		binary.NativeEndian.PutUint32(b[4:], m.To)
		r.Bytes(uapi.IFLA_VLAN_QOS_MAPPING, b[:])
	}
	r.End(nest)
}

func (v *Vlan) decode(b []byte) error {
	var other []byte
	// Without IFLA_VLAN_FLAGS, which the kernel leaves out when no flag
	// is on, every flag is off.
	v.FlagsOff = vlanFlagsKnown
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_VLAN_ID:
			v.ID = d.Uint16()
		case uapi.IFLA_VLAN_PROTOCOL:
			v.Protocol = VlanProtocol(d.Uint16BE())
		case uapi.IFLA_VLAN_FLAGS:
			p := d.Bytes()
			if len(p) != sizeofVlanFlags {
				return fmt.Errorf("%d-byte IFLA_VLAN_FLAGS, want %d: %w", len(p), sizeofVlanFlags, netlink.ErrMalformed)
			}
			// The kernel changes the flags in the mask, and reports
			// every flag in it (mask ~0), but takes only those it
			// knows in a request's mask.
			flags := VlanFlags(binary.NativeEndian.Uint32(p))
			mask := VlanFlags(binary.NativeEndian.Uint32(p[4:]))
			v.Flags, v.FlagsOff = flags&mask, mask&^flags&vlanFlagsKnown
		case uapi.IFLA_VLAN_INGRESS_QOS, uapi.IFLA_VLAN_EGRESS_QOS:
			var maps []VlanQoS
			for a, err := range netlink.Attrs(d.Bytes()) {
				if err != nil {
					return err
				}
				if a.Type != uapi.IFLA_VLAN_QOS_MAPPING {
					continue
				}
				if len(a.Data) != sizeofVlanQoS {
					return fmt.Errorf("%d-byte IFLA_VLAN_QOS_MAPPING, want %d: %w", len(a.Data), sizeofVlanQoS, netlink.ErrMalformed)
				}
				maps = append(maps, VlanQoS{binary.NativeEndian.Uint32(a.Data), binary.NativeEndian.Uint32(a.Data[4:])})
			}
			if d.Type() == uapi.IFLA_VLAN_INGRESS_QOS {
				v.IngressQoS = maps
			} else {
				v.EgressQoS = maps
			}
		default:
			other = d.Attr().Append(other)
		}
	}
	v.Other = RawAttrs(other)
	return d.Err()
}
