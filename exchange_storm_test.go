//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// stormDuration is how long TestStorm runs: 30 s, 5 s with -short, or
// NLKIT_STORM (a time.Duration) when set.
func stormDuration(t *testing.T) time.Duration {
	if s := os.Getenv("NLKIT_STORM"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("NLKIT_STORM: %v", err)
		}
		return d
	}
	if testing.Short() {
		return 5 * time.Second
	}
	return 30 * time.Second
}

// stormOps are what the storm's goroutines do, in turn.
var stormOps = []string{"Execute", "Execute+Echo", "Dump", "DumpAll", "Batch", "Receive"}

// TestStorm: 16 goroutines mix Execute, Dump, DumpAll, Batch and Receive on
// one Conn with a 4 KiB receive buffer, joined to the route and link
// groups, while another process adds and deletes 10,000 routes over and
// over. Every call returns; every result is correct or ErrOverrun; after
// the storm a Dump on the same Conn returns the whole table.
func TestStorm(t *testing.T) {
	ns := nstest.New(t)
	v := xcVeth(t, ns, "xc0")
	links := xcLinks(t, ns)
	c := xcDial(t, ns, netlink.Config{ReadBuffer: 4096, DatagramBuffer: 4096,
		Groups: []uint32{unix.RTNLGRP_IPV4_ROUTE, unix.RTNLGRP_LINK}, Options: []netlink.Option{netlink.GetStrictCheck}})

	// Another process adds and deletes 10,000 routes until the storm ends.
	var add, del strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&add, "route add 10.200.%d.%d/32 dev xc0\n", i/250, i%250+1)
		fmt.Fprintf(&del, "route del 10.200.%d.%d/32 dev xc0\n", i/250, i%250+1)
	}
	stop := make(chan struct{})
	changer := make(chan error, 1)
	go func() {
		for {
			for _, script := range []string{add.String(), del.String()} {
				select {
				case <-stop:
					changer <- nil
					return
				default:
				}
				cmd := exec.Command("ip", "-n", ns.Name, "-batch", "-")
				cmd.Stdin = strings.NewReader(script)
				if out, err := cmd.CombinedOutput(); err != nil {
					changer <- fmt.Errorf("ip -batch: %v: %.200s", err, out)
					return
				}
			}
		}
	}()

	var ok, overrun [6]atomic.Int64
	deadline := time.Now().Add(stormDuration(t))
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				op := (g + i) % len(stormOps)
				err := stormOp(t, c, op, g, i, v, links)
				switch {
				case err == nil:
					ok[op].Add(1)
				case errors.Is(err, netlink.ErrOverrun):
					overrun[op].Add(1)
				default:
					t.Errorf("%s (goroutine %d): %v", stormOps[op], g, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	if err := <-changer; err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	for op, name := range stormOps {
		fmt.Fprintf(&report, " %s %d ok/%d overrun;", name, ok[op].Load(), overrun[op].Load())
	}
	t.Logf("outcomes:%s stale %d", report.String(), c.Stats().Stale)

	// After the storm, the same Conn dumps the whole table, as ip lists it.
	want := xcCountLines(t, ns, "10.", "-4", "route", "show", "table", "main")
	for {
		n, err := 0, error(nil)
		for m, e := range c.Dump(xcCtx(t), xcRouteDump()) {
			if e != nil {
				err = e
				break
			}
			if _, _, ok := xcRouteDst(m); ok {
				n++
			}
		}
		if errors.Is(err, netlink.ErrOverrun) {
			continue // notifications of the last changes still arrive
		}
		if err != nil || n != want {
			t.Fatalf("dump after the storm: %d routes, %v; ip lists %d", n, err, want)
		}
		break
	}
	// And every operation works on it again. How many succeeded during the
	// storm depends on how the scheduler ran the changer against the
	// goroutines, so it is logged above, not checked. Now only the
	// operations themselves make notifications, so an overrun can be one
	// the storm left, reported once; a second in a row is an error.
	for op, name := range stormOps {
		err := stormOp(t, c, op, 0, 1<<15, v, links)
		if errors.Is(err, netlink.ErrOverrun) {
			err = stormOp(t, c, op, 0, 1<<15+1, v, links)
		}
		if err != nil {
			t.Errorf("%s after the storm: %v", name, err)
		}
	}
}

// stormOp runs one operation of the storm and checks what it returned.
func stormOp(t *testing.T, c *netlink.Conn, op, g, i int, v int32, links map[int32]string) error {
	ctx, cancel := context.WithTimeout(context.Background(), xcTimeout)
	defer cancel()
	switch stormOps[op] {
	case "Execute":
		msgs, err := c.Execute(ctx, xcGetLink(v, 0))
		if err != nil {
			return err
		}
		if len(msgs) != 1 {
			return fmt.Errorf("%d messages", len(msgs))
		}
		if i, n := xcLink(t, msgs[0]); i != v || n != "xc0" {
			return fmt.Errorf("link %d %q, want %d xc0", i, n, v)
		}
	case "Execute+Echo":
		// A route of the goroutine's own, in a table of its own.
		// A new route each time: replacing a route with itself changes
		// nothing, and the kernel then sends no notification to echo.
		dst := netip.AddrFrom4([4]byte{10, byte(100 + g), byte(i >> 8), byte(i)})
		req := xcRoute(unix.RTM_NEWROUTE, netlink.Create|netlink.Replace|netlink.Echo, dst, v)
		req.Data[4] = byte(10 + g)
		msgs, err := c.Execute(ctx, req)
		if err != nil {
			return err
		}
		if len(msgs) != 1 {
			return fmt.Errorf("%d messages, want the echo", len(msgs))
		}
		if table, d, ok := xcRouteDst(msgs[0]); !ok || netip.AddrFrom4(d) != dst || table != byte(10+g) {
			return fmt.Errorf("echo of route %v in table %d, want %v in %d", netip.AddrFrom4(d), table, dst, 10+g)
		}
	case "Dump", "DumpAll":
		got := map[int32]string{}
		if stormOps[op] == "Dump" {
			for m, err := range c.Dump(ctx, xcLinkDump()) {
				if err != nil {
					return err
				}
				i, n := xcLink(t, m)
				got[i] = n
			}
		} else {
			msgs, err := c.DumpAll(ctx, xcLinkDump())
			if err != nil {
				return err
			}
			for _, m := range msgs {
				i, n := xcLink(t, m)
				got[i] = n
			}
		}
		if !maps.Equal(got, links) {
			return fmt.Errorf("links %v, want %v", got, links)
		}
	case "Batch":
		reqs := make([]netlink.Message, 20)
		for k := range reqs {
			reqs[k] = xcRoute(unix.RTM_NEWROUTE, netlink.Create|netlink.Replace, netip.AddrFrom4([4]byte{10, 202, byte(g), byte(k + 1)}), v)
			reqs[k].Data[4] = byte(10 + g)
		}
		results, err := c.Batch(ctx, reqs)
		for k, r := range results {
			if r != nil && !errors.Is(r, netlink.ErrOverrun) {
				return fmt.Errorf("request %d: %w", k, r)
			}
			if r != nil && err == nil {
				return fmt.Errorf("request %d: %v, but the batch succeeded", k, r)
			}
		}
		return err
	case "Receive":
		rctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		msgs, err := c.Receive(rctx)
		if errors.Is(err, context.DeadlineExceeded) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case unix.RTM_NEWROUTE, unix.RTM_DELROUTE, unix.RTM_NEWLINK, unix.RTM_DELLINK:
			default:
				return fmt.Errorf("notification %v", m.Header)
			}
		}
	}
	return nil
}
