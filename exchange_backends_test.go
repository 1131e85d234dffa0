//go:build linux

package netlink_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/nltest"
	"golang.org/x/sys/unix"
)

// The exchange tests run against two backends through xcBackends: the
// kernel, in a network namespace of the test's, and nltest's fake kernel,
// with xcFake playing rtnetlink's part. TestX is then xcBackends(t, testX),
// and testX gets its Conns, links and changes from the xcEnv it is given.
// Without root the kernel's half skips and the fake's still runs.
//
// Tests stay kernel-only where the fake cannot show what they test:
//   - the EBUSY dump rule and the dump turn it forces
//     (TestExchangeDumpsTakeTurns, TestDumpAfterUntrackedDump,
//     TestDumpDuringLongSendDump, TestDumpCompleteUnderLoad): the fake
//     makes a dump whole at once, so no dump is ever running;
//   - rtnetlink's own rules: a dump on either dump bit
//     (TestDumpBitsInsideDump), which GETs it answers without NLM_F_ACK
//     (TestExchangeSkipGetAck);
//   - real queue and buffer sizes, and the kernel's own overruns
//     (TestExchangeBatchErrorsFit, TestOverrunReaderKeepsItsReplies,
//     TestGroupsDefaultBuffer, TestDialMemory, TestDrainReadsWholeQueue,
//     TestDrainIgnoresReadDeadline, TestConnOverrunReportedOnce, the large
//     and truncated datagram tests);
//   - user-space peers, raw sends behind the Conn's back, namespaces,
//     socket options and capabilities the kernel enforces (the rest of
//     socket_test.go and fault_test.go, TestEchoFromOtherNamespace).
//     TestConnReceiveSkipsStale makes its stale reply with a raw send; on
//     both backends, TestExchangeDumpBreak and TestExchangeCancelLeftovers
//     show stale replies discarded.

// xcEnv is where a test runs: ns is set for the kernel, fake for nltest.
type xcEnv struct {
	ns   *nstest.NS
	fake *xcFake
}

// xcBackends runs test against the kernel and against the fake kernel, as
// the subtests "kernel" and "nltest".
func xcBackends(t *testing.T, test func(t *testing.T, env *xcEnv)) {
	t.Run("kernel", func(t *testing.T) { test(t, &xcEnv{ns: nstest.New(t)}) })
	t.Run("nltest", func(t *testing.T) { test(t, &xcEnv{fake: newXcFake(t)}) })
}

