package rtnetlink

import (
	"strconv"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("ipvlan", func() LinkData { return new(IPVlan) }) }

// IPVlan is a link that shares the MAC address of its lower link,
// Link.ParentIndex (required on creation), and is told apart from its
// siblings by IP address (ip link add NAME link LOWER type ipvlan).
//
// Mode and Flags are always sent: a Mode of 0 is L2 (ip's default, when
// no mode is given, is the kernel's: L3).
type IPVlan struct {
	Mode  IPVlanMode  // IFLA_IPVLAN_MODE
	Flags IPVlanFlags // IFLA_IPVLAN_FLAGS: 0 is bridge
	// Other holds the IFLA_IPVLAN_* attributes the fields above do not
	// model, as the kernel sent them; they are sent back unchanged.
	Other RawAttrs
}

// IPVlanMode is the layer at which an ipvlan link takes its packets
// (enum ipvlan_mode in <linux/if_link.h>).
type IPVlanMode uint16

// The ipvlan modes.
const (
	IPVlanL2  IPVlanMode = 0 // IPVLAN_MODE_L2: Ethernet, with ARP and neighbour discovery on the lower link
	IPVlanL3  IPVlanMode = 1 // IPVLAN_MODE_L3: IP, routed by the lower link's namespace (the kernel's default)
	IPVlanL3S IPVlanMode = 2 // IPVLAN_MODE_L3S: L3, through the lower link's netfilter hooks
)

// String names the mode as ip does: "l2", "l3", "l3s".
func (m IPVlanMode) String() string {
	if names := [...]string{"l2", "l3", "l3s"}; int(m) < len(names) {
		return names[m]
	}
	return "IPVlanMode(" + strconv.Itoa(int(m)) + ")"
}

// IPVlanFlags say how an ipvlan link passes packets to its siblings
// (IPVLAN_F_* in <linux/if_link.h>); none is bridge.
type IPVlanFlags uint16

// The ipvlan flags.
const (
	IPVlanPrivate IPVlanFlags = 0x1 // IPVLAN_F_PRIVATE: not to its siblings
	IPVlanVEPA    IPVlanFlags = 0x2 // IPVLAN_F_VEPA: through the external switch
)

// Kind returns "ipvlan".
func (*IPVlan) Kind() string { return "ipvlan" }

func (v *IPVlan) encode(r *request) error { return encodeIPVlan(r, "ipvlan", v) }

func (v *IPVlan) decode(b []byte) error {
	var other []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_IPVLAN_MODE:
			v.Mode = IPVlanMode(d.Uint16())
		case uapi.IFLA_IPVLAN_FLAGS:
			v.Flags = IPVlanFlags(d.Uint16())
		default:
			other = d.Attr().Append(other)
		}
	}
	v.Other = RawAttrs(other)
	return d.Err()
}

// encodeIPVlan appends the attributes ipvlan and ipvtap share.
func encodeIPVlan(r *request, kind string, v *IPVlan) error {
	switch {
	case v.Mode > IPVlanL3S:
		return invalid(r.typ, "%s mode %v is unknown", kind, v.Mode)
	case v.Flags&IPVlanPrivate != 0 && v.Flags&IPVlanVEPA != 0:
		return invalid(r.typ, "%s is either private or vepa, not both", kind)
	}
	r.Uint16(uapi.IFLA_IPVLAN_MODE, uint16(v.Mode))
	r.Uint16(uapi.IFLA_IPVLAN_FLAGS, uint16(v.Flags))
	return putKindOther(r, v.Other, nil)
}
