//go:build linux

package netlink_test

// Review of issue 21 (the socket out of the runtime poller, an epoll
// instance of the Conn's own): attacks from the public API on lost
// wakeups, Close racing with every kind of wait, descriptors a child
// inherits, and descriptors a failed Dial leaves behind.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// A ping-pong between a peer and a Conn that reads each datagram as it
// comes: every Receive finds the queue empty and must wait, so the peer's
// datagram lands, one time or another, between the read that found nothing
// (MSG_DONTWAIT, EAGAIN) and the socket joining the Conn's epoll instance,
// or while the socket is still in it from the last wait. Executes between
// take the socket out again (their answer is queued at once). A lost
// wakeup hangs a Receive: the hang guard (minutes) fails the test.
func TestReview21PingPongNoLostWakeup(t *testing.T) {
	ns := nstest.New(t)
	c := xcDial(t, ns, netlink.Config{AcceptPeers: true})
	p := xcDial(t, ns, netlink.Config{})
	to := netlink.Addr{PortID: c.LocalAddr().PortID}
	const rounds = 3000
	got := make(chan error)
	go func() {
		for i := range rounds {
			ctx := context.Background() // no Done: straight to the wait
			var cancel context.CancelFunc = func() {}
			if i%2 == 1 {
				ctx, cancel = context.WithCancel(ctx) // a Done: a try, then the wait
			}
			_, err := c.Receive(ctx)
			cancel()
			if err == nil && i%7 == 0 {
				_, err = c.Execute(context.Background(), xcGetLink(1, 0))
			}
			got <- err
		}
	}()
	for i := range rounds {
		if i%3 == 0 {
			runtime.Gosched()
		}
		if _, err := p.SendTo(xcCtx(t), prNoop(uint32(i+1)), to); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-got:
			if err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		case <-time.After(xcTimeout): // hang guard only
			t.Fatalf("round %d: Receive never got the peer's datagram: a lost wakeup", i)
		}
	}
}

// rv21Acceptable says whether err is an error a call may return while the
// Conn is closed under it, its context times out or its deadline passes,
// or a flood overruns it.
func rv21Acceptable(err error) bool {
	return err == nil || errors.Is(err, netlink.ErrClosed) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled) || errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, netlink.ErrOverrun)
}

// Close while everything waits at once on one Conn: Receive of a peer's
// flood, Execute, ExecuteFunc, Dump, Batch, each with contexts that end at
// random, a goroutine moving the read deadline, and SyscallConn's Read and
// Control. Meanwhile raw pipes (outside every poller) are opened and
// closed, so that the Conn's descriptor numbers are reused at once after
// Close: an epoll_ctl on a number after its close would put a pipe in an
// epoll instance, which the end checks. Every call returns (hang guard),
// with an error that is Close's, its context's, its deadline's or an
// overrun; after Close every call fails with ErrClosed.
func TestReview21CloseStorm(t *testing.T) {
	ns := nstest.New(t)
	for iter := range 30 {
		rv21CloseStormOnce(t, ns, iter)
		if t.Failed() {
			return
		}
	}
}

