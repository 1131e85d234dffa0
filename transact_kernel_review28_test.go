//go:build linux

package netlink_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
)

// r28Links makes n veth pairs in ns, and returns how many links it has.
func r28Links(t *testing.T, ns *nstest.NS, n int) int {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "link add r28a%d type veth peer name r28b%d\n", i, i)
	}
	file := filepath.Join(t.TempDir(), "batch")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ns.Run(t, "-batch", file)
	return 2*n + 1 // and lo
}

func r28LinkDump() netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: syscall.RTM_GETLINK, Flags: netlink.Dump | netlink.Acknowledge}, Data: make([]byte, syscall.SizeofIfInfomsg)}
}

func r28CountLinks(t *testing.T, c *netlink.Conn) int {
	n := 0
	for m, err := range c.Dump(context.Background(), r28LinkDump()) {
		if err != nil {
			t.Fatalf("link dump: %v", err)
		}
		if m.Header.Type == syscall.RTM_NEWLINK {
			n++
		}
	}
	return n
}

// A Transact whose request starts a dump larger than one datagram leaves
// the kernel running it: the next dumps of the Conn wait for its end and
// are whole.
func TestTransactLeavesDumpReview28(t *testing.T) {
	ns := nstest.New(t)
	want := r28Links(t, ns, 60)
	c, err := netlink.Dial(syscall.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 3 {
		if _, err := c.Transact(context.Background(), []netlink.Message{r28LinkDump()}); err != nil {
			t.Fatal(err)
		}
		if got := r28CountLinks(t, c); got != want {
			t.Fatalf("dump after a Transact that started one: %d links, want %d", got, want)
		}
	}
}

// Transact and Dump at once on one Conn: each gets its own answers.
func TestTransactDuringDumpReview28(t *testing.T) {
	ns := nstest.New(t)
	want := r28Links(t, ns, 60)
	c, err := netlink.Dial(syscall.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 20 {
			if got := r28CountLinks(t, c); got != want {
				t.Errorf("dump: %d links, want %d", got, want)
				return
			}
		}
	}()
	// Requests of a type rtnetlink does not have: each refused.
	reqs := make([]netlink.Message, 50)
	for i := range reqs {
		reqs[i] = netlink.Message{Header: netlink.Header{Type: 0x7f0, Flags: netlink.Acknowledge}, Data: make([]byte, 16)}
	}
	for range 20 {
		res, err := c.Transact(context.Background(), reqs)
		if err != nil {
			t.Error(err)
			break
		}
		for i, r := range res {
			if r == nil {
				t.Fatalf("result %d: nil, want an error", i)
			}
		}
	}
	wg.Wait()
}
