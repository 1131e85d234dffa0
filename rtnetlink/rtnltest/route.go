package rtnltest

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"slices"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
)

// route is a route of the namespace, with its RTA_METRICS as they came,
// and the attributes the fake echoes without reading them (realms,
// encapsulations, those of newer kernels), of the route and of each path.
type route struct {
	rtnetlink.Route
	metrics  []byte
	extra    []byte
	hopExtra [][]byte
}

// echoed says whether the fake keeps an attribute of a route or a path as
// it came and reports it so: RTA_FLOW, RTA_ENCAP_TYPE, RTA_ENCAP and the
// attributes of newer kernels.
func echoed(typ uint16) bool {
	return typ == rtaFlow || typ == rtaEncapType || typ == rtaEncap || typ > rtaMaxKnown
}

// extraAttrs returns the attributes of b, from start, that echoed selects,
// as they came.
func extraAttrs(b []byte, start int) []byte {
	as, err := attrs(b, start)
	if err != nil {
		return nil
	}
	var out []byte
	for _, a := range as {
		if echoed(a.typ) {
			end := min(a.off+netlink.Align(4+len(a.data)), len(b))
			out = append(out, b[a.off:end]...)
			for len(out)%4 != 0 {
				out = append(out, 0)
			}
		}
	}
	return out
}

// hopExtras returns extraAttrs of each path in the payload of
// RTA_MULTIPATH.
func hopExtras(mp []byte) [][]byte {
	var out [][]byte
	for len(mp) >= sizeofRtNexthop {
		n := int(binary.NativeEndian.Uint16(mp))
		if n < sizeofRtNexthop || n > len(mp) {
			break
		}
		out = append(out, extraAttrs(mp[:n], sizeofRtNexthop))
		mp = mp[min(netlink.Align(n), len(mp)):]
	}
	return out
}

// routeMsg encodes r as the kernel's RTM_NEWROUTE payload.
func routeMsg(r *route) []byte {
	ip := r.Dst.Addr()
	v4 := ip.Is4()
	b := make([]byte, sizeofRtMsg, 128)
	b[0] = familyOf(ip)
	b[1] = uint8(r.Dst.Bits())
	if r.Src.IsValid() {
		b[2] = uint8(r.Src.Bits())
	}
	b[3] = r.TOS
	b[4] = 252 // RT_TABLE_COMPAT, for the ids a byte cannot hold
	if r.Table < 256 {
		b[4] = uint8(r.Table)
	}
	b[5], b[6], b[7] = uint8(r.Protocol), uint8(r.Scope), uint8(r.Type)
	binary.NativeEndian.PutUint32(b[8:], uint32(r.Flags))
	e := netlink.NewAttrEncoder(b)
	e.Uint32(rtaTable, r.Table)
	if r.Dst.Bits() > 0 {
		e.Addr(rtaDst, ip)
	}
	if r.Src.IsValid() && r.Src.Bits() > 0 {
		e.Addr(rtaSrc, r.Src.Addr())
	}
	if !v4 || r.Priority != 0 {
		e.Uint32(rtaPriority, r.Priority)
	}
	if !v4 {
		e.Uint8(rtaPref, r.Pref)
	}
	if r.PrefSrc.IsValid() {
		e.Addr(rtaPrefSrc, r.PrefSrc)
	}
	if len(r.metrics) > 0 {
		m := e.Nest(rtaMetrics)
		e.Raw(r.metrics)
		e.End(m)
	}
	if len(r.MultiPath) > 0 {
		mp := e.Nest(rtaMultipath)
		for i, h := range r.MultiPath {
			var nh [sizeofRtNexthop]byte
			hop := netlink.NewAttrEncoder(nh[:])
			if h.Gateway.IsValid() {
				hop.Addr(rtaGateway, h.Gateway)
			}
			if i < len(r.hopExtra) && len(r.hopExtra[i]) > 0 {
				hop.Raw(r.hopExtra[i])
			}
			hb, _ := hop.Finish()
			binary.NativeEndian.PutUint16(hb[0:], uint16(len(hb)))
			hb[2] = uint8(h.Flags)
			hb[3] = uint8(max(h.Weight, 1) - 1)
			binary.NativeEndian.PutUint32(hb[4:], uint32(h.Index))
			e.Raw(hb)
		}
		e.End(mp)
	} else {
		if r.Gateway.IsValid() {
			e.Addr(rtaGateway, r.Gateway)
		}
		if r.Index != 0 {
			e.Uint32(rtaOIF, uint32(r.Index))
		}
	}
	if len(r.extra) > 0 {
		e.Raw(r.extra)
	}
	out, _ := e.Finish()
	return out
}

