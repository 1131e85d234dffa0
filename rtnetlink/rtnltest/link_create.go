package rtnltest

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
)

// newLinkMsg answers RTM_NEWLINK: a new link with NLM_F_CREATE, or a
// change of an existing one without NLM_F_EXCL.
func (k *Kernel) newLinkMsg(req netlink.Message) error {
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
	flags := req.Header.Flags
	if l != nil {
		if flags&netlink.Excl != 0 {
			return syscall.EEXIST
		}
		return k.setLink(l, req.Data, as)
	}
	if flags&netlink.Create == 0 {
		return syscall.ENODEV
	}
	nl, err := rtnetlink.ParseLink(netlink.Message{Header: netlink.Header{Type: rtmNewLink}, Data: req.Data})
	if err != nil {
		return malformed(err)
	}
	nl.Flags &= userFlags
	var peer string
	if info := find(as, iflaLinkInfo); info != nil {
		in, err := attrs(info.data, 0)
		if err != nil {
			return malformed(err)
		}
		if kd := find(in, iflaInfoKind); kd != nil && kd.str() == "veth" {
			if d := find(in, iflaInfoData); d != nil {
				if peer, err = vethPeer(d.data); err != nil {
					return err
				}
			}
		}
		if kd := find(in, iflaInfoKind); kd != nil && kd.str() == "vxlan" {
			if d := find(in, iflaInfoData); d != nil {
				if err := checkVxlan(d, info.off+4+d.off+4); err != nil {
					return err
				}
			}
		}
	}
	for _, a := range as {
		if a.typ == iflaNetNSFD || a.typ == iflaNetNSPID {
			return fail(syscall.EOPNOTSUPP, "rtnltest: other namespaces are not modelled")
		}
	}
	_, err = k.newLink(nl, peer)
	return err
}

// vethPeer reads the peer's name from VETH_INFO_PEER in IFLA_INFO_DATA.
func vethPeer(b []byte) (string, error) {
	as, err := attrs(b, 0)
	if err != nil {
		return "", malformed(err)
	}
	p := find(as, vethInfoPeer)
	if p == nil {
		return "", nil
	}
	_, in, err := ifinfo(p.data)
	if err != nil {
		return "", err
	}
	for _, a := range in {
		if a.typ == iflaNetNSFD || a.typ == iflaNetNSPID {
			return "", fail(syscall.EOPNOTSUPP, "rtnltest: other namespaces are not modelled")
		}
	}
	if n := find(in, iflaIfname); n != nil {
		return n.str(), nil
	}
	return "", nil
}

// checkVxlan refuses a VNI of 24 bits or more, at its offset, as the
// kernel does.
func checkVxlan(data *attr, base int) error {
	as, err := attrs(data.data, 0)
	if err != nil {
		return malformed(err)
	}
	if id := find(as, iflaVxlanID); id != nil {
		v, err := id.u32()
		if err != nil {
			return err
		}
		if v >= 1<<24 {
			return failAt(syscall.ERANGE, "VXLAN ID must be lower than 16777216", base+id.off)
		}
	}
	return nil
}

