package sockdiagtest_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/sockdiag"
	"github.com/nlkit/netlink/sockdiag/sockdiagtest"
	"golang.org/x/sys/unix"
)

// inNS runs fn on a thread in ns's network namespace, so the sockets fn
// opens belong to ns. The thread is never given back: it dies with the
// goroutine.
func inNS(t *testing.T, ns *nstest.NS, fn func()) {
	t.Helper()
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open(ns.Path)
		if err != nil {
			done <- err
			return
		}
		err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
		f.Close()
		if err != nil {
			done <- err
			return
		}
		fn()
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// world opens, in ns, the sockets the comparison lists: TCP listeners and
// connections of both families (some from ports the kernel chose, one
// closed into time-wait, one with a mark, one v4-mapped on a dual-stack
// listener), UDP sockets (bound, connected, autobound, bound to a
// device), raw sockets and unix sockets. It returns the sockets whose
// port the kernel chose (the autobound ones: those dialed from port 0,
// and the accepted ones, which do not inherit their listener's lock), by
// key.
func world(t *testing.T, ns *nstest.NS) (autobound map[string]bool) {
	autobound = make(map[string]bool)
	var closers []func()
	t.Cleanup(func() {
		for _, f := range slices.Backward(closers) {
			f()
		}
	})
	inNS(t, ns, func() {
		var lc net.ListenConfig
		lc.SetMultipathTCP(false)
		listen := func(network, addr string) net.Listener {
			l, err := lc.Listen(context.Background(), network, addr)
			if err != nil {
				t.Fatal(err)
			}
			closers = append(closers, func() { l.Close() })
			return l
		}
		l443 := listen("tcp4", "198.18.0.1:443")
		l80 := listen("tcp4", "198.18.0.1:80")
		l6 := listen("tcp6", "[2001:db8::1]:443")
		ldual := listen("tcp", "[::]:8080")
		dial := func(l net.Listener, network, to, from string, port int, mark int) (net.Conn, net.Conn) {
			d := net.Dialer{Timeout: time.Minute}
			d.SetMultipathTCP(false)
			if from != "" {
				d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from), Port: port}
			}
			if mark != 0 {
				d.Control = func(_, _ string, c syscall.RawConn) error {
					var serr error
					err := c.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK, mark) })
					return errors.Join(err, serr)
				}
			}
			c, err := d.Dial(network, to)
			if err != nil {
				t.Fatal(err)
			}
			s, err := l.Accept()
			if err != nil {
				t.Fatal(err)
			}
			closers = append(closers, func() { c.Close(); s.Close() })
			if port == 0 {
				autobound[key(c.LocalAddr(), c.RemoteAddr())] = true
			}
			autobound[key(s.LocalAddr(), s.RemoteAddr())] = true
			return c, s
		}
		dial(l443, "tcp4", "198.18.0.1:443", "198.18.0.2", 40001, 0x15)
		dial(l443, "tcp4", "198.18.0.1:443", "198.18.0.2", 0, 0)
		dial(l443, "tcp4", "198.18.0.1:443", "198.18.1.5", 0, 0x10)
		dial(l80, "tcp4", "198.18.0.1:80", "198.18.1.5", 50000, 0)
		dial(l80, "tcp4", "198.18.0.1:80", "", 0, 0)
		dial(l6, "tcp6", "[2001:db8::1]:443", "2001:db8::2", 40002, 0)
		dial(l6, "tcp6", "[2001:db8::1]:443", "2001:db8::2", 0, 0)
		dial(ldual, "tcp4", "198.18.0.1:8080", "198.18.0.2", 40003, 0)
		dial(ldual, "tcp6", "[2001:db8::1]:8080", "2001:db8::2", 0, 0)
		// One into time-wait: the client closes first, then the server.
		c, s := dial(l80, "tcp4", "198.18.0.1:80", "198.18.0.2", 40004, 0)
		c.Close()
		s.SetReadDeadline(time.Now().Add(time.Minute)) // a hang guard
		s.Read(make([]byte, 1))
		s.Close()

		udp := func(network string, laddr, raddr string, dev string) {
			var la, ra *net.UDPAddr
			if laddr != "" {
				la, _ = net.ResolveUDPAddr(network, laddr)
			}
			if raddr != "" {
				ra, _ = net.ResolveUDPAddr(network, raddr)
			}
			var pc net.Conn
			var err error
			switch {
			case dev != "":
				cfg := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
					var serr error
					err := c.Control(func(fd uintptr) { serr = unix.BindToDevice(int(fd), dev) })
					return errors.Join(err, serr)
				}}
				var p net.PacketConn
				p, err = cfg.ListenPacket(context.Background(), network, laddr)
				if err == nil {
					closers = append(closers, func() { p.Close() })
				}
				return
			case ra == nil:
				pc, err = net.ListenUDP(network, la)
			default:
				pc, err = net.DialUDP(network, la, ra)
			}
			if err != nil {
				t.Fatal(err)
			}
			closers = append(closers, func() { pc.Close() })
			if la == nil {
				autobound[key(pc.LocalAddr(), pc.RemoteAddr())] = true
			}
		}
		udp("udp4", "198.18.0.1:53", "", "")
		udp("udp6", "[2001:db8::2]:5353", "[2001:db8::1]:53", "")
		udp("udp4", "", "198.18.0.1:53", "")
		udp("udp6", "[::]:5300", "", "")
		udp("udp4", "0.0.0.0:5000", "", "lo")

		for _, r := range [][2]int{{unix.AF_INET, unix.IPPROTO_ICMP}, {unix.AF_INET6, unix.IPPROTO_ICMPV6}, {unix.AF_INET, unix.IPPROTO_UDP}} {
			fd, err := unix.Socket(r[0], unix.SOCK_RAW|unix.SOCK_CLOEXEC, r[1])
			if err != nil {
				t.Fatal(err)
			}
			closers = append(closers, func() { unix.Close(fd) })
		}

		ul, err := net.Listen("unix", filepath.Join(t.TempDir(), "sock"))
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, func() { ul.Close() })
		for range 2 { // two pending, one accepted
			uc, err := net.Dial("unix", ul.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			closers = append(closers, func() { uc.Close() })
		}
		us, err := ul.Accept()
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, func() { us.Close() })
		ud, err := net.ListenPacket("unixgram", "@nlkit-sockdiagtest-"+ns.Name)
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, func() { ud.Close() })
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0)
		if err != nil {
			t.Fatal(err)
		}
		unix.Shutdown(fds[0], unix.SHUT_WR)
		closers = append(closers, func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	})
	return autobound
}

