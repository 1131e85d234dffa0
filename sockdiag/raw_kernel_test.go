//go:build linux

package sockdiag_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/sockdiag"
	"golang.org/x/sys/unix"
)

// rawSock is one raw socket of a rawWorld.
type rawSock struct {
	name  string
	fd    int
	fam   sockdiag.Family
	proto int
	inode uint64
}

// rawWorld is the raw sockets a test opens in its namespace.
type rawWorld struct {
	ns    *nstest.NS
	socks []*rawSock
}

// sock returns the socket called name.
func (w *rawWorld) sock(t *testing.T, name string) *rawSock {
	for _, s := range w.socks {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no raw socket %q", name)
	return nil
}

// newRawWorld opens, in a fresh namespace, raw sockets of each shape: for
// IPv4 an ICMP one unbound (that has an echo request queued), IPPROTO_RAW
// bound to 198.18.0.1 with a mark and a TOS, protocol 253 bound to
// 198.18.0.2 and connected to 198.18.0.1 (which has an echo reply queued),
// protocol 254 bound to the device lo; for IPv6 an ICMPv6 one unbound,
// IPPROTO_RAW bound to 2001:db8::1 with a traffic class, protocol 253
// bound to 2001:db8::2 and connected to 2001:db8::1.
func newRawWorld(t *testing.T) *rawWorld {
	ns := nstest.New(t)
	ns.Run(t, "addr", "add", "198.18.0.1/16", "dev", "lo")
	ns.Run(t, "addr", "add", "198.18.0.2/16", "dev", "lo")
	ns.Run(t, "addr", "add", "2001:db8::1/64", "dev", "lo", "nodad")
	ns.Run(t, "addr", "add", "2001:db8::2/64", "dev", "lo", "nodad")
	ns.WaitLocal(t, "198.18.0.1", "198.18.0.2", "2001:db8::1", "2001:db8::2")
	w := &rawWorld{ns: ns}
	t.Cleanup(func() {
		for _, s := range w.socks {
			unix.Close(s.fd)
		}
	})
	v4 := func(a string) unix.Sockaddr { return &unix.SockaddrInet4{Addr: netip.MustParseAddr(a).As4()} }
	v6 := func(a string) unix.Sockaddr { return &unix.SockaddrInet6{Addr: netip.MustParseAddr(a).As16()} }
	inNS(t, ns, func() {
		open := func(name string, fam sockdiag.Family, proto int, setup func(fd int) error) {
			if t.Failed() {
				return
			}
			af := unix.AF_INET
			if fam == sockdiag.IPv6 {
				af = unix.AF_INET6
			}
			fd, err := unix.Socket(af, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			s := &rawSock{name: name, fd: fd, fam: fam, proto: proto}
			w.socks = append(w.socks, s)
			var st unix.Stat_t
			if err := unix.Fstat(fd, &st); err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			s.inode = st.Ino
			if setup != nil {
				if err := setup(fd); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
		}
		// ICMP_FILTER blocks the ICMP types whose bits are set.
		only := func(typ int) func(fd int) error {
			return func(fd int) error { return unix.SetsockoptInt(fd, unix.SOL_RAW, 1 /* ICMP_FILTER */, ^(1 << typ)) }
		}
		open("icmp", sockdiag.IPv4, unix.IPPROTO_ICMP, only(8))
		open("ping", sockdiag.IPv4, unix.IPPROTO_ICMP, func(fd int) error {
			if err := only(0)(fd); err != nil {
				return err
			}
			if err := unix.Bind(fd, v4("198.18.0.2")); err != nil {
				return err
			}
			return unix.Connect(fd, v4("198.18.0.1"))
		})
		open("raw4", sockdiag.IPv4, unix.IPPROTO_RAW, func(fd int) error {
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_MARK, 0x33); err != nil {
				return err
			}
			if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TOS, 0x10); err != nil {
				return err
			}
			return unix.Bind(fd, v4("198.18.0.1"))
		})
		open("253v4", sockdiag.IPv4, 253, func(fd int) error {
			if err := unix.Bind(fd, v4("198.18.0.2")); err != nil {
				return err
			}
			return unix.Connect(fd, v4("198.18.0.1"))
		})
		open("254lo", sockdiag.IPv4, 254, func(fd int) error { return unix.BindToDevice(fd, "lo") })
		open("icmp6", sockdiag.IPv6, unix.IPPROTO_ICMPV6, nil)
		open("raw6", sockdiag.IPv6, unix.IPPROTO_RAW, func(fd int) error {
			if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, 0x20); err != nil {
				return err
			}
			return unix.Bind(fd, v6("2001:db8::1"))
		})
		open("253v6", sockdiag.IPv6, 253, func(fd int) error {
			if err := unix.Bind(fd, v6("2001:db8::2")); err != nil {
				return err
			}
			return unix.Connect(fd, v6("2001:db8::1"))
		})
		if t.Failed() {
			return
		}
		// ping sends an echo request to 198.18.0.1, which icmp receives
		// on its way in, before ICMP answers it; then the reply reaches
		// ping. Once ping can read, both hold what they keep.
		echo := []byte{8, 0, 0xe5, 0xca, 0x12, 0x34, 0, 1} // type 8, checksum, id 0x1234, seq 1
		ping := w.sock(t, "ping").fd
		if _, err := unix.Write(ping, echo); err != nil {
			t.Error(err)
			return
		}
		fds := []unix.PollFd{{Fd: int32(ping), Events: unix.POLLIN}}
		if n, err := unix.Poll(fds, 60_000); n != 1 { // a hang guard, not a timing assertion
			t.Errorf("no echo reply on ping: %v", err)
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	return w
}

// rawSockets lists the namespace's raw sockets of both families with every
// extension, or skips the test when the kernel has no raw socket
// diagnostics (CONFIG_INET_RAW_DIAG, the module raw_diag).
func rawSockets(t *testing.T, c *sockdiag.Conn) []sockdiag.InetSocket {
	t.Helper()
	var out []sockdiag.InetSocket
	for _, fam := range []sockdiag.Family{sockdiag.IPv4, sockdiag.IPv6} {
		req := sockdiag.InetRequest{Family: fam, Protocol: sockdiag.ProtoRaw, Extensions: sockdiag.AllExtensions}
		for s, err := range c.InetSockets(context.Background(), req) {
			if errors.Is(err, syscall.ENOENT) {
				t.Skipf("no raw socket diagnostics in this kernel (CONFIG_INET_RAW_DIAG, module raw_diag): %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s.Clone())
		}
	}
	return out
}

// ssAddr formats a as ss -n does: IPv6 brackets, the unspecified IPv6
// address "*", the bound device after "%", port 0 "*".
func ssAddr(a netip.AddrPort, dev string) string {
	s := a.Addr().String()
	switch {
	case a.Addr().Is6() && a.Addr().IsUnspecified():
		s = "*"
	case a.Addr().Is6():
		s = "[" + s + "]"
	}
	if dev != "" {
		s += "%" + dev
	}
	if a.Port() == 0 {
		return s + ":*"
	}
	return s + ":" + strconv.Itoa(int(a.Port()))
}

// TestRawFieldsMatchSS lists the raw sockets of a rawWorld with every
// extension and compares each with what ss -wanpeim --tos prints of it:
// the state, the queues, the addresses (a raw socket's port is its
// protocol, which the kernel reports in INET_DIAG_PROTOCOL too), the
// bound device, the owner, inode and cookie, the mark, the TOS or traffic
// class, the sk_meminfo counters, and the process that holds it.
func TestRawFieldsMatchSS(t *testing.T) {
	w := newRawWorld(t)
	c := dialDiag(t, w.ns)
	got := rawSockets(t, c)
	byIno := map[string]ssSocket{}
	for _, s := range ssSockets(t, w.ns, "-wanpeim", "--tos") {
		byIno[s.kv["ino"]] = s
	}
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	procs := processes(t)
	ifnames := map[uint32]string{1: "lo"} // the namespace's one device
	for _, sock := range w.socks {
		var s *sockdiag.InetSocket
		for i := range got {
			if uint64(got[i].Inode) == sock.inode {
				s = &got[i]
			}
		}
		ss, ok := byIno[strconv.FormatUint(sock.inode, 10)]
		if s == nil || !ok {
			t.Errorf("%s (inode %d): listed by us %v, by ss %v", sock.name, sock.inode, s != nil, ok)
			continue
		}
		name := "raw " + sock.name
		eq := func(field, got, want string) {
			t.Helper()
			if got != want {
				t.Errorf("%s: %s %q, ss %q", name, field, got, want)
			}
		}
		if s.Family != sock.fam || int(s.Protocol) != sock.proto || int(s.ID.Src.Port()) != sock.proto {
			t.Errorf("%s: family %v protocol %d port %d, want %v %d", name, s.Family, s.Protocol, s.ID.Src.Port(), sock.fam, sock.proto)
		}
		if s.Info != nil || s.Has(sockdiag.AttrInfo) {
			t.Errorf("%s: INET_DIAG_INFO %x, want none (raw sockets have no info)", name, s.Info)
		}
		eq("local", ssAddr(s.ID.Src, ifnames[s.ID.Interface]), ss.local)
		eq("peer", ssAddr(s.ID.Dst, ""), ss.peer)
		eq("users", fmt.Sprintf("((%q,pid=%d,fd=%d))", strings.TrimSpace(string(comm)), os.Getpid(), sock.fd), ss.kv["users"])
		compareInet(t, "raw", s, ss, procs)
	}
	if len(got) != len(w.socks) || len(byIno) != len(w.socks) {
		t.Errorf("we list %d raw sockets, ss %d, want %d", len(got), len(byIno), len(w.socks))
	}
	// The shapes the world made, as the kernel reports them.
	want := map[string]string{
		"icmp": "UNCONN 0.0.0.0:1 0.0.0.0:0", "ping": "ESTAB 198.18.0.2:1 198.18.0.1:0", "raw4": "UNCONN 198.18.0.1:255 0.0.0.0:0",
		"253v4": "ESTAB 198.18.0.2:253 198.18.0.1:0", "254lo": "UNCONN 0.0.0.0:254 0.0.0.0:0 if 1",
		"icmp6": "UNCONN [::]:58 [::]:0", "raw6": "UNCONN [2001:db8::1]:255 [::]:0", "253v6": "ESTAB [2001:db8::2]:253 [2001:db8::1]:0",
	}
	for _, s := range got {
		for _, sock := range w.socks {
			if uint64(s.Inode) != sock.inode {
				continue
			}
			g := ssState[s.State] + " " + s.ID.Src.String() + " " + s.ID.Dst.String()
			if s.ID.Interface != 0 {
				g += fmt.Sprintf(" if %d", s.ID.Interface)
			}
			if g != want[sock.name] {
				t.Errorf("raw %s: %s, want %s", sock.name, g, want[sock.name])
			}
			if (sock.name == "icmp" || sock.name == "ping") && s.RQueue == 0 {
				t.Errorf("raw %s: nothing queued, want the echo %s", sock.name, map[string]string{"icmp": "request", "ping": "reply"}[sock.name])
			}
		}
	}
}

// TestDestroyRaw destroys two raw sockets as listed, one connected (IPv4)
// and one bound (IPv6), and checks that their owners' reads fail with
// ECONNABORTED, that neither we nor ss list them any more (the kernel's
// raw_abort disconnects a socket and unhashes it), that the others stay,
// and that destroying one again is ENOENT naming it. The kernel finds a
// raw socket by its protocol, addresses and device, not its cookie, so
// the two have protocols no other socket of the world has.
func TestDestroyRaw(t *testing.T) {
	w := newRawWorld(t)
	c := dialDiag(t, w.ns)
	before := rawSockets(t, c)
	targets := map[uint64]*rawSock{w.sock(t, "253v4").inode: w.sock(t, "253v4"), w.sock(t, "raw6").inode: w.sock(t, "raw6")}
	var destroyed []sockdiag.InetSocket
	for _, s := range before {
		if targets[uint64(s.Inode)] == nil {
			continue
		}
		err := c.Destroy(context.Background(), sockdiag.ProtoRaw, &s)
		if errors.Is(err, syscall.EOPNOTSUPP) {
			t.Skipf("no SOCK_DESTROY in this kernel (CONFIG_INET_DIAG_DESTROY): %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		destroyed = append(destroyed, s)
	}
	if len(destroyed) != 2 {
		t.Fatalf("destroyed %d sockets, want 2", len(destroyed))
	}
	for _, sock := range targets {
		fds := []unix.PollFd{{Fd: int32(sock.fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, 60_000); err != nil { // a hang guard
			t.Fatal(err)
		}
		if _, _, err := unix.Recvfrom(sock.fd, make([]byte, 64), unix.MSG_DONTWAIT); !errors.Is(err, syscall.ECONNABORTED) {
			t.Errorf("read on destroyed %s: %v, want ECONNABORTED", sock.name, err)
		}
	}
	after := rawSockets(t, c)
	ss := ssSockets(t, w.ns, "-wane")
	if len(after) != len(before)-2 || len(ss) != len(after) {
		t.Errorf("after: we list %d raw sockets, ss %d, want %d", len(after), len(ss), len(before)-2)
	}
	for _, s := range after {
		if targets[uint64(s.Inode)] != nil {
			t.Errorf("we still list the destroyed %v -> %v", s.ID.Src, s.ID.Dst)
		}
	}
	for _, s := range ss {
		if ino, _ := strconv.ParseUint(s.kv["ino"], 10, 64); targets[ino] != nil {
			t.Errorf("ss still lists the destroyed %s %s", s.local, s.peer)
		}
	}
	for _, s := range destroyed {
		err := c.Destroy(context.Background(), sockdiag.ProtoRaw, &s)
		if !errors.Is(err, syscall.ENOENT) || !strings.Contains(err.Error(), s.ID.Src.Addr().String()) {
			t.Errorf("destroying %v -> %v again: %v, want ENOENT naming it", s.ID.Src, s.ID.Dst, err)
		}
	}
}
