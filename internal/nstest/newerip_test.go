package nstest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeIP writes an executable ip into a new directory that prints line
// for -V, and returns its path.
func fakeIP(t *testing.T, line string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ip")
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho '"+line+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// outcome records what NewerIP did to a test.
type outcome struct {
	testing.TB
	failed, skipped string
}

func (o *outcome) Helper() {}

func (o *outcome) Fatal(args ...any) {
	o.failed = fmt.Sprint(args...)
	runtime.Goexit()
}

func (o *outcome) Fatalf(format string, args ...any) { o.Fatal(fmt.Sprintf(format, args...)) }

func (o *outcome) Skip(args ...any) {
	o.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}

// newerIP calls NewerIP(t, min) as a test would, and returns its result
// and what it did to the test.
func newerIP(t *testing.T, min string) (string, *outcome) {
	o := &outcome{TB: t}
	var path string
	done := make(chan struct{})
	go func() {
		defer close(done)
		path = NewerIP(o, min)
	}()
	<-done
	return path, o
}

// TestNewerIP: NewerIP takes the host's ip when it is new enough, else
// $NLKIT_IPROUTE2's, else IPRoute2Dir's; without one it skips, or fails
// under CI (NLKIT_VM=1 or NLKIT_E2E=1).
func TestNewerIP(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake ip commands are shell scripts")
	}
	skipMu.Lock()
	n, why := ipSkips, ipSkipWhy
	skipMu.Unlock()
	t.Cleanup(func() { // the fake skips below are not the package's
		skipMu.Lock()
		ipSkips, ipSkipWhy = n, why
		skipMu.Unlock()
	})
	old := fakeIP(t, "ip utility, iproute2-6.1.0, libbpf 1.1.2")
	ss := fakeIP(t, "ip utility, iproute2-ss200127")
	recent := fakeIP(t, "ip utility, iproute2-6.15.0, libbpf 1.1.2")
	later := fakeIP(t, "ip utility, iproute2-7.2.0")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(later, filepath.Join(dir, "bin", "ip")); err != nil {
		t.Fatal(err)
	}
	defer func(d string) { ipDir = d }(ipDir)
	for _, tc := range []struct {
		name, host, env, dir, ci string
		want                     string // a path, "host" (the host's ip), "skip" or "fail"
	}{
		{name: "host new enough", host: later, env: recent, want: "host"},
		{name: "host's the same release", host: recent, env: later, want: "host"},
		{name: "env", host: old, env: recent, want: recent},
		{name: "dir", host: old, dir: dir, want: filepath.Join(dir, "bin", "ip")},
		{name: "env too old", host: old, env: ss, dir: dir, want: filepath.Join(dir, "bin", "ip")},
		{name: "none", host: old, env: ss, dir: t.TempDir(), want: "skip"},
		{name: "none in CI (VM)", host: old, dir: t.TempDir(), ci: "NLKIT_VM", want: "fail"},
		{name: "none in CI (E2E)", host: ss, dir: t.TempDir(), ci: "NLKIT_E2E", want: "fail"},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			bin := t.TempDir()
			if err := os.Symlink(tc.host, filepath.Join(bin, "ip")); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PATH", bin)
			t.Setenv("NLKIT_IPROUTE2", tc.env)
			t.Setenv("NLKIT_VM", "")
			t.Setenv("NLKIT_E2E", "")
			if tc.ci != "" {
				t.Setenv(tc.ci, "1")
			}
			ipDir = tc.dir
			if ipDir == "" {
				ipDir = t.TempDir()
			}
			if tc.want == "host" {
				tc.want = filepath.Join(bin, "ip")
			}
			got, o := newerIP(t, "6.15")
			switch {
			case tc.want == "skip" && (o.skipped == "" || o.failed != ""),
				tc.want == "fail" && (o.failed == "" || o.skipped != ""),
				tc.want != "skip" && tc.want != "fail" && (got != tc.want || o.failed != "" || o.skipped != ""):
				t.Errorf("NewerIP = %q, failed %q, skipped %q; want %s", got, o.failed, o.skipped, tc.want)
			}
			if msg := o.failed + o.skipped; msg != "" && !strings.Contains(msg, filepath.Join(ipDir, "bin", "ip")) {
				t.Errorf("NewerIP's message %q does not say what it found", msg)
			}
		})
	}
	if _, ok := parseRelease("6"); ok {
		t.Error(`parseRelease("6") succeeded`)
	}
}
