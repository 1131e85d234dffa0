// Package vmtest runs tests inside a virtual machine booted from a Debian
// kernel package, with its modules and the host's iproute2 and ethtool, so
// that the kernel tests of a package run on kernels (and with link kinds)
// the host lacks.
//
// A test marks the part that runs in the VM:
//
//	func TestBondKernel(t *testing.T) {
//		vmtest.Run(t, vmtest.Config{Kernel: "6.1", Modules: []string{"bonding"}}, func(t *testing.T) {
//			// runs as root inside Linux 6.1, bonding loaded
//		})
//	}
//
// On the host, Run skips unless NLKIT_VM=1; with it, Run builds the
// package's test binary (go test -c), boots the kernel under QEMU with an
// initramfs holding that binary, the package's module source (for
// testdata), the networking modules and the tools, runs just this test
// inside, streams the VM's console to the test log, and fails when the test
// failed inside. Inside the VM, Run loads the modules and calls the body.
//
// A test that skips inside the VM fails the run: the tests a body runs
// are there because the host cannot run them, so a skip in the VM is the
// VM missing what it is for (a module, a tool, a kernel feature), not a
// pass. A test that may skip in a given VM is named in Config.AllowSkip
// with the reason.
//
// A whole package runs in a VM with the command internal/cmd/vmtest:
//
//	go run ./internal/cmd/vmtest -kernel 6.1,6.12 -short ./rtnetlink ./genetlink
//
// Kernels come from apt (apt-get download linux-image-…-amd64: 6.1 from
// bookworm, 6.12 from bookworm-security), or for -kernel 7.2 and sid from
// the Packages index of trixie-backports and of sid by URL (see
// SuiteKernels), and are kept unpacked in
// CacheDir, with the uncompressed vmlinux QEMU starts directly (PVH),
// which saves the ten seconds or more a bzImage takes to unpack itself
// under TCG. The VM's initramfs holds vminit as /init, the test binary,
// the module's source tree at its host path (the test runs in its package
// directory, so testdata works), the kernel's networking modules with what
// they depend on, and the host's ip, bridge, tc, ethtool, sysctl, ss, genl
// (and devlink, wg, nft, conntrack when installed, and the newer ip of
// nstest.IPRoute2Dir when .ci/e2e-deps.sh has unpacked it) with their
// shared libraries. The kernel loads modules on demand, as on a full system:
// vminit serves as its modprobe. Modules Debian does not build
// (netdevsim) are built from Debian's source of the kernel when a test
// asks for them, and kept in CacheDir beside it (see SourceModules). Inside, /proc, /sys, /dev (devtmpfs, /dev/net/tun), /run
// (/var/run, /run/netns for ip netns) are mounted, /tmp is writable (the
// initramfs's own directory, so a module under /tmp stays visible) and lo
// is up.
//
// Environment: NLKIT_VM=1 enables VM tests; NLKIT_VM_CACHE moves the
// cache; NLKIT_VM_ACCEL picks QEMU's accelerator (default tcg: KVM guests
// hang after "Probing EDD" on some CI machines); NLKIT_VM_KEEP=1 keeps the
// initramfs and binaries of a run for a look; NLKIT_VM_VMLINUX names the
// vmlinux of the opt-in kernel LocalKernel ("local"), built elsewhere.
// What Debian's kernels lack (CONFIG_INET_PSP) the harness builds itself
// (BuiltKernels).
package vmtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/nstest"
)

// Kernels are the kernel series of the test matrix: the oldest first.
var Kernels = []string{"6.1", "6.12"}

// Config describes a VM.
type Config struct {
	// Kernel is a Debian kernel series ("6.1", "6.12": the newest generic
	// amd64 image apt offers), an exact release ("6.1.0-57-amd64"), or a
	// label of SuiteKernels ("7.2": trixie-backports' newest 7.2 image;
	// "sid": sid's newest generic amd64 image), a label of BuiltKernels
	// ("psp": 7.2's source built with CONFIG_INET_PSP), or LocalKernel
	// ("local": the vmlinux $NLKIT_VM_VMLINUX names).
	// Empty means Kernels[0].
	Kernel string
	// Modules are loaded, with their dependencies, before the test runs.
	// The networking modules are in the VM anyway and load on demand.
	// A module of SourceModules that the kernel package lacks
	// (netdevsim) is built for the kernel first, or taken from the cache.
	Modules []string
	// Tools are host programs copied into the VM with their shared
	// libraries, beside DefaultTools.
	Tools []string
	// NICs are the VM's network cards, as QEMU device models (the keys of
	// NICDrivers: "virtio-net-pci", "e1000e"), each on a user-mode network
	// of its own that reaches neither the host nor anything beyond it
	// (restrict=on); their drivers are loaded before the test runs, and
	// the kernel names them eth0, eth1 … in this order. None means no
	// network card, as before.
	NICs []string
	// Timeout bounds the test inside the VM; zero means 10 minutes, or
	// what is left of the host test's deadline.
	Timeout time.Duration
	// Memory is QEMU's -m; empty means 2G. CPUs is -smp; zero means 2.
	Memory string
	CPUs   int
	// AllowSkip names the tests under the one that calls Run that may
	// skip in this VM, each with the reason (not empty), by their names
	// relative to it: "DestroyRaw", "Make/netem". Any other test that
	// skips there fails the run. RunPackage does not read it (see
	// Options.FailSkips).
	AllowSkip map[string]string
}