// dial opens a NETLINK_ROUTE Conn, closed when the test ends.
func (e *xcEnv) dial(t testing.TB, cfg netlink.Config) *netlink.Conn {
	t.Helper()
	if e.ns != nil {
		return xcDial(t, e.ns, cfg)
	}
	c, err := e.fake.k.Dial(&cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// veth makes a veth pair name/name+"p", both up, and returns the index of
// name.
func (e *xcEnv) veth(t testing.TB, name string) int32 {
	t.Helper()
	if e.ns != nil {
		return xcVeth(t, e.ns, name)
	}
	return e.fake.addLink(name, name+"p")
}

// links lists the links, index to name, as ip does.
func (e *xcEnv) links(t testing.TB) map[int32]string {
	t.Helper()
	if e.ns != nil {
		return xcLinks(t, e.ns)
	}
	f := e.fake
	f.mu.Lock()
	defer f.mu.Unlock()
	m := make(map[int32]string)
	for _, l := range f.links {
		m[l.index] = l.name
	}
	return m
}

// addrs lists the IPv4 addresses of every link, as ip does.
func (e *xcEnv) addrs(t testing.TB) []netip.Prefix {
	t.Helper()
	var out []netip.Prefix
	if e.ns == nil {
		f := e.fake
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, k := range f.addrs.keys {
			out = append(out, k.p)
		}
		return out
	}
	var links []struct {
		Addrs []struct {
			Local     string `json:"local"`
			PrefixLen int    `json:"prefixlen"`
		} `json:"addr_info"`
	}
	js := e.ns.Run(t, "-j", "-4", "addr", "show")
	if err := json.Unmarshal([]byte(js), &links); err != nil {
		t.Fatalf("ip -j addr show: %v: %s", err, js)
	}
	for _, l := range links {
		for _, a := range l.Addrs {
			out = append(out, netip.PrefixFrom(netip.MustParseAddr(a.Local), a.PrefixLen))
		}
	}
	return out
}

// addAddr adds p to the link dev as another program would: with ip, or
// with a Conn of the fake's own. It may run on any goroutine.
func (e *xcEnv) addAddr(p netip.Prefix, dev string) error {
	if e.ns != nil {
		out, err := e.ns.Try("addr", "add", p.String(), "dev", dev)
		if err != nil {
			return fmt.Errorf("ip addr add %v dev %s: %w: %s", p, dev, err, out)
		}
		return nil
	}
	return e.fake.addAddr(p, dev)
}

// overflow overflows the receive queue of c, which joined
// RTNLGRP_IPV4_IFADDR with a ReadBuffer of 4096: 300 address changes on
// xc0 nobody reads, for the kernel; a few, then nltest's Overrun, for the
// fake. Each call needs its own net, the second byte of the addresses.
func (e *xcEnv) overflow(t testing.TB, c *netlink.Conn, net byte) {
	t.Helper()
	if e.ns != nil {
		xcOverflow(t, e.ns, net)
		return
	}
	for i := range 3 {
		if err := e.fake.addAddr(netip.PrefixFrom(netip.AddrFrom4([4]byte{10, net, 0, byte(i + 1)}), 32), "xc0"); err != nil {
			t.Fatal(err)
		}
	}
	e.fake.k.Overrun(c)
}

// xcFake plays rtnetlink's part on nltest's fake kernel, for the requests
// the exchange tests make, as a fresh network namespace answers them: lo
// (index 1, 127.0.0.1/8) and the links the test adds; link requests (get,
// dump, NEWLINK's policy checks; it knows no link kinds), IPv4 addresses
// and main-table IPv4 routes (add, replace, delete, dump), each change
// reported to its group (RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE) and
// echoed on NLM_F_ECHO. It checks requests as the kernel does with
// NETLINK_GET_STRICT_CHK, and refuses other types with EOPNOTSUPP.
//
// Its dumps are made whole at once, so no change can come while one runs.
// It stands in with: an address dump is interrupted (NLM_F_DUMP_INTR) when
// another Conn changed an address since this Conn's previous address dump
// (or its first request).
type xcFake struct {
	k   *nltest.Kernel
	w   *netlink.Conn // the fake's own Conn, for changes another program makes
	wmu sync.Mutex    // one change at a time on w

	mu      sync.Mutex
	links   []xcFakeLink
	addrs   xcTable[xcAddrKey]
	routes  xcTable[netip.Prefix]
	changes []uint32       // the port of each address change, in order
	seen    map[uint32]int // len(changes) at each port's last address dump or first request
}

type xcFakeLink struct {
	index int32
	name  string
	mtu   uint32
}

type xcAddrKey struct {
	index int32
	p     netip.Prefix
}

// xcTable is a table of messages by key, in the order they were added,
// but for the last one moving into the place of one removed.
type xcTable[K comparable] struct {
	index map[K]int
	keys  []K
	msgs  []netlink.Message
}

// find returns the place of k, or -1.
func (t *xcTable[K]) find(k K) int {
	if i, ok := t.index[k]; ok {
		return i
	}
	return -1
}

func (t *xcTable[K]) set(k K, m netlink.Message) {
	m.Data = slices.Clone(m.Data)
	if i := t.find(k); i >= 0 {
		t.msgs[i] = m
		return
	}
	if t.index == nil {
		t.index = make(map[K]int)
	}
	t.index[k] = len(t.keys)
	t.keys, t.msgs = append(t.keys, k), append(t.msgs, m)
}

func (t *xcTable[K]) remove(i int) {
	last := len(t.keys) - 1
	delete(t.index, t.keys[i])
	if i != last {
		t.keys[i], t.msgs[i] = t.keys[last], t.msgs[last]
		t.index[t.keys[i]] = i
	}
	t.keys, t.msgs = t.keys[:last], t.msgs[:last]
}

func newXcFake(t testing.TB) *xcFake {
	f := &xcFake{links: []xcFakeLink{{1, "lo", 65536}}, seen: make(map[uint32]int)}
	f.k = nltest.New(unix.NETLINK_ROUTE, f.handle)
	f.addrs.set(xcAddrKey{1, netip.MustParsePrefix("127.0.0.1/8")}, xcAddr(unix.RTM_NEWADDR, 0, netip.MustParsePrefix("127.0.0.1/8"), 1))
	w, err := f.k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	f.w = w
	return f
}

// addLink adds links by name, as ip link add does, and returns the index of
// the first.
func (f *xcFake) addLink(names ...string) int32 {
	f.mu.Lock()
	var msgs []netlink.Message
	for _, name := range names {
		l := xcFakeLink{f.links[len(f.links)-1].index + 1, name, 1500}
		f.links = append(f.links, l)
		msgs = append(msgs, l.message())
	}
	first := f.links[len(f.links)-len(names)].index
	f.mu.Unlock()
	for _, m := range msgs {
		f.k.Notify(unix.RTNLGRP_LINK, m)
	}
	return first
}

func (f *xcFake) addAddr(p netip.Prefix, dev string) error {
	f.mu.Lock()
	i := slices.IndexFunc(f.links, func(l xcFakeLink) bool { return l.name == dev })
	var index int32
	if i >= 0 {
		index = f.links[i].index
	}
	f.mu.Unlock()
	if i < 0 {
		return fmt.Errorf("addr add %v dev %s: no such link", p, dev)
	}
	// As ip does: Send and Receive, with sequence numbers of its own.
	f.wmu.Lock()
	defer f.wmu.Unlock()
	req := xcAddr(unix.RTM_NEWADDR, netlink.Request|netlink.Acknowledge|netlink.Create|netlink.Excl, p, index)
	h, err := f.w.Send(context.Background(), req)
	for err == nil {
		var msgs []netlink.Message
		msgs, err = f.w.Receive(context.Background())
		for _, m := range msgs {
			if ack, perr := netlink.ParseAck(m); perr == nil && m.Header.Sequence == h.Sequence {
				if ack.Errno != 0 {
					return fmt.Errorf("addr add %v dev %s: %w", p, dev, ack.Errno)
				}
				return nil
			}
		}
	}
	return err
}

func (l xcFakeLink) message() netlink.Message {
	e := netlink.NewAttrEncoder(xcIfinfo(l.index))
	e.String(unix.IFLA_IFNAME, l.name)
	e.Uint32(unix.IFLA_MTU, l.mtu)
	b, _ := e.Finish()
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: b}
}

func (f *xcFake) link(index int32) (xcFakeLink, bool) {
	i := slices.IndexFunc(f.links, func(l xcFakeLink) bool { return l.index == index })
	if i < 0 {
		return xcFakeLink{}, false
	}
	return f.links[i], true
}

// xcPolicyError is the kernel's refusal of an attribute of the wrong size,
// at offset off of the request's attributes, which start fixed bytes into
// its payload.
func xcPolicyError(fixed, off int) error {
	return &nltest.Error{Errno: unix.ERANGE, Message: "Attribute failed policy validation", Offset: netlink.HeaderLen + fixed + off}
}

// xcSizes checks the sizes of the attributes of req, after fixed bytes,
// against want (type to size), and returns the attributes by type.
func xcSizes(req netlink.Message, fixed int, want map[uint16]int) (map[uint16][]byte, error) {
	if len(req.Data) < fixed {
		return nil, unix.EINVAL
	}
	attrs := make(map[uint16][]byte)
	off := 0
	for a, err := range req.Attrs(fixed) {
		if err != nil {
			return nil, unix.EINVAL
		}
		if n, ok := want[a.Type]; ok && len(a.Data) != n {
			return nil, xcPolicyError(fixed, off)
		}
		attrs[a.Type] = a.Data
		off += netlink.Align(netlink.AttrHeaderLen + len(a.Data))
	}
	return attrs, nil
}

func (f *xcFake) handle(req netlink.Message) ([]netlink.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	port := req.Header.PortID
	if _, ok := f.seen[port]; !ok {
		f.seen[port] = len(f.changes)
	}
	dump := req.Header.Flags&netlink.Dump == netlink.Dump
	switch t := req.Header.Type; {
	case t == unix.RTM_GETLINK && dump:
		if len(req.Data) >= unix.SizeofIfInfomsg && binary.NativeEndian.Uint32(req.Data[4:]) != 0 {
			return nil, &nltest.Error{Errno: unix.EINVAL, Message: "Filter by device index not supported for link dumps", InDone: true}
		}
		var out []netlink.Message
		for _, l := range f.links {
			out = append(out, l.message())
		}
		return out, nil
	case t == unix.RTM_GETLINK:
		if len(req.Data) < unix.SizeofIfInfomsg {
			return nil, unix.EINVAL
		}
		l, ok := f.link(int32(binary.NativeEndian.Uint32(req.Data[4:])))
		if !ok {
			return nil, unix.ENODEV
		}
		return []netlink.Message{l.message()}, nil
	case t == unix.RTM_NEWLINK:
		return nil, f.newLink(req)
	case t == unix.RTM_NEWADDR || t == unix.RTM_DELADDR:
		return nil, f.changeAddr(req)
	case t == unix.RTM_GETADDR && dump:
		var intr netlink.HeaderFlags
		if slices.ContainsFunc(f.changes[f.seen[port]:], func(p uint32) bool { return p != port }) {
			intr = netlink.DumpInterrupted
		}
		f.seen[port] = len(f.changes)
		out := slices.Clone(f.addrs.msgs)
		for i := range out {
			out[i].Header.Flags |= intr
		}
		return out, nil
	case t == unix.RTM_NEWROUTE || t == unix.RTM_DELROUTE:
		return nil, f.changeRoute(req)
	case t == unix.RTM_GETROUTE && dump:
		return slices.Clone(f.routes.msgs), nil
	}
	return nil, unix.EOPNOTSUPP
}

func (f *xcFake) newLink(req netlink.Message) error {
	attrs, err := xcSizes(req, unix.SizeofIfInfomsg, map[uint16]int{unix.IFLA_MTU: 4})
	if err != nil {
		return err
	}
	if info, ok := attrs[unix.IFLA_LINKINFO]; ok {
		for a, err := range netlink.Attrs(info) {
			if err == nil && a.Type == unix.IFLA_INFO_KIND {
				return &nltest.Error{Errno: unix.EOPNOTSUPP, Message: "Unknown device type"}
			}
		}
	}
	if _, ok := f.link(int32(binary.NativeEndian.Uint32(req.Data[4:]))); !ok {
		return unix.ENODEV
	}
	return nil // changes nothing the tests look at
}

func (f *xcFake) changeAddr(req netlink.Message) error {
	attrs, err := xcSizes(req, unix.SizeofIfAddrmsg, map[uint16]int{unix.IFA_LOCAL: 4, unix.IFA_ADDRESS: 4})
	if err != nil {
		return err
	}
	index := int32(binary.NativeEndian.Uint32(req.Data[4:]))
	local, ok := netip.AddrFromSlice(attrs[unix.IFA_LOCAL])
	if !ok || req.Data[0] != unix.AF_INET {
		return unix.EINVAL
	}
	if _, ok := f.link(index); !ok {
		return unix.ENODEV
	}
	key := xcAddrKey{index, netip.PrefixFrom(local, int(req.Data[1]))}
	i := f.addrs.find(key)
	flags := req.Header.Flags
	switch {
	case req.Header.Type == unix.RTM_DELADDR && i < 0:
		return &nltest.Error{Errno: unix.EADDRNOTAVAIL, Message: "ipv4: Address not found"}
	case req.Header.Type == unix.RTM_DELADDR:
		f.addrs.remove(i)
	case i >= 0 && (flags&netlink.Excl != 0 || flags&netlink.Replace == 0):
		return &nltest.Error{Errno: unix.EEXIST, Message: "ipv4: Address already assigned"}
	default:
		f.addrs.set(key, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWADDR}, Data: req.Data})
	}
	f.changes = append(f.changes, req.Header.PortID)
	f.k.Report(req, unix.RTNLGRP_IPV4_IFADDR, netlink.Message{Header: netlink.Header{Type: req.Header.Type}, Data: req.Data})
	return nil
}

