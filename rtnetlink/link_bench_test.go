//go:build linux

package rtnetlink_test

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// BenchmarkLinkRatio compares Conn.Link, which decodes the reply into a
// Link (keeping in Other the ~1.3 KB of attributes it does not model),
// with the raw Execute of the same RTM_GETLINK request on the same Conn,
// for a veth with an IPv6 address. The two run in turn, 100 calls each per
// round, and the best CPU time of each is reported, and their ratio:
//
//	go test -run '^$' -bench LinkRatio -benchtime 50x ./rtnetlink
func BenchmarkLinkRatio(b *testing.B) {
	ns := nstest.New(b)
	ns.Batch(b, []string{
		"link add lb0 type veth peer name lb1",
		"link set lb0 up",
		"link set lb1 up",
		"address add 2001:db8::1/64 dev lb0",
	})
	rt, err := rtnetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close()
	ctx := context.Background()
	l, err := rt.LinkByName(ctx, "lb0")
	if err != nil {
		b.Fatal(err)
	}
	req := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(req[4:], uint32(l.Index))
	raw := netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: req}
	const calls = 100
	var bestRaw, bestTyped time.Duration
	for b.Loop() {
		cpu0 := linkCPUTime(b)
		for range calls {
			if _, err := rt.NL.Execute(ctx, raw); err != nil {
				b.Fatal(err)
			}
		}
		cpu1 := linkCPUTime(b)
		for range calls {
			if _, err := rt.Link(ctx, l.Index); err != nil {
				b.Fatal(err)
			}
		}
		cpu2 := linkCPUTime(b)
		if d := cpu1 - cpu0; bestRaw == 0 || d < bestRaw {
			bestRaw = d
		}
		if d := cpu2 - cpu1; bestTyped == 0 || d < bestTyped {
			bestTyped = d
		}
	}
	b.ReportMetric(float64(bestRaw.Nanoseconds())/calls, "raw-cpu-ns/call")
	b.ReportMetric(float64(bestTyped.Nanoseconds())/calls, "typed-cpu-ns/call")
	b.ReportMetric(float64(bestTyped)/float64(bestRaw), "typed/raw")
}

// linkCPUTime is the process's CPU time so far, user and system.
func linkCPUTime(b *testing.B) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
