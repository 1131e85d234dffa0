// Package rtnltest is a fake kernel for unit tests of code that uses
// rtnetlink: an in-memory network namespace, with links, addresses,
// routes, neighbours and rules, that answers the requests of
// *rtnetlink.Conn as the kernel does, with the kernel's errnos and
// extended ACK messages. It needs no root and no network namespace.
//
// A test makes one with New, seeds it (AddLink, AddAddress, AddRoute,
// AddNeighbor, AddRule) or lets the code under test change it, and gets
// Conns on it with Dial; it then inspects the namespace (Links,
// Addresses, Routes, Neighbors, Rules) or reads it back through a Conn.
// Every Conn of a Kernel sees the same namespace, and the changes are
// notified to the Conns that joined the groups (RTNLGRP_LINK,
// RTNLGRP_IPV4_IFADDR, ...) and echoed for NLM_F_ECHO, as the kernel
// does. It is built on nltest's byte-level fake kernel, so the Conn runs
// exactly as on a kernel socket.
//
// # What it models
//
// What follows is checked against Linux 6.18 by TestSameAsKernel and
// TestCarrierAsKernel, which run the same calls on the fake and on the
// kernel in a network namespace and compare the results, the listings and
// the notifications.
//
// A fresh namespace: lo (index 1, down; setting it up adds 127.0.0.1/8
// and ::1/128 with their routes) and the default rules (0 local, 32766
// main, 32767 default for IPv4; 0 local and 32766 main for IPv6).
//
// Links: get by index or name, dumps filtered by kind and master (with
// NLM_F_DUMP_FILTERED); creation of veth pairs (the peer first, as the
// kernel registers it, so it gets the lower index), bridge, macvlan,
// vxlan, ifb and dummy links, with names from templates ("v%d"), indexes
// as the kernel assigns them (counting up, never reused), locally
// administered MAC addresses (02:4e:4c:..., one per link) and the kinds'
// default MTUs, bounds and settings; RTM_NEWLINK without NLM_F_EXCL on an
// existing link changes it; changes of flags (up/down), MTU (within the
// bounds; the macvlans on a link follow it down), name (also while up, as
// 6.18 allows), hardware address, master (bridges only; a refused master
// leaves the link released from its old one, as the kernel does), alias;
// deletion (both ends of a veth, the macvlans of a lower link, a bridge's
// ports released); the settings users change: promisc, arp and the other
// flags users set, the group, the GSO/GRO limits (a general limit up to
// 64 KiB setting the IPv4 one too), protodown and its reasons (macvlan and
// vxlan only), the IPv6 address generation mode, alternative names
// (RTM_NEWLINKPROP, RTM_DELLINKPROP, lookup by IFLA_ALT_IFNAME or by
// name), the numbers of queues and link mode given on creation, and a
// bridge port's settings (RTM_NEWLINK with IFLA_INFO_SLAVE_DATA) and state
// (AF_BRIDGE RTM_SETLINK), with the kernel's defaults (priority 32, cost 2
// for a veth and 100 otherwise, the lowest free port number) and without
// STP (forwarding while the bridge and the port are up and the port has a
// carrier, unless set disabled). The carrier follows the kind (a veth has one when both
// ends are up, a macvlan when its lower link has, a bridge until it has
// had a port and then when one of its ports has), and with it LOWER_UP,
// RUNNING and the operational state; traffic counters stay zero.
//
// Addresses: IPv4 and IPv6, with labels, secondary addresses (deleting a
// primary deletes its secondaries first, the kernel's default), lifetimes
// kept as given (they do not count down). An IPv4 address gets its local
// route (table local) at once, and its prefix route (table main, with the
// address's metric) and subnet broadcast route (table local) while the
// link is up; an IPv6 address gets its local and prefix (metric 256)
// routes while the link is up. A link going down loses its routes but the
// IPv4 local ones, its IPv6 addresses and its neighbour entries; going up,
// it gets the routes of its addresses back.
//
// Routes: IPv4 and IPv6 in any table, unicast with a link or a gateway
// reachable through a connected route (ENETUNREACH, "Nexthop has invalid
// gateway", for IPv4; EHOSTUNREACH for IPv6), on a link that is up
// (ENETDOWN), multipath, blackhole, unreachable, prohibit and throw;
// NLM_F_CREATE, NLM_F_EXCL and NLM_F_REPLACE as the kernel reads them
// (EEXIST, ENOENT); deletion by any subset of the fields (ESRCH, and "FIB
// table does not exist"). Dumps filter by table, protocol, type and link.
//
// Neighbours and proxy entries (add, replace, delete, get, dump by family,
// link and master), and rules (add with the kernel's default priority,
// EEXIST for a duplicate with NLM_F_EXCL, delete by any subset, ENOENT;
// FIB_RULE_UNRESOLVED and the detached flags as the kernel sets them).
//
// Notifications: the request's own change is reported with its sequence
// number and port (and echoed for NLM_F_ECHO); what follows from it (a
// veth's peer, the routes of an address, entries flushed) is notified
// with sequence number 0, in the kernel's order. As the kernel, the fake
// says nothing of the routes a link loses going down or away, nor of
// proxy entries. The changes of the seeding methods are notified as those
// another program makes: with sequence number 0 and port 0.
//
// # What it does not
//
// No packets, so no neighbour resolution and no route lookups
// (RTM_GETROUTE for one route is EOPNOTSUPP); no IPv6 autoconfiguration
// (no link-local addresses, multicast routes or entries, no DAD); no
// RTNH_F_LINKDOWN; no other namespaces (moving a link, or a veth peer
// elsewhere, is EOPNOTSUPP); no kind options beyond the fields of the
// kinds' types (their Other stays empty), no XDP, no VFs (setting one is
// EOPNOTSUPP, as on a device without them); no nexthop
// objects, FDB, traffic control, or link kinds besides those above (EOPNOTSUPP, "Unknown device type", as
// from a kernel without the module). Requests are checked as the kernel
// does with NETLINK_GET_STRICT_CHK on, whatever the Conn asked. Any other
// request gets EOPNOTSUPP; one that does not parse, EINVAL.
package rtnltest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/nltest"
	"github.com/nlkit/netlink/rtnetlink"
)

