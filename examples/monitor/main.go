// Command monitor prints link, address and route changes as the kernel
// announces them on NETLINK_ROUTE multicast groups, like `ip monitor`:
//
//	go run ./examples/monitor
//
// When the socket's receive queue overflows, notifications are lost; the
// program says so, and a real one would dump the tables again.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "monitor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	c, err := netlink.Dial(uapi.NETLINK_ROUTE, &netlink.Config{Groups: []uint32{
		uapi.RTNLGRP_LINK,
		uapi.RTNLGRP_IPV4_IFADDR, uapi.RTNLGRP_IPV6_IFADDR,
		uapi.RTNLGRP_IPV4_ROUTE, uapi.RTNLGRP_IPV6_ROUTE,
	}})
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Println("listening for link, address and route changes; ^C to stop")
	for {
		d, err := c.ReceiveDatagram(ctx)
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Println("notifications were lost: dump the tables again to resynchronise")
			continue
		}
		if err != nil {
			return err
		}
		for m, err := range d.Messages() {
			if err != nil {
				return err
			}
			fmt.Printf("group %-2d %-12s %v\n", d.Group, typeName(m.Header.Type), describe(m))
		}
	}
}

// typeName names the rtnetlink message types this program subscribes to.
func typeName(t netlink.HeaderType) string {
	switch t {
	case uapi.RTM_NEWLINK:
		return "NEWLINK"
	case uapi.RTM_DELLINK:
		return "DELLINK"
	case uapi.RTM_NEWADDR:
		return "NEWADDR"
	case uapi.RTM_DELADDR:
		return "DELADDR"
	case uapi.RTM_NEWROUTE:
		return "NEWROUTE"
	case uapi.RTM_DELROUTE:
		return "DELROUTE"
	}
	return t.String()
}

// describe picks the attribute that names what changed: the link's name, the
// address, or the route's destination.
func describe(m netlink.Message) string {
	fixed, want := 0, uint16(0)
	switch m.Header.Type {
	case uapi.RTM_NEWLINK, uapi.RTM_DELLINK:
		fixed, want = uapi.SizeofIfInfomsg, uapi.IFLA_IFNAME
	case uapi.RTM_NEWADDR, uapi.RTM_DELADDR:
		fixed, want = uapi.SizeofIfAddrmsg, uapi.IFA_ADDRESS
	case uapi.RTM_NEWROUTE, uapi.RTM_DELROUTE:
		fixed, want = uapi.SizeofRtMsg, uapi.RTA_DST
	default:
		return ""
	}
	for a, err := range m.Attrs(fixed) {
		if err != nil {
			return err.Error()
		}
		if a.Type != want {
			continue
		}
		if want == uapi.IFLA_IFNAME {
			return a.Str()
		}
		if ip, err := a.Addr(); err == nil {
			return ip.String()
		}
	}
	return "(default)"
}
