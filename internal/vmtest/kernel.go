package vmtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// kernel is a Debian kernel package unpacked in the cache.
type kernel struct {
	Label   string // what the test asked for: "6.1", "6.12", or a release
	Release string // uname -r, e.g. 6.1.0-57-amd64
	Package string // e.g. linux-image-6.1.0-57-amd64
	Version string // the package's version, e.g. 6.1.192-3
	Dir     string // the unpacked package: boot/, lib/modules/RELEASE/

	// suite, index and debs are set for a kernel of SuiteKernels: where
	// it comes from, the suite's Packages index, and the image package
	// with the packages it depends on that hold the kernel, downloaded by
	// URL instead of with apt.
	suite Suite
	index *debIndex
	debs  []*debPackage
}

// vmlinuz is the kernel image.
func (k *kernel) vmlinuz() string {
	return filepath.Join(k.Dir, "boot", "vmlinuz-"+k.Release)
}

// image returns the file QEMU boots: the uncompressed vmlinux when the
// kernel has a PVH entry point (QEMU then starts it directly, which saves
// the 10 s or more the compressed image takes to unpack itself under TCG),
// else vmlinuz.
func (k *kernel) image() string {
	p := filepath.Join(k.Dir, "vmlinux")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if err := extractVmlinux(k.vmlinuz(), p); err != nil {
		return k.vmlinuz()
	}
	return p
}

// modulesDir is the package's /lib/modules/RELEASE.
func (k *kernel) modulesDir() string {
	return filepath.Join(k.Dir, "lib", "modules", k.Release)
}

// config returns the path of the kernel's build configuration in the
// unpacked package (boot/config-RELEASE; lib/modules/RELEASE/config in a
// package of merged /usr, as sid's linux-base-RELEASE has it), or "" if
// it has none.
func (k *kernel) config() string {
	for _, p := range []string{filepath.Join(k.Dir, "boot", "config-"+k.Release), filepath.Join(k.modulesDir(), "config")} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// CacheDir is where downloaded kernels are kept between runs:
// $NLKIT_VM_CACHE, else nlkit-vmtest under the user's cache directory
// ($XDG_CACHE_HOME or ~/.cache), else under the temporary directory.
func CacheDir() string {
	if d := os.Getenv("NLKIT_VM_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "nlkit-vmtest")
	}
	return filepath.Join(os.TempDir(), "nlkit-vmtest")
}

// releaseRE matches the release part of a Debian kernel image package of
// the generic amd64 flavour: 6.1.0-57-amd64, 6.12.118+deb12-amd64.
var releaseRE = regexp.MustCompile(`^linux-image-([0-9]+\.[0-9]+[.0-9]*(?:-[0-9]+)?(?:\+deb[0-9]+)?-amd64)$`)

// resolveKernel finds, with apt-cache, the newest Debian kernel image
// package for label: a series such as "6.1" or "6.12" (the generic amd64
// flavour), or an exact release such as "6.1.0-56-cloud-amd64". A label
// of SuiteKernels ("sid", "7.2") is looked up in that suite's index
// instead.
func resolveKernel(label string, logf func(string, ...any)) (*kernel, error) {
	if suite, ok := SuiteKernels[label]; ok {
		return resolveSuiteKernel(label, suite, logf)
	}
	if label == LocalKernel {
		return resolveLocalKernel()
	}
	if bk, ok := BuiltKernels[label]; ok {
		return resolveBuiltKernel(label, bk, logf)
	}
	pkg := ""
	if strings.Count(label, ".") >= 2 || strings.Contains(label, "-") {
		pkg = "linux-image-" + label
	} else {
		out, err := exec.Command("apt-cache", "search", "--names-only",
			"^linux-image-"+regexp.QuoteMeta(label)+"[.-].*-amd64$").Output()
		if err != nil {
			return nil, fmt.Errorf("apt-cache search: %w", err)
		}
		var best []int
		for _, line := range strings.Split(string(out), "\n") {
			name, _, _ := strings.Cut(line, " ")
			m := releaseRE.FindStringSubmatch(name)
			if m == nil || !inSeries(m[1], label) {
				continue
			}
			if n := numbers(m[1]); best == nil || less(best, n) {
				pkg, best = name, n
			}
		}
		if pkg == "" {
			return nil, fmt.Errorf("apt knows no linux-image-%s.*-amd64 package (is the distribution's security or backports suite in sources.list?)", label)
		}
	}
	out, err := exec.Command("apt-cache", "policy", pkg).Output()
	if err != nil {
		return nil, fmt.Errorf("apt-cache policy %s: %w", pkg, err)
	}
	version := ""
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Candidate: "); ok && v != "(none)" {
			version = v
		}
	}
	if version == "" {
		return nil, fmt.Errorf("apt has no candidate version of %s", pkg)
	}
	return &kernel{
		Label:   label,
		Release: strings.TrimPrefix(pkg, "linux-image-"),
		Package: pkg,
		Version: version,
	}, nil
}

