//go:build linux

package conntrack_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/netfilter/conntrack"
)

// render prints f as conntrack -L -o extended,id does, with the timeout
// replaced by "T" (it counts down between two listings); the timeout is
// returned apart.
func render(f *conntrack.Flow) (string, uint32) { return renderLabels(f, false) }

// dccpStates are conntrack's names of DCCP's states (CT_DCCP_*).
var dccpStates = []string{"NONE", "REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ", "CLOSING", "TIME_WAIT", "IGNORE", "INVALID"}

// renderLabels is render, with the labels when labels is set, as
// conntrack -L -o extended,id,labels prints them by the names
// labelNames gives.
func renderLabels(f *conntrack.Flow, labels bool) (string, uint32) {
	var b strings.Builder
	fam := map[uint8]string{2: "ipv4", 10: "ipv6"}[f.Family]
	proto := map[uint8]string{1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 58: "icmpv6", 132: "sctp", 33: "dccp", 136: "udplite"}[f.Orig.Proto]
	if proto == "" {
		proto = "unknown"
	}
	fmt.Fprintf(&b, "%-8s %d %-8s %d T ", fam, f.Family, proto, f.Orig.Proto)
	switch {
	case f.Set&conntrack.FieldTCP != 0:
		fmt.Fprintf(&b, "%s ", f.TCP.State)
	case f.Set&conntrack.FieldSCTP != 0:
		fmt.Fprintf(&b, "%s ", f.SCTP.State)
	case f.Set&conntrack.FieldDCCP != 0:
		st := "UNKNOWN"
		if int(f.DCCP.State) < len(dccpStates) {
			st = dccpStates[f.DCCP.State]
		}
		fmt.Fprintf(&b, "%s ", st)
	}
	tuple := func(t conntrack.Tuple, c conntrack.Counters, hasCounters bool, zoneKey string) {
		fmt.Fprintf(&b, "%s ", t)
		if t.HasZone {
			fmt.Fprintf(&b, "%s=%d ", zoneKey, t.Zone)
		}
		if hasCounters {
			fmt.Fprintf(&b, "packets=%d bytes=%d ", c.Packets, c.Bytes)
		}
	}
	tuple(f.Orig, f.CountersOrig, f.Set&conntrack.FieldCountersOrig != 0, "zone-orig")
	if f.Status&conntrack.StatusSeenReply == 0 {
		b.WriteString("[UNREPLIED] ")
	}
	tuple(f.Reply, f.CountersReply, f.Set&conntrack.FieldCountersReply != 0, "zone-reply")
	if f.Status&conntrack.StatusAssured != 0 {
		b.WriteString("[ASSURED] ")
	}
	if f.Status&conntrack.StatusOffload != 0 {
		b.WriteString("[OFFLOAD] ")
	}
	if f.Status&conntrack.StatusHWOffload != 0 {
		b.WriteString("[HW_OFFLOAD] ")
	}
	if f.Set&conntrack.FieldMark != 0 {
		fmt.Fprintf(&b, "mark=%d ", f.Mark)
	}
	if f.SecCtx != "" {
		fmt.Fprintf(&b, "secctx=%s ", f.SecCtx)
	}
	if f.Set&conntrack.FieldZone != 0 {
		fmt.Fprintf(&b, "zone=%d ", f.Zone)
	}
	if f.Start != 0 {
		b.WriteString("delta-time=D ") // seconds since Start: a time, not compared
	}
	if f.Helper != "" {
		fmt.Fprintf(&b, "helper=%s ", f.Helper)
	}
	if f.Set&conntrack.FieldUse != 0 {
		fmt.Fprintf(&b, "use=%d ", f.Use)
	}
	fmt.Fprintf(&b, "id=%d", f.ID)
	if labels {
		var names []string
		for i, by := range f.Labels {
			for j := range 8 {
				if by&(1<<j) != 0 {
					names = append(names, labelName(i*8+j))
				}
			}
		}
		if len(names) > 0 {
			fmt.Fprintf(&b, " labels=%s", strings.Join(names, ","))
		}
	}
	return b.String(), f.Timeout
}

