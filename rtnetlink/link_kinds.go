package rtnetlink

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// LinkData is the kind-specific part of a link (IFLA_INFO_DATA): one of
// *Veth, *Bridge, *Macvlan, *Vxlan or *Tun. Links of other kinds are
// created with Link.Kind alone ("ifb", "dummy", a bridge with the kernel's
// defaults), or with raw requests on Conn.NL.
type LinkData interface {
	// Kind is the IFLA_INFO_KIND the data belongs to.
	Kind() string
	// encode appends the data's attributes inside IFLA_INFO_DATA.
	encode(r *request) error
}

// decodeLinkData reads the IFLA_INFO_DATA of a link of the given kind, or
// returns nil for kinds this package does not read. The decode methods are
// called on concrete types, so that the decoder stays on the stack.
func decodeLinkData(kind string, b []byte) (LinkData, error) {
	d := netlink.NewAttrDecoder(b)
	var data LinkData
	switch kind {
	case "bridge":
		v := new(Bridge)
		v.decode(&d)
		data = v
	case "macvlan":
		v := new(Macvlan)
		v.decode(&d)
		data = v
	case "vxlan":
		v := new(Vxlan)
		v.decode(&d)
		data = v
	case "tun":
		v := new(Tun)
		v.decode(&d)
		data = v
	default:
		return nil, nil
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return data, nil
}

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

// Bridge is an Ethernet bridge's basic settings. On creation, zero fields
// are left to the kernel's defaults (STP off, VLAN filtering off, forward
// delay 15s, hello time 2s, max age 20s, ageing time 300s, priority 32768).
// The kernel keeps times in centiseconds, so durations are truncated to
// 10ms.
type Bridge struct {
	STP           bool          // IFLA_BR_STP_STATE: spanning tree on
	VLANFiltering bool          // IFLA_BR_VLAN_FILTERING
	ForwardDelay  time.Duration // IFLA_BR_FORWARD_DELAY
	HelloTime     time.Duration // IFLA_BR_HELLO_TIME
	MaxAge        time.Duration // IFLA_BR_MAX_AGE
	AgeingTime    time.Duration // IFLA_BR_AGEING_TIME: how long learned addresses stay
	Priority      uint16        // IFLA_BR_PRIORITY: the bridge priority of STP
}

// Kind returns "bridge".
func (*Bridge) Kind() string { return "bridge" }

func (b *Bridge) encode(r *request) error {
	if b.STP {
		r.Uint32(uapi.IFLA_BR_STP_STATE, 1)
	}
	if b.VLANFiltering {
		r.Uint8(uapi.IFLA_BR_VLAN_FILTERING, 1)
	}
	for _, t := range [...]struct {
		typ uint16
		d   time.Duration
	}{
		{uapi.IFLA_BR_FORWARD_DELAY, b.ForwardDelay},
		{uapi.IFLA_BR_HELLO_TIME, b.HelloTime},
		{uapi.IFLA_BR_MAX_AGE, b.MaxAge},
		{uapi.IFLA_BR_AGEING_TIME, b.AgeingTime},
	} {
		if t.d == 0 {
			continue
		}
		cs := t.d / (10 * time.Millisecond)
		if cs < 0 || cs > 1<<32-1 {
			return invalid(uapi.RTM_NEWLINK, "bridge time %v is out of range", t.d)
		}
		r.Uint32(t.typ, uint32(cs))
	}
	if b.Priority != 0 {
		r.Uint16(uapi.IFLA_BR_PRIORITY, b.Priority)
	}
	return nil
}

func (b *Bridge) decode(d *netlink.AttrDecoder) {
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_BR_STP_STATE:
			b.STP = d.Uint32() != 0
		case uapi.IFLA_BR_VLAN_FILTERING:
			b.VLANFiltering = d.Uint8() != 0
		case uapi.IFLA_BR_FORWARD_DELAY:
			b.ForwardDelay = centiseconds(d.Uint32())
		case uapi.IFLA_BR_HELLO_TIME:
			b.HelloTime = centiseconds(d.Uint32())
		case uapi.IFLA_BR_MAX_AGE:
			b.MaxAge = centiseconds(d.Uint32())
		case uapi.IFLA_BR_AGEING_TIME:
			b.AgeingTime = centiseconds(d.Uint32())
		case uapi.IFLA_BR_PRIORITY:
			b.Priority = d.Uint16()
		}
	}
}

func centiseconds(v uint32) time.Duration {
	return time.Duration(v) * 10 * time.Millisecond
}

// MacvlanMode is how a macvlan link passes packets between it and the other
// macvlans on the same lower link (IFLA_MACVLAN_MODE).
type MacvlanMode uint32

// The macvlan modes (MACVLAN_MODE_* in <linux/if_link.h>).
const (
	MacvlanPrivate  MacvlanMode = 1  // no traffic between macvlans
	MacvlanVEPA     MacvlanMode = 2  // through the external switch (the kernel's default)
	MacvlanBridge   MacvlanMode = 4  // directly between macvlans
	MacvlanPassthru MacvlanMode = 8  // one macvlan takes over the lower link
	MacvlanSource   MacvlanMode = 16 // by source MAC address
)

// String names the mode as ip does: "private", "vepa", "bridge",
// "passthru", "source".
func (m MacvlanMode) String() string {
	switch m {
	case MacvlanPrivate:
		return "private"
	case MacvlanVEPA:
		return "vepa"
	case MacvlanBridge:
		return "bridge"
	case MacvlanPassthru:
		return "passthru"
	case MacvlanSource:
		return "source"
	}
	return "MacvlanMode(" + strconv.FormatUint(uint64(m), 10) + ")"
}

// Macvlan is a link with its own MAC address on top of a lower link, which
// is Link.ParentIndex (required on creation).
type Macvlan struct {
	Mode MacvlanMode // 0 on creation: the kernel's default, VEPA
}

// Kind returns "macvlan".
func (*Macvlan) Kind() string { return "macvlan" }

func (m *Macvlan) encode(r *request) error {
	if m.Mode != 0 {
		r.Uint32(uapi.IFLA_MACVLAN_MODE, uint32(m.Mode))
	}
	return nil
}

func (m *Macvlan) decode(d *netlink.AttrDecoder) {
	for d.Next() {
		if d.Type() == uapi.IFLA_MACVLAN_MODE {
			m.Mode = MacvlanMode(d.Uint32())
		}
	}
}

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

// family picks the IPv4 or the IPv6 attribute for a.
func family(a netip.Addr, v4, v6 uint16) uint16 {
	if a.Is4() {
		return v4
	}
	return v6
}

func (v *Vxlan) decode(d *netlink.AttrDecoder) {
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
}

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
	return nil
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func (t *Tun) decode(d *netlink.AttrDecoder) {
	t.Owner, t.Group = -1, -1
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
		}
	}
}
