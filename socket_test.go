//go:build linux

package netlink_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// These tests talk to the real kernel, always inside a network namespace
// they create, so they never touch the host's links, addresses or routes.
// They never assert on wall time: skWait bounds every wait generously, and
// "must not arrive" is a short deadline that is expected to expire.

// skWait bounds every wait for something that must happen.
const skWait = 10 * time.Second

// skQuiet is the short deadline for something that must not happen.
const skQuiet = 300 * time.Millisecond

// skDrainQuiet receives until nothing arrives for skQuiet, then clears the
// read deadline.
func skDrainQuiet(t testing.TB, c *netlink.Conn) {
	t.Helper()
	for {
		c.SetReadDeadline(time.Now().Add(skQuiet))
		if _, err := c.Receive(context.Background()); err != nil {
			if !os.IsTimeout(err) {
				t.Fatal(err)
			}
			break
		}
	}
	c.SetReadDeadline(time.Time{})
}

// skDial dials protocol with cfg and closes the Conn when the test ends.
func skDial(t testing.TB, proto int, cfg *netlink.Config) *netlink.Conn {
	t.Helper()
	c, err := netlink.Dial(proto, cfg)
	if err != nil {
		t.Fatalf("Dial(%d): %v", proto, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// skRoute dials NETLINK_ROUTE inside ns; cfg may be nil.
func skRoute(t testing.TB, ns *nstest.NS, cfg *netlink.Config) *netlink.Conn {
	t.Helper()
	if cfg == nil {
		cfg = &netlink.Config{}
	}
	cfg.NetNS = ns.Path
	return skDial(t, unix.NETLINK_ROUTE, cfg)
}

// skUserPair dials two NETLINK_USERSOCK sockets that accept each other,
// inside ns.
func skUserPair(t testing.TB, ns *nstest.NS, cfg netlink.Config) (a, b *netlink.Conn) {
	t.Helper()
	cfg.NetNS, cfg.AcceptPeers = ns.Path, true
	ca, cb := cfg, cfg
	return skDial(t, unix.NETLINK_USERSOCK, &ca), skDial(t, unix.NETLINK_USERSOCK, &cb)
}

// skIfinfo is a struct ifinfomsg for interface index.
func skIfinfo(index int32) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	b[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	return b
}

// skLinkName returns the IFLA_IFNAME of an RTM_NEWLINK message, or "".
func skLinkName(m netlink.Message) string {
	if m.Header.Type != unix.RTM_NEWLINK {
		return ""
	}
	for a, err := range m.Attrs(unix.SizeofIfInfomsg) {
		if err != nil {
			return ""
		}
		if a.Type == unix.IFLA_IFNAME {
			return a.Str()
		}
	}
	return ""
}

// skAddr returns the address and prefix length of an RTM_NEWADDR message.
func skAddr(m netlink.Message) (netip.Prefix, bool) {
	if m.Header.Type != unix.RTM_NEWADDR || len(m.Data) < unix.SizeofIfAddrmsg {
		return netip.Prefix{}, false
	}
	bits := int(m.Data[1])
	var local, addr netip.Addr
	for a, err := range m.Attrs(unix.SizeofIfAddrmsg) {
		if err != nil {
			return netip.Prefix{}, false
		}
		switch a.Type {
		case unix.IFA_LOCAL:
			local, _ = a.Addr()
		case unix.IFA_ADDRESS:
			addr, _ = a.Addr()
		}
	}
	if local.IsValid() {
		addr = local
	}
	if !addr.IsValid() {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(addr, bits), true
}

// skReceiveUntil calls Receive until a message matches, and returns it.
func skReceiveUntil(t testing.TB, c *netlink.Conn, what string, match func(netlink.Message) bool) netlink.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	for {
		msgs, err := c.Receive(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		for _, m := range msgs {
			if match(m) {
				return m
			}
		}
	}
}

// skDatagramUntil calls ReceiveDatagram until a message matches, and
// returns a copy of the datagram's metadata and of the message.
func skDatagramUntil(t testing.TB, c *netlink.Conn, what string, match func(netlink.Message) bool) (netlink.Datagram, netlink.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	for {
		d, err := c.ReceiveDatagram(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		for m, err := range d.Messages() {
			if err != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			if match(m) {
				m.Data = slices.Clone(m.Data)
				d.Data = nil
				return d, m
			}
		}
	}
}

// skNamed matches RTM_NEWLINK messages for the link called name.
func skNamed(name string) func(netlink.Message) bool {
	return func(m netlink.Message) bool { return skLinkName(m) == name }
}

// skExpectQuiet asserts that nothing reaches Receive before a short
// deadline, and clears the deadline again.
func skExpectQuiet(t testing.TB, c *netlink.Conn, why string) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(skQuiet)); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Receive(context.Background())
	if err == nil {
		t.Fatalf("%s: got %d messages, want none (first: %v)", why, len(msgs), msgs[0].Header)
	}
	if !os.IsTimeout(err) {
		t.Fatalf("%s: got error %v, want a timeout", why, err)
	}
	if err := c.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
}

// skLinkDump lists the names of the links c sees, with Send and Receive.
func skLinkDump(t testing.TB, c *netlink.Conn) []string {
	t.Helper()
	h, err := c.Send(context.Background(), netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Dump},
		Data:   skIfinfo(0),
	})
	if err != nil {
		t.Fatalf("send link dump: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	var names []string
	for {
		msgs, err := c.Receive(ctx)
		if err != nil {
			t.Fatalf("link dump: %v", err)
		}
		for _, m := range msgs {
			if m.Header.Sequence != h.Sequence {
				continue
			}
			switch m.Header.Type {
			case netlink.TypeDone:
				slices.Sort(names)
				return names
			case netlink.TypeError:
				t.Fatalf("link dump: error reply %v", m.Header)
			case unix.RTM_NEWLINK:
				names = append(names, skLinkName(m))
			}
		}
	}
}

// skOracleLinks lists the link names in ns as iproute2 sees them.
func skOracleLinks(t testing.TB, ns *nstest.NS) []string {
	t.Helper()
	var names []string
	for line := range strings.Lines(ns.Run(t, "-o", "link", "show")) {
		// "3: veth0@veth1: <...> ..."
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// skMemberships reads NETLINK_LIST_MEMBERSHIPS: the groups the socket is in.
func skMemberships(t testing.TB, c *netlink.Conn) []uint32 {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var mask [8]uint32
	var errno unix.Errno
	err = rc.Control(func(fd uintptr) {
		n := uint32(unsafe.Sizeof(mask))
		_, _, errno = unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_NETLINK, unix.NETLINK_LIST_MEMBERSHIPS,
			uintptr(unsafe.Pointer(&mask[0])), uintptr(unsafe.Pointer(&n)), 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	if errno != 0 {
		t.Fatalf("getsockopt NETLINK_LIST_MEMBERSHIPS: %v", errno)
	}
	var groups []uint32
	for i, w := range mask {
		for bit := range 32 {
			if w&(1<<bit) != 0 {
				groups = append(groups, uint32(i*32+bit+1))
			}
		}
	}
	return groups
}

// 1. A request with Send and its reply with Receive.
func TestConnSendReceiveGetLink(t *testing.T) {
	xcBackends(t, testConnSendReceiveGetLink)
}

func testConnSendReceiveGetLink(t *testing.T, env *xcEnv) {
	c := env.dial(t, netlink.Config{})
	local := c.LocalAddr()
	if local.PortID == 0 {
		t.Fatal("LocalAddr().PortID is 0; the kernel always assigns a port")
	}
	if c.Protocol() != unix.NETLINK_ROUTE {
		t.Errorf("Protocol() = %d, want %d", c.Protocol(), unix.NETLINK_ROUTE)
	}

	seen := map[uint32]bool{}
	for range 3 {
		h, err := c.Send(context.Background(), netlink.Message{
			Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request},
			Data:   skIfinfo(1),
		})
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		if want := uint32(netlink.HeaderLen + unix.SizeofIfInfomsg); h.Length != want {
			t.Errorf("Send filled Length %d, want %d", h.Length, want)
		}
		if h.Sequence == 0 {
			t.Error("Send left Sequence 0")
		}
		if seen[h.Sequence] {
			t.Errorf("Send reused sequence number %d", h.Sequence)
		}
		seen[h.Sequence] = true
		if h.PortID != local.PortID {
			t.Errorf("Send filled PortID %d, want LocalAddr().PortID %d", h.PortID, local.PortID)
		}
		if h.Type != unix.RTM_GETLINK || h.Flags != netlink.Request {
			t.Errorf("Send changed the type or flags: %v", h)
		}

		msgs, err := c.Receive(context.Background())
		if err != nil {
			t.Fatalf("Receive: %v", err)
		}
		if len(msgs) != 1 {
			t.Fatalf("Receive returned %d messages, want 1", len(msgs))
		}
		m := msgs[0]
		if m.Header.Type != unix.RTM_NEWLINK {
			t.Fatalf("reply type %v, want RTM_NEWLINK (%d)", m.Header.Type, unix.RTM_NEWLINK)
		}
		if m.Header.Sequence != h.Sequence {
			t.Errorf("reply sequence %d, want %d", m.Header.Sequence, h.Sequence)
		}
		if m.Header.PortID != local.PortID {
			t.Errorf("reply port ID %d, want %d", m.Header.PortID, local.PortID)
		}
		if name := skLinkName(m); name != "lo" {
			t.Errorf("IFLA_IFNAME of ifindex 1 = %q, want lo", name)
		}
		if got := binary.NativeEndian.Uint32(m.Data[4:]); got != 1 {
			t.Errorf("reply ifi_index = %d, want 1", got)
		}
	}

	// A sequence number the caller chose is kept.
	h, err := c.Send(context.Background(), netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request, Sequence: 4242},
		Data:   skIfinfo(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if h.Sequence != 4242 {
		t.Errorf("Send replaced the caller's sequence number: %d", h.Sequence)
	}
	m := skReceiveUntil(t, c, "reply to seq 4242", func(m netlink.Message) bool { return m.Header.Sequence == 4242 })
	if skLinkName(m) != "lo" {
		t.Errorf("reply to seq 4242 names %q", skLinkName(m))
	}
}

// 1b. A kernel error reply to Send comes to Receive as an NLMSG_ERROR.
func TestConnSendReceiveError(t *testing.T) {
	xcBackends(t, testConnSendReceiveError)
}

func testConnSendReceiveError(t *testing.T, env *xcEnv) {
	c := env.dial(t, netlink.Config{})
	h, err := c.Send(context.Background(), netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request},
		Data:   skIfinfo(9999),
	})
	if err != nil {
		t.Fatal(err)
	}
	m := skReceiveUntil(t, c, "error reply", func(m netlink.Message) bool { return m.Header.Sequence == h.Sequence })
	if m.Header.Type != netlink.TypeError {
		t.Fatalf("reply %v, want NLMSG_ERROR", m.Header)
	}
	ack, err := netlink.ParseAck(m)
	if err != nil {
		t.Fatal(err)
	}
	if ack.Errno != unix.ENODEV {
		t.Errorf("error code %v, want ENODEV", ack.Errno)
	}
	if ack.Request.Sequence != h.Sequence {
		t.Errorf("echoed request sequence %d, want %d", ack.Request.Sequence, h.Sequence)
	}
}

// 2. Notifications after JoinGroup.
func TestConnJoinGroupNotifications(t *testing.T) {
	xcBackends(t, testConnJoinGroupNotifications)
}

func testConnJoinGroupNotifications(t *testing.T, env *xcEnv) {
	c := env.dial(t, netlink.Config{})
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	if err := c.JoinGroup(unix.RTNLGRP_IPV4_IFADDR); err != nil {
		t.Fatal(err)
	}
	want := uint32(1<<(unix.RTNLGRP_LINK-1) | 1<<(unix.RTNLGRP_IPV4_IFADDR-1))
	if g := c.LocalAddr().Groups; g != want {
		t.Errorf("LocalAddr().Groups = %#x, want %#x", g, want)
	}

	env.veth(t, "veth0")
	m := skReceiveUntil(t, c, "RTM_NEWLINK veth0", skNamed("veth0"))
	if m.Header.PortID != 0 && m.Header.Sequence == 0 {
		t.Errorf("notification header %v", m.Header)
	}

	if err := env.addAddr(netip.MustParsePrefix("10.77.0.1/24"), "veth0"); err != nil {
		t.Fatal(err)
	}
	want4 := netip.MustParsePrefix("10.77.0.1/24")
	skReceiveUntil(t, c, "RTM_NEWADDR 10.77.0.1/24", func(m netlink.Message) bool {
		p, ok := skAddr(m)
		return ok && p == want4
	})
}

// 2b. Groups joined at Dial, and the group each datagram was sent to.
func TestConnGroupsAtDial(t *testing.T) {
	xcBackends(t, testConnGroupsAtDial)
}

func testConnGroupsAtDial(t *testing.T, env *xcEnv) {
	c := env.dial(t, netlink.Config{Groups: []uint32{unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_IFADDR}})
	if env.ns != nil { // the kernel's own list
		if got := skMemberships(t, c); !slices.Equal(got, []uint32{unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_IFADDR}) {
			t.Errorf("kernel lists memberships %v", got)
		}
	}
	if on, err := c.Option(netlink.PacketInfo); err != nil || !on {
		t.Errorf("Option(PacketInfo) = %v, %v; Dial turns it on", on, err)
	}

	env.veth(t, "veth0")
	d, _ := skDatagramUntil(t, c, "RTM_NEWLINK veth0", skNamed("veth0"))
	if d.Group != unix.RTNLGRP_LINK {
		t.Errorf("link notification Group = %d, want RTNLGRP_LINK (%d)", d.Group, unix.RTNLGRP_LINK)
	}
	if d.From.PortID != 0 || d.From.Groups != 1<<(unix.RTNLGRP_LINK-1) {
		t.Errorf("link notification From = %v, want the kernel, group mask %#x", d.From, 1<<(unix.RTNLGRP_LINK-1))
	}

	if err := env.addAddr(netip.MustParsePrefix("10.77.0.1/24"), "veth0"); err != nil {
		t.Fatal(err)
	}
	want4 := netip.MustParsePrefix("10.77.0.1/24")
	d, _ = skDatagramUntil(t, c, "RTM_NEWADDR 10.77.0.1/24", func(m netlink.Message) bool {
		p, ok := skAddr(m)
		return ok && p == want4
	})
	if d.Group != unix.RTNLGRP_IPV4_IFADDR {
		t.Errorf("address notification Group = %d, want RTNLGRP_IPV4_IFADDR (%d)", d.Group, unix.RTNLGRP_IPV4_IFADDR)
	}
}

// 2c. Groups from 32 up, which sockaddr_nl's mask cannot name.
func TestConnGroupsPast32(t *testing.T) {
	ns := nstest.New(t)
	c := skRoute(t, ns, &netlink.Config{Groups: []uint32{unix.RTNLGRP_NEXTHOP, unix.RTNLGRP_BRVLAN}})
	for _, g := range []uint32{unix.RTNLGRP_MCTP_IFADDR, unix.RTNLGRP_TUNNEL, unix.RTNLGRP_STATS} {
		if err := c.JoinGroup(g); err != nil {
			t.Fatalf("JoinGroup(%d): %v", g, err)
		}
	}
	all := []uint32{unix.RTNLGRP_NEXTHOP, unix.RTNLGRP_BRVLAN, unix.RTNLGRP_MCTP_IFADDR, unix.RTNLGRP_TUNNEL, unix.RTNLGRP_STATS}
	if got := skMemberships(t, c); !slices.Equal(got, all) {
		t.Errorf("kernel lists memberships %v, want %v", got, all)
	}
	if g := c.LocalAddr().Groups; g != 1<<31 {
		t.Errorf("LocalAddr().Groups = %#x, want only group 32's bit", g)
	}
	if err := c.LeaveGroup(unix.RTNLGRP_STATS); err != nil {
		t.Fatal(err)
	}
	if err := c.LeaveGroup(unix.RTNLGRP_BRVLAN); err != nil {
		t.Fatal(err)
	}
	if got, want := skMemberships(t, c), []uint32{unix.RTNLGRP_NEXTHOP, unix.RTNLGRP_MCTP_IFADDR, unix.RTNLGRP_TUNNEL}; !slices.Equal(got, want) {
		t.Errorf("after LeaveGroup, kernel lists memberships %v, want %v", got, want)
	}
	// A group the family does not have.
	err := c.JoinGroup(10000)
	if !errors.Is(err, unix.EINVAL) {
		t.Errorf("JoinGroup(10000) = %v, want EINVAL", err)
	}
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Op != "join group" {
		t.Errorf("JoinGroup(10000) error %#v is not an *OpError for join group", err)
	}

	// Group 32 is the last one with a bit in the mask: a nexthop
	// notification reports it both ways.
	heard := 0
	if out, err := ns.Try("nexthop", "add", "id", "7", "blackhole"); err != nil {
		t.Logf("no nexthop support here: %v %s", err, out)
	} else {
		heard++
		d, _ := skDatagramUntil(t, c, "RTM_NEWNEXTHOP", func(m netlink.Message) bool { return m.Header.Type == unix.RTM_NEWNEXTHOP })
		if d.Group != unix.RTNLGRP_NEXTHOP || d.From.Groups != 1<<31 {
			t.Errorf("nexthop notification: Group %d, From %v; want group 32, mask 0x80000000", d.Group, d.From)
		}
	}

	// Past 32 only NETLINK_PKTINFO names the group: a VXLAN VNI filter
	// change notifies RTNLGRP_TUNNEL (35).
	if _, err := exec.LookPath("bridge"); err != nil {
		t.Logf("no bridge command for a RTNLGRP_TUNNEL notification")
	} else if out, err := ns.Try("link", "add", "nlkvx0", "type", "vxlan", "dstport", "4789", "external", "vnifilter"); err != nil {
		t.Logf("no VXLAN VNI filtering here: %v %s", err, out)
	} else {
		if out, err := exec.Command("bridge", "-n", ns.Name, "vni", "add", "dev", "nlkvx0", "vni", "100").CombinedOutput(); err != nil {
			t.Fatalf("bridge vni add: %v %s", err, out)
		}
		heard++
		d, _ := skDatagramUntil(t, c, "RTM_NEWTUNNEL", func(m netlink.Message) bool { return m.Header.Type == unix.RTM_NEWTUNNEL })
		if d.Group != unix.RTNLGRP_TUNNEL || d.From.PortID != 0 || d.From.Groups != 0 {
			t.Errorf("tunnel notification: Group %d, From %v; want group 35 from the kernel, no mask bit", d.Group, d.From)
		}
		// Having left the group, the next change is not heard (the
		// witness proves it was notified).
		if err := c.LeaveGroup(unix.RTNLGRP_TUNNEL); err != nil {
			t.Fatal(err)
		}
		witness := skRoute(t, ns, &netlink.Config{Groups: []uint32{unix.RTNLGRP_TUNNEL}})
		if out, err := exec.Command("bridge", "-n", ns.Name, "vni", "add", "dev", "nlkvx0", "vni", "200").CombinedOutput(); err != nil {
			t.Fatalf("bridge vni add: %v %s", err, out)
		}
		skDatagramUntil(t, witness, "RTM_NEWTUNNEL (witness)", func(m netlink.Message) bool { return m.Header.Type == unix.RTM_NEWTUNNEL })
		for {
			c.SetReadDeadline(time.Now().Add(skQuiet))
			d, err := c.ReceiveDatagram(context.Background())
			if err != nil {
				if !os.IsTimeout(err) {
					t.Fatal(err)
				}
				break
			}
			if d.Group == unix.RTNLGRP_TUNNEL {
				t.Fatal("a RTNLGRP_TUNNEL notification arrived after LeaveGroup")
			}
		}
	}
	if heard == 0 {
		t.Skip("no notification for groups 32 and up could be caused here")
	}
}

// 2d. After LeaveGroup, notifications of that group stop coming.
func TestConnLeaveGroup(t *testing.T) {
	xcBackends(t, testConnLeaveGroup)
}

func testConnLeaveGroup(t *testing.T, env *xcEnv) {
	c := env.dial(t, netlink.Config{Groups: []uint32{unix.RTNLGRP_LINK}})
	witness := env.dial(t, netlink.Config{Groups: []uint32{unix.RTNLGRP_LINK}})

	env.veth(t, "veth0")
	skReceiveUntil(t, c, "RTM_NEWLINK veth0 before leaving", skNamed("veth0"))
	skReceiveUntil(t, witness, "RTM_NEWLINK veth0 (witness)", skNamed("veth0"))
	// Drain the rest of this change's notifications.
	skDrainQuiet(t, c)

	if err := c.LeaveGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	if g := c.LocalAddr().Groups; g != 0 {
		t.Errorf("LocalAddr().Groups = %#x after leaving", g)
	}
	if env.ns != nil { // the kernel's own list
		if got := skMemberships(t, c); len(got) != 0 {
			t.Errorf("kernel lists memberships %v after leaving", got)
		}
	}
	env.veth(t, "veth2")
	// The witness proves the notification was sent. Notifications of
	// veth0 may still come: the kernel sends the operstate changes from a
	// worker thread, and one queued before LeaveGroup but after the drain
	// is read now. None may name veth2 or its peer.
	skReceiveUntil(t, witness, "RTM_NEWLINK veth2 (witness)", skNamed("veth2"))
	for {
		c.SetReadDeadline(time.Now().Add(skQuiet))
		msgs, err := c.Receive(context.Background())
		if os.IsTimeout(err) {
			break
		}
		if err != nil {
			t.Fatalf("after LeaveGroup: %v, want a timeout", err)
		}
		for _, m := range msgs {
			if name := skLinkName(m); name != "veth0" && name != "veth0p" {
				t.Fatalf("after LeaveGroup: %v for link %q", m.Header, name)
			}
		}
	}
	c.SetReadDeadline(time.Time{})
}

// 3. A read deadline that expires, then a Conn that still works.
func TestConnReadDeadline(t *testing.T) {
	xcBackends(t, testConnReadDeadline)
}

func testConnReadDeadline(t *testing.T, env *xcEnv) {
	c := env.dial(t, netlink.Config{})
	if err := c.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, err := c.Receive(context.Background())
	if err == nil {
		t.Fatal("Receive returned without a message or an error")
	}
	if !os.IsTimeout(err) {
		t.Errorf("os.IsTimeout(%v) is false", err)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("%v does not wrap os.ErrDeadlineExceeded", err)
	}
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Op != "receive" || !oe.Timeout() {
		t.Errorf("%v: not an *OpError for receive with Timeout() true", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("%v: not a net.Error with Timeout() true", err)
	}

	// Still expired: ReceiveDatagram times out too.
	if _, err := c.ReceiveDatagram(context.Background()); !os.IsTimeout(err) {
		t.Errorf("ReceiveDatagram past the deadline: %v, want a timeout", err)
	}

	if err := c.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	h, err := c.Send(context.Background(), netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request}, Data: skIfinfo(1)})
	if err != nil {
		t.Fatal(err)
	}
	m := skReceiveUntil(t, c, "reply after the deadline", func(m netlink.Message) bool { return m.Header.Sequence == h.Sequence })
	if skLinkName(m) != "lo" {
		t.Errorf("reply names %q", skLinkName(m))
	}
}

// 3b. A write deadline in the past fails Send; clearing it makes Send work.
func TestConnWriteDeadline(t *testing.T) {
	xcBackends(t, testConnWriteDeadline)
}

func testConnWriteDeadline(t *testing.T, env *xcEnv) {
	c := env.dial(t, netlink.Config{})
	if err := c.SetDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	req := netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request}, Data: skIfinfo(1)}
	if _, err := c.Send(context.Background(), req); !os.IsTimeout(err) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Send past the write deadline: %v, want a timeout", err)
	}
	if _, err := c.Receive(context.Background()); !os.IsTimeout(err) {
		t.Errorf("Receive past the read deadline: %v, want a timeout", err)
	}
	if err := c.SetDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	h, err := c.Send(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	skReceiveUntil(t, c, "reply", func(m netlink.Message) bool { return m.Header.Sequence == h.Sequence })
}

// 4. A context cancelled during ReceiveContext, then a Conn that still
// blocks and receives: the deadline poke was undone.
func TestConnReceiveContextCancel(t *testing.T) {
	xcBackends(t, testConnReceiveContextCancel)
}

func testConnReceiveContextCancel(t *testing.T, env *xcEnv) {
	c := env.dial(t, netlink.Config{})

	ctx, cancel := context.WithCancel(context.Background())
	stop := time.AfterFunc(50*time.Millisecond, cancel)
	defer stop.Stop()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Receive(ctx)
		errc <- err
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("ReceiveContext with a cancelled context: %v, want context.Canceled", err)
		}
		var oe *netlink.OpError
		if !errors.As(err, &oe) || oe.Op != "receive" {
			t.Errorf("%v is not an *OpError for receive", err)
		}
	case <-time.After(skWait):
		t.Fatal("ReceiveContext did not return after its context was cancelled")
	}

	// A Receive that starts before the message is sent must block until it
	// comes, not fail on a deadline left in the past.
	got := make(chan error, 1)
	var seq uint32
	var mu sync.Mutex
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), skWait)
		defer cancel()
		msgs, err := c.Receive(ctx)
		if err == nil {
			mu.Lock()
			if len(msgs) != 1 || msgs[0].Header.Sequence != seq {
				err = fmt.Errorf("got %v, want the reply to seq %d", msgs, seq)
			}
			mu.Unlock()
		}
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	h, err := c.Send(context.Background(), netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request}, Data: skIfinfo(1)})
	seq = h.Sequence
	mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("Receive after a cancelled ReceiveContext: %v", err)
	}

	// A context already done returns at once, and the same way.
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := c.Receive(done); !errors.Is(err, context.Canceled) {
		t.Errorf("ReceiveContext(done context) = %v", err)
	}
	if _, err := c.ReceiveDatagram(done); !errors.Is(err, context.Canceled) {
		t.Errorf("ReceiveDatagram(done context) = %v", err)
	}
}

