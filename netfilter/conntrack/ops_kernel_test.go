//go:build linux

package conntrack_test

import (
	"errors"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/netfilter/conntrack"
)

// tcpFlow is an established TCP entry from 198.18.1.1:sport to
// 198.18.1.2:80.
func tcpFlow(sport uint16, mark uint32) *conntrack.Flow {
	src, dst := netip.MustParseAddr("198.18.1.1"), netip.MustParseAddr("198.18.1.2")
	return &conntrack.Flow{
		Orig:    conntrack.Tuple{Src: src, Dst: dst, Proto: 6, SrcPort: sport, DstPort: 80},
		Reply:   conntrack.Tuple{Src: dst, Dst: src, Proto: 6, SrcPort: 80, DstPort: sport},
		Status:  conntrack.StatusSeenReply | conntrack.StatusAssured,
		Timeout: 300,
		Mark:    mark,
		TCP:     conntrack.TCPInfo{State: conntrack.TCPEstablished},
	}
}

func udp6Flow(sport uint16, zone uint16) *conntrack.Flow {
	src, dst := netip.MustParseAddr("2001:db8::10"), netip.MustParseAddr("2001:db8::20")
	return &conntrack.Flow{
		Orig:    conntrack.Tuple{Src: src, Dst: dst, Proto: 17, SrcPort: sport, DstPort: 53},
		Reply:   conntrack.Tuple{Src: dst, Dst: src, Proto: 17, SrcPort: 53, DstPort: sport},
		Timeout: 300,
		Zone:    zone,
	}
}

func icmpFlow(id uint16) *conntrack.Flow {
	src, dst := netip.MustParseAddr("198.18.1.1"), netip.MustParseAddr("198.18.1.2")
	return &conntrack.Flow{
		Orig:    conntrack.Tuple{Src: src, Dst: dst, Proto: 1, ICMPType: 8, ICMPID: id},
		Reply:   conntrack.Tuple{Src: dst, Dst: src, Proto: 1, ICMPType: 0, ICMPID: id},
		Timeout: 300,
	}
}

func plainNS(t *testing.T) *nstest.NS {
	needTool(t, "conntrack")
	return nstest.New(t)
}

func TestCreateGetUpdateDelete(t *testing.T) {
	ns := plainNS(t)
	c := dialCT(t, ns)
	ctx := testCtx(t)
	flows := []*conntrack.Flow{tcpFlow(1000, 7), tcpFlow(1001, 0), udp6Flow(2000, 5), icmpFlow(77)}
	for _, f := range flows {
		if err := c.Create(ctx, f); err != nil {
			t.Fatalf("Create: %v", err)
		}
	}
	lines := compareWithTool(t, ns, c, conntrack.Filter{})
	if len(lines) != len(flows) {
		t.Fatalf("conntrack -L lists %d entries, want the %d created:\n%s", len(lines), len(flows), strings.Join(lines, "\n"))
	}
	joined := strings.Join(lines, "\n")
	for _, want := range []string{"ESTABLISHED src=198.18.1.1 dst=198.18.1.2 sport=1000 dport=80", "[ASSURED] mark=7", "zone=5", "type=8 code=0 id=77"} {
		if !strings.Contains(joined, want) {
			t.Errorf("conntrack -L does not show %q:\n%s", want, joined)
		}
	}

	// A second create of the same tuples is refused.
	if err := c.Create(ctx, tcpFlow(1000, 7)); !errors.Is(err, syscall.EEXIST) {
		t.Errorf("Create again: %v, want EEXIST", err)
	}

	got, err := c.Get(ctx, tcpFlow(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got.Mark != 7 || got.TCP.State != conntrack.TCPEstablished || got.ID == 0 || got.Orig != flows[0].Orig {
		t.Errorf("Get = %+v", got)
	}
	if _, err := c.Get(ctx, tcpFlow(999, 0)); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("Get of a missing entry: %v, want ENOENT", err)
	}

	// Update the mark: conntrack sees it.
	up := tcpFlow(1000, 0x42)
	up.Status, up.TCP, up.Timeout = 0, conntrack.TCPInfo{}, 0
	if err := c.Update(ctx, up); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if out := inNSRun(t, ns, "conntrack", "-L", "-p", "tcp", "--sport", "1000"); !strings.Contains(out, "mark=66") {
		t.Errorf("after Update, conntrack -L shows %q, want mark=66", out)
	}
	if err := c.Update(ctx, tcpFlow(999, 1)); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("Update of a missing entry: %v, want ENOENT", err)
	}

	// Delete with a stale ID leaves the entry alone; with its ID, removes
	// it and nothing else.
	stale := got
	stale.ID++
	if err := c.Delete(ctx, &stale); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("Delete with another ID: %v, want ENOENT", err)
	}
	if err := c.Delete(ctx, &got); err != nil {
		t.Fatal(err)
	}
	after := compareWithTool(t, ns, c, conntrack.Filter{})
	if len(after) != len(flows)-1 || strings.Contains(strings.Join(after, "\n"), "sport=1000 ") {
		t.Errorf("after Delete, conntrack -L lists:\n%s", strings.Join(after, "\n"))
	}
	if err := c.Delete(ctx, &got); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("Delete again: %v, want ENOENT", err)
	}

	// What conntrack -D deletes, we no longer list.
	inNSRun(t, ns, "conntrack", "-D", "-p", "icmp")
	for f, err := range c.Flows(ctx, conntrack.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if f.Orig.Proto == 1 {
			t.Errorf("conntrack -D deleted the ICMP entry, but Flows lists %v", f.Orig)
		}
	}
}

