//go:build linux

package ynl_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
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
	"github.com/nlkit/netlink/internal/vmtest"
)

var update = flag.Bool("update", false, "rewrite this kernel series' testdata/policy_*.txt with the differences the kernel shows")

// policySeries are the kernel series with lists of their own, oldest
// first: the VM matrix's Debian 6.1 and 6.12 (older than the specs, they
// lack commands and attributes), then the host's 6.18, whose lists are
// testdata/policy_FAMILY.txt, and Debian sid's 7.2 (vmtest's -kernel sid,
// newer than the specs); the others' are policy_FAMILY_SERIES.txt.
var policySeries = []struct {
	major, minor int
	suffix       string
}{{6, 1, "_6.1"}, {6, 12, "_6.12"}, {6, 18, ""}, {7, 2, "_7.2"}}

// policyList returns the list of differences for family on this kernel:
// that of the newest series in policySeries it is not older than (the
// oldest's for a kernel older than all), and the series' name.
func policyList(t *testing.T, family string) (file, series string) {
	s := policySeries[0]
	for _, c := range policySeries[1:] {
		if vmtest.KernelAtLeast(t, c.major, c.minor) {
			s = c
		}
	}
	return filepath.Join("testdata", "policy_"+family+s.suffix+".txt"), fmt.Sprintf("%d.%d", s.major, s.minor)
}

// TestPolicyMatchesKernel compares each generated family this kernel has
// with the kernel's description and policy of it (ynl.CheckKernel). The
// differences known today, each a place where the spec and a kernel
// series disagree, are listed in its policy list (policyList); a
// difference not listed there fails the test. A listed one the kernel no
// longer shows is only logged, so that a newer kernel of the series
// passes. netdev, which came in 6.3, is skipped on older kernels.
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
			if f.Name == "netdev" && errors.Is(err, syscall.ENOENT) && !vmtest.KernelAtLeast(t, 6, 3) {
				t.Skipf("this kernel has no netdev family (Linux 6.3): %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			checkListed(t, f.Name, diffs)
		})
	}
}

// checkListed fails t for each difference diffs has that family's policy
// list (policyList) does not; with -update it rewrites the list first. A
// listed difference the kernel no longer shows is only logged.
func checkListed(t *testing.T, family string, diffs []string) {
	t.Helper()
	file, series := policyList(t, family)
	if *update {
		text := "# Differences between the " + family + " spec and the kernel's policy (Linux " + series + "), from\n# go test -run TestPolicyMatchesKernel -update ./genetlink/ynl\n" + strings.Join(diffs, "\n") + "\n"
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	known := readLines(t, file)
	unlisted := 0
	for _, d := range diffs {
		if !slices.Contains(known, d) {
			t.Errorf("new difference: %s", d)
			unlisted++
		}
	}
	for _, k := range known {
		if !slices.Contains(diffs, k) {
			t.Logf("listed difference the kernel no longer shows: %s", k)
		}
	}
	if unlisted == 0 {
		t.Logf("%d differences, all listed in %s", len(diffs), file)
	} else {
		t.Logf("%d differences, %d of them not listed in %s", len(diffs), unlisted, file)
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

// checkSince are the cases of checkCases that kernels before a release
// answer otherwise, by the release: an ethtool dump without a header is
// refused ("request header missing") before 6.5.
var checkSince = map[string][2]int{"linkinfo-get dump": {6, 5}}

// TestCheckRequestMatchesKernel sends the requests of TestCheckRequest to
// the kernel: it refuses (EINVAL, ERANGE) exactly those CheckRequest
// refuses, with the errno CheckRequest's error wraps. A case of a family
// or command this kernel does not have yet (netdev before 6.3, its
// napi-set before 6.13), or of checkSince, is skipped, and logged.
func TestCheckRequestMatchesKernel(t *testing.T) {
	ns := nstest.New(t)
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	for _, c := range checkCases {
		if v, ok := checkSince[c.name]; ok && !vmtest.KernelAtLeast(t, v[0], v[1]) {
			t.Logf("%s: not before Linux %d.%d", c.name, v[0], v[1])
			continue
		}
		fam, err := g.Family(ctx, c.f.Name)
		if c.f.Name == "netdev" && errors.Is(err, syscall.ENOENT) && !vmtest.KernelAtLeast(t, 6, 3) {
			t.Logf("%s: this kernel has no netdev family (Linux 6.3)", c.name)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := fam.Op(uint32(c.cmd)); !ok {
			t.Logf("%s: this kernel's %s has no command %d", c.name, fam.Name, c.cmd)
			continue
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
