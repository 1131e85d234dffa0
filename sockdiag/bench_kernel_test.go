//go:build linux

package sockdiag_test

import (
	"context"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/sockdiag"
	"golang.org/x/sys/unix"
)

// BenchmarkFilteredListing selects "state established and dport = :443
// and src 198.18.0.0/16" among about 10,000 TCP sockets (listeners,
// connections to :443 and :80 from 198.18.0.2 and 198.19.0.2, both ends)
// in a namespace of its own, with sockdiag and with a hand-written floor:
// the same request and bytecode sent on a raw x/sys netlink socket, the
// replies read into one buffer and each socket's inode and ports read,
// as the caller of sockdiag reads them. Both report sockets/op.
func BenchmarkFilteredListing(b *testing.B) {
	const pairs = 5000
	ns := nstest.New(b)
	ns.Run(b, "addr", "add", "198.18.0.1/15", "dev", "lo")
	ns.Run(b, "addr", "add", "198.18.0.2/15", "dev", "lo")
	ns.Run(b, "addr", "add", "198.19.0.2/15", "dev", "lo")
	var closers []func() error
	b.Cleanup(func() {
		for _, c := range closers {
			c()
		}
	})
	inNS(b, ns, func() {
		var ls []net.Listener
		for _, a := range []string{"198.18.0.1:443", "198.18.0.1:80"} {
			l, err := net.Listen("tcp4", a)
			if err != nil {
				b.Error(err)
				return
			}
			closers = append(closers, l.Close)
			ls = append(ls, l)
		}
		for i := range pairs {
			l := ls[i%2]
			from := []string{"198.18.0.2", "198.19.0.2"}[i/2%2]
			d := net.Dialer{Timeout: time.Minute, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
			c, err := d.Dial("tcp4", l.Addr().String())
			if err != nil {
				b.Error(err)
				return
			}
			s, err := l.Accept()
			if err != nil {
				b.Error(err)
				return
			}
			closers = append(closers, c.Close, s.Close)
		}
	})
	if b.Failed() {
		b.FailNow()
	}
	const expr = "state established and dport = :443 and src 198.18.0.0/16"
	f := sockdiag.MustCompile(expr)
	want := pairs / 4 // clients to :443 from 198.18.0.2

	// The floor reads with a 32 KiB buffer, as a hand-written program
	// would, and with the 32 KiB + 1 MiB a Conn offers the kernel (its
	// buffer and its spare), since the kernel sizes a dump's datagrams by
	// the largest read it has seen on the socket.
	for _, size := range []struct {
		name string
		n    int
	}{{"floor-32k", 32 << 10}, {"floor-1m", 32<<10 + 1<<20}} {
		b.Run(size.name, func(b *testing.B) {
			fd := floorSocket(b, ns)
			req := floorRequest(f)
			buf := make([]byte, size.n)
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				n := floorDump(b, fd, req, buf)
				if n != want {
					b.Fatalf("floor: %d sockets, want %d", n, want)
				}
			}
			b.ReportMetric(float64(want), "sockets/op")
		})
	}
	b.Run("sockdiag", func(b *testing.B) {
		c, err := sockdiag.Dial(&netlink.Config{NetNS: ns.Path})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		req := sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoTCP, States: f.States, Filter: f}
		ctx := context.Background()
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			n := 0
			var sink uint32
			for s, err := range c.InetSockets(ctx, req) {
				if err != nil {
					b.Fatal(err)
				}
				sink += s.Inode + uint32(s.ID.Src.Port()) + uint32(s.ID.Dst.Port())
				n++
			}
			if n != want {
				b.Fatalf("sockdiag: %d sockets, want %d", n, want)
			}
		}
		b.ReportMetric(float64(want), "sockets/op")
	})
}

// floorRequest is the request datagram, written out by hand.
func floorRequest(f *sockdiag.Filter) []byte {
	ne := binary.NativeEndian
	body := []byte{unix.AF_INET, unix.IPPROTO_TCP, 0, 0}
	states := uint32(f.States)
	if states == 0 {
		states = 0xffffffff
	}
	body = ne.AppendUint32(body, states)
	body = append(body, make([]byte, 40)...)
	body = ne.AppendUint32(body, 0xffffffff)
	body = ne.AppendUint32(body, 0xffffffff)
	body = ne.AppendUint16(body, uint16(4+len(f.Bytecode)))
	body = ne.AppendUint16(body, 1) // INET_DIAG_REQ_BYTECODE
	body = append(body, f.Bytecode...)
	m := ne.AppendUint32(nil, uint32(16+len(body)))
	m = ne.AppendUint16(m, 20) // SOCK_DIAG_BY_FAMILY
	m = ne.AppendUint16(m, unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	m = ne.AppendUint32(m, 1)
	m = ne.AppendUint32(m, 0)
	return append(m, body...)
}

// floorDump sends req on fd and reads the dump to its DONE, reading each
// socket's inode and ports; it returns how many sockets came.
func floorDump(b *testing.B, fd int, req, buf []byte) int {
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		b.Fatal(err)
	}
	ne := binary.NativeEndian
	n := 0
	var sink uint32
	for {
		r, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			b.Fatal(err)
		}
		for p := buf[:r]; len(p) >= 16; {
			l := int(ne.Uint32(p))
			if l < 16 || l > len(p) {
				b.Fatal("bad message length")
			}
			switch ne.Uint16(p[4:]) {
			case unix.NLMSG_DONE:
				return n
			case unix.NLMSG_ERROR:
				b.Fatal("error reply")
			default:
				d := p[16:l]
				sink += ne.Uint32(d[68:]) + uint32(binary.BigEndian.Uint16(d[4:])) + uint32(binary.BigEndian.Uint16(d[6:]))
				n++
			}
			p = p[(l+3)&^3:]
		}
	}
}

// reportCPU reports the process's CPU time (user and system, all
// threads) per op from now to when the function it returns runs: the
// kernel's work in the dump counts, time waiting does not.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru unix.Rusage
		unix.Getrusage(unix.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() {
		b.ReportMetric(float64(cpu()-start)/float64(b.N), "cpu-ns/op")
	}
}

// floorSocket opens a NETLINK_SOCK_DIAG socket in ns, a fresh one, so
// that the size of another's reads does not carry over.
func floorSocket(b *testing.B, ns *nstest.NS) int {
	fd := -1
	inNS(b, ns, func() {
		var err error
		if fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, sockdiag.NetlinkSockDiag); err != nil {
			b.Error(err)
		}
	})
	if fd < 0 {
		b.FailNow()
	}
	b.Cleanup(func() { unix.Close(fd) })
	return fd
}
