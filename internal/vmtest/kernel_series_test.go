package vmtest

import "testing"

// TestKernelSeries checks how a series label picks packages: 6.1 takes
// 6.1.0-57-amd64 but not 6.12.x, and the newest by numbers wins.
func TestKernelSeries(t *testing.T) {
	for _, c := range []struct {
		release, series string
		want            bool
	}{
		{"6.1.0-57-amd64", "6.1", true},
		{"6.12.118+deb12-amd64", "6.1", false},
		{"6.12.118+deb12-amd64", "6.12", true},
		{"6.1.0-57-amd64", "6.12", false},
		{"6.10.2-amd64", "6.1", false},
	} {
		if got := inSeries(c.release, c.series); got != c.want {
			t.Errorf("inSeries(%q, %q) = %v, want %v", c.release, c.series, got, c.want)
		}
	}
	for _, c := range []struct{ older, newer string }{
		{"6.1.0-9-amd64", "6.1.0-57-amd64"},
		{"6.12.9+deb12-amd64", "6.12.118+deb12-amd64"},
		{"6.12.118+deb12-amd64", "6.12.118+deb13-amd64"},
	} {
		if !less(numbers(c.older), numbers(c.newer)) || less(numbers(c.newer), numbers(c.older)) {
			t.Errorf("%s should sort before %s", c.older, c.newer)
		}
	}
	for name, want := range map[string]bool{
		"linux-image-6.1.0-57-amd64":       true,
		"linux-image-6.12.118+deb12-amd64": true,
		"linux-image-6.1.0-57-cloud-amd64": false,
		"linux-image-6.1.0-57-rt-amd64":    false,
		"linux-image-6.1.0-57-amd64-dbg":   false,
		"linux-image-amd64":                false,
	} {
		if got := releaseRE.MatchString(name); got != want {
			t.Errorf("releaseRE matches %s: %v, want %v", name, got, want)
		}
	}
}