func (f *xcFake) changeRoute(req netlink.Message) error {
	attrs, err := xcSizes(req, unix.SizeofRtMsg, map[uint16]int{unix.RTA_DST: 4, unix.RTA_OIF: 4})
	if err != nil {
		return err
	}
	dst, ok := netip.AddrFromSlice(attrs[unix.RTA_DST])
	if !ok || req.Data[0] != unix.AF_INET || req.Data[4] != unix.RT_TABLE_MAIN {
		return unix.EINVAL
	}
	key := netip.PrefixFrom(dst, int(req.Data[1]))
	i := f.routes.find(key)
	flags := req.Header.Flags
	switch {
	case req.Header.Type == unix.RTM_DELROUTE && i < 0:
		return unix.ESRCH
	case req.Header.Type == unix.RTM_DELROUTE:
		f.routes.remove(i)
	case len(attrs[unix.RTA_OIF]) == 0:
		return unix.EINVAL
	case i >= 0 && flags&netlink.Excl != 0:
		return unix.EEXIST
	case i < 0 && flags&netlink.Create == 0:
		return unix.ENOENT
	default:
		if _, ok := f.link(int32(binary.NativeEndian.Uint32(attrs[unix.RTA_OIF]))); !ok {
			return unix.ENODEV
		}
		f.routes.set(key, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWROUTE}, Data: req.Data})
	}
	f.k.Report(req, unix.RTNLGRP_IPV4_ROUTE, netlink.Message{Header: netlink.Header{Type: req.Header.Type}, Data: req.Data})
	return nil
}

