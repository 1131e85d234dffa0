// Command vminit is PID 1 of the virtual machines internal/vmtest boots, and
// their modprobe.
//
// As /init it mounts /proc, /sys, a devtmpfs on /dev (with /dev/pts and
// /dev/shm), tmpfs on /run (/tmp stays the initramfs's own writable
// directory: a tmpfs there would hide a module checked out under /tmp),
// makes /dev nodes for modules that own
// one (/dev/net/tun), brings lo up, loads the modules the spec names, then
// runs the spec's command as root in the spec's directory with its output on
// the console, and powers the machine off. The host reads the console: it
// prints
//
//	@@vmtest start
//	@@vmtest exit N
//
// around the command (N is its exit status, or -1 when it could not start or
// ran out of time) and "@@vmtest fail: why" when the machine could not be set
// up. Kernel log lines that show trouble (Oops, BUG:, WARNING:) are echoed
// with the prefix "@@vmtest klog: " after the command ends.
//
// When the spec asks (FailSkips: internal/vmtest's Run does), a test that
// skips fails the run: init reads the command's -test.v output, prints
// "@@vmtest fail: NAME skipped in the VM" for each test that skipped and
// that AllowedSkips does not name, and reports exit status 1 instead of 0.
//
// Called as modprobe (the kernel runs /proc/sys/kernel/modprobe, which init
// points at a symlink to itself, to load a module on demand: "ip link add
// type vlan" asks for rtnl-link-vlan), it loads the named module or alias
// and its dependencies from the index the host wrote.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Paths inside the initramfs; internal/vmtest writes them.
const (
	specPath     = "/vmtest/spec.json"
	indexPath    = "/vmtest/modules/index.txt"
	modulesDir   = "/vmtest/modules"
	modprobePath = "/vmtest/modprobe" // a symlink to /init
)

// spec is what the host asks the guest to do (vmtest's guestSpec).
type spec struct {
	Kernel  string   // the label tests see in NLKIT_VM_GUEST, e.g. "6.1"
	Dir     string   // working directory of the command
	Args    []string // the command and its arguments
	Env     []string // extra environment, KEY=VALUE
	Modules []string // loaded before the command runs
	Timeout time.Duration
	// FailSkips makes a test that skips a failure, unless AllowedSkips
	// names it (full name → why it may skip).
	FailSkips    bool
	AllowedSkips map[string]string
}

func main() {
	if filepath.Base(os.Args[0]) == "modprobe" {
		os.Exit(modprobeMain(os.Args[1:]))
	}
	code := -1
	if err := setup(); err != nil {
		fmt.Printf("@@vmtest fail: %v\n", err)
	} else if s, err := readSpec(); err != nil {
		fmt.Printf("@@vmtest fail: %v\n", err)
	} else if err := loadModules(s.Modules); err != nil {
		fmt.Printf("@@vmtest fail: %v\n", err)
	} else {
		code = run(s, os.Stdout)
	}
	echoTrouble()
	fmt.Printf("@@vmtest exit %d\n", code)
	powerOff()
}

// setup mounts the file systems a test expects, makes device nodes for
// modules that own one, points the kernel at our modprobe, and brings lo up.
func setup() error {
	for _, m := range []struct {
		fstype, target string
		flags          uintptr
		data           string
	}{
		{"proc", "/proc", unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV, ""},
		{"sysfs", "/sys", unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV, ""},
		{"devtmpfs", "/dev", unix.MS_NOSUID, "mode=0755"},
		{"devpts", "/dev/pts", unix.MS_NOSUID | unix.MS_NOEXEC, "ptmxmode=0666"},
		{"tmpfs", "/dev/shm", unix.MS_NOSUID | unix.MS_NODEV, ""},
		{"tmpfs", "/run", unix.MS_NOSUID | unix.MS_NODEV, "mode=0755"},
	} {
		if err := os.MkdirAll(m.target, 0o755); err != nil {
			return err
		}
		err := unix.Mount(m.fstype, m.target, m.fstype, m.flags, m.data)
		if err != nil && !errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("mount %s on %s: %w", m.fstype, m.target, err)
		}
	}
	for _, d := range []string{"/run/netns", "/run/lock"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile("/proc/sys/kernel/modprobe", []byte(modprobePath+"\n"), 0o644); err != nil {
		return fmt.Errorf("set modprobe: %w", err)
	}
	idx, err := readIndex()
	if err != nil {
		return err
	}
	for _, n := range idx.nodes {
		p := filepath.Join("/dev", n.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		mode := uint32(unix.S_IFCHR)
		if n.block {
			mode = unix.S_IFBLK
		}
		err := unix.Mknod(p, mode|0o600, int(unix.Mkdev(n.major, n.minor)))
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("mknod %s: %w", p, err)
		}
	}
	return loopbackUp()
}

