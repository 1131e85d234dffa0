//go:build linux

package nfqueuetest_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/netfilter/nfqueue"
	"golang.org/x/sys/unix"
)

// inNS runs fn on a thread in ns's network namespace, pinned to one CPU
// (so that the datagrams fn sends enter the peer's backlog of one CPU, in
// order). The thread is never given back: it dies with the goroutine.
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
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &set); err != nil {
			done <- err
			return
		}
		for cpu := 0; cpu < 1024; cpu++ {
			if set.IsSet(cpu) {
				set.Zero()
				set.Set(cpu)
				break
			}
		}
		if err := unix.SchedSetaffinity(0, &set); err != nil {
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
// to b (198.18.0.2), which queues UDP to port 9999 to queue 3 before
// routing: with iptables' NFQUEUE target where iptables-legacy is
// installed (this machine's nftables lacks the queue expression), else
// with nftables' queue expression (the VMs of internal/vmtest, which
// have nft_queue and no iptables). b's sockets on 9999 (the queued port)
// and 9998 (a marker no rule queues) receive what passes.
type kernelWorld struct {
	a, b       *nstest.NS
	srv, mark  net.PacketConn
	markerSent int
}

func newKernelWorld(t *testing.T) *kernelWorld {
	_, noIptables := exec.LookPath("iptables-legacy")
	_, noNft := exec.LookPath("nft")
	if noIptables != nil && noNft != nil {
		t.Skip("neither iptables-legacy nor nft is installed (bash .ci/e2e-deps.sh installs them)")
	}
	w := &kernelWorld{a: nstest.New(t), b: nstest.New(t)}
	w.a.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", w.b.Name)
	w.a.Batch(t, []string{"addr add 198.18.0.1/24 dev va", "link set va up"})
	w.b.Batch(t, []string{"addr add 198.18.0.2/24 dev vb", "link set vb up"})
	if noIptables == nil {
		out, err := exec.Command("ip", "netns", "exec", w.b.Name, "iptables-legacy", "-t", "mangle", "-A", "PREROUTING",
			"-p", "udp", "--dport", "9999", "-j", "NFQUEUE", "--queue-num", "3").CombinedOutput()
		if err != nil {
			t.Fatalf("iptables: %v: %s", err, out)
		}
	} else {
		cmd := exec.Command("ip", "netns", "exec", w.b.Name, "nft", "-f", "-")
		cmd.Stdin = strings.NewReader("table ip nfq30 {\n chain pre {\n type filter hook prerouting priority mangle;\n udp dport 9999 queue num 3\n }\n}\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			if strings.Contains(string(out), "No such file or directory") {
				t.Skipf("this kernel has no nftables queue expression (nft_queue), and iptables-legacy is not installed: %s", out)
			}
			t.Fatalf("nft -f: %v: %s", err, out)
		}
	}
	inNS(t, w.b, func() {
		var err error
		if w.srv, err = net.ListenPacket("udp", "198.18.0.2:9999"); err != nil {
			t.Error(err)
			return
		}
		if w.mark, err = net.ListenPacket("udp", "198.18.0.2:9998"); err != nil {
			t.Error(err)
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	t.Cleanup(func() { w.srv.Close(); w.mark.Close() })
	return w
}

func (w *kernelWorld) dial(t *testing.T) *nfqueue.Conn {
	c, err := nfqueue.Dial(&netlink.Config{NetNS: w.b.Path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// send sends the bodies, then a marker to port 9998, and waits for the
// marker: b handles a's datagrams in order, so by then each was queued,
// dropped or accepted.
func (w *kernelWorld) send(t *testing.T, bodies ...string) {
	t.Helper()
	w.markerSent++
	marker := fmt.Sprintf("marker-%d", w.markerSent)
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
				return
			}
		}
		m, err := net.Dial("udp", "198.18.0.2:9998")
		if err != nil {
			t.Error(err)
			return
		}
		defer m.Close()
		if _, err := m.Write([]byte(marker)); err != nil {
			t.Error(err)
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	w.mark.SetReadDeadline(time.Now().Add(time.Minute))
	buf := make([]byte, 64)
	n, _, err := w.mark.ReadFrom(buf)
	if err != nil || string(buf[:n]) != marker {
		t.Fatalf("marker: %q, %v", buf[:n], err)
	}
}

// delivered reads what b's server holds: a verdict's accepted packet is
// in its socket by the time the verdict's ACK comes, and send waited for
// the rest.
func (w *kernelWorld) delivered(t *testing.T) []string {
	t.Helper()
	w.send(t) // a marker alone, past any packet still on its way
	rc, err := w.srv.(*net.UDPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	buf := make([]byte, 1500)
	for {
		var n int
		var rerr error
		err := rc.Control(func(fd uintptr) { n, _, rerr = unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT) })
		if err == nil {
			err = rerr
		}
		if err == unix.EAGAIN {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(buf[:n]))
	}
	slices.Sort(out)
	return out
}

// stats reads queue 3's line of /proc/net/netfilter/nfnetlink_queue:
// queue_number peer_portid queue_total copy_mode copy_range
// queue_dropped queue_user_dropped id_sequence 1.
func (w *kernelWorld) stats(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", w.b.Name, "cat", "/proc/net/netfilter/nfnetlink_queue").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if fs := strings.Fields(l); len(fs) >= 8 && fs[0] == "3" {
			return fmt.Sprintf("total=%s mode=%s range=%s dropped=%s user_dropped=%s id_sequence=%s", fs[2], fs[3], fs[4], fs[5], fs[6], fs[7])
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
