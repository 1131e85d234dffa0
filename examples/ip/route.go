package main

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/rtnetlink"
)

// runRoute runs ip route: show, get, add, delete, replace.
func runRoute(ctx context.Context, c *rtnetlink.Conn, args []string) error {
	cmd, ok := command(args, "add", "change", "replace", "prepend", "append", "test", "delete",
		"list", "show", "lst", "flush", "get")
	if !ok {
		return unknownCommand(args[0], "route")
	}
	if len(args) > 0 {
		args = args[1:]
	}
	ls, err := readLinks(ctx, c)
	if err != nil {
		return err
	}
	switch cmd {
	case "add", "delete", "replace":
		return routeModify(ctx, c, ls, cmd, args)
	case "get":
		return routeGet(ctx, c, ls, args)
	case "show", "list", "lst":
		return routeShow(ctx, c, ls, args)
	}
	return failf(`Command "%s" is not supported by this example.`, cmd)
}

// routeFilter is what ip route show selects, and what it prints
// accordingly.
type routeFilter struct {
	table uint32 // 0: every table (table all), whose names are then printed
	dev   int    // the link whose routes are listed, whose name is then left out
	// to selects destinations: exactly (exact, or a prefix alone), within
	// it (root), or containing it (match).
	to    netip.Prefix
	toHow string
}

// selects reports whether f's destination selector takes dst.
func (f routeFilter) selects(dst netip.Prefix) bool {
	switch {
	case !f.to.IsValid():
		return true
	case f.to.Addr().Is4() != dst.Addr().Is4():
		return false
	case f.toHow == "root":
		return dst.Bits() >= f.to.Bits() && f.to.Contains(dst.Addr())
	case f.toHow == "match":
		return dst.Bits() <= f.to.Bits() && dst.Contains(f.to.Addr())
	}
	return dst == f.to
}

func routeShow(ctx context.Context, c *rtnetlink.Conn, ls *links, args argv) error {
	f := routeFilter{table: rtnetlink.TableMain}
	for ; len(args) > 0; args = args[1:] {
		var err error
		switch w := args[0]; w {
		case "table":
			if w, err = args.next(); err == nil {
				f.table, err = table(w, true)
			}
		case "dev", "oif":
			if w, err = args.next(); err == nil {
				err = showDevice(ls, &f.dev, w)
			}
		default:
			if w == "to" || w == "root" || w == "match" || w == "exact" {
				f.toHow = w
				if w, err = args.next(); err != nil {
					return err
				}
			}
			if f.to.IsValid() {
				return garbage("to", w)
			}
			if f.to, err = prefix(w); err == nil {
				f.to = f.to.Masked()
			}
		}
		if err != nil {
			return err
		}
	}
	// ip lists IPv4 routes unless told -6, or to list every table.
	fam := opt.family
	if fam == 0 && f.table != 0 {
		fam = uapi.AF_INET
	}
	var recs []*record
	if f.to.IsValid() {
		fam = family(f.to.Addr())
	}
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: fam, Table: f.table, Index: f.dev}) {
		if err != nil {
			return dumpError(err)
		}
		if !f.selects(r.Dst) {
			continue
		}
		rec := newRecord()
		routeRecord(rec, r, ls, f)
		rec.word("\n")
		recs = append(recs, rec)
	}
	return output(recs)
}

// routeFlags are the route and next hop flags ip names, in its order.
var routeFlags = []struct {
	flag rtnetlink.RouteFlags
	name string
}{
	{rtnetlink.NextHopDead, "dead"}, {rtnetlink.NextHopOnLink, "onlink"},
	{rtnetlink.NextHopPervasive, "pervasive"}, {rtnetlink.NextHopOffload, "offload"},
	{rtnetlink.NextHopTrap, "trap"}, {rtnetlink.RouteNotify, "notify"},
	{rtnetlink.NextHopLinkDown, "linkdown"}, {rtnetlink.NextHopUnresolved, "unresolved"},
	{rtnetlink.RouteOffload, "rt_offload"}, {rtnetlink.RouteTrap, "rt_trap"},
	{rtnetlink.RouteOffloadFailed, "rt_offload_failed"},
}

// cacheFlags are the route cache flags (RTCF_* of <linux/in_route.h>)
// ip route get names.
var cacheFlags = []struct {
	flag rtnetlink.RouteFlags
	name string
}{
	{0x80000000, "local"}, {0x40000000, "reject"}, {0x20000000, "mc"}, {0x10000000, "brd"},
	{0x08000000, "dst-nat"}, {0x00800000, "src-nat"}, {0x00400000, "masq"}, {0x00020000, "dst-direct"},
	{0x04000000, "src-direct"}, {0x00040000, "redirected"}, {0x01000000, "redirect"},
	{0x00200000, "fastroute"}, {0x00010000, "notify"}, {0x00080000, "proxy"},
}

// prefs name an IPv6 route's router preference.
var prefs = map[uint8]string{0: "medium", 1: "high", 3: "low"}

