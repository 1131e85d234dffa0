package rtnetlink

import (
	"net/netip"

	"github.com/nlkit/netlink"
)

func init() { registerLinkKind("vti", func() LinkData { return new(VTI) }) }

// The attributes of the VTI tunnels (IFLA_VTI_* in <linux/if_tunnel.h>),
// which x/sys/unix does not define.
const (
	iflaVTILink   = 1
	iflaVTIIKey   = 2
	iflaVTIOKey   = 3
	iflaVTILocal  = 4
	iflaVTIRemote = 5
	iflaVTIFwmark = 6
)

// VTITunnel is the configuration of a virtual tunnel interface, whose
// packets IPsec policies matching its keys (as marks) encrypt: VTI over
// IPv4 and VTI6 over IPv6, each a type of its own with these fields. As ip
// does, a request carries the whole configuration, zero keys and mark
// included.
type VTITunnel struct {
	Local    netip.Addr // IFLA_VTI_LOCAL: the source address; none if invalid
	Remote   netip.Addr // IFLA_VTI_REMOTE: the destination; none if invalid
	DevIndex int        // IFLA_VTI_LINK: the link the tunnel's packets go out of, 0 if any
	IKey     uint32     // IFLA_VTI_IKEY: the mark of received packets, which their policy matches
	OKey     uint32     // IFLA_VTI_OKEY: the mark of sent packets
	Fwmark   uint32     // IFLA_VTI_FWMARK: the mark of the encrypted packets' route lookup
	// Other holds the IFLA_VTI_* attributes the fields above do not model,
	// as the kernel sent them; they are sent back unchanged.
	Other RawAttrs
}

func (t *VTITunnel) encode(r *request, kind string, v6 bool) error {
	if err := checkTunnelAddrs(r, kind, v6, t.Local, t.Remote); err != nil {
		return err
	}
	if err := checkDevIndex(r, kind, t.DevIndex); err != nil {
		return err
	}
	all := kindAttrs{r, true}
	all.be32(iflaVTIIKey, t.IKey)
	all.be32(iflaVTIOKey, t.OKey)
	all.addr(iflaVTILocal, t.Local)
	all.addr(iflaVTIRemote, t.Remote)
	all.u32(iflaVTIFwmark, t.Fwmark)
	if t.DevIndex != 0 {
		r.Uint32(iflaVTILink, uint32(t.DevIndex))
	}
	return putKindOther(r, t.Other, nil)
}

func (t *VTITunnel) decode(b []byte) error {
	var other []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case iflaVTILink:
			t.DevIndex = int(int32(d.Uint32()))
		case iflaVTIIKey:
			t.IKey = d.Uint32BE()
		case iflaVTIOKey:
			t.OKey = d.Uint32BE()
		case iflaVTILocal:
			t.Local = d.Addr()
		case iflaVTIRemote:
			t.Remote = d.Addr()
		case iflaVTIFwmark:
			t.Fwmark = d.Uint32()
		default:
			other = d.Attr().Append(other)
		}
	}
	t.Other = RawAttrs(other)
	return d.Err()
}

// VTI is a virtual tunnel interface over IPv4 (ip link add NAME type vti).
// Its fields are VTITunnel's.
type VTI VTITunnel

// Kind returns "vti".
func (*VTI) Kind() string { return "vti" }

func (t *VTI) encode(r *request) error { return (*VTITunnel)(t).encode(r, "vti", false) }

func (t *VTI) decode(b []byte) error { return (*VTITunnel)(t).decode(b) }
