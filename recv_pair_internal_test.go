//go:build linux

package netlink

import (
	"context"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// A Conn whose reads wait for each datagram (Receive of notifications that
// come one at a time, with a context that cannot be cancelled) reads one
// at a time: the socket ran empty before each, so none is a pair, and
// asking for two would cost every other read a futile attempt.
func TestPairsWaitedReads(t *testing.T) {
	ns := nstest.New(t)
	a, err := Dial(unix.NETLINK_USERSOCK, &Config{NetNS: ns.Path, AcceptPeers: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Dial(unix.NETLINK_USERSOCK, &Config{NetNS: ns.Path, AcceptPeers: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, ok := b.sys.(*sysConn)
	if !ok {
		t.Skip("the socket is traced (NLKIT_DEBUG)")
	}
	// The datagram goes out once the read waits for it: when waitRead
	// has put the socket in ep and asks to wait.
	msg := AppendMessage(nil, Header{Type: TypeMinType, PortID: a.local.PortID}, []byte("one at a time"))
	arc, err := a.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	sent := false
	s.waitFn = func(efd uintptr) bool {
		done := s.waitRead(efd)
		if !done && !sent {
			sent = true
			var serr error
			arc.Control(func(fd uintptr) {
				serr = unix.Sendto(int(fd), msg, unix.MSG_DONTWAIT, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: b.local.PortID})
			})
			if serr != nil {
				t.Error(serr)
			}
		}
		return done
	}
	for i := range 6 {
		sent = false
		d, err := b.ReceiveDatagram(context.Background())
		if err != nil || len(d.Data) < HeaderLen+13 || string(d.Data[HeaderLen:HeaderLen+13]) != "one at a time" {
			t.Fatalf("read %d: %q, %v", i, d.Data, err)
		}
		if !sent {
			t.Fatalf("read %d did not wait", i)
		}
		if i > 0 && s.nmsgs != 1 {
			t.Errorf("read %d, which waited as the one before, asked for %d datagrams", i, s.nmsgs)
		}
	}
}
