// Package tctest is a fake kernel for unit tests of code that uses package
// tc: in-memory links with qdiscs, classes and filters that answer
// tc.Conn's calls as the kernel does (add, replace, change, delete, list),
// with the kernel's errnos and extended ACK messages, and notify the Conns
// that joined tc.GroupTC (RTNLGRP_TC). It runs on package nltest, needs no
// root and builds on every GOOS.
//
// # What it models
//
// What follows is checked against Linux 6.18 by TestSameAsKernel, which
// runs the same calls on the fake and on the kernel in a network namespace
// and compares the errors, the listings and the notifications.
//
// Links are seeded with AddLink; a request for another link gets ENODEV.
// A link is as one that is down: its default root qdisc (handle 0:, which
// a delete cannot remove) is not listed, and it has no ingress queue.
//
// Qdiscs: created under the root, the ingress hook (ingress and clsact,
// handle ffff:) or a class of a classful qdisc, with the handle given or
// the next automatic one (8001:, 8002:, ...); NLM_F_CREATE, NLM_F_EXCL and
// NLM_F_REPLACE read as the kernel reads them (a new qdisc grafted in
// place of another, which goes with everything below it, also for a
// request without flags that names another kind, as tc qdisc change
// sends; a change of the qdisc at a handle; a change of htb, ingress or clsact options is
// refused, as the kernel refuses it). Deleting a qdisc deletes its
// classes, the qdiscs below them and its filters, notified as the kernel
// notifies it: the qdisc, then the filter chains gone with it.
//
// Classes: of htb, hfsc, drr and qfq qdiscs, made by RTM_NEWTCLASS (an htb
// class whose parent class does not exist hangs from the qdisc, as with
// the kernel); the built-in classes of prio (1 to bands), tbf and netem
// (1) are listed with their leaf qdiscs. A class with child classes cannot
// be deleted (EBUSY).
//
// Filters: attached to a qdisc's block (htb classes have their own) or
// clsact's hooks, grouped by chain and priority as the kernel groups them
// (one kind and protocol per priority, an automatic priority of 49152 and
// below, handles from 1 when the request gives none), listed with the
// kernel's header entry for each priority (bpf filters the last made
// first, the others by handle), deleted by handle, by priority or all at
// once. A filter chain's first filter and its last going are notified
// (RTM_NEWCHAIN, RTM_DELCHAIN) as the kernel notifies them.
//
// # What it does not
//
// Options are kept as the requests sent them: the kernel fills in
// defaults and computes fields (an htb class's buffers, a u32 filter's
// hash tables and node handles), the fake does not; a Refcnt is 1 (2 for a
// root qdisc). No statistics, no packets, no standalone actions (tc
// actions: EOPNOTSUPP), no shared blocks, no moving a qdisc to another
// parent (EOPNOTSUPP), no single-object gets.
package tctest

import (
	"encoding/binary"
	"slices"
	"sync"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/nltest"
	"github.com/nlkit/netlink/tc"
)

// Kernel is the fake kernel. Its methods are safe for concurrent use, and
// with the requests of its Conns.
type Kernel struct {
	nl *nltest.Kernel

	mu      sync.Mutex
	links   []link      // in index order
	qdiscs  []*tc.Qdisc // in creation order
	classes []*tc.Class
	filters []*filter
	auto    uint32 // the last automatic qdisc major number
}

type link struct {
	index   int
	name    string
	ingress bool // the ingress queue exists (an ingress or clsact qdisc was made)
}

// New returns a fake kernel with no links.
func New() *Kernel {
	k := &Kernel{auto: 0x8000}
	k.nl = nltest.New(0 /* NETLINK_ROUTE */, k.handle)
	return k
}

// Dial returns a tc.Conn on the fake kernel (cfg may be nil).
func (k *Kernel) Dial(cfg *netlink.Config) (*tc.Conn, error) {
	nl, err := k.nl.Dial(cfg)
	if err != nil {
		return nil, err
	}
	return tc.New(nl), nil
}

// AddLink adds the link name with the given index, which requests name in
// errors as the kernel's links do. It replaces a link of that index.
func (k *Kernel) AddLink(index int, name string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	i, found := slices.BinarySearchFunc(k.links, index, func(l link, i int) int { return l.index - i })
	if found {
		k.links[i].name = name
		return
	}
	k.links = slices.Insert(k.links, i, link{index: index, name: name})
}

// Qdiscs returns copies of the qdiscs the requests made, in the order they
// were made (not the default root qdiscs).
func (k *Kernel) Qdiscs() []tc.Qdisc {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]tc.Qdisc, len(k.qdiscs))
	for i, q := range k.qdiscs {
		out[i] = *q
	}
	return out
}

