//go:build linux

package netlink_test

import (
	"encoding/binary"
	"fmt"
	"os"

	"github.com/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// Decode a link dump with AttrDecoder: the name, the MTU, and the kind of
// link from the IFLA_INFO_KIND nested in IFLA_LINKINFO. Errors wait for one
// check at the end of each message. testdata/rtm_newlink_dump.bin was
// recorded by internal/capture in a network namespace holding lo and a veth
// pair.
func ExampleAttrDecoder() {
	b, err := os.ReadFile("testdata/rtm_newlink_dump.bin")
	if err != nil {
		fmt.Println(err)
		return
	}
	for m, err := range netlink.Messages(b) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if m.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		var name, kind string
		var mtu uint32
		d := m.AttrDecoder(unix.SizeofIfInfomsg)
		for d.Next() {
			switch d.Type() {
			case unix.IFLA_IFNAME:
				name = d.String()
			case unix.IFLA_MTU:
				mtu = d.Uint32()
			case unix.IFLA_LINKINFO:
				outer := d.Enter()
				for d.Next() {
					if d.Type() == unix.IFLA_INFO_KIND {
						kind = d.String()
					}
				}
				d.Exit(outer)
			}
		}
		if err := d.Err(); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d %s mtu %d kind %q\n", binary.NativeEndian.Uint32(m.Data[4:8]), name, mtu, kind)
	}
	// Output:
	// 1 lo mtu 65536 kind ""
	// 2 veth1 mtu 1500 kind "veth"
	// 3 veth0 mtu 1500 kind "veth"
}

// A payload of the wrong size is the decoder's error: the getter returns
// zero, the walk stops, and Err says what was wrong.
func ExampleAttrDecoder_Err() {
	var e netlink.AttrEncoder
	e.Uint16(unix.IFLA_MTU, 1500) // a u16 where the kernel sends a u32
	e.String(unix.IFLA_IFNAME, "eth0")
	b, _ := e.Finish()

	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_MTU:
			fmt.Println("mtu", d.Uint32())
		case unix.IFLA_IFNAME:
			fmt.Println("name", d.String())
		}
	}
	fmt.Println(d.Err())
	// Output:
	// mtu 0
	// netlink: attribute 4 has 2 bytes, want 4: malformed netlink data
}
