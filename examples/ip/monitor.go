package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/rtnetlink"
)

// monitorObjects are the objects ip monitor takes, with their groups and
// the banner "ip monitor all" prints before each line.
var monitorObjects = []struct {
	name   string
	banner string
	groups []rtnetlink.Group
}{
	{"link", "[LINK]", []rtnetlink.Group{rtnetlink.GroupLink}},
	{"address", "[ADDR]", []rtnetlink.Group{rtnetlink.GroupIPv4Addr, rtnetlink.GroupIPv6Addr}},
	{"route", "[ROUTE]", []rtnetlink.Group{rtnetlink.GroupIPv4Route, rtnetlink.GroupIPv6Route}},
	{"neigh", "[NEIGH]", []rtnetlink.Group{rtnetlink.GroupNeighbor}},
	{"rule", "[RULE]", []rtnetlink.Group{rtnetlink.GroupIPv4Rule, rtnetlink.GroupIPv6Rule}},
}

// monitor runs ip monitor [all|link|address|route|neigh|rule ...]: it
// prints each change as ip monitor does, until it is killed.
func monitor(ctx context.Context, netns string, args []string) error {
	var groups []rtnetlink.Group
	banner := false
	for _, a := range args {
		if a == "all" {
			banner = true
			continue
		}
		found := false
		for _, o := range monitorObjects {
			if strings.HasPrefix(o.name, a) {
				groups, found = append(groups, o.groups...), true
				break
			}
		}
		if !found {
			return usage(`Argument "%s" is unknown, try "ip monitor help".`, a)
		}
	}
	if len(groups) == 0 {
		for _, o := range monitorObjects {
			groups = append(groups, o.groups...)
		}
	}
	c, err := rtnetlink.Dial(&netlink.Config{NetNS: netns})
	if err != nil {
		return err
	}
	defer c.Close()
	ls, err := readLinks(ctx, c)
	if err != nil {
		return err
	}
	for e, err := range c.Watch(ctx, groups...) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Fprintln(os.Stderr, "ip: notifications were lost")
			continue
		}
		if errors.Is(err, netlink.ErrMalformed) {
			continue
		}
		if err != nil {
			return err
		}
		rec, banner1 := event(e, ls)
		if rec == nil {
			continue
		}
		if opt.json {
			b, err := json.Marshal(rec.json)
			if err != nil {
				return err
			}
			fmt.Println(string(b))
			continue
		}
		if banner {
			fmt.Print(banner1)
		}
		fmt.Print(rec.text.String())
	}
	return nil
}

// event prints a notification as ip monitor does, and returns it with its
// banner; nil for the notifications ip monitor leaves out or this program
// does not print (bridge port messages, cached routes, nexthops).
func event(e rtnetlink.Event, ls *links) (*record, string) {
	r := newRecord()
	if e.Deleted() {
		r.flag("deleted", "Deleted ", true)
	}
	switch {
	case e.Link != nil:
		linkRecord(r, *e.Link, ls, false)
		if e.Deleted() {
			delete(ls.byIndex, e.Link.Index)
			delete(ls.byName, e.Link.Name)
		} else {
			ls.byIndex[e.Link.Index] = *e.Link
			ls.byName[e.Link.Name] = e.Link.Index
		}
		r.word("\n")
		return r, "[LINK]"
	case e.Address != nil:
		r.json.set("index", e.Address.Index)
		r.add("dev", "", ls.name(e.Address.Index))
		r.word(fmt.Sprintf("%d: %s", e.Address.Index, ls.name(e.Address.Index)))
		addrRecord(r, *e.Address)
		r.word("\n")
		return r, "[ADDR]"
	case e.Route != nil:
		if e.Route.Flags&rtnetlink.RouteCloned != 0 {
			return nil, ""
		}
		routeRecord(r, *e.Route, ls, routeFilter{})
		r.word("\n")
		return r, "[ROUTE]"
	}
	switch e.Type {
	case uapi.RTM_NEWNEIGH, uapi.RTM_DELNEIGH:
		n, err := rtnetlink.ParseNeighbor(e.Message)
		if err != nil {
			return nil, "" // bridge FDB entries
		}
		neighRecord(r, n, ls, false)
		r.word("\n")
		return r, "[NEIGH]"
	case uapi.RTM_NEWRULE, uapi.RTM_DELRULE:
		rule, err := rtnetlink.ParseRule(e.Message)
		if err != nil {
			return nil, ""
		}
		ruleRecord(r, rule)
		r.word("\n")
		return r, "[RULE]"
	}
	return nil, ""
}
