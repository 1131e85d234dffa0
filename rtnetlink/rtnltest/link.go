package rtnltest

import (
	"encoding/binary"
	"net"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
)

// link is a link of the namespace. Link.Flags holds the flags set (UP
// among them); the carrier and what follows from it are worked out when
// the link is read.
type link struct {
	rtnetlink.Link
	hadPorts     bool                  // a bridge that has had a port: its carrier is its ports' from then on
	port         *rtnetlink.BridgePort // a bridge port's settings (see portView), nil for others
	portDisabled bool                  // a bridge port set disabled (bridge link set state 0)
}

// linkByIndex returns the link with index i, or nil.
func (k *Kernel) linkByIndex(i int) *link {
	for _, l := range k.links {
		if l.Index == i {
			return l
		}
	}
	return nil
}

// linkByName returns the link called name, or with name as one of its
// alternative names, or nil.
func (k *Kernel) linkByName(name string) *link {
	for _, l := range k.links {
		if l.Name == name {
			return l
		}
		for _, alt := range l.AltNames {
			if alt == name {
				return l
			}
		}
	}
	return nil
}

// up says whether l is administratively up.
func (l *link) up() bool { return l.Flags&iffUp != 0 }

// carrier says whether l has a carrier: lo, ifb, dummy and vxlan always,
// a veth when its peer is up, a macvlan when its lower link has one, a
// bridge when one of its ports has one, or until it has had a port.
func (k *Kernel) carrier(l *link) bool {
	if !l.up() {
		return false
	}
	switch l.Kind {
	case "veth":
		p := k.linkByIndex(l.ParentIndex)
		return p != nil && p.up()
	case "macvlan":
		p := k.linkByIndex(l.ParentIndex)
		return p != nil && k.carrier(p)
	case "bridge":
		for _, p := range k.links {
			if p.MasterIndex == l.Index && p != l && k.carrier(p) {
				return true
			}
		}
		return !l.hadPorts
	}
	return true
}

// operUnknown says whether l reports no operational state of its own
// while up: lo, ifb, dummy, vxlan, and a bridge that never had a port.
func (k *Kernel) operUnknown(l *link) bool {
	switch l.Kind {
	case "", "ifb", "dummy", "vxlan":
		return true
	case "bridge":
		return !l.hadPorts
	}
	return false
}

// view returns l as a Conn reads it: the flags and operational state that
// follow from the carrier.
func (k *Kernel) view(l *link) rtnetlink.Link {
	v := l.Link
	v.Flags &^= iffRunning | iffLowerUp
	switch {
	case !l.up():
		v.OperState = operDown
	case !k.carrier(l):
		v.OperState = operDown
		if l.Kind == "veth" || l.Kind == "macvlan" {
			v.OperState = operLowerLayerDown
		}
	default:
		v.Flags |= iffRunning | iffLowerUp
		v.OperState = operUp
		if k.operUnknown(l) {
			v.OperState = operUnknown
		}
	}
	v.HardwareAddr = append(net.HardwareAddr(nil), l.HardwareAddr...)
	v.Broadcast = append(net.HardwareAddr(nil), l.Broadcast...)
	v.HasAddrGenMode = true // every link's message reports its mode
	return v
}

// linkMsg encodes l as the kernel's RTM_NEWLINK (or RTM_DELLINK) payload.
func (k *Kernel) linkMsg(l *link) []byte {
	v := k.view(l)
	b := make([]byte, sizeofIfInfomsg, 256)
	binary.NativeEndian.PutUint16(b[2:], v.HardwareType)
	binary.NativeEndian.PutUint32(b[4:], uint32(v.Index))
	binary.NativeEndian.PutUint32(b[8:], uint32(v.Flags))
	e := netlink.NewAttrEncoder(b)
	e.String(iflaIfname, v.Name)
	e.Uint32(iflaTxQLen, v.TxQueueLen)
	e.Uint8(iflaOperState, uint8(v.OperState))
	e.Uint32(iflaMTU, v.MTU)
	e.Uint32(iflaMinMTU, v.MinMTU)
	e.Uint32(iflaMaxMTU, v.MaxMTU)
	if v.ParentIndex != 0 {
		e.Uint32(iflaLink, uint32(v.ParentIndex))
	}
	if v.MasterIndex != 0 {
		e.Uint32(iflaMaster, uint32(v.MasterIndex))
	}
	if v.Alias != "" {
		e.String(iflaIfAlias, v.Alias)
	}
	e.Bytes(iflaAddress, v.HardwareAddr)
	e.Bytes(iflaBroadcast, v.Broadcast)
	e.Bytes(iflaStats64, make([]byte, 8*24))
	putExtras(e, &v)
	port := k.portView(l)
	if v.Kind != "" || port != nil {
		info := e.Nest(iflaLinkInfo)
		if v.Kind != "" {
			e.String(iflaInfoKind, v.Kind)
		}
		if v.Data != nil {
			data := e.Nest(iflaInfoData)
			putLinkData(e, v.Data)
			e.End(data)
		}
		if port != nil {
			putPort(e, port)
		}
		e.End(info)
	}
	out, _ := e.Finish() // the lengths are bounded: names, 6-byte addresses, small kind data
	return out
}

