package kmod_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// clientPkg is the netlink hello client that runs inside the VM.
const clientPkg = "github.com/nlkit/netlink/examples/hello"

// vmTimeout bounds one boot of the VM, from QEMU's start to its exit.
const vmTimeout = 120 * time.Second

// wantMarkers are the lines the VM's init program prints when a check passes.
var wantMarkers = []string{
	"E2E-MISSING-MODULE-OK",
	"E2E-PARAM-OK",
	"E2E-LOAD-OK",
	"E2E-HELLO-OK",
	"E2E-ACK-OK",
	"E2E-ERROR-OK",
	"E2E-MULTI-OK",
	"E2E-NETNS-OK",
	"E2E-SHORT-OK",
	"E2E-BADLEN-OK",
	"E2E-UNLOAD-OK",
	"E2E-KLOG-CLEAN-OK",
	"E2E-DONE passed=12 failed=0",
}

// require fails the test when ok is false: under NLKIT_E2E=1 a missing
// dependency is an error, not a reason to skip.
func require(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Fatalf(format+" (install with: bash .ci/e2e-deps.sh)", args...)
	}
}

// TestE2E builds hello_nl.ko against the installed Debian cloud kernel
// headers, fetches the matching kernel, boots it under QEMU with an initramfs
// holding the module, the hello client and an init program
// (internal/vminit), and checks the markers that init prints.
func TestE2E(t *testing.T) {
	if os.Getenv("NLKIT_E2E") != "1" {
		// Boots a VM and may download a kernel: never by surprise.
		t.Skip("set NLKIT_E2E=1 to build the module and boot it under QEMU (see examples/kmod/README.md)")
	}
	tools := map[string]string{}
	for _, name := range []string{"qemu-system-x86_64", "make", "go", "dpkg-query", "dpkg", "dpkg-deb", "apt-get"} {
		path, err := exec.LookPath(name)
		require(t, err == nil, "%s is not installed", name)
		tools[name] = path
	}
	kver, debVersion, err := cloudHeaders(tools)
	require(t, err == nil, "no Debian cloud kernel headers: %v", err)
	kdir := filepath.Join("/lib/modules", kver, "build")
	_, err = os.Stat(filepath.Join(kdir, "Makefile"))
	require(t, err == nil, "headers for %s are incomplete: %v", kver, err)
	t.Logf("kernel %s (package version %s)", kver, debVersion)

	work := t.TempDir()
	step := func(name string, f func() error) {
		t.Helper()
		start := time.Now()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Logf("%s: %v", name, time.Since(start).Round(time.Millisecond))
	}

	var vmlinuz, module string
	var files []cpioEntry
	step("fetch kernel", func() (err error) {
		vmlinuz, err = kernelImage(t, tools, kver, debVersion)
		return err
	})
	step("build module", func() (err error) {
		module, err = buildModule(tools, kdir, filepath.Join(work, "module"))
		return err
	})
	step("build init and client", func() error {
		for _, b := range []struct{ pkg, name string }{
			{"./internal/vminit", "init"},
			{clientPkg, "bin/hello"},
		} {
			data, err := goBuildStatic(tools, b.pkg, filepath.Join(work, "bin"))
			if err != nil {
				return err
			}
			files = append(files, cpioEntry{name: b.name, mode: cpioFile | 0o755, data: data})
		}
		return nil
	})
	initrd := filepath.Join(work, "initrd.cpio")
	step("pack initramfs", func() error {
		ko, err := os.ReadFile(module)
		if err != nil {
			return err
		}
		entries := append([]cpioEntry{
			{name: "bin", mode: cpioDir | 0o755},
			{name: "dev", mode: cpioDir | 0o755},
			{name: "dev/console", mode: cpioChar | 0o600, major: 5, minor: 1},
			{name: "proc", mode: cpioDir | 0o755},
			{name: "sys", mode: cpioDir | 0o755},
			{name: "hello_nl.ko", mode: cpioFile | 0o644, data: ko},
		}, files...)
		f, err := os.Create(initrd)
		if err != nil {
			return err
		}
		if err := writeCPIO(f, entries); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})

	var console string
	step("boot VM", func() (err error) {
		console, err = bootVM(tools["qemu-system-x86_64"], vmlinuz, initrd)
		return err
	})

	// Show what init reported. Markers are matched anywhere in a line, as
	// kernel or firmware output may share a console line with them.
	lines := consoleLines(console)
	for _, line := range lines {
		if strings.Contains(line, "E2E-") || strings.HasPrefix(line, "kmsg:") ||
			strings.HasPrefix(line, "client:") {
			t.Log("vm| " + line)
		}
	}
	var missing []string
	for _, m := range wantMarkers {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, m) }) {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		t.Errorf("missing markers %q; full console output:\n%s", missing, console)
	}
}

