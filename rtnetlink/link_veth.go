package rtnetlink

import (
	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("veth", func() LinkData { return new(Veth) }) }

// vethInfoPeer is VETH_INFO_PEER from <linux/veth.h>.
const vethInfoPeer = 1

// Veth is a virtual Ethernet pair: what one end sends, the other receives.
// It is for creating a pair; the kernel reports no veth data, so a veth
// link reads back with Kind "veth", Data nil, and its peer's index in
// ParentIndex (and, when the peer is in another namespace, that
// namespace's ID in LinkNetNSID).
type Veth struct {
	PeerName  string // the peer's name: required, at most 15 bytes
	PeerNetNS NetNS  // where to create the peer; the zero NetNS is the link's own namespace
}

// Kind returns "veth".
func (*Veth) Kind() string { return "veth" }

func (v *Veth) encode(r *request) error {
	if err := checkName(uapi.RTM_NEWLINK, "peer", v.PeerName); err != nil {
		return err
	}
	// VETH_INFO_PEER holds a struct ifinfomsg and the peer's attributes.
	peer := r.Nest(vethInfoPeer)
	r.Raw(make([]byte, uapi.SizeofIfInfomsg))
	r.String(uapi.IFLA_IFNAME, v.PeerName)
	if err := r.putNetNS(&r.AttrEncoder, v.PeerNetNS); err != nil {
		return err
	}
	r.End(peer)
	return nil
}

// decode reads the peer's name from a request's VETH_INFO_PEER (the
// kernel sends none); the peer's namespace is not read back.
func (v *Veth) decode(b []byte) error {
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		if d.Type() != vethInfoPeer {
			continue
		}
		p := d.Bytes()
		if len(p) < uapi.SizeofIfInfomsg {
			continue
		}
		pd := netlink.NewAttrDecoder(p[uapi.SizeofIfInfomsg:])
		for pd.Next() {
			if pd.Type() == uapi.IFLA_IFNAME {
				v.PeerName = pd.String()
			}
		}
		if err := pd.Err(); err != nil {
			return err
		}
	}
	return d.Err()
}
