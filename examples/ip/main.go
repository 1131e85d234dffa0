// Command ip is a small, read-only `ip` built on package rtnetlink: it
// lists links, addresses, routes, neighbours and rules in the words ip
// uses, and prints the kernel's notifications as they come (monitor).
//
//	go run ./examples/ip [-json] [-netns /var/run/netns/NAME] link|addr|route|neigh|rule|monitor
//
// With -json it prints one JSON array (one object a line for monitor),
// with ip -j's keys, for scripts.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/rtnetlink"
)

var (
	jsonOut = flag.Bool("json", false, "print JSON, with ip -j's keys")
	netns   = flag.String("netns", "", "the `path` of a network namespace to look into")
)

func main() {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: ip [-json] [-netns path] link|addr|route|neigh|rule|monitor")
		flag.PrintDefaults()
	}
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, flag.Arg(0)); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "ip:", err)
		os.Exit(1)
	}
}

// object is one line of output: its text as ip prints it, and its JSON
// keys as ip -j prints them.
type object struct {
	text string
	json map[string]any
}

func run(ctx context.Context, what string) error {
	if what == "monitor" {
		return monitor(ctx)
	}
	c, err := rtnetlink.Dial(&netlink.Config{NetNS: *netns})
	if err != nil {
		return err
	}
	defer c.Close()
	names := map[int]string{}
	for l, err := range c.Links(ctx, rtnetlink.LinkFilter{}) {
		if err != nil {
			return err
		}
		names[l.Index] = l.Name
	}
	var objs []object
	switch what {
	case "link":
		objs, err = collect(c.Links(ctx, rtnetlink.LinkFilter{}), func(l rtnetlink.Link) object { return linkObject(l, names) })
	case "addr":
		objs, err = collect(c.Addresses(ctx, rtnetlink.AddressFilter{}), func(a rtnetlink.Address) object { return addrObject(a, names) })
	case "route":
		objs, err = collect(c.Routes(ctx, rtnetlink.RouteFilter{Table: rtnetlink.TableMain}), func(r rtnetlink.Route) object { return routeObject(r, names) })
	case "neigh":
		objs, err = collect(c.Neighbors(ctx, rtnetlink.NeighborFilter{}), func(n rtnetlink.Neighbor) object { return neighObject(n, names) })
	case "rule":
		objs, err = collect(c.Rules(ctx, rtnetlink.RuleFilter{}), ruleObject)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		return err
	}
	if *jsonOut {
		list := make([]map[string]any, len(objs))
		for i, o := range objs {
			list[i] = o.json
		}
		return json.NewEncoder(os.Stdout).Encode(list)
	}
	for _, o := range objs {
		fmt.Println(o.text)
	}
	return nil
}

// collect turns a listing into objects.
func collect[T any](seq func(func(T, error) bool), f func(T) object) ([]object, error) {
	var objs []object
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		objs = append(objs, f(v))
	}
	return objs, nil
}

// fields builds an object from triples of a JSON key, a text word and a
// value, leaving out the empty values. The text shows a value after its
// word ("mtu 1500"), alone for the word "", or through the word as a
// format ("%v:"), which also keeps a zero value.
func fields(kv ...any) object {
	o := object{json: map[string]any{}}
	var text []string
	for i := 0; i+3 <= len(kv); i += 3 {
		key, word, v := kv[i].(string), kv[i+1].(string), kv[i+2]
		format := strings.Contains(word, "%")
		if !format && (v == "" || v == 0 || v == false) {
			continue
		}
		o.json[key] = v
		switch {
		case format:
			text = append(text, fmt.Sprintf(word, v))
		case v == true:
			text = append(text, word)
		case word == "":
			text = append(text, fmt.Sprint(v))
		default:
			text = append(text, word+" "+fmt.Sprint(v))
		}
	}
	o.text = strings.Join(text, " ")
	return o
}

func linkObject(l rtnetlink.Link, names map[int]string) object {
	return fields("ifindex", "%v:", l.Index, "ifname", "%v:", l.Name, "flags", "<%v>", l.Flags.String(),
		"mtu", "mtu", int(l.MTU), "master", "master", names[l.MasterIndex], "operstate", "state", l.OperState.String(),
		"link_kind", "kind", l.Kind, "address", "link", l.HardwareAddr.String())
}

func addrObject(a rtnetlink.Address, names map[int]string) object {
	family := "inet"
	if a.Prefix.Addr().Is6() {
		family = "inet6"
	}
	return fields("ifindex", "%v:", a.Index, "ifname", "", names[a.Index], "family", "", family, "local", "", a.Prefix.String(),
		"broadcast", "brd", str(a.Broadcast), "scope", "scope", a.Scope.String(), "label", "", a.Label)
}

