//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// ldTable is the private routing table the load test fills and empties.
const ldTable = 100

// ldRoute is an RTM_NEWROUTE or RTM_DELROUTE for dst/32 in ldTable.
func ldRoute(typ netlink.HeaderType, flags netlink.HeaderFlags, dst netip.Addr, oif int32) netlink.Message {
	m := xcRoute(typ, flags, dst, oif)
	m.Data[4] = ldTable
	return m
}

// TestLoadMixed runs 64 goroutines × 1,000 mixed requests on one Conn
// (16 × 100 with -short): Execute GETLINK of a link picked by index,
// Dump of all links, and Batch adds then deletes of routes in a private
// table, each goroutine its own routes; while a Receive loop takes the
// route notifications. Every reply is checked against its request: the
// link's name for its index, the whole set of links, nil for every route
// (Excl makes a misrouted ACK show), and Receive sees only notifications,
// all of them unless it was told of an overrun. A request failed with
// ErrOverrun (the documented loss) is asked again.
func TestLoadMixed(t *testing.T) {
	workers, ops := 64, 1000
	if testing.Short() {
		workers, ops = 16, 100
	}
	ns := nstest.New(t)
	links := map[int32]string{}
	var oif int32
	for i := range 4 {
		name := fmt.Sprintf("ld%d", i)
		oif = xcVeth(t, ns, name)
	}
	maps.Copy(links, xcLinks(t, ns))
	// Room for the notifications while the Receive loop is slow (-race,
	// a busy machine): overruns still may happen, and are counted.
	c := xcDial(t, ns, netlink.Config{Groups: []uint32{unix.RTNLGRP_IPV4_ROUTE}, ReadBuffer: 32 << 20, QueueLimit: 1 << 16})
	// Each operation has its own hang guard (opCtx): the test as a whole
	// takes as long as the machine needs (minutes under -race on a busy
	// machine), bounded by go test's -timeout.
	ctx, cancelAll := context.WithCancel(context.Background())
	t.Cleanup(cancelAll)
	opCtx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(ctx, xcTimeout)
	}

	// The Receive loop.
	var notes, overruns atomic.Int64
	// sentinel is a route no worker adds; its RTM_DELROUTE, queued after
	// every notification of the workers, tells the Receive loop has them all.
	sentinel := netip.AddrFrom4([4]byte{10, 255, 255, 254})
	sentinelSeen := make(chan struct{}, 1)
	rctx, stop := context.WithCancel(ctx)
	recvDone := make(chan error, 1)
	go func() {
		for {
			msgs, err := c.Receive(rctx)
			switch {
			case errors.Is(err, context.Canceled):
				recvDone <- nil
				return
			case errors.Is(err, netlink.ErrOverrun):
				overruns.Add(1)
				continue
			case err != nil:
				recvDone <- err
				return
			}
			for _, m := range msgs {
				typ := m.Header.Type
				m.Header.Type = unix.RTM_NEWROUTE // xcRouteDst reads only those
				table, dst, ok := xcRouteDst(m)
				m.Header.Type = typ
				if typ == unix.RTM_DELROUTE && netip.AddrFrom4(dst) == sentinel {
					select {
					case sentinelSeen <- struct{}{}:
					default:
					}
				}
				if (typ != unix.RTM_NEWROUTE && typ != unix.RTM_DELROUTE) || !ok || table != ldTable || m.Header.PortID != c.LocalAddr().PortID {
					recvDone <- fmt.Errorf("Receive got %v (table %d) % x: not a notification of the test's routes", m.Header, table, m.Data)
					return
				}
				notes.Add(1)
			}
		}
	}()

	indexes := make([]int32, 0, len(links))
	for i := range links {
		indexes = append(indexes, i)
	}
	const perBatch = 4
	var execs, dumps, batches, reqOverruns atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fail := func(op int, format string, args ...any) {
				errc <- fmt.Errorf("worker %d op %d: %s", w, op, fmt.Sprintf(format, args...))
			}
			cancel := context.CancelFunc(func() {})
			defer func() { cancel() }()
			for op := 0; op < ops; op++ {
				cancel()
				var ctx context.Context
				ctx, cancel = opCtx()
				switch op % 4 {
				case 0, 1:
					index := indexes[(w+op)%len(indexes)]
					msgs, err := c.Execute(ctx, xcGetLink(index, 0))
					if errors.Is(err, netlink.ErrOverrun) {
						reqOverruns.Add(1)
						op-- // the reply may be lost: ask again
						continue
					}
					if err != nil {
						fail(op, "GETLINK %d: %v", index, err)
						return
					}
					if len(msgs) != 1 {
						fail(op, "GETLINK %d: %d messages", index, len(msgs))
						return
					}
					if i, name := xcLink(t, msgs[0]); i != index || name != links[index] {
						fail(op, "GETLINK %d got link %d %q", index, i, name)
						return
					}
					execs.Add(1)
				case 2:
					got := map[int32]string{}
					var derr error
					for m, err := range c.Dump(ctx, xcLinkDump()) {
						if err != nil {
							derr = err
							break
						}
						i, name := xcLink(t, m)
						got[i] = name
					}
					if errors.Is(derr, netlink.ErrOverrun) {
						reqOverruns.Add(1)
						op--
						continue
					}
					if derr != nil {
						fail(op, "Dump: %v", derr)
						return
					}
					if !maps.Equal(got, links) {
						fail(op, "Dump got %v, want %v", got, links)
						return
					}
					dumps.Add(1)
				case 3:
					var add, del []netlink.Message
					for k := range perBatch {
						dst := netip.AddrFrom4([4]byte{10, byte(w), byte(op >> 8), byte(op&0xfc | k)})
						add = append(add, ldRoute(unix.RTM_NEWROUTE, netlink.Create|netlink.Excl, dst, oif))
						del = append(del, ldRoute(unix.RTM_DELROUTE, 0, dst, oif))
					}
					overran := false
					for _, reqs := range [][]netlink.Message{add, del} {
						results, err := c.Batch(ctx, reqs)
						if err != nil && !errors.Is(err, netlink.ErrOverrun) {
							fail(op, "Batch: %v", err)
							return
						}
						for k, err := range results {
							switch {
							case errors.Is(err, netlink.ErrOverrun):
								// The kernel may or may not have run it.
								overran = true
							case overran && (errors.Is(err, unix.ESRCH) || errors.Is(err, unix.EEXIST)):
								// What the kernel did before is unknown.
							case err != nil:
								fail(op, "Batch request %d (%v): %v", k, reqs[k].Header.Type, err)
								return
							}
						}
					}
					if overran {
						// Leave none of the batch's routes behind.
						reqOverruns.Add(1)
						for _, m := range del {
							for {
								_, err := c.Execute(ctx, m)
								if err == nil || errors.Is(err, unix.ESRCH) {
									break
								}
								if !errors.Is(err, netlink.ErrOverrun) {
									fail(op, "deleting after an overrun: %v", err)
									return
								}
							}
						}
					}
					batches.Add(2)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	// The last notifications: the kernel queues the sentinel's after the
	// workers', so once the Receive loop has seen it, it has every one
	// that was not lost. An overrun may lose the sentinel's too: then it
	// is sent again.
	want := int64(workers * ops / 4 * 2 * perBatch)
	sctx, scancel := opCtx()
	defer scancel()
	for seen := false; !seen; {
		lost := overruns.Load()
		for _, typ := range []netlink.HeaderType{unix.RTM_NEWROUTE, unix.RTM_DELROUTE} {
			if _, err := c.Execute(sctx, ldRoute(typ, netlink.Create, sentinel, oif)); err != nil && !errors.Is(err, netlink.ErrOverrun) {
				t.Fatalf("sentinel route: %v", err)
			}
		}
		want += 2
		for !seen && overruns.Load() == lost {
			select {
			case <-sentinelSeen:
				seen = true
			case <-time.After(100 * time.Millisecond): // look at the overrun count again
			case <-sctx.Done():
				t.Fatalf("the sentinel route's notification never came: %d notifications of %d", notes.Load(), want)
			}
		}
	}
	stop()
	if err := <-recvDone; err != nil {
		t.Error(err)
	}
	if notes.Load() != want && overruns.Load() == 0 && reqOverruns.Load() == 0 {
		t.Errorf("Receive got %d notifications, want %d", notes.Load(), want)
	}
	if n := xcCountLines(t, ns, "", "route", "show", "table", fmt.Sprint(ldTable)); n != 0 {
		t.Errorf("%d routes left in table %d", n, ldTable)
	}
	total := execs.Load() + dumps.Load() + batches.Load()
	t.Logf("%d workers × %d ops: %d Executes, %d Dumps, %d Batches of %d in %v: %.0f exchanges/s; %d notifications, %d overruns reported to Receive, %d requests failed with ErrOverrun (retried); stats %+v",
		workers, ops, execs.Load(), dumps.Load(), batches.Load(), perBatch, elapsed.Round(time.Millisecond),
		float64(total)/elapsed.Seconds(), notes.Load(), overruns.Load(), reqOverruns.Load(), c.Stats())
}
