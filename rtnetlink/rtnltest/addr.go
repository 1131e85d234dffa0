package rtnltest

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
)

// addrMsg encodes a as the kernel's RTM_NEWADDR payload.
func addrMsg(a *rtnetlink.Address) []byte {
	ip := a.Prefix.Addr()
	b := make([]byte, sizeofIfAddrmsg, 128)
	b[0] = familyOf(ip)
	b[1] = uint8(a.Prefix.Bits())
	b[2] = uint8(a.Flags)
	b[3] = uint8(a.Scope)
	binary.NativeEndian.PutUint32(b[4:], uint32(a.Index))
	e := netlink.NewAttrEncoder(b)
	if a.Peer.IsValid() {
		e.Addr(ifaAddress, a.Peer)
	} else {
		e.Addr(ifaAddress, ip)
	}
	if ip.Is4() {
		e.Addr(ifaLocal, ip)
		if a.Broadcast.IsValid() {
			e.Addr(ifaBroadcast, a.Broadcast)
		}
		e.String(ifaLabel, a.Label)
	}
	var ci [16]byte
	binary.NativeEndian.PutUint32(ci[0:], a.PreferredLifetime)
	binary.NativeEndian.PutUint32(ci[4:], a.ValidLifetime)
	e.Bytes(ifaCacheInfo, ci[:])
	e.Uint32(ifaFlags, uint32(a.Flags))
	if a.Metric != 0 {
		e.Uint32(ifaRtPriority, a.Metric)
	}
	if a.Protocol != 0 {
		e.Uint8(ifaProto, a.Protocol)
	}
	out, _ := e.Finish()
	return out
}

// hasAddr says whether the link index has an address.
func (k *Kernel) hasAddr(index int) bool {
	for _, a := range k.addrs {
		if a.Index == index {
			return true
		}
	}
	return false
}

// findAddr returns the position of the address of link index with the
// prefix p (and peer), or -1.
func (k *Kernel) findAddr(index int, p netip.Prefix, peer netip.Addr) int {
	for i, a := range k.addrs {
		if a.Index == index && a.Prefix == p && (!peer.IsValid() || a.Peer == peer) {
			return i
		}
	}
	return -1
}

// dumpAddrs answers the RTM_GETADDR dump, by family and link.
func (k *Kernel) dumpAddrs(req netlink.Message) ([]netlink.Message, error) {
	var fam uint8
	index := 0
	if len(req.Data) > 0 {
		fam = req.Data[0]
	}
	if len(req.Data) >= sizeofIfAddrmsg {
		index = int(binary.NativeEndian.Uint32(req.Data[4:]))
		if index != 0 && k.linkByIndex(index) == nil {
			return nil, syscall.ENODEV
		}
	}
	var out []netlink.Message
	for _, a := range k.sortedAddrs() {
		if (fam == afUnspec || familyOf(a.Prefix.Addr()) == fam) && (index == 0 || a.Index == index) {
			h := netlink.Header{Type: rtmNewAddr}
			if index != 0 {
				h.Flags |= netlink.DumpFiltered
			}
			out = append(out, netlink.Message{Header: h, Data: addrMsg(&a)})
		}
	}
	return out, nil
}

