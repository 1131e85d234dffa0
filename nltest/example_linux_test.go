//go:build linux

// The typed layers, rtnetlink and genetlink, build on Linux alone, and so
// do these examples.

package nltest_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/nltest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// fakeLinks is a fake kernel with two links, lo and eth0.
func fakeLinks(req netlink.Message) ([]netlink.Message, error) {
	link := func(index int, name string, mtu uint32) netlink.Message {
		ifi := make([]byte, unix.SizeofIfInfomsg)
		binary.NativeEndian.PutUint32(ifi[4:], uint32(index))
		e := netlink.NewAttrEncoder(ifi)
		e.String(unix.IFLA_IFNAME, name)
		e.Uint32(unix.IFLA_MTU, mtu)
		b, _ := e.Finish()
		return netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: b}
	}
	links := []netlink.Message{link(1, "lo", 65536), link(2, "eth0", 1500)}
	if req.Header.Type != unix.RTM_GETLINK {
		return nil, syscall.EOPNOTSUPP
	}
	if req.Header.Flags&netlink.Dump == netlink.Dump {
		return links, nil
	}
	switch binary.NativeEndian.Uint32(req.Data[4:]) {
	case 1:
		return links[:1], nil
	case 2:
		return links[1:], nil
	}
	return nil, syscall.ENODEV
}

// rtnetlink's calls run on a Conn of the fake kernel as on the kernel's.
func Example_rtnetlink() {
	c, err := nltest.New(unix.NETLINK_ROUTE, fakeLinks).Dial(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rt := rtnetlink.New(c)
	defer rt.Close()

	ctx := context.Background()
	for l, err := range rt.Links(ctx, rtnetlink.LinkFilter{}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(l.Index, l.Name, l.MTU)
	}
	l, err := rt.Link(ctx, 2)
	fmt.Println(l.Name, err)
	_, err = rt.Link(ctx, 3)
	fmt.Println(err)
	// Output:
	// 1 lo 65536
	// 2 eth0 1500
	// eth0 <nil>
	// netlink route RTM_GETLINK: no such device
}

// A fake nlctrl that knows one family, for genetlink's Family.
func Example_genetlink() {
	k := nltest.New(unix.NETLINK_GENERIC, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Type != unix.GENL_ID_CTRL || len(req.Data) < genetlink.HeaderLen || req.Data[0] != unix.CTRL_CMD_GETFAMILY {
			return nil, syscall.EOPNOTSUPP
		}
		for a, err := range req.Attrs(genetlink.HeaderLen) {
			if err != nil {
				return nil, err
			}
			if a.Type == unix.CTRL_ATTR_FAMILY_NAME && a.Str() != "fake" {
				return nil, syscall.ENOENT
			}
		}
		var e netlink.AttrEncoder
		e.Reset(genetlink.AppendHeader(nil, genetlink.Header{Command: unix.CTRL_CMD_NEWFAMILY, Version: 2}))
		e.Uint16(unix.CTRL_ATTR_FAMILY_ID, 0x20)
		e.String(unix.CTRL_ATTR_FAMILY_NAME, "fake")
		e.Uint32(unix.CTRL_ATTR_VERSION, 1)
		groups := e.Nest(unix.CTRL_ATTR_MCAST_GROUPS)
		g := e.Nest(1)
		e.String(unix.CTRL_ATTR_MCAST_GRP_NAME, "events")
		e.Uint32(unix.CTRL_ATTR_MCAST_GRP_ID, 7)
		e.End(g)
		e.End(groups)
		b, err := e.Finish()
		return []netlink.Message{{Header: netlink.Header{Type: unix.GENL_ID_CTRL}, Data: b}}, err
	})
	c, err := k.Dial(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	gc := genetlink.New(c)
	defer gc.Close()

	f, err := gc.Family(context.Background(), "fake")
	fmt.Println(f.ID, f.Name, f.Version, f.Groups, err)
	_, err = gc.Family(context.Background(), "other")
	fmt.Println(err)
	// Output:
	// 32 fake 1 [{events 7}] <nil>
	// genetlink: no family "other": netlink generic nlctrl GETFAMILY: no such file or directory
}
