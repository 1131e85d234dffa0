//go:build linux

package netlink_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// Tests of the exchanges (Execute, Dump, DumpAll, Batch) against the kernel,
// each in a throwaway network namespace. Helpers are prefixed xc.

// raceEnabled is set by exchange_race_test.go when built with -race.
var raceEnabled bool

// xcTimeout bounds every exchange, so that a bug shows as a failure rather
// than a hung test binary.
const xcTimeout = 2 * time.Minute

func xcCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), xcTimeout)
	t.Cleanup(cancel)
	return ctx
}

// xcDial opens a NETLINK_ROUTE Conn in ns.
func xcDial(t testing.TB, ns *nstest.NS, cfg netlink.Config) *netlink.Conn {
	t.Helper()
	cfg.NetNS = ns.Path
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// xcVeth creates a veth pair name/name+"p", both up, and returns the index of
// name.
func xcVeth(t testing.TB, ns *nstest.NS, name string) int32 {
	t.Helper()
	ns.Run(t, "link", "add", name, "type", "veth", "peer", "name", name+"p")
	ns.Run(t, "link", "set", name+"p", "up")
	ns.Run(t, "link", "set", name, "up")
	return xcIndex(t, ns, name)
}

// xcLinks asks ip for the namespace's links: index to name.
func xcLinks(t testing.TB, ns *nstest.NS, args ...string) map[int32]string {
	t.Helper()
	var links []struct {
		Index int32  `json:"ifindex"`
		Name  string `json:"ifname"`
	}
	out := ns.Run(t, append([]string{"-j", "link", "show"}, args...)...)
	if err := json.Unmarshal([]byte(out), &links); err != nil {
		t.Fatalf("ip -j link show: %v: %s", err, out)
	}
	m := make(map[int32]string, len(links))
	for _, l := range links {
		m[l.Index] = l.Name
	}
	return m
}

func xcIndex(t testing.TB, ns *nstest.NS, name string) int32 {
	t.Helper()
	for i := range xcLinks(t, ns, "dev", name) {
		return i
	}
	t.Fatalf("no link %s", name)
	return 0
}

// xcCountLines counts the lines of ip's output that start with prefix.
func xcCountLines(t testing.TB, ns *nstest.NS, prefix string, args ...string) int {
	t.Helper()
	n := 0
	for line := range strings.Lines(ns.Run(t, args...)) {
		if strings.HasPrefix(line, prefix) {
			n++
		}
	}
	return n
}

// xcIfinfo is a struct ifinfomsg for the link index.
func xcIfinfo(index int32) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	b[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	return b
}

func xcGetLink(index int32, flags netlink.HeaderFlags) netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: flags}, Data: xcIfinfo(index)}
}

func xcLinkDump() netlink.Message { return xcGetLink(0, 0) }

// xcLink reads the index and name of an RTM_NEWLINK message.
func xcLink(t testing.TB, m netlink.Message) (int32, string) {
	t.Helper()
	if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
		t.Errorf("not a link: %v, %d bytes", m.Header, len(m.Data))
		return 0, ""
	}
	index := int32(binary.NativeEndian.Uint32(m.Data[4:]))
	for a, err := range m.Attrs(unix.SizeofIfInfomsg) {
		if err != nil {
			t.Errorf("link %d: %v", index, err)
			break
		}
		if a.Type == unix.IFLA_IFNAME {
			return index, a.Str()
		}
	}
	return index, ""
}

// xcAddr builds an RTM_NEWADDR or RTM_DELADDR request for p on a link.
func xcAddr(typ netlink.HeaderType, flags netlink.HeaderFlags, p netip.Prefix, index int32) netlink.Message {
	b := []byte{unix.AF_INET, byte(p.Bits()), 0, unix.RT_SCOPE_UNIVERSE}
	b = binary.NativeEndian.AppendUint32(b, uint32(index))
	e := netlink.NewAttrEncoder(b)
	e.Addr(unix.IFA_LOCAL, p.Addr())
	e.Addr(unix.IFA_ADDRESS, p.Addr())
	data, err := e.Finish()
	if err != nil {
		panic(err)
	}
	return netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: data}
}

func xcAddrDump() netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETADDR}, Data: []byte{unix.AF_INET, 0, 0, 0, 0, 0, 0, 0}}
}

// xcAddrOf reads IFA_LOCAL of an RTM_NEWADDR message.
func xcAddrOf(m netlink.Message) (netip.Addr, bool) {
	if m.Header.Type != unix.RTM_NEWADDR {
		return netip.Addr{}, false
	}
	for a, err := range m.Attrs(unix.SizeofIfAddrmsg) {
		if err != nil {
			return netip.Addr{}, false
		}
		if a.Type == unix.IFA_LOCAL {
			ip, err := a.Addr()
			return ip, err == nil
		}
	}
	return netip.Addr{}, false
}

// xcRoute builds an RTM_NEWROUTE or RTM_DELROUTE request for the host route
// dst through the link oif, in the main table.
func xcRoute(typ netlink.HeaderType, flags netlink.HeaderFlags, dst netip.Addr, oif int32) netlink.Message {
	b := []byte{unix.AF_INET, 32, 0, 0, unix.RT_TABLE_MAIN, unix.RTPROT_STATIC, unix.RT_SCOPE_LINK, unix.RTN_UNICAST, 0, 0, 0, 0}
	e := netlink.NewAttrEncoder(b)
	e.Addr(unix.RTA_DST, dst)
	e.Uint32(unix.RTA_OIF, uint32(oif))
	data, err := e.Finish()
	if err != nil {
		panic(err)
	}
	return netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: data}
}

// xcRouteDump dumps the IPv4 main table; the table filter needs
// netlink.GetStrictCheck.
func xcRouteDump() netlink.Message {
	b := []byte{unix.AF_INET, 0, 0, 0, unix.RT_TABLE_MAIN, 0, 0, 0, 0, 0, 0, 0}
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE}, Data: b}
}

// xcDst is the i-th destination of the test routes: 10.0.0.0 + i.
func xcDst(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
}

// xcRouteDst reads the table and RTA_DST of an RTM_NEWROUTE message.
func xcRouteDst(m netlink.Message) (table uint8, dst [4]byte, ok bool) {
	if m.Header.Type != unix.RTM_NEWROUTE || len(m.Data) < unix.SizeofRtMsg {
		return 0, dst, false
	}
	table = m.Data[4]
	for a, err := range m.Attrs(unix.SizeofRtMsg) {
		if err != nil {
			return table, dst, false
		}
		switch a.Type {
		case unix.RTA_TABLE:
			if v, err := a.Uint32(); err == nil {
				table = uint8(v)
			}
		case unix.RTA_DST:
			if len(a.Data) != 4 {
				return table, dst, false
			}
			dst = [4]byte(a.Data)
			ok = true
		}
	}
	return table, dst, ok
}

// xcInstallRoutes installs n host routes 10.0.0.0+i through oif with Batch.
func xcInstallRoutes(t testing.TB, c *netlink.Conn, n int, oif int32) {
	t.Helper()
	reqs := make([]netlink.Message, n)
	for i := range reqs {
		reqs[i] = xcRoute(unix.RTM_NEWROUTE, netlink.Create|netlink.Excl, xcDst(i), oif)
	}
	results, err := c.Batch(xcCtx(t), reqs)
	if err != nil {
		t.Fatalf("Batch: %v", err)
	}
	for i, err := range results {
		if err != nil {
			t.Fatalf("route %d: %v", i, err)
		}
	}
}