// addrRequest answers RTM_NEWADDR and RTM_DELADDR.
func (k *Kernel) addrRequest(req netlink.Message) error {
	if len(req.Data) < sizeofIfAddrmsg {
		return syscall.EINVAL
	}
	fam, bits := req.Data[0], int(req.Data[1])
	v := "ipv4: "
	switch fam {
	case afInet:
		if bits > 32 {
			return fail(syscall.EINVAL, "ipv4: Invalid prefix length")
		}
	case afInet6:
		v = "ipv6: "
		if bits > 128 {
			return syscall.EINVAL
		}
	default:
		return syscall.EOPNOTSUPP
	}
	as, err := attrs(req.Data, sizeofIfAddrmsg)
	if err != nil {
		return malformed(err)
	}
	if fam == afInet && find(as, ifaLocal) == nil {
		return fail(syscall.EINVAL, "ipv4: Local address is not supplied")
	}
	a, err := rtnetlink.ParseAddress(netlink.Message{Header: netlink.Header{Type: req.Header.Type}, Data: req.Data})
	if err != nil {
		return malformed(err)
	}
	if k.linkByIndex(a.Index) == nil {
		if fam == afInet {
			return fail(syscall.ENODEV, "ipv4: Device not found")
		}
		return syscall.ENODEV
	}
	i := k.findAddr(a.Index, a.Prefix, a.Peer)
	if req.Header.Type == rtmDelAddr {
		if i < 0 {
			if fam == afInet {
				return fail(syscall.EADDRNOTAVAIL, "ipv4: Address not found")
			}
			return fail(syscall.EADDRNOTAVAIL, "ipv6: address not found")
		}
		k.delAddr(i, true)
		return nil
	}
	if find(as, ifaCacheInfo) == nil {
		a.ValidLifetime, a.PreferredLifetime = rtnetlink.Forever, rtnetlink.Forever
	}
	if a.ValidLifetime == 0 || a.PreferredLifetime > a.ValidLifetime {
		return fail(syscall.EINVAL, v+"address lifetime invalid")
	}
	if i >= 0 {
		if req.Header.Flags&netlink.Excl != 0 || req.Header.Flags&netlink.Replace == 0 {
			if fam == afInet {
				return fail(syscall.EEXIST, "ipv4: Address already assigned")
			}
			return fail(syscall.EEXIST, "ipv6: address already assigned")
		}
		old := k.addrs[i]
		a.Flags |= old.Flags & rtnetlink.AddrSecondary
		a = k.complete(a)
		k.addrs[i] = a
		if l := k.linkByIndex(a.Index); a.Metric != old.Metric && fam == afInet && l.up() && a.Flags&rtnetlink.AddrSecondary == 0 {
			// The prefix route takes the new metric: the new route
			// first, then the old one goes, then the address changes.
			k.addRoute(prefixRoute(l, a))
			gone := route{Route: prefixRoute(l, old)}
			k.dropRoutes(func(r *rtnetlink.Route) bool { return sameKey(r, &gone.Route) && r.Index == gone.Index })
			k.notify(grpIPv4Route, rtmDelRoute, routeMsg(&gone), false)
		}
		k.notify(groupOf(fam, grpIPv4Addr, grpIPv6Addr), rtmNewAddr, addrMsg(&a), true)
		return nil
	}
	if req.Header.Flags&netlink.Create == 0 {
		return syscall.ENOENT
	}
	k.addAddr(a, true)
	return nil
}

// complete fills in what the kernel sets in an address added: the label,
// the permanent flag, the scope of an IPv6 address.
func (k *Kernel) complete(a rtnetlink.Address) rtnetlink.Address {
	if a.ValidLifetime == 0 && a.PreferredLifetime == 0 {
		a.ValidLifetime, a.PreferredLifetime = rtnetlink.Forever, rtnetlink.Forever
	}
	if a.ValidLifetime == rtnetlink.Forever {
		a.Flags |= ifaFPermanent
	}
	ip := a.Prefix.Addr()
	if ip.Is4() && a.Label == "" {
		a.Label = k.linkByIndex(a.Index).Name
	}
	if ip.Is6() {
		switch {
		case ip.IsLoopback():
			a.Scope = rtnetlink.ScopeHost
		case ip.IsLinkLocalUnicast():
			a.Scope = rtnetlink.ScopeLink
		default:
			a.Scope = rtnetlink.ScopeUniverse
		}
	}
	return a
}