// routeRecord prints r's line (without its newline) as ip route does.
func routeRecord(rec *record, r rtnetlink.Route, ls *links, f routeFilter) {
	if r.Type != rtnetlink.RouteUnicast || opt.details {
		rec.add("type", "%s ", r.Type.String())
	}
	rec.add("dst", "%s ", routeDst(r.Dst))
	if r.Src.IsValid() && r.Src.Bits() != 0 {
		rec.add("from", "from %s ", routeDst(r.Src))
	}
	if r.NextHopID != 0 {
		rec.add("nhid", "nhid %d ", r.NextHopID)
	}
	if r.TOS != 0 {
		rec.add("tos", "tos %s ", fmt.Sprintf("0x%02x", r.TOS))
	}
	gateway(rec, r.Dst.Addr(), r.Gateway)
	if r.Index != 0 && f.dev == 0 {
		rec.add("dev", "dev %s ", ls.name(r.Index))
	}
	if f.table == 0 && (r.Table != rtnetlink.TableMain || opt.details) {
		rec.add("table", "table %s ", tableName(r.Table))
	}
	if r.Flags&rtnetlink.RouteCloned == 0 {
		if r.Protocol != rtnetlink.ProtoBoot || opt.details {
			rec.add("protocol", "proto %s ", r.Protocol.String())
		}
		if r.Scope != rtnetlink.ScopeUniverse || opt.details {
			rec.add("scope", "scope %s ", r.Scope.String())
		}
	}
	if r.PrefSrc.IsValid() {
		rec.add("prefsrc", "src %s ", r.PrefSrc.String())
	}
	// The kernel sends an IPv4 route's metric when it is not 0, an IPv6
	// route's always.
	if r.Priority != 0 || r.Dst.Addr().Is6() {
		rec.add("metric", "metric %d ", r.Priority)
	}
	flags := []string{}
	for _, n := range routeFlags {
		if r.Flags&n.flag != 0 {
			flags = append(flags, n.name)
			rec.word(n.name + " ")
		}
	}
	rec.json.set("flags", flags)
	if r.Dst.Addr().Is4() && r.Flags&rtnetlink.RouteCloned != 0 {
		cache := []string{}
		for _, n := range cacheFlags {
			if r.Flags&n.flag != 0 {
				cache = append(cache, n.name)
			}
		}
		rec.json.set("cache", cache)
		rec.word("\n    cache ")
		if len(cache) > 0 {
			rec.word("<" + strings.Join(cache, ",") + "> ")
		}
	}
	if r.Expires != 0 {
		rec.add("expires", "expires %dsec ", int(r.Expires.Seconds()))
	}
	if r.InIndex != 0 {
		rec.add("iif", "iif %s ", ls.name(r.InIndex))
	}
	if r.Dst.Addr().Is6() {
		p, ok := prefs[r.Pref]
		if !ok {
			p = strconv.Itoa(int(r.Pref))
		}
		rec.add("pref", "pref %s", p)
	}
	if len(r.MultiPath) > 0 {
		var hops []*jsonObject
		for _, nh := range r.MultiPath {
			h := newRecord()
			h.word("\n\tnexthop ")
			gateway(h, r.Dst.Addr(), nh.Gateway)
			h.add("dev", "dev %s ", ls.name(nh.Index))
			h.add("weight", "weight %d ", nh.Weight)
			hflags := []string{}
			for _, n := range routeFlags {
				if nh.Flags&n.flag != 0 {
					hflags = append(hflags, n.name)
					h.word(n.name + " ")
				}
			}
			h.json.set("flags", hflags)
			rec.word(h.text.String())
			hops = append(hops, h.json)
		}
		rec.json.set("nexthops", hops)
	}
}

// gateway prints a route's gateway: "via ADDR", or "via inet6 ADDR" for an
// IPv6 gateway of an IPv4 route.
func gateway(rec *record, dst, gw netip.Addr) {
	switch {
	case !gw.IsValid():
	case gw.Is4() == dst.Is4():
		rec.add("gateway", "via %s ", gw.String())
	default:
		rec.word("via inet6 " + gw.String() + " ")
		via := newObject()
		via.set("family", "inet6")
		via.set("host", gw.String())
		rec.json.set("via", via)
	}
}

// routeDst prints a destination as ip does: "default", a host address
// without its length, a prefix.
func routeDst(p netip.Prefix) string {
	switch {
	case p.Bits() == 0:
		return "default"
	case p.Bits() == p.Addr().BitLen():
		return p.Addr().String()
	}
	return p.String()
}

// tableName names a table as ip does.
func tableName(id uint32) string {
	switch id {
	case rtnetlink.TableMain:
		return "main"
	case rtnetlink.TableLocal:
		return "local"
	case rtnetlink.TableDefault:
		return "default"
	}
	return strconv.FormatUint(uint64(id), 10)
}