// usesLink says whether r goes out of link index.
func usesLink(r *rtnetlink.Route, index int) bool {
	if r.Index == index {
		return true
	}
	for _, h := range r.MultiPath {
		if h.Index == index {
			return true
		}
	}
	return false
}

// dropRoutes removes the routes gone, without notifications, as the
// kernel flushes the routes of a link that goes down or away.
func (k *Kernel) dropRoutes(gone func(r *rtnetlink.Route) bool) {
	k.routes = slices.DeleteFunc(k.routes, func(r route) bool { return gone(&r.Route) })
}

// addRoute adds a route the kernel makes itself (for an address), and
// queues its notification; a route it has already is left.
func (k *Kernel) addRoute(r rtnetlink.Route) {
	for _, o := range k.routes {
		if sameKey(&o.Route, &r) && o.Index == r.Index {
			return
		}
	}
	k.routes = append(k.routes, route{Route: r})
	k.notify(groupOf(familyOf(r.Dst.Addr()), grpIPv4Route, grpIPv6Route), rtmNewRoute, routeMsg(&k.routes[len(k.routes)-1]), false)
}

// sameKey says whether a and b are the same route to the kernel's FIB: the
// same family, table, destination, TOS and priority (IPv4) or source and
// metric (IPv6).
func sameKey(a, b *rtnetlink.Route) bool {
	return a.Dst == b.Dst && a.Table == b.Table && a.TOS == b.TOS && a.Priority == b.Priority && a.Src == b.Src
}

// tableExists says whether the family fam has table t: the kernel's
// tables exist from the start, the others once a route was put in them.
func (k *Kernel) tableExists(fam uint8, t uint32) bool {
	if t == rtTableMain || t == rtTableLocal {
		return true
	}
	for _, r := range k.routes {
		if r.Table == t && familyOf(r.Dst.Addr()) == fam {
			return true
		}
	}
	return false
}

// dumpRoutes answers the RTM_GETROUTE dump, filtered as the kernel
// filters under strict checking: by family, table, protocol, type and
// output link.
func (k *Kernel) dumpRoutes(req netlink.Message) ([]netlink.Message, error) {
	var fam uint8
	if len(req.Data) > 0 {
		fam = req.Data[0]
	}
	var table uint32
	var proto, typ uint8
	oif := 0
	if len(req.Data) >= sizeofRtMsg {
		table, proto, typ = uint32(req.Data[4]), req.Data[5], req.Data[7]
		as, err := attrs(req.Data, sizeofRtMsg)
		if err != nil {
			return nil, malformed(err)
		}
		for _, a := range as {
			v, err := a.u32()
			switch {
			case a.typ != rtaTable && a.typ != rtaOIF:
				return nil, fail(syscall.EINVAL, "Unsupported attribute in dump request")
			case err != nil:
				return nil, err
			case a.typ == rtaTable:
				table = v
			default:
				oif = int(v)
			}
		}
	}
	if oif != 0 && k.linkByIndex(oif) == nil {
		return nil, syscall.ENODEV
	}
	if fam == afInet && table != 0 && !k.tableExists(afInet, table) {
		return nil, fail(syscall.ENOENT, "ipv4: FIB table does not exist")
	}
	rs := slices.Clone(k.routes)
	slices.SortStableFunc(rs, func(a, b route) int {
		return cmp.Or(
			cmp.Compare(a.Dst.Addr().BitLen(), b.Dst.Addr().BitLen()), // IPv4 first
			cmp.Compare(a.Table&0xff, b.Table&0xff),
			a.Dst.Addr().Compare(b.Dst.Addr()),
			cmp.Compare(a.Dst.Bits(), b.Dst.Bits()),
			cmp.Compare(a.Priority, b.Priority))
	})
	filtered := table != 0 || proto != 0 || typ != 0 || oif != 0
	var out []netlink.Message
	for _, r := range rs {
		switch {
		case fam != afUnspec && familyOf(r.Dst.Addr()) != fam,
			table != 0 && r.Table != table,
			proto != 0 && uint8(r.Protocol) != proto,
			typ != 0 && uint8(r.Type) != typ,
			oif != 0 && !usesLink(&r.Route, oif):
			continue
		}
		h := netlink.Header{Type: rtmNewRoute}
		if filtered {
			h.Flags |= netlink.DumpFiltered
		}
		out = append(out, netlink.Message{Header: h, Data: routeMsg(&r)})
	}
	return out, nil
}