// xcCheckLink checks that msgs is exactly the reply to RTM_GETLINK for index,
// named name.
func xcCheckLink(t testing.TB, msgs []netlink.Message, index int32, name string) {
	t.Helper()
	if len(msgs) != 1 {
		t.Errorf("GETLINK %d: %d messages, want 1", index, len(msgs))
		return
	}
	if i, n := xcLink(t, msgs[0]); i != index || n != name {
		t.Errorf("GETLINK %d: got link %d %q, want %d %q", index, i, n, index, name)
	}
}

// GET with and without NLM_F_ACK, then another request on the
// same Conn returns its own reply: the ACK was not left behind.
func TestExchangeExecuteGetLink(t *testing.T) {
	xcBackends(t, testExchangeExecuteGetLink)
}

func testExchangeExecuteGetLink(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	c := env.dial(t, netlink.Config{})
	for _, ack := range []bool{false, true} {
		t.Run(fmt.Sprintf("ack=%v", ack), func(t *testing.T) {
			var flags netlink.HeaderFlags
			if ack {
				flags = netlink.Acknowledge
			}
			msgs, err := c.Execute(context.Background(), xcGetLink(1, flags))
			if err != nil {
				t.Fatal(err)
			}
			// Execute always asks for the ACK and never returns it.
			want := 1
			if len(msgs) != want {
				t.Fatalf("%d messages, want %d: %v", len(msgs), want, msgs)
			}
			if i, n := xcLink(t, msgs[0]); i != 1 || n != "lo" {
				t.Errorf("got link %d %q, want 1 lo", i, n)
			}
			seq := msgs[0].Header.Sequence

			// The next request gets its own reply, with a cancellable
			// context this time.
			msgs, err = c.Execute(xcCtx(t), xcGetLink(v, flags))
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != want {
				t.Fatalf("second request: %d messages, want %d", len(msgs), want)
			}
			xcCheckLink(t, msgs[:1], v, "xc0")
			if msgs[0].Header.Sequence == seq {
				t.Errorf("second reply has the first one's sequence number %d", seq)
			}
			if s := c.Stats().Stale; s != 0 {
				t.Errorf("Stats().Stale = %d: a reply was left behind", s)
			}
		})
	}

	// A dump through Execute: every link, no DONE.
	msgs, err := c.Execute(xcCtx(t), netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Dump}, Data: xcIfinfo(0)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int32]string{}
	for _, m := range msgs {
		i, n := xcLink(t, m)
		got[i] = n
	}
	if want := env.links(t); !maps.Equal(got, want) {
		t.Errorf("Execute dump: %v, want %v", got, want)
	}
}

// With Config.SkipGetAck the rtnetlink GETs of one object go out without
// NLM_F_ACK, since the kernel answers each with the object or an error;
// Execute returns at that answer and never waits for an ACK that will not
// come. Every other request asks for the ACK, and without SkipGetAck every
// request does.
func TestExchangeSkipGetAck(t *testing.T) {
	ns := nstest.New(t)
	var trace lockedBuffer
	c := xcDial(t, ns, netlink.Config{Trace: &trace, SkipGetAck: true})
	plain := xcDial(t, ns, netlink.Config{Trace: &trace})
	ifa := make([]byte, unix.SizeofIfAddrmsg)
	ifa[0] = unix.AF_INET
	rtm := make([]byte, unix.SizeofRtMsg)
	rtm[0], rtm[1] = unix.AF_INET, 32
	dst := netlink.NewAttrEncoder(rtm)
	dst.Bytes(unix.RTA_DST, []byte{127, 0, 0, 1})
	route, err := dst.Finish()
	if err != nil {
		t.Fatal(err)
	}
	stats := make([]byte, 12) // struct if_stats_msg: family, pad, ifindex, filter mask
	stats[4], stats[8] = 1, 1 // lo; IFLA_STATS_LINK_64
	for _, tc := range []struct {
		name  string
		req   netlink.Message
		ack   bool  // the request asks for an ACK
		errno error // the answer, when it is an error
	}{
		{"link", xcGetLink(1, 0), false, nil},
		{"missing link", xcGetLink(99999, 0), false, unix.ENODEV},
		{"route", netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE}, Data: route}, false, nil},
		{"stats", netlink.Message{Header: netlink.Header{Type: unix.RTM_GETSTATS}, Data: stats}, false, nil},
		// IPv4 has no handler for a single address: rtnetlink says so.
		{"ipv4 address", netlink.Message{Header: netlink.Header{Type: unix.RTM_GETADDR}, Data: ifa}, false, unix.EOPNOTSUPP},
		{"link with ACK", xcGetLink(1, netlink.Acknowledge), true, nil},
		{"rule", netlink.Message{Header: netlink.Header{Type: unix.RTM_GETRULE}, Data: make([]byte, 12)}, true, unix.EOPNOTSUPP},
		{"noop", netlink.Message{Header: netlink.Header{Type: netlink.TypeNoop}}, true, nil},
	} {
		for _, c := range []*netlink.Conn{c, plain} {
			skip := c != plain
			t.Run(fmt.Sprintf("%s/skip=%v", tc.name, skip), func(t *testing.T) {
				trace.Reset()
				msgs, err := c.Execute(xcCtx(t), tc.req)
				switch {
				case tc.errno != nil && !errors.Is(err, tc.errno):
					t.Fatalf("got %d messages, %v; want an error wrapping %v", len(msgs), err, tc.errno)
				case tc.errno == nil && err != nil:
					t.Fatal(err)
				case tc.errno == nil && tc.req.Header.Type != netlink.TypeNoop && len(msgs) != 1:
					t.Fatalf("%d messages, want 1", len(msgs))
				}
				sent := strings.SplitN(trace.String(), "\n", 3)[1]
				if got, want := strings.Contains(sent, "|ACK"), tc.ack || !skip; got != want {
					t.Errorf("request %q: ACK asked %v, want %v", sent, got, want)
				}
			})
		}
	}
	for _, c := range []*netlink.Conn{c, plain} {
		if s := c.Stats().Stale; s != 0 {
			t.Errorf("Stats().Stale = %d: an answer came that nothing waited for", s)
		}
	}
}

// xcConfigs are the two ways the kernel can answer errors: with the request
// echoed, and capped to its header (NETLINK_CAP_ACK).
var xcConfigs = []struct {
	name string
	opts []netlink.Option
}{{"echo", nil}, {"capack", []netlink.Option{netlink.CapAck}}}

// Creating an address twice fails with EEXIST, as an *OpError
// with the kernel's extended ACK message.
func TestExchangeAddressExists(t *testing.T) {
	xcBackends(t, testExchangeAddressExists)
}

