package main

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/rtnetlink"
)

// runAddr runs ip address: show, add, replace, change, delete.
func runAddr(ctx context.Context, c *rtnetlink.Conn, args []string) error {
	cmd, ok := command(args, "add", "change", "replace", "delete", "list", "show", "lst")
	if !ok {
		return unknownCommand(args[0], "address")
	}
	if len(args) > 0 {
		args = args[1:]
	}
	ls, err := readLinks(ctx, c)
	if err != nil {
		return err
	}
	switch cmd {
	case "add", "change", "replace", "delete":
		return addrModify(ctx, c, ls, cmd, args)
	}
	return addrShow(ctx, c, ls, args)
}

func addrShow(ctx context.Context, c *rtnetlink.Conn, ls *links, args argv) error {
	var dev int
	for ; len(args) > 0; args = args[1:] {
		w := args[0]
		if w == "dev" {
			var err error
			if w, err = args.next(); err != nil {
				return err
			}
		}
		if err := showDevice(ls, &dev, w); err != nil {
			return err
		}
	}
	byLink := map[int][]rtnetlink.Address{}
	for a, err := range c.Addresses(ctx, rtnetlink.AddressFilter{Family: opt.family, Index: dev}) {
		if err != nil {
			return dumpError(err)
		}
		byLink[a.Index] = append(byLink[a.Index], a)
	}
	var recs []*record
	for _, l := range sortedLinks(ls) {
		addrs := byLink[l.Index]
		// With -4 or -6, ip leaves out the links without an address of
		// that family.
		if dev != 0 && l.Index != dev || opt.family != 0 && len(addrs) == 0 {
			continue
		}
		r := newRecord()
		linkRecord(r, l, ls, true)
		r.word("\n")
		infos := []*jsonObject{}
		for _, a := range addrs {
			ar := newRecord()
			addrRecord(ar, a)
			ar.word("\n")
			r.word(ar.text.String())
			infos = append(infos, ar.json)
		}
		r.json.set("addr_info", infos)
		recs = append(recs, r)
	}
	return output(recs)
}

// addrFlags are the address flags ip names, in its order.
var addrFlags = []struct {
	flag rtnetlink.AddressFlags
	name string
}{
	{rtnetlink.AddrSecondary, "secondary"}, {rtnetlink.AddrNoDAD, "nodad"},
	{rtnetlink.AddrOptimistic, "optimistic"}, {rtnetlink.AddrDADFailed, "dadfailed"},
	{rtnetlink.AddrHome, "home"}, {rtnetlink.AddrDeprecated, "deprecated"},
	{rtnetlink.AddrTentative, "tentative"}, {rtnetlink.AddrPermanent, "permanent"},
	{rtnetlink.AddrManageTempAddr, "mngtmpaddr"}, {rtnetlink.AddrNoPrefixRoute, "noprefixroute"},
	{rtnetlink.AddrMCAutoJoin, "autojoin"}, {rtnetlink.AddrStablePrivacy, "stable-privacy"},
}

// addrRecord prints a's lines (without the last newline) as ip address
// does: the address line, then the lifetimes.
func addrRecord(r *record, a rtnetlink.Address) {
	family := "inet"
	if a.Prefix.Addr().Is6() {
		family = "inet6"
	}
	r.add("family", "    %s ", family)
	r.add("local", "%s", a.Prefix.Addr().String())
	if a.Peer.IsValid() {
		r.add("address", " peer %s", a.Peer.String())
	}
	r.add("prefixlen", "/%d ", a.Prefix.Bits())
	if a.Metric != 0 {
		r.add("metric", "metric %d ", a.Metric)
	}
	if a.Broadcast.IsValid() {
		r.add("broadcast", "brd %s ", a.Broadcast.String())
	}
	r.add("scope", "scope %s ", a.Scope.String())
	f := a.Flags
	for _, n := range addrFlags {
		switch {
		case n.flag == rtnetlink.AddrPermanent:
			if f&n.flag == 0 {
				r.flag("dynamic", "dynamic ", true)
			}
		case f&n.flag == 0:
		case n.flag == rtnetlink.AddrSecondary && family == "inet6":
			r.flag("temporary", "temporary ", true)
		default:
			r.flag(n.name, n.name+" ", true)
		}
		f &^= n.flag
	}
	if f != 0 {
		r.add("ifa_flags", "flags %s ", fmt.Sprintf("%02x", uint32(f)))
	}
	if a.Label != "" {
		r.add("label", "%s", a.Label)
	}
	r.word("\n       valid_lft ")
	lifetime(r, "valid_life_time", a.ValidLifetime)
	r.word(" preferred_lft ")
	lifetime(r, "preferred_life_time", a.PreferredLifetime)
}

func lifetime(r *record, key string, secs uint32) {
	r.json.set(key, secs)
	if secs == rtnetlink.Forever {
		r.word("forever")
	} else {
		r.word(fmt.Sprintf("%dsec", secs))
	}
}

