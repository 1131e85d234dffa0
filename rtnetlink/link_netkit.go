package rtnetlink

import (
	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("netkit", func() LinkData { return new(Netkit) }) }

// Netkit is a pair of links, as veth is, whose packets BPF programs
// attached to the primary end steer (Linux 6.7; ip link add NAME type
// netkit). The kernel does not change a pair's mode or peer once created:
// SetLinkData takes the policies alone.
type Netkit struct {
	PeerName   string       // IFLA_NETKIT_PEER_INFO: the peer's name on creation; "" lets the kernel choose. Not read back
	PeerNetNS  NetNS        // IFLA_NETKIT_PEER_INFO: where to create the peer; the zero NetNS is the link's own namespace
	L2         bool         // IFLA_NETKIT_MODE NETKIT_L2: Ethernet frames, with MAC addresses; false is L3, IP packets (the kernel's default, not sent)
	Policy     NetkitPolicy // IFLA_NETKIT_POLICY: what the primary does with packets no program decides; 0 (pass) is not sent
	PeerPolicy NetkitPolicy // IFLA_NETKIT_PEER_POLICY: the same for the peer
	// Primary reports whether this end is the primary, to which programs
	// attach (IFLA_NETKIT_PRIMARY); only the kernel sets it.
	Primary bool
	// Other holds the IFLA_NETKIT_* attributes the fields above do not
	// model (scrub, headroom, tailroom), as the kernel sent them; they are
	// sent back unchanged.
	Other RawAttrs
}

// NetkitPolicy is a netkit end's default verdict (enum netkit_action).
type NetkitPolicy uint32

// The netkit policies.
const (
	NetkitPass NetkitPolicy = uapi.NETKIT_PASS // let packets through (the default)
	NetkitDrop NetkitPolicy = uapi.NETKIT_DROP // drop them
)

// String names the policy as ip does: "forward" (pass), "blackhole"
// (drop).
func (p NetkitPolicy) String() string {
	switch p {
	case NetkitPass:
		return "forward"
	case NetkitDrop:
		return "blackhole"
	}
	return enumName(int(p), "NetkitPolicy")
}

// Kind returns "netkit".
func (*Netkit) Kind() string { return "netkit" }

func (k *Netkit) encode(r *request) error {
	if k.Policy != NetkitPass && k.Policy != NetkitDrop || k.PeerPolicy != NetkitPass && k.PeerPolicy != NetkitDrop {
		return invalid(r.typ, "netkit policies %v and %v: each is pass or drop", k.Policy, k.PeerPolicy)
	}
	if k.PeerName != "" || k.PeerNetNS.how != nsNone {
		// IFLA_NETKIT_PEER_INFO holds a struct ifinfomsg and the peer's
		// attributes, as veth's VETH_INFO_PEER does.
		peer := r.Nest(uapi.IFLA_NETKIT_PEER_INFO)
		r.Raw(make([]byte, uapi.SizeofIfInfomsg))
		if k.PeerName != "" {
			if err := checkName(r.typ, "peer", k.PeerName); err != nil {
				return err
			}
			r.String(uapi.IFLA_IFNAME, k.PeerName)
		}
		if err := r.putNetNS(&r.AttrEncoder, k.PeerNetNS); err != nil {
			return err
		}
		r.End(peer)
	}
	if k.L2 {
		r.Uint32(uapi.IFLA_NETKIT_MODE, uapi.NETKIT_L2)
	}
	some := kindAttrs{r, false}
	some.u32(uapi.IFLA_NETKIT_POLICY, uint32(k.Policy))
	some.u32(uapi.IFLA_NETKIT_PEER_POLICY, uint32(k.PeerPolicy))
	return putKindOther(r, k.Other, nil)
}

// decode reads the kernel's netkit data, and the peer's name from a
// request's IFLA_NETKIT_PEER_INFO (the kernel sends none).
func (k *Netkit) decode(b []byte) error {
	var other []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_NETKIT_PEER_INFO:
			p := d.Bytes()
			if len(p) < uapi.SizeofIfInfomsg {
				continue
			}
			pd := netlink.NewAttrDecoder(p[uapi.SizeofIfInfomsg:])
			for pd.Next() {
				if pd.Type() == uapi.IFLA_IFNAME {
					k.PeerName = pd.String()
				}
			}
			if err := pd.Err(); err != nil {
				return err
			}
		case uapi.IFLA_NETKIT_MODE:
			k.L2 = d.Uint32() == uapi.NETKIT_L2
		case uapi.IFLA_NETKIT_POLICY:
			k.Policy = NetkitPolicy(d.Uint32())
		case uapi.IFLA_NETKIT_PEER_POLICY:
			k.PeerPolicy = NetkitPolicy(d.Uint32())
		case uapi.IFLA_NETKIT_PRIMARY:
			k.Primary = d.Uint8() != 0
		default:
			other = d.Attr().Append(other)
		}
	}
	k.Other = RawAttrs(other)
	return d.Err()
}
