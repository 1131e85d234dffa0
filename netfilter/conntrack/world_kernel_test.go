//go:build linux

package conntrack_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/netfilter/conntrack"
	"golang.org/x/sys/unix"
)

// inNS runs fn on a thread in ns's network namespace, so the sockets fn
// opens belong to ns. The thread is never given back: it dies with the
// goroutine.
func inNS(t testing.TB, ns *nstest.NS, fn func()) {
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

// needTool skips the test when the program name is not installed.
func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed (bash .ci/e2e-deps.sh installs it)", name)
	}
}

// inNSRun runs a program inside ns (ip netns exec) and returns its
// standard output; a failure fails the test.
func inNSRun(t testing.TB, ns *nstest.NS, args ...string) string {
	t.Helper()
	out, err := inNSTry(ns, args...)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return out
}

func inNSTry(ns *nstest.NS, args ...string) (string, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns.Name}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), &cmdError{err, stderr.String()}
	}
	return string(out), nil
}

type cmdError struct {
	err    error
	stderr string
}

func (e *cmdError) Error() string { return e.err.Error() + ": " + e.stderr }

// dialCT opens a conntrack Conn in ns, closed when the test ends.
func dialCT(t testing.TB, ns *nstest.NS) *conntrack.Conn {
	t.Helper()
	c, err := conntrack.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// pair is two namespaces joined by a veth pair: a (198.18.0.1, .3 and
// 2001:db8::1 on va) and b (198.18.0.2, 2001:db8::2 on vb). Connection
// tracking runs in a: its nftables ruleset counts new connections and
// translates 198.18.9.9:8080 to b's port 80 and UDP to b's port 5353 to
// the source 198.18.0.3.
type pair struct {
	a, b *nstest.NS
}

func newPair(t *testing.T) *pair {
	needTool(t, "nft")
	needTool(t, "conntrack")
	p := &pair{a: nstest.New(t), b: nstest.New(t)}
	p.a.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", p.b.Name)
	p.a.Batch(t, []string{
		"addr add 198.18.0.1/24 dev va",
		"addr add 198.18.0.3/24 dev va",
		"addr add 2001:db8::1/64 dev va nodad",
		"link set va up",
		"route add 198.18.9.0/24 dev va",
	})
	p.b.Batch(t, []string{
		"addr add 198.18.0.2/24 dev vb",
		"addr add 2001:db8::2/64 dev vb nodad",
		"link set vb up",
	})
	inNSRun(t, p.a, "sysctl", "-qw", "net.netfilter.nf_conntrack_acct=1", "net.netfilter.nf_conntrack_timestamp=1")
	steadyTimeouts(t, p.a)
	nftIn(t, p.a, `
table inet ct27 {
	chain out { type filter hook output priority 0; ct state new counter; }
	chain nat_out { type nat hook output priority -100; ip daddr 198.18.9.9 tcp dport 8080 dnat to 198.18.0.2:80; }
	chain nat_post { type nat hook postrouting priority 100; ip daddr 198.18.0.2 udp dport 5353 snat to 198.18.0.3; }
}`)
	return p
}

// nftIn loads ruleset into ns's nftables.
func nftIn(t testing.TB, ns *nstest.NS, ruleset string) {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns.Name, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft -f: %v: %s", err, out)
	}
}

// traffic makes real connections from a to b: a TCP connection left
// established (with bytes both ways), one through the DNAT rule, UDP
// datagrams both ways over IPv4 (through the SNAT rule) and IPv6, and an
// ICMP and an ICMPv6 echo. It returns when every reply came back.
func (p *pair) traffic(t *testing.T) {
	t.Helper()
	var ls []net.Listener
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
		for _, l := range ls {
			l.Close()
		}
	})
	inNS(t, p.b, func() {
		for _, a := range []string{"198.18.0.2:80", "[2001:db8::2]:443"} {
			l, err := net.Listen("tcp", a)
			if err != nil {
				t.Error(err)
				return
			}
			ls = append(ls, l)
		}
		for _, a := range []string{"198.18.0.2:5353", "[2001:db8::2]:53"} {
			u, err := net.ListenPacket("udp", a)
			if err != nil {
				t.Error(err)
				return
			}
			conns = append(conns, &packetEcho{u})
			go echoPackets(u)
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	for _, l := range ls {
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					buf := make([]byte, 64)
					for {
						n, err := c.Read(buf)
						if err != nil {
							return
						}
						c.Write(buf[:n])
					}
				}()
			}
		}()
	}
	inNS(t, p.a, func() {
		d := net.Dialer{Timeout: 10 * time.Second}
		for _, a := range []string{"198.18.0.2:80", "198.18.9.9:8080", "[2001:db8::2]:443", "198.18.0.2:5353", "[2001:db8::2]:53"} {
			network := "tcp"
			if strings.HasSuffix(a, ":5353") || strings.HasSuffix(a, ":53") {
				network = "udp"
			}
			c, err := d.Dial(network, a)
			if err != nil {
				t.Error(err)
				return
			}
			conns = append(conns, c)
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write([]byte("hello")); err != nil {
				t.Error(err)
				return
			}
			buf := make([]byte, 16)
			if _, err := c.Read(buf); err != nil {
				t.Errorf("%s: %v", a, err)
				return
			}
		}
		for _, dst := range []string{"198.18.0.2", "2001:db8::2"} {
			if err := echo(dst); err != nil {
				t.Error(err)
			}
		}
	})
	if t.Failed() {
		t.FailNow()
	}
}

type packetEcho struct{ net.PacketConn }

func (p *packetEcho) Read([]byte) (int, error)         { return 0, nil }
func (p *packetEcho) Write([]byte) (int, error)        { return 0, nil }
func (p *packetEcho) RemoteAddr() net.Addr             { return nil }
func (p *packetEcho) SetDeadline(time.Time) error      { return nil }
func (p *packetEcho) SetReadDeadline(time.Time) error  { return nil }
func (p *packetEcho) SetWriteDeadline(time.Time) error { return nil }

func echoPackets(u net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		n, from, err := u.ReadFrom(buf)
		if err != nil {
			return
		}
		u.WriteTo(buf[:n], from)
	}
}

// echo sends one ICMP (or ICMPv6) echo request to dst and waits for the
// reply, with identifier 0x2727.
func echo(dst string) error {
	v6 := strings.Contains(dst, ":")
	network, typ := "ip4:icmp", byte(8)
	if v6 {
		network, typ = "ip6:ipv6-icmp", 128
	}
	c, err := net.ListenPacket(network, "")
	if err != nil {
		return err
	}
	defer c.Close()
	msg := []byte{typ, 0, 0, 0, 0x27, 0x27, 0, 1, 'p', 'i', 'n', 'g'}
	if !v6 { // the kernel computes ICMPv6 checksums on raw sockets
		var sum uint32
		for i := 0; i < len(msg); i += 2 {
			sum += uint32(msg[i])<<8 | uint32(msg[i+1])
		}
		sum = sum>>16 + sum&0xffff
		sum += sum >> 16
		msg[2], msg[3] = byte(^sum>>8), byte(^sum)
	}
	ip := net.ParseIP(dst)
	if _, err := c.WriteTo(msg, &net.IPAddr{IP: ip}); err != nil {
		return err
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1500)
	for {
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			return err
		}
		if n >= 8 && (buf[0] == 0 || buf[0] == 129) && buf[4] == 0x27 && buf[5] == 0x27 {
			return nil
		}
	}
}

// ctx returns a context for one test's requests.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}