// 4b. Cancelling a context puts back the caller's own read deadline: not
// the poke (a past deadline), and not no deadline at all.
func TestConnReceiveContextRestoresDeadline(t *testing.T) {
	xcBackends(t, testConnReceiveContextRestoresDeadline)
}

func testConnReceiveContextRestoresDeadline(t *testing.T, env *xcEnv) {
	c := env.dial(t, netlink.Config{})
	deadline := time.Now().Add(3 * time.Second)
	if err := c.SetReadDeadline(deadline); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := c.Receive(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("ReceiveContext: %v, want context.Canceled", err)
	}
	// A past deadline fails even a read with data waiting: the reply must
	// come through.
	h, err := c.Send(context.Background(), netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request}, Data: skIfinfo(1)})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Receive(context.Background())
	if os.IsTimeout(err) && time.Now().After(deadline) {
		t.Skip("the machine was too slow: the caller's deadline passed before the reply was read")
	}
	if err != nil {
		t.Fatalf("Receive with a reply waiting, after a cancelled ReceiveContext: %v", err)
	}
	if len(msgs) != 1 || msgs[0].Header.Sequence != h.Sequence {
		t.Fatalf("Receive: %v", msgs)
	}
	// The caller's deadline is back: this times out rather than blocking
	// for ever.
	errc := make(chan error, 1)
	go func() { _, err := c.Receive(context.Background()); errc <- err }()
	select {
	case err := <-errc:
		if !os.IsTimeout(err) {
			t.Fatalf("Receive: %v, want the caller's deadline to expire", err)
		}
	case <-time.After(skWait):
		c.Close()
		t.Fatal("the caller's read deadline was lost after a cancelled ReceiveContext")
	}
}

