//go:build linux

package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/nstest"
)

// corpus is run line by line through iproute2's tc in one namespace and
// through this program in another, which start alike (a veth pair v0,
// v1); each line changes both the same way or reads both, so each must
// print the same thing, fail with the same words and exit with the same
// status.
var corpus = []string{
	// Errors before anything exists.
	"foo",
	"-x qdisc show",
	"qdisc foo",
	"qdisc show dev nosuch0",
	"class show dev nosuch0",
	"qdisc show dev v0 foo",
	"class show",
	"filter show",
	"qdisc",
	"qdisc add dev v0 root pfifo limit",
	"qdisc add root pfifo",
	"class add dev v0 parent 1: classid 1:1",
	"qdisc add dev nosuch0 root pfifo",
	"qdisc add dev v0 root handle zz pfifo",
	"qdisc add dev v0 root xyz",
	"qdisc add dev v0 root pfifo limit abc",
	"qdisc add dev v0 root pfifo foo",
	"qdisc del dev v0 root",
	"qdisc show dev v0",
	"-j qdisc show dev v0",
	// An htb tree.
	"qdisc add dev v0 root handle 1: htb default 10",
	"qdisc add dev v0 root handle 1: htb",
	"qdisc add dev v1 root handle 2: htb default 1x",
	"qdisc add dev v1 root handle 2: htb r2q 5 direct_qlen 0",
	"class add dev v0 parent 1: classid 1:1 htb rate 10mbit ceil 20mbit",
	"class add dev v0 parent 1:1 classid 1:10 htb rate 5mbit prio 2",
	"class add dev v0 parent 1:1 classid 1:20 htb rate 1mbit quantum 1500",
	"class add dev v0 parent 1:1 classid 1:30 htb rate 1500kbit",
	"class add dev v0 parent 1: classid 1:2 htb",
	"class add dev v0 parent 1: classid 1:2 htb rate abc",
	"class del dev v0 classid 1:7",
	"qdisc add dev v0 parent 1:10 handle 10: pfifo limit 7",
	"qdisc add dev v0 parent 1:20 handle 20: bfifo limit 5000",
	"qdisc add dev v0 parent 1:30 handle 30: pfifo_head_drop limit 0",
	"qdisc show dev v0",
	"qdisc show",
	"qdisc ls dev v1",
	"-j qdisc show dev v0",
	"-j qdisc show",
	"class show dev v0",
	"class show dev v1",
	// Filters.
	"filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dst 198.18.0.0/15 flowid 1:10",
	"filter add dev v0 parent 1: protocol ip prio 2 u32 match ip src 198.18.0.7 classid 1:20",
	"filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dst 1.2.3.4/40 flowid 1:1",
	"filter show dev v0",
	"filter show dev v0 parent 1:",
	"-json filter show dev v0",
	"-j filter show dev v0 parent 1:",
	"filter del dev v0 parent 1: prio 9",
	"filter del dev v0 parent 1: prio 2",
	"filter show dev v0",
	"filter show dev nosuch0",
	// Ingress, and taking things down.
	"qdisc add dev v0 ingress",
	"qdisc add dev v0 ingress",
	"qdisc show dev v0",
	"-j qdisc show dev v0",
	"qdisc del dev v0 ingress",
	"qdisc add dev v1 clsact",
	"-j qdisc show dev v1",
	"qdisc show dev v1",
	"qdisc del dev v0 parent 1:30",
	"class del dev v0 classid 1:30",
	"class show dev v0",
	"qdisc replace dev v0 root handle 1: pfifo limit 3",
	"qdisc show dev v0",
	"qdisc del dev v0 root",
	"qdisc del dev v0 root",
	"qdisc show dev v0",
}

// ourTC builds the program and returns its path.
func ourTC(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build the example with")
	}
	bin := filepath.Join(t.TempDir(), "tc")
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

// runCmd runs bin with the line's words in namespace ns (-n goes after
// the global options, as tc takes it).
func runCmd(t *testing.T, bin, ns, line string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	args := strings.Fields(line)
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

// withoutHelp drops what tc prints after an error to help (its usage
// text, "Usage: ..." to the end), which this program does not repeat.
func withoutHelp(s string) string {
	if i := strings.Index(s, "Usage: ..."); i >= 0 {
		return s[:i]
	}
	return s
}

func TestCorpus(t *testing.T) {
	if _, err := exec.LookPath("tc"); err != nil {
		t.Skip("no tc:", err)
	}
	theirs, ours := nstest.New(t), nstest.New(t)
	theirs.Run(t, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	ours.Run(t, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	bin := ourTC(t)
	same, printed, failed := 0, 0, 0
	for _, line := range corpus {
		want := runCmd(t, "tc", theirs.Name, line)
		got := runCmd(t, bin, ours.Name, line)
		switch {
		case want.code != 0:
			failed++
		case want.stdout != "":
			printed++
		}
		if testing.Verbose() {
			t.Logf("tc %s: exit %d\n%s%s", line, want.code, want.stdout, want.stderr)
		}
		ok := true
		if got.code != want.code || got.stderr != withoutHelp(want.stderr) {
			t.Errorf("tc %s:\ntc:   exit %d, stderr %q\nours: exit %d, stderr %q", line, want.code, want.stderr, got.code, got.stderr)
			ok = false
		}
		if got.stdout != want.stdout {
			t.Errorf("tc %s: stdout differs\ntc:\n%s\nours:\n%s", line, want.stdout, got.stdout)
			ok = false
		}
		if ok {
			same++
		}
	}
	t.Logf("%d of %d commands (%d that print, %d that fail) print and exit as tc does", same, len(corpus), printed, failed)
	if printed < 15 || failed < 15 {
		t.Errorf("the corpus has %d commands that print and %d that fail; it should exercise both", printed, failed)
	}
}
