//go:build linux

package conntrack_test

import (
	"context"

	"github.com/nlkit/netlink"
	"net/netip"
	"strings"
	"testing"

	"github.com/nlkit/netlink/netfilter/conntrack"
)

func TestExpectations(t *testing.T) {
	ns := plainNS(t)
	c := dialCT(t, ns)
	ctx := testCtx(t)
	// A listener of the entries' and the expectations' events, joined
	// before the master entry is made: the kernel gives an entry its
	// event masks when it is made, and only while a socket listens to
	// the groups of entries (sysctl net.netfilter.nf_conntrack_events=2).
	ev, err := conntrack.Dial(&netlink.Config{NetNS: ns.Path, Groups: []uint32{uint32(conntrack.GroupNew), uint32(conntrack.GroupExpectNew), uint32(conntrack.GroupExpectDestroy)}})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	evCtx, stop := context.WithCancel(ctx)
	defer stop()
	evs := make(chan conntrack.EventType, 10)
	go func() {
		defer close(evs)
		for e, err := range ev.Events(evCtx, conntrack.GroupExpectNew) {
			if err != nil {
				return
			}
			if e.Expect != nil && e.Expect.Tuple.DstPort == 20000 {
				evs <- e.Type
			}
		}
	}()

	// The kernel takes expectations of a connection with a helper: an
	// FTP control connection, whose helper is set as it is created.
	master := tcpFlow(1000, 0)
	master.Orig.DstPort, master.Reply.SrcPort = 21, 21
	master.Helper = "ftp"
	if err := c.Create(ctx, master); err != nil {
		t.Fatal(err)
	}
	if lines := compareWithTool(t, ns, c, conntrack.Filter{}); !strings.Contains(strings.Join(lines, ""), "helper=ftp") {
		t.Errorf("conntrack -L shows no helper: %q", lines)
	}
	a, b := netip.MustParseAddr("198.18.1.1"), netip.MustParseAddr("198.18.1.2")
	ones := netip.MustParseAddr("255.255.255.255")
	x := &conntrack.Expect{
		Master:  master.Orig,
		Tuple:   conntrack.Tuple{Src: a, Dst: b, Proto: 6, SrcPort: 0, DstPort: 20000},
		Mask:    conntrack.Tuple{Src: ones, Dst: ones, Proto: 6, SrcPort: 0, DstPort: 0xffff},
		Timeout: 300,
	}
	if err := c.CreateExpectation(ctx, x); err != nil {
		t.Fatal(err)
	}
	out := inNSRun(t, ns, "conntrack", "-L", "expect")
	t.Logf("conntrack -L expect:\n%s", out)
	var got []conntrack.Expect
	for e, err := range c.Expectations(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Clone())
	}
	if len(got) != 1 {
		t.Fatalf("Expectations = %+v", got)
	}
	g := got[0]
	t.Logf("%+v", g)
	if g.Helper != "ftp" {
		t.Errorf("expectation's helper %q, want ftp", g.Helper)
	}
	if g.Tuple.Dst != b || g.Tuple.DstPort != 20000 || g.Master != master.Orig || g.ID == 0 || g.Timeout == 0 || g.Timeout > 300 {
		t.Errorf("listed %+v", g)
	}
	for _, want := range []string{"proto=6 src=198.18.1.1 dst=198.18.1.2 sport=0 dport=20000", "mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535", "master-src=198.18.1.1 master-dst=198.18.1.2 sport=1000 dport=21"} {
		if !strings.Contains(out, want) {
			t.Errorf("conntrack -L expect lacks %q", want)
		}
	}
	if err := c.DeleteExpectation(ctx, &g); err != nil {
		t.Fatal(err)
	}
	if out := inNSRun(t, ns, "conntrack", "-L", "expect"); strings.Contains(out, "dport=20000") {
		t.Errorf("after DeleteExpectation, conntrack -L expect shows:\n%s", out)
	}
	var types []conntrack.EventType
	for len(types) < 2 {
		ty, ok := <-evs
		if !ok {
			break
		}
		types = append(types, ty)
	}
	if len(types) != 2 || types[0] != conntrack.EventExpectNew || types[1] != conntrack.EventExpectDestroy {
		t.Errorf("expectation events %v, want [EXP_NEW EXP_DESTROY]", types)
	}
}