// 4c. A context cancelled just as a datagram is read must not lose the
// datagram: either ReceiveContext returns it, or a later Receive does.
func TestConnReceiveContextCancelLosesNothing(t *testing.T) {
	ns := nstest.New(t)
	a, b := skUserPair(t, ns, netlink.Config{})
	to := b.LocalAddr()
	canceled := 0
	for i := range 2000 {
		seq := uint32(i + 1)
		if _, err := a.SendTo(context.Background(), netlink.Message{
			Header: netlink.Header{Type: netlink.TypeMinType, Sequence: seq},
			Data:   []byte("ping"),
		}, to); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		if i%2 == 0 {
			cancel() // done before the call: the select may still pick the read
		} else {
			go cancel() // done during the call
		}
		msgs, err := b.Receive(ctx)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("datagram %d: %v", seq, err)
			}
			canceled++
			b.SetReadDeadline(time.Now().Add(skWait))
			msgs, err = b.Receive(context.Background())
			b.SetReadDeadline(time.Time{})
			if err != nil {
				t.Fatalf("datagram %d was lost after ReceiveContext returned %v: %v", seq, context.Canceled, err)
			}
		}
		if len(msgs) != 1 || msgs[0].Header.Sequence != seq {
			t.Fatalf("datagram %d: got %v", seq, msgs)
		}
	}
	t.Logf("%d of 2000 calls were cancelled", canceled)
}

