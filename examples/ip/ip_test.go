//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/nstest"
)

// corpus is run line by line through iproute2's ip in one namespace and
// through this program in another, which start alike; each line changes
// both the same way or reads both, so each must print the same thing,
// fail with the same words and exit with the same status.
var corpus = []string{
	// Errors before anything exists.
	"foo",
	"-x link",
	"-det -js link show lo",
	"link foo",
	"addr foo",
	"route foo",
	"neigh foo",
	"rule foo",
	"link show dev nosuch0",
	"addr show dev nosuch0",
	"link set nosuch0 up",
	"link del nosuch0",
	"link add v2",
	"link add v2 type nosuchkind",
	// Links.
	"link add v0 type veth peer name v1",
	"link add v0 type veth peer name v1",
	"link set v0 address 02:00:00:00:00:a0",
	"link set v1 address 02:00:00:00:00:a1",
	"link show",
	"link set v0 up",
	"link set dev v1 up",
	"link set v0 mtu 1400",
	"link set v0 mtu abc",
	"link set v0 mtu 100000",
	"link set v0 foo",
	"link show dev v0",
	"link show v1",
	"link show v0 v1",
	"-j link show",
	"-json link show dev v0",
	"link add br0 type bridge",
	"link set br0 address 02:00:00:00:00:b0",
	"link set v1 master br0",
	"link show",
	"-j link show dev v1",
	"-j -d link show dev br0",
	"link set v1 nomaster",
	"link add mv0 link v0 type macvlan mode bridge",
	"link add mv1 link v0 type macvlan mode foo",
	"link set mv0 address 02:00:00:00:00:c0",
	"-j -d link show dev mv0",
	"link add vx0 type vxlan id 42 dstport 4789 remote 198.18.0.9 local 198.18.0.1 dev v0",
	"link set vx0 address 02:00:00:00:00:d0",
	"-d -j link show dev vx0",
	"link set mv0 name mv9",
	"link show mv9",
	"link del mv9",
	"link show up",
	"link show type veth",
	"link -json",
	"link show -j",
	"link show master nosuch",
	"l s v0",
	"link set",
	"link del",
	"link set v0 master nosuch",
	"link set v0 name",
	"link add v3 type veth peer name",
	"link add x0 type vxlan id abc",
	"link add x0 type vxlan id 99999999",
	"link add x0 type vxlan id 5 dstport abc",
	"link add x0 type vxlan id 5 remote foo",
	"link add x0 type vxlan id 5 dev nosuch",
	"link add x0 link nosuch type macvlan",
	"link add x0 mtu abc type bridge",
	"link add x0 address zz type bridge",
	// Addresses.
	"addr add 198.18.0.1/24 dev v0",
	"addr add 198.18.0.1/24 dev v0",
	"addr add 198.18.0.3 dev v0",
	"addr add 198.18.0.4/24 brd + dev v0 label v0:1",
	"addr add 198.18.0.5/24 brd 198.18.0.255 dev v0 valid_lft 100 preferred_lft 50",
	"addr add 2001:db8::1/64 dev v0",
	"addr add 10.0.0.1/33 dev v0",
	"addr add foo dev v0",
	"addr add 198.18.0.6/24",
	"addr add 198.18.0.6/24 dev nosuch0",
	"-4 addr add 2001:db8::9/64 dev v0",
	"addr show",
	"addr show dev v0",
	"-4 addr show",
	"-6 addr show",
	"-j addr show",
	"-j -6 addr show dev v0",
	"addr del 198.18.0.77/24 dev v0",
	"addr del 198.18.0.4/24 dev v0",
	"addr show v0",
	"a s dev v0",
	"addr show dev v0 foo",
	"addr add 198.18.0.7/24 dev v0 scope foo",
	"addr add 198.18.0.7/24 dev v0 valid_lft abc",
	"addr add 198.18.0.7/24 dev v0 valid_lft 10",
	"addr add 198.18.0.7/24 dev v0 metric abc",
	"addr add 198.18.0.7/24 198.18.0.8/24 dev v0",
	"-6 addr add 198.18.0.7/24 dev v0",
	"addr add 198.18.0.7/24 dev v0 metric 50 scope link",
	"-j addr show dev v0",
	"addr replace 198.18.0.7/24 dev v0 metric 60",
	"addr show dev v0",
	"addr del 198.18.0.7/24 dev v0",
	// Routes.
	"route add 198.19.0.0/24 via 198.18.0.2",
	"route add 198.19.0.0/24 via 198.18.0.2",
	"route add 198.19.1.0/24 via 198.20.0.2",
	"route add 198.19.3.0/24 dev v0 metric 10 proto static scope link src 198.18.0.1 table 100",
	"route add blackhole 198.19.9.0/24",
	"route add unreachable 198.19.10.0/24 metric 5",
	"route add prohibit 198.19.11.0/24",
	"route replace 198.19.11.0/24 dev v0",
	"route add 2001:db8:1::/64 via 2001:db8::2",
	"route get 198.51.100.1",
	"route add default via 198.18.0.254",
	"route add 198.19.4.0/33 dev v0",
	"route add 198.19.4.0/24 via foo",
	"route add 198.19.4.0/24 dev nosuch0",
	"route add 2001:db8:2::1/64 dev v0",
	"route add throw 198.19.12.0/24",
	"route add 198.19.13.0/24 via 198.18.0.9 dev v0 onlink",
	"route add local 198.19.14.1 dev v0 table local",
	"route add 198.19.15.0/24 dev v0 table 0",
	"route add 198.19.16.0/24 via 198.18.0.2 proto 99 metric 7",
	"-j route show table 100",
	"route show table local",
	"-j route show table local",
	"route show",
	"route",
	"route show table 100",
	"route show table all",
	"route show dev v0",
	"route show table nosuch",
	"-6 route show",
	"-j route show",
	"-j route show table all",
	"-j -6 route",
	"route get 198.19.0.5",
	"route get 198.18.0.1",
	"route get 198.51.100.1",
	"-j route get 198.19.0.5",
	"-d route show",
	"-d -j route show",
	"-d -6 route show table all",
	"route get fibmatch 198.19.0.1",
	"route del 198.19.11.0/24",
	"route del 198.19.5.0/24",
	"route del default",
	"route show",
	"route show foo",
	"route show 198.18.0.0/24",
	"route show root 198.18.0.0/16",
	"route show match 198.19.0.77",
	"route show exact 198.19.0.0/24",
	"route add 198.19.6.0/24 dev v0 scope foo",
	"route add 198.19.6.0/24 dev v0 metric x",
	"route add 198.19.6.0/24 dev v0 proto foo",
	"route add 198.19.6.0/24 198.19.7.0/24",
	"route add 198.19.6.0/24 via 2001:db8::1",
	"route add to",
	"route get",
	"route get foo",
	"route get 198.18.0.1 iif nosuch",
	"-4 route get 2001:db8::1",
	"-6 route get 2001:db8:1::1",
	"-j -6 route get 2001:db8:1::1",
	"route get 198.19.0.9 from 198.18.0.1 oif v0",
	"r",
	// Neighbours.
	"neigh add 198.18.0.5 lladdr 02:00:00:00:00:05 dev v0",
	"neigh add 198.18.0.5 lladdr 02:00:00:00:00:05 dev v0",
	"neigh add 198.18.0.6 lladdr 02:00:00:00:00:06 dev v0 nud stale",
	"neigh add 198.18.0.7 dev v0 nud bogus",
	"neigh add 198.18.0.8 lladdr zz dev v0",
	"neigh add 198.18.0.8 lladdr 02:00:00:00:00:08",
	"neigh add 2001:db8::5 lladdr 02:00:00:00:00:15 dev v0 router",
	"neigh show",
	"neigh show dev v0",
	"-4 neigh show",
	"-j neigh show",
	"-d neigh show",
	"neigh replace 198.18.0.6 lladdr 02:00:00:00:00:16 dev v0",
	"neigh del 198.18.0.5 dev v0",
	"neigh del 198.18.0.9 dev v0",
	"neigh",
	"n",
	"neigh show foo",
	"neigh show 198.18.0.6",
	"neigh add 198.18.0.9 dev v0 lladdr",
	"neigh add 198.18.0.1 198.18.0.2 dev v0",
	// Rules.
	"rule add from 198.18.0.0/24 lookup 100 prio 1000",
	"rule add fwmark 0x1 table 100",
	"rule add from 198.18.1.0/24 to 198.19.0.0/16 iif v0 oif v1 fwmark 0x10/0xff table 200 prio 500",
	"rule add prio 600 unreachable",
	"rule add prio 601 blackhole",
	"rule add prio 602 prohibit",
	"rule add not from 198.18.2.0/24 lookup main prio 700",
	"rule add prio 800 lookup foo",
	"rule add bogus",
	"rule show",
	"-j rule show",
	"-6 rule show",
	"-d rule show",
	"rule del prio 601",
	"rule del prio 7777",
	"rule",
	"ru",
	"rule show foo",
	"rule show from 198.18.0.0/24",
	"rule add fwmark abc",
	"rule add fwmark 1/abc",
	"rule add prio abc",
	"rule add tos zz",
	"rule add goto abc",
	"rule add iif",
	"rule add prio 900 goto 1000",
	"rule add prio 901 iif v0 oif v1 table 100",
	"rule show",
	"-j rule show",
	"rule del prio 900",
	"rule del prio 901",
	"-6 rule add from 2001:db8::/64 lookup 100 prio 100",
	"-6 rule show",
	"-6 -j rule",
	"-6 rule del from 2001:db8::/64 lookup 100",
	"monitor foo",
	// Links going away take their addresses and routes.
	"link set v0 down",
	"route show",
	"link del v0",
	"link show",
	"addr show",
}

