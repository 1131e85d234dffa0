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

// BenchmarkLinkRatio runs Link(1) (lo, decoded whole) and the core's
// Execute of the same RTM_GETLINK (reply copied, nothing decoded) in turn,
// rounds of 5000 on one Conn, and reports Link's least time per call as a
// multiple of Execute's:
//
//	go test -run '^$' -bench LinkRatio -benchtime 10x ./rtnetlink
func BenchmarkLinkRatio(b *testing.B) {
	ns := nstest.New(b)
	c, err := rtnetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	ifi := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(ifi[4:], 1)
	req := netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: ifi}
	rows := []func() error{
		func() error { _, err := c.NL.Execute(ctx, req); return err },
		func() error { _, err := c.Link(ctx, 1); return err },
	}
	const round = 5000
	best := make([]time.Duration, len(rows))
	for range b.N {
		for i, run := range rows {
			start := time.Now()
			for range round {
				if err := run(); err != nil {
					b.Fatal(err)
				}
			}
			if d := time.Since(start); best[i] == 0 || d < best[i] {
				best[i] = d
			}
		}
	}
	b.ReportMetric(float64(best[1])/float64(best[0]), "Link/Execute")
}