func testExchangeAddressExists(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	for i, cfg := range xcConfigs {
		t.Run(cfg.name, func(t *testing.T) {
			c := env.dial(t, netlink.Config{Options: cfg.opts})
			if on, err := c.Option(netlink.CapAck); err != nil || on != (cfg.opts != nil) {
				t.Fatalf("CAP_ACK is %v (%v)", on, err)
			}
			p := netip.MustParsePrefix(fmt.Sprintf("192.0.2.%d/24", i+1))
			req := xcAddr(unix.RTM_NEWADDR, netlink.Acknowledge|netlink.Create|netlink.Excl, p, v)
			msgs, err := c.Execute(xcCtx(t), req)
			if err != nil {
				t.Fatalf("first add: %v", err)
			}
			if len(msgs) != 0 {
				t.Fatalf("first add: %v, want no messages (Execute keeps the ACK)", msgs)
			}
			if got := env.addrs(t); !slices.Contains(got, p) {
				t.Fatalf("ip addr show lists %v, not %v", got, p)
			}

			_, err = c.Execute(xcCtx(t), req)
			if !errors.Is(err, unix.EEXIST) {
				t.Fatalf("second add: %v, want EEXIST", err)
			}
			var oe *netlink.OpError
			if !errors.As(err, &oe) {
				t.Fatalf("%T is not an *OpError", err)
			}
			if oe.Op != "execute" || oe.Protocol != unix.NETLINK_ROUTE || oe.Err != unix.EEXIST || oe.Sequence&(1<<31) == 0 {
				t.Errorf("OpError %+v", oe)
			}
			// Linux 6.18 says so; older kernels said nothing.
			if oe.Message != "" && oe.Message != "ipv4: Address already assigned" {
				t.Errorf("extended ACK message %q", oe.Message)
			}
			if oe.Offset != -1 || oe.AttrType != 0 {
				t.Errorf("offset %d, attribute %d; want none", oe.Offset, oe.AttrType)
			}
			if !strings.Contains(err.Error(), "file exists") || !strings.Contains(err.Error(), oe.Message) {
				t.Errorf("Error() = %q", err)
			}
			t.Logf("%v", err)
		})
	}
}

// An unknown link kind fails with EOPNOTSUPP and "Unknown
// device type", the same with NETLINK_CAP_ACK on and off.
func TestExchangeUnknownLinkKind(t *testing.T) {
	xcBackends(t, testExchangeUnknownLinkKind)
}

func testExchangeUnknownLinkKind(t *testing.T, env *xcEnv) {
	var got []string
	for _, cfg := range xcConfigs {
		c := env.dial(t, netlink.Config{Options: cfg.opts})
		e := netlink.NewAttrEncoder(xcIfinfo(0))
		e.String(unix.IFLA_IFNAME, "xcbad")
		nest := e.Nest(unix.IFLA_LINKINFO)
		e.String(unix.IFLA_INFO_KIND, "nosuchkind")
		e.End(nest)
		data, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Execute(xcCtx(t), netlink.Message{
			Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: netlink.Acknowledge | netlink.Create | netlink.Excl},
			Data:   data,
		})
		var oe *netlink.OpError
		if !errors.Is(err, unix.EOPNOTSUPP) || !errors.As(err, &oe) {
			t.Fatalf("%s: %v, want an *OpError with EOPNOTSUPP", cfg.name, err)
		}
		if !strings.Contains(oe.Message, "Unknown device type") {
			t.Errorf("%s: message %q", cfg.name, oe.Message)
		}
		got = append(got, fmt.Sprintf("%d %q", oe.Err, oe.Message))
	}
	if got[0] != got[1] {
		t.Errorf("echo: %s; capack: %s", got[0], got[1])
	}
	if links := env.links(t); slices.Contains(slices.Collect(maps.Values(links)), "xcbad") {
		t.Errorf("the link was created: %v", links)
	}
}

// NLMSGERR_ATTR_OFFS maps to the type of the attribute that
// the request carried there.
func TestExchangeExtAckOffset(t *testing.T) {
	xcBackends(t, testExchangeExtAckOffset)
}

func testExchangeExtAckOffset(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	mtu := func(e *netlink.AttrEncoder) {
		e.String(unix.IFLA_IFNAME, "xc0")
		e.Uint16(unix.IFLA_MTU, 1000) // a u32 attribute with 2 bytes
	}
	local := func(e *netlink.AttrEncoder) {
		e.Addr(unix.IFA_ADDRESS, netip.MustParseAddr("192.0.2.9"))
		e.Uint16(unix.IFA_LOCAL, 1) // an address with 2 bytes
	}
	cases := []struct {
		name     string
		typ      netlink.HeaderType
		fixed    []byte
		attrs    func(*netlink.AttrEncoder)
		attr     uint16
		offset   int
		wantText string
	}{
		{"IFLA_MTU", unix.RTM_NEWLINK, xcIfinfo(v), mtu, unix.IFLA_MTU, 16 + 16 + 8, "Attribute failed policy validation"},
		{"IFA_LOCAL", unix.RTM_NEWADDR, []byte{unix.AF_INET, 32, 0, 0, byte(v), 0, 0, 0}, local, unix.IFA_LOCAL, 16 + 8 + 8, "Attribute failed policy validation"},
	}
	for _, cfg := range xcConfigs {
		c := env.dial(t, netlink.Config{Options: cfg.opts})
		for _, tc := range cases {
			t.Run(cfg.name+"/"+tc.name, func(t *testing.T) {
				e := netlink.NewAttrEncoder(slices.Clone(tc.fixed))
				tc.attrs(e)
				data, err := e.Finish()
				if err != nil {
					t.Fatal(err)
				}
				_, err = c.Execute(xcCtx(t), netlink.Message{Header: netlink.Header{Type: tc.typ, Flags: netlink.Acknowledge | netlink.Create}, Data: data})
				var oe *netlink.OpError
				if !errors.As(err, &oe) {
					t.Fatalf("%v, want an *OpError", err)
				}
				if !errors.Is(err, unix.ERANGE) {
					t.Errorf("errno %v, want ERANGE", oe.Err)
				}
				if oe.Offset != tc.offset || oe.AttrType != tc.attr {
					t.Errorf("offset %d, attribute %d; want %d, %d", oe.Offset, oe.AttrType, tc.offset, tc.attr)
				}
				if oe.Message != tc.wantText {
					t.Errorf("message %q, want %q", oe.Message, tc.wantText)
				}
				t.Logf("%v", err)
			})
		}
	}
	if env.ns != nil { // the fake changes no MTU
		if out := env.ns.Run(t, "link", "show", "xc0"); !strings.Contains(out, "mtu 1500") {
			t.Errorf("the MTU changed:\n%s", out)
		}
	}
}

// Batch returns each request's own result, in order.
func TestExchangeBatchResults(t *testing.T) {
	xcBackends(t, testExchangeBatchResults)
}