// omittable are the keys ip -j prints that this program does not: the
// link's qdisc, link mode and group, and the uid of route get, which
// package rtnetlink does not decode.
var omittable = []string{"qdisc", "linkmode", "group", "uid"}

// normalise makes ip's text output comparable with ours, for what ip
// prints that this program deliberately does not model:
//   - the trailing spaces that ip leaves after the last field of many lines;
//   - "qdisc Q", "mode M" and "group G" in link lines (package rtnetlink
//     decodes none of IFLA_QDISC, IFLA_LINKMODE, IFLA_GROUP);
//   - "uid N" in route get (RTA_UID, not decoded);
//   - remaining lifetimes ("97sec"), which tick between the two runs;
//   - "@NONE" after the name of a link whose IFLA_LINK is 0 (a veth end
//     created before its peer): rtnetlink.Link's ParentIndex is 0 both
//     then and when there is no IFLA_LINK, where ip prints nothing.
func normalise(s string, ip bool) string {
	if ip {
		s = linkExtras.ReplaceAllString(s, "")
		s = uid.ReplaceAllString(s, "")
	}
	s = seconds.ReplaceAllString(s, "Nsec")
	s = trailing.ReplaceAllString(s, "")
	return s
}

var (
	linkExtras = regexp.MustCompile(` (qdisc|mode|group) \S+|@NONE`)
	uid        = regexp.MustCompile(` uid \d+`)
	seconds    = regexp.MustCompile(`\b\d+sec\b`)
	trailing   = regexp.MustCompile(`(?m)[ \t]+$`)
)