func routeObject(r rtnetlink.Route, names map[int]string) object {
	dst, scope := r.Dst.String(), r.Scope.String()
	if r.Dst.Bits() == 0 {
		dst = "default"
	}
	if r.Scope == rtnetlink.ScopeUniverse {
		scope = "" // ip leaves it out
	}
	return fields("dst", "", dst, "nhid", "nhid", int(r.NextHopID), "gateway", "via", str(r.Gateway), "dev", "dev", names[r.Index],
		"protocol", "proto", r.Protocol.String(), "scope", "scope", scope, "prefsrc", "src", str(r.PrefSrc),
		"metric", "metric", int(r.Priority))
}

func neighObject(n rtnetlink.Neighbor, names map[int]string) object {
	return fields("dst", "", n.IP.String(), "dev", "dev", names[n.Index], "lladdr", "lladdr", n.HardwareAddr.String(),
		"router", "router", n.Flags&rtnetlink.NeighRouter != 0, "proxy", "proxy", n.Flags&rtnetlink.NeighProxy != 0,
		"state", "", n.State.String())
}

func ruleObject(r rtnetlink.Rule) object {
	from, table := "all", ""
	if r.Src.IsValid() {
		from = r.Src.String()
	}
	if r.Action == rtnetlink.RuleToTable {
		table = tableName(r.Table)
	}
	action := ""
	if r.Action != rtnetlink.RuleToTable && r.Action != rtnetlink.RuleGoto {
		action = r.Action.String()
	}
	return fields("priority", "%v:", int(r.Priority), "src", "from", from, "dst", "to", prefix(r.Dst),
		"iif", "iif", r.IIF, "oif", "oif", r.OIF, "fwmark", "fwmark", hex(r.Mark), "table", "lookup", table,
		"goto", "goto", int(r.Goto), "action", "", action)
}

// monitor prints the kernel's notifications of changes to links,
// addresses, routes, neighbours, rules and nexthops, parsed where the
// package has a parser, named and sized otherwise.
func monitor(ctx context.Context) error {
	nl, err := netlink.Dial(uapi.NETLINK_ROUTE, &netlink.Config{NetNS: *netns, Groups: []uint32{
		uapi.RTNLGRP_LINK, uapi.RTNLGRP_IPV4_IFADDR, uapi.RTNLGRP_IPV6_IFADDR,
		uapi.RTNLGRP_IPV4_ROUTE, uapi.RTNLGRP_IPV6_ROUTE, uapi.RTNLGRP_NEIGH,
		uapi.RTNLGRP_IPV4_RULE, uapi.RTNLGRP_IPV6_RULE, uapi.RTNLGRP_NEXTHOP,
	}})
	if err != nil {
		return err
	}
	defer nl.Close()
	enc := json.NewEncoder(os.Stdout)
	for {
		d, err := nl.ReceiveDatagram(ctx)
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Fprintln(os.Stderr, "ip: notifications were lost")
			continue
		}
		if err != nil {
			return err
		}
		for m, err := range d.Messages() {
			if err != nil {
				return err
			}
			typ := netlink.RequestName(uapi.NETLINK_ROUTE, m.Header.Type)
			v, err := parse(m)
			if err != nil {
				v = err.Error()
			}
			if *jsonOut {
				if err := enc.Encode(map[string]any{"type": typ, "group": d.Group, "object": v}); err != nil {
					return err
				}
				continue
			}
			fmt.Printf("[%s] %+v\n", typ, v)
		}
	}
}

// parse reads a notification with the package's parser for its type, or
// describes it by its size.
func parse(m netlink.Message) (any, error) {
	switch m.Header.Type {
	case uapi.RTM_NEWLINK, uapi.RTM_DELLINK:
		return rtnetlink.ParseLink(m)
	case uapi.RTM_NEWNEIGH, uapi.RTM_DELNEIGH:
		if len(m.Data) > 0 && m.Data[0] == uapi.AF_BRIDGE {
			return rtnetlink.ParseFDBEntry(m)
		}
		return rtnetlink.ParseNeighbor(m)
	case uapi.RTM_NEWRULE, uapi.RTM_DELRULE:
		return rtnetlink.ParseRule(m)
	case uapi.RTM_NEWNEXTHOP, uapi.RTM_DELNEXTHOP:
		return rtnetlink.ParseNextHopObject(m)
	}
	return fmt.Sprintf("%d bytes", len(m.Data)), nil
}

// str prints a as ip does, and the zero Addr as nothing.
func str(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// prefix prints p, and the zero Prefix as nothing.
func prefix(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}

// hex prints a mark in hex, and 0 as nothing.
func hex(v uint32) string {
	if v == 0 {
		return ""
	}
	return fmt.Sprintf("%#x", v)
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
	return fmt.Sprint(id)
}