// inSeries reports whether release belongs to series ("6.1.0-57-amd64" to
// "6.1", not to "6.12").
func inSeries(release, series string) bool {
	rest, ok := strings.CutPrefix(release, series)
	return ok && (strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "-"))
}

// numbers returns the decimal numbers in s, in order.
func numbers(s string) []int {
	var n []int
	for _, f := range regexp.MustCompile(`[0-9]+`).FindAllString(s, -1) {
		v, _ := strconv.Atoi(f)
		n = append(n, v)
	}
	return n
}

// less compares number lists lexicographically.
func less(a, b []int) bool {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// fetch makes k.Dir hold the unpacked package: from the cache, or
// downloaded with apt-get download (by URL for a suite kernel, with the
// packages that hold its image and modules) and unpacked with dpkg-deb,
// then cached.
// A partial download never becomes visible: it is unpacked elsewhere,
// with the cache's lock held (lockCache), and renamed into place.
func (k *kernel) fetch(logf func(string, ...any)) error {
	if k.isLocal() || strings.HasPrefix(k.Package, builtPrefix) {
		return nil // resolveLocalKernel or resolveBuiltKernel made k.Dir
	}
	cache := CacheDir()
	k.Dir = filepath.Join(cache, k.Package+"_"+k.Version)
	if _, err := os.Stat(k.vmlinuz()); err == nil {
		return nil
	}
	unlock, err := lockCache(logf)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(k.vmlinuz()); err == nil {
		return nil // another run fetched it while this one waited
	}
	tmp, err := os.MkdirTemp(cache, "download-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// Let apt's unprivileged download user write here.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	logf("vmtest: downloading %s=%s into %s", k.Package, k.Version, cache)
	var debs []string
	if k.debs != nil {
		if debs, err = downloadDebs(k.debs, tmp); err != nil {
			return err
		}
	} else {
		cmd := exec.Command("apt-get", "download", "-q", k.Package+"="+k.Version)
		cmd.Dir = tmp
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("apt-get download %s=%s: %v: %s", k.Package, k.Version, err, out)
		}
		debs, _ = filepath.Glob(filepath.Join(tmp, "*.deb"))
		if len(debs) != 1 {
			return fmt.Errorf("apt-get download left %d .deb files", len(debs))
		}
	}
	root := filepath.Join(tmp, "root")
	for _, d := range debs {
		if out, err := exec.Command("dpkg-deb", "-x", d, root).CombinedOutput(); err != nil {
			return fmt.Errorf("dpkg-deb -x %s: %v: %s", d, err, out)
		}
		os.Remove(d) // the modules package is 110 MB
	}
	if err := mergedUsr(root, k.Release); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "boot", "vmlinuz-"+k.Release)); err != nil {
		return errors.Join(fmt.Errorf("%s has no vmlinuz", k.Package), err)
	}
	return os.Rename(root, k.Dir)
}

// mergedUsr moves the files of a package built for a merged /usr into
// the layout of the older ones that the cache keeps: usr/lib/modules to
// lib/modules, and the image, which it puts at
// usr/lib/modules/RELEASE/vmlinuz, to boot/vmlinuz-RELEASE. A package of
// the older layout is left as it is.
func mergedUsr(root, release string) error {
	usrMods := filepath.Join(root, "usr", "lib", "modules")
	mods := filepath.Join(root, "lib", "modules")
	if _, err := os.Stat(usrMods); err != nil {
		return nil
	}
	if _, err := os.Stat(mods); err == nil {
		return fmt.Errorf("the kernel packages have both %s and %s", usrMods, mods)
	}
	if err := os.MkdirAll(filepath.Dir(mods), 0o755); err != nil {
		return err
	}
	if err := os.Rename(usrMods, mods); err != nil {
		return err
	}
	img := filepath.Join(mods, release, "vmlinuz")
	boot := filepath.Join(root, "boot", "vmlinuz-"+release)
	if _, err := os.Stat(boot); err == nil {
		return nil
	}
	if _, err := os.Stat(img); err != nil {
		return nil // fetch says the image is missing
	}
	if err := os.MkdirAll(filepath.Dir(boot), 0o755); err != nil {
		return err
	}
	return os.Rename(img, boot)
}
