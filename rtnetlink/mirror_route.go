package rtnetlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// NewRouteMirror returns a Mirror of the IPv4 and IPv6 routes of the
// namespace cfg says (cfg may be nil), whose Snapshot returns the routes f
// selects; the zero RouteFilter selects every route of every table, as ip
// route show table all lists them. cfg's ReadBuffer sets the notification
// socket's receive buffer; its Groups are ignored. Cached routes
// (RouteCloned) are left out, and a route's Expires is that of its last
// notification.
//
// Besides the routes, the Mirror watches links, IPv4 addresses and
// nexthop objects, for the changes to routes the kernel does not announce
// (see Mirror).
func NewRouteMirror(cfg *netlink.Config, f RouteFilter) (*Mirror[Route], error) {
	if _, err := f.request(); err != nil {
		return nil, fmt.Errorf("rtnetlink: mirror routes: %w", err)
	}
	groups := []Group{GroupLink, GroupIPv4Addr, GroupNextHop}
	if f.Family != uapi.AF_INET6 {
		groups = append(groups, GroupIPv4Route)
	}
	if f.Family != uapi.AF_INET {
		groups = append(groups, GroupIPv6Route)
	}
	return newMirror(cfg, &mirrorKind[Route]{
		groups:   groups,
		newTable: func() mirrorTable[Route] { return newRouteTable(f) },
		list: func(ctx context.Context, c *Conn, t mirrorTable[Route]) error {
			rt := t.(*routeTable)
			// The links first: a link that goes down after this listing
			// and before the routes' is seen going down.
			err := listInto(c.Links(ctx, LinkFilter{}), func(l Link) { rt.links[l.Index] = l.Flags & linkRouteFlags })
			if err != nil {
				return err
			}
			// The mirror keeps every route of the family and table, and
			// filters by link, protocol and type as it hands them out:
			// a replace notification can only be applied knowing the
			// routes it may have replaced.
			return listInto(c.Routes(ctx, RouteFilter{Family: f.Family, Table: f.Table}), rt.listed)
		},
	})
}

// linkRouteFlags are the link flags whose change changes routes silently:
// IPv4 routes go when their link goes down, and routes through a link
// without carrier are flagged linkdown.
const linkRouteFlags = LinkUp | LinkLowerUp

// routeKey identifies a route: every field of it but those that change
// without a notification (Flags, Expires, Pref), the attributes it keeps
// raw included.
type routeKey struct {
	dst, src        netip.Prefix
	table, priority uint32
	tos             uint8
	typ             RouteType
	protocol        Protocol
	scope           Scope
	gateway         netip.Addr
	prefSrc         netip.Addr
	index, inIndex  int
	nextHopID       uint32
	metrics         Metrics
	realms          uint32
	extra           string // Encap and Other, encoded
	hops            string // MultiPath, encoded
}

// encapKey encodes enc and other for a key: two routes or paths that
// differ only by them are different routes.
func encapKey(b []byte, enc Encap, other RawAttrs) []byte {
	if enc != nil {
		var e netlink.AttrEncoder
		e.Reset(b)
		if putEncap(&e, enc) == nil {
			b, _ = e.Finish()
		}
	}
	return append(b, other...)
}

// routeGroup is what a route shares with those a replace may replace:
// the kernel replaces a route of the same table, destination, source, TOS
// and priority.
type routeGroup struct {
	dst, src        netip.Prefix
	table, priority uint32
	tos             uint8
}

func keyOfRoute(r *Route) routeKey {
	k := routeKey{
		dst: r.Dst, src: r.Src, table: r.Table, priority: r.Priority, tos: r.TOS,
		typ: r.Type, protocol: r.Protocol, scope: r.Scope, gateway: r.Gateway,
		prefSrc: r.PrefSrc, index: r.Index, inIndex: r.InIndex, nextHopID: r.NextHopID,
		metrics: r.Metrics, realms: r.Realms,
	}
	if r.Encap != nil || r.Other != "" {
		k.extra = string(encapKey(nil, r.Encap, r.Other))
	}
	if len(r.MultiPath) > 0 {
		var b []byte
		for _, h := range r.MultiPath {
			b = h.Gateway.AppendTo(b)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(h.Index), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(h.Weight), 10)
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64(h.Flags&(NextHopOnLink|NextHopPervasive)), 10)
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64(h.Realms), 10)
			b = append(b, ' ')
			b = strconv.AppendQuote(b, string(encapKey(nil, h.Encap, h.Other)))
			b = append(b, ';')
		}
		k.hops = string(b)
	}
	return k
}