func TestCreateRefusedBeforeSending(t *testing.T) {
	c := &conntrack.Conn{} // no socket: a request that went out would panic
	ctx := testCtx(t)
	bad := []*conntrack.Flow{
		{},
		{Orig: conntrack.Tuple{Src: netip.MustParseAddr("198.18.1.1"), Dst: netip.MustParseAddr("2001:db8::1"), Proto: 6}},
		func() *conntrack.Flow { f := tcpFlow(1, 0); f.Timeout = 0; return f }(),
		func() *conntrack.Flow { f := tcpFlow(1, 0); f.Reply = conntrack.Tuple{}; return f }(),
	}
	for _, f := range bad {
		if err := c.Create(ctx, f); !errors.Is(err, syscall.EINVAL) || !errors.Is(err, os.ErrInvalid) {
			t.Errorf("Create(%+v) = %v, want EINVAL before sending", f, err)
		}
	}
	if err := c.DeleteMatching(ctx, conntrack.Filter{Orig: conntrack.TupleFilter{Match: conntrack.MatchSrc}}); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("a tuple filter without a family: %v", err)
	}
	if err := c.DeleteMatching(ctx, conntrack.Filter{Family: 2, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Proto: 6}, Match: conntrack.MatchDstPort}}); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("a port filter without MatchProto: %v", err)
	}
}

// filterWorld creates entries with marks, zones, families and states for
// the filter tests.
func filterWorld(t *testing.T, c *conntrack.Conn) {
	ctx := testCtx(t)
	flows := []*conntrack.Flow{tcpFlow(1000, 7), tcpFlow(1001, 0x107), tcpFlow(1002, 8), udp6Flow(2000, 5), udp6Flow(2001, 0), icmpFlow(77), icmpFlow(78)}
	flows[2].Status = 0 // not ASSURED
	flows[2].TCP.State = conntrack.TCPSynSent
	for _, f := range flows {
		if err := c.Create(ctx, f); err != nil {
			t.Fatalf("Create: %v", err)
		}
	}
}

