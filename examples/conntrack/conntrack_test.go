//go:build linux

package main

import (
	"bytes"
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"

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
