package vmtest

import (
	"maps"
	"testing"
)

// TestAllowedSkips checks that Config.AllowSkip's names become full test
// names under the test that calls Run, and that an entry without a reason
// or a name is refused.
func TestAllowedSkips(t *testing.T) {
	got, err := allowedSkips("TestX/6.1", map[string]string{"A": "why", "B/c": "because"})
	if want := map[string]string{"TestX/6.1/A": "why", "TestX/6.1/B/c": "because"}; err != nil || !maps.Equal(got, want) {
		t.Errorf("allowedSkips = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []map[string]string{{"A": ""}, {"A": " "}, {"": "why"}} {
		if _, err := allowedSkips("TestX", bad); err == nil {
			t.Errorf("allowedSkips(%q): no error", bad)
		}
	}
}