func TestFlowsFilteredAsConntrackFilters(t *testing.T) {
	ns := plainNS(t)
	c := dialCT(t, ns)
	filterWorld(t, c)
	v4 := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	for _, tc := range []struct {
		f    conntrack.Filter
		tool []string
		n    int
	}{
		{conntrack.Filter{Family: 10}, []string{"-f", "ipv6"}, 2},
		{conntrack.Filter{Mark: 7, MarkMask: 0xff}, []string{"-m", "7/0xff"}, 2},
		{conntrack.Filter{Mark: 7, MarkMask: 0xffffffff}, []string{"-m", "7"}, 1},
		{conntrack.Filter{Zone: 5, HasZone: true}, []string{"-w", "5"}, 1},
		{conntrack.Filter{Status: conntrack.StatusAssured, StatusMask: conntrack.StatusAssured}, []string{"-u", "ASSURED"}, 2},
		{conntrack.Filter{Family: 2, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Proto: 6, SrcPort: 1001}, Match: conntrack.MatchProto | conntrack.MatchSrcPort}}, []string{"-p", "tcp", "--sport", "1001"}, 1},
		{conntrack.Filter{Family: 2, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Src: v4("198.18.1.1"), Proto: 1, ICMPID: 78}, Match: conntrack.MatchSrc | conntrack.MatchProto | conntrack.MatchICMPID}}, []string{"-s", "198.18.1.1", "-p", "icmp", "--icmp-id", "78"}, 1},
		{conntrack.Filter{Family: 2, Reply: conntrack.TupleFilter{Tuple: conntrack.Tuple{Proto: 6, SrcPort: 80}, Match: conntrack.MatchProto | conntrack.MatchSrcPort}}, []string{"-p", "tcp", "--reply-port-src", "80"}, 3},
		// Some kernels (6.1, 6.18.44) compare IPv6 addresses inverted
		// (they would list the entries of every other address): Flows
		// compares them itself.
		{conntrack.Filter{Family: 10, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Src: netip.MustParseAddr("2001:db8::10")}, Match: conntrack.MatchSrc}}, []string{"-s", "2001:db8::10"}, 2},
		{conntrack.Filter{Family: 10, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Src: netip.MustParseAddr("2001:db8::99")}, Match: conntrack.MatchSrc}}, []string{"-s", "2001:db8::99"}, 0},
	} {
		lines := compareWithTool(t, ns, c, tc.f, tc.tool...)
		if len(lines) != tc.n {
			t.Errorf("conntrack -L %s lists %d entries, want %d:\n%s", strings.Join(tc.tool, " "), len(lines), tc.n, strings.Join(lines, "\n"))
		}
	}
}