// table reads a table name or number; "all" is 0 where all is true.
func table(s string, all bool) (uint32, error) {
	switch s {
	case "main":
		return rtnetlink.TableMain, nil
	case "local":
		return rtnetlink.TableLocal, nil
	case "default":
		return rtnetlink.TableDefault, nil
	case "all":
		if all {
			return 0, nil
		}
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, invarg("table id value is invalid\n", s)
	}
	return uint32(n), nil
}

// routeType reads a route type's name.
func routeType(s string) (rtnetlink.RouteType, bool) {
	for t := rtnetlink.RouteUnicast; t <= rtnetlink.RouteXResolve; t++ {
		if t.String() == s {
			return t, true
		}
	}
	return 0, false
}

// protocol reads a protocol's name or number.
func protocol(s string) (rtnetlink.Protocol, error) {
	for p := range 256 {
		if rtnetlink.Protocol(p).String() == s {
			return rtnetlink.Protocol(p), nil
		}
	}
	if n, err := strconv.ParseUint(s, 0, 8); err == nil {
		return rtnetlink.Protocol(n), nil
	}
	return 0, invarg(`"protocol" value is invalid`+"\n", s)
}

// routeModify runs ip route add, delete and replace: [TYPE] PREFIX
// [via ADDR] [dev NAME] [src ADDR] [metric N] [table T] [proto P]
// [scope S] [onlink].
func routeModify(ctx context.Context, c *rtnetlink.Conn, ls *links, cmd string, args argv) error {
	var r rtnetlink.Route
	haveDst := false
	for ; len(args) > 0; args = args[1:] {
		key, val := args[0], ""
		switch key {
		case "via", "dev", "oif", "src", "metric", "priority", "preference", "table", "proto", "protocol", "scope", "to":
			var err error
			if val, err = args.next(); err != nil {
				return err
			}
		}
		var err error
		switch key {
		case "via":
			r.Gateway, err = address(val, family(r.Dst.Addr()))
		case "dev", "oif":
			r.Index, err = ls.device(val)
		case "src":
			r.PrefSrc, err = address(val, family(r.Dst.Addr()))
		case "metric", "priority", "preference":
			r.Priority, err = number(val, `"metric" value is invalid`+"\n")
		case "table":
			r.Table, err = table(val, false)
		case "proto", "protocol":
			r.Protocol, err = protocol(val)
		case "scope":
			r.Scope, err = scope(val, `invalid "scope" value`+"\n")
		case "onlink":
			r.Flags |= rtnetlink.NextHopOnLink
		default:
			if t, ok := routeType(key); ok && !haveDst {
				r.Type = t
				continue
			}
			if key == "to" {
				key = val
			}
			if haveDst {
				return garbage("to", key)
			}
			haveDst = true
			if key == "default" {
				fam := opt.family
				if fam == 0 {
					fam = uapi.AF_INET
				}
				r.Dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
				if fam == uapi.AF_INET6 {
					r.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
				}
				continue
			}
			r.Dst, err = prefix(key)
			if r.Dst.Addr().Is6() {
				// The kernel clears the host bits of an IPv6
				// destination (and refuses them in IPv4);
				// package rtnetlink refuses both before sending.
				r.Dst = r.Dst.Masked()
			}
		}
		if err != nil {
			return err
		}
	}
	if !haveDst {
		return failf(`Error: any valid prefix is expected rather than "".`)
	}
	var err error
	switch cmd {
	case "add":
		err = c.AddRoute(ctx, r)
	case "replace":
		err = c.ReplaceRoute(ctx, r)
	default:
		err = c.DeleteRoute(ctx, r)
	}
	return kernelError(err)
}

// routeGet runs ip route get [fibmatch] ADDR [from ADDR] [iif NAME]
// [oif NAME] [mark N].
func routeGet(ctx context.Context, c *rtnetlink.Conn, ls *links, args argv) error {
	var q rtnetlink.RouteQuery
	for ; len(args) > 0; args = args[1:] {
		key, val := args[0], ""
		switch key {
		case "from", "iif", "oif", "dev", "mark", "to":
			var err error
			if val, err = args.next(); err != nil {
				return err
			}
		}
		var err error
		switch key {
		case "fibmatch":
			q.FIBMatch = true
		case "from":
			q.Src, err = address(val, family(q.Dst))
		case "iif":
			q.InIndex, err = ls.device(val)
		case "oif", "dev":
			q.Index, err = ls.device(val)
		case "mark":
			q.Mark, err = number(val, "mark value is invalid\n")
		default:
			if key == "to" {
				key = val
			}
			if q.Dst.IsValid() {
				return garbage("to", key)
			}
			var p netip.Prefix
			if p, err = prefix(key); err == nil {
				q.Dst = p.Addr()
			}
		}
		if err != nil {
			return err
		}
	}
	if !q.Dst.IsValid() {
		return failf("need at least a destination address")
	}
	r, err := c.GetRoute(ctx, q)
	if err != nil {
		return kernelError(err)
	}
	rec := newRecord()
	routeRecord(rec, r, ls, routeFilter{})
	rec.word("\n")
	return output([]*record{rec})
}
