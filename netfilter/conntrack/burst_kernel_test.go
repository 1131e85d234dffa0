//go:build linux

package conntrack_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/conntrack"
)

// burstFlow returns the i-th UDP entry of a burst, from 198.18.2.x to
// 198.18.3.1, ports 1024 up.
func burstFlow(i int) *conntrack.Flow {
	dst := netip.MustParseAddr("198.18.3.1")
	src := netip.AddrFrom4([4]byte{198, 18, 2, byte(i / 60000)})
	sport := uint16(1024 + i%60000)
	return &conntrack.Flow{
		Family:  2,
		Orig:    conntrack.Tuple{Src: src, Dst: dst, Proto: 17, SrcPort: sport, DstPort: 9},
		Reply:   conntrack.Tuple{Src: dst, Dst: src, Proto: 17, SrcPort: 9, DstPort: sport},
		Timeout: 600,
	}
}

// createBurst creates n burst entries with batches of IPCTNL_MSG_CT_NEW
// requests, many per system call.
func createBurst(t testing.TB, c *conntrack.Conn, n int) {
	t.Helper()
	const chunk = 5000
	for start := 0; start < n; start += chunk {
		var fs []*conntrack.Flow
		for i := start; i < min(n, start+chunk); i++ {
			fs = append(fs, burstFlow(i))
		}
		createFlows(t, c, fs)
	}
}

// createFlows creates fs with one batch of requests.
func createFlows(t testing.TB, c *conntrack.Conn, fs []*conntrack.Flow) {
	t.Helper()
	typ := netfilter.MessageType(netfilter.SubsysConntrack, 0) // IPCTNL_MSG_CT_NEW
	reqs := make([]netlink.Message, len(fs))
	for i, f := range fs {
		data, err := f.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		reqs[i] = netlink.Message{Header: netlink.Header{Type: typ, Flags: netlink.Create | netlink.Excl}, Data: data}
	}
	errs, err := c.NL.Batch(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		if e != nil {
			t.Fatal(e)
		}
	}
}

// TestEventBurst creates 50,000 entries while an Events listener reads:
// every NEW event is delivered once or its loss is reported as an
// overrun in the stream, and the listener goes on: it sees an entry
// created after the burst.
func TestEventBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("50,000 entries")
	}
	const n = 50000
	ns := plainNS(t)
	c := dialCT(t, ns)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// Two listeners: one with the 8 MiB buffer a Conn that joins groups
	// gets, one with 32 KiB, which the burst overruns.
	big := dialCT(t, ns)
	small, err := conntrack.Dial(&netlink.Config{NetNS: ns.Path, ReadBuffer: 32 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	listeners := []*conntrack.Conn{big, small}
	var joined []chan struct{}
	var results []chan burstResult
	for _, l := range listeners {
		j, r := make(chan struct{}), make(chan burstResult, 1)
		joined, results = append(joined, j), append(results, r)
		go listenBurst(ctx, l, n, j, r)
	}
	// The listener has joined once it sees a probe.
	for i := 0; ; i++ {
		p := icmpFlow(1)
		p.Orig.Dst = netip.AddrFrom4([4]byte{198, 18, 4, byte(i)})
		p.Reply.Src = p.Orig.Dst
		if err := c.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		if waitJoined(joined) {
			break
		}
	}
	createBurst(t, c, n)
	// A sentinel after the burst shows each listener is still reading; it
	// may be lost in an overrun too, so another follows until each has
	// seen one.
	got := make([]*burstResult, len(results))
	for i := 0; ; i++ {
		p := icmpFlow(2)
		p.Orig.Dst = netip.AddrFrom4([4]byte{198, 18, byte(5 + i/256), byte(i)})
		p.Reply.Src = p.Orig.Dst
		if err := c.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		done := true
		for j, rc := range results {
			if got[j] != nil {
				continue
			}
			select {
			case r := <-rc:
				got[j] = &r
			case <-time.After(20 * time.Millisecond):
				done = false
			}
		}
		if done {
			break
		}
	}
	for i, r := range got {
		t.Logf("listener %d: %d of %d NEW events delivered, %d overruns reported", i, r.delivered, n, r.overruns)
		if r.err != nil || !r.sentinel {
			t.Fatalf("listener %d stopped: %v", i, r.err)
		}
		if r.dups != 0 {
			t.Errorf("listener %d: %d events delivered twice", i, r.dups)
		}
		if r.delivered < n && r.overruns == 0 {
			t.Errorf("listener %d: %d events lost without an overrun in the stream", i, n-r.delivered)
		}
	}
	s, err := c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Entries < n {
		t.Errorf("the table has %d entries, want at least %d", s.Entries, n)
	}
}

type burstResult struct {
	delivered, overruns, dups int
	sentinel                  bool
	err                       error
}

// waitJoined reports whether every listener saw a probe, after waiting
// a little for those that did not yet.
func waitJoined(joined []chan struct{}) bool {
	for _, j := range joined {
		select {
		case <-j:
		case <-time.After(20 * time.Millisecond):
			return false
		}
	}
	return true
}

// listenBurst counts the NEW events of the burst that ev receives, and
// the overruns, until the sentinel (ICMP id 2) comes.
func listenBurst(ctx context.Context, ev *conntrack.Conn, n int, joined chan struct{}, res chan<- burstResult) {
	var r burstResult
	seen := make([]bool, n)
	for e, err := range ev.Events(ctx, conntrack.GroupNew) {
		switch {
		case errors.Is(err, netlink.ErrOverrun):
			r.overruns++
			continue
		case err != nil:
			r.err = err
			res <- r
			return
		}
		o := e.Flow.Orig
		if o.Proto == 1 { // a probe or the sentinel
			if o.ICMPID == 1 {
				select {
				case <-joined:
				default:
					close(joined)
				}
			}
			if o.ICMPID == 2 {
				r.sentinel = true
				res <- r
				return
			}
			continue
		}
		i := int(o.Src.As4()[3])*60000 + int(o.SrcPort) - 1024
		if i < 0 || i >= n {
			r.err = errors.New("an event for an entry the test did not make: " + o.String())
			res <- r
			return
		}
		if seen[i] {
			r.dups++
		}
		seen[i] = true
		r.delivered++
	}
	r.err = ctx.Err()
	res <- r
}