func rv21CloseStormOnce(t *testing.T, ns *nstest.NS, iter int) {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path, AcceptPeers: true, ReadBuffer: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	p := xcDial(t, ns, netlink.Config{})
	to := netlink.Addr{PortID: c.LocalAddr().PortID}
	stop := make(chan struct{})
	closedCh := make(chan struct{}) // closed once Close has returned
	var wg sync.WaitGroup
	errs := make(chan error, 1024)
	report := func(what string, err error) {
		if !rv21Acceptable(err) {
			select {
			case errs <- fmt.Errorf("iteration %d: %s: %w", iter, what, err):
			default:
			}
		}
	}
	closed := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	rctx := func() (context.Context, context.CancelFunc) {
		switch rand.IntN(3) {
		case 0:
			return context.Background(), func() {}
		case 1:
			return context.WithTimeout(context.Background(), time.Duration(rand.IntN(2000))*time.Microsecond)
		}
		return context.WithCancel(context.Background())
	}
	loop := func(what string, f func(ctx context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !closed() {
				ctx, cancel := rctx()
				if rand.IntN(2) == 0 {
					go cancel() // cancelled at some stage of the call
				}
				err := f(ctx)
				cancel()
				report(what, err)
			}
			// Once closed, every call fails with ErrClosed.
			<-closedCh
			// (A context that ended too may win: Background.)
			if err := f(context.Background()); !errors.Is(err, netlink.ErrClosed) {
				select {
				case errs <- fmt.Errorf("iteration %d: %s after Close: %v; want ErrClosed", iter, what, err):
				default:
				}
			}
		}()
	}
	// The flood: a peer keeps the Conn's queue busy (and full at times).
	wg.Add(1)
	go func() {
		defer wg.Done()
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-stop; cancel() }()
		for i := uint32(1); !closed(); i++ {
			p.SendTo(ctx, prNoop(i), to)
		}
	}()
	loop("receive", func(ctx context.Context) error { _, err := c.Receive(ctx); return err })
	loop("execute", func(ctx context.Context) error { _, err := c.Execute(ctx, xcGetLink(1, 0)); return err })
	loop("execute func", func(ctx context.Context) error {
		return c.ExecuteFunc(ctx, xcGetLink(0, netlink.Dump), func(netlink.Message) error { return nil })
	})
	loop("dump", func(ctx context.Context) error {
		for _, err := range c.Dump(ctx, xcLinkDump()) {
			if err != nil {
				return err
			}
		}
		return nil
	})
	loop("batch", func(ctx context.Context) error {
		_, err := c.Batch(ctx, []netlink.Message{xcGetLink(1, 0), xcGetLink(1, 0)})
		return err
	})
	loop("deadline", func(context.Context) error {
		if rand.IntN(2) == 0 {
			return c.SetReadDeadline(time.Now().Add(time.Duration(rand.IntN(1000)) * time.Microsecond))
		}
		return c.SetDeadline(time.Time{})
	})
	loop("raw", func(context.Context) error {
		rc, err := c.SyscallConn()
		if err != nil {
			return err
		}
		if err := rc.Control(func(uintptr) {}); err != nil {
			return err
		}
		// The function reads nothing: a recvmsg of its own beside the
		// Conn's would take the Dump's datagrams, and when two reads race
		// to continue a dump the kernel fails the one that finds it done
		// with EINVAL on the socket (netlink_dump's "no dump running").
		return rc.Read(func(fd uintptr) bool {
			return rand.IntN(4) == 0
		})
	})
	// Descriptors that reuse the Conn's numbers as soon as they are free;
	// the last few stay open past the Conn's close, for the check below.
	var kept [][2]int
	var pipeWG sync.WaitGroup
	var pipeStop atomic.Bool
	pipeWG.Add(1)
	go func() {
		defer pipeWG.Done()
		for !pipeStop.Load() {
			var fds [2]int
			if unix.Pipe2(fds[:], unix.O_CLOEXEC) != nil {
				runtime.Gosched()
				continue
			}
			kept = append(kept, fds)
			if len(kept) > 16 {
				unix.Close(kept[0][0])
				unix.Close(kept[0][1])
				kept = kept[1:]
			}
			runtime.Gosched()
		}
	}()
	time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
	close(stop)
	if err := c.Close(); err != nil {
		t.Errorf("iteration %d: Close: %v", iter, err)
	}
	close(closedCh)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(xcTimeout): // hang guard only
		buf := make([]byte, 1<<20)
		t.Fatalf("iteration %d: calls still wait after Close:\n%s", iter, buf[:runtime.Stack(buf, true)])
	}
	pipeStop.Store(true)
	pipeWG.Wait()
	for _, fds := range kept {
		var st unix.Stat_t
		if unix.Fstat(fds[0], &st) == nil {
			if n := epollWatchers(t, st.Ino); n != 0 {
				t.Errorf("iteration %d: a pipe that may have reused a closed descriptor is in %d epoll instances", iter, n)
			}
		}
		unix.Close(fds[0])
		unix.Close(fds[1])
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A child started with os/exec inherits neither the socket (nor its second
// descriptor, which SyscallConn's Read makes) nor the Conn's epoll
// instance: all are close-on-exec, including after a Receive put the
// socket in the instance.
func TestReview21ChildInheritsNothing(t *testing.T) {
	ns := nstest.New(t)
	c := xcDial(t, ns, netlink.Config{})
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Read(func(uintptr) bool { return true }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	c.Receive(ctx) // waits: the socket joins the epoll instance
	cancel()
	before := nstest.FDs()
	var mine []int
	for fd, what := range before {
		if strings.HasPrefix(what, "socket:") || what == "anon_inode:[eventpoll]" {
			mine = append(mine, fd)
		}
	}
	for _, fd := range mine {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err == nil && flags&unix.FD_CLOEXEC == 0 {
			t.Errorf("descriptor %d (%s) is not close-on-exec", fd, before[fd])
		}
	}
	out, err := exec.Command("ls", "-l", "/proc/self/fd").CombinedOutput()
	if err != nil {
		t.Fatalf("ls: %v: %s", err, out)
	}
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, "socket:") || strings.Contains(line, "eventpoll") {
			t.Errorf("the child inherited: %s", strings.TrimSpace(line))
		}
	}
}

// A Dial that fails after making the Conn's epoll instance closes it: here
// the spare receive buffer cannot be mapped (a 2 GiB buffer, forced past
// the system limit, under an address space limit). Run in a child process,
// since the limit is the whole process's.
func TestReview21DialMapFailureClosesEpoll(t *testing.T) {
	if os.Getenv("REVIEW21_CHILD") != "" {
		rv21DialMapFailureChild(t)
		return
	}
	ns := nstest.New(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestReview21DialMapFailureClosesEpoll$", "-test.v")
	cmd.Env = append(os.Environ(), "REVIEW21_CHILD="+ns.Path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v:\n%s", err, out)
	}
	if !strings.Contains(string(out), "REVIEW21 DIAL FAILED") {
		t.Skipf("the child's Dial did not fail as planned:\n%s", out)
	}
}

func rv21DialMapFailureChild(t *testing.T) {
	before := nstest.FDs()
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_AS, &old); err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	var vmKB uint64
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmSize:"); ok {
			fmt.Sscan(v, &vmKB)
		}
	}
	lim := old
	lim.Cur = vmKB<<10 + 512<<20
	if err := unix.Setrlimit(unix.RLIMIT_AS, &lim); err != nil {
		t.Fatal(err)
	}
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: os.Getenv("REVIEW21_CHILD"), ReadBuffer: 1 << 30})
	unix.Setrlimit(unix.RLIMIT_AS, &old)
	if err == nil {
		c.Close()
		return
	}
	fmt.Println("REVIEW21 DIAL FAILED:", err)
	if err := nstest.LeakedFDs(before); err != nil {
		t.Errorf("a failed Dial left descriptors open: %v", err)
	}
}