func testExchangeBatchResults(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	c := env.dial(t, netlink.Config{})
	p := func(s string) netip.Prefix { return netip.MustParsePrefix(s) }
	flags := netlink.Create | netlink.Excl
	reqs := []netlink.Message{
		xcAddr(unix.RTM_NEWADDR, flags, p("192.0.2.1/24"), v),
		xcAddr(unix.RTM_NEWADDR, flags, p("192.0.2.2/24"), v),
		xcAddr(unix.RTM_NEWADDR, flags, p("192.0.2.1/24"), v), // again
		xcAddr(unix.RTM_NEWADDR, flags, p("192.0.2.3/24"), 9999),
		xcAddr(unix.RTM_NEWADDR, flags, p("192.0.2.4/24"), v),
	}
	results, err := c.Batch(xcCtx(t), reqs)
	if err != nil {
		t.Fatal(err)
	}
	want := []error{nil, nil, unix.EEXIST, unix.ENODEV, nil}
	for i, err := range results {
		if want[i] == nil && err != nil || want[i] != nil && !errors.Is(err, want[i]) {
			t.Errorf("request %d: %v, want %v", i, err, want[i])
		}
		var oe *netlink.OpError
		if err != nil && (!errors.As(err, &oe) || oe.Sequence&(1<<31) == 0 || oe.Op != "batch") {
			t.Errorf("request %d: %#v", i, err)
		}
	}
	// The sequence numbers of the two errors are those of requests 2 and 3.
	var e2, e3 *netlink.OpError
	if errors.As(results[2], &e2) && errors.As(results[3], &e3) && e3.Sequence != e2.Sequence+1 {
		t.Errorf("errors for sequence numbers %#x and %#x, want consecutive ones", e2.Sequence, e3.Sequence)
	}
	if reqs[0].Header.Sequence != 0 || reqs[0].Header.Flags != netlink.Create|netlink.Excl {
		t.Errorf("Batch changed the caller's request: %v", reqs[0].Header)
	}
	got := env.addrs(t)
	for _, a := range []string{"192.0.2.1/24", "192.0.2.2/24", "192.0.2.4/24"} {
		if !slices.Contains(got, p(a)) {
			t.Errorf("ip addr show lists %v, not %s", got, a)
		}
	}
	if msgs, err := c.Execute(xcCtx(t), xcGetLink(v, 0)); err != nil {
		t.Error(err)
	} else {
		xcCheckLink(t, msgs, v, "xc0")
	}
}

// Bug: Batch sized its chunks for bare ACKs, but without NETLINK_CAP_ACK an
// error echoes its request. Large failing requests overflowed the receive
// buffer: ENOBUFS, the batch failed and every result was lost.
func TestExchangeBatchErrorsFit(t *testing.T) {
	ns := nstest.New(t)
	for _, cfg := range xcConfigs {
		t.Run(cfg.name, func(t *testing.T) {
			c := xcDial(t, ns, netlink.Config{ReadBuffer: 4096, Options: cfg.opts})
			reqs := make([]netlink.Message, 20)
			for i := range reqs {
				// 127.0.0.1/8 is lo's already; an attribute NEWADDR does not know
				// pads the request to 3 KB.
				m := xcAddr(unix.RTM_NEWADDR, netlink.Create|netlink.Excl, netip.MustParsePrefix("127.0.0.1/8"), 1)
				e := netlink.NewAttrEncoder(m.Data)
				e.Bytes(200, make([]byte, 3000))
				m.Data, _ = e.Finish()
				reqs[i] = m
			}
			results, err := c.Batch(xcCtx(t), reqs)
			if err != nil {
				t.Fatalf("Batch: %v", err)
			}
			for i, err := range results {
				if !errors.Is(err, unix.EEXIST) {
					t.Errorf("request %d: %v, want EEXIST", i, err)
				}
			}
		})
	}
}

// A 100,000-route dump yields every route exactly once, in
// constant memory, whatever the read buffer size.
func TestExchangeDumpRoutes(t *testing.T) {
	xcBackends(t, testExchangeDumpRoutes)
}

func testExchangeDumpRoutes(t *testing.T, env *xcEnv) {
	n := 100_000
	if testing.Short() || env.fake != nil { // on the fake a tenth tells as much
		n = 10_000
	}
	v := env.veth(t, "xc0")
	start := time.Now()
	xcInstallRoutes(t, env.dial(t, netlink.Config{}), n, v)
	t.Logf("installed %d routes with Batch in %v", n, time.Since(start))
	if env.ns != nil {
		if got := xcCountLines(t, env.ns, "10.", "-4", "route", "show", "table", "main"); got != n {
			t.Fatalf("ip route show lists %d routes, want %d", got, n)
		}
	}

	for _, size := range []int{4096, 1 << 20} {
		t.Run(fmt.Sprintf("BufferSize=%d", size), func(t *testing.T) {
			c := env.dial(t, netlink.Config{DatagramBuffer: size, Options: []netlink.Option{netlink.GetStrictCheck}})
			seen := make([]uint64, (1<<24)/64) // one bit per address of 10.0.0.0/8
			var count, dups, other int
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			for m, err := range c.Dump(xcCtx(t), xcRouteDump()) {
				if err != nil {
					t.Fatal(err)
				}
				table, dst, ok := xcRouteDst(m)
				if !ok || table != unix.RT_TABLE_MAIN || dst[0] != 10 {
					other++
					continue
				}
				i := int(dst[1])<<16 | int(dst[2])<<8 | int(dst[3])
				if seen[i/64]&(1<<(i%64)) != 0 {
					dups++
				}
				seen[i/64] |= 1 << (i % 64)
				count++
			}
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			heap := int64(after.HeapInuse) - int64(before.HeapInuse)
			t.Logf("%d routes in %v; allocated %d bytes in %d objects (%.2f B/route); HeapInuse %+d bytes",
				count, elapsed, alloc, after.Mallocs-before.Mallocs, float64(alloc)/float64(count), heap)
			if count != n || dups != 0 || other != 0 {
				t.Errorf("%d routes (%d duplicates, %d others), want %d", count, dups, other, n)
			}
			for i := range n {
				if seen[i/64]&(1<<(i%64)) == 0 {
					t.Fatalf("route to %v missing", xcDst(i))
				}
			}
			// Constant memory: the read buffer (up to a datagram or two, at
			// most the receive buffer) and nothing per route. Under the race
			// detector sync.Pool drops buffers at random, so each read may
			// allocate one. The fake kernel makes the whole dump as it is
			// asked for, in this process.
			if raceEnabled || env.fake != nil {
				return
			}
			const limit = 4 << 20
			if alloc > limit || heap > limit {
				t.Errorf("the dump allocated %d bytes and grew the heap by %d bytes, want < %d", alloc, heap, limit)
			}
		})
	}
}

// A dump the kernel marks NLM_F_DUMP_INTR yields every message,
// then an error wrapping ErrDumpInterrupted; DumpAll succeeds once the table
// is quiet.
//
// Linux (6.18) does not mark IPv4 or IPv6 route dumps at all: fib dumps do
// not set the callback's sequence. Address dumps are marked, and adding an
// address adds routes too, to the local table.
func TestExchangeDumpInterrupted(t *testing.T) {
	xcBackends(t, testExchangeDumpInterrupted)
}

