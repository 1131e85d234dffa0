//go:build linux

package netlink_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// BenchmarkExecuteGetLink is a request and its reply: RTM_GETLINK for lo,
// in a namespace of its own, without a context to watch.
func BenchmarkExecuteGetLink(b *testing.B) {
	ns := nstest.New(b)
	c := xcDial(b, ns, netlink.Config{})
	req := xcGetLink(1, 0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		msgs, err := c.Execute(ctx, req)
		if err != nil || len(msgs) != 1 {
			b.Fatalf("%d messages, %v", len(msgs), err)
		}
	}
}

// TestExecuteAllocs holds Execute to two allocations for a single reply:
// the reply's bytes and the slice of messages.
func TestExecuteAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("under the race detector sync.Pool drops items at random, and allocations follow")
	}
	ns := nstest.New(t)
	c := xcDial(t, ns, netlink.Config{})
	// A cancellable context costs nothing more when the reply is already
	// queued, as the kernel's replies are.
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, ctx := range []context.Context{context.Background(), cancellable} {
		for _, tc := range []struct {
			name  string
			req   netlink.Message
			limit float64
		}{
			{"GET", xcGetLink(1, 0), 2},
			{"GET+ACK", xcGetLink(1, netlink.Acknowledge), 3}, // the ACK grows the reply's buffer once more
		} {
			var err error
			allocs := testing.AllocsPerRun(500, func() {
				_, err = c.Execute(ctx, tc.req)
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s (%v): %v allocations per Execute", tc.name, ctx, allocs)
			if allocs > tc.limit {
				t.Errorf("%s (%v): %v allocations per Execute, want at most %v", tc.name, ctx, allocs, tc.limit)
			}
		}
		var err error
		allocs := testing.AllocsPerRun(200, func() {
			for _, e := range c.Dump(ctx, xcLinkDump()) {
				if e != nil {
					err = e
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if allocs != 0 {
			t.Errorf("Dump of links (%v): %v allocations, want 0", ctx, allocs)
		}
	}
}

// BenchmarkInstallRoutes installs 10,000 host routes into an empty main
// table per iteration, all at once with Batch and one by one with Execute,
// and deletes them again with the timer stopped.
func BenchmarkInstallRoutes(b *testing.B) {
	const routes = 10_000
	ns := nstest.New(b)
	v := xcVeth(b, ns, "xc0")
	c := xcDial(b, ns, netlink.Config{})
	ctx := context.Background()
	batch := make([]netlink.Message, routes)
	single := make([]netlink.Message, routes)
	del := make([]netlink.Message, routes)
	for i := range routes {
		batch[i] = xcRoute(unix.RTM_NEWROUTE, netlink.Create|netlink.Replace, xcDst(i), v)
		single[i] = xcRoute(unix.RTM_NEWROUTE, netlink.Acknowledge|netlink.Create|netlink.Replace, xcDst(i), v)
		del[i] = xcRoute(unix.RTM_DELROUTE, 0, xcDst(i), v)
	}
	check := func(b *testing.B, results []error, err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
		for i, err := range results {
			if err != nil {
				b.Fatalf("route %d: %v", i, err)
			}
		}
	}

	run := func(b *testing.B, install func(b *testing.B)) {
		var before, after runtime.MemStats
		var mallocs uint64
		b.ReportAllocs()
		for range b.N {
			runtime.ReadMemStats(&before)
			install(b)
			runtime.ReadMemStats(&after)
			mallocs += after.Mallocs - before.Mallocs

			b.StopTimer()
			results, err := c.Batch(ctx, del)
			check(b, results, err)
			b.StartTimer()
		}
		n := float64(routes) * float64(b.N)
		b.ReportMetric(n/b.Elapsed().Seconds(), "routes/s")
		b.ReportMetric(float64(mallocs)/n, "allocs/route")
	}

	b.Run("Batch", func(b *testing.B) {
		run(b, func(b *testing.B) {
			results, err := c.Batch(ctx, batch)
			check(b, results, err)
		})
	})
	b.Run("Execute", func(b *testing.B) {
		run(b, func(b *testing.B) {
			for i := range single {
				if _, err := c.Execute(ctx, single[i]); err != nil {
					b.Fatalf("route %d: %v", i, err)
				}
			}
		})
	})
}