// DefaultTools are copied into every VM when the host has them: the
// oracles of the kernel tests and what they run in a namespace (ip netns
// exec NS sysctl …, ip netns exec NS sleep 60, nsenter --mount into a
// bpffs). ip, bridge, tc, ethtool and sysctl must be there.
var DefaultTools = []string{"ip", "bridge", "tc", "ethtool", "sysctl", "ss", "genl", "devlink", "sh", "cat", "sleep", "true", "wg", "nft", "conntrack", "nsenter"}

// requiredTools must be on the host.
var requiredTools = []string{"ip", "bridge", "tc", "ethtool", "sysctl"}

// NICDrivers are the QEMU network card models Config.NICs takes, each
// with the modules of its guest driver (a built-in one is skipped).
var NICDrivers = map[string][]string{
	"virtio-net-pci": {"virtio_pci", "virtio_net"},
	"e1000e":         {"e1000e"},
	"e1000":          {"e1000"},
}

// modules returns Modules and the drivers of NICs, or an error naming a
// model NICDrivers lacks.
func (c *Config) modules() ([]string, error) {
	mods := slices.Clone(c.Modules)
	for _, n := range c.NICs {
		d, ok := NICDrivers[n]
		if !ok {
			return nil, fmt.Errorf("network card %q: not one of NICDrivers", n)
		}
		for _, m := range d {
			if !slices.Contains(mods, m) {
				mods = append(mods, m)
			}
		}
	}
	return mods, nil
}

func (c *Config) kernel() string {
	if c.Kernel == "" {
		return Kernels[0]
	}
	return c.Kernel
}

func (c *Config) memory() string {
	if c.Memory == "" {
		return "2G"
	}
	return c.Memory
}

func (c *Config) cpus() int {
	if c.CPUs == 0 {
		return 2
	}
	return c.CPUs
}

// accel is QEMU's accelerator: TCG, unless NLKIT_VM_ACCEL says otherwise
// (KVM guests hang after "Probing EDD" on some CI machines). TCG runs the
// guest's CPUs in one host thread: with a thread per CPU (multi-threaded
// TCG), a busy host can let one CPU run code another has just patched
// from a stale translation, and the guest dies at boot with "Oops: int3"
// in a function whose static key the kernel was switching (seen in
// sched_clock_cpu under load 17 on 2 cores).
func (c *Config) accel() string {
	if a := os.Getenv("NLKIT_VM_ACCEL"); a != "" {
		return a
	}
	return "tcg,thread=single"
}

func (c *Config) timeout() time.Duration {
	if c.Timeout == 0 {
		return 10 * time.Minute
	}
	return c.Timeout
}

// Guest returns the kernel label (Config.Kernel) of the VM this process
// runs in, and false outside a VM.
func Guest() (kernel string, ok bool) {
	return os.LookupEnv("NLKIT_VM_GUEST")
}

// Enabled reports whether NLKIT_VM=1 asks for VM tests on this host.
func Enabled() bool { return os.Getenv("NLKIT_VM") == "1" }