func testExchangeDumpInterrupted(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	w := env.dial(t, netlink.Config{})
	const n = 2000
	reqs := make([]netlink.Message, n)
	for i := range reqs {
		reqs[i] = xcAddr(unix.RTM_NEWADDR, netlink.Create|netlink.Excl, netip.PrefixFrom(xcDst(0x140000+i), 32), v)
	}
	if _, err := w.Batch(xcCtx(t), reqs); err != nil {
		t.Fatal(err)
	}
	want := len(env.addrs(t))
	c := env.dial(t, netlink.Config{DatagramBuffer: 4096})

	// change adds and deletes an address until stop is closed.
	change := func(stop <-chan struct{}, done chan<- int) {
		p := netip.MustParsePrefix("10.99.0.1/32")
		k := 0
		for {
			select {
			case <-stop:
				done <- k
				return
			default:
			}
			for _, typ := range []netlink.HeaderType{unix.RTM_NEWADDR, unix.RTM_DELADDR} {
				if _, err := w.Execute(xcCtx(t), xcAddr(typ, netlink.Acknowledge|netlink.Create, p, v)); err != nil {
					t.Errorf("change: %v", err)
				}
			}
			k++
		}
	}

	provoked := 0
	for attempt := 1; attempt <= 20 && provoked == 0; attempt++ {
		stop, done := make(chan struct{}), make(chan int)
		go change(stop, done)
		count, flagged := 0, 0
		var last error
		for m, err := range c.Dump(xcCtx(t), xcAddrDump()) {
			if err != nil {
				last = err
				continue // the error is the last thing yielded
			}
			count++
			if m.Header.Flags&netlink.DumpInterrupted != 0 {
				flagged++
			}
			if count%100 == 0 {
				time.Sleep(time.Millisecond) // a slow reader: more time for changes
			}
		}
		close(stop)
		changes := <-done
		switch {
		case errors.Is(last, netlink.ErrDumpInterrupted):
			provoked = attempt
			var oe *netlink.OpError
			if !errors.As(last, &oe) || oe.Op != "dump" {
				t.Errorf("error %#v", last)
			}
			// Every message was yielded before the error.
			if count < want-1 {
				t.Errorf("interrupted dump yielded %d addresses, want at least %d", count, want-1)
			}
			t.Logf("attempt %d: interrupted after %d changes; %d of %d messages flagged: %v", attempt, changes, flagged, count, last)
		case last != nil:
			t.Fatalf("attempt %d: %v", attempt, last)
		case flagged > 0:
			t.Fatalf("attempt %d: %d messages flagged DUMP_INTR but no ErrDumpInterrupted", attempt, flagged)
		default:
			t.Logf("attempt %d: %d changes did not interrupt the dump", attempt, changes)
		}
	}
	if provoked == 0 {
		t.Skip("the kernel did not mark a dump interrupted in 20 attempts")
	}

	// Quiet now: DumpAll gets a consistent dump at once.
	msgs, err := c.DumpAll(xcCtx(t), xcAddrDump())
	if err != nil {
		t.Fatalf("DumpAll: %v", err)
	}
	if len(msgs) != want {
		t.Errorf("DumpAll: %d addresses, want %d", len(msgs), want)
	}
	for _, m := range msgs {
		if a, _ := xcAddrOf(m); a == netip.MustParseAddr("10.99.0.1") {
			t.Errorf("DumpAll lists the deleted address")
		}
		if m.Header.Flags&netlink.DumpInterrupted != 0 {
			t.Errorf("DumpAll returned a message flagged DUMP_INTR")
		}
	}
}

// 32 goroutines run Execute and Dump on one Conn at once, and
// each gets exactly its own replies.
func TestExchangeConcurrent(t *testing.T) {
	xcBackends(t, testExchangeConcurrent)
}

func testExchangeConcurrent(t *testing.T, env *xcEnv) {
	for i := range 6 {
		env.veth(t, fmt.Sprintf("xc%d", i))
	}
	links := env.links(t)
	var indexes []int32
	for i := range links {
		indexes = append(indexes, i)
	}
	slices.Sort(indexes)
	c := env.dial(t, netlink.Config{})

	const goroutines, rounds = 32, 25
	var wg sync.WaitGroup
	var ops [5]atomic.Int64
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				index := indexes[(g+r)%len(indexes)]
				switch op := (g + r) % 5; op {
				case 0: // GET, no ACK, no context
					msgs, err := c.Execute(context.Background(), xcGetLink(index, 0))
					if err != nil {
						t.Errorf("GET %d: %v", index, err)
						return
					}
					xcCheckLink(t, msgs, index, links[index])
				case 1: // GET with ACK and a context
					msgs, err := c.Execute(xcCtx(t), xcGetLink(index, netlink.Acknowledge))
					if err != nil {
						t.Errorf("GET+ACK %d: %v", index, err)
						return
					}
					if len(msgs) != 1 {
						t.Errorf("GET+ACK %d: %d messages", index, len(msgs))
						return
					}
					xcCheckLink(t, msgs[:1], index, links[index])
				case 2, 3: // Dump, sometimes broken off
					got := map[int32]string{}
					stopAt := len(links)
					if op == 3 {
						stopAt = 1 + r%3
					}
					for m, err := range c.Dump(xcCtx(t), xcLinkDump()) {
						if err != nil {
							t.Errorf("Dump: %v", err)
							return
						}
						i, n := xcLink(t, m)
						got[i] = n
						if len(got) == stopAt {
							break
						}
					}
					if op == 2 && !maps.Equal(got, links) {
						t.Errorf("Dump: %v, want %v", got, links)
					}
					if op == 3 && len(got) != stopAt {
						t.Errorf("broken-off Dump: %d links, want %d", len(got), stopAt)
					}
				case 4: // a dump through Execute
					msgs, err := c.Execute(xcCtx(t), netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Dump}, Data: xcIfinfo(0)})
					if err != nil {
						t.Errorf("Execute dump: %v", err)
						return
					}
					got := map[int32]string{}
					for _, m := range msgs {
						i, n := xcLink(t, m)
						got[i] = n
					}
					if !maps.Equal(got, links) {
						t.Errorf("Execute dump: %v, want %v", got, links)
					}
				}
				ops[(g+r)%5].Add(1)
			}
		}()
	}
	wg.Wait()
	t.Logf("operations: GET %d, GET+ACK %d, Dump %d, broken-off Dump %d, Execute dump %d",
		ops[0].Load(), ops[1].Load(), ops[2].Load(), ops[3].Load(), ops[4].Load())
	// Only the broken-off dumps leave messages behind, which later calls
	// read and discard.
	if s := c.Stats().Stale; s != 0 && ops[3].Load() == 0 {
		t.Errorf("Stats().Stale = %d, want 0: no exchange was cancelled or broken off", s)
	}
}

