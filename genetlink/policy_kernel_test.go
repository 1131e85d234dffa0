//go:build linux

package genetlink_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"golang.org/x/sys/unix"
)

// genlLines formats p as `genl ctrl policy` prints it, one line per op and
// per attribute, without the "ID: 0x.." prefix: genl knows the types up to
// BITFIELD32, and prints no masks.
func genlLines(p genetlink.Policy) []string {
	var lines []string
	for _, op := range p.Ops {
		s := fmt.Sprintf("op %d policies:", op.Command)
		if op.Do >= 0 {
			s += fmt.Sprintf(" do=%d", op.Do)
		}
		if op.Dump >= 0 {
			s += fmt.Sprintf(" dump=%d", op.Dump)
		}
		lines = append(lines, s)
	}
	for n, attrs := range p.Sets {
		for _, a := range attrs {
			s, _, _ := strings.Cut(a.String(), " mask:")
			s, _, _ = strings.Cut(s, " bitfield32 mask:")
			if a.Type > genetlink.TypeBitfield32 {
				s = strings.Replace(s, "type="+a.Type.String(), "type=unknown", 1)
			}
			lines = append(lines, fmt.Sprintf("policy[%d]:attr[%d]: %s", n, a.Attr, s))
		}
	}
	slices.Sort(lines)
	return lines
}

// TestPolicyMatchesGenl compares the policies of ethtool, netdev and nlctrl
// with what `genl ctrl policy name FAMILY` prints in the same namespace,
// with the default and with 4 KiB datagrams (ethtool's policy then spans
// many).
func TestPolicyMatchesGenl(t *testing.T) {
	t.Run("default", func(t *testing.T) { testPolicyMatchesGenl(t, nil) })
	t.Run("4KiB", func(t *testing.T) { testPolicyMatchesGenl(t, &netlink.Config{DatagramBuffer: 4096}) })
}

func testPolicyMatchesGenl(t *testing.T, cfg *netlink.Config) {
	c, ns := dial(t, cfg)
	for _, name := range []string{"ethtool", "netdev", "nlctrl"} {
		p, err := c.FamilyPolicy(context.Background(), name)
		if name == "netdev" && noNetdev(t, err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		f, err := c.Family(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if p.Family != f.ID {
			t.Errorf("%s: policy of family %#x, want %#x", name, p.Family, f.ID)
		}
		var want []string
		for _, line := range strings.Split(inNS(t, ns, "genl", "ctrl", "policy", "name", name), "\n") {
			if _, rest, ok := strings.Cut(line, "  "); ok && strings.HasPrefix(strings.TrimSpace(line), "ID:") {
				want = append(want, strings.TrimSpace(rest))
			}
		}
		slices.Sort(want)
		got := genlLines(p)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: policy differs from genl ctrl policy:\n%s", name, lineDiff(got, want))
		} else {
			t.Logf("%s: %d lines match genl ctrl policy", name, len(want))
		}
	}
}

func lineDiff(got, want []string) string {
	var b strings.Builder
	for _, l := range got {
		if !slices.Contains(want, l) {
			fmt.Fprintf(&b, "  ours only: %s\n", l)
		}
	}
	for _, l := range want {
		if !slices.Contains(got, l) {
			fmt.Fprintf(&b, "  genl only: %s\n", l)
		}
	}
	return b.String()
}

// TestPolicyOneOp reads the policy of ethtool's LINKINFO_GET and checks it
// against the kernel's documented attributes: a request header nest
// (ETHTOOL_A_LINKINFO_HEADER) holding a device index, a device name and
// flags.
func TestPolicyOneOp(t *testing.T) {
	c, _ := dial(t, nil)
	p, err := c.Policy(context.Background(), "ethtool", unix.ETHTOOL_MSG_LINKINFO_GET)
	if err != nil {
		t.Fatal(err)
	}
	op, ok := p.Op(unix.ETHTOOL_MSG_LINKINFO_GET)
	if len(p.Ops) != 1 || !ok || op.Do < 0 || op.Dump < 0 {
		t.Fatalf("ops %+v: want LINKINFO_GET alone, with a do and a dump", p.Ops)
	}
	attrs := p.Attrs(op.Do)
	if len(attrs) != 1 || attrs[0].Attr != unix.ETHTOOL_A_LINKINFO_HEADER || attrs[0].Type != genetlink.TypeNested || attrs[0].Has&genetlink.HasNested == 0 {
		t.Fatalf("LINKINFO_GET do takes %v, want the header nest alone", attrs)
	}
	hdr := map[uint16]string{}
	for _, a := range p.Attrs(int64(attrs[0].Nested)) {
		hdr[a.Attr] = a.String()
	}
	want := map[uint16]string{
		unix.ETHTOOL_A_HEADER_DEV_INDEX: "type=U32",
		unix.ETHTOOL_A_HEADER_DEV_NAME:  "type=NUL_STRING max len:127", // ALTIFNAMSIZ-1,
		unix.ETHTOOL_A_HEADER_FLAGS:     "type=U32 mask:",
	}
	for n, w := range want {
		if !strings.HasPrefix(hdr[n], w) {
			t.Errorf("header attribute %d: %q, want %q...", n, hdr[n], w)
		}
	}
	t.Logf("header: %v", hdr)
}

// TestPolicyDumpOnly reads the policy of a command that has a dump and no
// do (netdev's QSTATS_GET, 12): asked alone, the kernel names it.
func TestPolicyDumpOnly(t *testing.T) {
	c, _ := dial(t, nil)
	const qstatsGet = 12 // NETDEV_CMD_QSTATS_GET
	f, err := c.Family(context.Background(), "netdev")
	if noNetdev(t, err) {
		t.SkipNow()
	}
	if err != nil {
		t.Fatal(err)
	}
	if op, ok := f.Op(qstatsGet); !ok || op.Flags&(genetlink.CanDo|genetlink.CanDump) != genetlink.CanDump {
		t.Skipf("netdev command %d is %+v here, not dump-only", qstatsGet, op)
	}
	p, err := c.Policy(context.Background(), "netdev", qstatsGet)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Ops) != 1 || p.Ops[0].Command != qstatsGet || p.Ops[0].Do != -1 || p.Ops[0].Dump < 0 {
		t.Errorf("ops %+v: want command %d with a dump alone", p.Ops, qstatsGet)
	}
	t.Logf("%+v %v", p.Ops, p.Attrs(p.Ops[0].Dump))
}
