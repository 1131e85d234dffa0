package conntracktest_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter/conntrack"
	"github.com/nlkit/netlink/netfilter/conntrack/conntracktest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func tcp(sport uint16, mark uint32) *conntrack.Flow {
	a, b := netip.MustParseAddr("198.18.1.1"), netip.MustParseAddr("198.18.1.2")
	return &conntrack.Flow{
		Orig:    conntrack.Tuple{Src: a, Dst: b, Proto: 6, SrcPort: sport, DstPort: 80},
		Reply:   conntrack.Tuple{Src: b, Dst: a, Proto: 6, SrcPort: 80, DstPort: sport},
		Status:  conntrack.StatusSeenReply | conntrack.StatusAssured,
		Timeout: 300, Mark: mark,
		TCP: conntrack.TCPInfo{State: conntrack.TCPEstablished},
	}
}

func udp6(sport uint16) *conntrack.Flow {
	a, b := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	return &conntrack.Flow{
		Orig:    conntrack.Tuple{Src: a, Dst: b, Proto: 17, SrcPort: sport, DstPort: 53},
		Reply:   conntrack.Tuple{Src: b, Dst: a, Proto: 17, SrcPort: 53, DstPort: sport},
		Timeout: 30,
	}
}

func list(t *testing.T, c *conntrack.Conn, f conntrack.Filter) []uint16 {
	t.Helper()
	var ports []uint16
	for fl, err := range c.Flows(context.Background(), f) {
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, fl.Orig.SrcPort)
	}
	return ports
}

func TestTable(t *testing.T) {
	k := conntracktest.New()
	c, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ev, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	events := make(chan string, 100)
	done := make(chan struct{})
	for _, g := range []conntrack.Group{conntrack.GroupNew, conntrack.GroupUpdate, conntrack.GroupDestroy} {
		if err := ev.NL.JoinGroup(uint32(g)); err != nil { // before the changes: Events joins them again
			t.Fatal(err)
		}
	}
	go func() {
		defer close(done)
		for e, err := range ev.Events(ctx) {
			if err != nil {
				return
			}
			events <- fmt.Sprintf("%s %d mark=%d", e.Type, e.Flow.Orig.SrcPort, e.Flow.Mark)
		}
	}()

	for _, f := range []*conntrack.Flow{tcp(1, 7), tcp(2, 0x107), tcp(3, 8), udp6(4)} {
		if err := c.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Create(ctx, tcp(1, 7)); !errors.Is(err, syscall.EEXIST) {
		t.Errorf("second Create: %v, want EEXIST", err)
	}
	traffic := *tcp(5, 0)
	traffic.Status = 0 // not assured
	k.Add(traffic)
	for _, tc := range []struct {
		f    conntrack.Filter
		want string
	}{
		{conntrack.Filter{}, "[1 2 3 4 5]"},
		{conntrack.Filter{Family: 10}, "[4]"},
		{conntrack.Filter{Mark: 7, MarkMask: 0xff}, "[1 2]"},
		{conntrack.Filter{Family: 2, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Proto: 6, SrcPort: 3}, Match: conntrack.MatchProto | conntrack.MatchSrcPort}}, "[3]"},
		{conntrack.Filter{Status: conntrack.StatusAssured, StatusMask: conntrack.StatusAssured}, "[1 2 3]"},
	} {
		if got := fmt.Sprint(list(t, c, tc.f)); got != tc.want {
			t.Errorf("Flows(%+v) = %s, want %s", tc.f, got, tc.want)
		}
	}
	got, err := c.Get(ctx, tcp(2, 0))
	if err != nil || got.Mark != 0x107 || got.ID == 0 || got.Status&conntrack.StatusConfirmed == 0 {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	up := tcp(2, 0x42)
	up.Status, up.TCP, up.Timeout = 0, conntrack.TCPInfo{}, 0
	if err := c.Update(ctx, up); err != nil {
		t.Fatal(err)
	}
	stale := got
	stale.ID++
	if err := c.Delete(ctx, &stale); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("Delete with another ID: %v", err)
	}
	if err := c.Delete(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteMatching(ctx, conntrack.Filter{Mark: 7, MarkMask: 0xff}); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(list(t, c, conntrack.Filter{})); got != "[3 5]" {
		t.Errorf("after the deletes: %s", got)
	}
	s, err := c.Stats(ctx)
	if err != nil || s.Entries != 2 {
		t.Errorf("Stats = %+v, %v", s, err)
	}
	if err := c.Create(ctx, &conntrack.Flow{Orig: tcp(9, 0).Orig, Timeout: 5}); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("a Create without a reply tuple: %v", err)
	}

	want := []string{"NEW 1 mark=7", "NEW 2 mark=263", "NEW 3 mark=8", "NEW 4 mark=0", "NEW 5 mark=0", "UPDATE 2 mark=66", "DESTROY 2 mark=66", "DESTROY 1 mark=7", "DESTROY 4 mark=0"}
	for i, w := range want {
		select {
		case got := <-events:
			if got != w {
				t.Errorf("event %d: %q, want %q", i, got, w)
			}
		case <-ctx.Done():
			t.Fatalf("event %d: none, want %q", i, w)
		}
	}
	cancel()
	<-done
}

// TestMirrorOnFakeKernel runs a Mirror on the fake table, through an
// overrun of its event socket.
func TestMirrorOnFakeKernel(t *testing.T) {
	k := conntracktest.New()
	c, _ := k.Dial(nil)
	defer c.Close()
	ev, _ := k.Dial(nil)
	list, _ := k.Dial(nil)
	m, err := conntrack.NewMirrorOn(ev, list, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	k.Add(*tcp(1, 0))
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	<-m.Ready()
	k.Netlink().Overrun(ev.NL)
	for i := range 10 {
		k.Add(*tcp(uint16(10+i), 0))
	}
	if err := c.Delete(ctx, tcp(1, 0)); err != nil {
		t.Fatal(err)
	}
	for m.Len() != 10 || func() bool { _, ok := m.Get(tcp(1, 0).Key()); return ok }() {
		select {
		case <-ctx.Done():
			t.Fatalf("mirror has %d entries, stats %+v", m.Len(), m.Stats())
		case <-time.After(time.Millisecond):
		}
	}
	if s := m.Stats(); s.Overruns == 0 || s.Listings < 2 {
		t.Errorf("Stats = %+v, want the overrun and a second listing", s)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
	_ = netlink.ErrOverrun
}