// Bug: the kernel runs one dump per socket; a second one, while the first
// runs, failed with EBUSY. Dumps now take turns: concurrent ones, one
// started from another's loop, and one after a dump cancelled half way.
func TestExchangeDumpsTakeTurns(t *testing.T) {
	ns := nstest.New(t)
	v := xcVeth(t, ns, "xc0")
	const routes = 5000
	xcInstallRoutes(t, xcDial(t, ns, netlink.Config{}), routes, v)
	c := xcDial(t, ns, netlink.Config{Options: []netlink.Option{netlink.GetStrictCheck}})
	countRoutes := func(ctx context.Context) (int, error) {
		n := 0
		for m, err := range c.Dump(ctx, xcRouteDump()) {
			if err != nil {
				return n, err
			}
			if _, _, ok := xcRouteDst(m); ok {
				n++
			}
		}
		return n, nil
	}

	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 5 {
					if n, err := countRoutes(xcCtx(t)); err != nil || n != routes {
						t.Errorf("%d routes, %v; want %d", n, err, routes)
						return
					}
				}
			}()
		}
		wg.Wait()
	})

	t.Run("nested", func(t *testing.T) {
		// A link dump from the loop of a route dump that the kernel is
		// still running: the inner one reads the outer one through first.
		outer, inner := 0, 0
		for m, err := range c.Dump(xcCtx(t), xcRouteDump()) {
			if err != nil {
				t.Fatal(err)
			}
			if outer == 0 {
				for m, err := range c.Dump(xcCtx(t), xcLinkDump()) {
					if err != nil {
						t.Fatalf("dump in a dump: %v", err)
					}
					xcLink(t, m)
					inner++
				}
			}
			if _, _, ok := xcRouteDst(m); ok {
				outer++
			}
		}
		if want := len(xcLinks(t, ns)); outer != routes || inner != want {
			t.Errorf("outer dump: %d routes, want %d; inner dump: %d links, want %d", outer, routes, inner, want)
		}
	})

	t.Run("after cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(xcCtx(t))
		defer cancel()
		n := 0
		var last error
		for _, err := range c.Dump(ctx, xcRouteDump()) {
			if err != nil {
				last = err
				break
			}
			if n++; n == 10 {
				cancel()
			}
		}
		if !errors.Is(last, context.Canceled) {
			t.Fatalf("cancelled dump: %v after %d routes", last, n)
		}
		if n, err := countRoutes(xcCtx(t)); err != nil || n != routes {
			t.Errorf("next dump: %d routes, %v; want %d", n, err, routes)
		}
	})
}

// Breaking out of Dump drains the rest, so the next request on
// the Conn works.
func TestExchangeDumpBreak(t *testing.T) {
	xcBackends(t, testExchangeDumpBreak)
}

func testExchangeDumpBreak(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	const routes = 3000
	xcInstallRoutes(t, env.dial(t, netlink.Config{}), routes, v)
	c := env.dial(t, netlink.Config{DatagramBuffer: 4096, Options: []netlink.Option{netlink.GetStrictCheck}})
	for _, stopAt := range []int{1, 3, routes - 1} {
		n := 0
		for _, err := range c.Dump(xcCtx(t), xcRouteDump()) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == stopAt {
				break
			}
		}
		if n != stopAt {
			t.Fatalf("broke off after %d routes, want %d", n, stopAt)
		}
		msgs, err := c.Execute(xcCtx(t), xcGetLink(v, netlink.Acknowledge))
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 {
			t.Fatalf("GET after break: %d messages", len(msgs))
		}
		xcCheckLink(t, msgs[:1], v, "xc0")
	}
	msgs, err := c.DumpAll(xcCtx(t), xcRouteDump())
	if err != nil || len(msgs) != routes {
		t.Errorf("DumpAll after breaks: %d routes, %v; want %d", len(msgs), err, routes)
	}
	// The rest of each broken-off dump was read by the calls after it, and
	// discarded.
	if s := c.Stats().Stale; s == 0 {
		t.Errorf("Stats().Stale = 0: the rest of the broken-off dumps went somewhere")
	}
}

// What a cancelled exchange leaves behind is discarded (and
// counted), never handed to the next one.
func TestExchangeCancelLeftovers(t *testing.T) {
	xcBackends(t, testExchangeCancelLeftovers)
}

func testExchangeCancelLeftovers(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	const routes = 10000
	xcInstallRoutes(t, env.dial(t, netlink.Config{}), routes, v)
	c := env.dial(t, netlink.Config{Options: []netlink.Option{netlink.GetStrictCheck}})

	check := func(t *testing.T) {
		t.Helper()
		msgs, err := c.Execute(xcCtx(t), xcGetLink(v, netlink.Acknowledge))
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 {
			t.Fatalf("GET: %d messages: %v", len(msgs), msgs)
		}
		xcCheckLink(t, msgs[:1], v, "xc0")
	}

	t.Run("dump cancelled in its loop", func(t *testing.T) {
		before := c.Stats().Stale
		ctx, cancel := context.WithCancel(xcCtx(t))
		defer cancel()
		n := 0
		var last error
		for _, err := range c.Dump(ctx, xcRouteDump()) {
			if err != nil {
				last = err
				break
			}
			if n++; n == 1 {
				cancel()
			}
		}
		if !errors.Is(last, context.Canceled) || n >= routes {
			t.Fatalf("%d routes, then %v; want context.Canceled before the end", n, last)
		}
		check(t)
		if s := c.Stats().Stale; s <= before {
			t.Errorf("Stats().Stale = %d, was %d: the rest of the dump was not discarded", s, before)
		}
		msgs, err := c.DumpAll(xcCtx(t), xcRouteDump())
		if err != nil || len(msgs) != routes {
			t.Errorf("DumpAll: %d routes, %v; want %d", len(msgs), err, routes)
		}
	})

	t.Run("execute deadline", func(t *testing.T) {
		dump := netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE, Flags: netlink.Dump}, Data: xcRouteDump().Data}
		cut := 0
		for i := range 40 {
			before := c.Stats().Stale
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(50+100*i)*time.Microsecond)
			msgs, err := c.Execute(ctx, dump)
			cancel()
			switch {
			case err == nil:
				if len(msgs) != routes {
					t.Errorf("complete dump: %d routes", len(msgs))
				}
			case !errors.Is(err, context.DeadlineExceeded):
				t.Fatalf("Execute: %v", err)
			case msgs != nil:
				t.Errorf("Execute returned messages with %v", err)
			}
			check(t)
			if c.Stats().Stale > before {
				cut++
			}
		}
		t.Logf("%d of 40 dumps were cut off half way; %d stale messages discarded", cut, c.Stats().Stale)
		if n, err := c.DumpAll(xcCtx(t), xcRouteDump()); err != nil || len(n) != routes {
			t.Errorf("DumpAll: %d routes, %v", len(n), err)
		}
	})
}

// Bug: a datagram that recvmsg returned as the reader's context ended was
// dropped, with whatever it held for others: here, notifications. A Dump
// cancelled in its loop could do that on each of its following reads.
func TestExchangeCancelKeepsOthers(t *testing.T) {
	xcBackends(t, testExchangeCancelKeepsOthers)
}

func testExchangeCancelKeepsOthers(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	xcInstallRoutes(t, env.dial(t, netlink.Config{}), 10000, v)
	c := env.dial(t, netlink.Config{Groups: []uint32{unix.RTNLGRP_IPV4_IFADDR}, Options: []netlink.Option{netlink.GetStrictCheck}})
	w := env.dial(t, netlink.Config{})
	for i := range 20 {
		ctx, cancel := context.WithCancel(xcCtx(t))
		defer cancel()
		p := netip.PrefixFrom(xcDst(0x200000+i), 32)
		n := 0
		for _, err := range c.Dump(ctx, xcRouteDump()) {
			if err != nil {
				break
			}
			if n++; n == 1 {
				// A notification queued behind the next datagram of the dump.
				if _, err := w.Execute(xcCtx(t), xcAddr(unix.RTM_NEWADDR, netlink.Acknowledge|netlink.Create, p, v)); err != nil {
					t.Fatal(err)
				}
				cancel()
			}
		}
		rctx, rcancel := context.WithTimeout(context.Background(), xcTimeout)
		for found := false; !found; {
			msgs, err := c.Receive(rctx)
			if err != nil {
				t.Fatalf("round %d: waiting for the notification of %v: %v", i, p, err)
			}
			for _, m := range msgs {
				if a, ok := xcAddrOf(m); ok && a == p.Addr() {
					found = true
				}
			}
		}
		rcancel()
	}
}

