//go:build linux

package netlink_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// The everyday tasks with the raw layer, as the README quotes them. Like the
// other examples that talk to the kernel, they are compiled by go test but
// not run; each runs as root. The typed packages (rtnetlink, genetlink) make
// them shorter.

// List the links of the current network namespace.
func Example_listLinks() {
	ctx := context.Background()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	req := netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK},
		Data:   make([]byte, unix.SizeofIfInfomsg), // struct ifinfomsg, all zero: every link
	}
	for m, err := range c.Dump(ctx, req) {
		if err != nil {
			log.Fatal(err)
		}
		for a, err := range m.Attrs(unix.SizeofIfInfomsg) { // skip ifinfomsg, walk attributes
			if err != nil {
				log.Fatal(err)
			}
			if a.Type == unix.IFLA_IFNAME {
				fmt.Println(a.Str())
			}
		}
	}
}

// Create a veth pair: RTM_NEWLINK with the kind in IFLA_LINKINFO and the
// peer, a struct ifinfomsg followed by its own attributes, in
// VETH_INFO_PEER.
func Example_createLink() {
	ctx := context.Background()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	var peer netlink.AttrEncoder
	peer.Reset(make([]byte, unix.SizeofIfInfomsg))
	peer.String(unix.IFLA_IFNAME, "veth1")
	peerData, err := peer.Finish()
	if err != nil {
		log.Fatal(err)
	}

	var e netlink.AttrEncoder
	e.Reset(make([]byte, unix.SizeofIfInfomsg))
	e.String(unix.IFLA_IFNAME, "veth0")
	info := e.Nest(unix.IFLA_LINKINFO)
	e.String(unix.IFLA_INFO_KIND, "veth")
	data := e.Nest(unix.IFLA_INFO_DATA)
	e.Bytes(1, peerData) // VETH_INFO_PEER
	e.End(data)
	e.End(info)
	req, err := e.Finish()
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Execute(ctx, netlink.Message{
		Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: netlink.Create | netlink.Excl},
		Data:   req,
	})
	if err != nil {
		log.Fatal(err) // e.g. "netlink route RTM_NEWLINK: file exists"
	}
}

// Add an IPv4 address to a link: RTM_NEWADDR with a struct ifaddrmsg and
// IFA_LOCAL/IFA_ADDRESS.
func Example_addAddress() {
	ctx := context.Background()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	p := netip.MustParsePrefix("10.0.0.1/24")
	index := uint32(1)                                                                 // the link's index
	ifa := []byte{unix.AF_INET, byte(p.Bits()), 0, unix.RT_SCOPE_UNIVERSE, 0, 0, 0, 0} // struct ifaddrmsg
	binary.NativeEndian.PutUint32(ifa[4:], index)
	var e netlink.AttrEncoder
	e.Reset(ifa)
	e.Addr(unix.IFA_LOCAL, p.Addr())
	e.Addr(unix.IFA_ADDRESS, p.Addr())
	data, err := e.Finish()
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Execute(ctx, netlink.Message{
		Header: netlink.Header{Type: unix.RTM_NEWADDR, Flags: netlink.Create | netlink.Excl},
		Data:   data,
	})
	if err != nil {
		log.Fatal(err) // "netlink route RTM_NEWADDR: file exists: ipv4: Address already assigned"
	}
}

// Add a route to 10.1.0.0/16 via 10.0.0.2 in the main table, and ask the
// kernel to echo it back as it stored it.
func Example_addRoute() {
	ctx := context.Background()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	dst := netip.MustParsePrefix("10.1.0.0/16")
	rtm := []byte{unix.AF_INET, byte(dst.Bits()), 0, 0, unix.RT_TABLE_MAIN,
		unix.RTPROT_STATIC, unix.RT_SCOPE_UNIVERSE, unix.RTN_UNICAST, 0, 0, 0, 0} // struct rtmsg
	var e netlink.AttrEncoder
	e.Reset(rtm)
	e.Addr(unix.RTA_DST, dst.Addr())
	e.Addr(unix.RTA_GATEWAY, netip.MustParseAddr("10.0.0.2"))
	data, err := e.Finish()
	if err != nil {
		log.Fatal(err)
	}
	msgs, err := c.Execute(ctx, netlink.Message{
		Header: netlink.Header{Type: unix.RTM_NEWROUTE, Flags: netlink.Create | netlink.Excl | netlink.Echo},
		Data:   data,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(msgs), msgs[0].Header.Type == unix.RTM_NEWROUTE) // the echo: 1 true
}

// Resolve a generic netlink family's ID by name through nlctrl
// (CTRL_CMD_GETFAMILY with CTRL_ATTR_FAMILY_NAME).
func Example_resolveFamily() {
	ctx := context.Background()
	c, err := netlink.Dial(unix.NETLINK_GENERIC, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	var e netlink.AttrEncoder
	e.Reset([]byte{unix.CTRL_CMD_GETFAMILY, 2, 0, 0}) // struct genlmsghdr: command, version
	e.String(unix.CTRL_ATTR_FAMILY_NAME, "ethtool")
	data, err := e.Finish()
	if err != nil {
		log.Fatal(err)
	}
	msgs, err := c.Execute(ctx, netlink.Message{
		Header: netlink.Header{Type: unix.GENL_ID_CTRL},
		Data:   data,
	})
	if err != nil {
		log.Fatal(err) // ENOENT when the kernel has no such family
	}
	for a, err := range msgs[0].Attrs(unix.GENL_HDRLEN) {
		if err != nil {
			log.Fatal(err)
		}
		if a.Type == unix.CTRL_ATTR_FAMILY_ID {
			id, err := a.Uint16()
			if err != nil {
				log.Fatal(err)
			}
			fmt.Println("ethtool is family", id)
		}
	}
}

// Watch link and address notifications, as `ip monitor` does. A Conn that
// joins groups gets an 8 MiB receive buffer; should the kernel drop
// notifications anyway, Receive says so with ErrOverrun, once, and keeps
// going: a program that mirrors kernel state then dumps it again.
func Example_watchNotifications() {
	ctx := context.Background()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{
		Groups: []uint32{unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_IFADDR, unix.RTNLGRP_IPV6_IFADDR},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	for {
		msgs, err := c.Receive(ctx)
		if err != nil {
			log.Fatal(err) // errors.Is(err, netlink.ErrOverrun): re-dump what you mirror
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case unix.RTM_NEWLINK, unix.RTM_DELLINK, unix.RTM_NEWADDR, unix.RTM_DELADDR:
				fmt.Println(netlink.RequestName(unix.NETLINK_ROUTE, m.Header.Type))
			}
		}
	}
}
