//go:build linux

package conntrack_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/nlkit/netlink/netfilter/conntrack"
)

func TestExpectations(t *testing.T) {
	ns := plainNS(t)
	c := dialCT(t, ns)
	ctx := testCtx(t)
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
}
