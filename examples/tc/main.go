// Command tc is a small tc on package tc. For what it supports it prints
// what iproute2's tc prints, in text and with -j, and refuses what tc
// refuses with tc's words and exit status (255 for a command line it
// cannot parse, 1 for a bad value or a missing device, 2 for the
// kernel's refusal, printed as its extended ACK or errno):
//
//	tc [-j] [-d] [-n NETNS] qdisc show [dev NAME]
//	tc [-j] [-d] [-n NETNS] class show dev NAME
//	tc [-j] [-d] [-n NETNS] filter show dev NAME [parent H]
//	tc qdisc add|replace|del dev NAME root|ingress|clsact|parent H [handle H] [KIND [OPTIONS]]
//	tc class add|replace|del dev NAME parent H classid H [htb rate RATE [ceil RATE] [prio N] [quantum N]]
//	tc filter add|del dev NAME parent H [protocol ip|all] prio N [u32 match ip src|dst PREFIX flowid H]
//
// Qdisc kinds: htb [default HEX] [r2q N] [direct_qlen N], pfifo|bfifo|
// pfifo_head_drop [limit N], ingress, clsact; another kind is sent without
// options, and shown with its name only. Rates are tc's (10mbit, 1gbit).
// -d is taken but adds nothing (tc's details are not printed), and the
// kernel's warnings on a request that succeeds are not printed (package
// tc does not return them); with -j, classes print as text, as iproute2
// 6.1's tc prints them.
package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
	"github.com/nlkit/netlink/tc"
)

// exitError ends the program with tc's words and status.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usage(format string, a ...any) error { return &exitError{255, fmt.Sprintf(format, a...)} }
func failf(format string, a ...any) error { return &exitError{1, fmt.Sprintf(format, a...)} }

// kernelError says what the kernel said as tc does: its extended ACK
// message, or the errno; exit 2. Filters add tc's second line.
func kernelError(err error, obj string) error {
	var ee *exitError
	if err == nil || errors.As(err, &ee) {
		return err
	}
	var op *netlink.OpError
	if errors.As(err, &op) && op.Op == "check" {
		return failf("Error: %v", err) // refused by package tc before sending
	}
	var msg string
	if errors.As(err, &op) && op.Message != "" {
		msg = "Error: " + strings.TrimSuffix(op.Message, ".") + "."
	} else {
		var errno syscall.Errno
		s := err.Error()
		if errors.As(err, &errno) {
			s = errno.Error()
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		msg = "RTNETLINK answers: " + s
	}
	if obj == "filter" {
		msg += "\nWe have an error talking to the kernel"
	}
	return &exitError{2, msg}
}

func main() {
	err := run(context.Background(), os.Args[1:])
	if err == nil {
		return
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		ee = &exitError{1, err.Error()}
	}
	fmt.Fprintln(os.Stderr, ee.msg)
	os.Exit(ee.code)
}

// flags are tc's global options this program knows.
type flags struct{ json, details bool }

func run(ctx context.Context, args []string) error {
	var fl flags
	var netns string
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch o := strings.TrimPrefix(strings.TrimPrefix(args[0], "-"), "-"); {
		case o == "j" || o == "json":
			fl.json = true
		case o == "d" || o == "details":
			fl.details = true
		case o == "n" || o == "netns":
			if len(args) < 2 {
				return usage("Option \"%s\" requires an argument", args[0])
			}
			netns, args = args[1], args[1:]
		default:
			return usage("Option \"%s\" is unknown, try \"tc -help\".", args[0])
		}
		args = args[1:]
	}
	if len(args) == 0 {
		return usage("Usage: tc [ OPTIONS ] OBJECT { COMMAND | help }")
	}
	obj := args[0]
	if obj != "qdisc" && obj != "class" && obj != "filter" {
		return usage("Object \"%s\" is unknown, try \"tc help\".", obj)
	}
	cmd := "show"
	if len(args) > 1 {
		cmd = args[1]
		args = args[2:]
	} else {
		args = nil
	}
	switch cmd {
	case "show", "list", "ls", "lst":
		cmd = "show"
	case "add", "replace", "del", "delete":
	default:
		return usage("Command \"%s\" is unknown, try \"tc %s help\".", cmd, obj)
	}
	cfg := netlink.Config{}
	if netns != "" {
		cfg.NetNS = netns
		if !strings.Contains(netns, "/") {
			cfg.NetNS = filepath.Join("/var/run/netns", netns)
		}
	}
	c, err := tc.Dial(&cfg)
	if err != nil {
		return failf("Cannot open netlink socket: %v", err)
	}
	defer c.Close()
	links, err := readLinks(ctx, rtnetlink.New(c.NL))
	if err != nil {
		return err
	}
	a, err := parseArgs(obj, cmd, args, links)
	if err != nil {
		return err
	}
	if cmd == "show" {
		if !a.hasDev && obj != "qdisc" {
			return nil // tc lists classes and filters of a link only
		}
		return show(ctx, c, fl, obj, a, links)
	}
	return kernelError(change(ctx, c, obj, cmd, a), obj)
}