// The exchanges behave the same against the kernel and against the fake:
// Execute, its errors with extended ACK, Batch results, dumps, a dump
// broken off.
func TestExchangeOnBothBackends(t *testing.T) {
	xcBackends(t, testExchangeOnBothBackends)
}

func testExchangeOnBothBackends(t *testing.T, env *xcEnv) {
	c, link := env.dial(t, netlink.Config{}), env.veth(t, "xc0")
	// Host addresses: /24s in one subnet would be secondaries, which
	// the kernel deletes with the primary.
	p := func(i int) netip.Prefix { return netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), 32) }
	subnet := netip.MustParsePrefix("192.0.2.0/24")
	add := func(i int) netlink.Message { return xcAddr(unix.RTM_NEWADDR, netlink.Create|netlink.Excl, p(i), link) }
	ours := func() []netip.Addr {
		var got []netip.Addr
		for m, err := range c.Dump(xcCtx(t), xcAddrDump()) {
			if err != nil {
				t.Fatal(err)
			}
			if a, ok := xcAddrOf(m); ok && subnet.Contains(a) {
				got = append(got, a)
			}
		}
		slices.SortFunc(got, netip.Addr.Compare)
		return got
	}

	if msgs, err := c.Execute(xcCtx(t), add(1)); err != nil || len(msgs) != 0 {
		t.Fatalf("first add: %d messages, %v", len(msgs), err)
	}
	_, err := c.Execute(xcCtx(t), add(1))
	var oe *netlink.OpError
	if !errors.Is(err, unix.EEXIST) || !errors.As(err, &oe) || oe.Message != "ipv4: Address already assigned" || oe.Request != unix.RTM_NEWADDR {
		t.Errorf("second add: %v", err)
	}
	results, err := c.Batch(xcCtx(t), []netlink.Message{add(2), add(3), add(1)})
	if err != nil || results[0] != nil || results[1] != nil || !errors.Is(results[2], unix.EEXIST) {
		t.Errorf("Batch: %v, %v", results, err)
	}
	want := []netip.Addr{p(1).Addr(), p(2).Addr(), p(3).Addr()}
	if got := ours(); !slices.Equal(got, want) {
		t.Errorf("dump: %v, want %v", got, want)
	}
	for range c.Dump(xcCtx(t), xcAddrDump()) {
		break // the rest is read and discarded by the calls after
	}
	if _, err := c.Execute(xcCtx(t), xcAddr(unix.RTM_DELADDR, 0, p(1), link)); err != nil {
		t.Errorf("delete: %v", err)
	}
	if got := ours(); !slices.Equal(got, want[1:]) {
		t.Errorf("dump after delete: %v, want %v", got, want[1:])
	}
	if got := env.addrs(t); len(got) != 3 || !slices.Contains(got, p(2)) || !slices.Contains(got, p(3)) {
		t.Errorf("ip lists %v, want lo's, %v and %v", got, p(2), p(3))
	}
}
