// Command tc is a small tc on package tc: it shows, adds and deletes
// qdiscs, classes and filters.
//
//	tc [-n NETNS] [-j] qdisc|class|filter show dev NAME [parent H]
//	tc qdisc add|del dev NAME (root|ingress|parent H) [handle H] KIND [OPTIONS]
//	tc class add|del dev NAME parent H classid H htb rate BPS [ceil BPS]
//	tc filter add|del dev NAME parent H prio N (u32 dst PREFIX | matchall) flowid H
//
// Qdisc kinds with options: htb [default MINOR], pfifo|bfifo [limit N],
// fq_codel, clsact, ingress. Rates are in bytes per second.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
	"github.com/nlkit/netlink/tc"
)

func main() {
	netns := flag.String("n", "", "network namespace name (ip netns)")
	asJSON := flag.Bool("j", false, "print JSON")
	flag.Parse()
	if err := run(*netns, *asJSON, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(netns string, asJSON bool, args []string) error {
	if len(args) < 4 || args[2] != "dev" {
		return fmt.Errorf("usage: tc [-n NETNS] [-j] qdisc|class|filter show|add|del dev NAME [ARGS]")
	}
	var cfg netlink.Config
	if netns != "" {
		cfg.NetNS = filepath.Join("/var/run/netns", netns)
	}
	c, err := tc.Dial(&cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx := context.Background()
	l, err := rtnetlink.New(c.NL).LinkByName(ctx, args[3])
	if err != nil {
		return err
	}
	obj, verb, opts := args[0], args[1], keywords(args[4:])
	parent, err := handleArg(opts, "parent", tc.HandleUnspec)
	if err != nil {
		return err
	}
	switch obj + " " + verb {
	case "qdisc show":
		return show(asJSON, c.Qdiscs(ctx, l.Index))
	case "class show":
		return show(asJSON, c.Classes(ctx, l.Index, parent))
	case "filter show":
		return show(asJSON, c.Filters(ctx, l.Index, parent))
	}
	handle, err := handleArg(opts, "handle", tc.HandleUnspec)
	if err != nil {
		return err
	}
	switch obj {
	case "qdisc":
		q := &tc.Qdisc{Ifindex: l.Index, Handle: handle, Parent: parent}
		switch {
		case opts.has("root"):
			q.Parent = tc.HandleRoot
		case opts.has("ingress"), opts.has("clsact"):
			q.Parent = tc.HandleIngress
		}
		q.Kind = opts.kind
		switch opts.kind {
		case "htb":
			q.Options = &tc.HTB{Default: uint32(opts.num("default", 16))}
		case "pfifo", "bfifo":
			q.Options = &tc.FIFO{KindName: opts.kind, Limit: uint32(opts.num("limit", 10))}
		}
		if verb == "del" {
			return c.DeleteQdisc(ctx, q)
		}
		return c.AddQdisc(ctx, q)
	case "class":
		id, err := handleArg(opts, "classid", tc.HandleUnspec)
		if err != nil {
			return err
		}
		cl := &tc.Class{Ifindex: l.Index, Handle: id, Parent: parent, Kind: "htb"}
		if verb == "del" {
			return c.DeleteClass(ctx, cl)
		}
		cl.Options = &tc.HTBClass{Rate: tc.RateSpec{Rate: opts.num("rate", 0)}, Ceil: tc.RateSpec{Rate: opts.num("ceil", 0)}}
		return c.AddClass(ctx, cl)
	case "filter":
		flow, err := handleArg(opts, "flowid", tc.HandleUnspec)
		if err != nil {
			return err
		}
		f := &tc.Filter{Ifindex: l.Index, Parent: parent, Priority: uint16(opts.num("prio", 0)), Protocol: tc.ProtoIP, Kind: opts.kind}
		if verb == "del" {
			return c.DeleteFilter(ctx, f)
		}
		switch opts.kind {
		case "u32":
			p, err := netip.ParsePrefix(opts.vals["dst"])
			if err != nil || !p.Addr().Is4() {
				return fmt.Errorf("u32: dst %q: want an IPv4 prefix", opts.vals["dst"])
			}
			a := p.Masked().Addr().As4()
			f.Options = &tc.U32{ClassID: flow, Sel: &tc.U32Sel{Flags: tc.U32Terminal, Keys: []tc.U32Key{{
				Val:  uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]),
				Mask: ^uint32(0) << (32 - p.Bits()), Off: 16,
			}}}}
		case "matchall":
			f.Protocol = tc.ProtoAll
			f.Options = &tc.Matchall{ClassID: flow}
		}
		return c.AddFilter(ctx, f)
	}
	return fmt.Errorf("unknown object %q", obj)
}

// opts are the arguments after the link: keywords with values, flags,
// and the kind (the first word that is neither).
type opts struct {
	vals  map[string]string
	flags map[string]bool
	kind  string
}

var valued = map[string]bool{"parent": true, "handle": true, "classid": true, "flowid": true, "prio": true,
	"rate": true, "ceil": true, "default": true, "limit": true, "dst": true}

func keywords(args []string) opts {
	o := opts{vals: map[string]string{}, flags: map[string]bool{}}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case valued[a] && i+1 < len(args):
			o.vals[a] = args[i+1]
			i++
		case a == "root" || a == "ingress" && o.kind != "":
			o.flags[a] = true
		case o.kind == "":
			o.kind = a
		default:
			o.flags[a] = true
		}
	}
	if o.kind == "ingress" || o.kind == "clsact" {
		o.flags[o.kind] = true
	}
	return o
}

func (o opts) has(k string) bool { return o.flags[k] }

func (o opts) num(k string, def uint64) uint64 {
	if v, err := strconv.ParseUint(o.vals[k], 0, 64); err == nil {
		return v
	}
	return def
}

func handleArg(o opts, k string, def tc.Handle) (tc.Handle, error) {
	if s, ok := o.vals[k]; ok {
		return tc.ParseHandle(s)
	}
	return def, nil
}

// show prints a listing, one object a line, or as JSON.
func show[T any](asJSON bool, seq func(func(T, error) bool)) error {
	var all []T
	for v, err := range seq {
		if err != nil {
			return err
		}
		if !asJSON {
			fmt.Printf("%+v\n", v)
		}
		all = append(all, v)
	}
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(all)
	}
	return nil
}