// argv is what a command line says after the command.
type argv struct {
	ifindex          int
	parent, handle   tc.Handle
	hasParent        bool
	prio             uint16
	proto            uint16
	kind             string
	qdisc            tc.Options
	classOpts        *tc.HTBClass
	filterOpts       tc.Options
	hasDev, hasProto bool
}

func parseArgs(obj, cmd string, args []string, links map[string]int) (*argv, error) {
	a := &argv{parent: tc.HandleUnspec, proto: tc.ProtoAll}
	help := fmt.Sprintf("Try \"tc %s help\".", obj)
	handle := func(what, s string) (tc.Handle, error) {
		h, err := tc.ParseHandle(s)
		if err != nil {
			id := "class"
			if what == "handle" && obj == "qdisc" {
				id = "qdisc"
			}
			return 0, usage("Error: argument \"%s\" is wrong: invalid %s ID", s, id)
		}
		return h, nil
	}
	for i := 0; i < len(args); i++ {
		w := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", usage("Command line is not complete. Try option \"help\"")
			}
			i++
			return args[i], nil
		}
		var err error
		switch {
		case w == "dev":
			var name string
			if name, err = next(); err != nil {
				return nil, err
			}
			idx, ok := links[name]
			if !ok {
				return nil, failf("Cannot find device \"%s\"", name)
			}
			a.ifindex, a.hasDev = idx, true
		case w == "root" && obj != "filter":
			a.parent, a.hasParent = tc.HandleRoot, true
		case (w == "ingress" || w == "clsact") && obj == "qdisc" && a.kind == "":
			a.parent, a.hasParent, a.kind = tc.HandleIngress, true, w
			a.handle = tc.MakeHandle(0xffff, 0)
		case w == "parent":
			var s string
			if s, err = next(); err == nil {
				a.parent, err = handle("parent", s)
				a.hasParent = true
			}
		case w == "handle" && obj == "qdisc", w == "classid" && obj == "class":
			var s string
			if s, err = next(); err == nil {
				a.handle, err = handle(w, s)
			}
		case obj == "filter" && (w == "prio" || w == "pref" || w == "priority"):
			var s string
			if s, err = next(); err == nil {
				p, perr := strconv.ParseUint(s, 0, 16)
				if perr != nil {
					return nil, failf("Illegal \"priority\"")
				}
				a.prio = uint16(p)
			}
		case obj == "filter" && w == "protocol":
			var s string
			if s, err = next(); err == nil {
				a.hasProto = true
				switch s {
				case "ip":
					a.proto = tc.ProtoIP
				case "all":
					a.proto = tc.ProtoAll
				default:
					return nil, failf("Illegal \"protocol\"")
				}
			}
		case cmd == "show":
			return nil, usage("What is \"%s\"? %s", w, help)
		case a.kind == "":
			a.kind = w
			var rest []string
			rest, i = args[i+1:], len(args)
			err = a.options(obj, rest)
		}
		if err != nil {
			return nil, err
		}
	}
	if cmd != "show" && !a.hasDev {
		// Package tc refuses a request without a link before sending
		// it; the kernel answers tc's with ENODEV.
		return nil, &exitError{2, "RTNETLINK answers: No such device"}
	}
	return a, nil
}

