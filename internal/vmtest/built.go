package vmtest

import (
	"crypto/sha256"
	_ "embed" // the config fragments
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// BuiltKernel is a kernel the harness builds itself, from the Debian
// source of a suite kernel, for options Debian leaves off.
type BuiltKernel struct {
	// Base is the label of SuiteKernels whose source is built, in the
	// chroot its modules are built in: "7.2".
	Base string
	// Fragment holds Kconfig lines ("CONFIG_X=y") merged into the
	// kernel's tinyconfig. Every option it sets must come out of the
	// configuration as it asks, or the build fails saying which did not.
	Fragment string
}

//go:embed psp.config
var pspFragment string

// BuiltKernels are the Config.Kernel labels of BuiltKernel. "psp" is
// trixie-backports' 7.2 source built with CONFIG_INET_PSP, a bool of the
// core kernel that no Debian kernel sets, and netdevsim, whose devices
// offer PSP only with it; everything the tests use is built in (see
// psp.config). The first run builds it, in a few minutes on two idle
// cores; later runs take it from CacheDir.
var BuiltKernels = map[string]BuiltKernel{
	"psp": {Base: "7.2", Fragment: pspFragment},
}

// builtPrefix starts the name of a built kernel's directory in CacheDir.
const builtPrefix = "built-"

// resolveBuiltKernel returns the kernel of label, a BuiltKernel: its
// directory in CacheDir, laid out as an unpacked kernel package (vmlinux,
// lib/modules/RELEASE with config and modules.builtin, no modules), is
// named after the base kernel's version and the fragment, so a new one of
// either builds it again. It is built the first time, with the cache's
// lock held, in a temporary directory renamed into place.
func resolveBuiltKernel(label string, bk BuiltKernel, logf func(string, ...any)) (*kernel, error) {
	suite, ok := SuiteKernels[bk.Base]
	if !ok {
		return nil, fmt.Errorf("kernel %q: base %q is not a suite kernel", label, bk.Base)
	}
	base, err := resolveSuiteKernel(bk.Base, suite, logf)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(base.Version + "\x00" + bk.Fragment))
	k := &kernel{Label: label, Package: builtPrefix + label, Version: base.Version + "_" + hex.EncodeToString(sum[:6])}
	k.Dir = filepath.Join(CacheDir(), k.Package+"_"+k.Version)
	if k.Release, err = builtRelease(k.Dir); err == nil {
		return k, nil
	}
	unlock, err := lockCache(logf)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if k.Release, err = builtRelease(k.Dir); err == nil {
		return k, nil // another run built it while this one waited
	}
	if err := buildKernel(k, base, bk, logf); err != nil {
		return nil, fmt.Errorf("building kernel %q from %s's source: %w", label, base.Release, err)
	}
	return k, nil
}

// builtRelease returns the release of the built kernel in dir, from its
// vmlinux's banner; an error if there is none.
func builtRelease(dir string) (string, error) {
	img, err := os.ReadFile(filepath.Join(dir, "vmlinux"))
	if err != nil {
		return "", err
	}
	m := bannerRE.FindSubmatch(img)
	if m == nil {
		return "", fmt.Errorf("no Linux banner in %s", filepath.Join(dir, "vmlinux"))
	}
	return string(m[1]), nil
}

