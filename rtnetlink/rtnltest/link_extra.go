package rtnltest

import (
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
)

// What the fake models of a link beyond its name, addresses, MTU, master
// and kind: the group, the offload limits, protodown and its reasons, the
// alternative names, the IPv6 address generation mode, the flags users
// change (promisc, noarp, allmulti, multicast), the numbers of queues and
// the link mode given on creation, and a bridge port's settings and state.

// The kernel's numbers for them.
const (
	rtmNewLinkProp = 108 // RTM_NEWLINKPROP
	rtmDelLinkProp = 109 // RTM_DELLINKPROP

	iflaProtInfo        = 12 // IFLA_PROTINFO
	iflaNumTxQueues     = 31 // IFLA_NUM_TX_QUEUES
	iflaNumRxQueues     = 32 // IFLA_NUM_RX_QUEUES
	iflaLinkMode        = 17 // IFLA_LINKMODE
	iflaGroup           = 27 // IFLA_GROUP
	iflaAFSpec          = 26 // IFLA_AF_SPEC
	iflaProtoDown       = 39 // IFLA_PROTO_DOWN
	iflaGSOMaxSegs      = 40 // IFLA_GSO_MAX_SEGS
	iflaGSOMaxSize      = 41 // IFLA_GSO_MAX_SIZE
	iflaPropList        = 52 // IFLA_PROP_LIST
	iflaAltIfname       = 53 // IFLA_ALT_IFNAME
	iflaProtoDownReason = 55 // IFLA_PROTO_DOWN_REASON
	iflaGROMaxSize      = 58 // IFLA_GRO_MAX_SIZE
	iflaGSOIPv4MaxSize  = 63 // IFLA_GSO_IPV4_MAX_SIZE
	iflaGROIPv4MaxSize  = 64 // IFLA_GRO_IPV4_MAX_SIZE

	iflaInfoSlaveKind = 4 // IFLA_INFO_SLAVE_KIND
	iflaInfoSlaveData = 5 // IFLA_INFO_SLAVE_DATA

	iflaProtoDownReasonMask  = 1 // IFLA_PROTO_DOWN_REASON_MASK
	iflaProtoDownReasonValue = 2 // IFLA_PROTO_DOWN_REASON_VALUE

	iflaInet6AddrGenMode = 8 // IFLA_INET6_ADDR_GEN_MODE

	iflaBrportState         = 1  // IFLA_BRPORT_STATE
	iflaBrportPriority      = 2  // IFLA_BRPORT_PRIORITY
	iflaBrportCost          = 3  // IFLA_BRPORT_COST
	iflaBrportMode          = 4  // IFLA_BRPORT_MODE
	iflaBrportGuard         = 5  // IFLA_BRPORT_GUARD
	iflaBrportProtect       = 6  // IFLA_BRPORT_PROTECT
	iflaBrportFastLeave     = 7  // IFLA_BRPORT_FAST_LEAVE
	iflaBrportLearning      = 8  // IFLA_BRPORT_LEARNING
	iflaBrportUnicastFlood  = 9  // IFLA_BRPORT_UNICAST_FLOOD
	iflaBrportProxyARP      = 10 // IFLA_BRPORT_PROXYARP
	iflaBrportID            = 17 // IFLA_BRPORT_ID
	iflaBrportNo            = 18 // IFLA_BRPORT_NO
	iflaBrportMcastFlood    = 27 // IFLA_BRPORT_MCAST_FLOOD
	iflaBrportBcastFlood    = 30 // IFLA_BRPORT_BCAST_FLOOD
	iflaBrportNeighSuppress = 32 // IFLA_BRPORT_NEIGH_SUPPRESS
	iflaBrportIsolated      = 33 // IFLA_BRPORT_ISOLATED

	iffPromisc   = 0x100 // IFF_PROMISC
	iffAllMulti  = 0x200 // IFF_ALLMULTI
	userFlags    = iffUp | iffNoARP | iffPromisc | iffAllMulti | iffMulticast
	defaultLimit = 65536 // the default GSO and GRO limits, in bytes
	defaultSegs  = 65535 // the default GSO segments
	maxGSOSize   = 524280
	altNameMax   = 127 // ALTIFNAMSIZ-1
	brStateMax   = 4   // BR_STATE_BLOCKING
	brMaxPrio    = 63  // BR_MAX_PORT_PRIORITY
	brPortBits   = 10  // BR_PORT_BITS: the port number's share of the port ID
)

