//go:build linux

package sockdiag_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/sockdiag"
	"golang.org/x/sys/unix"
)

// inNS runs fn on a thread in ns's network namespace, so the sockets fn
// opens belong to ns. The thread is never given back: it dies with the
// goroutine.
func inNS(t testing.TB, ns *nstest.NS, fn func()) {
	t.Helper()
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
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

// world is the sockets a test opens in its namespace.
type world struct {
	ns      *nstest.NS
	clients []net.Conn // TCP clients
	servers []net.Conn // their accepted ends
	closers []func()
	udp     net.PacketConn // bound to 198.18.0.1:53
}

// newWorld opens, in a fresh namespace, TCP listeners on 198.18.0.1:443,
// 198.18.0.1:80 and [2001:db8::1]:443, connections to them from
// 198.18.0.2, 198.18.1.5 and 2001:db8::2, UDP sockets and unix sockets.
func newWorld(t *testing.T) *world {
	ns := nstest.New(t)
	ns.Run(t, "addr", "add", "198.18.0.1/16", "dev", "lo")
	ns.Run(t, "addr", "add", "198.18.0.2/16", "dev", "lo")
	ns.Run(t, "addr", "add", "198.18.1.5/16", "dev", "lo")
	ns.Run(t, "addr", "add", "2001:db8::1/64", "dev", "lo", "nodad")
	ns.Run(t, "addr", "add", "2001:db8::2/64", "dev", "lo", "nodad")
	ns.WaitLocal(t, "198.18.0.1", "198.18.0.2", "198.18.1.5", "2001:db8::1", "2001:db8::2")
	w := &world{ns: ns}
	t.Cleanup(func() {
		for _, c := range w.clients {
			c.Close()
		}
		for _, c := range w.servers {
			c.Close()
		}
		for _, f := range w.closers {
			f()
		}
	})
	inNS(t, ns, func() {
		listen := func(network, addr string) net.Listener {
			l, err := net.Listen(network, addr)
			if err != nil {
				t.Error(err)
				return nil
			}
			w.closers = append(w.closers, func() { l.Close() })
			return l
		}
		l443 := listen("tcp4", "198.18.0.1:443")
		l80 := listen("tcp4", "198.18.0.1:80")
		l6 := listen("tcp6", "[2001:db8::1]:443")
		if t.Failed() {
			return
		}
		dial := func(l net.Listener, network, from string, port int) {
			d := net.Dialer{Timeout: time.Minute}
			if from != "" {
				d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from), Port: port}
			}
			c, err := d.Dial(network, l.Addr().String())
			if err != nil {
				t.Error(err)
				return
			}
			s, err := l.Accept()
			if err != nil {
				c.Close()
				t.Error(err)
				return
			}
			w.clients, w.servers = append(w.clients, c), append(w.servers, s)
			switch port {
			case 40001:
				setMark(t, c, 0x15)
				setInt(t, c, unix.IPPROTO_IP, unix.IP_TOS, 0x20)
			case 40002:
				setInt(t, c, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, 0x40)
			}
		}
		dial(l443, "tcp4", "198.18.0.2", 40001)
		dial(l443, "tcp4", "198.18.0.2", 0)
		dial(l443, "tcp4", "198.18.1.5", 0)
		dial(l80, "tcp4", "198.18.1.5", 50000)
		dial(l80, "tcp4", "198.18.0.2", 0)
		dial(l6, "tcp6", "2001:db8::2", 40002)
		dial(l6, "tcp6", "2001:db8::2", 0)

		u, err := net.ListenPacket("udp4", "198.18.0.1:53")
		if err != nil {
			t.Error(err)
			return
		}
		w.closers = append(w.closers, func() { u.Close() })
		w.udp = u
		uc, err := net.DialUDP("udp6", &net.UDPAddr{IP: net.ParseIP("2001:db8::2"), Port: 5353}, &net.UDPAddr{IP: net.ParseIP("2001:db8::1"), Port: 53})
		if err != nil {
			t.Error(err)
			return
		}
		w.closers = append(w.closers, func() { uc.Close() })

		// Unix: a listener on a path with one connection, an abstract
		// datagram socket, an unbound pair.
		ul, err := net.Listen("unix", filepath.Join(t.TempDir(), "sock"))
		if err != nil {
			t.Error(err)
			return
		}
		w.closers = append(w.closers, func() { ul.Close() })
		ucl, err := net.Dial("unix", ul.Addr().String())
		if err != nil {
			t.Error(err)
			return
		}
		us, err := ul.Accept()
		if err != nil {
			t.Error(err)
			return
		}
		w.closers = append(w.closers, func() { ucl.Close(); us.Close() })
		ud, err := net.ListenPacket("unixgram", "@nlkit-sockdiag-test-"+w.ns.Name)
		if err != nil {
			t.Error(err)
			return
		}
		w.closers = append(w.closers, func() { ud.Close() })
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Error(err)
			return
		}
		w.closers = append(w.closers, func() { unix.Close(fds[0]); unix.Close(fds[1]) })

		// Raw: ICMP on IPv4, ICMPv6 on IPv6.
		for _, r := range [][2]int{{unix.AF_INET, unix.IPPROTO_ICMP}, {unix.AF_INET6, unix.IPPROTO_ICMPV6}} {
			fd, err := unix.Socket(r[0], unix.SOCK_RAW|unix.SOCK_CLOEXEC, r[1])
			if err != nil {
				t.Error(err)
				return
			}
			w.closers = append(w.closers, func() { unix.Close(fd) })
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	return w
}

func dialDiag(t *testing.T, ns *nstest.NS) *sockdiag.Conn {
	t.Helper()
	c, err := sockdiag.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func inetSockets(t *testing.T, c *sockdiag.Conn, req sockdiag.InetRequest) []sockdiag.InetSocket {
	t.Helper()
	var out []sockdiag.InetSocket
	for s, err := range c.InetSockets(context.Background(), req) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s.Clone())
	}
	return out
}