// buildKernel builds k from the source package of base in the chroot of
// base's suite: apt-get installs the compiler and tools a kernel build
// needs and downloads linux-source-SERIES; the source is unpacked, its
// tinyconfig merged with bk.Fragment, and vmlinux built; vmlinux, the
// configuration and modules.builtin go to k.Dir, and the rest (about
// 1.5 GB) is deleted. The caller holds the cache's lock.
func buildKernel(k, base *kernel, bk BuiltKernel, logf func(string, ...any)) error {
	start := time.Now()
	root, err := suiteRoot(base.suite.Root, logf)
	if err != nil {
		return err
	}
	if err := addSources(root, base.suite); err != nil {
		return err
	}
	series := seriesRE.FindString(base.Release)
	for _, args := range [][]string{
		{"dpkg", "--configure", "-a"},
		{"apt-get", "update", "-q", "-o", "Acquire::Check-Valid-Until=false"},
		{"apt-get", "install", "-y", "-q", "--no-install-recommends", "make", "gcc", "binutils", "libc6-dev", "flex", "bison", "bc", "libelf-dev", "libssl-dev", "xz-utils"},
	} {
		if out, err := rootCommand(root, args[0], args[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s in the chroot %s: %v (deleting it makes it again):\n%s", strings.Join(args, " "), root, err, tail(out, 20))
		}
	}
	tmp, err := os.MkdirTemp(filepath.Join(root, "tmp"), "kernel-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// Let apt's unprivileged download user write here.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	in := "/" + strings.TrimPrefix(strings.TrimPrefix(tmp, root), "/")
	src := "linux-source-" + series + "=" + base.Version
	if err := os.WriteFile(filepath.Join(tmp, "fragment.config"), []byte(bk.Fragment), 0o644); err != nil {
		return err
	}
	// One shell script, so that the steps share the directory; each
	// prints what it does, for the error's tail.
	script := `set -e
cd "$1"
echo "+ apt-get download $2"
apt-get download -q "$2"
echo "+ unpacking"
dpkg-deb --fsys-tarfile linux-source-*.deb | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' | tar -xJ
rm -f linux-source-*.deb
cd linux-source-*/
echo "+ make tinyconfig"
make -s O="$1/out" tinyconfig
scripts/kconfig/merge_config.sh -m -O "$1/out" "$1/out/.config" "$1/fragment.config" >/dev/null
make -s O="$1/out" olddefconfig
echo "+ make vmlinux"
make -s O="$1/out" -j"$3" vmlinux
`
	logf("vmtest: building kernel %q: %s with %s (minutes; the result is cached)", k.Label, src, "the fragment of BuiltKernels")
	cmd := rootCommand(root, "/bin/sh", "-c", script, "sh", in, src, fmt.Sprint(runtime.NumCPU()))
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("in the chroot %s: %v:\n%s", root, err, tail(out, 40))
	}
	out := filepath.Join(tmp, "out")
	config, err := os.ReadFile(filepath.Join(out, ".config"))
	if err != nil {
		return err
	}
	if missing := unmetOptions(bk.Fragment, string(config)); len(missing) > 0 {
		return fmt.Errorf("the configuration does not have %s as the fragment asks (a dependency it lacks?)", strings.Join(missing, ", "))
	}
	release, err := builtRelease(out)
	if err != nil {
		return err
	}
	// "build-", as a module build's: what a killed run leaves is removed
	// by the next (leftoverPatterns).
	dir, err := os.MkdirTemp(CacheDir(), "build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir) // after the rename, nothing
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	mods := filepath.Join(dir, "lib", "modules", release)
	if err := os.MkdirAll(filepath.Join(mods, "kernel"), 0o755); err != nil {
		return err
	}
	for from, to := range map[string]string{"vmlinux": filepath.Join(dir, "vmlinux"), ".config": filepath.Join(mods, "config"), "modules.builtin": filepath.Join(mods, "modules.builtin")} {
		err := os.Rename(filepath.Join(out, from), to)
		if os.IsNotExist(err) && from == "modules.builtin" {
			// make vmlinux writes it when the kernel has modules at all.
			err = os.WriteFile(to, nil, 0o644)
		}
		if err != nil {
			return err
		}
	}
	// A directory there is a broken one (builtRelease found no vmlinux
	// with a banner in it).
	if err := os.RemoveAll(k.Dir); err != nil {
		return err
	}
	if err := os.Rename(dir, k.Dir); err != nil {
		return err
	}
	k.Release = release
	logf("vmtest: built kernel %q (Linux %s) in %v", k.Label, release, time.Since(start).Round(time.Second))
	return nil
}

// unmetOptions returns the options fragment sets ("CONFIG_X=y", "CONFIG_X=n",
// "# CONFIG_X is not set") that config does not have as it asks.
func unmetOptions(fragment, config string) []string {
	have := map[string]string{}
	for _, line := range strings.Split(config, "\n") {
		if name, v, ok := kconfigLine(line); ok {
			have[name] = v
		}
	}
	var missing []string
	for _, line := range strings.Split(fragment, "\n") {
		name, want, ok := kconfigLine(line)
		if !ok {
			continue
		}
		if got := have[name]; got != want && !(want == "n" && got == "") {
			missing = append(missing, name+"="+want)
		}
	}
	return missing
}

// kconfigLine parses a line of a configuration: "CONFIG_X=v" or "# CONFIG_X
// is not set" (v "n").
func kconfigLine(line string) (name, v string, ok bool) {
	line = strings.TrimSpace(line)
	if rest, found := strings.CutPrefix(line, "# "); found {
		name, found = strings.CutSuffix(rest, " is not set")
		return name, "n", found && strings.HasPrefix(name, "CONFIG_")
	}
	name, v, ok = strings.Cut(line, "=")
	if !ok || !strings.HasPrefix(name, "CONFIG_") {
		return "", "", false
	}
	if v == "n" {
		return name, "n", true
	}
	return name, strings.Trim(v, `"`), true
}