// SyscallConn's RawConn after the Conn has been used (its socket in the
// epoll instance after a Receive that waited): Read and Write honour the
// deadlines set before and after the RawConn's first wait, a cleared
// deadline lets Read wait for a peer's datagram, and after Close every
// method fails without calling f.
func TestReview21RawConnDeadlinesAfterUse(t *testing.T) {
	ns := nstest.New(t)
	a, b := skUserPair(t, ns, netlink.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	b.Receive(ctx) // waits: the socket joins the epoll instance
	cancel()
	rc, err := b.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	b.SetDeadline(time.Unix(1, 0))
	called := false
	if err := rc.Write(func(uintptr) bool { called = true; return true }); !errors.Is(err, os.ErrDeadlineExceeded) || called {
		t.Errorf("Write past the write deadline: %v, f called %v; want a timeout, f not called", err, called)
	}
	if err := rc.Read(func(uintptr) bool { called = true; return true }); !errors.Is(err, os.ErrDeadlineExceeded) || called {
		t.Errorf("Read past the read deadline: %v, f called %v; want a timeout, f not called", err, called)
	}
	b.SetDeadline(time.Time{})
	go func() {
		time.Sleep(10 * time.Millisecond) // usually after Read waits; either way it must get it
		a.SendTo(context.Background(), prNoop(7), netlink.Addr{PortID: b.LocalAddr().PortID})
	}()
	b.SetReadDeadline(time.Now().Add(xcTimeout)) // hang guard only
	buf := make([]byte, 256)
	got := 0
	err = rc.Read(func(fd uintptr) bool {
		n, _, err := unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT)
		if err == unix.EAGAIN {
			return false
		}
		got = n
		return true
	})
	if err != nil || got == 0 {
		t.Fatalf("Read after the deadline was cleared: %v (%d bytes)", err, got)
	}
	// Receive still works on the Conn after the raw read.
	go a.SendTo(context.Background(), prNoop(8), netlink.Addr{PortID: b.LocalAddr().PortID})
	if _, err := b.Receive(context.Background()); err != nil {
		t.Fatalf("Receive after a raw read: %v", err)
	}
	b.Close()
	for name, f := range map[string]func() error{
		"Read":    func() error { return rc.Read(func(uintptr) bool { called = true; return true }) },
		"Write":   func() error { return rc.Write(func(uintptr) bool { called = true; return true }) },
		"Control": func() error { return rc.Control(func(uintptr) { called = true }) },
	} {
		called = false
		if err := f(); err == nil || called {
			t.Errorf("%s after Close: %v, f called %v; want an error, f not called", name, err, called)
		}
	}
}

