package vmtest

import "testing"

// TestRunPattern checks that the pattern selects exactly one test or
// subtest, whatever characters its name holds.
func TestRunPattern(t *testing.T) {
	for name, want := range map[string]string{
		"TestX":            "^TestX$",
		"TestX/6.1":        `^TestX$/^6\.1$`,
		"TestX/a+b/c(d)":   `^TestX$/^a\+b$/^c\(d\)$`,
		"TestX/6.12#01":    `^TestX$/^6\.12#01$`,
		"TestX/with_space": `^TestX$/^with_space$`,
	} {
		if got := RunPattern(name); got != want {
			t.Errorf("RunPattern(%q) = %q, want %q", name, got, want)
		}
	}
}
