//go:build linux

package netlink_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

// lkCounts is what a Conn could leak besides goroutines (goleak checks
// those): descriptors and mappings (the spare receive buffer is an mmap).
type lkCounts struct{ fds, maps int }

func lkCount(t testing.TB) lkCounts {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	return lkCounts{len(fds), bytes.Count(maps, []byte("\n"))}
}

// lkSettle fails unless the goroutines that were not running when
// goroutines was made (goleak.IgnoreCurrent) are gone, and the counts fall
// back to before: descriptors exactly, mappings within slack, since the
// runtime maps memory of its own.
func lkSettle(t testing.TB, goroutines goleak.Option, before lkCounts) lkCounts {
	t.Helper()
	goleak.VerifyNone(t, goroutines)
	const mapSlack = 64
	var now lkCounts
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		now = lkCount(t)
		if now.fds <= before.fds && now.maps <= before.maps+mapSlack {
			return now
		}
	}
	t.Fatalf("leak: before %+v, after %+v", before, now)
	return now
}

// TestLeakSoak opens, uses and closes 10,000 Conns (1,000 with -short):
// in the namespace of the calling thread and in another by path, with and
// without groups, and some closed while a goroutine is blocked in Receive
// or runs an Execute or a Dump. Afterwards no goroutine, descriptor or
// mapping is left.
func TestLeakSoak(t *testing.T) {
	other := nstest.New(t)
	n := 10000
	if testing.Short() {
		n = 1000
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The loop runs on a thread of its own in a namespace of its own, so
	// that Conns dialled without Config.NetNS are not in the host's.
	type result struct {
		goroutines goleak.Option
		before     lkCounts
		err        string
	}
	done := make(chan result, 1)
	go func() {
		// The thread goes back to its namespace at the end: left locked, it
		// would die with the goroutine, except the main thread, which the
		// runtime parks for good, in the namespace.
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			done <- result{err: "open own namespace: " + err.Error()}
			return
		}
		defer func() {
			if unix.Setns(orig, unix.CLONE_NEWNET) == nil {
				runtime.UnlockOSThread()
			}
			unix.Close(orig)
		}()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			done <- result{err: "unshare: " + err.Error()}
			return
		}
		// Warm up (the runtime's first poller goroutines, buffers).
		if c, err := netlink.Dial(unix.NETLINK_ROUTE, nil); err == nil {
			c.DumpAll(ctx, xcLinkDump())
			c.Close()
		}
		goroutines, before := goleak.IgnoreCurrent(), lkCount(t)
		var wg sync.WaitGroup
		fail := func(i int, what string, err error) string {
			return fmt.Sprintf("conn %d: %s: %v", i, what, err)
		}
		for i := range n {
			var cfg netlink.Config
			if i%3 == 1 {
				cfg.NetNS = other.Path
			}
			if i%4 == 2 {
				cfg.Groups = []uint32{unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_ROUTE}
			}
			c, err := netlink.Dial(unix.NETLINK_ROUTE, &cfg)
			if err != nil {
				done <- result{err: fail(i, "Dial", err)}
				return
			}
			switch i % 5 {
			case 0:
				if _, err := c.Execute(ctx, xcGetLink(1, 0)); err != nil {
					done <- result{err: fail(i, "Execute", err)}
					return
				}
			case 1:
				if msgs, err := c.DumpAll(ctx, xcLinkDump()); err != nil || len(msgs) != 1 {
					done <- result{err: fail(i, "DumpAll", fmt.Errorf("%d links, %v", len(msgs), err))}
					return
				}
			case 2: // closed while blocked in Receive
				wg.Add(1)
				started := make(chan struct{})
				go func() {
					defer wg.Done()
					close(started)
					if _, err := c.Receive(ctx); !errors.Is(err, netlink.ErrClosed) {
						t.Errorf("conn %d: Receive: %v, want ErrClosed", i, err)
					}
				}()
				<-started
				if i%10 == 2 {
					time.Sleep(time.Millisecond)
				}
			case 3: // closed while an Execute and a Dump run
				wg.Add(2)
				go func() {
					defer wg.Done()
					if _, err := c.Execute(ctx, xcGetLink(1, 0)); err != nil && !errors.Is(err, netlink.ErrClosed) {
						t.Errorf("conn %d: Execute: %v, want nil or ErrClosed", i, err)
					}
				}()
				go func() {
					defer wg.Done()
					for _, err := range c.Dump(ctx, xcLinkDump()) {
						if err != nil && !errors.Is(err, netlink.ErrClosed) {
							t.Errorf("conn %d: Dump: %v, want ErrClosed", i, err)
						}
					}
				}()
				runtime.Gosched()
			case 4: // Dump left early
				for range c.Dump(ctx, xcLinkDump()) {
					break
				}
			}
			if err := c.Close(); err != nil {
				done <- result{err: fail(i, "Close", err)}
				return
			}
		}
		wg.Wait()
		done <- result{goroutines: goroutines, before: before}
	}()
	r := <-done
	if r.err != "" {
		t.Fatal(r.err)
	}
	after := lkSettle(t, r.goroutines, r.before)
	t.Logf("%d Conns: before %+v, after %+v", n, r.before, after)
}
