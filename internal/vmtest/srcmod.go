package vmtest

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// SourceModule is a driver that Debian's kernel packages leave out (its
// option is not set in their config) and that the harness builds from
// Debian's source of the same kernel when Config.Modules names it.
type SourceModule struct {
	Dir    string // its directory in the kernel's source: drivers/net/netdevsim
	Option string // the Kconfig option its Makefile builds it by: CONFIG_NETDEVSIM
}

// SourceModules are the modules the harness can build, by name.
//
// netdevsim, the simulated network device (devlink instances with ports,
// ethtool settings, SR-IOV VFs, made by writing to
// /sys/bus/netdevsim/new_device), is built out of tree with Debian's own
// compiler settings: it needs nothing the kernel lacks (devlink and
// page_pool are built in, psample a module, which it loads first).
// Unsigned and out of tree, it taints the kernel (flags O and E) but
// loads: Debian's kernels do not force module signatures, and lockdown,
// which would refuse it, is only on under UEFI Secure Boot.
//
// The first VM of a kernel that asks for one downloads, with apt-get, the
// kernel's linux-headers package with the linux-headers-…-common and
// linux-kbuild packages it depends on (about 17 MB) and linux-source-SERIES
// (about 150 MB, of which only the module's directory is unpacked),
// builds the module with make and the host's gcc (the version Debian
// built the kernel with: gcc-12 on bookworm), strips its debug
// information, and keeps it in the kernel's directory in CacheDir, as
// lib/modules/RELEASE/extra/NAME.ko; the downloads are deleted. Later VMs
// of that kernel take it from there; deleting it builds it again.
//
// A kernel of SuiteKernels (sid's, built with a newer gcc than the
// host's, its headers' tools linked against a newer C library) is built
// the same way but inside a chroot of its suite, kept in CacheDir (see
// suiteRoot), in which apt-get installs the headers with the compiler
// they depend on, as on a Debian system of that suite.
//
// Builds and downloads hold a lock in CacheDir, one at a time; what a
// killed one left is removed by the next (see lockCache).
var SourceModules = map[string]SourceModule{
	"netdevsim": {Dir: "drivers/net/netdevsim", Option: "CONFIG_NETDEVSIM"},
}

// extraDir is where built modules are kept, under a kernel's modulesDir.
const extraDir = "extra"

