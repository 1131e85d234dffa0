package rtnetlink

import (
	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerLinkKind("tun", func() LinkData { return new(Tun) }) }

// Tun is a tun (IP) or tap (Ethernet) device, whose packets a program reads
// and writes through /dev/net/tun.
//
// The kernel does not create tun devices over netlink: CreateLink with a
// *Tun returns its EOPNOTSUPP, "tun/tap creation via rtnetlink is not
// supported.". They are made with the TUNSETIFF ioctl on /dev/net/tun (ip
// tuntap add); Tun is what such links read back.
type Tun struct {
	Tap        bool // IFLA_TUN_TYPE: a tap (Ethernet frames) rather than a tun (IP packets)
	Owner      int  // IFLA_TUN_OWNER: the user allowed to attach, -1 if any
	Group      int  // IFLA_TUN_GROUP: the group allowed to attach, -1 if any
	PI         bool // IFLA_TUN_PI: packets carry struct tun_pi
	VnetHdr    bool // IFLA_TUN_VNET_HDR: packets carry struct virtio_net_hdr
	Persist    bool // IFLA_TUN_PERSIST: the device outlives its file descriptors
	MultiQueue bool // IFLA_TUN_MULTI_QUEUE
	Queues     int  // IFLA_TUN_NUM_QUEUES: attached queues
	// Other holds the device's attributes no field above models
	// (IFLA_TUN_NUM_DISABLED_QUEUES, ...), as the kernel sent them.
	Other RawAttrs
}

// Kind returns "tun".
func (*Tun) Kind() string { return "tun" }

func (t *Tun) encode(r *request) error {
	typ := uint8(uapi.IFF_TUN)
	if t.Tap {
		typ = uapi.IFF_TAP
	}
	r.Uint8(uapi.IFLA_TUN_TYPE, typ)
	r.Uint8(uapi.IFLA_TUN_PI, boolByte(t.PI))
	r.Uint8(uapi.IFLA_TUN_VNET_HDR, boolByte(t.VnetHdr))
	r.Uint8(uapi.IFLA_TUN_PERSIST, boolByte(t.Persist))
	r.Uint8(uapi.IFLA_TUN_MULTI_QUEUE, boolByte(t.MultiQueue))
	return putKindOther(r, t.Other, nil)
}

func (t *Tun) decode(b []byte) error {
	t.Owner, t.Group = -1, -1
	var buf [64]byte
	other := buf[:0]
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_TUN_TYPE:
			t.Tap = d.Uint8() == uapi.IFF_TAP
		case uapi.IFLA_TUN_OWNER:
			t.Owner = int(d.Uint32())
		case uapi.IFLA_TUN_GROUP:
			t.Group = int(d.Uint32())
		case uapi.IFLA_TUN_PI:
			t.PI = d.Uint8() != 0
		case uapi.IFLA_TUN_VNET_HDR:
			t.VnetHdr = d.Uint8() != 0
		case uapi.IFLA_TUN_PERSIST:
			t.Persist = d.Uint8() != 0
		case uapi.IFLA_TUN_MULTI_QUEUE:
			t.MultiQueue = d.Uint8() != 0
		case uapi.IFLA_TUN_NUM_QUEUES:
			t.Queues = int(d.Uint32())
		default:
			other = d.Attr().Append(other)
		}
	}
	t.Other = RawAttrs(other)
	return d.Err()
}