// addAddr adds a (to a link that exists), with its routes, and queues the
// notifications; main marks the address as the request's change.
func (k *Kernel) addAddr(a rtnetlink.Address, main bool) {
	a = k.complete(a)
	if a.Prefix.Addr().Is4() {
		for _, o := range k.addrs {
			if o.Index == a.Index && o.Prefix.Addr().Is4() && o.Prefix.Bits() == a.Prefix.Bits() &&
				o.Prefix.Masked() == a.Prefix.Masked() && o.Flags&rtnetlink.AddrSecondary == 0 {
				a.Flags |= rtnetlink.AddrSecondary
				break
			}
		}
	}
	k.addrs = append(k.addrs, a)
	k.notify(groupOf(familyOf(a.Prefix.Addr()), grpIPv4Addr, grpIPv6Addr), rtmNewAddr, addrMsg(&a), main)
	k.addrRoutes(a, false)
}

// addrRoutes adds the routes of address a: for IPv4 the local route (but
// when up is true: the link just went up and has it), and while the link
// is up the prefix and broadcast routes; for IPv6 the local and prefix
// routes, while the link is up.
func (k *Kernel) addrRoutes(a rtnetlink.Address, up bool) {
	l := k.linkByIndex(a.Index)
	ip := a.Prefix.Addr()
	host := netip.PrefixFrom(ip, ip.BitLen())
	if ip.Is6() {
		if !l.up() {
			return
		}
		k.addRoute(rtnetlink.Route{Dst: host, Index: a.Index, Table: rtTableLocal, Type: rtnetlink.RouteLocal,
			Protocol: rtprotKernel, Scope: rtnetlink.ScopeUniverse})
		if !host.Addr().IsLoopback() && a.Flags&ifaFNoPrefixRoute == 0 {
			k.addRoute(rtnetlink.Route{Dst: a.Prefix.Masked(), Index: a.Index, Table: rtTableMain, Type: rtnetlink.RouteUnicast,
				Protocol: rtprotKernel, Priority: 256})
		}
		return
	}
	if !up {
		src := ip // a secondary's local route has its primary's address as source
		for _, o := range k.addrs {
			if a.Flags&rtnetlink.AddrSecondary != 0 && o.Index == a.Index && o.Flags&rtnetlink.AddrSecondary == 0 &&
				o.Prefix.Addr().Is4() && o.Prefix.Masked() == a.Prefix.Masked() {
				src = o.Prefix.Addr()
			}
		}
		k.addRoute(rtnetlink.Route{Dst: host, Index: a.Index, Table: rtTableLocal, Type: rtnetlink.RouteLocal,
			Protocol: rtprotKernel, Scope: rtnetlink.ScopeHost, PrefSrc: src})
	}
	if !l.up() || a.Flags&rtnetlink.AddrSecondary != 0 {
		return
	}
	p := a.Prefix.Masked()
	if p.Bits() < 32 && a.Flags&ifaFNoPrefixRoute == 0 {
		k.addRoute(prefixRoute(l, a))
	}
	if p.Bits() <= 30 {
		last := p.Addr().As4()
		for i := p.Bits(); i < 32; i++ {
			last[i/8] |= 0x80 >> (i % 8)
		}
		k.addRoute(rtnetlink.Route{Dst: netip.PrefixFrom(netip.AddrFrom4(last), 32), Index: a.Index, Table: rtTableLocal,
			Type: rtnetlink.RouteBroadcast, Protocol: rtprotKernel, Scope: rtnetlink.ScopeLink, PrefSrc: ip})
	}
}

// prefixRoute is the route to the subnet of IPv4 address a of link l.
func prefixRoute(l *link, a rtnetlink.Address) rtnetlink.Route {
	r := rtnetlink.Route{Dst: a.Prefix.Masked(), Index: a.Index, Table: rtTableMain, Type: rtnetlink.RouteUnicast,
		Protocol: rtprotKernel, Scope: rtnetlink.ScopeLink, PrefSrc: a.Prefix.Addr(), Priority: a.Metric}
	if l.Flags&iffLoopback != 0 {
		r.Table, r.Type, r.Scope = rtTableLocal, rtnetlink.RouteLocal, rtnetlink.ScopeHost
	}
	return r
}

