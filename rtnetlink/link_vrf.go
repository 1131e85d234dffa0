package rtnetlink

import (
	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("vrf", func() LinkData { return new(VRF) }) }

// VRF is a virtual routing and forwarding domain: the links whose master
// it is route through its table (ip link add NAME type vrf table N).
type VRF struct {
	// Table is the routing table of the VRF (IFLA_VRF_TABLE): required on
	// creation, and fixed once created.
	Table uint32
	// Other holds the IFLA_VRF_* attributes the fields above do not model,
	// as the kernel sent them; they are sent back unchanged.
	Other RawAttrs
}

// Kind returns "vrf".
func (*VRF) Kind() string { return "vrf" }

func (v *VRF) encode(r *request) error {
	if v.Table == 0 {
		return invalid(r.typ, "vrf has no table")
	}
	r.Uint32(uapi.IFLA_VRF_TABLE, v.Table)
	return putKindOther(r, v.Other, nil)
}

func (v *VRF) decode(b []byte) error {
	var other []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_VRF_TABLE:
			v.Table = d.Uint32()
		default:
			other = d.Attr().Append(other)
		}
	}
	v.Other = RawAttrs(other)
	return d.Err()
}