// addrModify runs ip address add, change, replace and delete:
// PREFIX [peer ADDR] [broadcast ADDR|+|-] [label NAME] [scope SCOPE]
// [metric N] [valid_lft N] [preferred_lft N] [nodad] [noprefixroute] dev NAME.
func addrModify(ctx context.Context, c *rtnetlink.Conn, ls *links, cmd string, args argv) error {
	a := rtnetlink.Address{ValidLifetime: rtnetlink.Forever, PreferredLifetime: rtnetlink.Forever}
	dev, brd := "", ""
	for ; len(args) > 0; args = args[1:] {
		key, val := args[0], ""
		switch key {
		case "dev", "peer", "remote", "broadcast", "brd", "label", "scope", "metric", "priority",
			"valid_lft", "preferred_lft":
			var err error
			if val, err = args.next(); err != nil {
				return err
			}
		}
		var err error
		switch key {
		case "dev":
			dev = val
		case "peer", "remote":
			a.Peer, err = address(val, family(a.Prefix.Addr()))
		case "broadcast", "brd":
			brd = val
		case "label":
			a.Label = val
		case "scope":
			a.Scope, err = scope(val, "invalid scope value.")
		case "metric", "priority":
			a.Metric, err = number(val, `"metric" value is invalid`+"\n")
		case "valid_lft":
			a.ValidLifetime, err = lft(val, "valid_lft")
		case "preferred_lft":
			a.PreferredLifetime, err = lft(val, "preferred_lft")
		case "nodad":
			a.Flags |= rtnetlink.AddrNoDAD
		case "noprefixroute":
			a.Flags |= rtnetlink.AddrNoPrefixRoute
		default:
			if key == "local" {
				if key, err = args.next(); err != nil {
					return err
				}
			}
			if a.Prefix.IsValid() {
				return garbage("local", key)
			}
			a.Prefix, err = prefix(key)
		}
		if err != nil {
			return err
		}
	}
	if dev == "" {
		return failf(`Not enough information: "dev" argument is required.`)
	}
	if !a.Prefix.IsValid() {
		// ip sends the request without one and prints the kernel's
		// refusal; package rtnetlink refuses it before sending.
		return failf("Not enough information: an address is required.")
	}
	if a.ValidLifetime < a.PreferredLifetime {
		return failf("preferred_lft is greater than valid_lft")
	}
	switch brd {
	case "":
	case "+", "-":
		if a.Prefix.Addr().Is4() && a.Prefix.Bits() < 31 {
			b := a.Prefix.Addr().As4()
			host := ^uint32(0) >> a.Prefix.Bits()
			for i := range 4 {
				b[i] |= byte(host >> (24 - 8*i))
				if brd == "-" {
					b[i] &^= byte(host >> (24 - 8*i))
				}
			}
			a.Broadcast = netip.AddrFrom4(b)
		}
	default:
		var err error
		if a.Broadcast, err = address(brd, family(a.Prefix.Addr())); err != nil {
			return err
		}
	}
	var err error
	if a.Index, err = ls.device(dev); err != nil {
		return err
	}
	switch cmd {
	case "add":
		err = c.AddAddress(ctx, a)
	case "delete":
		err = c.DeleteAddress(ctx, a)
	default:
		err = c.ReplaceAddress(ctx, a)
	}
	return kernelError(err)
}

// lft reads a lifetime: seconds or "forever".
func lft(s, what string) (uint32, error) {
	if s == "forever" {
		return rtnetlink.Forever, nil
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, invarg(what+" value", s)
	}
	return uint32(n), nil
}

// number reads a 32-bit number, or fails with ip's message for it.
func number(s, msg string) (uint32, error) {
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, invarg(msg, s)
	}
	return uint32(n), nil
}

// scopes name the scopes as ip does.
var scopes = map[string]rtnetlink.Scope{
	"global": rtnetlink.ScopeUniverse, "universe": rtnetlink.ScopeUniverse, "site": rtnetlink.ScopeSite,
	"link": rtnetlink.ScopeLink, "host": rtnetlink.ScopeHost, "nowhere": rtnetlink.ScopeNowhere,
}

// scope reads a scope's name or number, or fails with ip's message for
// it.
func scope(s, msg string) (rtnetlink.Scope, error) {
	if sc, ok := scopes[s]; ok {
		return sc, nil
	}
	n, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, invarg(msg, s)
	}
	return rtnetlink.Scope(n), nil
}

// family is the family of a, or the one -4 or -6 asks for when a is not
// set yet.
func family(a netip.Addr) int {
	switch {
	case a.Is4():
		return uapi.AF_INET
	case a.Is6():
		return uapi.AF_INET6
	}
	return opt.family
}

// prefix reads an address with an optional length ("198.18.0.1" is
// /32), in the family that -4 or -6 asks for, as ip does.
func prefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		if familyOK(p.Addr()) {
			return p, nil
		}
	} else if a, err := netip.ParseAddr(s); err == nil && familyOK(a) {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, failf(`Error: %s prefix is expected rather than "%s".`, familyWord(opt.family), s)
}

// address reads an address of the family fam (0 for any).
func address(s string, fam int) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || fam != 0 && family(a) != fam {
		return netip.Addr{}, failf(`Error: %s address is expected rather than "%s".`, familyWord(fam), s)
	}
	return a, nil
}

func familyOK(a netip.Addr) bool {
	return opt.family == 0 || family(a) == opt.family
}

// familyWord is how ip names the family it expects.
func familyWord(fam int) string {
	switch fam {
	case uapi.AF_INET:
		return "inet"
	case uapi.AF_INET6:
		return "inet6"
	}
	return "any valid"
}
