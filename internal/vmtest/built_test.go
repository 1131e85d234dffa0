package vmtest

import (
	"slices"
	"testing"
)

// TestUnmetOptions checks the options of a fragment against a
// configuration as make olddefconfig writes it: set, unset by a comment,
// or missing altogether (a dependency unmet).
func TestUnmetOptions(t *testing.T) {
	config := "CONFIG_NET=y\n# CONFIG_RTC_CLASS is not set\nCONFIG_NR_CPUS=2\nCONFIG_LOCALVERSION=\"\"\n"
	fragment := "# a comment\nCONFIG_NET=y\nCONFIG_RTC_CLASS=n\nCONFIG_NR_CPUS=2\nCONFIG_INET_PSP=y\nCONFIG_SOUND=n\n# CONFIG_NET is not set\n"
	got := unmetOptions(fragment, config)
	want := []string{"CONFIG_INET_PSP=y", "CONFIG_NET=n"}
	if !slices.Equal(got, want) {
		t.Errorf("unmetOptions = %v, want %v", got, want)
	}
	if got := unmetOptions(pspFragment, ""); len(got) == 0 {
		t.Error("an empty configuration meets psp.config")
	}
}

// TestBuiltKernelsBase checks that every built kernel names a suite
// kernel as its base.
func TestBuiltKernelsBase(t *testing.T) {
	for label, bk := range BuiltKernels {
		if _, ok := SuiteKernels[bk.Base]; !ok {
			t.Errorf("BuiltKernels[%q].Base = %q, not a label of SuiteKernels", label, bk.Base)
		}
	}
}
