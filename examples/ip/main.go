// Command ip is a small `ip` built on package rtnetlink. It shows and
// changes links, addresses, routes, neighbours and rules, and prints the
// kernel's notifications (monitor), in ip's words: the same text, the same
// JSON shape with -j, the same error messages and exit codes for what it
// supports. See README.md for the list.
//
//	go run ./examples/ip [-4|-6] [-j] [-d] [-n NAME] link|address|route|neigh|rule|monitor [COMMAND [ARGS]]
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/rtnetlink"
)

// opts are ip's global options that this program knows.
type opts struct {
	family  int    // -4, -6: uapi.AF_INET or uapi.AF_INET6, 0 for both
	json    bool   // -j, -json
	details bool   // -d, -details
	netns   string // -n NAME: the namespace ip netns add NAME made
}

var opt opts

// exitError is an error that ends the program with ip's words and status.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usage fails as ip does on a command line it cannot parse (exit 255).
func usage(format string, a ...any) error { return &exitError{255, fmt.Sprintf(format, a...)} }

// failf fails as ip does on a bad value or a missing object (exit 1).
func failf(format string, a ...any) error { return &exitError{1, fmt.Sprintf(format, a...)} }

// kernelError says what the kernel said as ip does: its extended ACK
// message ("Error: ipv4: Address already assigned."), or the errno
// ("RTNETLINK answers: File exists"); exit 2.
func kernelError(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	var op *netlink.OpError
	if errors.Is(err, os.ErrInvalid) || errors.As(err, &op) && op.Op == "check" {
		// Package rtnetlink refused the request before sending it.
		return &exitError{1, "Error: " + err.Error()}
	}
	if errors.As(err, &op) && op.Message != "" {
		msg := op.Message
		if !strings.HasSuffix(msg, ".") {
			msg += "."
		}
		return &exitError{2, "Error: " + msg}
	}
	return &exitError{2, "RTNETLINK answers: " + strerror(err)}
}

// strerror says what the errno in err means, as C's strerror does
// ("File exists"), or err itself when it has no errno.
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	s := errno.Error()
	return strings.ToUpper(s[:1]) + s[1:]
}

