//go:build linux

package netlink_test

// A Conn's socket stays out of the runtime poller's epoll set: a
// descriptor there wakes the thread parked in epoll_wait (as one is
// whenever the process has a pending timer) at every datagram. Only a read
// that waits puts it in an epoll instance, the Conn's own, and only while
// it waits; that instance is made at Dial, so running out of descriptors
// fails Dial, never a later read.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// sockIno returns the inode of c's socket.
func sockIno(t *testing.T, c *netlink.Conn) uint64 {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.Fstat(int(fd), &st) }); err != nil || serr != nil {
		t.Fatal(err, serr)
	}
	return st.Ino
}

// epollWatchers counts the epoll instances of the process that watch the
// file with inode ino, from their /proc/self/fdinfo entries ("tfd: ...
// ino:<hex>").
func epollWatchers(t *testing.T, ino uint64) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink("/proc/self/fd/" + e.Name()); err != nil || l != "anon_inode:[eventpoll]" {
			continue
		}
		info, err := os.ReadFile("/proc/self/fdinfo/" + e.Name())
		if err != nil {
			continue // closed meanwhile
		}
		for line := range strings.Lines(string(info)) {
			if !strings.HasPrefix(line, "tfd:") {
				continue
			}
			for f := range strings.FieldsSeq(line) {
				if v, ok := strings.CutPrefix(f, "ino:"); ok {
					if i, err := strconv.ParseUint(v, 16, 64); err == nil && i == ino {
						n++
					}
				}
			}
		}
	}
	return n
}

// Execute, with and without an ACK, and Dump never put the socket in an
// epoll set; a Receive that waits does, and the socket stays there (for
// the next read that waits) until a read finds a datagram queued at once,
// as an exchange's reply is: whether a datagram, its deadline or its
// context ended the wait.
func TestExchangesStayOutOfPoller(t *testing.T) {
	ns := nstest.New(t)
	c := xcDial(t, ns, netlink.Config{})
	ino := sockIno(t, c)
	check := func(when string) {
		t.Helper()
		if n := epollWatchers(t, ino); n != 0 {
			t.Errorf("%s: %d epoll instances watch the socket, want 0", when, n)
		}
	}
	for range 100 {
		if _, err := c.Execute(xcCtx(t), xcGetLink(1, 0)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Execute(xcCtx(t), xcGetLink(1, netlink.Acknowledge)); err != nil {
			t.Fatal(err)
		}
	}
	for _, err := range c.Dump(xcCtx(t), xcLinkDump()) {
		if err != nil {
			t.Fatal(err)
		}
	}
	check("after Execute and Dump")

	// A Receive that waits, woken by the reply to a Send.
	got := make(chan error, 1)
	go func() {
		_, err := c.Receive(xcCtx(t))
		got <- err
	}()
	for epollWatchers(t, ino) == 0 {
		select {
		case err := <-got:
			t.Fatalf("Receive returned before anything was sent: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	if n := epollWatchers(t, ino); n != 1 {
		t.Errorf("while Receive waits: %d epoll instances watch the socket, want 1", n)
	}
	if _, err := c.Send(xcCtx(t), xcGetLink(1, netlink.Request)); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("Receive: %v", err)
	}
	exec := func() {
		t.Helper()
		if _, err := c.Execute(xcCtx(t), xcGetLink(1, 0)); err != nil {
			t.Fatal(err)
		}
	}
	exec()
	check("after a Receive that waited, then Execute")

	c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	if _, err := c.Receive(xcCtx(t)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Receive past the deadline: %v", err)
	}
	c.SetReadDeadline(time.Time{})
	exec()
	check("after a Receive that timed out, then Execute")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := c.Receive(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Receive until its context ends: %v", err)
	}
	exec()
	check("after a Receive whose context ended, then Execute")
}

// The descriptors a Conn needs are all made by Dial. With the process at
// its descriptor limit, Dial fails with EMFILE and leaves nothing open,
// while a Conn dialled before waits (deadlines, contexts), runs exchanges
// and closes as usual. SyscallConn's Read and Write need a descriptor of
// their own (see Conn.SyscallConn): they fail with EMFILE, Control works.
// It runs in a child process, whose descriptor limit it lowers.
func TestDescriptorLimit(t *testing.T) {
	if os.Getenv("NLKIT_FDLIMIT_CHILD") == "" {
		if os.Geteuid() != 0 {
			t.Skip("needs root to create a network namespace")
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestDescriptorLimit$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "NLKIT_FDLIMIT_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestDescriptorLimit") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		t.Logf("child:\n%s", out)
		return
	}
	// The child: everything on a thread of a new network namespace, which
	// dies with it.
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			t.Errorf("unshare: %v", err)
			return
		}
		descriptorLimit(t)
	}()
	<-done
}

