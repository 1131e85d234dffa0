package rtnetlink

import (
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
	return nil
}

func (v *Vxlan) decode(b []byte) error {
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
		}
	}
	return d.Err()
}
