//go:build linux

package netlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// These examples talk to the kernel, so they are compiled but not run by go
// test; each runs as root.

// Ask for one link and read its name. Execute returns once the request is
// complete, with the replies in memory the caller owns.
func ExampleConn_Execute() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ifi := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(ifi[4:8], 1) // ifi_index: lo
	msgs, err := c.Execute(context.Background(), netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK},
		Data:   ifi,
	})
	if err != nil {
		log.Fatal(err)
	}
	for a, err := range msgs[0].Attrs(unix.SizeofIfInfomsg) {
		if err != nil {
			log.Fatal(err)
		}
		if a.Type == unix.IFLA_IFNAME {
			fmt.Println(a.Str())
		}
	}
}

// Errors the kernel reports are *OpError values that wrap the errno and
// carry the kernel's extended ACK message.
func ExampleOpError() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	var e netlink.AttrEncoder
	e.Reset(make([]byte, unix.SizeofIfInfomsg))
	e.String(unix.IFLA_IFNAME, "nl0")
	nest := e.Nest(unix.IFLA_LINKINFO)
	e.String(unix.IFLA_INFO_KIND, "no-such-kind")
	e.End(nest)
	data, err := e.Finish()
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Execute(context.Background(), netlink.Message{
		Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: netlink.Acknowledge | netlink.Create | netlink.Excl},
		Data:   data,
	})
	var oe *netlink.OpError
	if errors.Is(err, unix.EOPNOTSUPP) && errors.As(err, &oe) {
		fmt.Println(oe.Message) // "Unknown device type"
	}
}

// Install many routes in few system calls, with a result per route.
func ExampleConn_Batch() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	var reqs []netlink.Message
	for i := range 100 {
		rtm := []byte{unix.AF_INET, 32, 0, 0, unix.RT_TABLE_MAIN, unix.RTPROT_STATIC, unix.RT_SCOPE_LINK, unix.RTN_UNICAST, 0, 0, 0, 0}
		e := netlink.NewAttrEncoder(rtm)
		e.Addr(unix.RTA_DST, netip.AddrFrom4([4]byte{10, 99, 0, byte(i)}))
		e.Uint32(unix.RTA_OIF, 1)
		data, err := e.Finish()
		if err != nil {
			log.Fatal(err)
		}
		reqs = append(reqs, netlink.Message{
			Header: netlink.Header{Type: unix.RTM_NEWROUTE, Flags: netlink.Create | netlink.Replace},
			Data:   data,
		})
	}
	results, err := c.Batch(context.Background(), reqs)
	if err != nil {
		log.Fatal(err)
	}
	for i, err := range results {
		if err != nil {
			fmt.Println("route", i, err)
		}
	}
}

// Follow a table: dump it until the dump is consistent, then apply the
// notifications. When notifications were lost (ErrOverrun), the copy may be
// stale: dump again.
func ExampleErrOverrun() {
	ctx := context.Background()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{Groups: []uint32{unix.RTNLGRP_LINK}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	dumpLinks := netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK},
		Data:   make([]byte, unix.SizeofIfInfomsg),
	}
	links, err := c.DumpAll(ctx, dumpLinks) // retries while NLM_F_DUMP_INTR
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(links), "links")
	for {
		d, err := c.ReceiveDatagram(ctx)
		if errors.Is(err, netlink.ErrOverrun) {
			if links, err = c.DumpAll(ctx, dumpLinks); err != nil {
				log.Fatal(err)
			}
			fmt.Println("resynchronised:", len(links), "links")
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		for m, err := range d.Messages() {
			if err != nil {
				log.Fatal(err)
			}
			fmt.Println("link change:", m.Header.Type)
		}
	}
}