// routeRequest answers RTM_NEWROUTE and RTM_DELROUTE.
func (k *Kernel) routeRequest(req netlink.Message) error {
	if len(req.Data) < sizeofRtMsg {
		return syscall.EINVAL
	}
	fam := req.Data[0]
	if fam != afInet && fam != afInet6 {
		return syscall.EOPNOTSUPP
	}
	if fam == afInet && (req.Data[1] > 32 || req.Data[2] > 32) || req.Data[1] > 128 || req.Data[2] > 128 {
		return fail(syscall.EINVAL, "Invalid prefix length")
	}
	as, err := attrs(req.Data, sizeofRtMsg)
	if err != nil {
		return malformed(err)
	}
	pr, err := rtnetlink.ParseRoute(netlink.Message{Header: netlink.Header{Type: req.Header.Type}, Data: req.Data})
	if err != nil {
		return malformed(err)
	}
	r := route{Route: pr, extra: extraAttrs(req.Data, sizeofRtMsg)}
	if m := find(as, rtaMetrics); m != nil {
		r.metrics = m.data
	}
	if m := find(as, rtaMultipath); m != nil {
		r.hopExtra = hopExtras(m.data)
	}
	if r.Table == rtTableUnspec {
		r.Table = rtTableMain
	}
	if req.Header.Type == rtmDelRoute {
		return k.delRoute(fam, &r)
	}
	return k.newRoute(r, req.Header.Flags, true)
}

// newRoute adds r, checked as the kernel checks it, with NLM_F_CREATE,
// NLM_F_EXCL and NLM_F_REPLACE in flags read as the kernel reads them.
func (k *Kernel) newRoute(r route, flags netlink.HeaderFlags, main bool) error {
	v4 := r.Dst.Addr().Is4()
	if r.Dst != r.Dst.Masked() && v4 {
		return fail(syscall.EINVAL, "Invalid prefix for given prefix length")
	}
	if !v4 {
		r.Scope = rtnetlink.ScopeUniverse // IPv6 routes have no scope
		if r.Priority == 0 {
			r.Priority = 1024
		}
		if r.Protocol == 0 {
			r.Protocol = rtprotBoot // as ip6_route_info_create does
		}
	}
	if r.Type == rtnetlink.RouteUnspec {
		r.Type = rtnetlink.RouteUnicast
	}
	switch r.Type {
	case rtnetlink.RouteUnicast, rtnetlink.RouteLocal, rtnetlink.RouteBroadcast, rtnetlink.RouteAnycast, rtnetlink.RouteMulticast:
		if len(r.MultiPath) > 0 {
			r.MultiPath = slices.Clone(r.MultiPath)
			for i := range r.MultiPath {
				h := &r.MultiPath[i]
				if h.Weight == 0 {
					h.Weight = 1
				}
				var err error
				if h.Index, err = k.nexthop(v4, h.Gateway, h.Index, h.Flags); err != nil {
					return err
				}
			}
		} else {
			var err error
			if r.Index, err = k.nexthop(v4, r.Gateway, r.Index, r.Flags); err != nil {
				return err
			}
		}
	}
	for i, o := range k.routes {
		if !sameKey(&o.Route, &r.Route) {
			continue
		}
		switch {
		case flags&netlink.Replace != 0:
			k.routes[i] = r
			k.notify(groupOf(familyOf(r.Dst.Addr()), grpIPv4Route, grpIPv6Route), rtmNewRoute, routeMsg(&r), main)
			return nil
		case flags&netlink.Excl != 0 || !v4:
			return syscall.EEXIST
		case o.Gateway == r.Gateway && o.Index == r.Index && o.Type == r.Type && string(o.extra) == string(r.extra):
			return syscall.EEXIST
		}
	}
	if flags&netlink.Create == 0 {
		return syscall.ENOENT
	}
	k.routes = append(k.routes, r)
	k.notify(groupOf(familyOf(r.Dst.Addr()), grpIPv4Route, grpIPv6Route), rtmNewRoute, routeMsg(&r), main)
	return nil
}