// 5. Close wakes a blocked Receive, and a second Close does nothing.
func TestConnCloseWakesReceive(t *testing.T) {
	xcBackends(t, testConnCloseWakesReceive)
}

func testConnCloseWakesReceive(t *testing.T, env *xcEnv) {
	for _, name := range []string{"Receive", "ReceiveContext", "ReceiveDatagram"} {
		t.Run(name, func(t *testing.T) {
			c := env.dial(t, netlink.Config{})
			errc := make(chan error, 1)
			go func() {
				var err error
				switch name {
				case "Receive":
					_, err = c.Receive(context.Background())
				case "ReceiveContext":
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					_, err = c.Receive(ctx)
				case "ReceiveDatagram":
					_, err = c.ReceiveDatagram(context.Background())
				}
				errc <- err
			}()
			time.Sleep(100 * time.Millisecond) // let it block in recvmsg
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			select {
			case err := <-errc:
				if !errors.Is(err, netlink.ErrClosed) {
					t.Errorf("%s blocked during Close: %v, want an error wrapping ErrClosed", name, err)
				}
			case <-time.After(skWait):
				t.Fatalf("Close did not wake %s", name)
			}
			if err := c.Close(); err != nil {
				t.Errorf("second Close: %v, want nil", err)
			}
			// Everything after Close fails the same way.
			if _, err := c.Receive(context.Background()); !errors.Is(err, netlink.ErrClosed) {
				t.Errorf("Receive after Close: %v", err)
			}
			if _, err := c.Send(context.Background(), netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request}, Data: skIfinfo(1)}); !errors.Is(err, netlink.ErrClosed) {
				t.Errorf("Send after Close: %v", err)
			}
			if err := c.SetOption(netlink.CapAck, true); !errors.Is(err, netlink.ErrClosed) {
				t.Errorf("SetOption after Close: %v", err)
			}
			if err := c.JoinGroup(unix.RTNLGRP_LINK); !errors.Is(err, netlink.ErrClosed) {
				t.Errorf("JoinGroup after Close: %v", err)
			}
			if err := c.SetReadDeadline(time.Now()); !errors.Is(err, netlink.ErrClosed) && !errors.Is(err, os.ErrClosed) {
				t.Errorf("SetReadDeadline after Close: %v", err)
			}
		})
	}
}

// skPayload is n bytes of a pattern that shows misplaced bytes.
func skPayload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8 + 3)
	}
	return b
}