func TestListTCP(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	v4 := inetSockets(t, c, sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoTCP, Extensions: sockdiag.AllExtensions})
	v6 := inetSockets(t, c, sockdiag.InetRequest{Family: sockdiag.IPv6, Protocol: sockdiag.ProtoTCP, Extensions: sockdiag.AllExtensions})
	// 2 listeners + 5 connections * 2 ends; 1 listener + 2 * 2.
	if len(v4) != 12 || len(v6) != 5 {
		t.Fatalf("got %d IPv4 and %d IPv6 TCP sockets, want 12 and 5", len(v4), len(v6))
	}
	for _, s := range append(v4, v6...) {
		if s.State == sockdiag.StateEstablished && (s.TCPInfo.Len == 0 || s.CongName() == "" || s.TCPInfo.SndMSS == 0) {
			t.Errorf("%v: tcp_info %d bytes, cong %q, mss %d", s.ID, s.TCPInfo.Len, s.CongName(), s.TCPInfo.SndMSS)
		}
	}
}

// setMark sets c's SO_MARK.
func setMark(t *testing.T, c net.Conn, mark int) { setInt(t, c, unix.SOL_SOCKET, unix.SO_MARK, mark) }

// setInt sets an integer socket option of c.
func setInt(t *testing.T, c net.Conn, level, opt, v int) {
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Error(err)
		return
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), level, opt, v) }); err != nil || serr != nil {
		t.Error(err, serr)
	}
}

// TestListMPTCP lists the MPTCP sockets (Go's listeners are MPTCP ones
// since Go 1.24) and compares them with ss -Man.
func TestListMPTCP(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	var got []string
	for _, fam := range []sockdiag.Family{sockdiag.IPv4, sockdiag.IPv6} {
		for s, err := range c.InetSockets(context.Background(), sockdiag.InetRequest{Family: fam, Protocol: sockdiag.ProtoMPTCP, Extensions: sockdiag.AllExtensions}) {
			if err != nil {
				t.Fatal(err)
			}
			if s.Info == nil {
				t.Errorf("%v: no mptcp_info", s.ID)
			}
			got = append(got, pairOf(s))
		}
	}
	slices.Sort(got)
	want := ssPairs(t, w.ns, "-Man")
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if len(want) == 0 {
		t.Skip("no MPTCP sockets: the listeners are plain TCP")
	}
}

// TestListSmallBuffer lists with a 4 KiB datagram buffer, so the dump
// continues across many datagrams, and compares with the default.
func TestListSmallBuffer(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	small, err := sockdiag.Dial(&netlink.Config{NetNS: w.ns.Path, DatagramBuffer: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	for _, fam := range []sockdiag.Family{sockdiag.IPv4, sockdiag.IPv6} {
		req := sockdiag.InetRequest{Family: fam, Protocol: sockdiag.ProtoTCP, Extensions: sockdiag.AllExtensions}
		a, b := inetSockets(t, c, req), inetSockets(t, small, req)
		if len(a) != len(b) || len(a) == 0 {
			t.Fatalf("%v: %d sockets with the default buffer, %d with 4 KiB", fam, len(a), len(b))
		}
		for i := range a {
			if a[i].ID != b[i].ID || a[i].Inode != b[i].Inode {
				t.Errorf("%v: socket %d differs: %v, %v", fam, i, a[i].ID, b[i].ID)
			}
		}
	}
	var n int
	for _, err := range small.UnixSockets(context.Background(), sockdiag.UnixRequest{Show: sockdiag.UnixShowAll}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 6 {
		t.Errorf("%d unix sockets, want 6", n)
	}
}

// TestListAllocs checks that a listing allocates per dump, not per
// socket.
func TestListAllocs(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	req := sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoTCP, Extensions: sockdiag.AllExtensions, Filter: sockdiag.MustCompile("src 198.18.0.0/16")}
	ctx := context.Background()
	count := func() int {
		n := 0
		for _, err := range c.InetSockets(ctx, req) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	if n := count(); n < 10 {
		t.Fatalf("%d sockets", n)
	}
	if a := testing.AllocsPerRun(20, func() { count() }); a > 8 {
		t.Errorf("%v allocations per listing of 12 sockets", a)
	}
}