// createAttrs are the attributes of Link.Other that a create request's
// link keeps and reports: those rtnl_create_link takes.
func createAttrs(other rtnetlink.RawAttrs) rtnetlink.RawAttrs {
	var e netlink.AttrEncoder
	for a, err := range other.All() {
		if err != nil {
			return ""
		}
		switch a.Type {
		case iflaNumTxQueues, iflaNumRxQueues, iflaLinkMode:
			e.Bytes(a.Type, a.Data)
		}
	}
	b, _ := e.Finish()
	return rtnetlink.RawAttrs(b)
}

// putExtras appends what the kernel reports of v beyond the basics.
func putExtras(e *netlink.AttrEncoder, v *rtnetlink.Link) {
	e.Uint32(iflaGroup, v.Group)
	e.Uint32(iflaGSOMaxSize, v.GSOMaxSize)
	e.Uint32(iflaGSOMaxSegs, v.GSOMaxSegs)
	e.Uint32(iflaGROMaxSize, v.GROMaxSize)
	e.Uint32(iflaGSOIPv4MaxSize, v.GSOIPv4MaxSize)
	e.Uint32(iflaGROIPv4MaxSize, v.GROIPv4MaxSize)
	e.Uint8(iflaProtoDown, uint8(b2u(v.ProtoDown)))
	if v.ProtoDownReason != 0 {
		n := e.Nest(iflaProtoDownReason)
		e.Uint32(iflaProtoDownReasonValue, v.ProtoDownReason)
		e.End(n)
	}
	if len(v.AltNames) > 0 {
		n := e.Nest(iflaPropList)
		for _, name := range v.AltNames {
			e.String(iflaAltIfname, name)
		}
		e.End(n)
	}
	e.RawAttrs(v.Other)
	spec := e.Nest(iflaAFSpec)
	in6 := e.Nest(afInet6)
	e.Uint8(iflaInet6AddrGenMode, uint8(v.AddrGenMode))
	e.End(in6)
	e.End(spec)
}

// setLimit sets the GSO or GRO limit typ of l to v; as the kernel does, a
// general limit up to 64 KiB sets the IPv4 one too.
func setLimit(l *rtnetlink.Link, typ uint16, v uint32) {
	switch typ {
	case iflaGSOMaxSize:
		l.GSOMaxSize = v
		if v <= defaultLimit {
			l.GSOIPv4MaxSize = v
		}
	case iflaGROMaxSize:
		l.GROMaxSize = v
		if v <= defaultLimit {
			l.GROIPv4MaxSize = v
		}
	case iflaGSOIPv4MaxSize:
		l.GSOIPv4MaxSize = v
	case iflaGROIPv4MaxSize:
		l.GROIPv4MaxSize = v
	}
}