// cloudHeaders returns the kernel release (e.g. 6.1.0-56-cloud-amd64) and
// Debian package version of the newest installed linux-headers-*-cloud-amd64
// package.
func cloudHeaders(tools map[string]string) (kver, version string, err error) {
	out, err := exec.Command(tools["dpkg-query"], "-W",
		"-f=${db:Status-Status} ${Package} ${Version}\n",
		"linux-headers-*-cloud-amd64").Output()
	if err != nil && len(out) == 0 {
		return "", "", fmt.Errorf("dpkg-query: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "installed" || f[1] == "linux-headers-cloud-amd64" {
			continue
		}
		if version == "" || exec.Command(tools["dpkg"], "--compare-versions", f[2], "gt", version).Run() == nil {
			kver, version = strings.TrimPrefix(f[1], "linux-headers-"), f[2]
		}
	}
	if kver == "" {
		return "", "", errors.New("no linux-headers-*-cloud-amd64 package is installed")
	}
	return kver, version, nil
}

// cacheDir returns the directory where downloaded kernels are kept between
// runs: $NLKIT_E2E_CACHE, or nlkit-e2e under the user's cache directory, or
// under the temporary directory.
func cacheDir() string {
	if d := os.Getenv("NLKIT_E2E_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "nlkit-e2e")
	}
	return filepath.Join(os.TempDir(), "nlkit-e2e-cache")
}

// kernelImage returns the path of vmlinuz for kernel kver, package version
// version. It is taken from the cache or else downloaded with apt-get
// download, unpacked with dpkg-deb, and cached.
func kernelImage(t *testing.T, tools map[string]string, kver, version string) (string, error) {
	dir := filepath.Join(cacheDir(), kver+"_"+version)
	vmlinuz := filepath.Join(dir, "vmlinuz")
	if _, err := os.Stat(vmlinuz); err == nil {
		t.Logf("using cached %s", vmlinuz)
		return vmlinuz, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, "download-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	// Let apt's unprivileged download user write here (no sandbox warning).
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}

	pkg := "linux-image-" + kver + "=" + version
	t.Logf("downloading %s into %s", pkg, dir)
	cmd := exec.Command(tools["apt-get"], "download", "-q", pkg)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		require(t, false, "apt-get download %s failed (%v): %s", pkg, err, out)
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if len(debs) != 1 {
		return "", fmt.Errorf("apt-get download left %d .deb files", len(debs))
	}
	root := filepath.Join(tmp, "root")
	if out, err := exec.Command(tools["dpkg-deb"], "-x", debs[0], root).CombinedOutput(); err != nil {
		return "", fmt.Errorf("dpkg-deb -x: %v: %s", err, out)
	}
	// Rename into place so that a concurrent or interrupted run never sees
	// a partial image.
	if err := os.Rename(filepath.Join(root, "boot", "vmlinuz-"+kver), vmlinuz); err != nil {
		return "", fmt.Errorf("no vmlinuz in %s: %w", debs[0], err)
	}
	return vmlinuz, nil
}

// buildModule copies the module's sources into dir, builds it against the
// kernel build tree kdir, and returns the path of hello_nl.ko.
func buildModule(tools map[string]string, kdir, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for _, name := range []string{"hello_nl.c", "Kbuild"} {
		data, err := os.ReadFile(name)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	cmd := exec.Command(tools["make"], "-C", kdir, "M="+dir, "modules")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("make: %v:\n%s", err, out)
	}
	return filepath.Join(dir, "hello_nl.ko"), nil
}

// goBuildStatic builds pkg as a static linux/amd64 binary in dir and
// returns its contents.
func goBuildStatic(tools map[string]string, pkg, dir string) ([]byte, error) {
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command(tools["go"], "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s: %v:\n%s", pkg, err, msg)
	}
	return os.ReadFile(out)
}

// bootVM boots kernel with initrd under QEMU (TCG, no display, no network)
// and returns everything written to the serial console. The init program
// powers the machine off when done; QEMU is killed after vmTimeout.
func bootVM(qemu, kernel, initrd string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), vmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, qemu,
		"-accel", "tcg",
		"-m", "512",
		"-nographic",
		"-no-reboot",
		"-nic", "none",
		"-kernel", kernel,
		"-initrd", initrd,
		"-append", "console=ttyS0 quiet panic=-1 rdinit=/init",
	)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if ctx.Err() != nil {
		return out.String(), fmt.Errorf("QEMU did not finish within %v; console:\n%s", vmTimeout, out.String())
	}
	if err != nil {
		return out.String(), fmt.Errorf("qemu: %v; console:\n%s", err, out.String())
	}
	return out.String(), nil
}

// consoleLines splits serial console output into lines without the carriage
// returns the serial line adds.
func consoleLines(s string) []string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	return lines
}
