package rtnetlink

import (
	"encoding/binary"
	"net/netip"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("vxlan", func() LinkData { return new(Vxlan) }) }

// Vxlan is a VXLAN tunnel endpoint: Ethernet over UDP.
type Vxlan struct {
	ID       uint32     // IFLA_VXLAN_ID: the VXLAN network identifier, below 1<<24
	Port     uint16     // IFLA_VXLAN_PORT: the UDP destination port; 0 on creation is the kernel's default, 8472 (IANA's is 4789)
	Local    netip.Addr // IFLA_VXLAN_LOCAL(6): the source address
	Remote   netip.Addr // IFLA_VXLAN_GROUP(6), unicast: the one remote endpoint
	Group    netip.Addr // IFLA_VXLAN_GROUP(6), multicast: the group of endpoints (with DevIndex)
	DevIndex int        // IFLA_VXLAN_LINK: the link the tunnel's packets go out of, 0 if any
	TTL      uint8      // IFLA_VXLAN_TTL: the outer packets' TTL; 0 (ip's "auto") is the route's
	TOS      uint8      // IFLA_VXLAN_TOS: the outer packets' TOS; 1 is ip's "inherit"
	// NoLearning turns off learning remote endpoints' addresses from the
	// packets received (IFLA_VXLAN_LEARNING 0, ip's nolearning); the
	// kernel learns by default.
	NoLearning bool
	PortLow    uint16 // IFLA_VXLAN_PORT_RANGE: the lowest UDP source port; 0 with PortHigh 0 is the kernel's range
	PortHigh   uint16 // IFLA_VXLAN_PORT_RANGE: the highest UDP source port
	// External has the tunnel's endpoints and VNI come from each packet's
	// metadata, set by tc, eBPF or a flow table (IFLA_VXLAN_COLLECT_METADATA,
	// ip's external), rather than from ID and Remote.
	External bool
	// Other holds the tunnel's attributes no field above models (ageing,
	// df, udp_csum, ...), as the kernel sent them; creation sends them
	// back (see putVxlanOther).
	Other RawAttrs
}

// Kind returns "vxlan".
func (*Vxlan) Kind() string { return "vxlan" }

func (v *Vxlan) encode(r *request) error {
	switch {
	case v.Remote.IsValid() && v.Group.IsValid():
		return invalid(uapi.RTM_NEWLINK, "vxlan has both a remote %v and a group %v", v.Remote, v.Group)
	case v.Remote.IsMulticast():
		// The kernel tells the two apart by the address alone.
		return invalid(uapi.RTM_NEWLINK, "vxlan remote %v is a multicast address: set Group", v.Remote)
	case v.Group.IsValid() && !v.Group.IsMulticast():
		return invalid(uapi.RTM_NEWLINK, "vxlan group %v is not a multicast address: set Remote", v.Group)
	case v.DevIndex < 0 || v.DevIndex > 1<<31-1:
		return invalid(uapi.RTM_NEWLINK, "vxlan link index %d is out of range", v.DevIndex)
	case v.PortHigh < v.PortLow:
		return invalid(uapi.RTM_NEWLINK, "vxlan port range %d-%d is empty", v.PortLow, v.PortHigh)
	}
	r.Uint32(uapi.IFLA_VXLAN_ID, v.ID)
	if v.Port != 0 {
		r.Uint16BE(uapi.IFLA_VXLAN_PORT, v.Port)
	}
	if v.Local.IsValid() {
		r.Addr(family(v.Local, uapi.IFLA_VXLAN_LOCAL, uapi.IFLA_VXLAN_LOCAL6), v.Local)
	}
	if dst := v.Remote; dst.IsValid() || v.Group.IsValid() {
		if !dst.IsValid() {
			dst = v.Group
		}
		r.Addr(family(dst, uapi.IFLA_VXLAN_GROUP, uapi.IFLA_VXLAN_GROUP6), dst)
	}
	if v.DevIndex != 0 {
		r.Uint32(uapi.IFLA_VXLAN_LINK, uint32(v.DevIndex))
	}
	if v.TTL != 0 {
		r.Uint8(uapi.IFLA_VXLAN_TTL, v.TTL)
	}
	if v.TOS != 0 {
		r.Uint8(uapi.IFLA_VXLAN_TOS, v.TOS)
	}
	if v.NoLearning {
		r.Uint8(uapi.IFLA_VXLAN_LEARNING, 0)
	}
	if v.PortLow != 0 || v.PortHigh != 0 {
		// struct ifla_vxlan_port_range: low and high, big-endian.
		var pr [4]byte
		binary.BigEndian.PutUint16(pr[0:], v.PortLow)
		binary.BigEndian.PutUint16(pr[2:], v.PortHigh)
		r.Bytes(uapi.IFLA_VXLAN_PORT_RANGE, pr[:])
	}
	if v.External {
		r.Uint8(uapi.IFLA_VXLAN_COLLECT_METADATA, 1)
	}
	return putKindOther(r, v.Other, putVxlanOther)
}

// putVxlanOther sends IFLA_VXLAN_TTL_INHERIT as the kernel takes it, a
// flag, present when on (it reports a u8), and leaves out
// IFLA_VXLAN_RESERVED_BITS, which the kernel reports for every device
// (6.11 and later) but refuses back when it overlaps the bits the
// device's options use, as its default does (6.18: "Used bits ... cannot
// overlap reserved bits"); a new device gets the default. A value set
// with ip's reserved_bits is lost.
func putVxlanOther(r *request, a netlink.Attr) bool {
	switch a.Type {
	case uapi.IFLA_VXLAN_TTL_INHERIT:
		if len(a.Data) > 0 && a.Data[0] != 0 {
			r.Flag(uapi.IFLA_VXLAN_TTL_INHERIT)
		}
		return true
	case vxlanReservedBits:
		return true
	}
	return false
}

// vxlanReservedBits is IFLA_VXLAN_RESERVED_BITS, which x/sys/unix lacks.
const vxlanReservedBits = 33

func (v *Vxlan) decode(b []byte) error {
	var buf [256]byte
	other := buf[:0]
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_VXLAN_ID:
			v.ID = d.Uint32()
		case uapi.IFLA_VXLAN_PORT:
			v.Port = d.Uint16BE()
		case uapi.IFLA_VXLAN_LOCAL, uapi.IFLA_VXLAN_LOCAL6:
			v.Local = d.Addr()
		case uapi.IFLA_VXLAN_GROUP, uapi.IFLA_VXLAN_GROUP6:
			if a := d.Addr(); a.IsMulticast() {
				v.Group = a
			} else {
				v.Remote = a
			}
		case uapi.IFLA_VXLAN_LINK:
			v.DevIndex = int(int32(d.Uint32()))
		case uapi.IFLA_VXLAN_TTL:
			v.TTL = d.Uint8()
		case uapi.IFLA_VXLAN_TOS:
			v.TOS = d.Uint8()
		case uapi.IFLA_VXLAN_LEARNING:
			v.NoLearning = d.Uint8() == 0
		case uapi.IFLA_VXLAN_PORT_RANGE:
			if b := d.Bytes(); len(b) >= 4 {
				v.PortLow, v.PortHigh = binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
			}
		case uapi.IFLA_VXLAN_COLLECT_METADATA:
			v.External = d.Uint8() != 0
		default:
			other = d.Attr().Append(other)
		}
	}
	v.Other = RawAttrs(other)
	return d.Err()
}
