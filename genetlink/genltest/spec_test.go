package genltest_test

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink/genltest"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/netdev"
)

// TestSpecChecksRequests registers a fake netdev family with its spec:
// the generated client's request reaches the handler, and a request the
// kernel's policy would refuse is refused before it, as the kernel does:
// EINVAL (or ERANGE), an extended ACK message, the bad attribute's offset.
func TestSpecChecksRequests(t *testing.T) {
	k := genltest.New()
	handled := 0
	f := &genltest.Family{
		Name: netdev.FamilyName, Version: netdev.FamilyVersion, Spec: netdev.Spec,
		Ops: []genltest.Op{
			{Command: netdev.CmdDevGet, Do: func(req *genltest.Request) ([]genltest.Message, error) {
				handled++
				reply, _ := ynl.Encode(&netdev.Dev{Ifindex: ynl.Some[uint32](1), XDPFeatures: ynl.Some(netdev.XDPActBasic)})
				return []genltest.Message{{Command: netdev.CmdDevGet, Data: reply}}, nil
			}},
			{Command: netdev.CmdNAPISet, Do: func(req *genltest.Request) ([]genltest.Message, error) {
				handled++
				return nil, nil
			}},
		},
	}
	if err := k.Register(f); err != nil {
		t.Fatal(err)
	}
	g, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	c, err := netdev.New(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DevGet(ctx, &netdev.Dev{Ifindex: ynl.Some[uint32](1)})
	if err != nil || d.XDPFeatures.V != netdev.XDPActBasic || handled != 1 {
		t.Fatalf("DevGet: %+v, %v (handled %d)", d, err, handled)
	}

	// xdp-features is a reply attribute: dev-get's request does not take it.
	_, err = c.DevGet(ctx, &netdev.Dev{Ifindex: ynl.Some[uint32](1), XDPFeatures: ynl.Some(netdev.XDPActBasic)})
	var oe *netlink.OpError
	if !errors.Is(err, syscall.EINVAL) || !errors.As(err, &oe) || oe.Offset == 0 || oe.Message == "" || oe.AttrType != netdev.AttrDevXDPFeatures {
		t.Errorf("DevGet with xdp-features: %v, want EINVAL with a message and an offset", err)
	}
	// defer-hard-irqs is at most S32_MAX.
	err = c.NAPISet(ctx, &netdev.NAPI{ID: ynl.Some[uint32](1), DeferHardIrqs: ynl.Some[uint32](1 << 31)})
	if !errors.Is(err, syscall.ERANGE) {
		t.Errorf("NAPISet with defer-hard-irqs 1<<31: %v, want ERANGE", err)
	}
	if handled != 1 {
		t.Errorf("the handlers ran %d times, want once", handled)
	}
	t.Log(err)
}
