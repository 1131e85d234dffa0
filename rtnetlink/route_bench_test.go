//go:build linux

package rtnetlink_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// The route listing benchmarks run in a namespace holding the table of the
// root package's route dump benchmarks: 80,000 IPv4 /24 routes in the main
// table, four in five with a metric, and 20,000 IPv6 /64 routes in table
// 100, plus the kernel's own routes for the pair's addresses. They list it
// two ways on one Conn: with the root package's Dump, counting the
// messages (the floor: the kernel's work and the socket), and with Routes,
// decoding every route to a Route value.
//
//	go test -run '^$' -bench 'RouteList' -benchtime 20x ./rtnetlink

// arBenchRoutes is the number of IPv4 and IPv6 routes the benchmarks add.
const arBenchRoutes = 100_000

// arBenchNS makes the benchmarks' namespace and returns a Conn in it and
// the number of routes a full dump lists.
func arBenchNS(b *testing.B) (*rtnetlink.Conn, int) {
	b.Helper()
	ns, c, _, _ := arNS(b, nil)
	ns.Batch(b, []string{"addr add 10.0.0.1/24 dev v0", "addr add fd00::1/64 dev v0 nodad"})
	lines := make([]string, 0, arBenchRoutes)
	for i := range arBenchRoutes * 4 / 5 {
		l := fmt.Sprintf("route add %d.%d.%d.0/24 via 10.0.0.2", 20+i>>16, i>>8&0xff, i&0xff)
		if i%5 != 0 {
			l += fmt.Sprintf(" metric %d", i%5*10)
		}
		lines = append(lines, l)
	}
	for i := range arBenchRoutes / 5 {
		lines = append(lines, fmt.Sprintf("route add fd00:1:0:%x::/64 via fd00::2 table 100", i))
	}
	ns.Batch(b, lines)
	n := 0
	for _, err := range c.Routes(context.Background(), rtnetlink.RouteFilter{}) {
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	if n < arBenchRoutes {
		b.Fatalf("listed %d routes, want at least %d", n, arBenchRoutes)
	}
	return c, n
}

// arRawList is the baseline: the root package's Dump of every route,
// counting the messages.
func arRawList(b *testing.B, c *rtnetlink.Conn) int {
	req := netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE}, Data: make([]byte, unix.SizeofRtMsg)}
	n := 0
	for m, err := range c.NL.Dump(context.Background(), req) {
		if err != nil {
			b.Fatal(err)
		}
		if m.Header.Type == unix.RTM_NEWROUTE {
			n++
		}
	}
	return n
}

// arTypedList lists every route with Routes, folding a few fields into a
// sum so that the work is not optimised away.
func arTypedList(b *testing.B, c *rtnetlink.Conn) (int, uint64) {
	n, sum := 0, uint64(0)
	for r, err := range c.Routes(context.Background(), rtnetlink.RouteFilter{}) {
		if err != nil {
			b.Fatal(err)
		}
		n++
		sum += uint64(r.Dst.Bits()) + uint64(r.Index) + uint64(r.Table) + uint64(r.Priority)
	}
	return n, sum
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRouteList reports, for each way, the time, CPU time (user and
// system, kernel's dump included) and allocations per full listing, and
// the allocations per route.
func BenchmarkRouteList(b *testing.B) {
	c, routes := arBenchNS(b)
	for _, way := range []struct {
		name string
		list func(*testing.B, *rtnetlink.Conn) int
	}{
		{"Raw", arRawList},
		{"Typed", func(b *testing.B, c *rtnetlink.Conn) int { n, _ := arTypedList(b, c); return n }},
	} {
		b.Run(way.name, func(b *testing.B) {
			b.ReportAllocs()
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			cpu0 := cpuTime(b)
			for b.Loop() {
				if n := way.list(b, c); n != routes {
					b.Fatalf("listed %d routes, want %d", n, routes)
				}
			}
			cpu := cpuTime(b) - cpu0
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N)/float64(routes), "allocs/route")
		})
	}
}

