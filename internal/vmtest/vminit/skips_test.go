//go:build linux

package main

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestSkipFixture is the test binary TestSkipsFail runs: its subtests
// skip, at two depths and with a name the testing package rewrites, and
// one logs a line that looks like a skip.
func TestSkipFixture(t *testing.T) {
	if os.Getenv("VMINIT_SKIP_FIXTURE") != "1" {
		t.Skip("the fixture of TestSkipsFail")
	}
	t.Run("Passes", func(t *testing.T) {
		t.Log("--- SKIP: NotATest (0.00s)")
	})
	t.Run("Skips", func(t *testing.T) {
		t.Run("Deeper", func(t *testing.T) { t.Skip("deeper") })
		t.Skip("skips")
	})
	t.Run("with space", func(t *testing.T) { t.SkipNow() })
	if os.Getenv("VMINIT_SKIP_FIXTURE_FAIL") == "1" {
		t.Error("fails")
	}
}

// TestSkipsFail runs TestSkipFixture as init runs a test in the VM and
// checks the guard: a run whose tests pass fails (status 1, a fail line
// for each) when a test skipped that the spec does not allow, passes when
// it allows them all, and a failing run keeps its own status.
func TestSkipsFail(t *testing.T) {
	fixture := func(allowed map[string]string, env ...string) (int, string) {
		t.Helper()
		var out bytes.Buffer
		code := run(&spec{
			Args:         []string{os.Args[0], "-test.run", "^TestSkipFixture$", "-test.v", "-test.count=1"},
			Env:          append([]string{"VMINIT_SKIP_FIXTURE=1"}, env...),
			FailSkips:    true,
			AllowedSkips: allowed,
		}, &out)
		return code, out.String()
	}
	all := []string{"TestSkipFixture/Skips/Deeper", "TestSkipFixture/Skips", "TestSkipFixture/with_space"}

	code, out := fixture(map[string]string{"TestSkipFixture/Skips": "a reason"})
	if code != 1 {
		t.Errorf("exit status %d, want 1; output:\n%s", code, out)
	}
	var fails []string
	for _, l := range strings.Split(out, "\n") {
		if _, why, ok := strings.Cut(l, "@@vmtest fail: "); ok {
			name, _, _ := strings.Cut(why, " ")
			fails = append(fails, name)
		}
	}
	if want := []string{all[0], all[2]}; !slices.Equal(fails, want) {
		t.Errorf("fail lines name %q, want %q; output:\n%s", fails, want, out)
	}

	allowAll := map[string]string{}
	for _, n := range all {
		allowAll[n] = "a reason"
	}
	if code, out := fixture(allowAll); code != 0 {
		t.Errorf("all skips allowed: exit status %d, want 0; output:\n%s", code, out)
	}
	if code, out := fixture(allowAll, "VMINIT_SKIP_FIXTURE_FAIL=1"); code != 1 || strings.Contains(out, "@@vmtest fail") {
		t.Errorf("a failing run: exit status %d, want 1 with no fail line; output:\n%s", code, out)
	}
	var plain bytes.Buffer
	if code := run(&spec{Args: []string{os.Args[0], "-test.run", "^TestSkipFixture$", "-test.v"}, Env: []string{"VMINIT_SKIP_FIXTURE=1"}}, &plain); code != 0 {
		t.Errorf("without FailSkips: exit status %d, want 0; output:\n%s", code, plain.String())
	}
}

// TestSkipScanner feeds -test.v output a byte at a time and in one
// piece: each "--- SKIP:" line at any depth counts, a log line quoting
// one and a "--- PASS:" line do not, and a very long line is no trouble.
func TestSkipScanner(t *testing.T) {
	text := "=== RUN   TestA\n" +
		"    a_test.go:9: --- SKIP: Quoted (0.00s)\n" +
		"--- SKIP: TestA (0.00s)\n" +
		"=== RUN   TestB/c\n" +
		"        --- SKIP: TestB/c/d#01 (1.50s)\r\n" +
		"    --- PASS: TestB/c (0.00s)\n" +
		strings.Repeat("x", 3*maxSkipLine) + "\n" +
		"--- SKIP: TestE (0.00s)" // no newline: an unfinished line is not a result
	want := []string{"TestA", "TestB/c/d#01"}
	var one skipScanner
	if n, err := one.Write([]byte(text)); n != len(text) || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	var bytewise skipScanner
	for i := range len(text) {
		bytewise.Write([]byte{text[i]})
	}
	for _, s := range []*skipScanner{&one, &bytewise} {
		if !slices.Equal(s.skipped, want) {
			t.Errorf("skipped %q, want %q", s.skipped, want)
		}
		if len(s.line) > maxSkipLine {
			t.Errorf("kept %d bytes of a line, at most %d", len(s.line), maxSkipLine)
		}
	}
	if got := disallowedSkips([]string{"A", "B", "A", "C"}, map[string]string{"B": "why"}); !slices.Equal(got, []string{"A", "C"}) {
		t.Errorf("disallowedSkips = %q, want [A C]", got)
	}
}
