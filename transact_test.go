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

// nfBatch returns an nfnetlink batch of nftables (begin, msgs, end), every
// message asking for an ACK, without the netfilter package (which imports
// this one).
func nfBatch(msgs ...netlink.Message) []netlink.Message {
	hdr := []byte{0, 0, 0, 10} // struct nfgenmsg, res_id NFNL_SUBSYS_NFTABLES
	out := []netlink.Message{{Header: netlink.Header{Type: 0x10, Flags: netlink.Acknowledge}, Data: hdr}}
	out = append(out, msgs...)
	return append(out, netlink.Message{Header: netlink.Header{Type: 0x11, Flags: netlink.Acknowledge}, Data: hdr})
}

// newTable is NFT_MSG_NEWTABLE for the ip table name, with comment as
// its NFTA_TABLE_USERDATA.
func newTable(t *testing.T, name string, userdata []byte) netlink.Message {
	e := netlink.NewAttrEncoder([]byte{2, 0, 0, 0})
	e.String(1, name) // NFTA_TABLE_NAME
	if userdata != nil {
		e.Bytes(6, userdata) // NFTA_TABLE_USERDATA
	}
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return netlink.Message{Header: netlink.Header{Type: 0xa00, Flags: netlink.Acknowledge | netlink.Create}, Data: b}
}

func TestTransactResults(t *testing.T) {
	ns := nstest.New(t)
	c, err := netlink.Dial(syscall.NETLINK_NETFILTER, &netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	res, err := c.Transact(ctx, nfBatch(newTable(t, "a", nil)))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r != nil {
			t.Errorf("result %d = %v, want nil (an ACK)", i, r)
		}
	}

	// A chain in a table that does not exist: refused with ENOENT, and
	// the batch rolled back, so the end message is not answered.
	e := netlink.NewAttrEncoder([]byte{2, 0, 0, 0})
	e.String(1, "nope") // NFTA_CHAIN_TABLE
	e.String(3, "c")    // NFTA_CHAIN_NAME
	b, _ := e.Finish()
	bad := netlink.Message{Header: netlink.Header{Type: 0xa03, Flags: netlink.Acknowledge | netlink.Create}, Data: b}
	res, err = c.Transact(ctx, nfBatch(newTable(t, "b", nil), bad))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res[2], syscall.ENOENT) {
		t.Errorf("result 2 = %v, want ENOENT", res[2])
	}
	var oe *netlink.OpError
	if !errors.As(res[2], &oe) || oe.ExtAck.AttrType != 1 {
		t.Errorf("result 2 = %#v, want an *OpError pointing at attribute 1 (NFTA_CHAIN_TABLE)", res[2])
	}
	if !errors.Is(res[3], netlink.ErrNoAnswer) {
		t.Errorf("result 3 (end) = %v, want ErrNoAnswer", res[3])
	}
	// Nothing of it applied: table b does not exist, so deleting it fails.
	e = netlink.NewAttrEncoder([]byte{2, 0, 0, 0})
	e.String(1, "b")
	b, _ = e.Finish()
	res, err = c.Transact(ctx, nfBatch(netlink.Message{Header: netlink.Header{Type: 0xa02, Flags: netlink.Acknowledge}, Data: b}))
	if err != nil || !errors.Is(res[1], syscall.ENOENT) {
		t.Errorf("deleting table b after the failed batch: %v, %v; want ENOENT", res, err)
	}
}

// TestTransactLarge sends 3,000 messages in a datagram of about 680 KiB,
// far past the default socket buffers (208 KiB): Transact grows the send
// buffer, and the kernel takes the datagram whole and answers each message.
func TestTransactLarge(t *testing.T) {
	ns := nstest.New(t)
	c, err := netlink.Dial(syscall.NETLINK_NETFILTER, &netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msgs := make([]netlink.Message, 3000)
	size := 0
	for i := range msgs {
		// The first creates table a; the others update it.
		msgs[i] = newTable(t, "a", make([]byte, 200))
		size += netlink.MessageSpace(len(msgs[i].Data))
	}
	if size < 600<<10 {
		t.Fatalf("datagram of %d bytes: want it past 600 KiB", size)
	}
	res, err := c.Transact(context.Background(), nfBatch(msgs...))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r != nil {
			t.Fatalf("result %d = %v", i, r)
		}
	}
}