// key names a socket by its addresses, v4-mapped ones as IPv4.
func key(local, remote net.Addr) string {
	ap := func(a net.Addr) netip.AddrPort {
		if a == nil {
			return netip.AddrPort{}
		}
		p := netip.MustParseAddrPort(a.String())
		return netip.AddrPortFrom(p.Addr().Unmap(), p.Port())
	}
	return ap(local).String() + " " + ap(remote).String()
}

// unmapped writes an address and port as keyOf does.
func unmapped(s string) string {
	p := netip.MustParseAddrPort(s)
	return netip.AddrPortFrom(p.Addr().Unmap(), p.Port()).String()
}

func keyOf(id sockdiag.SockID) string {
	return netip.AddrPortFrom(id.Src.Addr().Unmap(), id.Src.Port()).String() + " " + netip.AddrPortFrom(id.Dst.Addr().Unmap(), id.Dst.Port()).String()
}

var families = []sockdiag.Family{sockdiag.IPv4, sockdiag.IPv6}

// listInet lists what req selects on c, a line per socket (sorted), or
// the error.
func listInet(c *sockdiag.Conn, req sockdiag.InetRequest, full bool) ([]string, error) {
	var out []string
	for s, err := range c.InetSockets(context.Background(), req) {
		if err != nil {
			return out, err
		}
		out = append(out, line(s, full))
	}
	slices.Sort(out)
	return out, nil
}