// nexthop checks one next hop, a gateway and a link, and returns its link:
// the one given, or the one of the connected route that reaches the
// gateway.
func (k *Kernel) nexthop(v4 bool, gw netip.Addr, index int, flags rtnetlink.RouteFlags) (int, error) {
	var l *link
	if index != 0 {
		if l = k.linkByIndex(index); l == nil {
			return 0, syscall.ENODEV
		}
	}
	if !gw.IsValid() {
		if l == nil {
			return 0, syscall.ENODEV
		}
		if v4 && !l.up() {
			return 0, fail(syscall.ENETDOWN, "Device for nexthop is not up")
		}
		return index, nil
	}
	if l != nil && (flags&rtnetlink.NextHopOnLink != 0 || gw.IsLinkLocalUnicast()) {
		return index, nil
	}
	for _, r := range k.routes {
		if r.Gateway.IsValid() || len(r.MultiPath) > 0 || r.Type != rtnetlink.RouteUnicast || !r.Dst.Contains(gw) || index != 0 && r.Index != index {
			continue
		}
		return r.Index, nil
	}
	if v4 {
		return 0, fail(syscall.ENETUNREACH, "Nexthop has invalid gateway")
	}
	return 0, syscall.EHOSTUNREACH
}

// delRoute deletes the first route that matches r: the destination, table
// and TOS always, the other fields when set, and for IPv4 the realms and
// encapsulation as they came when a link or gateway is set too, as the
// kernel compares them (fib_nh_match).
func (k *Kernel) delRoute(fam uint8, req *route) error {
	r := &req.Route
	if !k.tableExists(fam, r.Table) {
		if fam == afInet {
			return fail(syscall.ESRCH, "FIB table does not exist")
		}
		return syscall.ESRCH
	}
	for i, o := range k.routes {
		switch {
		case o.Dst != r.Dst || o.Table != r.Table || o.TOS != r.TOS || o.Src != r.Src,
			r.Priority != 0 && o.Priority != r.Priority,
			r.Type != 0 && o.Type != r.Type,
			r.Protocol != 0 && o.Protocol != r.Protocol,
			fam == afInet && r.Scope != 255 && o.Scope != r.Scope, // RT_SCOPE_NOWHERE is any; 0 is universe alone
			r.Gateway.IsValid() && o.Gateway != r.Gateway,
			r.Index != 0 && !usesLink(&o.Route, r.Index),
			fam == afInet && (r.Index != 0 || r.Gateway.IsValid()) && len(req.extra) > 0 && string(o.extra) != string(req.extra):
			continue
		}
		k.routes = append(k.routes[:i], k.routes[i+1:]...)
		k.notify(groupOf(fam, grpIPv4Route, grpIPv6Route), rtmDelRoute, routeMsg(&o), true)
		return nil
	}
	return syscall.ESRCH
}

// Routes returns the routes of the namespace, in the order they were
// added (the kernel's own among them).
func (k *Kernel) Routes() []rtnetlink.Route {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]rtnetlink.Route, len(k.routes))
	for i, r := range k.routes {
		out[i] = r.Route
		out[i].HasProtocol, out[i].HasScope = true, true // as a listing has them
	}
	return out
}

// AddRoute adds r as rtnetlink.Conn.AddRoute does (Table 0 is the main
// table, Type 0 unicast, Protocol 0 boot unless HasProtocol is set, Scope
// 0 the scope ip would choose unless HasScope is set), checked as the
// kernel checks it. It fails as
// AddRoute would, with an error wrapping the kernel's errno. Metrics,
// Realms, Encap and Other are not kept: routes added through a Conn keep
// them.
func (k *Kernel) AddRoute(r rtnetlink.Route) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	defer k.flush()
	if !r.Dst.IsValid() {
		return seedError("add route", syscall.EINVAL)
	}
	if r.Table == 0 {
		r.Table = rtTableMain
	}
	if r.Protocol == 0 && !r.HasProtocol {
		r.Protocol = rtprotBoot
	}
	if r.Type == 0 {
		r.Type = rtnetlink.RouteUnicast
	}
	if r.Scope == rtnetlink.ScopeUniverse && !r.HasScope && r.Dst.Addr().Is4() { // the scope AddRoute sends
		switch {
		case r.Type == rtnetlink.RouteLocal:
			r.Scope = rtnetlink.ScopeHost
		case r.Type == rtnetlink.RouteBroadcast, r.Type == rtnetlink.RouteMulticast, r.Type == rtnetlink.RouteAnycast,
			r.Type == rtnetlink.RouteUnicast && !r.Gateway.IsValid() && len(r.MultiPath) == 0:
			r.Scope = rtnetlink.ScopeLink
		}
	}
	return seedError("add route "+r.Dst.String(), k.newRoute(route{Route: r}, netlink.Create|netlink.Excl, false))
}
