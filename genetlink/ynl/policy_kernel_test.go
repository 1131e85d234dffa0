//go:build linux

package ynl_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/ethtool"
	"github.com/nlkit/netlink/genetlink/ynl/mptcppm"
	"github.com/nlkit/netlink/genetlink/ynl/netdev"
	"github.com/nlkit/netlink/genetlink/ynl/nlctrl"
	"github.com/nlkit/netlink/genetlink/ynl/tcpmetrics"
	"github.com/nlkit/netlink/internal/nstest"
)

var update = flag.Bool("update", false, "rewrite testdata/policy_*.txt with the differences the kernel shows")

// TestPolicyMatchesKernel compares each generated family this kernel has
// with the kernel's description and policy of it (ynl.CheckKernel). The
// differences known today, each a place where the spec and this kernel
// disagree, are listed in testdata/policy_FAMILY.txt; a difference not
// listed there fails the test. A listed one the kernel no longer shows is
// only logged, so that a newer kernel passes.
func TestPolicyMatchesKernel(t *testing.T) {
	ns := nstest.New(t)
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, f := range []*ynl.Family{ethtool.Spec, netdev.Spec, mptcppm.Spec, tcpmetrics.Spec, nlctrl.Spec} {
		t.Run(f.Name, func(t *testing.T) {
			diffs, err := ynl.CheckKernel(context.Background(), g, f)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", "policy_"+f.Name+".txt")
			if *update {
				text := "# Differences between the " + f.Name + " spec and the kernel's policy (Linux 6.18), from\n# go test -run TestPolicyMatchesKernel -update ./genetlink/ynl\n" + strings.Join(diffs, "\n") + "\n"
				if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			known := readLines(t, file)
			for _, d := range diffs {
				if !slices.Contains(known, d) {
					t.Errorf("new difference: %s", d)
				}
			}
			for _, k := range known {
				if !slices.Contains(diffs, k) {
					t.Logf("listed difference the kernel no longer shows: %s", k)
				}
			}
			t.Logf("%d differences, all listed in %s", len(diffs), file)
		})
	}
}

// readLines returns the lines of file that are not comments or empty.
func readLines(t *testing.T, file string) []string {
	f, err := os.Open(file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestCheckRequestMatchesKernel sends the requests of TestCheckRequest to
// the kernel: it refuses (EINVAL, ERANGE) exactly those CheckRequest
// refuses, with the errno CheckRequest's error wraps.
func TestCheckRequestMatchesKernel(t *testing.T) {
	ns := nstest.New(t)
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	for _, c := range checkCases {
		fam, err := g.Family(ctx, c.f.Name)
		if err != nil {
			t.Fatal(err)
		}
		var e netlink.AttrEncoder
		c.attrs(&e)
		b, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		if c.dump {
			for _, err = range g.Dump(ctx, &fam, c.cmd, b) {
				if err != nil {
					break
				}
			}
		} else {
			_, err = g.Execute(ctx, &fam, c.cmd, b)
		}
		want := c.f.CheckRequest(c.cmd, c.dump, b)
		var re *ynl.RequestError
		switch {
		case errors.As(want, &re) && !errors.Is(err, re.Errno):
			t.Errorf("%s: the kernel says %v; CheckRequest %v", c.name, err, want)
		case want == nil && (errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ERANGE)):
			t.Errorf("%s: the kernel refuses it (%v); CheckRequest takes it", c.name, err)
		}
	}
}