// newLink creates l (and, for a veth, its peer), as the kernel does, and
// queues the notifications. peer is the veth peer's name, "" for the
// kernel's choice.
func (k *Kernel) newLink(l rtnetlink.Link, peer string) (*link, error) {
	if l.Data != nil {
		l.Kind = l.Data.Kind()
	}
	if len(l.HardwareAddr) != 0 && len(l.HardwareAddr) != 6 || len(l.Broadcast) != 0 && len(l.Broadcast) != 6 {
		return nil, syscall.EINVAL
	}
	switch l.Kind {
	case "veth", "bridge", "macvlan", "vxlan", "ifb", "dummy":
	case "tun":
		return nil, fail(syscall.EOPNOTSUPP, "tun/tap creation via rtnetlink is not supported.")
	default:
		return nil, fail(syscall.EOPNOTSUPP, "Unknown device type")
	}
	n := &link{Link: rtnetlink.Link{
		Index: l.Index, Name: l.Name, Kind: l.Kind, HardwareType: arphrdEther,
		Flags: iffBroadcast | iffMulticast, MTU: 1500, MinMTU: 68, MaxMTU: 65535,
		TxQueueLen: 1000, LinkNetNSID: -1, HardwareAddr: l.HardwareAddr,
		Broadcast: net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, Data: l.Data,
		GSOMaxSize: defaultLimit, GSOMaxSegs: defaultSegs, GROMaxSize: defaultLimit,
		GSOIPv4MaxSize: defaultLimit, GROIPv4MaxSize: defaultLimit,
	}}
	switch l.Kind {
	case "veth":
		n.Data = nil // the kernel reports no veth data
	case "bridge":
		b := &rtnetlink.Bridge{}
		if d, ok := l.Data.(*rtnetlink.Bridge); ok {
			*b = *d
			b.Other = "" // options without a field are not modelled
		}
		def := func(d *time.Duration, v time.Duration) {
			if *d == 0 {
				*d = v
			}
		}
		def(&b.ForwardDelay, 15*time.Second)
		def(&b.HelloTime, 2*time.Second)
		def(&b.MaxAge, 20*time.Second)
		def(&b.AgeingTime, 300*time.Second)
		if b.Priority == 0 {
			b.Priority = 32768
		}
		n.Data = b
	case "ifb", "dummy":
		n.Flags = iffBroadcast | iffNoARP
		n.TxQueueLen, n.MinMTU, n.MaxMTU = 32, 0, 0
		if l.Kind == "dummy" {
			n.TxQueueLen = 1000
		}
	case "macvlan":
		lower := k.linkByIndex(l.ParentIndex)
		if l.ParentIndex == 0 {
			return nil, syscall.EINVAL
		}
		if lower == nil {
			return nil, syscall.ENODEV
		}
		m := &rtnetlink.Macvlan{Mode: rtnetlink.MacvlanVEPA}
		if d, ok := l.Data.(*rtnetlink.Macvlan); ok && d.Mode != 0 {
			m.Mode = d.Mode
		}
		n.Data, n.ParentIndex, n.MTU, n.MaxMTU = m, lower.Index, lower.MTU, lower.MaxMTU
	case "vxlan":
		v := &rtnetlink.Vxlan{}
		if d, ok := l.Data.(*rtnetlink.Vxlan); ok {
			*v = *d
			v.Other = "" // options without a field are not modelled
		}
		if v.Port == 0 {
			v.Port = 8472
		}
		for _, o := range k.links {
			if d, ok := o.Data.(*rtnetlink.Vxlan); ok && d.ID == v.ID && d.Port == v.Port {
				return nil, fail(syscall.EEXIST, "A VXLAN device with the specified VNI already exists")
			}
		}
		if v.DevIndex != 0 && k.linkByIndex(v.DevIndex) == nil {
			return nil, syscall.ENODEV
		}
		n.Data = v
	}
	// A veth's peer gets the kind's defaults, not the link's settings.
	peerLink := n.Link
	if l.MTU != 0 {
		if err := checkMTU(n, l.MTU); err != nil {
			return nil, err
		}
		n.MTU = l.MTU
	}
	if l.TxQueueLen != 0 {
		n.TxQueueLen = l.TxQueueLen
	}
	n.Group, n.Other = l.Group, createAttrs(l.Other)
	if l.GSOMaxSegs != 0 {
		n.GSOMaxSegs = l.GSOMaxSegs
	}
	for _, lim := range []struct {
		typ uint16
		v   uint32
	}{
		{iflaGSOMaxSize, l.GSOMaxSize}, {iflaGROMaxSize, l.GROMaxSize},
		{iflaGSOIPv4MaxSize, l.GSOIPv4MaxSize}, {iflaGROIPv4MaxSize, l.GROIPv4MaxSize},
	} {
		if lim.v != 0 {
			setLimit(&n.Link, lim.typ, lim.v)
		}
	}
	if len(l.Broadcast) > 0 {
		n.Broadcast = l.Broadcast
	}
	if l.MasterIndex != 0 {
		if err := k.checkMaster(n, l.MasterIndex); err != nil {
			return nil, err
		}
	}
	var p *link
	if l.Kind == "veth" {
		if peer == "" {
			peer = "veth%d"
		}
		p = &link{Link: peerLink}
		p.Index, p.Name, p.HardwareAddr = 0, peer, nil
		if err := k.register(p); err != nil {
			return nil, err
		}
	}
	if err := k.register(n); err != nil {
		if p != nil {
			k.unregister(p)
			k.notes = nil
		}
		return nil, err
	}
	if p != nil {
		p.ParentIndex, n.ParentIndex = n.Index, p.Index
		k.notify(grpLink, rtmNewLink, k.linkMsg(p), false)
	}
	n.MasterIndex = l.MasterIndex
	k.enslaved(n)
	// CreateLink sends the flags as their own change mask: those set are
	// turned on.
	n.Flags |= l.Flags & userFlags
	k.notify(grpLink, rtmNewLink, k.linkMsg(n), true)
	if n.up() {
		k.linkUp(n)
	}
	return n, nil
}

