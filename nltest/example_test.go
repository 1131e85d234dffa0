package nltest_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/nltest"
)

// Numbers from <linux/rtnetlink.h> and <linux/if_link.h>, spelled out so
// that the example builds on every system.
const (
	netlinkRoute = 0  // NETLINK_ROUTE
	rtmNewLink   = 16 // RTM_NEWLINK
	rtmGetLink   = 18 // RTM_GETLINK
	iflaMTU      = 4  // IFLA_MTU
	ifinfomsgLen = 16 // sizeof(struct ifinfomsg)
)

// linkMTU is the code under test: it asks the kernel for a link's MTU.
func linkMTU(ctx context.Context, c *netlink.Conn, index int) (uint32, error) {
	req := make([]byte, ifinfomsgLen)
	binary.NativeEndian.PutUint32(req[4:], uint32(index))
	msgs, err := c.Execute(ctx, netlink.Message{Header: netlink.Header{Type: rtmGetLink}, Data: req})
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		for a, err := range m.Attrs(ifinfomsgLen) {
			if err != nil {
				return 0, err
			}
			if a.Type == iflaMTU {
				return a.Uint32()
			}
		}
	}
	return 0, errors.New("no MTU in the reply")
}

// A fake kernel that knows one link, index 1 with MTU 65536, tests linkMTU
// without root and without Linux.
func Example() {
	k := nltest.New(netlinkRoute, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Type != rtmGetLink || len(req.Data) < ifinfomsgLen {
			return nil, syscall.EOPNOTSUPP
		}
		if index := binary.NativeEndian.Uint32(req.Data[4:]); index != 1 {
			return nil, &nltest.Error{Errno: syscall.ENODEV, Message: "no such link"}
		}
		e := netlink.NewAttrEncoder(append([]byte(nil), req.Data[:ifinfomsgLen]...))
		e.Uint32(iflaMTU, 65536)
		b, err := e.Finish()
		return []netlink.Message{{Header: netlink.Header{Type: rtmNewLink}, Data: b}}, err
	})
	c, err := k.Dial(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	mtu, err := linkMTU(context.Background(), c, 1)
	fmt.Println(mtu, err)
	_, err = linkMTU(context.Background(), c, 2)
	fmt.Println(errors.Is(err, syscall.ENODEV), err)
	// Output:
	// 65536 <nil>
	// true netlink route RTM_GETLINK: no such device: no such link
}

// Notifications come through Receive, as from the kernel's multicast
// groups.
func ExampleKernel_Notify() {
	k := nltest.New(netlinkRoute, func(netlink.Message) ([]netlink.Message, error) { return nil, nil })
	c, err := k.Dial(&netlink.Config{Groups: []uint32{1}}) // RTNLGRP_LINK
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	k.Notify(1, netlink.Message{Header: netlink.Header{Type: rtmNewLink}, Data: make([]byte, ifinfomsgLen)})
	msgs, err := c.Receive(context.Background())
	fmt.Println(len(msgs), msgs[0].Header, err)
	// Output:
	// 1 {len=32 type=16 flags=0 seq=0 port=0} <nil>
}

// Overrun loses datagrams as a full receive queue does: the requests in
// flight fail with ErrOverrun, Receive reports the loss once, and the Conn
// goes on.
func ExampleKernel_Overrun() {
	var k *nltest.Kernel
	k = nltest.New(netlinkRoute, func(req netlink.Message) ([]netlink.Message, error) {
		if binary.NativeEndian.Uint32(req.Data[4:]) == 0 {
			k.Overrun() // the reply of this request is lost
		}
		return nil, nil
	})
	c, err := k.Dial(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	ctx := context.Background()
	req := netlink.Message{Header: netlink.Header{Type: rtmGetLink}, Data: make([]byte, ifinfomsgLen)}
	_, err = c.Execute(ctx, req)
	fmt.Println(errors.Is(err, netlink.ErrOverrun))
	binary.NativeEndian.PutUint32(req.Data[4:], 1)
	_, err = c.Execute(ctx, req)
	fmt.Println(err)
	// Output:
	// true
	// <nil>
}

// A Handler that changes something reports it: the Conns in the group
// hear of it, with the request's port and sequence number, and a request
// with NLM_F_ECHO gets it back among its replies, as from the kernel.
func ExampleKernel_Report() {
	const rtnlgrpLink = 1 // RTNLGRP_LINK
	var k *nltest.Kernel
	k = nltest.New(netlinkRoute, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Type != rtmNewLink {
			return nil, syscall.EOPNOTSUPP
		}
		k.Report(req, rtnlgrpLink, netlink.Message{Header: netlink.Header{Type: rtmNewLink}, Data: req.Data})
		return nil, nil
	})
	watcher, err := k.Dial(&netlink.Config{Groups: []uint32{rtnlgrpLink}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer watcher.Close()
	c, err := k.Dial(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	ctx := context.Background()
	req := netlink.Message{Header: netlink.Header{Type: rtmNewLink, Flags: netlink.Create | netlink.Echo}, Data: make([]byte, ifinfomsgLen)}
	msgs, err := c.Execute(ctx, req)
	fmt.Println("echo:", len(msgs), msgs[0].Header.Type, err)
	msgs, err = watcher.Receive(ctx)
	fmt.Println("notification:", len(msgs), msgs[0].Header.PortID == c.LocalAddr().PortID, err)
	// Output:
	// echo: 1 16 <nil>
	// notification: 1 true <nil>
}
