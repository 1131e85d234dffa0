//go:build linux

package sockdiag_test

import (
	"context"
	"encoding/binary"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/sockdiag"
	"golang.org/x/sys/unix"
)

// BenchmarkDestroyMatching destroys the 1,000 client ends of connections
// to port 80 ("dport = :80") among 2,000 connections, with sockdiag's
// DestroyMatching and with a hand-written floor (the filtered dump on a
// raw x/sys socket, then every SOCK_DESTROY with an ACK, packed 64 KiB
// to a datagram, and the ACKs read). The sockets are made again, with the
// timer stopped, before each op.
func BenchmarkDestroyMatching(b *testing.B) {
	const conns = 2000
	ns := nstest.New(b)
	ns.Run(b, "addr", "add", "198.18.0.1/16", "dev", "lo")
	var ls []net.Listener
	var fd int
	inNS(b, ns, func() {
		for _, a := range []string{"198.18.0.1:443", "198.18.0.1:80"} {
			l, err := net.Listen("tcp4", a)
			if err != nil {
				b.Error(err)
				return
			}
			ls = append(ls, l)
		}
		var err error
		if fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, sockdiag.NetlinkSockDiag); err != nil {
			b.Error(err)
			return
		}
		// Room for a datagram's worth of ACKs (each skb costs about 1 KiB).
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20); err != nil {
			b.Error(err)
		}
	})
	b.Cleanup(func() {
		for _, l := range ls {
			l.Close()
		}
		unix.Close(fd)
	})
	if b.Failed() {
		b.FailNow()
	}
	var open []net.Conn
	setup := func() {
		for _, c := range open {
			c.Close()
		}
		open = open[:0]
		inNS(b, ns, func() {
			for i := range conns {
				l := ls[i%2]
				c, err := (&net.Dialer{Timeout: time.Minute}).Dial("tcp4", l.Addr().String())
				if err != nil {
					b.Error(err)
					return
				}
				s, err := l.Accept()
				if err != nil {
					b.Error(err)
					return
				}
				open = append(open, c, s)
			}
		})
		if b.Failed() {
			b.FailNow()
		}
	}
	b.Cleanup(func() {
		for _, c := range open {
			c.Close()
		}
	})
	f := sockdiag.MustCompile("dport = :80")
	const want = conns / 2

	b.Run("floor", func(b *testing.B) {
		req := floorRequest(f)
		buf := make([]byte, 64<<10)
		var m measure
		for b.Loop() {
			setup()
			m.start()
			n := floorDestroy(b, fd, req, buf)
			m.stop()
			if n != want {
				b.Fatalf("floor destroyed %d, want %d", n, want)
			}
		}
		m.report(b)
	})
	b.Run("sockdiag", func(b *testing.B) {
		c, err := sockdiag.Dial(&netlink.Config{NetNS: ns.Path})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		req := sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoTCP, Filter: f}
		var m measure
		for b.Loop() {
			setup()
			m.start()
			n, err := c.DestroyMatching(context.Background(), req)
			m.stop()
			if err != nil || n != want {
				b.Fatalf("destroyed %d, want %d: %v", n, want, err)
			}
		}
		m.report(b)
	})
}

// floorDestroy dumps what req selects, then destroys each socket: its
// SOCK_DESTROY requests packed into datagrams of up to 64 KiB, each
// asking for an ACK, and every ACK read. It returns how many succeeded.
func floorDestroy(b *testing.B, fd int, req, buf []byte) int {
	ne := binary.NativeEndian
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		b.Fatal(err)
	}
	var out []byte // the SOCK_DESTROY requests, one after another
	seq := uint32(100)
dump:
	for {
		r, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			b.Fatal(err)
		}
		for p := buf[:r]; len(p) >= 16; {
			l := int(ne.Uint32(p))
			switch ne.Uint16(p[4:]) {
			case unix.NLMSG_DONE:
				break dump
			case unix.NLMSG_ERROR:
				b.Fatal("error reply")
			default:
				d := p[16:l]
				out = ne.AppendUint32(out, 16+56)
				out = ne.AppendUint16(out, 21) // SOCK_DESTROY
				out = ne.AppendUint16(out, unix.NLM_F_REQUEST|unix.NLM_F_ACK)
				out = ne.AppendUint32(out, seq)
				out = ne.AppendUint32(out, 0)
				seq++
				out = append(out, d[0], unix.IPPROTO_TCP, 0, 0, 0xff, 0xff, 0xff, 0xff)
				out = append(out, d[4:52]...) // the socket's id, cookie included
			}
			p = p[(l+3)&^3:]
		}
	}
	const msgLen = 72
	ok := 0
	for len(out) > 0 {
		n := min(len(out), (64<<10)/msgLen*msgLen)
		if err := unix.Sendto(fd, out[:n], 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			b.Fatal(err)
		}
		out = out[n:]
		for acks := n / msgLen; acks > 0; {
			r, _, err := unix.Recvfrom(fd, buf, 0)
			if err != nil {
				b.Fatal(err)
			}
			for p := buf[:r]; len(p) >= 20; {
				l := int(ne.Uint32(p))
				if ne.Uint16(p[4:]) == unix.NLMSG_ERROR {
					acks--
					if e := int32(ne.Uint32(p[16:])); e != 0 && ok == 0 {
						b.Logf("errno %d", -e)
					}
					if ne.Uint32(p[16:]) == 0 {
						ok++
					}
				}
				p = p[(l+3)&^3:]
			}
		}
	}
	return ok
}

// measure adds up the wall time, process CPU time and allocations of the
// measured parts of a benchmark whose every op needs a setup too slow to
// time around (StopTimer would cost more than the setup).
type measure struct {
	n         int
	wall, cpu time.Duration
	allocs    uint64
	t0, c0    time.Duration
	a0        uint64
	epoch     time.Time
	ms        runtime.MemStats
}

func cpuTime() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (m *measure) start() {
	runtime.ReadMemStats(&m.ms)
	m.a0 = m.ms.Mallocs
	if m.epoch.IsZero() {
		m.epoch = time.Now()
	}
	m.c0, m.t0 = cpuTime(), time.Since(m.epoch)
}

func (m *measure) stop() {
	m.wall += time.Since(m.epoch) - m.t0
	m.cpu += cpuTime() - m.c0
	runtime.ReadMemStats(&m.ms)
	m.allocs += m.ms.Mallocs - m.a0
	m.n++
}

func (m *measure) report(b *testing.B) {
	b.ReportMetric(float64(m.wall)/float64(m.n), "destroy-ns/op")
	b.ReportMetric(float64(m.cpu)/float64(m.n), "destroy-cpu-ns/op")
	b.ReportMetric(float64(m.allocs)/float64(m.n), "destroy-allocs/op")
}
