//go:build linux

// Command genl lists the generic netlink families the kernel offers, with
// their IDs and multicast groups, like `genl ctrl list`, by dumping
// CTRL_CMD_GETFAMILY from the nlctrl family over NETLINK_GENERIC:
//
//	go run ./examples/genl
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/nlkit/netlink"
	"golang.org/x/sys/unix"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "genl:", err)
		os.Exit(1)
	}
}

func run() error {
	c, err := netlink.Dial(unix.NETLINK_GENERIC, nil)
	if err != nil {
		return err
	}
	defer c.Close()

	// struct genlmsghdr: cmd, version, reserved.
	req := netlink.Message{
		Header: netlink.Header{Type: unix.GENL_ID_CTRL},
		Data:   []byte{unix.CTRL_CMD_GETFAMILY, 1, 0, 0},
	}
	fmt.Printf("%-5s %-20s %s\n", "ID", "FAMILY", "MULTICAST GROUPS")
	for m, err := range c.Dump(context.Background(), req) {
		if err != nil {
			return err
		}
		var id uint16
		var name string
		var groups []string
		for a, err := range m.Attrs(unix.GENL_HDRLEN) {
			if err != nil {
				return err
			}
			switch a.Type {
			case unix.CTRL_ATTR_FAMILY_ID:
				if id, err = a.Uint16(); err != nil {
					return err
				}
			case unix.CTRL_ATTR_FAMILY_NAME:
				name = a.Str()
			case unix.CTRL_ATTR_MCAST_GROUPS:
				if groups, err = groupNames(a); err != nil {
					return err
				}
			}
		}
		fmt.Printf("%-5d %-20s %s\n", id, name, strings.Join(groups, " "))
	}
	return nil
}

// groupNames reads CTRL_ATTR_MCAST_GROUPS: a nest of nests, one per group,
// each with a name and an ID.
func groupNames(groups netlink.Attr) ([]string, error) {
	var names []string
	for g, err := range groups.Attrs() {
		if err != nil {
			return nil, err
		}
		var name string
		var id uint32
		for a, err := range g.Attrs() {
			if err != nil {
				return nil, err
			}
			switch a.Type {
			case unix.CTRL_ATTR_MCAST_GRP_NAME:
				name = a.Str()
			case unix.CTRL_ATTR_MCAST_GRP_ID:
				if id, err = a.Uint32(); err != nil {
					return nil, err
				}
			}
		}
		names = append(names, fmt.Sprintf("%s(%d)", name, id))
	}
	return names, nil
}
