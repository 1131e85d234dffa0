package rtnetlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/nltest"
	"github.com/nlkit/netlink/rtnetlink"
)

// TestFakeKernelLink runs typed link calls on nltest's fake kernel, which
// needs neither root nor Linux: this test is built (and runs) on every
// platform. The fake knows one link, "fake0" (index 7); asking for another
// is ENODEV, which must match syscall.ENODEV wherever the test runs (the
// errno crosses as Linux's number, 19, and comes back as the host's).
func TestFakeKernelLink(t *testing.T) {
	k := nltest.New(uapi.NETLINK_ROUTE, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Type != uapi.RTM_GETLINK || len(req.Data) < uapi.SizeofIfInfomsg {
			return nil, syscall.EOPNOTSUPP
		}
		index := int32(binary.NativeEndian.Uint32(req.Data[4:]))
		name := ""
		d := req.AttrDecoder(uapi.SizeofIfInfomsg)
		for d.Next() {
			if d.Type() == uapi.IFLA_IFNAME {
				name = d.String()
			}
		}
		if index != 7 && name != "fake0" {
			return nil, syscall.ENODEV
		}
		b := make([]byte, uapi.SizeofIfInfomsg)
		binary.NativeEndian.PutUint16(b[2:], uapi.ARPHRD_ETHER)
		binary.NativeEndian.PutUint32(b[4:], 7)
		binary.NativeEndian.PutUint32(b[8:], uapi.IFF_UP)
		e := netlink.NewAttrEncoder(b)
		e.String(uapi.IFLA_IFNAME, "fake0")
		e.Uint32(uapi.IFLA_MTU, 1500)
		data, err := e.Finish()
		if err != nil {
			return nil, err
		}
		return []netlink.Message{{Header: netlink.Header{Type: uapi.RTM_NEWLINK}, Data: data}}, nil
	})
	nl, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := rtnetlink.New(nl)
	defer c.Close()
	ctx := context.Background()

	l, err := c.LinkByName(ctx, "fake0")
	if err != nil {
		t.Fatalf("LinkByName(fake0): %v", err)
	}
	if l.Index != 7 || l.Name != "fake0" || l.MTU != 1500 || l.HardwareType != uapi.ARPHRD_ETHER {
		t.Errorf("LinkByName(fake0) = index %d, name %q, MTU %d, type %d; want 7, fake0, 1500, %d", l.Index, l.Name, l.MTU, l.HardwareType, uapi.ARPHRD_ETHER)
	}
	if _, err := c.Link(ctx, 8); !errors.Is(err, syscall.ENODEV) {
		t.Errorf("Link(8): %v, want an error wrapping ENODEV", err)
	}
	var op *netlink.OpError
	if _, err := c.LinkByName(ctx, "nosuch0"); !errors.As(err, &op) || !errors.Is(err, syscall.ENODEV) {
		t.Errorf("LinkByName(nosuch0): %v, want an *OpError wrapping ENODEV", err)
	}
}