// line describes s: its identity, state and, when full, its header and
// attributes (those whose values change by the second, tcp_info and the
// memory counters, by their size alone; the timer's expiry not at all).
func line(s *sockdiag.InetSocket, full bool) string {
	l := fmt.Sprintf("%s %v -> %v if %d %s cookie %#x", s.Family, s.ID.Src, s.ID.Dst, s.ID.Interface, s.State, s.ID.Cookie)
	if !full {
		return l
	}
	l += fmt.Sprintf(" timer %d retrans %d rq %d wq %d uid %d ino %d", s.Timer, s.Retrans, s.RQueue, s.WQueue, s.UID, s.Inode)
	for a, err := range netlink.Attrs(s.Attrs) {
		if err != nil {
			return l + " " + err.Error()
		}
		switch sockdiag.Attr(a.Type) {
		case sockdiag.AttrInfo, sockdiag.AttrMemInfo, sockdiag.AttrSkMemInfo:
			l += fmt.Sprintf(" [%d: %d bytes]", a.Type, len(a.Data))
		default:
			l += fmt.Sprintf(" [%d: %x]", a.Type, a.Data)
		}
	}
	return l
}

func errnoOf(err error) string {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e.Error()
	}
	if err != nil {
		return "not an errno: " + err.Error()
	}
	return "ok"
}