func groupOfRoute(r *Route) routeGroup {
	return routeGroup{dst: r.Dst, src: r.Src, table: r.Table, priority: r.Priority, tos: r.TOS}
}

// ecmp6 reports whether an IPv6 route takes part in equal-cost multipath:
// the kernel merges such routes of one group into one multipath route.
// Routes learned from router advertisements and routes that expire do not.
func ecmp6(r *Route) bool {
	return r.Dst.Addr().Is6() && r.Protocol != ProtoRA && r.Expires == 0 &&
		(r.Gateway.IsValid() || len(r.MultiPath) > 0)
}

// routeTable is a copy of the routes of one family and table, or all.
type routeTable struct {
	f      RouteFilter
	routes map[routeKey]Route
	groups map[routeGroup][]routeKey
	links  map[int]LinkFlags  // the linkRouteFlags of each link
	leaves map[netip.Addr]int // the number of IPv4 routes to each destination address
	tables map[uint32]bool    // the tables the listing had routes of
	// replaced are the groups where a notification that came during the
	// listing replaced a route (see apply).
	replaced map[routeGroup]bool
	// published is set once the notifications that came during the
	// listing are applied.
	published bool
}

func (t *routeTable) publish() { t.published = true }

func newRouteTable(f RouteFilter) *routeTable {
	return &routeTable{
		f:      f,
		routes: make(map[routeKey]Route),
		groups: make(map[routeGroup][]routeKey),
		links:  make(map[int]LinkFlags),
		leaves: make(map[netip.Addr]int),
		tables: make(map[uint32]bool),

		replaced: make(map[routeGroup]bool),
	}
}

// listed adds r from the listing.
func (t *routeTable) listed(r Route) {
	t.tables[r.Table] = true
	t.add(r)
}

// add adds r, or updates it.
func (t *routeTable) add(r Route) {
	k := keyOfRoute(&r)
	if _, ok := t.routes[k]; !ok {
		g := groupOfRoute(&r)
		t.groups[g] = append(t.groups[g], k)
		if r.Dst.Addr().Is4() {
			t.leaves[r.Dst.Addr()]++
		}
	}
	t.routes[k] = r
}

// remove removes the route k of group g, and reports whether it was there.
func (t *routeTable) remove(g routeGroup, k routeKey) bool {
	if _, ok := t.routes[k]; !ok {
		return false
	}
	delete(t.routes, k)
	if a := k.dst.Addr(); a.Is4() {
		if t.leaves[a]--; t.leaves[a] == 0 {
			delete(t.leaves, a)
		}
	}
	keys := slices.DeleteFunc(t.groups[g], func(x routeKey) bool { return x == k })
	if len(keys) == 0 {
		delete(t.groups, g)
	} else {
		t.groups[g] = keys
	}
	return true
}

// has reports whether match is true of a route of the table.
func (t *routeTable) has(match func(r *Route) bool) bool {
	for _, r := range t.routes {
		if match(&r) {
			return true
		}
	}
	return false
}

