package vmtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// suiteRootPrefix starts the name of a suite's chroot in CacheDir:
// root-sid.
const suiteRootPrefix = "root-"

// debianKeyring is the host's keyring of Debian's archive keys, which
// debootstrap checks the suite's Release file against.
const debianKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg"

// suiteRoot returns the chroot of Debian suite in CacheDir, making it the
// first time: a minimal system (debootstrap --variant=minbase, about
// 220 MB, two to three minutes), its packages checked against the host's
// keyring, from DebianMirror. It is made in a temporary directory and
// renamed into place, so it is there whole or not at all; deleting it
// makes it again. The caller holds the cache's lock.
func suiteRoot(suite string, logf func(string, ...any)) (string, error) {
	root := filepath.Join(CacheDir(), suiteRootPrefix+suite)
	if _, err := os.Stat(root); err == nil {
		return root, nil
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return "", fmt.Errorf("debootstrap %w", ErrMissing)
	}
	tmp, err := os.MkdirTemp(CacheDir(), "debootstrap-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // after the rename, nothing
	// The chroot's root directory: apt's unprivileged user goes through it.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	start := time.Now()
	logf("vmtest: making a Debian %s chroot in %s with debootstrap", suite, root)
	args := []string{"--variant=minbase", "--keyring=" + debianKeyring, suite, tmp, DebianMirror()}
	if out, err := isolate(exec.Command("debootstrap", args...), "").CombinedOutput(); err != nil {
		return "", fmt.Errorf("debootstrap %s: %v:\n%s", strings.Join(args, " "), err, tail(out, 20))
	}
	if err := os.Rename(tmp, root); err != nil {
		return "", err
	}
	logf("vmtest: made the Debian %s chroot in %v", suite, time.Since(start).Round(time.Millisecond))
	return root, nil
}

// rootCommand returns the command that runs program name with args in
// the chroot root, in a mount namespace of its own in which /proc is
// mounted (objtool, which the kernel's build runs on each module, reads
// it), with a plain environment.
func rootCommand(root, name string, args ...string) *exec.Cmd {
	cmd := exec.Command("/bin/sh", append([]string{"-c", `mount -t proc proc /proc && exec "$@"`, "sh", name}, args...)...)
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LC_ALL=C", "DEBIAN_FRONTEND=noninteractive"}
	for _, v := range os.Environ() {
		if k, _, _ := strings.Cut(v, "="); strings.HasSuffix(strings.ToLower(k), "_proxy") {
			cmd.Env = append(cmd.Env, v)
		}
	}
	return isolate(cmd, root)
}

// addSources adds suite's Index to the apt sources of the chroot root
// when it is not the suite the chroot is of (trixie-backports in a trixie
// chroot). apt then takes from it only what is asked for by version, as
// a backports suite is NotAutomatic.
func addSources(root string, suite Suite) error {
	if suite.Index == suite.Root {
		return nil
	}
	line := fmt.Sprintf("deb %s %s main\n", DebianMirror(), suite.Index)
	return os.WriteFile(filepath.Join(root, "etc", "apt", "sources.list.d", "nlkit-"+suite.Index+".list"), []byte(line), 0o644)
}

// newSuiteBuild prepares a build of modules for kernel k of a suite of
// SuiteKernels in the suite's chroot (suiteRoot): apt-get installs make,
// binutils (strip) and the kernel's linux-headers package, which brings
// the compiler Debian built the kernel with (gcc-16 for sid's 7.2) and
// the host tools built for the suite's C library, and downloads
// linux-source-SERIES into a temporary directory of the chroot. apt
// checks them against the suite's signed index. close removes the
// headers again (the compiler stays, for the next kernel) and apt's
// downloads.
func newSuiteBuild(k *kernel, series string, logf func(string, ...any)) (*moduleBuild, error) {
	idx := k.index
	hdr := "linux-headers-" + k.Release
	p := idx.pkgs[hdr]
	if p == nil {
		return nil, fmt.Errorf("suite %s has no %s (Debian's headers of this kernel are needed to build its modules)", idx.suite, hdr)
	}
	root, err := suiteRoot(k.suite.Root, logf)
	if err != nil {
		return nil, err
	}
	if err := addSources(root, k.suite); err != nil {
		return nil, err
	}
	b := &moduleBuild{k: k, logf: logf, root: root, series: series,
		headers: "/usr/src/" + hdr,
		purge:   append([]string{hdr}, buildDepends("Depends: "+p.Depends)...)}
	start := time.Now()
	// dpkg --configure -a finishes what a killed run left half installed.
	// apt-get update takes a Release file past its Valid-Until, as a
	// mirror's snapshot serves it (debootstrap does not check it either):
	// the packages are pinned to the kernel's version all the same.
	for _, args := range [][]string{
		{"dpkg", "--configure", "-a"},
		{"apt-get", "update", "-q", "-o", "Acquire::Check-Valid-Until=false"},
		{"apt-get", "install", "-y", "-q", "--no-install-recommends", "make", "binutils", hdr + "=" + k.Version},
	} {
		if out, err := rootCommand(root, args[0], args[1:]...).CombinedOutput(); err != nil {
			b.close()
			return nil, fmt.Errorf("%s in the chroot %s: %v (deleting it makes it again):\n%s", strings.Join(args, " "), root, err, tail(out, 20))
		}
	}
	if b.tmp, err = os.MkdirTemp(filepath.Join(root, "tmp"), "build-"); err != nil {
		b.close()
		return nil, err
	}
	// Let apt's unprivileged download user write here.
	if err := os.Chmod(b.tmp, 0o755); err != nil {
		b.close()
		return nil, err
	}
	src := "linux-source-" + series + "=" + k.Version
	cmd := rootCommand(root, "apt-get", "download", "-q", src)
	cmd.Dir = b.inRoot(b.tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.close()
		return nil, fmt.Errorf("apt-get download %s in the chroot %s: %v:\n%s", src, root, err, tail(out, 20))
	}
	debs, _ := filepath.Glob(filepath.Join(b.tmp, "*.deb"))
	if len(debs) != 1 {
		b.close()
		return nil, fmt.Errorf("apt-get download %s left %d .deb files", src, len(debs))
	}
	b.source = debs[0]
	logf("vmtest: installed %s and downloaded %s in the chroot %s in %v", hdr, src, root, time.Since(start).Round(time.Millisecond))
	return b, nil
}
