//go:build linux

package sockdiag_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink/sockdiag"
)

// TestDestroyMatching destroys the connections to port 80 (both families
// asked, one matches) and checks that their owners see them closed and
// that ss lists them no more, while the rest lives on.
func TestDestroyMatching(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	f := sockdiag.MustCompile("state established and dport = :80")
	before := ssPairs(t, w.ns, "-tn", "state", "established", "dport = :80")
	if len(before) != 2 {
		t.Fatalf("ss lists %q before, want 2 sockets", before)
	}
	total := 0
	for _, fam := range []sockdiag.Family{sockdiag.IPv4, sockdiag.IPv6} {
		n, err := c.DestroyMatching(context.Background(), sockdiag.InetRequest{Family: fam, Protocol: sockdiag.ProtoTCP, Filter: f, States: f.States})
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if total != 2 {
		t.Errorf("destroyed %d sockets, want 2", total)
	}
	if after := ssPairs(t, w.ns, "-tn", "state", "established", "dport = :80"); len(after) != 0 {
		t.Errorf("ss still lists %q", after)
	}
	for _, conn := range w.clients {
		remote := conn.RemoteAddr().(*net.TCPAddr)
		conn.SetReadDeadline(time.Now().Add(time.Minute)) // a hang guard, not a timing assertion
		if remote.Port == 80 {
			_, err := conn.Read(make([]byte, 1))
			if !errors.Is(err, syscall.ECONNABORTED) {
				t.Errorf("read on destroyed %v: %v, want ECONNABORTED", conn.LocalAddr(), err)
			}
		}
	}
	// The other connections still carry data.
	for i, conn := range w.clients {
		if conn.RemoteAddr().(*net.TCPAddr).Port == 80 {
			continue
		}
		if _, err := conn.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		w.servers[i].SetReadDeadline(time.Now().Add(time.Minute))
		if _, err := w.servers[i].Read(make([]byte, 1)); err != nil {
			t.Errorf("%v: %v", conn.LocalAddr(), err)
		}
	}
}

// TestDestroyOne destroys one socket by its ID and checks the error for
// a socket that is not there.
func TestDestroyOne(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	f := sockdiag.MustCompile("sport = :40002")
	var target *sockdiag.InetSocket
	for s, err := range c.InetSockets(context.Background(), sockdiag.InetRequest{Family: sockdiag.IPv6, Protocol: sockdiag.ProtoTCP, Filter: f}) {
		if err != nil {
			t.Fatal(err)
		}
		cl := s.Clone()
		target = &cl
	}
	if target == nil {
		t.Fatal("no socket from port 40002")
	}
	if err := c.Destroy(context.Background(), sockdiag.ProtoTCP, target); err != nil {
		t.Fatal(err)
	}
	err := c.Destroy(context.Background(), sockdiag.ProtoTCP, target)
	if !errors.Is(err, syscall.ENOENT) || !strings.Contains(err.Error(), "[2001:db8::2]:40002") {
		t.Errorf("destroying it again: %v, want ENOENT naming the socket", err)
	}
	if got := ssPairs(t, w.ns, "-tan", "sport = :40002"); len(got) != 0 {
		t.Errorf("ss still lists %q", got)
	}
}

// TestDestroyUDP destroys the bound UDP socket and checks that its
// owner's read fails. The kernel's udp_abort disconnects the socket but
// keeps one its owner bound in the table, so ss (and we) still list it.
func TestDestroyUDP(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	n, err := c.DestroyMatching(context.Background(), sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoUDP, Filter: sockdiag.MustCompile("sport = :53")})
	if err != nil || n != 1 {
		t.Fatalf("destroyed %d: %v", n, err)
	}
	w.udp.SetReadDeadline(time.Now().Add(time.Minute)) // a hang guard
	if _, _, err := w.udp.ReadFrom(make([]byte, 1)); !errors.Is(err, syscall.ECONNABORTED) {
		t.Errorf("read: %v, want ECONNABORTED", err)
	}
	if got := ssPairs(t, w.ns, "-uan", "sport = :53"); len(got) != 1 {
		t.Errorf("ss lists %q, want the bound socket", got)
	}
}
