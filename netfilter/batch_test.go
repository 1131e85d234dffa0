//go:build linux

package netfilter_test

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/netfilter"
)

func nftMsg(t *testing.T, msg uint8, attrs ...string) netlink.Message {
	e := netlink.NewAttrEncoder(netfilter.Header{Family: syscall.AF_INET}.Append(nil))
	for i, a := range attrs {
		if a != "" {
			e.String(uint16(i+1), a)
		}
	}
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return netlink.Message{Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysNFTables, msg), Flags: netlink.Create}, Data: b}
}

func TestExecuteBatch(t *testing.T) {
	ns := nstest.New(t)
	c, err := netlink.Dial(netfilter.Protocol, &netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	const newTable, newChain = 0, 3
	// Table t, then a chain in it, then a chain in a table that does not
	// exist: message 2 is refused, and nothing applied.
	err = netfilter.ExecuteBatch(ctx, c, netfilter.SubsysNFTables, 0, []netlink.Message{
		nftMsg(t, newTable, "t"),
		nftMsg(t, newChain, "t", "", "c"),
		nftMsg(t, newChain, "nope", "", "c"),
	})
	var be *netfilter.BatchError
	if !errors.As(err, &be) || be.Index != 2 || be.Refused != 1 || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("err = %v (%#v), want a BatchError for message 2 wrapping ENOENT", err, be)
	}
	// Table t was rolled back: a chain in it is refused too.
	err = netfilter.ExecuteBatch(ctx, c, netfilter.SubsysNFTables, 0, []netlink.Message{nftMsg(t, newChain, "t", "", "c")})
	if !errors.As(err, &be) || be.Index != 0 || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("chain in the rolled-back table: err = %v, want message 0 refused with ENOENT", err)
	}
	if err := netfilter.ExecuteBatch(ctx, c, netfilter.SubsysNFTables, 0, []netlink.Message{
		nftMsg(t, newTable, "t"), nftMsg(t, newChain, "t", "", "c"),
	}); err != nil {
		t.Fatal(err)
	}
	// A stale generation ID: the batch as a whole is refused.
	err = netfilter.ExecuteBatch(ctx, c, netfilter.SubsysNFTables, 0xdead, []netlink.Message{nftMsg(t, newTable, "u")})
	if !errors.As(err, &be) || be.Index != -1 || !errors.Is(err, syscall.ERESTART) {
		t.Fatalf("stale generation: err = %v, want the batch refused with ERESTART", err)
	}
}