// TestSameAsKernel opens sockets in a network namespace, lists them
// through the kernel, mirrors them into the fake, and checks that both
// answer alike: the same sockets with the same attributes for each
// extension mask, the same sockets for each filter (ss expressions
// compiled by sockdiag.Compile, and random bytecode), the same errno for
// bytecode the kernel refuses, the same socket or errno for requests
// for one socket, then the same errno and the same listings after each
// SOCK_DESTROY.
func TestSameAsKernel(t *testing.T) {
	ns := nstest.New(t)
	ns.Batch(t, []string{
		"link set lo up",
		"addr add 198.18.0.1/16 dev lo",
		"addr add 198.18.0.2/16 dev lo",
		"addr add 198.18.1.5/16 dev lo",
		"addr add 2001:db8::1/64 dev lo nodad",
		"addr add 2001:db8::2/64 dev lo nodad",
	})
	ns.WaitLocal(t, "198.18.0.1", "198.18.0.2", "198.18.1.5", "2001:db8::1", "2001:db8::2")
	autobound := world(t, ns)
	kc, err := sockdiag.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()

	// Wait (a hang guard, not a timing assertion) for the time-wait
	// socket, then mirror everything.
	deadline := time.Now().Add(time.Minute)
	timeWait := func() []string {
		tw, err := listInet(kc, sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoTCP, States: sockdiag.StatesOf(sockdiag.StateTimeWait)}, false)
		if err != nil {
			t.Fatal(err)
		}
		return tw
	}
	var tw string
	for {
		l := timeWait()
		if len(l) == 1 {
			tw = strings.Fields(l[0])[7] // its cookie
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no time-wait socket: %q", l)
		}
		time.Sleep(10 * time.Millisecond)
	}
	protocols := []int{sockdiag.ProtoTCP, sockdiag.ProtoUDP, sockdiag.ProtoRaw}
	if _, err := listInet(kc, sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoRaw}, false); errors.Is(err, syscall.ENOENT) {
		t.Log("the kernel lists no raw sockets (no raw_diag): they are left out")
		protocols = protocols[:2]
	}
	fake := sockdiagtest.New()
	var cgroup uint64
	for _, p := range protocols {
		for _, fam := range families {
			for s, err := range kc.InetSockets(context.Background(), sockdiag.InetRequest{Family: fam, Protocol: p, Extensions: sockdiag.AllExtensions}) {
				if err != nil {
					t.Fatal(err)
				}
				f := sockdiagtest.FromListed(p, s)
				f.Autobound = autobound[keyOf(s.ID)] && p != sockdiag.ProtoRaw
				fake.AddInet(f)
				cgroup = max(cgroup, s.CgroupID)
			}
		}
	}
	for s, err := range kc.UnixSockets(context.Background(), sockdiag.UnixRequest{Show: sockdiag.UnixShowAll}) {
		if err != nil {
			t.Fatal(err)
		}
		fake.AddUnix(sockdiagtest.UnixFromListed(s))
	}
	fc, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()

	// The peers of destroyed connections, reset by the kernel, which the
	// fake does not model: left out of the comparisons.
	peers := map[string]bool{}
	// The time-wait socket goes when its timer fires, a minute after
	// it came, which the fake does not model either: once the kernel's
	// is gone, it is left out too.
	expired := false
	drop := func(lines []string) []string {
		return slices.DeleteFunc(lines, func(l string) bool {
			f := strings.Fields(l)
			return peers[unmapped(f[1])+" "+unmapped(f[3])] || expired && f[7] == tw
		})
	}
	compare := func(what string, req sockdiag.InetRequest, full bool) {
		t.Helper()
		want, werr := listInet(kc, req, full)
		got, gerr := listInet(fc, req, full)
		if !expired && len(timeWait()) == 0 {
			expired = true // since before the kernel's listing, or during it
		}
		want, got = drop(want), drop(got)
		if errnoOf(werr) != errnoOf(gerr) {
			t.Errorf("%s: fake: %v, kernel: %v", what, gerr, werr)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\nonly the fake:   %s\nonly the kernel: %s", what, strings.Join(minus(got, want), "\n                 "), strings.Join(minus(want, got), "\n                 "))
		}
	}

	// Every socket, with its attributes, for several extension masks.
	for _, ext := range []sockdiag.Extensions{0, sockdiag.AllExtensions, sockdiag.Ext(sockdiag.AttrTOS) | sockdiag.Ext(sockdiag.AttrCong), sockdiag.Ext(sockdiag.AttrTClass) | sockdiag.Ext(sockdiag.AttrInfo), sockdiag.Ext(sockdiag.AttrVegasInfo)} {
		for _, p := range protocols {
			for _, fam := range families {
				compare(fmt.Sprintf("%s %d ext %#x", fam, p, ext), sockdiag.InetRequest{Family: fam, Protocol: p, Extensions: ext}, true)
			}
		}
	}

	// Filters.
	exprs := []string{
		"state established", "state listening", "state time-wait", "state connected", "exclude listening",
		"state established and dport = :443",
		"state established and ( dport = :443 and src 198.18.0.0/16 )",
		"sport = :443 or sport = :80", "dport >= :80 and dport <= :443", "dport < :443", "sport > :40000",
		"dport != :443", "src 198.18.1.0/24", "dst 198.18.0.1:80", "src 2001:db8::/32", "src [2001:db8::2]",
		"dst [2001:db8::1]:443", "not ( src 198.18.0.2 or dst 198.18.0.2 )",
		"exclude listening and ( ( sport = :443 or dport = :443 ) and ! dst [2001:db8::1] )",
		"state connected and ( src 198.18.0.0/15 or src [2001:db8::2] )",
		"fwmark = 0", "fwmark = 0x10/0xf0", "fwmark != 0x15", "autobound", "not autobound and dport > :0",
		"src 198.18.0.2 and autobound or sport = :8080", "dst 198.18.0.0/16", "src 0.0.0.0/0", "src *:8080", "dst :443",
		"dev = 1", "dev != 1", fmt.Sprintf("cgroup = %d", cgroup), fmt.Sprintf("cgroup != %d", cgroup),
		"( sport >= :1000 or dport >= :1000 ) and not ( src 198.18.0.1 and dport = :53 )",
	}
	for _, e := range exprs {
		f, err := sockdiag.Compile(e, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range protocols {
			for _, fam := range families {
				compare(fmt.Sprintf("%q %s %d", e, fam, p), sockdiag.InetRequest{Family: fam, Protocol: p, States: f.States, Filter: f}, false)
			}
		}
	}

	// Bytecode the kernel refuses, or not, written by hand and at random.
	op := func(code, yes uint8, no uint16) []byte {
		return binary.NativeEndian.AppendUint16([]byte{code, yes}, no)
	}
	hand := [][]byte{
		{1, 2, 3},
		op(99, 4, 8),
		op(1, 4, 6),
		op(1, 4, 12),
		op(1, 2, 8),
		append(op(11, 8, 12), op(0, 0, 443)...)[:4],
		append(op(7, 12, 16), 2, 33, 0, 0, 0xff, 0xff, 0xff, 0xff, 198, 18, 0, 0),
		append(op(7, 16, 20), 2, 8, 0, 0, 0xff, 0xff, 0xff, 0xff, 198, 18, 0, 0),
		append(op(7, 12, 16), 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff),
		append(op(7, 8, 12), 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff),
		append(op(1, 8, 4), op(0, 4, 0)...),
		append(op(1, 4, 6), op(0, 4, 0)...),
		append(op(0, 4, 999), op(6, 4, 8)...),
		append(op(13, 12, 16), 0, 0, 0, 0, 0, 0, 0, 0),
		append(op(10, 12, 16), 0, 0, 0, 0, 0, 0, 0, 0),
		append(op(9, 8, 12), 1, 0, 0, 0),
		append(append(op(2, 8, 12), op(0, 0, 1000)...), 1, 2),
	}
	handWritten := len(hand)
	rng := rand.New(rand.NewPCG(31, 7))
	for range 300 {
		hand = append(hand, randomProgram(rng, cgroup))
	}
	for i, bc := range hand {
		ps := []int{sockdiag.ProtoTCP, sockdiag.ProtoUDP}
		if i >= handWritten {
			ps = ps[:1]
		}
		for _, p := range ps {
			for _, fam := range families {
				compare(fmt.Sprintf("program %d %x %s %d", i, bc, fam, p), sockdiag.InetRequest{Family: fam, Protocol: p, Filter: &sockdiag.Filter{Bytecode: bc}}, false)
			}
		}
	}

	// A protocol without a handler.
	compare("protocol 99", sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: 99}, false)

	// Requests for one socket: as listed, with another cookie, with the
	// addresses swapped, and for a socket that is not there.
	var all []sockdiag.InetSocket
	var allProto []int
	for _, p := range protocols {
		for _, fam := range families {
			for s, err := range kc.InetSockets(context.Background(), sockdiag.InetRequest{Family: fam, Protocol: p}) {
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, s.Clone())
				allProto = append(allProto, p)
			}
		}
	}
	get := func(c *sockdiag.Conn, req sockdiag.InetRequest) string {
		s, err := c.InetSocket(context.Background(), req)
		if err != nil {
			return errnoOf(err)
		}
		return line(&s, true)
	}
	for i, s := range all {
		p := allProto[i]
		raw := uint8(0)
		if p == sockdiag.ProtoRaw {
			raw = uint8(s.Protocol)
		}
		swapped := s.ID
		swapped.Src, swapped.Dst = s.ID.Dst, s.ID.Src
		other := s.ID
		other.Cookie++
		missing := s.ID
		missing.Src = netip.AddrPortFrom(s.ID.Src.Addr(), 1)
		for _, id := range []sockdiag.SockID{s.ID, swapped, other, missing, {Src: s.ID.Src, Dst: s.ID.Dst}} {
			req := sockdiag.InetRequest{Family: s.Family, Protocol: p, RawProtocol: raw, ID: id, Extensions: sockdiag.AllExtensions}
			if w, g := get(kc, req), get(fc, req); w != g {
				t.Errorf("get %d %v:\nfake:   %s\nkernel: %s", p, id, g, w)
			}
		}
	}

	// Unix sockets.
	for _, show := range []uint32{0, sockdiag.UnixShowAll, sockdiag.UnixShowName | sockdiag.UnixShowPeer, sockdiag.UnixShowIcons | sockdiag.UnixShowRQLen} {
		for _, st := range []sockdiag.States{sockdiag.AllStates, sockdiag.StatesOf(sockdiag.StateListen), sockdiag.StatesOf(sockdiag.StateEstablished, sockdiag.StateClose)} {
			w, werr := listUnix(kc, sockdiag.UnixRequest{States: st, Show: show})
			g, gerr := listUnix(fc, sockdiag.UnixRequest{States: st, Show: show})
			if werr != nil || gerr != nil || !slices.Equal(g, w) {
				t.Errorf("unix show %#x states %v:\nfake:   %s %v\nkernel: %s %v", show, st, strings.Join(g, "\n        "), gerr, strings.Join(w, "\n        "), werr)
			}
		}
	}
	var inodes []sockdiag.UnixSocket
	for s, err := range kc.UnixSockets(context.Background(), sockdiag.UnixRequest{}) {
		if err != nil {
			t.Fatal(err)
		}
		inodes = append(inodes, s.Clone())
	}
	for _, s := range append(inodes, sockdiag.UnixSocket{}, sockdiag.UnixSocket{Inode: 1}) {
		for _, cookie := range []uint64{0, s.Cookie, s.Cookie + 1} {
			req := sockdiag.UnixRequest{Inode: s.Inode, Cookie: cookie, Show: sockdiag.UnixShowAll}
			if w, g := getUnix(kc, req), getUnix(fc, req); w != g {
				t.Errorf("get unix %d cookie %#x:\nfake:   %s\nkernel: %s", s.Inode, cookie, g, w)
			}
		}
	}

	// Destroying: each socket once and again (a listener, connections,
	// time-wait, bound and autobound UDP, raw), each followed by a
	// comparison of the listings.
	for i, s := range all {
		p := allProto[i]
		if peers[keyOf(s.ID)] {
			continue
		}
		if p == sockdiag.ProtoTCP && s.ID.Dst.Port() != 0 {
			peers[keyOf(sockdiag.SockID{Src: s.ID.Dst, Dst: s.ID.Src})] = true
		}
		for range 2 {
			w := errnoOf(kc.Destroy(context.Background(), p, &s))
			g := errnoOf(fc.Destroy(context.Background(), p, &s))
			if s.State == sockdiag.StateTimeWait && w != g && !expired {
				expired = true // its timer fired first
				continue
			}
			if w != g {
				t.Errorf("destroy %d %v %s: fake: %s, kernel: %s", p, s.ID, s.State, g, w)
			}
		}
		for _, q := range protocols {
			for _, fam := range families {
				compare(fmt.Sprintf("after destroying %d %v", p, s.ID), sockdiag.InetRequest{Family: fam, Protocol: q}, false)
			}
		}
	}
	// Unix sockets cannot be destroyed, nor MPTCP ones (when the kernel
	// has MPTCP diagnostics at all).
	mptcp := sockdiag.InetSocket{Family: sockdiag.IPv4}
	if w, g := errnoOf(kc.Destroy(context.Background(), sockdiag.ProtoMPTCP, &mptcp)), errnoOf(fc.Destroy(context.Background(), sockdiag.ProtoMPTCP, &mptcp)); w != g && w != "no such file or directory" {
		t.Errorf("destroy mptcp: fake: %s, kernel: %s", g, w)
	}
}

