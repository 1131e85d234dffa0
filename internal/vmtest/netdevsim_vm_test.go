//go:build linux

package vmtest_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
	"golang.org/x/sys/unix"
)

// TestNetdevsimVM checks, on each kernel of the matrix, the module the
// harness builds (vmtest.SourceModules): netdevsim loads, unsigned and
// out of tree, into a kernel without lockdown (it taints the kernel,
// which is all), and a device made in a namespace has its devlink
// instance and ports there, as the devlink command shows them. In the VM
// of a kernel outside the matrix (internal/cmd/vmtest -kernel sid
// -modules netdevsim) it checks that kernel too.
func TestNetdevsimVM(t *testing.T) {
	kernels := vmtest.Kernels
	if g, ok := vmtest.Guest(); ok && !slices.Contains(kernels, g) {
		kernels = append(slices.Clone(kernels), g)
	}
	for _, k := range kernels {
		t.Run(k, func(t *testing.T) {
			vmtest.Run(t, vmtest.Config{Kernel: k, Modules: []string{"netdevsim"}}, checkNetdevsim)
		})
	}
}

func checkNetdevsim(t *testing.T) {
	if _, err := os.Stat("/sys/module/netdevsim"); err != nil {
		t.Fatalf("netdevsim is not loaded: %v", err)
	}
	// Taint flags O (out of tree, 1<<12) and E (unsigned, 1<<13).
	b, err := os.ReadFile("/proc/sys/kernel/tainted")
	if err != nil {
		t.Fatal(err)
	}
	taint, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(1<<12 | 1<<13); taint&want != want {
		t.Errorf("kernel taint %#x lacks out-of-tree and unsigned (%#x)", taint, want)
	}
	if err := os.MkdirAll("/sys/kernel/security", 0o755); err == nil {
		if err := unix.Mount("securityfs", "/sys/kernel/security", "securityfs", 0, ""); err != nil && err != unix.EBUSY {
			t.Fatalf("mount securityfs: %v", err)
		}
	}
	if b, err := os.ReadFile("/sys/kernel/security/lockdown"); err != nil || !strings.Contains(string(b), "[none]") {
		t.Errorf("lockdown: %q, %v; want [none]", b, err)
	}

	ns := nstest.New(t)
	d := ns.NewNetdevsim(t, 2, 0)
	t.Logf("netdevsim %s: ports %v", d.Dev, d.Ports)
	devlink := func(args ...string) []byte {
		t.Helper()
		out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "devlink", "-j"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("devlink %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return out
	}
	var devs struct{ Dev map[string]json.RawMessage }
	if err := json.Unmarshal(devlink("dev", "show"), &devs); err != nil {
		t.Fatal(err)
	}
	if _, ok := devs.Dev["netdevsim/"+d.Dev]; !ok || len(devs.Dev) != 1 {
		t.Errorf("devlink dev show in the namespace: %v, want netdevsim/%s alone", devs.Dev, d.Dev)
	}
	var ports struct {
		Port map[string]struct{ Netdev string }
	}
	if err := json.Unmarshal(devlink("port", "show"), &ports); err != nil {
		t.Fatal(err)
	}
	var netdevs []string
	for _, p := range ports.Port {
		netdevs = append(netdevs, p.Netdev)
	}
	slices.Sort(netdevs)
	want := slices.Sorted(slices.Values(d.Ports))
	if !slices.Equal(netdevs, want) {
		t.Errorf("devlink port show: netdevs %v, want %v", netdevs, want)
	}
}
