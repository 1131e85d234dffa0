package vmtest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nlkit/netlink/internal/vmtest"
)

// TestGuestVM checks, on each kernel of the matrix, what the harness
// promises a test inside the VM: root, the mounts, lo up, the tools, the
// modules Config names loaded, and others loaded on demand by the kernel
// (a dummy, a VLAN, a bond, a VRF and a tun device made with ip).
func TestGuestVM(t *testing.T) {
	for _, k := range vmtest.Kernels {
		t.Run(k, func(t *testing.T) {
			cfg := vmtest.Config{Kernel: k, Modules: []string{"dummy", "8021q"}}
			vmtest.Run(t, cfg, func(t *testing.T) {
				checkGuest(t, k)
			})
		})
	}
}

func checkGuest(t *testing.T, k string) {
	if os.Geteuid() != 0 {
		t.Errorf("euid %d, want root", os.Geteuid())
	}
	if guest, _ := vmtest.Guest(); guest != k {
		t.Errorf("Guest() = %q, want %q", guest, k)
	}
	uname, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(uname), k+".") {
		t.Errorf("kernel release %q is not Linux %s", uname, k)
	}
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{" /proc proc ", " /sys sysfs ", " /dev devtmpfs ", " /run tmpfs "} {
		if !strings.Contains(string(mounts), m) {
			t.Errorf("no mount %q in:\n%s", m, mounts)
		}
	}
	if f, err := os.CreateTemp("", "vmtest"); err != nil {
		t.Errorf("/tmp is not writable: %v", err)
	} else {
		f.Close()
		os.Remove(f.Name())
	}
	for _, m := range []string{"dummy", "8021q"} {
		if _, err := os.Stat("/sys/module/" + m); err != nil {
			t.Errorf("module %s not loaded: %v", m, err)
		}
	}
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v: %s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := run("ip", "-o", "link", "show", "lo"); !strings.Contains(out, "UP") {
		t.Errorf("lo is not up: %s", out)
	}
	run("ethtool", "--version")
	run("tc", "qdisc", "show")
	run("bridge", "link", "show")
	run("ip", "netns", "add", "vmtest")
	run("ip", "-n", "vmtest", "link", "add", "d0", "type", "dummy")
	run("ip", "-n", "vmtest", "link", "add", "link", "d0", "name", "d0.5", "type", "vlan", "id", "5")
	run("ip", "-n", "vmtest", "link", "add", "b0", "type", "bond", "mode", "802.3ad")
	run("ip", "-n", "vmtest", "link", "add", "v0", "type", "vrf", "table", "10")
	run("ip", "-n", "vmtest", "tuntap", "add", "t0", "mode", "tap")
	if out := run("ip", "-n", "vmtest", "-d", "link", "show", "b0"); !strings.Contains(out, "bond mode 802.3ad") {
		t.Errorf("bond: %s", out)
	}
	run("ip", "netns", "del", "vmtest")
}
