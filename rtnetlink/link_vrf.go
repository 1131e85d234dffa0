package rtnetlink

import (
	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() {
	registerLinkKind("vrf", func() LinkData { return new(VRF) })
	registerPortKind("vrf", func() PortData { return new(VRFPort) })
}

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

// VRFPort is what a link has as a port of a VRF (IFLA_INFO_SLAVE_DATA of
// kind "vrf"; ip prints "vrf_slave"): the table it routes through, as the
// kernel reports it. A VRF takes no port settings: the kernel refuses
// SetLinkPort with a VRFPort (EOPNOTSUPP), and CreateLink, which sends a
// new port's settings after it is made, sends none for a VRFPort, so a
// VRF's port as listed is created again as it was.
type VRFPort struct {
	// Table is the routing table of the port's VRF (IFLA_VRF_PORT_TABLE);
	// only the kernel sets it, and it is never sent.
	Table uint32
	// Other holds the IFLA_VRF_PORT_* attributes the fields above do not
	// model, as the kernel sent them; like Table, they are never sent.
	Other RawAttrs
}

// PortKind returns "vrf".
func (*VRFPort) PortKind() string { return "vrf" }

// encode puts nothing: the kernel takes no port data for a VRF's port.
func (p *VRFPort) encode(r *request) error { return nil }

func (p *VRFPort) decode(b []byte) error {
	var other []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_VRF_PORT_TABLE:
			p.Table = d.Uint32()
		default:
			other = d.Attr().Append(other)
		}
	}
	p.Other = RawAttrs(other)
	return d.Err()
}