func descriptorLimit(t *testing.T) {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		t.Error(err)
		return
	}
	defer func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close at the limit: %v", err)
		}
	}()
	// Fill the descriptor table up to a lowered limit.
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Error(err)
		return
	}
	defer unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	low := lim
	low.Cur = min(lim.Cur, 4096)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
		t.Error(err)
		return
	}
	var fill []int
	defer func() {
		for _, fd := range fill {
			unix.Close(fd)
		}
	}()
	for {
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == unix.EMFILE {
			break
		}
		if err != nil {
			t.Error(err)
			return
		}
		fill = append(fill, fd)
	}
	// Dial with 0 to 3 descriptors free: it succeeds or fails with
	// EMFILE, and leaves the free descriptors free.
	failed := 0
	for free := range 4 {
		for _, fd := range fill[len(fill)-free:] {
			unix.Close(fd)
		}
		fill = fill[:len(fill)-free]
		d, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
		switch {
		case err == nil:
			d.Close()
		case errors.Is(err, syscall.EMFILE):
			failed++
		default:
			t.Errorf("Dial with %d descriptors free: %v, want EMFILE", free, err)
		}
		for range free {
			fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				t.Errorf("after Dial with %d descriptors free (%v), a descriptor is left open: %v", free, err, err)
				break
			}
			fill = append(fill, fd)
		}
	}
	if failed == 0 {
		t.Errorf("Dial never failed at the limit")
	}

	// The Conn dialled before waits, exchanges and dumps.
	c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	if _, err := c.Receive(context.Background()); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Receive past the deadline at the limit: %v, want a timeout", err)
	}
	c.SetReadDeadline(time.Time{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := c.Receive(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Receive until its context ends at the limit: %v", err)
	}
	if msgs, err := c.Execute(context.Background(), xcGetLink(1, 0)); err != nil || len(msgs) != 1 {
		t.Errorf("Execute at the limit: %d messages, %v", len(msgs), err)
	}
	links := 0
	for _, err := range c.Dump(context.Background(), xcLinkDump()) {
		if err != nil {
			t.Errorf("Dump at the limit: %v", err)
		}
		links++
	}
	if links == 0 {
		t.Errorf("Dump at the limit: no links")
	}
	rc, err := c.SyscallConn()
	if err != nil {
		t.Error(err)
		return
	}
	if err := rc.Control(func(uintptr) {}); err != nil {
		t.Errorf("RawConn.Control at the limit: %v", err)
	}
	if err := rc.Read(func(uintptr) bool { return true }); !errors.Is(err, syscall.EMFILE) {
		t.Errorf("RawConn.Read at the limit: %v, want EMFILE", err)
	}
	fmt.Fprintln(os.Stderr, "descriptor limit:", len(fill), "descriptors filled,", failed, "Dials failed")
}

// Close wakes whatever waits: a Receive (in the Conn's epoll instance),
// and a Read of the raw socket (on the poller's descriptor of it), and
// both descriptors of the socket and the epoll instance are closed after.
func TestCloseWakesEveryWait(t *testing.T) {
	ns := nstest.New(t)
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	ino := sockIno(t, c)
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	go func() {
		_, err := c.Receive(context.Background())
		errs <- err
	}()
	go func() {
		errs <- rc.Read(func(uintptr) bool { return false })
	}()
	// Both wait: the socket is watched by the Conn's epoll instance and
	// by the runtime's, for the raw descriptor.
	for epollWatchers(t, ino) < 2 {
		time.Sleep(time.Millisecond)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case err := <-errs:
			if err == nil {
				t.Errorf("a wait ended without an error by Close")
			}
		case <-time.After(xcTimeout): // hang guard only
			t.Fatal("Close did not wake a wait")
		}
	}
	if n := epollWatchers(t, ino); n != 0 {
		t.Errorf("after Close, %d epoll instances watch the socket", n)
	}
}