// Kernel is a fake kernel with one network namespace. Its methods are
// safe for concurrent use, and with the requests of its Conns.
type Kernel struct {
	nl *nltest.Kernel

	mu     sync.Mutex
	links  []*link // in index order
	next   int     // the next index to try
	macs   uint32  // hardware addresses handed out
	addrs  []rtnetlink.Address
	routes []route
	neighs []rtnetlink.Neighbor
	rules  []rtnetlink.Rule
	notes  []note // the notifications of the change being made

	// ruleAttrMax is the FRA_MAX of the kernel the fake parses rule
	// requests as; 0 is the latest's (SetRuleAttrMax).
	ruleAttrMax uint16
}

// note is one notification of a change: main says it is the change the
// request asked for, which is echoed on NLM_F_ECHO.
type note struct {
	group uint32
	msg   netlink.Message
	main  bool
}

// New returns a fake kernel whose namespace is a fresh one: lo, down, and
// the default rules.
func New() *Kernel {
	k := &Kernel{next: 2}
	k.nl = nltest.New(netlinkRoute, k.handle)
	k.links = []*link{{Link: rtnetlink.Link{
		Index: 1, Name: "lo", HardwareType: arphrdLoopback, Flags: iffLoopback,
		MTU: 65536, TxQueueLen: 1000, LinkNetNSID: -1,
		HardwareAddr: make([]byte, 6), Broadcast: make([]byte, 6),
		GSOMaxSize: defaultLimit, GSOMaxSegs: defaultSegs, GROMaxSize: defaultLimit,
		GSOIPv4MaxSize: defaultLimit, GROIPv4MaxSize: defaultLimit,
	}}}
	k.rules = defaultRules()
	return k
}

// Dial returns an rtnetlink Conn on the fake kernel, made from cfg (which
// may be nil) as rtnetlink.Dial makes one. The caller closes it.
func (k *Kernel) Dial(cfg *netlink.Config) (*rtnetlink.Conn, error) {
	nl, err := k.DialNL(cfg)
	if err != nil {
		return nil, err
	}
	return rtnetlink.New(nl), nil
}

// DialNL returns a raw NETLINK_ROUTE Conn on the fake kernel, as
// nltest.Kernel.Dial makes one: for requests the typed calls do not make,
// and for notifications.
func (k *Kernel) DialNL(cfg *netlink.Config) (*netlink.Conn, error) {
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	c.Options = append(slices.Clone(c.Options), netlink.GetStrictCheck)
	return k.nl.Dial(&c)
}

// NL returns the nltest Kernel underneath, for what nltest offers beyond
// rtnetlink: Notify, Overrun.
func (k *Kernel) NL() *nltest.Kernel { return k.nl }