// buildSourceModules builds, for kernel k, the modules of names that the
// kernel package lacks and SourceModules has, and adds them to mods. A
// module neither has is left for closure to report.
func buildSourceModules(k *kernel, mods *modules, names []string, logf func(string, ...any)) error {
	var todo []string
	for _, n := range names {
		n = strings.ReplaceAll(n, "-", "_")
		if _, ok := mods.paths[n]; ok || slices.Contains(mods.builtin, n) {
			continue
		}
		if _, ok := SourceModules[n]; ok && !slices.Contains(todo, n) {
			todo = append(todo, n)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	tools := []string{"make", "xz", "strip", "dpkg-deb", "apt-cache", "apt-get"}
	if k.index != nil {
		tools = []string{"xz", "dpkg-deb", "debootstrap"} // the rest are the chroot's
	}
	for _, name := range tools {
		if _, err := exec.LookPath(name); err != nil {
			return fmt.Errorf("building %s for Linux %s: %s %w", strings.Join(todo, ", "), k.Release, name, ErrMissing)
		}
	}
	unlock, err := lockCache(logf)
	if err != nil {
		return err
	}
	defer unlock()
	// Another run may have built them while this one waited for the lock.
	todo = slices.DeleteFunc(todo, func(n string) bool {
		rel := filepath.Join(extraDir, n+".ko")
		if _, err := os.Stat(filepath.Join(mods.dir, rel)); err != nil {
			return false
		}
		mods.paths[n] = rel
		delete(mods.info, n)
		return true
	})
	if len(todo) == 0 {
		return nil
	}
	start := time.Now()
	series := seriesRE.FindString(k.Release)
	if series == "" {
		return fmt.Errorf("kernel release %q has no series", k.Release)
	}
	var b *moduleBuild
	if k.index != nil {
		b, err = newSuiteBuild(k, series, logf)
	} else {
		b, err = newModuleBuild(k, series, logf)
	}
	if err != nil {
		return err
	}
	defer b.close()
	for _, n := range todo {
		if err := b.build(n, SourceModules[n]); err != nil {
			return fmt.Errorf("building %s for Linux %s: %w", n, k.Release, err)
		}
		mods.paths[n] = filepath.Join(extraDir, n+".ko")
		delete(mods.info, n) // read again from the new file
	}
	logf("vmtest: built %s for Linux %s in %v", strings.Join(todo, ", "), k.Release, time.Since(start).Round(time.Millisecond))
	return nil
}

// moduleBuild is a kernel's build tree: unpacked from its Debian
// packages into a temporary directory of the cache, or installed in a
// suite's chroot.
type moduleBuild struct {
	k       *kernel
	logf    func(string, ...any)
	root    string   // the chroot the build runs in (suiteRoot); empty on the host
	tmp     string   // removed by close; in root for a chroot build
	headers string   // the kernel's build directory, as make sees it: tmp/root/usr/src/linux-headers-RELEASE, or /usr/src/… in root
	source  string   // the linux-source package's .deb
	series  string   // "6.12"
	purge   []string // packages close removes from root
}

// command returns the command that runs program name with args: in the
// build's chroot, or on the host; either inherits the cache's lock.
func (b *moduleBuild) command(name string, args ...string) *exec.Cmd {
	if b.root == "" {
		return holdingLock(exec.Command(name, args...))
	}
	return rootCommand(b.root, name, args...)
}

// inRoot returns host path p as the build's commands see it: inside the
// chroot, without its directory.
func (b *moduleBuild) inRoot(p string) string {
	if b.root == "" {
		return p
	}
	return "/" + strings.TrimPrefix(strings.TrimPrefix(p, b.root), "/")
}

// seriesRE matches the series at the start of a release: 6.12 of
// 6.12.118+deb12-amd64.
var seriesRE = regexp.MustCompile(`^[0-9]+\.[0-9]+`)

// newModuleBuild downloads and unpacks the build tree of kernel k and
// downloads its source package.
func newModuleBuild(k *kernel, series string, logf func(string, ...any)) (*moduleBuild, error) {
	hdr := "linux-headers-" + k.Release
	src := "linux-source-" + series
	pkgs, err := headerPackages(hdr, k.Version)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(CacheDir(), "build-")
	if err != nil {
		return nil, err
	}
	b := &moduleBuild{k: k, logf: logf, tmp: tmp, series: series,
		headers: filepath.Join(tmp, "root", "usr", "src", hdr)}
	// Let apt's unprivileged download user write here.
	if err := os.Chmod(tmp, 0o755); err != nil {
		b.close()
		return nil, err
	}
	var args []string
	for _, p := range append(pkgs, src) {
		args = append(args, p+"="+k.Version)
	}
	start := time.Now()
	cmd := exec.Command("apt-get", append([]string{"download", "-q"}, args...)...)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		b.close()
		return nil, fmt.Errorf("apt-get download %s: %v: %s (Debian's source and headers of this kernel are needed to build its modules)",
			strings.Join(args, " "), err, out)
	}
	logf("vmtest: downloaded %s in %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	for _, d := range debs {
		if strings.HasPrefix(filepath.Base(d), src+"_") {
			b.source = d
			continue
		}
		if out, err := exec.Command("dpkg-deb", "-x", d, filepath.Join(tmp, "root")).CombinedOutput(); err != nil {
			b.close()
			return nil, fmt.Errorf("dpkg-deb -x %s: %v: %s", d, err, out)
		}
	}
	if b.source == "" || len(debs) != len(pkgs)+1 {
		b.close()
		return nil, fmt.Errorf("apt-get download %s left %d .deb files", strings.Join(args, " "), len(debs))
	}
	if err := b.relocate(); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

// headerPackages returns the headers package hdr and the linux-headers and
// linux-kbuild packages its version version depends on.
func headerPackages(hdr, version string) ([]string, error) {
	out, err := exec.Command("apt-cache", "show", hdr+"="+version).Output()
	if err != nil {
		return nil, fmt.Errorf("apt-cache show %s=%s: %w (Debian's headers of this kernel are needed to build its modules)", hdr, version, exitText(err))
	}
	deps := buildDepends(string(out))
	if len(deps) == 0 {
		return nil, fmt.Errorf("apt-cache show %s=%s: no linux-headers or linux-kbuild dependency", hdr, version)
	}
	return append([]string{hdr}, deps...), nil
}

// buildDepends returns the linux-headers and linux-kbuild packages the
// first record of apt-cache show's output depends on (the first of
// alternatives).
func buildDepends(show string) []string {
	var pkgs []string
	for _, line := range strings.Split(show, "\n") {
		deps, ok := strings.CutPrefix(line, "Depends: ")
		if !ok {
			continue
		}
		for _, d := range strings.Split(deps, ",") {
			d, _, _ = strings.Cut(d, "|")
			f := strings.Fields(d)
			if len(f) == 0 {
				continue
			}
			if name := f[0]; strings.HasPrefix(name, "linux-headers-") || strings.HasPrefix(name, "linux-kbuild-") {
				pkgs = append(pkgs, name)
			}
		}
		break
	}
	return pkgs
}

// relocate points the build directory's Makefile, which includes the
// common headers' Makefile at its installed path (/usr/src/…) and may set
// KBUILD_OUTPUT to its own installed path, at the unpacked copy. The
// other links between the packages are relative.
func (b *moduleBuild) relocate() error {
	mk := filepath.Join(b.headers, "Makefile")
	data, err := os.ReadFile(mk)
	if err != nil {
		return err
	}
	root := filepath.Join(b.tmp, "root")
	moved := strings.ReplaceAll(string(data), "include /usr/src/", "include "+root+"/usr/src/")
	if moved == string(data) {
		return fmt.Errorf("%s includes no /usr/src/ Makefile: %q", mk, data)
	}
	// Newer packages (Debian 7.x) also name the build directory itself.
	moved = strings.ReplaceAll(moved, "KBUILD_OUTPUT=/usr/src/", "KBUILD_OUTPUT="+root+"/usr/src/")
	return os.WriteFile(mk, []byte(moved), 0o644)
}

// close removes the build's temporary directory, and from a chroot the
// headers packages and apt's downloaded packages, to keep it small.
func (b *moduleBuild) close() {
	if b.tmp != "" {
		os.RemoveAll(b.tmp)
	}
	if b.root == "" {
		return
	}
	for _, args := range [][]string{append([]string{"purge", "-y", "-q"}, b.purge...), {"clean"}} {
		if out, err := rootCommand(b.root, "apt-get", args...).CombinedOutput(); err != nil {
			b.logf("vmtest: apt-get %s in %s: %v:\n%s", strings.Join(args, " "), b.root, err, tail(out, 10))
		}
	}
}

// build builds module name from its source directory and moves it into
// the kernel's extraDir.
func (b *moduleBuild) build(name string, m SourceModule) error {
	dir := filepath.Join(b.tmp, "src", name)
	start := time.Now()
	if err := b.unpackSource(m.Dir, dir); err != nil {
		return err
	}
	b.logf("vmtest: unpacked %s of %s in %v", m.Dir, filepath.Base(b.source), time.Since(start).Round(time.Millisecond))
	start = time.Now()
	// The option set on make's command line builds the module; BTF
	// information is left out, as it needs pahole and the tests do not
	// use it.
	args := []string{"-C", b.headers, "M=" + b.inRoot(dir), m.Option + "=m", "CONFIG_DEBUG_INFO_BTF_MODULES=", "modules"}
	hint := " (bash .ci/e2e-deps.sh installs make and gcc)"
	if b.root != "" {
		hint = " in the chroot " + b.root
	} else if cc, ok := kernelCompiler(b.headers); ok {
		if _, err := exec.LookPath(cc); err != nil {
			// Tried with gcc-12 for sid's 7.2 (gcc-16): the kernel's flags
			// need a newer gcc (-fmin-function-alignment), and the
			// package's objtool and modpost need a newer glibc (2.38)
			// than bookworm's, so the module is not built at all. A
			// suite kernel is built in the suite's chroot instead.
			return fmt.Errorf("kernel %s was built with %s, which the host lacks (a module built with another gcc may not match the kernel; the headers' own tools may also need a newer C library than the host's)", b.k.Release, cc)
		}
	}
	if out, err := b.command("make", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("make %s=m modules in %s: %v%s:\n%s", m.Option, m.Dir, err, hint, tail(out, 40))
	}
	ko := filepath.Join(dir, name+".ko")
	stripped := filepath.Join(b.tmp, name+".ko")
	if out, err := b.command("strip", "--strip-debug", "-o", b.inRoot(stripped), b.inRoot(ko)).CombinedOutput(); err != nil {
		return fmt.Errorf("strip --strip-debug %s: %v: %s", ko, err, out)
	}
	if err := checkVermagic(stripped, b.k.Release); err != nil {
		return err
	}
	b.logf("vmtest: built %s.ko in %v", name, time.Since(start).Round(time.Millisecond))
	dst := filepath.Join(b.k.modulesDir(), extraDir, name+".ko")
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.Rename(stripped, dst)
}

// kernelCompiler returns the compiler the headers' .kernelvariables
// name (CC = … gcc-16), without any cross-compiler prefix.
func kernelCompiler(headers string) (string, bool) {
	data, err := os.ReadFile(filepath.Join(headers, ".kernelvariables"))
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) != "CC" {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			return "", false
		}
		cc := strings.TrimPrefix(f[len(f)-1], "$(CROSS_COMPILE)")
		return cc, strings.HasPrefix(cc, "gcc")
	}
	return "", false
}

