package nstest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// IPRoute2Dir is where .ci/e2e-deps.sh unpacks an iproute2 newer than the
// host's (the files of bookworm-backports' iproute2 package, which is not
// installed: the host's ip stays as it is), for NewerIP.
const IPRoute2Dir = "/var/cache/nlkit/iproute2"

// ipDir is IPRoute2Dir, but in this package's tests.
var ipDir = IPRoute2Dir

// NewerIP returns the path of an ip command of iproute2 release
// ("6.15") or later, for the tests that compare with ip what older
// releases cannot add or print: the host's ip when it is new enough, else
// the one $NLKIT_IPROUTE2 names, else IPRoute2Dir's bin/ip. When none is,
// it skips t, saying what it found, and counts the skip for SkipSummary;
// under CI (NLKIT_VM=1 or NLKIT_E2E=1), where .ci/e2e-deps.sh provides
// one, it fails t instead, so that CI never leaves a comparison out.
//
// NS.WithIP runs a namespace's ip commands with it.
func NewerIP(t testing.TB, release string) string {
	t.Helper()
	want, ok := parseRelease(release)
	if !ok {
		t.Fatalf("nstest: NewerIP(%q): want a release such as 6.15", release)
	}
	var found []string
	for _, c := range ipCandidates() {
		if c.path == "" {
			found = append(found, c.what+" not set")
			continue
		}
		rel, err := ipRelease(c.path)
		if err != nil {
			found = append(found, fmt.Sprintf("%s: %v", c.what, err))
			continue
		}
		if rel[0] > want[0] || rel[0] == want[0] && rel[1] >= want[1] {
			return c.path
		}
		found = append(found, fmt.Sprintf("%s is %d.%d", c.what, rel[0], rel[1]))
	}
	why := fmt.Sprintf("needs iproute2 %s or later as the oracle (%s); .ci/e2e-deps.sh unpacks one into %s, or set NLKIT_IPROUTE2 to one's ip",
		release, strings.Join(found, "; "), ipDir)
	if os.Getenv("NLKIT_VM") == "1" || os.Getenv("NLKIT_E2E") == "1" {
		t.Fatal(why)
	}
	skipMu.Lock()
	ipSkips++
	if ipSkipWhy == "" {
		ipSkipWhy = why
	}
	skipMu.Unlock()
	t.Skip(why)
	return ""
}

// ipSkips counts the tests NewerIP skipped in this process; ipSkipWhy is
// the reason of the first. skipMu guards them.
var (
	ipSkips   int
	ipSkipWhy string
)

// ipCandidate is an ip command NewerIP looks at (none if path is ""),
// and how its message names it.
type ipCandidate struct{ path, what string }

// ipCandidates are the ip commands NewerIP tries, in its order.
func ipCandidates() []ipCandidate {
	var cs []ipCandidate
	if p, err := exec.LookPath("ip"); err == nil {
		cs = append(cs, ipCandidate{p, "the host's ip (" + p + ")"})
	}
	what := "$NLKIT_IPROUTE2"
	p := os.Getenv("NLKIT_IPROUTE2")
	if p != "" {
		what += " (" + p + ")"
	}
	cs = append(cs, ipCandidate{p, what})
	p = filepath.Join(ipDir, "bin", "ip")
	return append(cs, ipCandidate{p, p})
}

// releases caches ipRelease's answers by path.
var releases sync.Map // string → releaseOrError

type releaseOrError struct {
	rel [2]int
	err error
}

// ipVersion finds the release in ip -V's line, "ip utility,
// iproute2-6.15.0, libbpf 1.1.2"; releases before 5.6 print a snapshot
// date instead ("iproute2-ss200127").
var ipVersion = regexp.MustCompile(`iproute2-v?(\d+)\.(\d+)`)

// ipRelease returns the major and minor release of the ip command at path,
// as ip -V prints it.
func ipRelease(path string) ([2]int, error) {
	if v, ok := releases.Load(path); ok {
		r := v.(releaseOrError)
		return r.rel, r.err
	}
	var r releaseOrError
	if out, err := exec.Command(path, "-V").CombinedOutput(); err != nil {
		r.err = fmt.Errorf("%s -V: %w: %s", path, err, strings.TrimSpace(string(out)))
	} else if m := ipVersion.FindStringSubmatch(string(out)); m == nil {
		r.err = fmt.Errorf("%s -V prints no release: %q", path, strings.TrimSpace(string(out)))
	} else {
		r.rel, _ = parseRelease(m[1] + "." + m[2])
	}
	releases.Store(path, r)
	return r.rel, r.err
}

// parseRelease parses "6.15" (or "6.15.0": what follows the minor number
// is left out).
func parseRelease(s string) ([2]int, bool) {
	f := strings.SplitN(s, ".", 3)
	if len(f) < 2 {
		return [2]int{}, false
	}
	major, err1 := strconv.Atoi(f[0])
	minor, err2 := strconv.Atoi(f[1])
	return [2]int{major, minor}, err1 == nil && err2 == nil
}