// loopbackUp sets IFF_UP on lo in the initial network namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("lo up: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("lo flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("lo up: %w", err)
	}
	return nil
}

// readSpec reads what the host asks for.
func readSpec() (*spec, error) {
	b, err := os.ReadFile(specPath)
	if err != nil {
		return nil, err
	}
	var s spec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", specPath, err)
	}
	if len(s.Args) == 0 {
		return nil, fmt.Errorf("%s: no command", specPath)
	}
	return &s, nil
}

// run runs the spec's command with its output and init's markers on out
// and returns its exit status, -1 when it could not start or was killed
// for running out of time, 1 when it passed but a test skipped that the
// spec does not allow to.
func run(s *spec, out io.Writer) int {
	ctx := context.Background()
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, s.Args[0], s.Args[1:]...)
	cmd.Dir = s.Dir
	cmd.Env = append([]string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root",
		"TMPDIR=/tmp",
		"NLKIT_VM_GUEST=" + s.Kernel,
	}, s.Env...)
	cmd.Stdout = out
	cmd.Stderr = out
	var skips skipScanner
	if s.FailSkips {
		// Through a pipe, so that a kernel message on the console cannot
		// break the line that names a skipped test.
		cmd.Stdout = io.MultiWriter(out, &skips)
		cmd.Stderr = cmd.Stdout
	}
	fmt.Fprintln(out, "@@vmtest start")
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(out, "@@vmtest fail: %s ran out of its %v\n", s.Args[0], s.Timeout)
		return -1
	case err == nil:
	case errors.As(err, &exit):
		return exit.ExitCode()
	default:
		fmt.Fprintf(out, "@@vmtest fail: %v\n", err)
		return -1
	}
	bad := disallowedSkips(skips.skipped, s.AllowedSkips)
	for _, n := range bad {
		fmt.Fprintf(out, "@@vmtest fail: %s skipped in the VM, which is there to run it (vmtest.Config.AllowSkip, or internal/cmd/vmtest's -allowskip, names the tests that may skip, with the reason)\n", n)
	}
	if len(bad) > 0 {
		return 1
	}
	return 0
}

// loadModules loads each module and its dependencies.
func loadModules(names []string) error {
	if len(names) == 0 {
		return nil
	}
	idx, err := readIndex()
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := idx.load(n); err != nil {
			return err
		}
	}
	return nil
}

// modprobeMain is modprobe as the kernel calls it: modprobe -q -- NAME.
func modprobeMain(args []string) int {
	quiet := false
	var names []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			names = append(names, args[i+1:]...)
			i = len(args)
		case a == "-q":
			quiet = true
		case strings.HasPrefix(a, "-"):
			// Other options (-v, -b) change nothing here.
		default:
			names = append(names, a)
		}
	}
	idx, err := readIndex()
	if err == nil {
		for _, n := range names {
			if err = idx.load(n); err != nil {
				break
			}
		}
	}
	if err != nil {
		if !quiet {
			fmt.Fprintln(os.Stderr, "modprobe:", err)
		}
		return 1
	}
	return 0
}

// index is the host's list of the modules in the initramfs.
type index struct {
	mods    map[string]module // by name, '-' written '_'
	aliases [][2]string       // pattern, module name
	builtin map[string]bool
	nodes   []node
}

// module is one loadable module: its file and the modules it needs.
type module struct {
	path string
	deps []string
}

// node is a device node that a module serves (modules.devname).
type node struct {
	name         string
	block        bool
	major, minor uint32
}