// A read deadline that passes while Receive waits, then is cleared: the
// next Receive, with and without a context that can end, waits for and
// gets the peer's datagram (the socket stayed in the epoll instance after
// the timeout).
func TestReview21DeadlineClearedThenReceive(t *testing.T) {
	ns := nstest.New(t)
	a, b := skUserPair(t, ns, netlink.Config{})
	to := netlink.Addr{PortID: b.LocalAddr().PortID}
	for i := range 50 {
		b.SetReadDeadline(time.Now().Add(time.Duration(rand.IntN(500)) * time.Microsecond))
		if _, err := b.Receive(context.Background()); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Receive: %v, want a timeout", err)
		}
		b.SetReadDeadline(time.Time{})
		go a.SendTo(context.Background(), prNoop(uint32(i+1)), to)
		ctx, cancel := context.WithTimeout(context.Background(), xcTimeout) // hang guard only
		if i%2 == 0 {
			ctx = context.Background()
			b.SetReadDeadline(time.Now().Add(xcTimeout)) // hang guard only
		}
		_, err := b.Receive(ctx)
		cancel()
		if err != nil {
			t.Fatalf("round %d: Receive after the deadline was cleared: %v", i, err)
		}
	}
}

// Close from inside an ExecuteFunc callback and a Dump loop body, while
// Receive waits on another goroutine: the exchange ends (with the
// callback's error, or ErrClosed), Receive is woken with ErrClosed, and
// nothing hangs.
func TestReview21CloseFromCallback(t *testing.T) {
	ns := nstest.New(t)
	for _, how := range []string{"execute func", "dump"} {
		c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path})
		if err != nil {
			t.Fatal(err)
		}
		recv := make(chan error, 1)
		go func() { _, err := c.Receive(context.Background()); recv <- err }()
		done := make(chan error, 1)
		stop := errors.New("stop")
		go func() {
			switch how {
			case "execute func":
				err := c.ExecuteFunc(xcCtx(t), xcGetLink(0, netlink.Dump), func(netlink.Message) error {
					c.Close()
					return stop
				})
				if errors.Is(err, stop) {
					err = nil
				}
				done <- err
			case "dump":
				var err error
				for _, e := range c.Dump(xcCtx(t), xcLinkDump()) {
					if e != nil {
						err = e
						break
					}
					c.Close()
				}
				if errors.Is(err, netlink.ErrClosed) {
					err = nil
				}
				done <- err
			}
		}()
		for name, ch := range map[string]chan error{how: done, "receive": recv} {
			select {
			case err := <-ch:
				if name == "receive" && !errors.Is(err, netlink.ErrClosed) {
					t.Errorf("%s: Receive: %v; want ErrClosed", how, err)
				} else if name != "receive" && err != nil {
					t.Errorf("%s: %v", how, err)
				}
			case <-time.After(xcTimeout): // hang guard only
				t.Fatalf("%s: %s did not return after Close in a callback", how, name)
			}
		}
	}
}