// Requests on a subscribed Conn succeed while notifications
// flow, and Receive then returns every notification, in order.
func TestExchangeNotifications(t *testing.T) {
	xcBackends(t, testExchangeNotifications)
}

func testExchangeNotifications(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	c := env.dial(t, netlink.Config{Groups: []uint32{unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_IFADDR}})
	const n = 40
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := env.addAddr(netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 30, 0, byte(i + 1)}), 32), "xc0"); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	requests := 0
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		default:
		}
		msgs, err := c.Execute(xcCtx(t), xcGetLink(v, netlink.Acknowledge))
		if err != nil {
			t.Fatal(err)
		}
		xcCheckLink(t, msgs[:1], v, "xc0")
		links := 0
		for m, err := range c.Dump(xcCtx(t), xcLinkDump()) {
			if err != nil {
				t.Fatal(err)
			}
			xcLink(t, m)
			links++
		}
		if links != 3 {
			t.Fatalf("dump: %d links, want 3", links)
		}
		requests += 2
	}

	port := c.LocalAddr().PortID
	var got []netip.Addr
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for len(got) < n {
		msgs, err := c.Receive(ctx)
		if err != nil {
			t.Fatalf("after %d of %d notifications: %v", len(got), n, err)
		}
		for _, m := range msgs {
			if m.Header.PortID == port || m.Header.Sequence&(1<<31) != 0 {
				t.Errorf("Receive returned an exchange's reply: %v", m.Header)
			}
			if a, ok := xcAddrOf(m); ok && a.As4()[1] == 30 {
				got = append(got, a)
			}
		}
	}
	for i, a := range got {
		if want := netip.AddrFrom4([4]byte{10, 30, 0, byte(i + 1)}); a != want {
			t.Errorf("notification %d is for %v, want %v", i, a, want)
		}
	}
	t.Logf("%d requests ran while %d notifications arrived", requests, n)
}

// Bug: a Receive that held the read token read the replies of exchanges
// running at the same time, handed them to their exchanges, and returned
// them too, as if they were notifications.
func TestExchangeReceiveDuringExecute(t *testing.T) {
	xcBackends(t, testExchangeReceiveDuringExecute)
}

func testExchangeReceiveDuringExecute(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	c := env.dial(t, netlink.Config{Groups: []uint32{unix.RTNLGRP_IPV4_IFADDR}})
	ctx, cancel := context.WithCancel(xcCtx(t))
	got := make(chan []netlink.Message, 100)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(got)
		for {
			msgs, err := c.Receive(ctx)
			if err != nil {
				return
			}
			got <- msgs
		}
	}()
	for range 200 {
		msgs, err := c.Execute(context.Background(), xcGetLink(v, 0))
		if err != nil {
			t.Fatal(err)
		}
		xcCheckLink(t, msgs, v, "xc0")
	}
	if err := env.addAddr(netip.MustParsePrefix("10.31.0.1/32"), "xc0"); err != nil {
		t.Fatal(err)
	}
	var notes int
	timeout := time.After(10 * time.Second)
	for notes == 0 {
		select {
		case msgs := <-got:
			for _, m := range msgs {
				if m.Header.Type != unix.RTM_NEWADDR {
					t.Errorf("Receive returned %v", m.Header)
				} else {
					notes++
				}
			}
		case <-timeout:
			t.Fatal("no notification")
		}
	}
	cancel()
	wg.Wait()
	for msgs := range got {
		for _, m := range msgs {
			t.Errorf("Receive returned %v", m.Header)
		}
	}
}

// xcOverflow makes the kernel drop notifications for c: many changes, and
// nobody reading.
func xcOverflow(t testing.TB, ns *nstest.NS, net byte) {
	t.Helper()
	lines := make([]string, 300)
	for i := range lines {
		lines[i] = fmt.Sprintf("addr add 10.%d.%d.%d/32 dev xc0", net, i/200, i%200+1)
	}
	ns.Batch(t, lines)
}

// xcDrain receives until nothing came for a while and returns how many
// datagrams came and how many errors wrapped ErrOverrun; another error fails
// the test.
func xcDrain(t testing.TB, c *netlink.Conn) (datagrams, overruns int) {
	t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err := c.Receive(ctx)
		cancel()
		switch {
		case err == nil:
			datagrams++
		case errors.Is(err, netlink.ErrOverrun):
			overruns++
		case errors.Is(err, context.DeadlineExceeded):
			return datagrams, overruns
		default:
			t.Fatalf("Receive: %v", err)
		}
	}
}

// A tiny receive buffer overflows; Receive reports ErrOverrun
// (and ENOBUFS), once, and the Conn keeps working.
func TestExchangeOverrun(t *testing.T) {
	xcBackends(t, testExchangeOverrun)
}

func testExchangeOverrun(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	c := env.dial(t, netlink.Config{ReadBuffer: 4096, Groups: []uint32{unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_IFADDR}})
	env.overflow(t, c, 40)

	_, err := c.Receive(xcCtx(t))
	if !errors.Is(err, netlink.ErrOverrun) || !errors.Is(err, unix.ENOBUFS) {
		t.Fatalf("Receive: %v; want ErrOverrun and ENOBUFS", err)
	}
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Op != "receive" {
		t.Errorf("%#v", err)
	}
	// What the queue still holds, without a second report of the same loss.
	n, overruns := xcDrain(t, c)
	t.Logf("%v, then %d datagrams", err, n)
	if overruns != 0 {
		t.Errorf("Receive reported the overrun %d more times", overruns)
	}

	msgs, err := c.Execute(xcCtx(t), xcGetLink(v, netlink.Acknowledge))
	if err != nil {
		t.Fatalf("Execute after the overrun: %v", err)
	}
	xcCheckLink(t, msgs[:1], v, "xc0")

	if err := env.addAddr(netip.MustParsePrefix("10.41.0.1/32"), "xc0"); err != nil {
		t.Fatal(err)
	}
	for found := false; !found; {
		msgs, err := c.Receive(xcCtx(t))
		if err != nil {
			t.Fatalf("Receive after the overrun: %v", err)
		}
		for _, m := range msgs {
			if a, ok := xcAddrOf(m); ok && a == netip.MustParseAddr("10.41.0.1") {
				found = true
			}
		}
	}
}

// The exchange that meets the overrun fails with ErrOverrun,
// Receive learns of the loss once, and the Conn keeps working.
func TestExchangeOverrunDuringExecute(t *testing.T) {
	xcBackends(t, testExchangeOverrunDuringExecute)
}