// readIndex reads the index. Its lines are
//
//	mod NAME PATH [DEP,DEP...]
//	alias PATTERN NAME
//	builtin NAME
//	node NAME c|b MAJOR MINOR
func readIndex() (*index, error) {
	f, err := os.Open(indexPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseIndex(f)
}

// parseIndex parses the index text r.
func parseIndex(r io.Reader) (*index, error) {
	idx := &index{mods: map[string]module{}, builtin: map[string]bool{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		switch {
		case len(fl) >= 3 && fl[0] == "mod":
			m := module{path: fl[2]}
			if len(fl) > 3 {
				m.deps = strings.Split(fl[3], ",")
			}
			idx.mods[fl[1]] = m
		case len(fl) == 3 && fl[0] == "alias":
			idx.aliases = append(idx.aliases, [2]string{fl[1], fl[2]})
		case len(fl) == 2 && fl[0] == "builtin":
			idx.builtin[fl[1]] = true
		case len(fl) == 5 && fl[0] == "node":
			major, err1 := strconv.ParseUint(fl[3], 10, 32)
			minor, err2 := strconv.ParseUint(fl[4], 10, 32)
			if err1 == nil && err2 == nil {
				idx.nodes = append(idx.nodes, node{fl[1], fl[2] == "b", uint32(major), uint32(minor)})
			}
		}
	}
	return idx, sc.Err()
}

// load loads the module or alias name and what it depends on.
func (idx *index) load(name string) error {
	mods, err := idx.resolve(name)
	if err != nil {
		return err
	}
	for _, m := range mods {
		if err := idx.insert(m, map[string]bool{}); err != nil {
			return err
		}
	}
	return nil
}

// resolve returns the modules that serve name, a module name or an alias
// (a pattern in the index may match it): none when it is built in.
func (idx *index) resolve(name string) ([]string, error) {
	n := strings.ReplaceAll(name, "-", "_")
	if idx.builtin[n] {
		return nil, nil
	}
	if _, ok := idx.mods[n]; ok {
		return []string{n}, nil
	}
	found := false
	var mods []string
	for _, a := range idx.aliases {
		if ok, _ := path.Match(a[0], name); ok {
			found = true
			if !idx.builtin[a[1]] {
				mods = append(mods, a[1])
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("module %s not found in the VM's initramfs", name)
	}
	return mods, nil
}

// insert loads module n after its dependencies; seen stops cycles. A
// dependency is named as modinfo's depends names it, with the dashes of
// its file name (poly1305-x86_64), and the index by the module's name,
// with underscores.
func (idx *index) insert(n string, seen map[string]bool) error {
	n = strings.ReplaceAll(n, "-", "_")
	if seen[n] || idx.builtin[n] {
		return nil
	}
	seen[n] = true
	m, ok := idx.mods[n]
	if !ok {
		return fmt.Errorf("module %s not found in the VM's initramfs", n)
	}
	for _, d := range m.deps {
		if err := idx.insert(d, seen); err != nil {
			return err
		}
	}
	if loaded(n) {
		return nil
	}
	f, err := os.Open(filepath.Join(modulesDir, m.path))
	if err != nil {
		return err
	}
	defer f.Close()
	flags := 0
	if !strings.HasSuffix(m.path, ".ko") {
		flags = unix.MODULE_INIT_COMPRESSED_FILE
	}
	if err := unix.FinitModule(int(f.Fd()), "", flags); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("load module %s: %w", n, err)
	}
	return nil
}

// loaded reports whether module n is loaded (or loading).
func loaded(n string) bool {
	_, err := os.Stat("/sys/module/" + n + "/initstate")
	return err == nil
}

// echoTrouble prints the kernel log lines that show a kernel problem.
func echoTrouble() {
	size, err := unix.Klogctl(unix.SYSLOG_ACTION_SIZE_BUFFER, nil)
	if err != nil {
		return
	}
	buf := make([]byte, size)
	n, err := unix.Klogctl(unix.SYSLOG_ACTION_READ_ALL, buf)
	if err != nil {
		return
	}
	for _, line := range bytes.Split(buf[:n], []byte("\n")) {
		for _, bad := range []string{"Oops", "BUG:", "WARNING:", "Call Trace", "general protection"} {
			if bytes.Contains(line, []byte(bad)) {
				fmt.Printf("@@vmtest klog: %s\n", line)
				break
			}
		}
	}
}

// powerOff flushes and turns the machine off. Should that fail, PID 1
// exits, the kernel panics, and QEMU (-no-reboot, panic=-1) stops anyway.
// A kernel without ACPI (the harness's own builds, from tinyconfig)
// cannot power off: it would halt and leave QEMU running, so it restarts,
// which ends QEMU too (-no-reboot).
func powerOff() {
	unix.Sync()
	cmd := unix.LINUX_REBOOT_CMD_POWER_OFF
	if _, err := os.Stat("/sys/firmware/acpi"); err != nil {
		cmd = unix.LINUX_REBOOT_CMD_RESTART
	}
	if err := unix.Reboot(cmd); err != nil {
		fmt.Println("@@vmtest fail: power off:", err)
	}
	os.Exit(1)
}
