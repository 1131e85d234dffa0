//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// A user-space peer that keeps the receive queue full holds the kernel's
// dump back: the kernel makes a dump's next part only at a read that
// leaves the queue at most half full, and says nothing otherwise. A Dump,
// and a Dump waiting for its turn behind it, fail with ErrOverrun and
// ENOBUFS once the peer has refilled the queue a full queue's worth of
// times, instead of waiting until their context ends; once the peer stops,
// the Conn reads the kernel's dump to its end and dumps again whole.
//
// The peer sends blocking, so the kernel wakes it at each read and it
// refills the queue; a Trace writer holds each read back until it has, so
// no read ever finds the queue less than full. Nothing depends on timing:
// the contexts' deadlines are hang guards.
func TestDumpHeldBackByPeer(t *testing.T) {
	ns := nstest.New(t)
	v := xcVeth(t, ns, "xc0")
	const routes = 3000
	xcInstallRoutes(t, xcDial(t, ns, netlink.Config{}), routes, v)

	var rc syscall.RawConn
	var flooding atomic.Bool
	full := func() {
		for start := time.Now(); ; time.Sleep(20 * time.Microsecond) {
			rmem, rcvbuf := xcMeminfo(rc)
			if rmem > rcvbuf-4096 { // no room for one more of the peer's datagrams
				return
			}
			if time.Since(start) > xcTimeout { // a hang guard only
				t.Errorf("hang guard: the peer left the queue at %d of %d bytes", rmem, rcvbuf)
				flooding.Store(false)
				return
			}
		}
	}
	gate := xcWriterFunc(func(p []byte) (int, error) {
		if flooding.Load() {
			full()
		}
		return len(p), nil
	})
	c := xcDial(t, ns, netlink.Config{ReadBuffer: 256 << 10, Trace: gate})
	var err error
	if rc, err = c.SyscallConn(); err != nil {
		t.Fatal(err)
	}

	// The peer: a socket in the namespace that sends blocking, until
	// stopped (it then sends once more, when a read makes room) or until
	// c is closed.
	peer := xcDial(t, ns, netlink.Config{})
	prc, err := peer.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var pfd int
	prc.Control(func(fd uintptr) { pfd = int(fd) })
	if err := unix.SetNonblock(pfd, false); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var peerWG sync.WaitGroup
	defer func() {
		stop.Store(true)
		flooding.Store(false)
		c.Close() // wakes the peer if it still waits for room
		peerWG.Wait()
	}()
	flood := func() {
		defer peerWG.Done()
		m := netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeMinType, PortID: peer.LocalAddr().PortID}, make([]byte, 16))
		to := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: c.LocalAddr().PortID}
		for !stop.Load() {
			if unix.Sendto(pfd, m, 0, to) != nil {
				return
			}
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), xcTimeout)
	defer cancel()
	second := make(chan error, 1)
	n, started := 0, false
	var outerErr error
	for m, err := range c.Dump(ctx, xcRouteDump()) {
		if err != nil {
			outerErr = err
			break
		}
		n++
		_ = m
		if started {
			continue
		}
		started = true
		if !xcDumpRunning(t, ns, c.LocalAddr().PortID) {
			t.Fatal("the kernel runs no dump for the Conn inside its Dump")
		}
		peerWG.Add(1)
		go flood()
		full()
		flooding.Store(true)
		// A second Dump waits for the turn, and reads the Conn meanwhile.
		go func() {
			var err error
			for _, e := range c.Dump(ctx, xcRouteDump()) {
				if e != nil {
					err = e
					break
				}
			}
			second <- err
		}()
	}
	for name, err := range map[string]error{"the Dump": outerErr, "the Dump waiting for its turn": <-second} {
		if !errors.Is(err, netlink.ErrOverrun) || !errors.Is(err, unix.ENOBUFS) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s, held back by the peer: %v; want an error wrapping ErrOverrun and ENOBUFS", name, err)
		}
	}
	if n >= routes {
		t.Errorf("the held-back Dump yielded %d messages, the whole table", n)
	}
	if t.Failed() {
		return
	}

	// The peer stops: the Conn reads what it sent, the kernel's dump to
	// its end, and the next Dump is whole.
	stop.Store(true)
	flooding.Store(false)
	if got := xcRouteCount(t, c); got < routes {
		t.Errorf("Dump after the peer stopped: %d routes, want %d", got, routes)
	}
	peerWG.Wait()
	if c.Stats().Dropped == 0 {
		t.Error("no datagram of the peer's was dropped")
	}
}

// xcMeminfo reads the bytes queued on a socket and its receive buffer
// (SO_MEMINFO).
func xcMeminfo(rc syscall.RawConn) (rmem, rcvbuf int) {
	var v [unix.SK_MEMINFO_VARS]uint32
	rc.Control(func(fd uintptr) {
		l := uint32(unsafe.Sizeof(v))
		unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO, uintptr(unsafe.Pointer(&v[0])), uintptr(unsafe.Pointer(&l)), 0)
	})
	return int(v[unix.SK_MEMINFO_RMEM_ALLOC]), int(v[unix.SK_MEMINFO_RCVBUF])
}

// xcWriterFunc is an io.Writer.
type xcWriterFunc func([]byte) (int, error)

func (f xcWriterFunc) Write(p []byte) (int, error) { return f(p) }