// 6. A datagram larger than BufferSize and than 64 KiB arrives whole.
func TestConnLargeDatagram(t *testing.T) {
	ns := nstest.New(t)
	a, b := skUserPair(t, ns, netlink.Config{WriteBuffer: 1 << 20})
	payload := skPayload(100 << 10)
	to := b.LocalAddr()
	send := func(p []byte, seq uint32) {
		t.Helper()
		h, err := a.SendTo(context.Background(), netlink.Message{
			Header: netlink.Header{Type: netlink.TypeMinType, Sequence: seq},
			Data:   p,
		}, to)
		if err != nil {
			t.Fatalf("SendTo %d bytes: %v", len(p), err)
		}
		if h.Length != uint32(netlink.HeaderLen+len(p)) {
			t.Fatalf("SendTo filled Length %d, want %d", h.Length, netlink.HeaderLen+len(p))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()

	// Through ReceiveContext, twice (the second reuses the grown buffer).
	for seq := uint32(1); seq <= 2; seq++ {
		send(payload, seq)
		msgs, err := b.Receive(ctx)
		if err != nil {
			t.Fatalf("ReceiveContext: %v", err)
		}
		if len(msgs) != 1 {
			t.Fatalf("ReceiveContext returned %d messages, want 1", len(msgs))
		}
		m := msgs[0]
		if m.Header.Length != uint32(netlink.HeaderLen+len(payload)) || m.Header.Sequence != seq {
			t.Errorf("header %v", m.Header)
		}
		if !bytes.Equal(m.Data, payload) {
			t.Fatalf("payload of %d bytes differs from the %d sent", len(m.Data), len(payload))
		}
	}

	// Through ReceiveDatagram.
	send(payload, 3)
	d, err := b.ReceiveDatagram(ctx)
	if err != nil {
		t.Fatalf("ReceiveDatagram: %v", err)
	}
	if len(d.Data) != netlink.HeaderLen+len(payload) {
		t.Fatalf("datagram of %d bytes, want %d", len(d.Data), netlink.HeaderLen+len(payload))
	}
	if d.From.PortID != a.LocalAddr().PortID || d.Group != 0 {
		t.Errorf("datagram from %v group %d, want port %d, unicast", d.From, d.Group, a.LocalAddr().PortID)
	}
	n := 0
	for m, err := range d.Messages() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if m.Header.Sequence != 3 || !bytes.Equal(m.Data, payload) {
			t.Fatalf("message %v: payload differs", m.Header)
		}
	}
	if n != 1 {
		t.Fatalf("%d messages in the datagram", n)
	}

	// A small datagram afterwards, through both.
	small := []byte("small one")
	send(small, 4)
	d, err = b.ReceiveDatagram(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Data) != netlink.MessageSpace(len(small)) {
		t.Errorf("small datagram has %d bytes, want %d", len(d.Data), netlink.MessageSpace(len(small)))
	}
	for m := range d.Messages() {
		if m.Header.Sequence != 4 || !bytes.Equal(m.Data, small) {
			t.Errorf("small message %v %q", m.Header, m.Data)
		}
	}
	send(small, 5)
	msgs, err := b.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Header.Sequence != 5 || !bytes.Equal(msgs[0].Data, small) {
		t.Errorf("small message after large ones: %v", msgs)
	}
}

// 6b. A datagram larger than the buffer and the spare together is reported
// as truncated; the next one that size fits.
func TestConnTruncatedDatagram(t *testing.T) {
	ns := nstest.New(t)
	a := skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path, AcceptPeers: true, WriteBuffer: 2 << 20})
	// The smallest receive buffer makes the spare 1 MiB: with the 32 KiB
	// buffer, 1056 KiB in all.
	b := skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path, AcceptPeers: true, ReadBuffer: 1})
	payload := skPayload(1200 << 10)
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	for seq := uint32(1); seq <= 2; seq++ {
		if _, err := a.SendTo(ctx, netlink.Message{Header: netlink.Header{Type: netlink.TypeMinType, Sequence: seq}, Data: payload}, b.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		msgs, err := b.Receive(ctx)
		if seq == 1 {
			if !errors.Is(err, netlink.ErrTruncated) {
				t.Fatalf("first oversized datagram: %v, want ErrTruncated", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("second oversized datagram: %v", err)
		}
		if len(msgs) != 1 || !bytes.Equal(msgs[0].Data, payload) {
			t.Fatalf("second oversized datagram came wrong")
		}
	}
}

// 7. A datagram from a user-space port on a Conn that accepts only the
// kernel is dropped and counted, however kernel-like it looks.
func TestConnDropsSpoofedSender(t *testing.T) {
	for _, accept := range []bool{false, true} {
		t.Run(fmt.Sprintf("AcceptPeers=%v", accept), func(t *testing.T) {
			ns := nstest.New(t)
			victim := skRoute(t, ns, &netlink.Config{Groups: []uint32{unix.RTNLGRP_LINK}, AcceptPeers: accept})
			attacker := skRoute(t, ns, nil)

			// An RTM_NEWLINK notification "from the kernel": port 0, seq 0.
			payload := netlink.NewAttrEncoder(skIfinfo(77))
			payload.String(unix.IFLA_IFNAME, "spoof0")
			data, err := payload.Finish()
			if err != nil {
				t.Fatal(err)
			}
			spoof := netlink.AppendMessage(nil, netlink.Header{Type: unix.RTM_NEWLINK}, data)
			rawSend(t, attacker, spoof, victim.LocalAddr().PortID)

			if accept {
				d, m := skDatagramUntil(t, victim, "the peer's datagram", skNamed("spoof0"))
				if d.From.PortID != attacker.LocalAddr().PortID || d.Group != 0 {
					t.Errorf("peer datagram from %v group %d, want port %d", d.From, d.Group, attacker.LocalAddr().PortID)
				}
				if m.Header.PortID != 0 {
					t.Errorf("header %v", m.Header)
				}
				if s := victim.Stats(); s.Dropped != 0 {
					t.Errorf("Stats().Dropped = %d with AcceptPeers", s.Dropped)
				}
				return
			}

			// A real notification after the spoofed one: Receive returns
			// it and nothing before it.
			ns.Run(t, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1")
			ctx, cancel := context.WithTimeout(context.Background(), skWait)
			defer cancel()
			msgs, err := victim.Receive(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if skLinkName(m) == "spoof0" {
					t.Fatal("Receive returned the spoofed datagram")
				}
				if m.Header.Type != unix.RTM_NEWLINK {
					t.Errorf("first message after the spoof: %v", m.Header)
				}
			}
			if s := victim.Stats(); s.Dropped != 1 {
				t.Errorf("Stats().Dropped = %d, want 1", s.Dropped)
			}

			// And a spoof alone does not wake Receive.
			rawSend(t, attacker, spoof, victim.LocalAddr().PortID)
			// Drain the veth notifications, then expect only silence.
			for {
				victim.SetReadDeadline(time.Now().Add(skQuiet))
				msgs, err := victim.Receive(context.Background())
				if err != nil {
					if !os.IsTimeout(err) {
						t.Fatal(err)
					}
					break
				}
				for _, m := range msgs {
					if skLinkName(m) == "spoof0" {
						t.Fatal("Receive returned the second spoofed datagram")
					}
				}
			}
			if s := victim.Stats(); s.Dropped != 2 {
				t.Errorf("Stats().Dropped = %d, want 2", s.Dropped)
			}
		})
	}
}

// 8. A port ID in use.
func TestDialPortIDInUse(t *testing.T) {
	ns := nstest.New(t)
	port := uint32(0x7ff00000 + os.Getpid()%0x10000)
	c := skRoute(t, ns, &netlink.Config{PortID: port})
	if got := c.LocalAddr().PortID; got != port {
		t.Fatalf("bound port %d, want %d", got, port)
	}
	c2, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path, PortID: port})
	if err == nil {
		c2.Close()
		t.Fatalf("second Dial with port ID %d succeeded", port)
	}
	if !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("%v does not wrap EADDRINUSE", err)
	}
	if !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), fmt.Sprint(port)) {
		t.Errorf("error %q does not say port %d is in use", err, port)
	}
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" || oe.Protocol != unix.NETLINK_ROUTE {
		t.Errorf("error %#v is not an *OpError for dial on protocol 0", err)
	}
	// Another protocol has its own port space, and so has another namespace.
	skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path, PortID: port})
	skRoute(t, nstest.New(t), &netlink.Config{PortID: port})
	// Closing frees the port.
	c.Close()
	skRoute(t, ns, &netlink.Config{PortID: port})
}

// 9. Protocols out of range, and one this kernel has no socket for.
func TestDialBadProtocol(t *testing.T) {
	for _, p := range []int{99, -1, netlink.MaxProtocol} {
		c, err := netlink.Dial(p, nil)
		if err == nil {
			c.Close()
			t.Errorf("Dial(%d) succeeded", p)
			continue
		}
		if !strings.Contains(err.Error(), "MAX_LINKS") {
			t.Errorf("Dial(%d): %q does not mention MAX_LINKS", p, err)
		}
		if !errors.Is(err, unix.EPROTONOSUPPORT) {
			t.Errorf("Dial(%d): %v does not wrap EPROTONOSUPPORT", p, err)
		}
		var oe *netlink.OpError
		if !errors.As(err, &oe) || oe.Op != "dial" {
			t.Errorf("Dial(%d): %#v is not an *OpError for dial", p, err)
		}
	}

	// Find a protocol without a socket here. The custom protocols 30 and
	// 31 come last: a kernel module (see examples/kmod) may claim them.
	proto := -1
	for _, p := range []int{unix.NETLINK_DNRTMSG, 1, 3, 29, 28, 31, 30} {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, p)
		if err == nil {
			unix.Close(fd)
			continue
		}
		if errors.Is(err, unix.EPROTONOSUPPORT) {
			proto = p
			break
		}
	}
	if proto < 0 {
		t.Skip("every candidate protocol has a socket on this kernel")
	}
	c, err := netlink.Dial(proto, nil)
	if err == nil {
		c.Close()
		t.Fatalf("Dial(%d) succeeded, but socket(2) said EPROTONOSUPPORT", proto)
	}
	if !errors.Is(err, unix.EPROTONOSUPPORT) {
		t.Errorf("Dial(%d): %v does not wrap EPROTONOSUPPORT", proto, err)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("protocol %d", proto)) {
		t.Errorf("Dial(%d): %q does not name the protocol", proto, err)
	}
	t.Logf("Dial(%d): %v", proto, err)
}