// minus returns the lines of a that are not in b.
func minus(a, b []string) []string {
	var out []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, l)
		}
	}
	return out
}

func listUnix(c *sockdiag.Conn, req sockdiag.UnixRequest) ([]string, error) {
	var out []string
	for s, err := range c.UnixSockets(context.Background(), req) {
		if err != nil {
			return out, err
		}
		out = append(out, unixLine(s))
	}
	slices.Sort(out)
	return out, nil
}

func unixLine(s *sockdiag.UnixSocket) string {
	l := fmt.Sprintf("%s %s ino %d cookie %#x", s.Type, s.State, s.Inode, s.Cookie)
	for a, err := range netlink.Attrs(s.Attrs) {
		if err != nil {
			return l + " " + err.Error()
		}
		if a.Type == 5 { // UNIX_DIAG_MEMINFO: values change
			l += fmt.Sprintf(" [%d: %d bytes]", a.Type, len(a.Data))
			continue
		}
		l += fmt.Sprintf(" [%d: %x]", a.Type, a.Data)
	}
	return l
}

func getUnix(c *sockdiag.Conn, req sockdiag.UnixRequest) string {
	msgs, err := c.NL.Execute(context.Background(), netlink.Message{Header: netlink.Header{Type: 20}, Data: unixRequest(req)})
	if err != nil {
		return errnoOf(err)
	}
	var out []string
	for _, m := range msgs {
		var s sockdiag.UnixSocket
		if err := s.Parse(m.Data); err != nil {
			return err.Error()
		}
		out = append(out, unixLine(&s))
	}
	return strings.Join(out, "; ")
}