// labelName is the name the test gives label bit i in connlabel.conf.
// The kernel keeps the bits in unsigned longs of the host's byte order,
// and so does libnetfilter_conntrack (in 32-bit words); on the
// little-endian machines the tests run on, bit i is bit i%8 of byte i/8.
func labelName(i int) string { return fmt.Sprintf("l%d", i) }

// toolLines lists the table with conntrack -L -o extended,id, each line
// with its timeout (the fifth field) replaced by "T" and returned apart.
func toolLines(t *testing.T, ns *nstest.NS, labels bool, args ...string) (lines []string, timeouts []uint32) {
	t.Helper()
	var out string
	if labels {
		out = toolWithLabels(t, ns, append([]string{"-L", "-o", "extended,id,labels"}, args...)...)
	} else {
		out = inNSRun(t, ns, append([]string{"conntrack", "-L", "-o", "extended,id"}, args...)...)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		fs := strings.Fields(l)
		if len(fs) < 6 {
			t.Fatalf("conntrack printed %q", l)
		}
		to, err := strconv.ParseUint(fs[4], 10, 32)
		if err != nil {
			t.Fatalf("conntrack printed %q: timeout: %v", l, err)
		}
		// Normalise the column padding as render writes it.
		fs[0] = fmt.Sprintf("%-8s", fs[0])
		fs[2] = fmt.Sprintf("%-8s", fs[2])
		fs[4] = "T"
		for i, f := range fs {
			if strings.HasPrefix(f, "delta-time=") {
				fs[i] = "delta-time=D"
			}
		}
		lines = append(lines, strings.Join(fs, " "))
		timeouts = append(timeouts, uint32(to))
	}
	return lines, timeouts
}

// ourLines lists the table with Flows, rendered.
func ourLines(t *testing.T, c *conntrack.Conn, f conntrack.Filter, labels bool) (lines []string, timeouts map[string]uint32) {
	t.Helper()
	timeouts = map[string]uint32{}
	for fl, err := range c.Flows(testCtx(t), f) {
		if err != nil {
			t.Fatal(err)
		}
		l, to := renderLabels(fl, labels)
		lines = append(lines, l)
		timeouts[l] = to
	}
	return lines, timeouts
}

// compareWithTool checks that Flows(f) lists what conntrack -L args
// lists, field for field; each timeout conntrack printed must lie between
// the ones two listings of ours, before and after, saw.
func compareWithTool(t *testing.T, ns *nstest.NS, c *conntrack.Conn, f conntrack.Filter, args ...string) []string {
	t.Helper()
	return compareWith(t, ns, c, f, false, args...)
}

// compareWithToolLabels is compareWithTool with the labels, which
// conntrack prints by the names of a connlabel.conf (see
// toolWithLabels).
func compareWithToolLabels(t *testing.T, ns *nstest.NS, c *conntrack.Conn, f conntrack.Filter, args ...string) []string {
	t.Helper()
	return compareWith(t, ns, c, f, true, args...)
}

func compareWith(t *testing.T, ns *nstest.NS, c *conntrack.Conn, f conntrack.Filter, labels bool, args ...string) []string {
	t.Helper()
	before, tb := ourLines(t, c, f, labels)
	theirs, tt := toolLines(t, ns, labels, args...)
	after, ta := ourLines(t, c, f, labels)
	// Norm the padding of our lines as toolLines does.
	norm := func(ls []string) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = strings.Join(strings.Fields(l), " ")
		}
		slices.Sort(out)
		return out
	}
	b, th, a := norm(before), slices.Clone(theirs), norm(after)
	for i := range th {
		th[i] = strings.Join(strings.Fields(th[i]), " ")
	}
	slices.Sort(th)
	if !slices.Equal(b, th) || !slices.Equal(a, th) {
		t.Fatalf("listings differ:\nours before:\n\t%s\nconntrack -L:\n\t%s\nours after:\n\t%s",
			strings.Join(b, "\n\t"), strings.Join(th, "\n\t"), strings.Join(a, "\n\t"))
	}
	for i, l := range theirs {
		for k, v := range tb {
			if strings.Join(strings.Fields(k), " ") == strings.Join(strings.Fields(l), " ") {
				if w := ta[k]; tt[i] > v || tt[i] < w {
					t.Errorf("%s: conntrack's timeout %d is not between ours, %d before and %d after", l, tt[i], v, w)
				}
			}
		}
	}
	return th
}