// putLinkData appends the IFLA_INFO_DATA attributes of d.
func putLinkData(e *netlink.AttrEncoder, d rtnetlink.LinkData) {
	cs := func(d time.Duration) uint32 { return uint32(d / (10 * time.Millisecond)) }
	switch d := d.(type) {
	case *rtnetlink.Bridge:
		e.Uint32(iflaBrForwardDelay, cs(d.ForwardDelay))
		e.Uint32(iflaBrHelloTime, cs(d.HelloTime))
		e.Uint32(iflaBrMaxAge, cs(d.MaxAge))
		e.Uint32(iflaBrAgeingTime, cs(d.AgeingTime))
		e.Uint32(iflaBrSTPState, b2u(d.STP))
		e.Uint16(iflaBrPriority, d.Priority)
		e.Uint8(iflaBrVLANFiltering, uint8(b2u(d.VLANFiltering)))
	case *rtnetlink.Macvlan:
		e.Uint32(iflaMacvlanMode, uint32(d.Mode))
	case *rtnetlink.Vxlan:
		e.Uint32(iflaVxlanID, d.ID)
		if dst := d.Remote; dst.IsValid() || d.Group.IsValid() {
			if !dst.IsValid() {
				dst = d.Group
			}
			e.Addr(pick(dst, iflaVxlanGroup, iflaVxlanGroup6), dst)
		}
		if d.DevIndex != 0 {
			e.Uint32(iflaVxlanLink, uint32(d.DevIndex))
		}
		if d.Local.IsValid() {
			e.Addr(pick(d.Local, iflaVxlanLocal, iflaVxlanLocal6), d.Local)
		}
		e.Uint16BE(iflaVxlanPort, d.Port)
	}
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

func pick(a netip.Addr, v4, v6 uint16) uint16 {
	if a.Is4() {
		return v4
	}
	return v6
}

// getLink answers RTM_GETLINK for one link, by index or by name.
func (k *Kernel) getLink(req netlink.Message) ([]netlink.Message, error) {
	index, as, err := ifinfo(req.Data)
	if err != nil {
		return nil, err
	}
	var l *link
	switch name, alt := find(as, iflaIfname), find(as, iflaAltIfname); {
	case index != 0:
		l = k.linkByIndex(index)
	case name != nil:
		l = k.linkByName(name.str())
	case alt != nil:
		l = k.linkByName(alt.str())
	default:
		return nil, syscall.EINVAL
	}
	if l == nil {
		return nil, syscall.ENODEV
	}
	return []netlink.Message{{Header: netlink.Header{Type: rtmNewLink}, Data: k.linkMsg(l)}}, nil
}

// dumpLinks answers the RTM_GETLINK dump, filtered by IFLA_MASTER and the
// kind in IFLA_LINKINFO as the kernel filters.
func (k *Kernel) dumpLinks(req netlink.Message) ([]netlink.Message, error) {
	if len(req.Data) > 0 && req.Data[0] == afBridge {
		return nil, fail(syscall.EOPNOTSUPP, "rtnltest: bridge port information is not modelled")
	}
	var as []attr
	if len(req.Data) >= sizeofIfInfomsg { // a bare rtgenmsg asks for all
		var err error
		if _, as, err = ifinfo(req.Data); err != nil {
			return nil, err
		}
	}
	master, kind, filtered := 0, "", false
	if a := find(as, iflaMaster); a != nil {
		m, err := a.u32()
		if err != nil {
			return nil, err
		}
		master, filtered = int(int32(m)), true
	}
	if a := find(as, iflaLinkInfo); a != nil {
		in, err := attrs(a.data, 0)
		if err != nil {
			return nil, malformed(err)
		}
		if kd := find(in, iflaInfoKind); kd != nil {
			kind, filtered = kd.str(), true
		}
	}
	var out []netlink.Message
	for _, l := range k.links {
		if kind != "" && l.Kind != kind || master > 0 && l.MasterIndex != master || master < 0 && l.MasterIndex != 0 {
			continue
		}
		h := netlink.Header{Type: rtmNewLink}
		if filtered {
			h.Flags |= netlink.DumpFiltered
		}
		out = append(out, netlink.Message{Header: h, Data: k.linkMsg(l)})
	}
	return out, nil
}

// ifinfo reads a struct ifinfomsg's index and the attributes after it.
func ifinfo(b []byte) (int, []attr, error) {
	as, err := attrs(b, sizeofIfInfomsg)
	if err != nil {
		return 0, nil, malformed(err)
	}
	return int(int32(binary.NativeEndian.Uint32(b[4:]))), as, nil
}

// checkNames refuses the names and alias the kernel's policy refuses.
func checkNames(as []attr) error {
	for _, a := range as {
		switch {
		case a.typ == iflaIfname && (len(a.str()) >= ifNameSize || len(a.data) > ifNameSize):
			return errPolicy(a.off)
		case a.typ == iflaIfAlias && len(a.data) >= ifAliasSize:
			return errPolicy(a.off)
		}
	}
	return nil
}

// setLinkMsg answers RTM_SETLINK.
func (k *Kernel) setLinkMsg(req netlink.Message) error {
	index, as, err := ifinfo(req.Data)
	if err != nil {
		return err
	}
	if err := checkNames(as); err != nil {
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
	if req.Data[0] == afBridge {
		return k.bridgeSetLink(l, as)
	}
	return k.setLink(l, req.Data, as)
}

// setLink changes l as the ifinfomsg in b and its attributes as say, then
// notifies the change.
func (k *Kernel) setLink(l *link, b []byte, as []attr) error {
	for _, a := range as {
		switch a.typ {
		case iflaNetNSFD, iflaNetNSPID:
			return fail(syscall.EOPNOTSUPP, "rtnltest: other namespaces are not modelled")
		case iflaIfname:
			name := a.str()
			if name == l.Name {
				continue
			}
			if k.linkByName(name) != nil {
				return syscall.EEXIST
			}
			if name == "" || strings.ContainsAny(name, "/: \t\n%") || name == "." || name == ".." {
				return syscall.EINVAL
			}
			l.Name = name
		case iflaMTU:
			mtu, err := a.u32()
			if err != nil {
				return err
			}
			if err := checkMTU(&link{Link: l.Link}, mtu); err != nil {
				return err
			}
			l.MTU = mtu
			for _, o := range k.links { // the macvlans on it follow it down
				if o.Kind == "macvlan" && o.ParentIndex == l.Index && o.MTU > mtu {
					o.MTU = mtu
					k.notify(grpLink, rtmNewLink, k.linkMsg(o), false)
				}
			}
		case iflaAddress:
			if len(a.data) != 6 || l.Flags&iffLoopback != 0 {
				return syscall.EINVAL
			}
			l.HardwareAddr = append(net.HardwareAddr(nil), a.data...)
		case iflaMaster:
			m, err := a.u32()
			if err != nil {
				return err
			}
			if int(m) == l.MasterIndex {
				continue
			}
			// The kernel releases the link from its master first, and
			// keeps it released when the new master is refused.
			if l.MasterIndex != 0 {
				l.MasterIndex, l.port = 0, nil
				k.notify(grpLink, rtmNewLink, k.linkMsg(l), false)
			}
			if m != 0 {
				if err := k.checkMaster(l, int(m)); err != nil {
					return err
				}
			}
			l.MasterIndex = int(m)
			k.enslaved(l)
		case iflaIfAlias:
			l.Alias = a.str()
		case iflaVFInfoList:
			// No link of the fake has virtual functions: the
			// kernel's answer to a setting of one on such a device.
			if len(a.data) > 0 {
				return syscall.EOPNOTSUPP
			}
		case iflaTxQLen:
			q, err := a.u32()
			if err != nil {
				return err
			}
			l.TxQueueLen = q
		default:
			if _, err := k.setExtra(l, a); err != nil {
				return err
			}
		}
	}
	flags := binary.NativeEndian.Uint32(b[8:])
	change := binary.NativeEndian.Uint32(b[12:])
	if change == 0 && flags != 0 {
		change = ^uint32(0)
	}
	wasUp := l.up()
	change &= userFlags
	l.Flags = l.Flags&^rtnetlink.LinkFlags(change) | rtnetlink.LinkFlags(flags&change)
	k.notify(grpLink, rtmNewLink, k.linkMsg(l), true)
	switch {
	case !wasUp && l.up():
		k.linkUp(l)
	case wasUp && !l.up():
		k.linkDown(l)
	}
	return nil
}

// linkUp adds what a link going up gets: lo its addresses, every link the
// routes of its addresses.
func (k *Kernel) linkUp(l *link) {
	if l.Flags&iffLoopback != 0 && !k.hasAddr(l.Index) {
		k.addAddr(rtnetlink.Address{Index: l.Index, Prefix: netip.MustParsePrefix("127.0.0.1/8"), Scope: rtnetlink.ScopeHost}, false)
		k.addAddr(rtnetlink.Address{Index: l.Index, Prefix: netip.MustParsePrefix("::1/128"), Scope: rtnetlink.ScopeHost, Protocol: 1}, false)
		return
	}
	for _, a := range k.addrs {
		if a.Index == l.Index {
			k.addrRoutes(a, true)
		}
	}
}

// linkDown removes the routes through l but the local IPv4 ones and its
// neighbour entries, without notifications, and its IPv6 addresses, as the
// kernel does (with keep_addr_on_down off).
func (k *Kernel) linkDown(l *link) {
	k.dropRoutes(func(r *rtnetlink.Route) bool {
		return (r.Type != rtnetlink.RouteLocal || r.Dst.Addr().Is6()) && usesLink(r, l.Index)
	})
	for i := len(k.addrs) - 1; i >= 0; i-- {
		if a := k.addrs[i]; a.Index == l.Index && a.Prefix.Addr().Is6() {
			k.delAddr(i, false)
		}
	}
	k.flushNeighs(l.Index)
}

// flushNeighs removes the neighbour entries of link index, notifying
// those that are not proxy entries.
func (k *Kernel) flushNeighs(index int) {
	k.neighs = slices.DeleteFunc(k.neighs, func(n rtnetlink.Neighbor) bool {
		if n.Index != index {
			return false
		}
		if n.Flags&ntfProxy == 0 {
			k.notify(grpNeigh, rtmDelNeigh, neighMsg(&n), false)
		}
		return true
	})
}

// delLinkMsg answers RTM_DELLINK, by index or by name.
func (k *Kernel) delLinkMsg(req netlink.Message) error {
	index, as, err := ifinfo(req.Data)
	if err != nil {
		return err
	}
	var l *link
	if index != 0 {
		l = k.linkByIndex(index)
	} else if a := find(as, iflaIfname); a != nil {
		l = k.linkByName(a.str())
	} else {
		return syscall.EINVAL
	}
	if l == nil {
		return syscall.ENODEV
	}
	return k.delLink(l, true)
}

// delLink deletes l and what goes with it: a veth's peer, the macvlans on
// it, its addresses, neighbours and routes; a bridge's ports are released.
func (k *Kernel) delLink(l *link, main bool) error {
	if l.Kind == "" {
		return syscall.EOPNOTSUPP // lo: no rtnl_link_ops, no dellink
	}
	gone := []*link{l}
	if l.Kind == "veth" {
		if p := k.linkByIndex(l.ParentIndex); p != nil {
			gone = append(gone, p)
		}
	}
	for _, g := range gone {
		for _, o := range append([]*link(nil), k.links...) {
			if o.Kind == "macvlan" && o.ParentIndex == g.Index {
				k.delLink(o, false)
			}
			if o.MasterIndex == g.Index {
				o.MasterIndex, o.port = 0, nil
				k.notify(grpLink, rtmNewLink, k.linkMsg(o), false)
			}
		}
	}
	for i, g := range gone {
		if g.up() {
			k.linkDown(g)
		}
		for {
			j := slices.IndexFunc(k.addrs, func(a rtnetlink.Address) bool { return a.Index == g.Index })
			if j < 0 {
				break
			}
			k.delAddr(j, false)
		}
		k.dropRoutes(func(r *rtnetlink.Route) bool { return usesLink(r, g.Index) })
		k.flushNeighs(g.Index)
		g.Flags &^= iffUp
		k.notify(grpLink, rtmDelLink, k.linkMsg(g), main && i == 0)
		k.unregister(g)
	}
	return nil
}

// Links returns the links of the namespace in index order, as a Conn
// lists them.
func (k *Kernel) Links() []rtnetlink.Link {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]rtnetlink.Link, len(k.links))
	for i, l := range k.links {
		out[i] = k.view(l)
	}
	return out
}

// LinkByName returns the link called name, as a Conn reads it, and
// whether there is one.
func (k *Kernel) LinkByName(name string) (rtnetlink.Link, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if l := k.linkByName(name); l != nil {
		return k.view(l), true
	}
	return rtnetlink.Link{}, false
}