// options parses a kind's options.
func (a *argv) options(obj string, args []string) error {
	switch obj + " " + a.kind {
	case "qdisc htb":
		h := &tc.HTB{}
		for i := 0; i < len(args); i++ {
			k := args[i]
			if i+1 >= len(args) || k != "default" && k != "r2q" && k != "direct_qlen" {
				return failf("What is \"%s\"?", k)
			}
			i++
			base := 10
			if k == "default" {
				base = 16
			}
			v, err := strconv.ParseUint(args[i], base, 32)
			if err != nil {
				return failf("Illegal \"%s\"", k)
			}
			switch k {
			case "default":
				h.Default = uint32(v)
			case "r2q":
				h.R2Q = uint32(v)
			default:
				h.DirectQlen, h.HasDirectQlen = uint32(v), true
			}
		}
		a.qdisc = h
	case "qdisc pfifo", "qdisc bfifo", "qdisc pfifo_head_drop":
		f := &tc.FIFO{KindName: a.kind}
		for i := 0; i < len(args); i++ {
			if args[i] != "limit" {
				return failf("%s: unknown parameter \"%s\"", a.kind, args[i])
			}
			if i+1 >= len(args) {
				return usage("Command line is not complete. Try option \"help\"")
			}
			i++
			v, err := strconv.ParseUint(args[i], 0, 32)
			if err != nil {
				return failf("%s: Illegal value for \"limit\": \"%s\"", a.kind, args[i])
			}
			f.Limit, f.HasLimit = uint32(v), true
		}
		a.qdisc = f
	case "qdisc ingress", "qdisc clsact":
		if len(args) > 0 {
			return failf("What is \"%s\"?", args[0])
		}
		a.parent, a.hasParent, a.handle = tc.HandleIngress, true, tc.MakeHandle(0xffff, 0)
	case "class htb":
		c := &tc.HTBClass{}
		for i := 0; i < len(args); i++ {
			k := args[i]
			if i+1 >= len(args) || k != "rate" && k != "ceil" && k != "prio" && k != "quantum" {
				return failf("What is \"%s\"?", k)
			}
			i++
			var err error
			switch k {
			case "rate":
				c.Rate.Rate, err = parseRate(args[i])
			case "ceil":
				c.Ceil.Rate, err = parseRate(args[i])
			case "prio", "quantum":
				var v uint64
				v, err = strconv.ParseUint(args[i], 10, 32)
				if k == "prio" {
					c.Prio = uint32(v)
				} else {
					c.Quantum = uint32(v)
				}
			}
			if err != nil {
				return failf("Illegal \"%s\"", k)
			}
		}
		if c.Rate.Rate == 0 {
			return failf("\"rate\" is required.")
		}
		a.classOpts = c
	case "filter u32":
		u := &tc.U32{Sel: &tc.U32Sel{Flags: tc.U32Terminal}}
		for i := 0; i < len(args); i++ {
			switch args[i] {
			case "match":
				if i+3 >= len(args) || args[i+1] != "ip" || args[i+2] != "src" && args[i+2] != "dst" {
					return failf("Illegal \"match\"")
				}
				p, err := netip.ParsePrefix(args[i+3])
				if err != nil {
					addr, aerr := netip.ParseAddr(args[i+3])
					p, err = netip.PrefixFrom(addr, 32), aerr
				}
				if err != nil || !p.Addr().Is4() {
					return failf("Illegal \"match\"")
				}
				b := p.Masked().Addr().As4()
				off := int32(12)
				if args[i+2] == "dst" {
					off = 16
				}
				u.Sel.Keys = append(u.Sel.Keys, tc.U32Key{
					Val: uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), Off: off,
					Mask: uint32(uint64(math.MaxUint32) << (32 - p.Bits())),
				})
				i += 3
			case "flowid", "classid":
				if i+1 >= len(args) {
					return usage("Command line is not complete. Try option \"help\"")
				}
				i++
				h, err := tc.ParseHandle(args[i])
				if err != nil {
					return failf("Illegal \"classid\"")
				}
				u.ClassID = h
			default:
				return failf("What is \"%s\"?", args[i])
			}
		}
		a.filterOpts = u
	default:
		if len(args) > 0 {
			return failf("Unknown %s \"%s\", hence option \"%s\" is unparsable", obj, a.kind, args[0])
		}
	}
	return nil
}

