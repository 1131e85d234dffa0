//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
)

// TestTransactCancelledAfterSendKernel: nfnetlink runs a batch while it is
// sent, so a context cancelled the moment the send returns (from the
// Conn's trace, written once the datagram went out) still gets the
// batch's results: a committed batch is reported committed, a refused one
// refused, with the kernel's error on the message it refused.
func TestTransactCancelledAfterSendKernel(t *testing.T) {
	ns := nstest.New(t)
	transact := func(msgs ...netlink.Message) ([]error, error) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c, err := netlink.Dial(syscall.NETLINK_NETFILTER, &netlink.Config{NetNS: ns.Path, Trace: &cancelAtSend{cancel: cancel}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		res, err := c.Transact(ctx, nfBatch(msgs...))
		if ctx.Err() == nil {
			t.Fatal("ctx was not cancelled: the test tested nothing")
		}
		return res, err
	}

	res, err := transact(newTable(t, "a", nil))
	if err != nil {
		t.Fatalf("Transact = %v; want the results, which the kernel queued while it took the batch", err)
	}
	for i, r := range res {
		if r != nil {
			t.Errorf("result %d = %v, want nil (an ACK)", i, r)
		}
	}

	// Adding table a again with NLM_F_EXCL: refused with EEXIST, and the
	// batch (which also adds table b) rolled back.
	dup := newTable(t, "a", nil)
	dup.Header.Flags |= netlink.Excl
	res, err = transact(newTable(t, "b", nil), dup)
	if err != nil {
		t.Fatalf("Transact = %v; want the results", err)
	}
	if !errors.Is(res[2], syscall.EEXIST) {
		t.Errorf("result 2 = %v, want EEXIST", res[2])
	}
	if !errors.Is(res[3], netlink.ErrNoAnswer) {
		t.Errorf("result 3 (end) = %v, want ErrNoAnswer", res[3])
	}

	// What the kernel did: table a is there, b is not.
	del := func(name string) netlink.Message {
		m := newTable(t, name, nil)
		m.Header.Type = 0xa02 // NFT_MSG_DELTABLE
		m.Header.Flags = netlink.Acknowledge
		return m
	}
	c, err := netlink.Dial(syscall.NETLINK_NETFILTER, &netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err = c.Transact(context.Background(), nfBatch(del("b")))
	if err != nil || !errors.Is(res[1], syscall.ENOENT) {
		t.Errorf("deleting table b: %v, %v; want ENOENT: its batch was refused", res, err)
	}
	res, err = c.Transact(context.Background(), nfBatch(del("a")))
	if err != nil || res[1] != nil {
		t.Errorf("deleting table a: %v, %v; want it deleted: its batch was committed", res, err)
	}
}
