//go:build linux

package conntrack_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter/conntrack"
)

// summary is what a mirror and a listing are compared on: the fields
// that do not change on their own (timeouts count down, counters with
// traffic).
type summary struct {
	ID     uint32
	Mark   uint32
	Status conntrack.Status
	Reply  conntrack.Tuple
	TCP    conntrack.TCPState
}

func summarize(fs []conntrack.Flow) map[conntrack.Key]summary {
	m := make(map[conntrack.Key]summary, len(fs))
	for i := range fs {
		f := &fs[i]
		m[f.Key()] = summary{f.ID, f.Mark, f.Status, f.Reply, f.TCP.State}
	}
	return m
}

func listAll(t *testing.T, c *conntrack.Conn) []conntrack.Flow {
	t.Helper()
	var out []conntrack.Flow
	for f, err := range c.Flows(testCtx(t), conntrack.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f.Clone())
	}
	return out
}

// converge waits until the mirror's copy is what a listing shows, and
// fails the test with the difference if ctx ends first.
func converge(ctx context.Context, t *testing.T, m *conntrack.Mirror, c *conntrack.Conn) {
	t.Helper()
	for {
		want := summarize(listAll(t, c))
		got := summarize(m.Snapshot())
		if maps.Equal(want, got) {
			return
		}
		select {
		case <-ctx.Done():
			n := 0
			for k, v := range want {
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("%v: mirror has %+v (%v), kernel %+v", k.Orig, g, ok, v)
					if n++; n > 5 {
						break
					}
				}
			}
			t.Fatalf("the mirror (%d entries, %+v) did not come to the kernel's table (%d entries)", len(got), m.Stats(), len(want))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestMirror(t *testing.T) {
	ns := plainNS(t)
	c := dialCT(t, ns)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	m, err := conntrack.NewMirror(&netlink.Config{NetNS: ns.Path, ReadBuffer: 32 << 10}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// The mirror has joined its groups and reads nothing yet: a burst
	// overruns its socket.
	createBurst(t, c, 5000)
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	select {
	case <-m.Ready():
	case err := <-done:
		t.Fatal(err)
	}
	if s := m.Stats(); s.Overruns == 0 {
		t.Errorf("Stats = %+v: the events the burst overflowed were not reported", s)
	}
	converge(ctx, t, m, c)

	// Changes while it runs: created, updated, deleted entries, a flush
	// by mark, and another burst.
	for i := range 20 {
		if err := c.Create(ctx, tcpFlow(uint16(2000+i), uint32(i%3))); err != nil {
			t.Fatal(err)
		}
	}
	up := tcpFlow(2005, 0x77)
	up.Status, up.TCP, up.Timeout = 0, conntrack.TCPInfo{}, 0
	if err := c.Update(ctx, up); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, tcpFlow(2006, 0)); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteMatching(ctx, conntrack.Filter{Mark: 2, MarkMask: 0xff}); err != nil {
		t.Fatal(err)
	}
	before := m.Stats()
	createBurst2(t, c, 20000)
	converge(ctx, t, m, c)
	f, ok := m.Get(tcpFlow(2005, 0).Key())
	if !ok || f.Mark != 0x77 {
		t.Errorf("mirror's entry of the updated flow: %+v, %v", f, ok)
	}
	t.Logf("stats before the second burst %+v, after %+v", before, m.Stats())
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
}

// createBurst2 creates n entries other than createBurst's.
func createBurst2(t *testing.T, c *conntrack.Conn, n int) {
	t.Helper()
	for start := 0; start < n; start += 5000 {
		var fs []*conntrack.Flow
		for i := start; i < min(n, start+5000); i++ {
			f := burstFlow(i)
			f.Orig.DstPort, f.Reply.SrcPort = 10, 10
			fs = append(fs, f)
		}
		createFlows(t, c, fs)
	}
}