func testExchangeOverrunDuringExecute(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	c := env.dial(t, netlink.Config{ReadBuffer: 4096, Groups: []uint32{unix.RTNLGRP_IPV4_IFADDR}})
	env.overflow(t, c, 42)
	_, err := c.Execute(xcCtx(t), xcGetLink(v, netlink.Acknowledge))
	if !errors.Is(err, netlink.ErrOverrun) || !errors.Is(err, unix.ENOBUFS) {
		t.Fatalf("Execute: %v, want ErrOverrun", err)
	}
	n, overruns := xcDrain(t, c)
	t.Logf("Execute: %v; Receive: %d datagrams, %d overruns", err, n, overruns)
	if overruns != 1 || n == 0 {
		t.Errorf("Receive reported the overrun %d times and %d datagrams, want once and some", overruns, n)
	}
	msgs, err := c.Execute(xcCtx(t), xcGetLink(v, netlink.Acknowledge))
	if err != nil {
		t.Fatalf("Execute after the overrun: %v", err)
	}
	xcCheckLink(t, msgs[:1], v, "xc0")
}

// After ENOBUFS the kernel keeps the socket congested until its receive
// queue is empty, and silently drops every reply meanwhile. The reader that
// meets ENOBUFS drains the queue, so a request sent afterwards is answered,
// whether Receive or an Execute met the overrun.
func TestExchangeExecuteWhileCongested(t *testing.T) {
	xcBackends(t, testExchangeExecuteWhileCongested)
}

func testExchangeExecuteWhileCongested(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")

	t.Run("receive first", func(t *testing.T) {
		c := env.dial(t, netlink.Config{ReadBuffer: 4096, Groups: []uint32{unix.RTNLGRP_IPV4_IFADDR}})
		env.overflow(t, c, 43)
		if _, err := c.Receive(xcCtx(t)); !errors.Is(err, netlink.ErrOverrun) {
			t.Fatalf("Receive: %v, want ErrOverrun", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), xcTimeout)
		defer cancel()
		if _, err := c.Execute(ctx, xcGetLink(v, netlink.Acknowledge)); err != nil {
			t.Errorf("Execute sent after the overrun: %v", err)
		}
	})

	t.Run("execute first", func(t *testing.T) {
		c := env.dial(t, netlink.Config{ReadBuffer: 4096, Groups: []uint32{unix.RTNLGRP_IPV4_IFADDR}})
		env.overflow(t, c, 44)
		ctx, cancel := context.WithTimeout(context.Background(), xcTimeout)
		defer cancel()
		// The reply to this one may be lost to the congestion: it fails
		// with ErrOverrun rather than waiting for ever.
		if _, err := c.Execute(ctx, xcGetLink(v, netlink.Acknowledge)); err != nil && !errors.Is(err, netlink.ErrOverrun) {
			t.Fatalf("Execute during the overrun: %v, want success or ErrOverrun", err)
		}
		msgs, err := c.Execute(ctx, xcGetLink(v, netlink.Acknowledge))
		if err != nil {
			t.Fatalf("Execute after the overrun: %v", err)
		}
		xcCheckLink(t, msgs[:1], v, "xc0")
		// What was drained from the socket is kept for Receive.
		if _, err := c.Receive(ctx); err != nil && !errors.Is(err, netlink.ErrOverrun) {
			t.Fatalf("Receive after the overrun: %v", err)
		}
	})
}

// A batch that fails as a whole gives its error to every request that got
// no answer, never a nil that would read as success.
func TestExchangeBatchFailureMarksUnanswered(t *testing.T) {
	xcBackends(t, testExchangeBatchFailureMarksUnanswered)
}

func testExchangeBatchFailureMarksUnanswered(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	c := env.dial(t, netlink.Config{})
	reqs := make([]netlink.Message, 50)
	for i := range reqs {
		reqs[i] = xcRoute(unix.RTM_NEWROUTE, netlink.Create|netlink.Replace, xcDst(i), v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	results, err := c.Batch(ctx, reqs)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Batch with a cancelled context: %v, want context.Canceled", err)
	}
	if len(results) != len(reqs) {
		t.Fatalf("%d results for %d requests", len(results), len(reqs))
	}
	for i, r := range results {
		if !errors.Is(r, context.Canceled) {
			t.Fatalf("result %d: %v, want the batch's error", i, r)
		}
	}
	// The Conn still works, and a batch that succeeds reports nil for each.
	results, err = c.Batch(xcCtx(t), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r != nil {
			t.Fatalf("result %d: %v", i, r)
		}
	}
}

// A dump the kernel refuses while the socket is congested: the refusal is
// among the replies the kernel drops, so the Dump fails with ErrOverrun. It
// must not keep the Conn's dump turn waiting for a DONE that never comes:
// the re-dump that ErrOverrun calls for then works.
func TestExchangeRedumpAfterRefusedDump(t *testing.T) {
	xcBackends(t, testExchangeRedumpAfterRefusedDump)
}

func testExchangeRedumpAfterRefusedDump(t *testing.T, env *xcEnv) {
	env.veth(t, "xc0")
	c := env.dial(t, netlink.Config{ReadBuffer: 4096, Groups: []uint32{unix.RTNLGRP_IPV4_IFADDR}})
	env.overflow(t, c, 9) // notifications nobody reads congest c
	// A dump of a type rtnetlink does not know: EOPNOTSUPP, dropped.
	ctx, cancel := context.WithTimeout(context.Background(), xcTimeout)
	for _, err := range c.Dump(ctx, netlink.Message{Header: netlink.Header{Type: 0x3ff}, Data: make([]byte, 16)}) {
		t.Logf("refused dump: %v", err)
	}
	cancel()

	ctx, cancel = context.WithTimeout(context.Background(), xcTimeout)
	defer cancel()
	links, err := c.DumpAll(ctx, xcLinkDump())
	if err != nil {
		t.Fatalf("the next dump on a quiet Conn: %v", err)
	}
	if len(links) != 3 { // lo and the veth pair
		t.Errorf("re-dump found %d links, want 3", len(links))
	}
}

// Some dumps fail in their first part: the kernel sends the errno and the
// extended ACK in NLMSG_DONE rather than in NLMSG_ERROR. Dump, Execute and
// DumpAll report it as they report an NLMSG_ERROR.
func TestExchangeErrorInDone(t *testing.T) {
	xcBackends(t, testExchangeErrorInDone)
}

func testExchangeErrorInDone(t *testing.T, env *xcEnv) {
	c := env.dial(t, netlink.Config{Options: []netlink.Option{netlink.GetStrictCheck}})
	// Strict checking refuses a link dump filtered by interface index.
	req := xcGetLink(1, netlink.Dump)
	check := func(how string, err error) {
		t.Helper()
		var oe *netlink.OpError
		if !errors.Is(err, unix.EINVAL) || !errors.As(err, &oe) {
			t.Fatalf("%s: %v, want an *OpError wrapping EINVAL", how, err)
		}
		if oe.Message == "" {
			t.Errorf("%s: no extended ACK message in %v", how, err)
		}
		t.Logf("%s: %v", how, err)
	}
	var dumpErr error
	n := 0
	for _, err := range c.Dump(xcCtx(t), req) {
		if err != nil {
			dumpErr = err
			break
		}
		n++
	}
	if n != 0 {
		t.Errorf("Dump yielded %d messages before the error", n)
	}
	check("Dump", dumpErr)
	_, err := c.Execute(xcCtx(t), req)
	check("Execute", err)
	_, err = c.DumpAll(xcCtx(t), req)
	check("DumpAll", err)
	// The Conn goes on.
	if _, err := c.Execute(xcCtx(t), xcGetLink(1, 0)); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer is a strings.Builder that a Conn's tracer and a test may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Reset()
}