// Run runs body inside a VM configured by cfg. On the host it skips unless
// NLKIT_VM=1, and otherwise boots the VM, runs this test there, and fails t
// if it failed there (a missing QEMU or apt is a failure too, not a skip)
// or if a test skipped there that cfg.AllowSkip does not name.
// In the VM it loads cfg.Modules and calls body(t); in a VM of another
// kernel (a whole package run by internal/cmd/vmtest) it skips.
func Run(t *testing.T, cfg Config, body func(t *testing.T)) {
	t.Helper()
	if guest, ok := Guest(); ok {
		if guest != cfg.kernel() {
			t.Skipf("runs in the Linux %s VM; this is %s", cfg.kernel(), guest)
		}
		mods, err := cfg.modules()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mods {
			if out, err := exec.Command(guestModprobe, m).CombinedOutput(); err != nil {
				t.Fatalf("modprobe %s: %v: %s", m, err, out)
			}
		}
		body(t)
		return
	}
	allowed, err := allowedSkips(t.Name(), cfg.AllowSkip)
	if err != nil {
		t.Fatal(err)
	}
	if !Enabled() {
		t.Skipf("boots Linux %s under QEMU: set NLKIT_VM=1 to run it (see internal/vmtest)", cfg.kernel())
	}
	if d, ok := t.Deadline(); ok && cfg.Timeout == 0 {
		cfg.Timeout = time.Until(d) - 2*time.Minute // the boot's share
		if cfg.Timeout < time.Minute {
			t.Fatalf("not enough time left for a VM (deadline in %v)", time.Until(d))
		}
	}
	args := []string{"-test.run", RunPattern(t.Name()), "-test.v", "-test.count=1",
		"-test.timeout", cfg.timeout().String()}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	res, err := RunPackage(context.Background(), Options{
		Config:  cfg,
		Package: ".",
		Args:    args,
		Output:  &logWriter{t: t},
		Logf:    t.Logf,

		FailSkips:    true,
		AllowedSkips: allowed,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Linux %s: prepare %v, boot %v, run %v", res.Release,
		res.Prepare.Round(time.Millisecond), res.Boot.Round(time.Millisecond), res.Run.Round(time.Millisecond))
	for _, l := range res.KernelTrouble {
		t.Logf("kernel log: %s", l)
	}
	if res.Exit != 0 {
		why := ""
		if len(res.Fails) > 0 {
			why = ": " + strings.Join(res.Fails, "; ")
		}
		t.Fatalf("%s failed inside the Linux %s VM (exit status %d)%s", t.Name(), res.Release, res.Exit, why)
	}
}

// LoadModule loads the kernel module name, with what it depends on, in
// the VM this process runs in, as Config.Modules does before a test: for
// a test that needs a module the kernel does not load on demand, and that
// also runs in a whole package's VM (internal/cmd/vmtest), where no
// Config names it. Outside a VM it fails.
func LoadModule(name string) error {
	if _, ok := Guest(); !ok {
		return fmt.Errorf("vmtest: load module %s: not in a VM", name)
	}
	if out, err := exec.Command(guestModprobe, name).CombinedOutput(); err != nil {
		return fmt.Errorf("vmtest: modprobe %s: %w: %s", name, err, out)
	}
	return nil
}

// allowedSkips turns Config.AllowSkip's names, relative to the test
// called parent, into full test names, and refuses an entry without a
// reason.
func allowedSkips(parent string, allow map[string]string) (map[string]string, error) {
	full := make(map[string]string, len(allow))
	for name, why := range allow {
		if name == "" || strings.TrimSpace(why) == "" {
			return nil, fmt.Errorf("vmtest: Config.AllowSkip[%q] = %q: each test that may skip needs a name and the reason", name, why)
		}
		full[parent+"/"+name] = why
	}
	return full, nil
}

// RunPattern is the -test.run pattern that selects exactly the test (or
// subtest) called name.
func RunPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// logWriter writes each line to t.Log.
type logWriter struct {
	t   *testing.T
	buf []byte
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := strings.IndexByte(string(w.buf), '\n')
		if i < 0 {
			return len(p), nil
		}
		w.t.Log("vm| " + string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}

// Options says which package's tests run in a VM, and how.
type Options struct {
	Config
	Package string    // as go test takes it: "." or "./rtnetlink" or an import path
	Args    []string  // the test binary's flags: -test.run, -test.short, -test.v …
	Output  io.Writer // receives the VM's console line by line; nil discards it
	Logf    func(format string, args ...any)
	// FailSkips makes a test that skips in the VM a failure: the run's
	// exit status is 1 (not 0) and Result.Fails names each such test,
	// except those AllowedSkips names (full names, "TestRawVM/DestroyRaw",
	// each with why it may skip). Run sets both; the tests of a whole
	// package (internal/cmd/vmtest) skip what a kernel lacks, and do not.
	FailSkips    bool
	AllowedSkips map[string]string
}

// Result says how a run went.
type Result struct {
	Release string        // the kernel's release, e.g. 6.1.0-57-amd64
	Prepare time.Duration // fetching, building and packing
	Boot    time.Duration // QEMU's start to the test binary's start
	Run     time.Duration // the test binary's run
	Exit    int           // its exit status
	// KernelTrouble holds the kernel log lines that show a kernel problem
	// (Oops, BUG:, WARNING:), as vminit found them after the tests.
	KernelTrouble []string
	// Fails holds what went wrong in the VM besides the tests' own
	// failures: a test that skipped (Options.FailSkips), a command that
	// ran out of time.
	Fails []string
}

// Paths inside the VM, as vminit expects them.
const (
	guestSpec     = "/vmtest/spec.json"
	guestModules  = "/vmtest/modules"
	guestModprobe = "/vmtest/modprobe"
	guestConfig   = "/vmtest/config"
	guestTest     = "/vmtest/bin/pkg.test"
	vminitPkg     = "github.com/nlkit/netlink/internal/vmtest/vminit"
)

// ErrMissing is wrapped by the error RunPackage returns when a host
// program it needs is not installed.
var ErrMissing = errors.New("not installed (bash .ci/e2e-deps.sh installs what VM tests need)")

// RunPackage runs the tests of one package inside a VM: it fetches the
// kernel, builds the package's test binary, packs an initramfs, boots it,
// and returns the test binary's exit status. The error is for the harness
// failing, not the tests.
func RunPackage(ctx context.Context, o Options) (Result, error) {
	var res Result
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	out := o.Output
	if out == nil {
		out = io.Discard
	}
	start := time.Now()
	for _, name := range append([]string{"qemu-system-x86_64", "go", "apt-cache", "apt-get", "dpkg-deb", "ldd"}, requiredTools...) {
		if _, err := exec.LookPath(name); err != nil {
			return res, fmt.Errorf("vmtest: %s %w", name, ErrMissing)
		}
	}
	k, err := resolveKernel(o.kernel(), logf)
	if err != nil {
		return res, fmt.Errorf("vmtest: %w", err)
	}
	res.Release = k.Release
	if err := k.fetch(logf); err != nil {
		return res, fmt.Errorf("vmtest: %w", err)
	}
	work, err := os.MkdirTemp("", "nlkit-vmtest-")
	if err != nil {
		return res, err
	}
	if os.Getenv("NLKIT_VM_KEEP") == "" {
		defer os.RemoveAll(work)
	} else {
		logf("vmtest: keeping %s", work)
	}
	initrd := filepath.Join(work, "initrd.cpio")
	if err := buildInitramfs(&o, k, work, initrd, logf); err != nil {
		return res, fmt.Errorf("vmtest: %w", err)
	}
	res.Prepare = time.Since(start)

	ctx, cancel := context.WithTimeout(ctx, o.timeout()+2*time.Minute)
	defer cancel()
	b, err := boot(ctx, &o.Config, k.image(), initrd, out)
	if err != nil && !b.started && ctx.Err() == nil {
		// The VM stopped before init started the tests (on a loaded host
		// a TCG guest's early boot can fail), so they never ran: say why,
		// with the console's last lines, and boot once more. A kernel
		// that cannot boot fails twice.
		logf("vmtest: Linux %s: %v before the tests started; booting again. The console ended:\n\t%s",
			k.Release, err, strings.Join(b.early, "\n\t"))
		b, err = boot(ctx, &o.Config, k.image(), initrd, out)
	}
	res.Boot, res.Run, res.Exit, res.KernelTrouble, res.Fails = b.boot, b.run, b.exit, b.klog, b.fails
	if err != nil {
		return res, fmt.Errorf("vmtest: Linux %s: %w", k.Release, err)
	}
	if len(b.fails) > 0 && b.exit == -1 {
		return res, fmt.Errorf("vmtest: Linux %s: %s", k.Release, strings.Join(b.fails, "; "))
	}
	return res, nil
}

// buildInitramfs builds the test binary and vminit and packs them with
// the source, the modules and the tools into the cpio archive initrd.
func buildInitramfs(o *Options, k *kernel, work, initrd string, logf func(string, ...any)) error {
	pkgDir, modDir, err := goList(o.Package)
	if err != nil {
		return err
	}
	testBin := filepath.Join(work, "pkg.test")
	if err := goBuild(pkgDir, "test", "-c", "-o", testBin, "."); err != nil {
		return err
	}
	initBin := filepath.Join(work, "init")
	if err := goBuild(pkgDir, "build", "-o", initBin, vminitPkg); err != nil {
		return err
	}

	mods, err := loadModules(k)
	if err != nil {
		return err
	}
	load, err := o.modules()
	if err != nil {
		return err
	}
	if err := buildSourceModules(k, mods, load, logf); err != nil {
		return err
	}
	names, err := mods.closure(append(mods.netSet(), load...))
	if err != nil {
		return err
	}
	if err := mods.saveCache(k); err != nil {
		return err
	}

	t := newTree()
	t.add("/dev/console", cpioEntry{mode: cpioChar | 0o600, major: 5, minor: 1})
	for _, d := range []string{"/proc", "/sys", "/run", "/tmp", "/root", "/var", "/etc"} {
		t.mkdirAll(d)
	}
	t.symlink("/var/run", "../run")
	t.symlink("/var/tmp", "../tmp")
	t.file("/etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\n"))
	t.file("/etc/group", 0o644, []byte("root:x:0:\n"))
	t.file("/etc/hosts", 0o644, []byte("127.0.0.1 localhost\n::1 localhost\n"))
	for _, p := range []string{"/etc/iproute2", "/usr/share/iproute2", "/usr/lib/tc", "/etc/protocols", "/etc/services"} {
		if _, err := os.Stat(p); err == nil {
			if err := t.copyHostTree(p, nil); err != nil {
				return err
			}
		}
	}
	if err := addTools(t, append(slices.Clone(DefaultTools), o.Tools...), o.Tools); err != nil {
		return err
	}
	// The newer ip that tests compare with where the host's is too old
	// (nstest.NewerIP), at the same path, when the host has it.
	if ip := filepath.Join(nstest.IPRoute2Dir, "bin", "ip"); isFile(ip) {
		if err := addTools(t, []string{ip}, nil); err != nil {
			return err
		}
	}
	// The module's source, at the same path as on the host, for testdata
	// and for tests that read files beside them.
	err = t.copyHostTree(modDir, func(p string, d os.DirEntry) bool {
		n := d.Name()
		return p != modDir && (strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_"))
	})
	if err != nil {
		return err
	}
	if err := t.hostFile(guestTest, testBin); err != nil {
		return err
	}
	if err := t.hostFile("/init", initBin); err != nil {
		return err
	}
	t.symlink(guestModprobe, "/init")
	for _, n := range names {
		rel := mods.info[n].Path
		if err := t.hostFile(filepath.Join(guestModules, rel), filepath.Join(mods.dir, rel)); err != nil {
			return err
		}
	}
	t.file(guestModules+"/index.txt", 0o644, mods.guestIndex(names))
	if p := k.config(); p != "" {
		if err := t.hostFile(guestConfig, p); err != nil {
			return err
		}
	}
	spec, err := json.Marshal(struct {
		Kernel       string
		Dir          string
		Args         []string
		Modules      []string
		Timeout      time.Duration
		FailSkips    bool
		AllowedSkips map[string]string
	}{o.kernel(), pkgDir, append([]string{guestTest}, o.Args...), load, o.timeout(), o.FailSkips, o.AllowedSkips})
	if err != nil {
		return err
	}
	t.file(guestSpec, 0o644, spec)

	f, err := os.Create(initrd)
	if err != nil {
		return err
	}
	if err := writeCPIO(f, t.entries); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// goList returns the directory of package pkg and of its module.
func goList(pkg string) (dir, modDir string, err error) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}\n{{.Module.Dir}}", pkg).Output()
	if err != nil {
		return "", "", fmt.Errorf("go list %s: %w", pkg, exitText(err))
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return "", "", fmt.Errorf("go list %s: unexpected output %q", pkg, out)
	}
	return f[0], f[1], nil
}

// goBuild runs the go command in dir for linux/amd64 without cgo, so that
// what it builds runs in the VM without shared libraries.
func goBuild(dir string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// exitText adds a failed command's standard error to err.
func exitText(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}

// addTools copies the host programs names (those in required must exist)
// and the shared libraries ldd lists for them.
func addTools(t *tree, names, required []string) error {
	for _, name := range names {
		p, err := exec.LookPath(name)
		if err != nil {
			if slices.Contains(required, name) || slices.Contains(requiredTools, name) {
				return fmt.Errorf("%s %w", name, ErrMissing)
			}
			continue
		}
		if err := t.copyHost(p); err != nil {
			return err
		}
		libs, err := sharedLibs(p)
		if err != nil {
			return err
		}
		for _, l := range libs {
			if err := t.copyHost(l); err != nil {
				return err
			}
		}
	}
	return nil
}

// isFile reports whether p is a regular file (or a link to one).
func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// sharedLibs returns the paths of the shared libraries (and the dynamic
// loader) that ldd says program p loads.
func sharedLibs(p string) ([]string, error) {
	out, err := exec.Command("ldd", p).Output()
	if err != nil {
		// A static program: ldd says "not a dynamic executable" and fails.
		return nil, nil
	}
	var libs []string
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if _, after, ok := strings.Cut(line, "=> "); ok {
			line = after
		}
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "/") {
			libs = append(libs, f[0])
		}
	}
	return libs, nil
}