func TestListMatchesConntrackTool(t *testing.T) {
	p := newPair(t)
	for _, args := range [][]string{
		{"-p", "tcp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--sport", "1000", "--dport", "80", "--state", "ESTABLISHED", "-t", "300", "-u", "ASSURED,SEEN_REPLY", "-m", "7"},
		{"-p", "udp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--sport", "1000", "--dport", "53", "-t", "300", "-w", "5"},
		{"-p", "icmp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--icmp-type", "8", "--icmp-code", "0", "--icmp-id", "77", "-t", "300"},
		{"-p", "icmpv6", "-s", "2001:db8::10", "-d", "2001:db8::20", "--icmpv6-type", "128", "--icmpv6-code", "0", "--icmpv6-id", "9", "-t", "300"},
		{"-p", "tcp", "-s", "2001:db8::10", "-d", "2001:db8::20", "--sport", "5", "--dport", "6", "--state", "SYN_SENT", "-t", "300"},
		{"-p", "udp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--sport", "7", "--dport", "8", "-t", "300", "--orig-zone", "3"},
		{"-p", "udp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--sport", "17", "--dport", "18", "-t", "300", "--reply-zone", "4"},
		{"-p", "sctp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--sport", "9", "--dport", "10", "--state", "ESTABLISHED", "--orig-vtag", "11", "--reply-vtag", "12", "-t", "300"},
	} {
		inNSRun(t, p.a, append([]string{"conntrack", "-I"}, args...)...)
	}
	p.traffic(t)
	c := dialCT(t, p.a)
	lines := compareWithTool(t, p.a, c, conntrack.Filter{})
	t.Logf("%d entries:\n\t%s", len(lines), strings.Join(lines, "\n\t"))
	for _, want := range []string{"[ASSURED]", "zone=5", "zone-orig=3", "zone-reply=4", "icmpv6", "type=8", "packets=", "dport=80", "dport=8080", "dst=198.18.0.3", "sctp", "delta-time"} {
		if !strings.Contains(strings.Join(lines, "\n"), want) {
			t.Errorf("no entry has %q: the test made fewer kinds of entries than it means to", want)
		}
	}
}

// toolWithLabels runs conntrack with args in ns, with an
// /etc/xtables/connlabel.conf that names each label bit i labelName(i):
// in a mount namespace of its own, over an overlay of /etc whose upper
// layer is a temporary directory, so that the host's /etc is not touched.
func toolWithLabels(t *testing.T, ns *nstest.NS, args ...string) string {
	t.Helper()
	needTool(t, "unshare")
	dir := t.TempDir()
	upper, work := filepath.Join(dir, "upper"), filepath.Join(dir, "work")
	if err := os.MkdirAll(filepath.Join(upper, "xtables"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	var conf strings.Builder
	for i := range 128 {
		fmt.Fprintf(&conf, "%d %s\n", i, labelName(i))
	}
	if err := os.WriteFile(filepath.Join(upper, "xtables", "connlabel.conf"), []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `mount --make-rprivate / && mount -t overlay overlay -o lowerdir=/etc,upperdir="$1",workdir="$2" /etc && shift 2 && exec ip netns exec "$@"`
	cmd := exec.Command("unshare", append([]string{"-m", "sh", "-c", script, "sh", upper, work, ns.Name, "conntrack"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("conntrack %s with a connlabel.conf: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}