// dumpError is kernelError for a listing: ip adds "Dump terminated".
func dumpError(err error) error {
	ke := kernelError(err).(*exitError)
	ke.msg += "\nDump terminated"
	return ke
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

// object is one of ip's objects: its full name, as ip's help names it,
// and what runs it (nil for the objects this program does not know).
type object struct {
	name string
	run  func(ctx context.Context, c *rtnetlink.Conn, args []string) error
}

// objects are ip's objects in ip's order, which decides what an
// abbreviation means ("a" is address, "r" route, "m" maddress).
var objects = []object{
	{"address", runAddr}, {"addrlabel", nil}, {"maddress", nil}, {"route", runRoute},
	{"rule", runRule}, {"neighbor", runNeigh}, {"neighbour", runNeigh}, {"ntable", nil},
	{"link", runLink}, {"l2tp", nil}, {"fou", nil}, {"ila", nil}, {"macsec", nil},
	{"tunnel", nil}, {"tuntap", nil}, {"token", nil}, {"tcpmetrics", nil},
	{"monitor", nil}, {"xfrm", nil}, {"mroute", nil}, {"mrule", nil},
	{"netns", nil}, {"netconf", nil}, {"vrf", nil}, {"sr", nil}, {"nexthop", nil},
	{"mptcp", nil}, {"ioam", nil}, {"stats", nil},
}

// options are ip's global options that abbreviate, in ip's order, which
// decides what an abbreviation means ("-d" is -details, "-n" -netns).
// This program knows -details, -json and -netns.
var options = []string{
	"-loops", "-family", "-human", "-human-readable", "-iec", "-stats", "-statistics", "-details",
	"-resolve", "-oneline", "-timestamp", "-tshort", "-Version", "-force", "-batch", "-brief",
	"-json", "-pretty", "-rcvbuf", "-help", "-netns", "-Numeric", "-all",
}

func run(ctx context.Context, args []string) error {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 {
		o := args[0]
		if strings.HasPrefix(o, "--") {
			o = o[1:]
		}
		if o != "-4" && o != "-6" {
			for _, name := range options {
				if strings.HasPrefix(name, o) {
					o = name
					break
				}
			}
		}
		switch o {
		case "-4":
			opt.family = uapi.AF_INET
		case "-6":
			opt.family = uapi.AF_INET6
		case "-json":
			opt.json = true
		case "-details":
			opt.details = true
		case "-netns":
			if len(args) < 2 {
				return usage(`Command line is not complete. Try option "help"`)
			}
			opt.netns = args[1]
			args = args[1:]
		default:
			if slices.Contains(options, o) {
				return failf(`Option "%s" is not supported by this example.`, o)
			}
			return usage(`Option "%s" is unknown, try "ip -help".`, args[0])
		}
		args = args[1:]
	}
	if len(args) == 0 {
		return usage("Usage: ip [-4|-6] [-j] [-d] [-n NAME] { link | address | route | neigh | rule | monitor } ...")
	}
	var obj *object
	for i := range objects {
		if strings.HasPrefix(objects[i].name, args[0]) {
			obj = &objects[i]
			break
		}
	}
	if obj == nil {
		return failf(`Object "%s" is unknown, try "ip help".`, args[0])
	}
	var ns string
	if opt.netns != "" {
		ns = "/var/run/netns/" + opt.netns
		if _, err := os.Stat(ns); err != nil {
			return usage(`Cannot open network namespace "%s": %s`, opt.netns, strerror(err))
		}
	}
	if obj.name == "monitor" {
		return monitor(ctx, ns, args[1:])
	}
	if obj.run == nil {
		return failf(`Object "%s" is not supported by this example.`, obj.name)
	}
	c, err := rtnetlink.Dial(&netlink.Config{NetNS: ns, OnWarning: warn})
	if err != nil {
		return err
	}
	defer c.Close()
	return obj.run(ctx, c, args[1:])
}

// warn prints a warning the kernel sent with a request that succeeded, as
// ip does.
func warn(a netlink.Ack) {
	if a.Message != "" {
		fmt.Fprintln(os.Stderr, "Warning: "+strings.TrimSuffix(a.Message, ".")+".")
	}
}

// command finds what args[0] abbreviates among cmds, as ip does: the first
// that starts with it. No args is "show".
func command(args []string, cmds ...string) (string, bool) {
	if len(args) == 0 {
		return "show", true
	}
	for _, c := range cmds {
		if strings.HasPrefix(c, args[0]) {
			return c, true
		}
	}
	return "", false
}

// unknownCommand is ip's answer to a command it does not know.
func unknownCommand(cmd, obj string) error {
	return usage(`Command "%s" is unknown, try "ip %s help".`, cmd, obj)
}

// argv walks a command's arguments as ip does.
type argv []string

// next returns the value after a keyword, or ip's complaint when there is
// none.
func (a *argv) next() (string, error) {
	if len(*a) < 2 {
		return "", usage(`Command line is not complete. Try option "help"`)
	}
	*a = (*a)[1:]
	return (*a)[0], nil
}

// garbage is ip's answer to a word it does not expect after a device.
func garbage(key, word string) error {
	return usage(`Error: either "%s" is duplicate, or "%s" is a garbage.`, key, word)
}

// invarg is ip's answer to a value it cannot parse.
func invarg(msg, arg string) error {
	return usage(`Error: argument "%s" is wrong: %s`, arg, msg)
}

// links reads every link once, for names and indexes.
type links struct {
	byIndex map[int]rtnetlink.Link
	byName  map[string]int
}

func readLinks(ctx context.Context, c *rtnetlink.Conn) (*links, error) {
	ls := &links{byIndex: map[int]rtnetlink.Link{}, byName: map[string]int{}}
	for l, err := range c.Links(ctx, rtnetlink.LinkFilter{}) {
		if err != nil {
			return nil, dumpError(err)
		}
		ls.byIndex[l.Index] = l
		ls.byName[l.Name] = l.Index
	}
	return ls, nil
}

// name names a link as ip does, "if%d" when it is not known.
func (ls *links) name(index int) string {
	if l, ok := ls.byIndex[index]; ok {
		return l.Name
	}
	return fmt.Sprintf("if%d", index)
}

// device returns the index of the link name, or ip's complaint.
func (ls *links) device(name string) (int, error) {
	if i, ok := ls.byName[name]; ok {
		return i, nil
	}
	return 0, failf(`Cannot find device "%s"`, name)
}