// 10. Socket options, set and read back from the kernel. PacketInfo, which
// the Conn needs, cannot be turned off.
func TestConnOptions(t *testing.T) {
	ns := nstest.New(t)
	c := skRoute(t, ns, nil)
	if err := c.SetOption(netlink.PacketInfo, false); !errors.Is(err, unix.EINVAL) {
		t.Errorf("SetOption(PacketInfo, false) = %v, want EINVAL", err)
	}
	if on, err := c.Option(netlink.PacketInfo); err != nil || !on {
		t.Errorf("Option(PacketInfo) = %v, %v; want on", on, err)
	}
	if on, err := c.Option(netlink.ExtendedAck); err != nil || !on {
		t.Errorf("Option(ExtendedAck) = %v, %v; want on by default", on, err)
	}
	for _, o := range []netlink.Option{netlink.ExtendedAck, netlink.GetStrictCheck, netlink.CapAck,
		netlink.ListenAllNSID, netlink.BroadcastError} {
		for _, on := range []bool{true, false, true} {
			if err := c.SetOption(o, on); err != nil {
				t.Errorf("SetOption(%v, %v): %v", o, on, err)
				continue
			}
			got, err := c.Option(o)
			if err != nil || got != on {
				t.Errorf("Option(%v) = %v, %v after setting %v", o, got, err, on)
			}
		}
		if !strings.HasPrefix(o.String(), "NETLINK_") {
			t.Errorf("%d.String() = %q", int(o), o.String())
		}
	}

	// Dial's own choices.
	off := skRoute(t, ns, &netlink.Config{DisableExtendedAck: true, Options: []netlink.Option{netlink.CapAck, netlink.GetStrictCheck}})
	for o, want := range map[netlink.Option]bool{netlink.ExtendedAck: false, netlink.CapAck: true, netlink.GetStrictCheck: true, netlink.NoENOBUFS: false} {
		if got, err := off.Option(o); err != nil || got != want {
			t.Errorf("Option(%v) = %v, %v; want %v", o, got, err, want)
		}
	}

	// An option the kernel does not know.
	err := c.SetOption(netlink.Option(99), true)
	if !errors.Is(err, unix.ENOPROTOOPT) {
		t.Errorf("SetOption(99): %v, want ENOPROTOOPT", err)
	}
	if !strings.Contains(fmt.Sprint(err), "Option(99)") {
		t.Errorf("SetOption(99): %q does not name the option", err)
	}
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Op != "set option" {
		t.Errorf("SetOption(99): %#v is not an *OpError for set option", err)
	}
	if _, err := c.Option(netlink.Option(99)); !errors.Is(err, unix.ENOPROTOOPT) {
		t.Errorf("Option(99): %v, want ENOPROTOOPT", err)
	}
}

// skWithoutCap runs fn on a thread of its own that lacks capability cap in
// its effective set. Capabilities belong to threads, so the rest of the
// process keeps its own; the thread is never unlocked, so it ends with fn.
func skWithoutCap(t *testing.T, capability int, fn func()) {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with this goroutine
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData
		if err := unix.Capget(&hdr, &data[0]); err != nil {
			done <- fmt.Sprintf("capget: %v", err)
			return
		}
		data[capability/32].Effective &^= 1 << (capability % 32)
		if err := unix.Capset(&hdr, &data[0]); err != nil {
			done <- fmt.Sprintf("capset: %v", err)
			return
		}
		fn()
		done <- ""
	}()
	if msg := <-done; msg != "" {
		t.Skip(msg)
	}
}

// 10b. NETLINK_LISTEN_ALL_NSID needs CAP_NET_BROADCAST: without it, EPERM.
func TestConnOptionPermission(t *testing.T) {
	ns := nstest.New(t)
	c := skRoute(t, ns, nil)
	var err error
	skWithoutCap(t, unix.CAP_NET_BROADCAST, func() { err = c.SetOption(netlink.ListenAllNSID, true) })
	if !errors.Is(err, unix.EPERM) {
		t.Fatalf("SetOption(ListenAllNSID) without CAP_NET_BROADCAST: %v, want EPERM", err)
	}
	if on, err := c.Option(netlink.ListenAllNSID); err != nil || on {
		t.Errorf("Option(ListenAllNSID) = %v, %v after the refusal", on, err)
	}
	// The rest of the process kept the capability.
	if err := c.SetOption(netlink.ListenAllNSID, true); err != nil {
		t.Errorf("SetOption(ListenAllNSID) with the capability: %v", err)
	}
}

// skNetNS reads the network namespace of the calling thread.
func skNetNS(t testing.TB) string {
	t.Helper()
	s, err := os.Readlink("/proc/thread-self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// skAllThreadsIn checks that every thread of the process is in network
// namespace want.
func skAllThreadsIn(t testing.TB, want string) {
	t.Helper()
	// A thread that another test locked into a namespace (and whose
	// goroutine has returned) exits a moment later: give it time.
	var stray []string
	for deadline := time.Now().Add(skWait); time.Now().Before(deadline); {
		tasks, err := filepath.Glob("/proc/self/task/*/ns/net")
		if err != nil {
			t.Fatal(err)
		}
		stray = stray[:0]
		for _, p := range tasks {
			got, err := os.Readlink(p)
			if err == nil && got != want {
				stray = append(stray, fmt.Sprintf("thread %s is in %s", p, got))
			}
		}
		if len(stray) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("threads outside %s: %v", want, stray)
}

// 11. A Conn in another network namespace sees that namespace, and the
// caller's threads stay where they were.
func TestDialNetNS(t *testing.T) {
	ns := nstest.New(t)
	host := skNetNS(t)
	veth := fmt.Sprintf("nlk%x", os.Getpid()&0xffffff)
	ns.Run(t, "link", "add", veth, "type", "veth", "peer", "name", veth+"p")
	want := skOracleLinks(t, ns)
	if !slices.Contains(want, veth) || !slices.Contains(want, "lo") {
		t.Fatalf("iproute2 lists %v", want)
	}

	check := func(t *testing.T, cfg *netlink.Config) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		before := skNetNS(t)
		c, err := netlink.Dial(unix.NETLINK_ROUTE, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if after := skNetNS(t); after != before {
			t.Fatalf("Dial moved the calling thread from %s to %s", before, after)
		}
		if got := skLinkDump(t, c); !slices.Equal(got, want) {
			t.Errorf("Conn in the namespace sees links %v, want %v", got, want)
		}
	}
	t.Run("NetNS", func(t *testing.T) { check(t, &netlink.Config{NetNS: ns.Path}) })
	t.Run("NetNSFD", func(t *testing.T) {
		fd, err := unix.Open(ns.Path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(fd)
		check(t, &netlink.Config{NetNS: fmt.Sprintf("/proc/self/fd/%d", fd)})
		// The descriptor is the caller's: Dial leaves it open.
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			t.Errorf("Dial closed the caller's namespace descriptor: %v", err)
		}
	})
	t.Run("Host", func(t *testing.T) {
		// A Conn without NetNS is in the caller's namespace: it sees the
		// host's links (read only), and not the new veth.
		c := skDial(t, unix.NETLINK_ROUTE, nil)
		got := skLinkDump(t, c)
		if slices.Contains(got, veth) {
			t.Errorf("the host namespace sees %s", veth)
		}
		if !slices.Contains(got, "lo") {
			t.Errorf("the host namespace has no lo: %v", got)
		}
	})
	t.Run("Bad", func(t *testing.T) {
		for _, cfg := range []*netlink.Config{{NetNS: "/nonexistent/netns"}, {NetNS: "/proc/self/ns/uts"}} {
			c, err := netlink.Dial(unix.NETLINK_ROUTE, cfg)
			if err == nil {
				c.Close()
				t.Errorf("Dial in %s succeeded", cfg.NetNS)
				continue
			}
			if !strings.Contains(err.Error(), cfg.NetNS) {
				t.Errorf("Dial in %s: %q does not name the path", cfg.NetNS, err)
			}
		}
	})
	// Many dials, from many goroutines, leave no thread of the process in
	// the namespace.
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path})
			if err != nil {
				t.Error(err)
				return
			}
			c.Close()
		})
	}
	wg.Wait()
	skAllThreadsIn(t, host)
}