func (t *routeTable) apply(m *netlink.Message) (applied, relist bool, err error) {
	switch m.Header.Type {
	case uapi.RTM_NEWLINK, uapi.RTM_DELLINK:
		if len(m.Data) < uapi.SizeofIfInfomsg || m.Data[0] != uapi.AF_UNSPEC {
			return false, false, nil
		}
		index := int(int32(binary.NativeEndian.Uint32(m.Data[4:])))
		flags := LinkFlags(binary.NativeEndian.Uint32(m.Data[8:])) & linkRouteFlags
		old, known := t.links[index]
		if m.Header.Type == uapi.RTM_DELLINK {
			delete(t.links, index)
		} else {
			t.links[index] = flags
		}
		if known && (m.Header.Type == uapi.RTM_DELLINK || old != flags) {
			relist = t.has(func(r *Route) bool {
				if r.Index == index {
					return true
				}
				for _, h := range r.MultiPath {
					if h.Index == index {
						return true
					}
				}
				return false
			})
		}
		return false, relist, nil
	case uapi.RTM_DELADDR:
		// IPv4 routes that prefer a deleted address as source go with it.
		a, err := ParseAddress(*m)
		if err != nil || !a.Prefix.Addr().Is4() {
			return false, false, nil
		}
		src := a.Prefix.Addr()
		return false, t.has(func(r *Route) bool { return r.PrefSrc == src }), nil
	case uapi.RTM_NEWNEXTHOP, uapi.RTM_DELNEXTHOP:
		return false, t.has(func(r *Route) bool { return r.NextHopID != 0 }), nil
	case uapi.RTM_NEWROUTE, uapi.RTM_DELROUTE:
	default:
		return false, false, nil
	}
	r, err := ParseRoute(*m)
	if errors.Is(err, errors.ErrUnsupported) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	if r.Flags&RouteCloned != 0 ||
		t.f.Family == uapi.AF_INET && !r.Dst.Addr().Is4() || t.f.Family == uapi.AF_INET6 && !r.Dst.Addr().Is6() ||
		t.f.Table != 0 && r.Table != t.f.Table {
		return false, false, nil
	}
	k, g := keyOfRoute(&r), groupOfRoute(&r)
	if !t.published && (t.skipped(m.Header.Type, &r, k) || t.replaced[g]) {
		return false, true, nil
	}
	if m.Header.Type == uapi.RTM_DELROUTE {
		if t.remove(g, k) {
			return true, false, nil
		}
		if ecmp6(&r) {
			return t.deleteNextHops(g, &r), false, nil
		}
		return false, false, nil // deleted before the listing
	}
	if ecmp6(&r) {
		// The kernel merged r with the multipath routes of its group:
		// the notification has every path.
		for _, x := range slices.Clone(t.groups[g]) {
			if e := t.routes[x]; x != k && ecmp6(&e) {
				t.remove(g, x)
			}
		}
		t.add(r)
		return true, false, nil
	}
	if m.Header.Flags&netlink.Replace != 0 {
		// r replaced the first route of its group, and the notification
		// does not say which that was: that is known only when the group
		// had one route (not counting multipath IPv6 routes, which a
		// route without a gateway does not replace).
		//
		// A notification that came during the listing may also be older
		// than what the listing read of the group, the group may have
		// had other routes then, and the one left may not be the one
		// replaced. But then the listing would have r, unless a later
		// notification removed it: so such a later notification for the
		// group, during the listing, makes the Mirror list again.
		var others []routeKey
		for _, x := range t.groups[g] {
			if e := t.routes[x]; x != k && !ecmp6(&e) {
				others = append(others, x)
			}
		}
		_, present := t.routes[k]
		switch {
		case len(others) == 1 && !present:
			t.remove(g, others[0])
			if !t.published {
				t.replaced[g] = true
			}
		case len(others) > 0:
			return false, true, nil
		}
	}
	t.add(r)
	return true, false, nil
}

// skipped reports whether the listing may have skipped a route because of
// the change to r (the route k) that came while it ran. A multipart dump
// resumes where it stopped, by position, in three places:
//   - an IPv6 dump that sees the table change starts again from the top
//     and skips as many routes as it has sent: after a deletion, it skips
//     one it had not sent;
//   - an IPv4 dump resumes in the middle of the routes to one destination
//     address (of any prefix length) by their index: after the deletion of
//     one, it skips another;
//   - a dump of every table resumes by the table's index in a hash chain,
//     which a new table can shift.
func (t *routeTable) skipped(typ netlink.HeaderType, r *Route, k routeKey) bool {
	if typ == uapi.RTM_NEWROUTE {
		return !t.tables[r.Table]
	}
	if r.Dst.Addr().Is6() {
		return true
	}
	n := t.leaves[r.Dst.Addr()]
	if _, ok := t.routes[k]; ok {
		n--
	}
	return n > 0
}

// deleteNextHops applies the deletion of the IPv6 route r, which the table
// does not have as such: r is a path of a multipath route of group g,
// deleted alone, or a multipath route that the table knows with other
// paths, since the listing came before some of the notifications.
func (t *routeTable) deleteNextHops(g routeGroup, r *Route) bool {
	for _, x := range slices.Clone(t.groups[g]) {
		e := t.routes[x]
		if !ecmp6(&e) {
			continue
		}
		if len(r.MultiPath) > 0 || len(e.MultiPath) == 0 {
			// The whole multipath route went.
			t.remove(g, x)
			return true
		}
		i := slices.IndexFunc(e.MultiPath, func(h NextHop) bool { return h.Gateway == r.Gateway && h.Index == r.Index })
		if i < 0 {
			continue
		}
		t.remove(g, x)
		hops := slices.Delete(slices.Clone(e.MultiPath), i, i+1)
		if len(hops) == 1 {
			// One path left: the kernel lists the route as a plain one.
			e.Gateway, e.Index, e.Flags = hops[0].Gateway, hops[0].Index, e.Flags|hops[0].Flags
			hops = nil
		}
		e.MultiPath = hops
		t.add(e)
		return true
	}
	return false
}

func (t *routeTable) snapshot(s []Route) []Route {
	for _, r := range t.routes {
		if t.f.match(&r) {
			s = append(s, r)
		}
	}
	return s
}