// After Close, the methods of SyscallConn's RawConn fail with an error
// wrapping ErrClosed ("ErrClosed is wrapped by the errors of calls on a
// closed Conn"), the same whether or not Read or Write had made the
// socket's second descriptor before. Before the fix, Read and Write
// returned os.ErrClosed when they had not, and all three returned the
// poller's "use of closed file" (which matches neither) otherwise.
func TestReview21RawConnClosedError(t *testing.T) {
	ns := nstest.New(t)
	for _, used := range []bool{false, true} {
		c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path})
		if err != nil {
			t.Fatal(err)
		}
		rc, err := c.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		if used {
			if err := rc.Read(func(uintptr) bool { return true }); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
		for name, f := range map[string]func() error{
			"Read":    func() error { return rc.Read(func(uintptr) bool { return true }) },
			"Write":   func() error { return rc.Write(func(uintptr) bool { return true }) },
			"Control": func() error { return rc.Control(func(uintptr) {}) },
		} {
			if err := f(); !errors.Is(err, netlink.ErrClosed) {
				t.Errorf("%s after Close (second descriptor made before: %v): %v; want ErrClosed", name, used, err)
			}
		}
	}
}

// A read deadline set into the past while Receive, Execute's read or a
// RawConn Read waits wakes each of them with a timeout; cleared again, the
// Conn works.
func TestReview21DeadlineSetWhileWaiting(t *testing.T) {
	ns := nstest.New(t)
	a, b := skUserPair(t, ns, netlink.Config{})
	rc, err := b.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		errs := make(chan error, 2)
		go func() { _, err := b.Receive(context.Background()); errs <- err }()
		go func() { errs <- rc.Read(func(uintptr) bool { return false }) }()
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond) // waiting, or about to
		b.SetReadDeadline(time.Unix(1, 0))
		for range 2 {
			select {
			case err := <-errs:
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("round %d: %v; want a timeout", i, err)
				}
			case <-time.After(xcTimeout): // hang guard only
				t.Fatalf("round %d: a deadline set while waiting did not wake the wait", i)
			}
		}
		b.SetReadDeadline(time.Time{})
		go a.SendTo(context.Background(), prNoop(uint32(i+1)), netlink.Addr{PortID: b.LocalAddr().PortID})
		ctx, cancel := context.WithTimeout(context.Background(), xcTimeout) // hang guard only
		_, err := b.Receive(ctx)
		cancel()
		if err != nil {
			t.Fatalf("round %d: Receive after the deadline was cleared: %v", i, err)
		}
	}
}

// Notifications overrun a Conn whose Receive waits in its epoll instance
// (a 4 KiB receive buffer, 600 address notifications): Receive reports
// ErrOverrun (the kernel's ENOBUFS wakes the wait) or the notifications,
// and after the flood it still waits for, and gets, the next one. That one
// is made again after each overrun reported once it was made, as the
// overrun may have dropped it. Should Receive still wait, the test says
// whether the socket had datagrams queued (a lost wakeup) and whether the
// Conn's epoll instance watched it.
func TestReview21OverrunWhileWaiting(t *testing.T) {
	ns := nstest.New(t)
	const rtnlgrpIPv4Ifaddr = 5
	c := xcDial(t, ns, netlink.Config{ReadBuffer: 4096, Groups: []uint32{rtnlgrpIPv4Ifaddr}})
	ino := sockIno(t, c)
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	sentinel := []byte{198, 19, 255, 254}
	got := make(chan error, 1)
	ovr := make(chan struct{}, 1)
	var overruns, msgs atomic.Int64
	go func() {
		for {
			ms, err := c.Receive(context.Background())
			if errors.Is(err, netlink.ErrOverrun) {
				overruns.Add(1)
				select {
				case ovr <- struct{}{}:
				default:
				}
				continue
			}
			if err != nil {
				got <- err
				return
			}
			if msgs.Load() < 100 {
				time.Sleep(time.Millisecond) // a slow reader: the queue fills
			}
			for _, m := range ms {
				msgs.Add(1)
				if strings.Contains(string(m.Data), string(sentinel)) {
					got <- nil
					return
				}
			}
		}
	}()
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("addr add 198.18.%d.%d/32 dev lo", i/250, i%250+1))
	}
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("addr del 198.18.%d.%d/32 dev lo", i/250, i%250+1))
	}
	ns.Batch(t, lines)
	for i := 0; ; i++ {
		select {
		case <-ovr: // an overrun before the sentinel: not its loss
		default:
		}
		op := "add"
		if i%2 == 1 {
			op = "del"
		}
		ns.Run(t, "addr", op, "198.19.255.254/32", "dev", "lo")
		select {
		case err := <-got:
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d notifications, %d overruns, sentinel made %d times", msgs.Load(), overruns.Load(), i+1)
			return
		case <-ovr:
			continue // the sentinel may be lost: again
		case <-time.After(xcTimeout): // hang guard only
			rmem, _ := xcMeminfo(rc)
			w := epollWatchers(t, ino)
			c.Close()
			<-got
			t.Fatalf("Receive never got the notification after the flood (%d notifications, %d overruns); "+
				"socket's queue: %d bytes, epoll instances watching it: %d", msgs.Load(), overruns.Load(), rmem, w)
		}
	}
}