// delAddr deletes the address at position i and its routes, notifying
// both, as the kernel does; an IPv4 primary's secondaries go first, as
// without promote_secondaries.
func (k *Kernel) delAddr(i int, main bool) {
	a := k.addrs[i]
	ip := a.Prefix.Addr()
	if ip.Is4() && a.Flags&rtnetlink.AddrSecondary == 0 {
		for {
			j := slices.IndexFunc(k.addrs, func(o rtnetlink.Address) bool {
				return o.Index == a.Index && o.Flags&rtnetlink.AddrSecondary != 0 && o.Prefix.Addr().Is4() && o.Prefix.Masked() == a.Prefix.Masked()
			})
			if j < 0 {
				break
			}
			k.delAddr(j, false)
		}
		i = slices.Index(k.addrs, a)
	}
	k.addrs = slices.Delete(k.addrs, i, i+1)
	k.notify(groupOf(familyOf(ip), grpIPv4Addr, grpIPv6Addr), rtmDelAddr, addrMsg(&a), main)
	// Its routes, in the kernel's order: prefix, broadcast, local.
	for _, mine := range []func(r *rtnetlink.Route) bool{
		func(r *rtnetlink.Route) bool {
			return r.Type != rtnetlink.RouteBroadcast && r.Dst == a.Prefix.Masked() && r.Dst.Bits() < ip.BitLen() && (r.PrefSrc == ip || ip.Is6())
		},
		func(r *rtnetlink.Route) bool { return r.Type == rtnetlink.RouteBroadcast && r.PrefSrc == ip },
		func(r *rtnetlink.Route) bool {
			return r.Type == rtnetlink.RouteLocal && r.Dst == netip.PrefixFrom(ip, ip.BitLen())
		},
	} {
		for j := 0; j < len(k.routes); j++ {
			r := k.routes[j]
			if r.Index == a.Index && r.Protocol == rtprotKernel && mine(&r.Route) {
				k.routes = slices.Delete(k.routes, j, j+1)
				k.notify(groupOf(familyOf(ip), grpIPv4Route, grpIPv6Route), rtmDelRoute, routeMsg(&r), false)
				j--
			}
		}
	}
}

// sortedAddrs returns the addresses in the order the kernel dumps them:
// IPv4 then IPv6, by link, primaries before secondaries.
func (k *Kernel) sortedAddrs() []rtnetlink.Address {
	var out []rtnetlink.Address
	for _, v4 := range []bool{true, false} {
		for _, l := range k.links {
			for _, second := range []bool{false, true} {
				for _, a := range k.addrs {
					if a.Prefix.Addr().Is4() == v4 && a.Index == l.Index && (a.Flags&rtnetlink.AddrSecondary != 0) == second {
						out = append(out, a)
					}
				}
			}
		}
	}
	return out
}

// Addresses returns the addresses of the namespace, as a Conn lists them.
func (k *Kernel) Addresses() []rtnetlink.Address {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.sortedAddrs()
}

// AddAddress adds a to its link, as rtnetlink.Conn.AddAddress does, with
// the routes the kernel adds for it. It fails as AddAddress would, with
// an error wrapping the kernel's errno.
func (k *Kernel) AddAddress(a rtnetlink.Address) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	defer k.flush()
	switch {
	case !a.Prefix.IsValid() || a.Prefix.Addr().Zone() != "" || a.Prefix.Addr().Is4In6():
		return seedError("add address", syscall.EINVAL)
	case k.linkByIndex(a.Index) == nil:
		return seedError("add address", syscall.ENODEV)
	case k.findAddr(a.Index, a.Prefix, a.Peer) >= 0:
		return seedError("add address", syscall.EEXIST)
	}
	k.addAddr(a, false)
	return nil
}
