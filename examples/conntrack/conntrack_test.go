//go:build linux

package main

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/nstest"
)

// norm sorts lines and blanks what counts down (the timeout, the age).
func norm(out string) []string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		fs := strings.Fields(l)
		if len(fs) > 4 {
			fs[4] = "T"
		}
		for i, f := range fs {
			if strings.HasPrefix(f, "delta-time=") {
				fs[i] = "delta-time=D"
			}
		}
		lines = append(lines, strings.Join(fs, " "))
	}
	slices.Sort(lines)
	return lines
}

// TestListLikeConntrack makes entries with conntrack -I and checks that
// -L prints what conntrack -L -o extended,id does, with and without a
// filter, and that -D deletes what the filter selects.
func TestListLikeConntrack(t *testing.T) {
	if _, err := exec.LookPath("conntrack"); err != nil {
		t.Skip("conntrack is not installed (bash .ci/e2e-deps.sh installs it)")
	}
	ns := nstest.New(t)
	tool := func(args ...string) string {
		out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "conntrack"}, args...)...).Output()
		if err != nil {
			t.Fatalf("conntrack %s: %v", strings.Join(args, " "), err)
		}
		return string(out)
	}
	for _, args := range [][]string{
		{"-p", "tcp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--sport", "1000", "--dport", "443", "--state", "ESTABLISHED", "-t", "300", "-u", "ASSURED,SEEN_REPLY", "-m", "7"},
		{"-p", "udp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--sport", "1000", "--dport", "53", "-t", "300", "-w", "5"},
		{"-p", "icmpv6", "-s", "2001:db8::1", "-d", "2001:db8::2", "--icmpv6-type", "128", "--icmpv6-code", "0", "--icmpv6-id", "9", "-t", "300"},
	} {
		tool(append([]string{"-I"}, args...)...)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		o    options
		args []string
	}{
		{options{}, nil},
		{options{proto: "tcp", dport: 443}, []string{"-p", "tcp", "--dport", "443"}},
		{options{family: "ipv6"}, []string{"-f", "ipv6"}},
		{options{mark: "7/0xff"}, []string{"-m", "7/0xff"}},
	} {
		tc.o.netns, tc.o.sport, tc.o.zone = ns.Name, -1, -1
		if tc.o.dport == 0 {
			tc.o.dport = -1
		}
		var out bytes.Buffer
		if err := run(ctx, &out, tc.o); err != nil {
			t.Fatal(err)
		}
		ours, theirs := norm(out.String()), norm(tool(append([]string{"-L", "-o", "extended,id"}, tc.args...)...))
		if !slices.Equal(ours, theirs) {
			t.Errorf("-L %s:\nours:\n%s\nconntrack:\n%s", strings.Join(tc.args, " "), strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
		}
	}
	var out bytes.Buffer
	if err := run(ctx, &out, options{del: true, proto: "udp", netns: ns.Name, sport: -1, dport: -1, zone: -1}); err != nil {
		t.Fatal(err)
	}
	if l := tool("-L"); strings.Contains(l, "udp") || !strings.Contains(l, "tcp") {
		t.Errorf("after -D -p udp, conntrack -L shows:\n%s", l)
	}
	out.Reset()
	if err := run(ctx, &out, options{count: true, netns: ns.Name, sport: -1, dport: -1, zone: -1}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out.String()) != strings.TrimSpace(tool("-C")) {
		t.Errorf("-C printed %q, conntrack -C %q", out.String(), tool("-C"))
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestEvents runs -E with a filter while conntrack -I makes entries: it
// prints those the filter selects, as conntrack -E does.
func TestEvents(t *testing.T) {
	if _, err := exec.LookPath("conntrack"); err != nil {
		t.Skip("conntrack is not installed (bash .ci/e2e-deps.sh installs it)")
	}
	ns := nstest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, &out, options{events: true, proto: "icmp", netns: ns.Name, sport: -1, dport: -1, zone: -1})
	}()
	// -E has joined its groups once it prints an entry; until then each
	// probe may go unseen.
	for i := 1; !strings.Contains(out.String(), "[NEW]"); i++ {
		if ctx.Err() != nil {
			t.Fatal("-E printed nothing")
		}
		exec.Command("ip", "netns", "exec", ns.Name, "conntrack", "-I", "-p", "tcp", "-s", "198.18.1.1", "-d", "198.18.1.2",
			"--sport", strconv.Itoa(i), "--dport", "80", "--state", "ESTABLISHED", "-t", "60").Run()
		exec.Command("ip", "netns", "exec", ns.Name, "conntrack", "-I", "-p", "icmp", "-s", "198.18.1.1", "-d", "198.18.1.2",
			"--icmp-type", "8", "--icmp-code", "0", "--icmp-id", strconv.Itoa(i), "-t", "60").Run()
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	// The timeout counts down from 60: any number.
	want := regexp.MustCompile(`^\[NEW\] ipv4     2 icmp     1 [0-9]+ src=198\.18\.1\.1 dst=198\.18\.1\.2 type=8 code=0 id=[0-9]+ \[UNREPLIED\] src=198\.18\.1\.2 dst=198\.18\.1\.1 type=0 code=0 id=[0-9]+ mark=0 id=[0-9]+$`)
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !want.MatchString(l) {
			t.Errorf("-E -p icmp printed %q", l)
		}
	}
}