// register gives l its name (filling in a template) and index and adds it.
func (k *Kernel) register(l *link) error {
	if strings.Contains(l.Name, "%") {
		i := strings.Index(l.Name, "%d")
		if i < 0 || strings.Contains(l.Name[i+2:], "%") {
			return syscall.EINVAL
		}
		for n := 0; ; n++ {
			name := l.Name[:i] + strconv.Itoa(n) + l.Name[i+2:]
			if len(name) >= ifNameSize {
				return syscall.ENFILE
			}
			if k.linkByName(name) == nil {
				l.Name = name
				break
			}
		}
	}
	if l.Name == "" {
		l.Name = l.Kind + "%d"
		return k.register(l)
	}
	if k.linkByName(l.Name) != nil {
		return syscall.EEXIST
	}
	if l.Index != 0 {
		if k.linkByIndex(l.Index) != nil {
			return syscall.EBUSY
		}
	} else {
		for k.linkByIndex(k.next) != nil {
			k.next++
		}
		l.Index = k.next
		k.next++
	}
	if len(l.HardwareAddr) == 0 {
		k.macs++
		l.HardwareAddr = net.HardwareAddr{0x02, 0x4e, 0x4c, byte(k.macs >> 16), byte(k.macs >> 8), byte(k.macs)}
	}
	i := 0
	for i < len(k.links) && k.links[i].Index < l.Index {
		i++
	}
	k.links = append(k.links[:i], append([]*link{l}, k.links[i:]...)...)
	return nil
}

// unregister removes l from the list of links.
func (k *Kernel) unregister(l *link) {
	for i, o := range k.links {
		if o == l {
			k.links = append(k.links[:i], k.links[i+1:]...)
			return
		}
	}
}

// checkMTU refuses an MTU outside l's bounds, with the kernel's words.
func checkMTU(l *link, mtu uint32) error {
	switch {
	case mtu < l.MinMTU:
		return fail(syscall.EINVAL, "mtu less than device minimum")
	case l.MaxMTU != 0 && mtu > l.MaxMTU:
		return fail(syscall.EINVAL, "mtu greater than device maximum")
	}
	return nil
}

// checkMaster refuses to make l a port of the link master, unless it is a
// bridge that can take it.
func (k *Kernel) checkMaster(l *link, master int) error {
	m := k.linkByIndex(master)
	switch {
	case m == nil:
		return syscall.EINVAL
	case m.Kind != "bridge":
		return syscall.EOPNOTSUPP
	case m == l:
		return syscall.ELOOP
	case l.Kind == "bridge":
		return fail(syscall.ELOOP, "Can not enslave a bridge to a bridge")
	case l.Flags&iffLoopback != 0:
		return fail(syscall.EINVAL, "Can not enslave loopback device")
	}
	m.hadPorts = true
	return nil
}

// AddLink creates the link l describes, as rtnetlink.Conn.CreateLink
// does (Kind or Data, Name, Index, Flags, MTU, HardwareAddr, Broadcast,
// TxQueueLen, MasterIndex, ParentIndex; a *rtnetlink.Veth's PeerName), and
// returns it as the kernel made it. It fails as CreateLink would, with an
// error wrapping the kernel's errno.
func (k *Kernel) AddLink(l rtnetlink.Link) (rtnetlink.Link, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	defer k.flush()
	if l.Name != "" && (len(l.Name) >= ifNameSize || strings.ContainsAny(l.Name, "/: \t\n")) {
		return rtnetlink.Link{}, fmt.Errorf("rtnltest: add link %q: %w", l.Name, syscall.EINVAL)
	}
	peer := ""
	if v, ok := l.Data.(*rtnetlink.Veth); ok {
		peer = v.PeerName
		l.Data = nil
		l.Kind = "veth"
	}
	n, err := k.newLink(l, peer)
	if err != nil {
		k.notes = nil
		return rtnetlink.Link{}, seedError(fmt.Sprintf("add link %q", l.Name), err)
	}
	if l.Alias != "" {
		n.Alias = l.Alias
	}
	return k.view(n), nil
}