// parseRate reads a rate as tc writes it (bit, kbit, mbit, gbit, or
// bps, kbps, ... in bytes) into bytes per second.
func parseRate(s string) (uint64, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := s, "bit"
	if i >= 0 {
		num, unit = s[:i], strings.ToLower(s[i:])
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad rate %q", s)
	}
	mult := map[string]float64{"bit": 1, "kbit": 1e3, "mbit": 1e6, "gbit": 1e9, "tbit": 1e12,
		"bps": 8, "kbps": 8e3, "mbps": 8e6, "gbps": 8e9, "tbps": 8e12}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("bad rate unit %q", s)
	}
	return uint64(v * mult / 8), nil
}

func change(ctx context.Context, c *tc.Conn, obj, cmd string, a *argv) error {
	del := cmd == "del" || cmd == "delete"
	switch obj {
	case "qdisc":
		if !a.hasParent {
			return failf("Error: \"root\", \"ingress\", \"clsact\" or \"parent\" is required (this program's words).")
		}
		q := &tc.Qdisc{Ifindex: a.ifindex, Parent: a.parent, Handle: a.handle, Kind: a.kind, Options: a.qdisc}
		if a.kind != "" && a.qdisc == nil && a.kind != "ingress" && a.kind != "clsact" {
			q.Options = &tc.RawOptions{KindName: a.kind}
		}
		switch {
		case del:
			if a.kind != "" {
				q.Options = nil
			}
			return c.DeleteQdisc(ctx, q)
		case cmd == "replace":
			return c.ReplaceQdisc(ctx, q)
		}
		return c.AddQdisc(ctx, q)
	case "class":
		cl := &tc.Class{Ifindex: a.ifindex, Parent: a.parent, Handle: a.handle, Kind: a.kind}
		if a.classOpts != nil {
			cl.Options = a.classOpts
		}
		switch {
		case del:
			cl.Options = nil
			return c.DeleteClass(ctx, cl)
		case cmd == "replace":
			return c.ReplaceClass(ctx, cl)
		}
		return c.AddClass(ctx, cl)
	}
	f := &tc.Filter{Ifindex: a.ifindex, Parent: a.parent, Priority: a.prio, Protocol: a.proto, Kind: a.kind, Options: a.filterOpts}
	if del {
		if !a.hasProto {
			f.Protocol = 0 // any, as tc sends it
		}
		f.Options = nil
		return c.DeleteFilter(ctx, f)
	}
	if f.Kind == "" {
		return failf("Unknown filter \"\", hence option \"\" is unparsable")
	}
	return c.AddFilter(ctx, f)
}

// readLinks returns the namespace's links by name.
func readLinks(ctx context.Context, c *rtnetlink.Conn) (map[string]int, error) {
	m := map[string]int{}
	for l, err := range c.Links(ctx, rtnetlink.LinkFilter{}) {
		if err != nil {
			return nil, failf("Cannot send dump request: %v", err)
		}
		m[l.Name] = l.Index
	}
	return m, nil
}
