package main

import (
	"context"
	"net/netip"
	"strings"

	"github.com/nlkit/netlink/rtnetlink"
)

// runNeigh runs ip neigh: show, add, replace, delete.
func runNeigh(ctx context.Context, c *rtnetlink.Conn, args []string) error {
	cmd, ok := command(args, "add", "change", "replace", "delete", "list", "show", "lst")
	if !ok {
		return unknownCommand(args[0], "neigh")
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
		return neighModify(ctx, c, ls, cmd, args)
	}
	return neighShow(ctx, c, ls, args)
}

// nudStates are the states ip names, in its order.
var nudStates = []struct {
	state rtnetlink.NeighborState
	name  string
}{
	{rtnetlink.NeighIncomplete, "INCOMPLETE"}, {rtnetlink.NeighReachable, "REACHABLE"},
	{rtnetlink.NeighStale, "STALE"}, {rtnetlink.NeighDelay, "DELAY"}, {rtnetlink.NeighProbe, "PROBE"},
	{rtnetlink.NeighFailed, "FAILED"}, {rtnetlink.NeighNoARP, "NOARP"}, {rtnetlink.NeighPermanent, "PERMANENT"},
}

// nudState reads a state's name as ip neigh add takes it ("stale").
func nudState(s string) (rtnetlink.NeighborState, error) {
	if strings.EqualFold(s, "none") {
		return rtnetlink.NeighNone, nil
	}
	for _, st := range nudStates {
		if strings.EqualFold(st.name, s) {
			return st.state, nil
		}
	}
	return 0, invarg("nud state is bad", s)
}

// neighShow runs ip neigh show [dev NAME] [[to] PREFIX].
func neighShow(ctx context.Context, c *rtnetlink.Conn, ls *links, args argv) error {
	var dev int
	var to netip.Prefix
	for ; len(args) > 0; args = args[1:] {
		w := args[0]
		var err error
		switch w {
		case "dev":
			if w, err = args.next(); err == nil {
				err = showDevice(ls, &dev, w)
			}
		default:
			if w == "to" {
				if w, err = args.next(); err != nil {
					return err
				}
			}
			to, err = prefix(w)
		}
		if err != nil {
			return err
		}
	}
	var recs []*record
	for n, err := range c.Neighbors(ctx, rtnetlink.NeighborFilter{Family: opt.family, Index: dev}) {
		if err != nil {
			return dumpError(err)
		}
		if to.IsValid() && !to.Masked().Contains(n.IP) {
			continue
		}
		// ip neigh show leaves out NOARP entries (multicast, loopback)
		// and entries with no state, unless they are proxy or externally
		// learned.
		shown := n.State&^(rtnetlink.NeighNoARP) != 0
		if !shown && n.Flags&(rtnetlink.NeighProxy|rtnetlink.NeighExtLearned) == 0 {
			continue
		}
		r := newRecord()
		neighRecord(r, n, ls, dev != 0)
		r.word("\n")
		recs = append(recs, r)
	}
	return output(recs)
}

// neighRecord prints n's line (without its newline) as ip neigh does;
// without the link's name when the listing is for one link.
func neighRecord(r *record, n rtnetlink.Neighbor, ls *links, oneDev bool) {
	r.add("dst", "%s ", n.IP.String())
	if !oneDev && n.Index != 0 {
		r.add("dev", "dev %s ", ls.name(n.Index))
	}
	if n.HardwareAddr != nil {
		r.add("lladdr", "lladdr %s ", n.HardwareAddr.String())
	}
	for _, f := range []struct {
		flag rtnetlink.NeighborFlags
		name string
	}{
		{rtnetlink.NeighRouter, "router"}, {rtnetlink.NeighProxy, "proxy"}, {rtnetlink.NeighManaged, "managed"},
		{rtnetlink.NeighExtLearned, "extern_learn"}, {rtnetlink.NeighOffloaded, "offload"},
	} {
		if n.Flags&f.flag != 0 {
			r.flag(f.name, f.name+" ", nil)
		}
	}
	if n.State != 0 {
		var states []string
		for _, s := range nudStates {
			if n.State&s.state != 0 {
				states = append(states, s.name)
				r.word(s.name + " ")
			}
		}
		r.json.set("state", states)
	}
	if n.Protocol != 0 {
		r.add("protocol", "proto %s ", n.Protocol.String())
	}
}

// neighModify runs ip neigh add, change, replace and delete: ADDR
// [lladdr MAC] [nud STATE] [router] [proxy] dev NAME.
func neighModify(ctx context.Context, c *rtnetlink.Conn, ls *links, cmd string, args argv) error {
	var n rtnetlink.Neighbor
	dev := ""
	for ; len(args) > 0; args = args[1:] {
		key, val := args[0], ""
		switch key {
		case "lladdr", "nud", "dev", "to":
			var err error
			if val, err = args.next(); err != nil {
				return err
			}
		}
		var err error
		switch key {
		case "lladdr":
			n.HardwareAddr, err = lladdr(val)
		case "nud":
			if n.State, err = nudState(val); err != nil {
				return err
			}
		case "router":
			n.Flags |= rtnetlink.NeighRouter
		case "proxy":
			n.Flags |= rtnetlink.NeighProxy
		case "dev":
			dev = val
		default:
			if key == "to" {
				key = val
			}
			if n.IP.IsValid() {
				return garbage("to", key)
			}
			var p netip.Prefix
			if p, err = prefix(key); err == nil {
				n.IP = p.Addr()
			}
		}
		if err != nil {
			return err
		}
	}
	if dev == "" || !n.IP.IsValid() {
		return usage("Device and destination are required arguments.")
	}
	var err error
	if n.Index, err = ls.device(dev); err != nil {
		return err
	}
	switch cmd {
	case "add":
		err = c.AddNeighbor(ctx, n)
	case "delete":
		err = c.DeleteNeighbor(ctx, n)
	default:
		err = c.ReplaceNeighbor(ctx, n)
	}
	return kernelError(err)
}