// unixRequest encodes struct unix_diag_req: sockdiag has no call for one
// unix socket.
func unixRequest(r sockdiag.UnixRequest) []byte {
	b := []byte{1, 0, 0, 0}
	b = binary.NativeEndian.AppendUint32(b, uint32(sockdiag.AllStates))
	b = binary.NativeEndian.AppendUint32(b, r.Inode)
	b = binary.NativeEndian.AppendUint32(b, r.Show)
	cookie := r.Cookie
	if cookie == 0 {
		cookie = ^uint64(0)
	}
	return binary.NativeEndian.AppendUint64(b, cookie)
}

// randomProgram returns a program of random ops with their arguments
// whole, and random yes and no offsets that are mostly, but not always,
// ones the kernel accepts.
func randomProgram(rng *rand.Rand, cgroup uint64) []byte {
	type piece struct {
		code uint8
		arg  []byte
	}
	var ps []piece
	for range 1 + rng.IntN(5) {
		code := uint8(rng.IntN(14))
		var arg []byte
		switch code {
		case 2, 3, 4, 5, 11, 12:
			ports := []uint16{0, 53, 80, 443, 8080, 40001, 50000, uint16(rng.IntN(65536))}
			arg = binary.NativeEndian.AppendUint16([]byte{0, 0}, ports[rng.IntN(len(ports))])
		case 7, 8:
			fams := []uint8{0, 2, 10}
			f := fams[rng.IntN(3)]
			addrs := map[uint8][][]byte{
				0:  {nil},
				2:  {{198, 18, 0, 1}, {198, 18, 0, 2}, {198, 18, 1, 5}, {0, 0, 0, 0}},
				10: {netip.MustParseAddr("2001:db8::1").AsSlice(), netip.MustParseAddr("2001:db8::2").AsSlice(), netip.MustParseAddr("::ffff:198.18.0.2").AsSlice()},
			}[f]
			a := addrs[rng.IntN(len(addrs))]
			prefix := uint8(rng.IntN(8*len(a) + 1))
			ports := []int32{-1, -1, 80, 443, 0, 8080}
			arg = append([]byte{f, prefix, 0, 0}, binary.NativeEndian.AppendUint32(nil, uint32(ports[rng.IntN(len(ports))]))...)
			arg = append(arg, a...)
		case 9:
			arg = binary.NativeEndian.AppendUint32(nil, uint32(rng.IntN(2)))
		case 10:
			marks := [][2]uint32{{0, 0xffffffff}, {0x10, 0xf0}, {0x15, 0xffffffff}, {0, 0}}
			m := marks[rng.IntN(len(marks))]
			arg = binary.NativeEndian.AppendUint32(binary.NativeEndian.AppendUint32(nil, m[0]), m[1])
		case 13:
			ids := []uint64{cgroup, 0, 1}
			arg = binary.NativeEndian.AppendUint64(nil, ids[rng.IntN(3)])
		}
		ps = append(ps, piece{code, arg})
	}
	var n int
	for _, p := range ps {
		n += 4 + len(p.arg)
	}
	var b []byte
	for _, p := range ps {
		size := 4 + len(p.arg)
		left := n - len(b)
		yes := size
		if rng.IntN(20) == 0 {
			yes = 4 * rng.IntN(size/4+2)
		}
		// no: the end of some later op, the end, or past it.
		var targets []int
		for off, i := 0, 0; i < len(ps); i++ {
			off += 4 + len(ps[i].arg)
			if off > len(b) {
				targets = append(targets, off-len(b))
			}
		}
		targets = append(targets, left+4)
		no := targets[rng.IntN(len(targets))]
		if rng.IntN(20) == 0 {
			no = rng.IntN(left + 8)
		}
		b = append(b, p.code, uint8(yes))
		b = binary.NativeEndian.AppendUint16(b, uint16(no))
		b = append(b, p.arg...)
	}
	if rng.IntN(30) == 0 {
		b = b[:rng.IntN(len(b)+1)]
	}
	if len(b) == 0 {
		b = []byte{0, 4, 0, 0}
	}
	return b
}
