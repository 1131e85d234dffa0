// Package nstest gives tests a throwaway network namespace, so that tests
// that talk to the kernel never touch the host's links, addresses or routes.
package nstest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// NS is a named network namespace made with iproute2, which also serves as
// an independent oracle: Run runs ip commands inside it.
type NS struct {
	Name string // the name ip netns knows it by
	Path string // /var/run/netns/Name, for netlink.Config.NetNS

	ip string // the ip command Run and the others run; "" is $PATH's
}

// WithIP returns a copy of ns whose Run, Try, Output and Batch run the ip
// command at path (NewerIP's, say) instead of the first ip on $PATH.
func (ns *NS) WithIP(path string) *NS {
	c := *ns
	c.ip = path
	return &c
}

// ipCmd is the ip command of ns with args.
func (ns *NS) ipCmd(args ...string) *exec.Cmd {
	ip := ns.ip
	if ip == "" {
		ip = "ip"
	}
	return exec.Command(ip, append([]string{"-n", ns.Name}, args...)...)
}

var counter atomic.Int64

// New creates a network namespace with its loopback up and deletes it when
// the test ends. It skips the test when the process is not root or iproute2
// is missing, and counts the skip for SkipSummary.
//
// The namespace is named nlkit-test-PID-START-N, after this process's ID and
// start time. The first call in a process deletes the namespaces that killed
// test runs left behind (see removeStale).
func New(t testing.TB) *NS {
	t.Helper()
	if os.Geteuid() != 0 {
		skip(t, "needs root to create a network namespace")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		skip(t, "needs iproute2's ip command")
	}
	cleanOnce.Do(func() {
		if err := removeStale(); err != nil {
			t.Logf("nstest: removing stale namespaces: %v", err)
		}
	})
	start, err := startTime(os.Getpid())
	if err != nil {
		t.Fatalf("nstest: %v", err)
	}
	name := fmt.Sprintf("%s%d-%d-%d", prefix, os.Getpid(), start, counter.Add(1))
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", name, err, out)
	}
	ns := &NS{Name: name, Path: "/var/run/netns/" + name}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v: %s", name, err, out)
		}
	})
	ns.Run(t, "link", "set", "lo", "up")
	return ns
}

// skips counts the tests New skipped in this process; skipWhy is the reason
// of the first.
var (
	skipMu  sync.Mutex
	skips   int
	skipWhy string
)

// skip counts a skipped test and skips it.
func skip(t testing.TB, why string) {
	t.Helper()
	skipMu.Lock()
	skips++
	if skipWhy == "" {
		skipWhy = why
	}
	skipMu.Unlock()
	t.Skip(why)
}

// SkipSummary returns one line saying how many tests New skipped in this
// process and why, and how many NewerIP skipped and why, or "" when they
// skipped none. Packages with kernel tests print it from TestMain after
// m.Run, so that a run without root (or without a new enough ip) says
// what it did not test.
func SkipSummary() string {
	skipMu.Lock()
	defer skipMu.Unlock()
	var parts []string
	if skips > 0 {
		parts = append(parts, fmt.Sprintf("kernel tests skipped: %d (%s)", skips, skipWhy))
	}
	if ipSkips > 0 {
		parts = append(parts, fmt.Sprintf("comparisons with a newer ip skipped: %d (%s)", ipSkips, ipSkipWhy))
	}
	return strings.Join(parts, "; ")
}

// Run runs ip with args inside the namespace and returns its output; a
// failure fails the test.
func (ns *NS) Run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := ns.Try(args...)
	if err != nil {
		t.Fatalf("ip %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// Try runs ip with args inside the namespace and returns its output, or an
// error with the output when it fails.
func (ns *NS) Try(args ...string) (string, error) {
	out, err := ns.ipCmd(args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%w: %s", err, out)
	}
	return string(out), nil
}

// Output runs ip with args inside the namespace and returns what it printed
// on standard output alone; a failure fails the test with its standard
// error. Commands that look at every named namespace (ip netns list-id)
// print warnings on standard error about namespaces other tests delete
// meanwhile; Output keeps them out of JSON it parses.
func (ns *NS) Output(t testing.TB, args ...string) string {
	t.Helper()
	var stderr strings.Builder
	cmd := ns.ipCmd(args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// Batch runs many ip commands inside the namespace in one process (ip
// -batch), one command per line.
func (ns *NS) Batch(t testing.TB, lines []string) {
	t.Helper()
	cmd := ns.ipCmd("-batch", "-")
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ip -batch: %v: %s", err, out)
	}
}

// WaitLocal waits, for up to a minute, until the kernel routes each of the
// addresses addrs (IPv4 or IPv6, without a prefix length) to this host:
// until its route in the local table exists. ip addr add returns before
// that for IPv6, even with nodad, since the kernel adds the route from its
// address-configuration work queue, which a busy machine runs late; a
// connection to the address meanwhile fails with ENETUNREACH.
func (ns *NS) WaitLocal(t testing.TB, addrs ...string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for _, a := range addrs {
		for {
			family := "-4"
			if strings.Contains(a, ":") {
				family = "-6"
			}
			out, err := ns.Try(family, "route", "show", "table", "local", "exact", a)
			if err == nil && strings.Contains(out, a) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no local route for %s after a minute: %v %s", a, err, out)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