// setExtra applies a, an attribute of an RTM_SETLINK or RTM_NEWLINK
// request, to l if it is one of the extras; known reports whether it was.
func (k *Kernel) setExtra(l *link, a attr) (known bool, err error) {
	u32 := func(p *uint32) (bool, error) {
		v, err := a.u32()
		if err == nil {
			*p = v
		}
		return true, err
	}
	switch a.typ {
	case iflaGroup:
		return u32(&l.Group)
	case iflaGSOMaxSize, iflaGROMaxSize, iflaGSOIPv4MaxSize, iflaGROIPv4MaxSize:
		v, err := a.u32()
		if err != nil {
			return true, err
		}
		if v > maxGSOSize && (a.typ == iflaGSOMaxSize || a.typ == iflaGSOIPv4MaxSize) {
			return true, syscall.EINVAL
		}
		setLimit(&l.Link, a.typ, v)
		return true, nil
	case iflaGSOMaxSegs:
		return u32(&l.GSOMaxSegs)
	case iflaProtoDown:
		if len(a.data) < 1 {
			return true, syscall.EINVAL
		}
		if l.Kind != "macvlan" && l.Kind != "vxlan" {
			return true, fail(syscall.EOPNOTSUPP, "Protodown not supported by device")
		}
		down := a.data[0] != 0
		if !down && l.ProtoDownReason != 0 {
			return true, fail(syscall.EBUSY, "Cannot clear protodown, active reasons")
		}
		l.ProtoDown = down
		return true, nil
	case iflaProtoDownReason:
		in, err := attrs(a.data, 0)
		if err != nil {
			return true, malformed(err)
		}
		mask, value := find(in, iflaProtoDownReasonMask), find(in, iflaProtoDownReasonValue)
		if value == nil {
			return true, syscall.EINVAL
		}
		v, err := value.u32()
		if err != nil {
			return true, err
		}
		m := ^uint32(0)
		if mask != nil {
			if m, err = mask.u32(); err != nil {
				return true, err
			}
		}
		if l.Kind != "macvlan" && l.Kind != "vxlan" {
			return true, fail(syscall.EOPNOTSUPP, "Protodown not supported by device")
		}
		l.ProtoDownReason = l.ProtoDownReason&^m | v&m
		return true, nil
	case iflaAFSpec:
		in, err := attrs(a.data, 0)
		if err != nil {
			return true, malformed(err)
		}
		if in6 := find(in, afInet6); in6 != nil {
			as6, err := attrs(in6.data, 0)
			if err != nil {
				return true, malformed(err)
			}
			if m := find(as6, iflaInet6AddrGenMode); m != nil {
				if len(m.data) < 1 || m.data[0] > 3 || m.data[0] == 2 { // stable_secret needs the sysctl, unset here
					return true, syscall.EINVAL
				}
				l.AddrGenMode = rtnetlink.AddrGenMode(m.data[0])
			}
		}
		return true, nil
	case iflaLinkInfo:
		// Port settings of an existing link (ip link set NAME type
		// bridge_slave ...).
		in, err := attrs(a.data, 0)
		if err != nil {
			return true, malformed(err)
		}
		if find(in, iflaInfoSlaveData) == nil {
			return true, nil
		}
		m := k.linkByIndex(l.MasterIndex)
		if m == nil || m.Kind != "bridge" || l.port == nil {
			return true, syscall.EOPNOTSUPP
		}
		// This IFLA_LINKINFO alone, read as a link.
		e := netlink.NewAttrEncoder(make([]byte, sizeofIfInfomsg))
		e.Bytes(iflaLinkInfo|netlink.AttrNested, a.data)
		one, err := e.Finish()
		if err != nil {
			return true, malformed(err)
		}
		parsed, err := rtnetlink.ParseLink(netlink.Message{Header: netlink.Header{Type: rtmNewLink}, Data: one})
		if err != nil {
			return true, malformed(err)
		}
		p, ok := parsed.Port.(*rtnetlink.BridgePort)
		if !ok {
			return true, syscall.EINVAL
		}
		if p.Priority > brMaxPrio {
			return true, syscall.ERANGE
		}
		if err := setPortFrom(l.port, p, in); err != nil {
			return true, err
		}
		// The change notification re-enables a disabled port.
		l.portDisabled = false
		return true, nil
	}
	return false, nil
}

// setPortFrom copies into port the settings p that info, an
// IFLA_LINKINFO's attributes with IFLA_INFO_SLAVE_DATA, carried.
func setPortFrom(port, p *rtnetlink.BridgePort, info []attr) error {
	data, err := attrs(find(info, iflaInfoSlaveData).data, 0)
	if err != nil {
		return malformed(err)
	}
	for _, a := range data {
		switch a.typ {
		case iflaBrportPriority:
			port.Priority = p.Priority
		case iflaBrportCost:
			if p.Cost < 1 || p.Cost > 65535 {
				return syscall.ERANGE
			}
			port.Cost = p.Cost
		case iflaBrportMode:
			port.Hairpin = p.Hairpin
		case iflaBrportGuard:
			port.Guard = p.Guard
		case iflaBrportProtect:
			port.RootBlock = p.RootBlock
		case iflaBrportFastLeave:
			port.FastLeave = p.FastLeave
		case iflaBrportLearning:
			port.Learning = p.Learning
		case iflaBrportUnicastFlood:
			port.Flood = p.Flood
		case iflaBrportMcastFlood:
			port.MulticastFlood = p.MulticastFlood
		case iflaBrportBcastFlood:
			port.BroadcastFlood = p.BroadcastFlood
		case iflaBrportProxyARP:
			port.ProxyARP = p.ProxyARP
		case iflaBrportNeighSuppress:
			port.NeighSuppress = p.NeighSuppress
		case iflaBrportIsolated:
			port.Isolated = p.Isolated
		}
	}
	return nil
}

// enslaved gives l, just made a port of a bridge, its port settings: the
// kernel's defaults and the lowest free port number.
func (k *Kernel) enslaved(l *link) {
	l.port, l.portDisabled = nil, false
	m := k.linkByIndex(l.MasterIndex)
	if m == nil || m.Kind != "bridge" {
		return
	}
	used := map[uint16]bool{}
	for _, o := range k.links {
		if o != l && o.MasterIndex == m.Index && o.port != nil {
			used[o.port.Number] = true
		}
	}
	no := uint16(1)
	for used[no] {
		no++
	}
	cost := uint32(100) // no speed known
	if l.Kind == "veth" {
		cost = 2 // 10 Gb/s, as veth reports
	}
	l.port = &rtnetlink.BridgePort{Priority: 32, Cost: cost, Learning: true, Flood: true,
		MulticastFlood: true, BroadcastFlood: true, Number: no}
}