// hasOption reports whether a command line has the global option opt,
// whole or abbreviated ("-j", "-js" for "-json").
func hasOption(line, opt string) bool {
	for _, w := range strings.Fields(line) {
		if !strings.HasPrefix(w, "-") {
			return false // options come first
		}
		if len(w) > 1 && strings.HasPrefix(opt, w) {
			return true
		}
	}
	return false
}

// sortLines sorts the lines of a text, or the elements of a JSON array.
func sortLines(s string) string {
	var list []any
	if json.Unmarshal([]byte(s), &list) == nil {
		slices.SortFunc(list, func(a, b any) int {
			x, _ := json.Marshal(a)
			y, _ := json.Marshal(b)
			return strings.Compare(string(x), string(y))
		})
		b, _ := json.Marshal(list)
		return string(b)
	}
	lines := strings.SplitAfter(s, "\n")
	slices.Sort(lines)
	return strings.Join(lines, "")
}

// ourIP builds the program and returns its path.
func ourIP(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build the example with")
	}
	bin := filepath.Join(t.TempDir(), "ip")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// result is what a command did.
type result struct {
	stdout, stderr string
	code           int
}

func runCmd(t *testing.T, bin, ns, line string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	args := strings.Fields(line)
	// Global options first, then the namespace, as ip takes them.
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "-x" {
		i++
	}
	args = append(append(slices.Clone(args[:i]), "-n", ns), args[i:]...)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %s: %v", bin, line, err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// prepare makes a fresh namespace predictable: no IPv6 link-local
// addresses (their addresses and routes would come and go with DAD) and
// no duplicate address detection.
func prepare(t *testing.T, ns *nstest.NS) {
	t.Helper()
	for _, kv := range []string{
		"net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
		"net.ipv6.conf.default.addr_gen_mode=1",
	} {
		if out, err := exec.Command("ip", "netns", "exec", ns.Name, "sysctl", "-q", "-w", kv).CombinedOutput(); err != nil {
			t.Fatalf("sysctl %s: %v: %s", kv, err, out)
		}
	}
}

func TestCorpus(t *testing.T) {
	theirs, ours := nstest.New(t), nstest.New(t)
	bin := ourIP(t)
	prepare(t, theirs)
	prepare(t, ours)
	omitted := map[string]bool{}
	same, printed, failed := 0, 0, 0
	for _, line := range corpus {
		want := runCmd(t, "ip", theirs.Name, line)
		got := runCmd(t, bin, ours.Name, line)
		if slices.Contains(strings.Fields(line), "neigh") {
			// The kernel lists neighbours in the order of a hash
			// whose seed is random, so two namespaces differ.
			want.stdout, got.stdout = sortLines(want.stdout), sortLines(got.stdout)
		}
		switch {
		case want.code != 0:
			failed++
		case want.stdout != "":
			printed++
		}
		if testing.Verbose() {
			t.Logf("ip %s: exit %d\n%s%s", line, want.code, want.stdout, want.stderr)
		}
		ok := true
		if got.code != want.code || got.stderr != want.stderr {
			t.Errorf("ip %s:\nip:   exit %d, stderr %q\nours: exit %d, stderr %q", line, want.code, want.stderr, got.code, got.stderr)
			ok = false
		}
		if want.stdout != "" && hasOption(line, "-json") {
			left := map[string]bool{}
			if err := sameJSON(want.stdout, got.stdout, left); err != nil {
				t.Errorf("ip %s: %v\nip:   %s\nours: %s", line, err, want.stdout, got.stdout)
				ok = false
			}
			for k := range left {
				// With -d, ip prints many details this program
				// does not know; without, only the omittable keys
				// may be left out.
				if !hasOption(line, "-details") && !slices.Contains(omittable, k) {
					t.Errorf("ip %s: ours leaves out %q", line, k)
					ok = false
				}
				omitted[k] = true
			}
		} else if w, g := normalise(want.stdout, true), normalise(got.stdout, false); w != g {
			t.Errorf("ip %s: stdout differs\nip:\n%s\nours:\n%s", line, w, g)
			ok = false
		}
		if ok {
			same++
		}
	}
	var keys []string
	for k := range omitted {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	t.Logf("%d of %d commands (%d that print, %d that fail) print and exit as ip does; keys of ip -j left out: %v",
		same, len(corpus), printed, failed, keys)
}

// sameJSON parses both outputs and checks that every key ours prints has
// ip's value. The keys ip prints that ours leaves out go into omitted
// (by their path, as "addr_info.label"); outside -d, only the omittable
// ones may be left out.
func sameJSON(want, got string, omitted map[string]bool) error {
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		return fmt.Errorf("ip's JSON: %v", err)
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		return fmt.Errorf("our JSON: %v", err)
	}
	return compare("", w, g, omitted)
}

func compare(path string, w, g any, omitted map[string]bool) error {
	switch w := w.(type) {
	case []any:
		g, ok := g.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: %d elements, ours %v", path, len(w), g)
		}
		for i := range w {
			if err := compare(path, w[i], g[i], omitted); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		g, ok := g.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: an object, ours %v", path, g)
		}
		for k, gv := range g {
			wv, ok := w[k]
			if !ok {
				return fmt.Errorf("%s: ours has %q, ip has not", path, k)
			}
			if k == "valid_life_time" || k == "preferred_life_time" {
				continue // lifetimes tick between the two runs
			}
			if err := compare(join(path, k), wv, gv, omitted); err != nil {
				return err
			}
		}
		for k := range w {
			if _, ok := g[k]; !ok {
				omitted[join(path, k)] = true
			}
		}
		return nil
	}
	if !reflect.DeepEqual(w, g) {
		return fmt.Errorf("%s: ip %v, ours %v", path, w, g)
	}
	return nil
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// monitorChanges are made with ip in both namespaces while ip monitor
// watches one and this program's monitor the other.
var monitorChanges = []string{
	"addr add 198.18.0.10/24 dev v0",
	"route add 198.19.0.0/24 via 198.18.0.2",
	"neigh add 198.18.0.20 lladdr 02:00:00:00:00:20 dev v0",
	"rule add prio 1000 from 198.18.0.0/24 lookup 100",
	"link set v0 mtu 1400",
	"link add d0 address 02:00:00:00:00:e0 type veth peer name d1 address 02:00:00:00:00:e1",
	"addr add 2001:db8::10/64 dev v0 nodad", // no DAD work racing the next change
	"route add 2001:db8:1::/64 via 2001:db8::2",
	"route replace 198.19.0.0/24 via 198.18.0.3",
	"link del d0",
	"rule del prio 1000",
	"neigh del 198.18.0.20 dev v0",
	"route del 198.19.0.0/24",
	"addr del 198.18.0.10/24 dev v0",
	"link set v0 down",
}

// lines collects a process's output, for reading while it runs.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestMonitor compares what ip monitor all and ours print for the same
// changes. Each monitor's output is cut between two marker rules it must
// print: the first, repeated until both monitors print one, says that
// they listen; the second, that they printed everything before it.
func TestMonitor(t *testing.T) {
	theirs, ours := nstest.New(t), nstest.New(t)
	bin := ourIP(t)
	both := func(line string) {
		t.Helper()
		for _, ns := range []*nstest.NS{theirs, ours} {
			ns.Run(t, strings.Fields(line)...)
		}
	}
	for _, ns := range []*nstest.NS{theirs, ours} {
		prepare(t, ns)
	}
	both("link add v0 address 02:00:00:00:00:a0 type veth peer name v1 address 02:00:00:00:00:a1")
	both("link set v0 up")
	both("link set v1 up")
	both("addr add 198.18.0.1/24 dev v0")

	var outs [2]*lines
	for i, c := range []*exec.Cmd{
		exec.Command("ip", "-n", theirs.Name, "monitor", "all"),
		exec.Command(bin, "-n", ours.Name, "monitor", "all"),
	} {
		outs[i] = &lines{}
		c.Stdout, c.Stderr = outs[i], outs[i]
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	}
	// waitFor waits until both monitors printed marker, as long as it
	// takes up to a bound that only a broken monitor reaches.
	waitFor := func(marker string, bound time.Duration) bool {
		for end := time.Now().Add(bound); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			if strings.Contains(outs[0].String(), marker) && strings.Contains(outs[1].String(), marker) {
				return true
			}
		}
		return false
	}
	start := ""
	for i := range 100 {
		prio := fmt.Sprint(30000 + i)
		both("rule add prio " + prio + " lookup main")
		if waitFor("[RULE]"+prio+":", 200*time.Millisecond) {
			start = "[RULE]" + prio + ":\tfrom all lookup main\n"
			break
		}
	}
	if start == "" {
		t.Fatalf("the monitors printed no marker rule\nip:\n%s\nours:\n%s", outs[0], outs[1])
	}
	for _, line := range monitorChanges {
		both(line)
	}
	both("rule add prio 31999 lookup main")
	end := "[RULE]31999:\tfrom all lookup main\n"
	if !waitFor(end, time.Minute) {
		t.Fatalf("the monitors did not print the last marker\nip:\n%s\nours:\n%s", outs[0], outs[1])
	}
	var got [2]string
	for i, o := range outs {
		s := o.String()
		s = s[strings.Index(s, start)+len(start):]
		s = s[:strings.Index(s, end)]
		got[i] = monitorRecords(normalise(s, i == 0))
	}
	if got[0] != got[1] {
		t.Errorf("monitors differ\nip:\n%s\nours:\n%s", got[0], got[1])
	}
	t.Logf("%d changes, %d lines of ip monitor", len(monitorChanges), strings.Count(got[0], "\n"))
}

// monitorRecords leaves out of a monitor's output the records ip prints
// and this program does not: netconf changes.
func monitorRecords(s string) string {
	var out []string
	for _, rec := range strings.SplitAfter(s, "\n[") {
		if !strings.HasPrefix(strings.TrimPrefix(rec, "["), "NETCONF]") {
			out = append(out, rec)
		}
	}
	return strings.Join(out, "")
}
