//go:build linux

// The typed layers, rtnetlink and genetlink, build on Linux alone, and so
// do these examples.

package nltest_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/nltest"
	"github.com/nlkit/netlink/rtnetlink"
	"golang.org/x/sys/unix"
)

// fakeLinks is a fake kernel with three links: lo, eth0 and eth1.
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
	links := []netlink.Message{link(1, "lo", 65536), link(2, "eth0", 1500), link(3, "eth1", 9000)}
	if req.Header.Type != unix.RTM_GETLINK {
		return nil, syscall.EOPNOTSUPP
	}
	if req.Header.Flags&netlink.Dump == netlink.Dump {
		return links, nil
	}
	if i := binary.NativeEndian.Uint32(req.Data[4:]); i >= 1 && int(i) <= len(links) {
		return links[i-1 : i], nil
	}
	return nil, syscall.ENODEV
}

// jumboLinks is the code under test: the names of the links with an MTU
// above 1500, through rtnetlink.
func jumboLinks(ctx context.Context, rt *rtnetlink.Conn) ([]string, error) {
	var names []string
	for l, err := range rt.Links(ctx, rtnetlink.LinkFilter{}) {
		if err != nil {
			return nil, err
		}
		if l.MTU > 1500 {
			names = append(names, l.Name)
		}
	}
	return names, nil
}

// A function of the caller's that uses rtnetlink, tested on fake kernels:
// one with three links, and one that refuses.
func Example_rtnetlink() {
	ctx := context.Background()
	refuse := func(netlink.Message) ([]netlink.Message, error) { return nil, syscall.EPERM }
	for _, h := range []nltest.Handler{fakeLinks, refuse} {
		c, err := nltest.New(unix.NETLINK_ROUTE, h).Dial(nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		rt := rtnetlink.New(c)
		fmt.Println(jumboLinks(ctx, rt))
		rt.Close()
	}
	// Output:
	// [lo eth1] <nil>
	// [] netlink route RTM_GETLINK: operation not permitted
}

// familyVersion is the code under test: the version of a generic netlink
// family, or 0 when the kernel does not have it.
func familyVersion(ctx context.Context, gc *genetlink.Conn, name string) (uint32, error) {
	f, err := gc.Family(ctx, name)
	switch {
	case errors.Is(err, syscall.ENOENT):
		return 0, nil
	case err != nil:
		return 0, err
	}
	return f.Version, nil
}

// A function of the caller's that uses genetlink, tested on a fake nlctrl
// that knows one family.
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

	fmt.Println(familyVersion(context.Background(), gc, "fake"))
	fmt.Println(familyVersion(context.Background(), gc, "other"))
	// Output:
	// 1 <nil>
	// 0 <nil>
}