// portView returns l's port settings as the kernel reports them: the port
// ID from the priority and number, the state from the links' states (no
// STP: forwarding when the bridge and the port are up and the port has a
// carrier, unless set disabled).
func (k *Kernel) portView(l *link) *rtnetlink.BridgePort {
	if l.port == nil {
		return nil
	}
	p := *l.port
	p.ID = p.Priority<<brPortBits | p.Number
	p.State = rtnetlink.BridgePortDisabled
	if m := k.linkByIndex(l.MasterIndex); m != nil && m.up() && l.up() && k.carrier(l) && !l.portDisabled {
		p.State = rtnetlink.BridgePortForwarding
	}
	return &p
}

// putPort appends a bridge port's IFLA_INFO_SLAVE_KIND and _DATA.
func putPort(e *netlink.AttrEncoder, p *rtnetlink.BridgePort) {
	e.String(iflaInfoSlaveKind, "bridge")
	n := e.Nest(iflaInfoSlaveData)
	e.Uint8(iflaBrportState, uint8(p.State))
	e.Uint16(iflaBrportPriority, p.Priority)
	e.Uint32(iflaBrportCost, p.Cost)
	for _, f := range [...]struct {
		typ uint16
		on  bool
	}{
		{iflaBrportMode, p.Hairpin}, {iflaBrportGuard, p.Guard}, {iflaBrportProtect, p.RootBlock},
		{iflaBrportFastLeave, p.FastLeave}, {iflaBrportLearning, p.Learning}, {iflaBrportUnicastFlood, p.Flood},
		{iflaBrportProxyARP, p.ProxyARP}, {iflaBrportMcastFlood, p.MulticastFlood}, {iflaBrportBcastFlood, p.BroadcastFlood},
		{iflaBrportNeighSuppress, p.NeighSuppress}, {iflaBrportIsolated, p.Isolated},
	} {
		e.Uint8(f.typ, uint8(b2u(f.on)))
	}
	e.Uint16(iflaBrportID, p.ID)
	e.Uint16(iflaBrportNo, p.Number)
	e.End(n)
}

// bridgeSetLink answers RTM_SETLINK of family AF_BRIDGE (bridge link set):
// a port's state in IFLA_PROTINFO.
func (k *Kernel) bridgeSetLink(l *link, as []attr) error {
	m := k.linkByIndex(l.MasterIndex)
	if m == nil || m.Kind != "bridge" || l.port == nil {
		return syscall.EOPNOTSUPP
	}
	pi := find(as, iflaProtInfo)
	if pi == nil {
		return nil
	}
	in, err := attrs(pi.data, 0)
	if err != nil {
		return malformed(err)
	}
	if st := find(in, iflaBrportState); st != nil {
		if len(st.data) < 1 || st.data[0] > brStateMax {
			return syscall.EINVAL
		}
		if !l.up() || !k.carrier(l) && st.data[0] != 0 {
			return syscall.ENETDOWN
		}
		l.portDisabled = st.data[0] == 0
	}
	k.notify(grpLink, rtmNewLink, k.linkMsg(l), true)
	return nil
}

// linkPropMsg answers RTM_NEWLINKPROP and RTM_DELLINKPROP: alternative
// names added or removed.
func (k *Kernel) linkPropMsg(req netlink.Message) error {
	index, as, err := ifinfo(req.Data)
	if err != nil {
		return err
	}
	var l *link
	if index != 0 {
		l = k.linkByIndex(index)
	} else if a := find(as, iflaIfname); a != nil {
		l = k.linkByName(a.str())
	}
	if l == nil {
		return syscall.ENODEV
	}
	list := find(as, iflaPropList)
	if list == nil {
		return syscall.EINVAL
	}
	names, err := attrs(list.data, 0)
	if err != nil {
		return malformed(err)
	}
	changed := false
	for _, n := range names {
		if n.typ != iflaAltIfname {
			continue
		}
		name := n.str()
		if len(name) > altNameMax || name == "" {
			return errPolicy(list.off + 4 + n.off)
		}
		i := -1
		for j, alt := range l.AltNames {
			if alt == name {
				i = j
			}
		}
		if req.Header.Type == rtmNewLinkProp {
			if k.linkByName(name) != nil {
				return syscall.EEXIST
			}
			l.AltNames = append(l.AltNames, name)
		} else {
			if name == l.Name {
				return syscall.EINVAL
			}
			if i < 0 {
				return syscall.ENOENT
			}
			l.AltNames = append(l.AltNames[:i:i], l.AltNames[i+1:]...)
		}
		changed = true
	}
	if changed {
		k.notify(grpLink, rtmNewLink, k.linkMsg(l), true)
	}
	return nil
}
