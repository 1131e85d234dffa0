//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// A Dump is never cut short when other goroutines read the Conn while it
// is sent (found by TestLoadMixed; it failed about one run in three here).
// The kernel's netlink_dump, run by the sending thread, lets go of the dump
// before it queues the part it made; a read on another goroutine can then
// make the kernel finish the dump and queue its NLMSG_DONE first. Traced:
// a 4-byte DONE, then the dump's 9 links in a 13,420-byte datagram with the
// same sequence number, which was counted stale. The fix: a dump request
// is followed by a NOOP whose ACK comes after that first part, and a dump
// is complete at its DONE and that ACK (see sendExchange).
//
// It shows best on a busy machine, so it runs the mix on four Conns in
// four namespaces at once, with more threads than cores.
func TestDumpCompleteUnderLoad(t *testing.T) {
	// More threads than cores: the kernel and the Conn's goroutines get
	// preempted at any step, as on a busy machine.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4 * runtime.NumCPU()))
	var wg sync.WaitGroup
	for range 4 {
		ns := nstest.New(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			bugDumpMix(t, ns)
		}()
	}
	wg.Wait()
}

func bugDumpMix(t *testing.T, ns *nstest.NS) {
	links := map[int32]string{}
	var oif int32
	for i := range 4 {
		oif = xcVeth(t, ns, fmt.Sprintf("bd%d", i))
	}
	maps.Copy(links, xcLinks(t, ns))
	c := xcDial(t, ns, netlink.Config{Groups: []uint32{unix.RTNLGRP_IPV4_ROUTE}, ReadBuffer: 32 << 20, QueueLimit: 1 << 16})
	ctx := xcCtx(t)
	rctx, rstop := context.WithCancel(ctx)
	defer rstop()
	go func() { // a Receive loop takes the notifications of the routes
		for rctx.Err() == nil {
			c.Receive(rctx)
		}
	}()
	stop := time.Now().Add(8 * time.Second)
	if testing.Short() {
		stop = time.Now().Add(3 * time.Second)
	}
	var dumps, empties atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, 64)
	for w := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for op := 0; time.Now().Before(stop); op++ {
				switch op % 4 {
				case 0, 1:
					if _, err := c.Execute(ctx, xcGetLink(1, 0)); err != nil && !errors.Is(err, netlink.ErrOverrun) {
						errc <- err
						return
					}
				case 2:
					got := map[int32]string{}
					overran := false
					for m, err := range c.Dump(ctx, xcLinkDump()) {
						if errors.Is(err, netlink.ErrOverrun) {
							overran = true
							break
						}
						if err != nil {
							errc <- err
							return
						}
						i, name := xcLink(t, m)
						got[i] = name
					}
					if overran {
						continue
					}
					dumps.Add(1)
					if !maps.Equal(got, links) {
						empties.Add(1)
						errc <- fmt.Errorf("worker %d: Dump returned %d of %d links and no error; Stats %+v", w, len(got), len(links), c.Stats())
						return
					}
				case 3:
					var add, del []netlink.Message
					for k := range 4 {
						dst := netip.AddrFrom4([4]byte{10, byte(w), byte(op >> 8), byte(op&0xfc | k)})
						add = append(add, ldRoute(unix.RTM_NEWROUTE, netlink.Create|netlink.Excl, dst, oif))
						del = append(del, ldRoute(unix.RTM_DELROUTE, 0, dst, oif))
					}
					for _, reqs := range [][]netlink.Message{add, del} {
						results, err := c.Batch(ctx, reqs)
						if errors.Is(err, netlink.ErrOverrun) {
							break
						}
						if err != nil {
							errc <- err
							return
						}
						for _, err := range results {
							if err != nil && !errors.Is(err, netlink.ErrOverrun) {
								errc <- fmt.Errorf("worker %d: %w", w, err)
								return
							}
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	t.Logf("%d dumps, %d incomplete; stats %+v", dumps.Load(), empties.Load(), c.Stats())
}
