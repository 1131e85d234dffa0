package vmtest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestBuildDepends: the packages a headers package needs to build a
// module, from apt-cache show's records of Debian's 6.1 and 6.12 headers
// (only the first record counts: it is the version asked for).
func TestBuildDepends(t *testing.T) {
	for _, c := range []struct {
		show string
		want []string
	}{
		{"Package: linux-headers-6.1.0-57-amd64\nVersion: 6.1.192-3\n" +
			"Depends: linux-headers-6.1.0-57-common (= 6.1.192-3), linux-kbuild-6.1 (>= 6.1.192-3), linux-compiler-gcc-12-x86\n" +
			"Size: 1841556\n\nPackage: linux-headers-6.1.0-57-amd64\nDepends: linux-headers-other\n",
			[]string{"linux-headers-6.1.0-57-common", "linux-kbuild-6.1"}},
		{"Package: linux-headers-6.12.118+deb12-amd64\n" +
			"Depends: linux-base (>= 4.12~), linux-headers-6.12.118+deb12-common (= 6.12.118-1~deb12u1), " +
			"linux-image-6.12.118+deb12-amd64 (= 6.12.118-1~deb12u1) | linux-image-6.12.118+deb12-amd64-unsigned (= 6.12.118-1~deb12u1), " +
			"linux-kbuild-6.12.118+deb12, gcc-12\n",
			[]string{"linux-headers-6.12.118+deb12-common", "linux-kbuild-6.12.118+deb12"}},
		{"Package: linux-headers-x\nDepends: gcc-12, \n", nil},
	} {
		if got := buildDepends(c.show); !slices.Equal(got, c.want) {
			t.Errorf("buildDepends(%q) = %q, want %q", c.show, got, c.want)
		}
	}
}

// TestBuiltModulesListed: a module the harness built (in extraDir) is
// listed beside the package's, and a kernel without one lists those.
func TestBuiltModulesListed(t *testing.T) {
	k := &kernel{Release: "6.12.118+deb12-amd64", Dir: t.TempDir()}
	write := func(rel string) {
		p := filepath.Join(k.modulesDir(), rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kernel/net/psample/psample.ko.xz")
	m, err := loadModules(k)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.paths["netdevsim"]; ok || m.paths["psample"] != "kernel/net/psample/psample.ko.xz" {
		t.Errorf("without a built module: %v", m.paths)
	}
	write("extra/netdevsim.ko")
	if m, err = loadModules(k); err != nil {
		t.Fatal(err)
	}
	if m.paths["netdevsim"] != "extra/netdevsim.ko" || len(m.paths) != 2 {
		t.Errorf("with netdevsim built: %v", m.paths)
	}
}