// unpackSource copies directory dir of the kernel's source (its files,
// not its subdirectories) into to. The source package holds the tree as
// linux-source-SERIES.tar.xz, which xz unpacks as it is read; reading
// stops after the directory, whose entries are together in the archive.
func (b *moduleBuild) unpackSource(dir, to string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	deb := exec.Command("dpkg-deb", "--fsys-tarfile", b.source)
	debOut, err := deb.StdoutPipe()
	if err != nil {
		return err
	}
	var debErr bytes.Buffer
	deb.Stderr = &debErr
	if err := deb.Start(); err != nil {
		return err
	}
	defer func() {
		debOut.Close()
		_ = deb.Wait() // stopped early on purpose, or failed and said so below
	}()
	inner := "./usr/src/linux-source-" + b.series + ".tar.xz"
	tr := tar.NewReader(debOut)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s has no %s: %s", b.source, inner, debErr.Bytes())
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w: %s", b.source, err, debErr.Bytes())
		}
		if h.Name == inner {
			break
		}
	}
	xz := exec.Command("xz", "-dc")
	xz.Stdin = tr
	xzOut, err := xz.StdoutPipe()
	if err != nil {
		return err
	}
	var xzErr bytes.Buffer
	xz.Stderr = &xzErr
	if err := xz.Start(); err != nil {
		return err
	}
	defer func() {
		xzOut.Close()
		_ = xz.Wait()
	}()
	prefix := "linux-source-" + b.series + "/" + dir + "/"
	src := tar.NewReader(xzOut)
	n := 0
	for {
		h, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading %s of %s: %w: %s", inner, b.source, err, xzErr.Bytes())
		}
		rest, ok := strings.CutPrefix(h.Name, prefix)
		if !ok {
			if n > 0 {
				break
			}
			continue
		}
		if h.Typeflag != tar.TypeReg || rest == "" || strings.Contains(rest, "/") {
			continue
		}
		data, err := io.ReadAll(src)
		if err != nil {
			return fmt.Errorf("reading %s of %s: %w", h.Name, b.source, err)
		}
		if err := os.WriteFile(filepath.Join(to, rest), data, 0o644); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s of %s has no %s", inner, b.source, prefix)
	}
	return nil
}

// checkVermagic checks that module file p was built for release.
func checkVermagic(p, release string) error {
	f, err := elf.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	sec := f.Section(".modinfo")
	if sec == nil {
		return fmt.Errorf("%s has no .modinfo", p)
	}
	data, err := sec.Data()
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if v, ok := strings.CutPrefix(string(kv), "vermagic="); ok {
			if !strings.HasPrefix(v, release+" ") {
				return fmt.Errorf("%s was built for %q, not %s", p, v, release)
			}
			return nil
		}
	}
	return fmt.Errorf("%s has no vermagic", p)
}

// tail returns the last n lines of out.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