func TestDeleteMatching(t *testing.T) {
	ns := plainNS(t)
	c := dialCT(t, ns)
	ctx := testCtx(t)
	filterWorld(t, c)
	count := func() map[string]int {
		m := map[string]int{}
		for f, err := range c.Flows(ctx, conntrack.Filter{}) {
			if err != nil {
				t.Fatal(err)
			}
			m[strconv.Itoa(int(f.Orig.Proto))]++
			m["all"]++
		}
		return m
	}
	// Mark 7 under mask 0xff: the entries of marks 7 and 0x107 go.
	if err := c.DeleteMatching(ctx, conntrack.Filter{Mark: 7, MarkMask: 0xff}); err != nil {
		t.Fatal(err)
	}
	lines := compareWithTool(t, ns, c, conntrack.Filter{})
	if got := count(); got["all"] != 5 || got["6"] != 1 {
		t.Fatalf("after deleting mark 7/0xff: %v:\n%s", got, strings.Join(lines, "\n"))
	}
	// By an IPv6 address and a port: one of the two UDP entries goes.
	// (Some kernels compare IPv6 addresses inverted: DeleteMatching
	// deletes these entry by entry.)
	err := c.DeleteMatching(ctx, conntrack.Filter{Family: 10, Orig: conntrack.TupleFilter{
		Tuple: conntrack.Tuple{Src: netip.MustParseAddr("2001:db8::10"), Proto: 17, SrcPort: 2001},
		Match: conntrack.MatchSrc | conntrack.MatchProto | conntrack.MatchSrcPort}})
	if err != nil {
		t.Fatal(err)
	}
	if out := inNSRun(t, ns, "conntrack", "-L", "-p", "udp"); !strings.Contains(out, "sport=2000 ") || strings.Contains(out, "sport=2001 ") {
		t.Fatalf("after deleting 2001:db8::10 port 2001, conntrack -L -p udp shows:\n%s", out)
	}
	// By zone (which kernels before 6.8 ignore in a delete): the other UDP
	// entry, of zone 5, goes.
	if err := c.DeleteMatching(ctx, conntrack.Filter{Zone: 5, HasZone: true}); err != nil {
		t.Fatal(err)
	}
	if got := count(); got["all"] != 3 || got["17"] != 0 {
		t.Fatalf("after deleting zone 5: %v", got)
	}
	// Flush one family: the IPv4 entries stay.
	if err := c.Flush(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if got := count(); got["all"] != 3 || got["17"] != 0 {
		t.Fatalf("after flushing IPv6: %v", got)
	}
	// An ICMP identifier, by tuple filter.
	err = c.DeleteMatching(ctx, conntrack.Filter{Family: 2, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Proto: 1, ICMPID: 78}, Match: conntrack.MatchProto | conntrack.MatchICMPID}})
	if err != nil {
		t.Fatal(err)
	}
	if out := inNSRun(t, ns, "conntrack", "-L", "-p", "icmp"); !strings.Contains(out, "id=77") || strings.Contains(out, "id=78") {
		t.Fatalf("after deleting ICMP id 78, conntrack -L -p icmp shows:\n%s", out)
	}
	// By the reply's source, as for a backend gone: an entry between
	// other addresses stays.
	other := tcpFlow(4000, 0)
	other.Orig.Src, other.Orig.Dst = netip.MustParseAddr("198.18.1.5"), netip.MustParseAddr("198.18.1.6")
	other.Reply.Src, other.Reply.Dst = other.Orig.Dst, other.Orig.Src
	if err := c.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	err = c.DeleteMatching(ctx, conntrack.Filter{Family: 2, Reply: conntrack.TupleFilter{Tuple: conntrack.Tuple{Src: netip.MustParseAddr("198.18.1.2")}, Match: conntrack.MatchSrc}})
	if err != nil {
		t.Fatal(err)
	}
	if lines := compareWithTool(t, ns, c, conntrack.Filter{}); len(lines) != 1 || !strings.Contains(lines[0], "src=198.18.1.5 dst=198.18.1.6") {
		t.Fatalf("after deleting by reply source 198.18.1.2, conntrack -L lists:\n%s", strings.Join(lines, "\n"))
	}
	// Everything.
	if err := c.Flush(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if got := count(); got["all"] != 0 {
		t.Fatalf("after Flush: %v", got)
	}
}

func TestStats(t *testing.T) {
	ns := plainNS(t)
	c := dialCT(t, ns)
	ctx := testCtx(t)
	filterWorld(t, c)
	s, err := c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.TrimSpace(inNSRun(t, ns, "conntrack", "-C"))
	if strconv.Itoa(int(s.Entries)) != out || s.MaxEntries == 0 {
		t.Errorf("Stats = %+v; conntrack -C says %s", s, out)
	}
	cpus, err := c.CPUStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tool := strings.Split(strings.TrimSpace(inNSRun(t, ns, "conntrack", "-S")), "\n")
	if len(cpus) != len(tool) {
		t.Fatalf("CPUStats has %d CPUs, conntrack -S %d:\n%s", len(cpus), len(tool), strings.Join(tool, "\n"))
	}
	for i, line := range tool {
		line = strings.Join(strings.Fields(line), " ")
		want := "cpu=" + strconv.Itoa(int(cpus[i].CPU)) + " "
		if !strings.HasPrefix(line, want) {
			t.Errorf("conntrack -S line %d is %q, want it to start %q", i, line, want)
		}
		for _, kv := range []struct {
			k string
			v uint32
		}{{"found", cpus[i].Found}, {"invalid", cpus[i].Invalid}, {"insert", cpus[i].Insert}, {"insert_failed", cpus[i].InsertFailed}, {"drop", cpus[i].Drop}, {"early_drop", cpus[i].EarlyDrop}, {"error", cpus[i].Error}, {"search_restart", cpus[i].SearchRestart}, {"clash_resolve", cpus[i].ClashResolve}, {"chaintoolong", cpus[i].ChainTooLong}} {
			if f := " " + kv.k + "=" + strconv.Itoa(int(kv.v)) + " "; !strings.Contains(line+" ", f) {
				t.Errorf("conntrack -S line %q lacks %q", line, strings.TrimSpace(f))
			}
		}
	}
}
