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

// TestReleaseAtLeast: a release compares by its major and minor numbers
// alone.
func TestReleaseAtLeast(t *testing.T) {
	for _, c := range []struct {
		release      string
		major, minor int
		want         bool
	}{
		{"6.1.0-57-amd64", 6, 1, true},
		{"6.1.0-57-amd64", 6, 2, false},
		{"6.12.118+deb12-amd64", 6, 3, true},
		{"6.12.118+deb12-amd64", 6, 13, false},
		{"6.18.44-fc-v1300", 6, 13, true},
		{"7.0.1", 6, 18, true},
		{"5.15.0-100-generic", 6, 1, false},
	} {
		if got, err := releaseAtLeast(c.release, c.major, c.minor); err != nil || got != c.want {
			t.Errorf("releaseAtLeast(%q, %d, %d) = %v, %v; want %v", c.release, c.major, c.minor, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "linux", "v6.1", "6"} {
		if _, err := releaseAtLeast(bad, 6, 1); err == nil {
			t.Errorf("releaseAtLeast(%q) took it", bad)
		}
	}
}