// Classes returns copies of the classes the requests made.
func (k *Kernel) Classes() []tc.Class {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]tc.Class, len(k.classes))
	for i, c := range k.classes {
		out[i] = *c
	}
	return out
}

// Filters returns copies of the filters, in the order they were made.
func (k *Kernel) Filters() []tc.Filter {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]tc.Filter, len(k.filters))
	for i, f := range k.filters {
		out[i] = f.Filter
	}
	return out
}

func (k *Kernel) link(index int) *link {
	i, found := slices.BinarySearchFunc(k.links, index, func(l link, i int) int { return l.index - i })
	if !found {
		return nil
	}
	return &k.links[i]
}

// fail is a refusal with an extended ACK message (none when msg is empty).
func fail(errno syscall.Errno, msg string) error {
	if msg == "" {
		return errno
	}
	return &nltest.Error{Errno: errno, Message: msg}
}

func msg(typ netlink.HeaderType, data []byte) netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: typ}, Data: data}
}

func (k *Kernel) handle(req netlink.Message) ([]netlink.Message, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	dump := req.Header.Flags&netlink.Dump == netlink.Dump
	switch req.Header.Type {
	case uapi.RTM_GETLINK:
		return k.getLink(req, dump)
	case uapi.RTM_GETQDISC:
		if dump {
			return k.dumpQdiscs(req)
		}
	case uapi.RTM_GETTCLASS:
		if dump {
			return k.dumpClasses(req)
		}
	case uapi.RTM_GETTFILTER:
		if dump {
			return k.dumpFilters(req)
		}
	case uapi.RTM_NEWQDISC, uapi.RTM_DELQDISC, uapi.RTM_NEWTCLASS, uapi.RTM_DELTCLASS, uapi.RTM_NEWTFILTER, uapi.RTM_DELTFILTER:
		ev, err := tc.ParseEvent(req)
		if err != nil {
			return nil, syscall.EINVAL
		}
		ifindex := 0
		switch {
		case ev.Qdisc != nil:
			ifindex = ev.Qdisc.Ifindex
		case ev.Class != nil:
			ifindex = ev.Class.Ifindex
		case ev.Filter != nil:
			ifindex = ev.Filter.Ifindex
		}
		l := k.link(ifindex)
		if l == nil {
			return nil, syscall.ENODEV
		}
		switch req.Header.Type {
		case uapi.RTM_NEWQDISC:
			return nil, k.newQdisc(req, l, ev.Qdisc)
		case uapi.RTM_DELQDISC:
			return nil, k.delQdisc(req, l, ev.Qdisc)
		case uapi.RTM_NEWTCLASS, uapi.RTM_DELTCLASS:
			return nil, k.ctlClass(req, ev.Class)
		case uapi.RTM_NEWTFILTER:
			return nil, k.newFilter(req, ev.Filter)
		case uapi.RTM_DELTFILTER:
			return nil, k.delFilter(req, ev.Filter)
		}
	}
	return nil, syscall.EOPNOTSUPP
}

// getLink answers the RTM_GETLINK a Conn sends to name a link in an
// error: struct ifinfomsg and IFLA_IFNAME.
func (k *Kernel) getLink(req netlink.Message, dump bool) ([]netlink.Message, error) {
	reply := func(l link) netlink.Message {
		b := make([]byte, 16, 32)
		binary.NativeEndian.PutUint32(b[4:], uint32(l.index))
		e := netlink.NewAttrEncoder(b)
		e.String(3, l.name) // IFLA_IFNAME
		b, _ = e.Finish()
		return msg(uapi.RTM_NEWLINK, b)
	}
	if dump {
		out := make([]netlink.Message, 0, len(k.links))
		for _, l := range k.links {
			out = append(out, reply(l))
		}
		return out, nil
	}
	if len(req.Data) < 16 {
		return nil, syscall.EINVAL
	}
	l := k.link(int(int32(binary.NativeEndian.Uint32(req.Data[4:]))))
	if l == nil {
		return nil, syscall.ENODEV
	}
	return []netlink.Message{reply(*l)}, nil
}

// ifindexOf reads tcm_ifindex of a tc dump request.
func ifindexOf(req netlink.Message) int {
	if len(req.Data) < 8 {
		return 0
	}
	return int(int32(binary.NativeEndian.Uint32(req.Data[4:])))
}

// parentOf reads tcm_parent of a tc dump request.
func parentOf(req netlink.Message) tc.Handle {
	if len(req.Data) < 16 {
		return 0
	}
	return tc.Handle(binary.NativeEndian.Uint32(req.Data[12:]))
}