// 12. ReceiveDatagram, and SendTo, allocate nothing in the steady state.
func TestReceiveDatagramAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("under the race detector sync.Pool drops items at random, and allocations follow")
	}
	ns := nstest.New(t)
	a, b := skUserPair(t, ns, netlink.Config{})
	to := b.LocalAddr()
	// A cancellable context costs nothing more when the call need not wait.
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, ctx := range []context.Context{context.Background(), cancellable} {
		msg := netlink.Message{Header: netlink.Header{Type: netlink.TypeMinType, Flags: netlink.Request}, Data: []byte("steady state")}
		var failed error
		roundTrip := func() {
			if _, err := a.SendTo(ctx, msg, to); err != nil {
				failed = err
				return
			}
			d, err := b.ReceiveDatagram(ctx)
			if err != nil {
				failed = err
				return
			}
			if len(d.Data) != netlink.MessageSpace(len(msg.Data)) {
				failed = fmt.Errorf("datagram of %d bytes", len(d.Data))
			}
		}
		for range 10 {
			roundTrip() // warm up: buffers, pools, the poller
		}
		both := testing.AllocsPerRun(1000, roundTrip)
		if failed != nil {
			t.Fatal(failed)
		}
		// Separately: 101 sends (AllocsPerRun warms up once), then as many
		// receives; the socket buffer holds them.
		sends := testing.AllocsPerRun(100, func() {
			if _, err := a.SendTo(ctx, msg, to); err != nil {
				failed = err
			}
		})
		recvs := testing.AllocsPerRun(100, func() {
			if _, err := b.ReceiveDatagram(ctx); err != nil {
				failed = err
			}
		})
		if failed != nil {
			t.Fatal(failed)
		}
		t.Logf("allocations per call: SendTo+ReceiveDatagram %v, SendTo %v, ReceiveDatagram %v", both, sends, recvs)
		if recvs != 0 {
			t.Errorf("ReceiveDatagram allocates %v times per call, want 0", recvs)
		}
		if sends != 0 {
			t.Errorf("SendTo allocates %v times per call, want 0", sends)
		}
		if both != 0 {
			t.Errorf("SendTo+ReceiveDatagram allocate %v times per round trip, want 0", both)
		}
	}
}

// 13. With ListenAllNSID, a notification from a peer namespace carries the
// ID this namespace gave it; a local one carries none.
func TestConnListenAllNSID(t *testing.T) {
	home, peer := nstest.New(t), nstest.New(t)
	if _, err := home.Try("netns", "set", peer.Name, "7"); err != nil {
		t.Skipf("cannot assign a namespace ID: %v", err)
	}
	c := skRoute(t, home, &netlink.Config{Groups: []uint32{unix.RTNLGRP_LINK}, Options: []netlink.Option{netlink.ListenAllNSID}})

	peer.Run(t, "link", "add", "vethp0", "type", "veth", "peer", "name", "vethp1")
	d, _ := skDatagramUntil(t, c, "RTM_NEWLINK vethp0 from the peer namespace", skNamed("vethp0"))
	if d.NSID != 7 {
		t.Errorf("notification from the peer namespace: NSID %d, want 7", d.NSID)
	}
	if d.Group != unix.RTNLGRP_LINK {
		t.Errorf("notification from the peer namespace: Group %d", d.Group)
	}

	home.Run(t, "link", "add", "vethh0", "type", "veth", "peer", "name", "vethh1")
	d, _ = skDatagramUntil(t, c, "RTM_NEWLINK vethh0 from the home namespace", skNamed("vethh0"))
	if d.NSID != -1 {
		t.Errorf("local notification: NSID %d, want -1", d.NSID)
	}

	// Without the option, the peer namespace is not heard.
	if err := c.SetOption(netlink.ListenAllNSID, false); err != nil {
		t.Fatal(err)
	}
	skDrainQuiet(t, c)
	peer.Run(t, "link", "add", "vethq0", "type", "veth", "peer", "name", "vethq1")
	skExpectQuiet(t, c, "a peer namespace's notification without ListenAllNSID")
}

// 6c. SendTo to a user-space peer whose receive queue is full waits for
// room, and goes on once the peer reads: the kernel answers such a send
// with EAGAIN but never signals the sender when room is made.
func TestConnSendToFullPeer(t *testing.T) {
	ns := nstest.New(t)
	a := skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path, AcceptPeers: true})
	b := skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path, AcceptPeers: true, ReadBuffer: 1})
	const total = 200
	payload := skPayload(1024)
	sent := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), skWait)
		defer cancel()
		for i := range total {
			m := netlink.Message{Header: netlink.Header{Type: netlink.TypeMinType, Sequence: uint32(i + 1)}, Data: payload}
			if _, err := a.SendTo(ctx, m, b.LocalAddr()); err != nil {
				sent <- fmt.Errorf("SendTo message %d: %w", i+1, err)
				return
			}
		}
		sent <- nil
	}()
	time.Sleep(200 * time.Millisecond) // let the queue fill up
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	for i := range total {
		msgs, err := b.Receive(ctx)
		if err != nil {
			t.Fatalf("receiving message %d: %v (sender: %v)", i+1, err, <-sent)
		}
		if len(msgs) != 1 || msgs[0].Header.Sequence != uint32(i+1) || !bytes.Equal(msgs[0].Data, payload) {
			t.Fatalf("message %d: got %v", i+1, msgs)
		}
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
}

// 6d. A SendTo waiting for room at a full peer still honours the write
// deadline, the context and Close.
func TestConnSendToFullPeerGivesUp(t *testing.T) {
	ns := nstest.New(t)
	a := skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path, AcceptPeers: true})
	b := skDial(t, unix.NETLINK_USERSOCK, &netlink.Config{NetNS: ns.Path, AcceptPeers: true, ReadBuffer: 1})
	m := netlink.Message{Header: netlink.Header{Type: netlink.TypeMinType}, Data: skPayload(1024)}
	// Fill b's queue: send until a send times out.
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatal("the peer's queue never filled up")
		}
		a.SetWriteDeadline(time.Now().Add(skQuiet))
		_, err := a.SendTo(context.Background(), m, b.LocalAddr())
		if err != nil {
			if !os.IsTimeout(err) || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("SendTo to a full peer past the write deadline: %v, want a timeout", err)
			}
			break
		}
	}
	a.SetWriteDeadline(time.Time{})

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := a.SendTo(ctx, m, b.LocalAddr()); !errors.Is(err, context.Canceled) {
		t.Fatalf("SendTo to a full peer with a cancelled context: %v, want context.Canceled", err)
	}

	errc := make(chan error, 1)
	go func() {
		_, err := a.SendTo(context.Background(), m, b.LocalAddr())
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	a.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, netlink.ErrClosed) {
			t.Fatalf("SendTo blocked during Close: %v, want ErrClosed", err)
		}
	case <-time.After(skWait):
		t.Fatal("Close did not wake a SendTo waiting for a full peer")
	}
}

// Receive never hands out replies that belong to an exchange: with a
// goroutine blocked in Receive (holding the socket), Execute on the same
// Conn still gets its replies, and Receive gets none of them.
func TestConnReceiveConcurrentExecute(t *testing.T) {
	xcBackends(t, testConnReceiveConcurrentExecute)
}

func testConnReceiveConcurrentExecute(t *testing.T, env *xcEnv) {
	c := env.dial(t, netlink.Config{})
	var mu sync.Mutex
	var stolen []netlink.Header
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			msgs, err := c.Receive(ctx)
			if err != nil {
				return
			}
			mu.Lock()
			for _, m := range msgs {
				stolen = append(stolen, m.Header)
			}
			mu.Unlock()
		}
	}()
	time.Sleep(50 * time.Millisecond) // let Receive block in recvmsg
	for i := range 50 {
		ectx, ecancel := context.WithTimeout(context.Background(), skWait)
		msgs, err := c.Execute(ectx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: skIfinfo(1)})
		ecancel()
		if err != nil {
			t.Fatalf("Execute %d: %v", i, err)
		}
		if len(msgs) != 1 || skLinkName(msgs[0]) != "lo" {
			t.Fatalf("Execute %d returned %v", i, msgs)
		}
	}
	cancel()
	<-done
	if len(stolen) > 0 {
		t.Errorf("Receive returned %d messages that were Execute's replies, first %v", len(stolen), stolen[0])
	}
}