// handle answers one request: the Handler of the nltest Kernel.
func (k *Kernel) handle(req netlink.Message) (replies []netlink.Message, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	defer func() {
		for _, n := range k.notes {
			if n.main && err == nil {
				k.nl.Report(req, n.group, n.msg)
			} else {
				k.nl.Notify(n.group, n.msg)
			}
		}
		k.notes = nil
	}()
	h := req.Header
	dump := h.Flags&netlink.Dump == netlink.Dump
	switch h.Type {
	case rtmGetLink:
		if dump {
			return k.dumpLinks(req)
		}
		return k.getLink(req)
	case rtmNewLink:
		return nil, k.newLinkMsg(req)
	case rtmSetLink:
		return nil, k.setLinkMsg(req)
	case rtmDelLink:
		return nil, k.delLinkMsg(req)
	case rtmNewLinkProp, rtmDelLinkProp:
		return nil, k.linkPropMsg(req)
	case rtmGetAddr:
		if dump {
			return k.dumpAddrs(req)
		}
	case rtmNewAddr, rtmDelAddr:
		return nil, k.addrRequest(req)
	case rtmGetRoute:
		if dump {
			return k.dumpRoutes(req)
		}
		return nil, fail(syscall.EOPNOTSUPP, "rtnltest: route lookups are not modelled")
	case rtmNewRoute, rtmDelRoute:
		return nil, k.routeRequest(req)
	case rtmGetNeigh:
		if dump {
			return k.dumpNeighs(req)
		}
		return k.getNeigh(req)
	case rtmNewNeigh, rtmDelNeigh:
		return nil, k.neighRequest(req)
	case rtmGetRule:
		if dump {
			return k.dumpRules(req)
		}
	case rtmNewRule, rtmDelRule:
		req, err := k.parseRuleAttrs(req)
		if err != nil {
			return nil, err
		}
		return nil, k.ruleRequest(req)
	}
	return nil, syscall.EOPNOTSUPP
}

// notify queues the notification of a change, sent once the request is
// answered; main marks the change the request asked for.
func (k *Kernel) notify(group uint32, typ netlink.HeaderType, data []byte, main bool) {
	k.notes = append(k.notes, note{group: group, msg: netlink.Message{Header: netlink.Header{Type: typ}, Data: data}, main: main})
}

// flush sends the notifications of a change made by a seeding method.
func (k *Kernel) flush() {
	for _, n := range k.notes {
		k.nl.Notify(n.group, n.msg)
	}
	k.notes = nil
}

// fail is the kernel's refusal with errno e and extended ACK message msg.
func fail(e syscall.Errno, msg string) error {
	return &nltest.Error{Errno: e, Message: msg}
}

// failAt is fail pointing at the attribute at offset off of the request's
// payload.
func failAt(e syscall.Errno, msg string, off int) error {
	return &nltest.Error{Errno: e, Message: msg, Offset: netlink.HeaderLen + off}
}

// errPolicy is the kernel's refusal of an attribute its policy rejects.
func errPolicy(off int) error {
	return failAt(syscall.ERANGE, "Attribute failed policy validation", off)
}

// malformed is the refusal of a request that does not parse.
func malformed(err error) error {
	return fail(syscall.EINVAL, "rtnltest: "+err.Error())
}

// seedError is the error of a seeding method for err, a refusal of this
// package: it wraps the errno and names the operation and the object.
func seedError(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *nltest.Error
	if errors.As(err, &e) && e.Message != "" {
		return fmt.Errorf("rtnltest: %s: %w: %s", op, e.Errno, e.Message)
	}
	if errors.As(err, &e) {
		return fmt.Errorf("rtnltest: %s: %w", op, e.Errno)
	}
	return fmt.Errorf("rtnltest: %s: %w", op, err)
}

// attr is one attribute of a request, with its offset in the payload.
type attr struct {
	typ  uint16
	data []byte
	off  int
}

// attrs splits b, the payload of a request from offset start, into its
// attributes (the nested flag cleared). A malformed list is an error.
func attrs(b []byte, start int) ([]attr, error) {
	if len(b) < start {
		return nil, fmt.Errorf("%d-byte payload is shorter than its %d-byte header", len(b), start)
	}
	var out []attr
	for off := start; off < len(b); {
		if len(b)-off < 4 {
			return nil, fmt.Errorf("%d bytes left at offset %d", len(b)-off, off)
		}
		n := int(binary.NativeEndian.Uint16(b[off:]))
		if n < 4 || n > len(b)-off {
			return nil, fmt.Errorf("attribute length %d at offset %d", n, off)
		}
		out = append(out, attr{typ: binary.NativeEndian.Uint16(b[off+2:]) & 0x3fff, data: b[off+4 : off+n], off: off})
		off += netlink.Align(n)
	}
	return out, nil
}

// find returns the last attribute of type typ in as, or nil.
func find(as []attr, typ uint16) *attr {
	for i := len(as) - 1; i >= 0; i-- {
		if as[i].typ == typ {
			return &as[i]
		}
	}
	return nil
}

// u32 reads a 4-byte attribute; a shorter one is refused.
func (a *attr) u32() (uint32, error) {
	if len(a.data) < 4 {
		return 0, failAt(syscall.ERANGE, "Attribute failed policy validation", a.off)
	}
	return binary.NativeEndian.Uint32(a.data), nil
}

// str reads a string attribute without its NUL.
func (a *attr) str() string {
	b := a.data
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	return string(b)
}

// familyOf is the AF_ of a.
func familyOf(a netip.Addr) uint8 {
	if a.Is4() {
		return afInet
	}
	return afInet6
}

// groupOf picks the IPv4 or the IPv6 group of a change of family fam.
func groupOf(fam uint8, v4, v6 uint32) uint32 {
	if fam == afInet {
		return v4
	}
	return v6
}
