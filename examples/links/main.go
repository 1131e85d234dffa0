// Command links lists the network interfaces of the current network
// namespace, like `ip -brief link`, by dumping RTM_GETLINK over
// NETLINK_ROUTE:
//
//	go run ./examples/links
package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"os"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "links:", err)
		os.Exit(1)
	}
}

func run() error {
	c, err := netlink.Dial(uapi.NETLINK_ROUTE, nil)
	if err != nil {
		return err
	}
	defer c.Close()

	// A RTM_GETLINK dump carries a struct ifinfomsg; all zero asks for every
	// link of every family.
	req := netlink.Message{
		Header: netlink.Header{Type: uapi.RTM_GETLINK},
		Data:   make([]byte, uapi.SizeofIfInfomsg),
	}
	fmt.Printf("%-5s %-16s %-16s %6s  %s\n", "INDEX", "NAME", "STATE", "MTU", "ADDRESS")
	for m, err := range c.Dump(context.Background(), req) {
		if err != nil {
			return err
		}
		if err := printLink(m); err != nil {
			return err
		}
	}
	return nil
}

// printLink prints one RTM_NEWLINK message.
func printLink(m netlink.Message) error {
	if len(m.Data) < uapi.SizeofIfInfomsg {
		return fmt.Errorf("short RTM_NEWLINK message: %d bytes", len(m.Data))
	}
	index := int32(binary.NativeEndian.Uint32(m.Data[4:8]))
	var name, addr string
	var mtu uint32
	var oper uint8 // IF_OPER_UNKNOWN
	for a, err := range m.Attrs(uapi.SizeofIfInfomsg) {
		if err != nil {
			return err
		}
		switch a.Type {
		case uapi.IFLA_IFNAME:
			name = a.Str()
		case uapi.IFLA_MTU:
			if mtu, err = a.Uint32(); err != nil {
				return err
			}
		case uapi.IFLA_ADDRESS:
			addr = net.HardwareAddr(a.Data).String()
		case uapi.IFLA_OPERSTATE:
			if oper, err = a.Uint8(); err != nil {
				return err
			}
		}
	}
	fmt.Printf("%-5d %-16s %-16s %6d  %s\n", index, name, operStates[oper], mtu, addr)
	return nil
}

// operStates name the operational states (RFC 2863, IF_OPER_* in
// <linux/if.h>, which x/sys/unix lacks) as
// `ip -brief link` prints them: lo, which has no carrier to report, is
// UNKNOWN.
var operStates = [256]string{
	0: "UNKNOWN", 1: "NOTPRESENT", 2: "DOWN", 3: "LOWERLAYERDOWN", 4: "TESTING", 5: "DORMANT", 6: "UP",
}
