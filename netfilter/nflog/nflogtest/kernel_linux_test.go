//go:build linux

package nflogtest_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/netfilter/nflog"
	"golang.org/x/sys/unix"
)

// inNS runs fn on a thread in ns's network namespace. The thread is never
// given back: it dies with the goroutine.
func inNS(t *testing.T, ns *nstest.NS, fn func()) {
	t.Helper()
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		f, err := os.Open(ns.Path)
		if err != nil {
			done <- err
			return
		}
		err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
		f.Close()
		if err != nil {
			done <- err
			return
		}
		fn()
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// kernelWorld is the scenario's world on the kernel: a (198.18.0.1) sends
// to b (198.18.0.2), whose input chain logs UDP to port 9999 to group 5.
type kernelWorld struct{ a, b *nstest.NS }

func newKernelWorld(t *testing.T) *kernelWorld {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft is not installed (bash .ci/e2e-deps.sh installs it)")
	}
	w := &kernelWorld{a: nstest.New(t), b: nstest.New(t)}
	w.a.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", w.b.Name)
	w.a.Batch(t, []string{"addr add 198.18.0.1/24 dev va", "link set va up"})
	w.b.Batch(t, []string{"addr add 198.18.0.2/24 dev vb", "link set vb up"})
	cmd := exec.Command("ip", "netns", "exec", w.b.Name, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader("table inet t30 {\n chain in {\n type filter hook input priority 0;\n udp dport 9999 log prefix \"t30\" group 5\n }\n}\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft -f: %v: %s", err, out)
	}
	// A socket on the port, so that no ICMP error comes back to a's.
	var u net.PacketConn
	inNS(t, w.b, func() {
		var err error
		if u, err = net.ListenPacket("udp", "198.18.0.2:9999"); err != nil {
			t.Error(err)
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	t.Cleanup(func() { u.Close() })
	return w
}

func (w *kernelWorld) dial(t *testing.T) *nflog.Conn {
	c, err := nflog.Dial(&netlink.Config{NetNS: w.b.Path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (w *kernelWorld) send(t *testing.T, bodies ...string) {
	t.Helper()
	inNS(t, w.a, func() {
		c, err := net.Dial("udp", "198.18.0.2:9999")
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		for _, b := range bodies {
			if _, err := c.Write([]byte(b)); err != nil {
				t.Error(err)
			}
		}
	})
	if t.Failed() {
		t.FailNow()
	}
}

// stats reads group 5's line of /proc/net/netfilter/nfnetlink_log:
// group_num peer_portid qlen copy_mode copy_range flushtimeout use.
func (w *kernelWorld) stats(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", w.b.Name, "cat", "/proc/net/netfilter/nfnetlink_log").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if fs := strings.Fields(l); len(fs) >= 6 && fs[0] == "5" {
			return fmt.Sprintf("mode=%s range=%s timeout=%s", fs[3], fs[4], fs[5])
		}
	}
	return "not bound"
}

// TestSameAsKernel runs the scenario on the kernel, in two network
// namespaces of its own, and on the fake, and compares the two logs line
// by line.
func TestSameAsKernel(t *testing.T) {
	want := scenario(t, newKernelWorld(t))
	got := scenario(t, &fakeWorld{k: newFake()})
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("step %d:\nfake:   %s\nkernel: %s", i, g, w)
		}
	}
	if t.Failed() {
		t.Logf("kernel:\n%s", strings.Join(want, "\n"))
	}
}