// rawSend sends b on c's socket behind the Conn's back, as another program
// sharing the port could, to send sequence numbers Send refuses.
func rawSend(t testing.TB, c *netlink.Conn, b []byte, to uint32) {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	if err := rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: to})
		return serr != unix.EAGAIN
	}); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatal(serr)
	}
}

// Replies from the kernel whose sequence number has bit 31 set belong to
// exchanges; with none waiting they are leftovers and are discarded, never
// handed to Receive. Send refuses such numbers. A user-space peer's
// messages go to Receive whatever their sequence number.
func TestConnReceiveSkipsStale(t *testing.T) {
	ns := nstest.New(t)
	c := skRoute(t, ns, nil)
	stale := netlink.AppendMessage(nil, netlink.Header{
		Type: unix.RTM_GETLINK, Flags: netlink.Request, Sequence: 0x80000005, PortID: c.LocalAddr().PortID,
	}, skIfinfo(1))
	rawSend(t, c, stale, 0)
	h, err := c.Send(context.Background(), netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request}, Data: skIfinfo(1)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	msgs, err := c.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Header.Sequence != h.Sequence || skLinkName(msgs[0]) != "lo" {
		t.Errorf("Receive returned %v, want only the reply to sequence %d", msgs, h.Sequence)
	}
	if s := c.Stats(); s.Stale != 1 {
		t.Errorf("Stats().Stale = %d, want 1", s.Stale)
	}

	_, err = c.Send(context.Background(), netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request, Sequence: 0x80000006}, Data: skIfinfo(1)})
	if err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("Send with sequence 0x80000006: %v, want an error saying bit 31 is reserved", err)
	}

	a, b := skUserPair(t, ns, netlink.Config{})
	rawSend(t, a, netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeMinType, Sequence: 0x80000005}, []byte("x")), b.LocalAddr().PortID)
	msgs, err = b.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Header.Sequence != 0x80000005 {
		t.Errorf("peer's message: %v, want it whatever its sequence number", msgs)
	}
}

// A receive queue overrun (ENOBUFS) is reported to Receive once, and the
// notifications still queued come next: the Conn stays usable.
func TestConnOverrunReportedOnce(t *testing.T) {
	ns := nstest.New(t)
	c := skRoute(t, ns, &netlink.Config{Groups: []uint32{unix.RTNLGRP_LINK}, ReadBuffer: 1})
	var lines []string
	for i := range 40 {
		lines = append(lines, fmt.Sprintf("link add ov%d type veth peer name ow%d", i, i))
	}
	// The kernel reports ENOBUFS once until the queue drains, so once the
	// batch is done nothing can overrun again before this test reads.
	ns.Batch(t, lines)
	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	_, err := c.Receive(ctx)
	if !errors.Is(err, netlink.ErrOverrun) || !errors.Is(err, unix.ENOBUFS) {
		t.Fatalf("first Receive after flooding: %v, want ErrOverrun wrapping ENOBUFS", err)
	}
	msgs, err := c.Receive(ctx)
	if err != nil {
		t.Fatalf("second Receive after one overrun: %v, want the queued notifications", err)
	}
	if len(msgs) == 0 || msgs[0].Header.Type != unix.RTM_NEWLINK {
		t.Errorf("second Receive: %v", msgs)
	}
}

// Exchanges talk to the kernel only: with AcceptPeers, a user-space port
// that guesses an exchange's sequence number cannot answer in the kernel's
// place; its datagram goes to Receive.
func TestConnPeerCannotAnswerExchange(t *testing.T) {
	ns := nstest.New(t)
	victim := skRoute(t, ns, &netlink.Config{AcceptPeers: true})
	attacker := skRoute(t, ns, nil)
	e := netlink.NewAttrEncoder(skIfinfo(1))
	e.String(unix.IFLA_IFNAME, "forged0")
	data, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	// The first exchange of a Conn uses sequence number 0x80000001.
	rawSend(t, attacker, netlink.AppendMessage(nil, netlink.Header{Type: unix.RTM_NEWLINK, Sequence: 0x80000001}, data), victim.LocalAddr().PortID)

	ctx, cancel := context.WithTimeout(context.Background(), skWait)
	defer cancel()
	msgs, err := victim.Execute(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: skIfinfo(1)})
	if err != nil {
		t.Fatal(err)
	}
	if name := skLinkName(msgs[0]); name != "lo" {
		t.Fatalf("Execute(GETLINK lo) returned link %q: a peer answered for the kernel", name)
	}
	d, err := victim.ReceiveDatagram(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.From.PortID != attacker.LocalAddr().PortID {
		t.Errorf("Receive got a datagram from port %d, want the peer's %d", d.From.PortID, attacker.LocalAddr().PortID)
	}
}

// A group that cannot be joined fails Dial with the Op "dial" and the
// kernel's errno. A Conn that joins groups gets an 8 MiB receive buffer,
// at Dial or at its first JoinGroup, unless Config.ReadBuffer says
// otherwise.
func TestDialGroups(t *testing.T) {
	ns := nstest.New(t)
	_, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path, Groups: []uint32{1000}})
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" || !errors.Is(err, unix.EINVAL) {
		t.Errorf("Dial with group 1000: %v, want an *OpError for dial wrapping EINVAL", err)
	}
	rcvbuf := func(c *netlink.Conn) int {
		rc, err := c.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var n int
		rc.Control(func(fd uintptr) { n, err = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF) })
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	const want = 8 << 20
	if n := rcvbuf(skRoute(t, ns, &netlink.Config{Groups: []uint32{unix.RTNLGRP_LINK}})); n < want {
		t.Errorf("SO_RCVBUF with groups at Dial: %d, want at least %d", n, want)
	}
	c := skRoute(t, ns, nil)
	before := rcvbuf(c)
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	if n := rcvbuf(c); before >= want || n < want {
		t.Errorf("SO_RCVBUF %d before JoinGroup, %d after; want less than %d, then at least", before, n, want)
	}
	if n := rcvbuf(skRoute(t, ns, &netlink.Config{ReadBuffer: 65536, Groups: []uint32{unix.RTNLGRP_LINK}})); n >= want {
		t.Errorf("SO_RCVBUF with ReadBuffer 65536: %d", n)
	}
}

// 2e. A Conn dialled without groups reads no control messages until it
// joins one; the group of each notification is still reported when it
// joins later, by JoinGroup or on the raw socket behind the Conn's back.
func TestConnGroupJoinedLater(t *testing.T) {
	ns := nstest.New(t)
	for _, raw := range []bool{false, true} {
		c := skRoute(t, ns, nil)
		if raw {
			rc, err := c.SyscallConn()
			if err != nil {
				t.Fatal(err)
			}
			var serr error
			if err := rc.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, unix.RTNLGRP_TUNNEL)
			}); err != nil || serr != nil {
				t.Fatal(err, serr)
			}
		} else if err := c.JoinGroup(unix.RTNLGRP_TUNNEL); err != nil {
			t.Fatal(err)
		}
		if _, err := exec.LookPath("bridge"); err != nil {
			t.Skip("no bridge command for a RTNLGRP_TUNNEL notification")
		}
		name, port := "nlkvxj", "4789"
		if raw {
			name, port = "nlkvxr", "4790"
		}
		if out, err := ns.Try("link", "add", name, "type", "vxlan", "dstport", port, "external", "vnifilter"); err != nil {
			t.Skipf("no VXLAN VNI filtering here: %v %s", err, out)
		}
		if out, err := exec.Command("bridge", "-n", ns.Name, "vni", "add", "dev", name, "vni", "100").CombinedOutput(); err != nil {
			t.Fatalf("bridge vni add: %v %s", err, out)
		}
		// Group 35 has no bit in the sender's address: only the control
		// message names it.
		d, _ := skDatagramUntil(t, c, "RTM_NEWTUNNEL", func(m netlink.Message) bool { return m.Header.Type == unix.RTM_NEWTUNNEL })
		if d.Group != unix.RTNLGRP_TUNNEL {
			t.Errorf("raw=%v: tunnel notification Group %d, want %d", raw, d.Group, unix.RTNLGRP_TUNNEL)
		}
	}
}