// A deadline far in the future (past 2262, where time.Time.UnixNano
// overflows; time.Now().Add(math.MaxInt64) is one) has not passed: sends,
// exchanges and a Receive with a context wait as without a deadline, as
// they did while the runtime poller kept the deadlines. And one long past
// (before 1678, where UnixNano overflows the other way) has passed.
func TestReview21FarDeadlines(t *testing.T) {
	ns := nstest.New(t)
	a, b := skUserPair(t, ns, netlink.Config{})
	c := xcDial(t, ns, netlink.Config{})
	for _, far := range []time.Time{time.Now().Add(math.MaxInt64), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		c.SetDeadline(far)
		if _, err := c.Execute(xcCtx(t), xcGetLink(1, 0)); err != nil {
			t.Errorf("Execute with the deadline %v: %v", far, err)
		}
		b.SetDeadline(far)
		go a.SendTo(context.Background(), prNoop(1), netlink.Addr{PortID: b.LocalAddr().PortID})
		if _, err := b.Receive(xcCtx(t)); err != nil {
			t.Errorf("Receive with the deadline %v: %v", far, err)
		}
		a.SetDeadline(far)
		if _, err := a.SendTo(xcCtx(t), prNoop(2), netlink.Addr{PortID: b.LocalAddr().PortID}); err != nil {
			t.Errorf("SendTo with the deadline %v: %v", far, err)
		}
	}
	a.SetDeadline(time.Time{})
	long := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)
	b.SetDeadline(long)
	if _, err := b.Receive(xcCtx(t)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Receive with the deadline %v: %v; want a timeout", long, err)
	}
	if _, err := a.SendTo(xcCtx(t), prNoop(3), netlink.Addr{PortID: b.LocalAddr().PortID}); err != nil {
		t.Errorf("SendTo: %v", err)
	}
	b.SetDeadline(long)
	if _, err := b.SendTo(xcCtx(t), prNoop(4), netlink.Addr{PortID: a.LocalAddr().PortID}); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("SendTo with the deadline %v: %v; want a timeout", long, err)
	}
}

// A callback that panics (ExecuteFunc's fn, a Dump loop body) leaves the
// Conn usable once the panic is recovered: the next Execute and Dump on it
// complete.
func TestReview21PanicInCallback(t *testing.T) {
	ns := nstest.New(t)
	var lines []string
	for i := range 30 {
		lines = append(lines, fmt.Sprintf("link add rv21v%d type veth peer name rv21w%d", i, i)) // a dump of several datagrams
	}
	ns.Batch(t, lines)
	c := xcDial(t, ns, netlink.Config{})
	try := func(f func()) {
		defer func() { recover() }()
		f()
	}
	for range 5 {
		try(func() {
			c.ExecuteFunc(xcCtx(t), xcGetLink(0, netlink.Dump), func(netlink.Message) error { panic("fn") })
		})
		try(func() {
			for range c.Dump(xcCtx(t), xcLinkDump()) {
				panic("body")
			}
		})
		if _, err := c.Execute(xcCtx(t), xcGetLink(1, 0)); err != nil {
			t.Fatalf("Execute after a panic: %v", err)
		}
		n := 0
		for _, err := range c.Dump(xcCtx(t), xcLinkDump()) {
			if err != nil {
				t.Fatalf("Dump after a panic: %v", err)
			}
			n++
		}
		if n == 0 {
			t.Fatal("Dump after a panic: no links")
		}
	}
}