// BenchmarkRouteListRatio runs the two ways in turn and reports the typed
// listing's best CPU time as a multiple of the raw Dump's best: interleaved
// runs and best times keep the ratio steady on a busy machine.
func BenchmarkRouteListRatio(b *testing.B) {
	c, routes := arBenchNS(b)
	var bestRaw, bestTyped time.Duration
	for b.Loop() {
		cpu0 := cpuTime(b)
		if n := arRawList(b, c); n != routes {
			b.Fatalf("raw: %d routes, want %d", n, routes)
		}
		cpu1 := cpuTime(b)
		if n, _ := arTypedList(b, c); n != routes {
			b.Fatalf("typed: %d routes, want %d", n, routes)
		}
		cpu2 := cpuTime(b)
		if d := cpu1 - cpu0; bestRaw == 0 || d < bestRaw {
			bestRaw = d
		}
		if d := cpu2 - cpu1; bestTyped == 0 || d < bestTyped {
			bestTyped = d
		}
	}
	b.ReportMetric(float64(bestRaw.Microseconds()), "raw-cpu-µs")
	b.ReportMetric(float64(bestTyped.Microseconds()), "typed-cpu-µs")
	b.ReportMetric(float64(bestTyped)/float64(bestRaw), "typed/raw")
}

// arRace is set by route_race_test.go when built with -race, whose
// sync.Pool drops buffers at random, so that allocation counts wander.
var arRace bool

// TestRoutesAllocs checks that listing allocates per call, not per route:
// a table of 3,000 routes costs no more allocations than one of 30, and
// multipath routes cost one allocation each, for their hops.
func TestRoutesAllocs(t *testing.T) {
	if arRace {
		t.Skip("allocation counts are not stable under the race detector")
	}
	ns, c, _, _ := arRouteNS(t, nil)
	ctx := context.Background()
	count := func(f rtnetlink.RouteFilter) (routes int, allocs float64) {
		allocs = testing.AllocsPerRun(5, func() {
			routes = 0
			for _, err := range c.Routes(ctx, f) {
				if err != nil {
					t.Fatal(err)
				}
				routes++
			}
		})
		return routes, allocs
	}
	var lines []string
	for i := range 3000 {
		t := 10 + i/100 // tables 10 to 39, 100 routes each
		lines = append(lines, fmt.Sprintf("route add 10.%d.%d.0/24 via 10.0.0.2 table %d metric 5 mtu 1400", 100+i/256, i%256, t))
	}
	for i := range 50 {
		lines = append(lines, fmt.Sprintf("route add 10.200.%d.0/24 table 50 nexthop via 10.0.0.2 weight 2 nexthop via 10.0.1.2", i))
	}
	ns.Batch(t, lines)
	n1, a1 := count(rtnetlink.RouteFilter{Table: 10})
	nAll, aAll := count(rtnetlink.RouteFilter{Family: unix.AF_INET})
	nMP, aMP := count(rtnetlink.RouteFilter{Table: 50})
	t.Logf("%d routes: %.0f allocs; %d routes: %.0f allocs; %d multipath routes: %.0f allocs", n1, a1, nAll, aAll, nMP, aMP)
	if n1 != 100 || nAll < 3050 || nMP != 50 {
		t.Fatalf("listed %d, %d, %d routes", n1, nAll, nMP)
	}
	// Every IPv4 route: the multipath ones allocate, the rest do not.
	if aAll > a1+float64(nMP)+2 {
		t.Errorf("listing %d routes (%d multipath) allocates %.0f times, %d routes %.0f: allocations grow with the table", nAll, nMP, aAll, n1, a1)
	}
	if aMP > a1+50+2 {
		t.Errorf("%d multipath routes allocate %.0f times, want at most one each", nMP, aMP)
	}
}
