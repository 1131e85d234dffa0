//go:build linux

package netlink_test

import (
	"encoding/binary"
	"fmt"
	"net/netip"
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

// Decode the main table of a route dump with MessageDecoder and AttrDecoder, the loop form of
// Messages: no closures, and nothing that allocates. Errors wait for one check
// per message and one at the end. testdata/rtm_newroute_dump.bin was recorded
// by internal/capture in the namespace of ExampleAttrDecoder.
func ExampleMessageDecoder() {
	b, err := os.ReadFile("testdata/rtm_newroute_dump.bin")
	if err != nil {
		fmt.Println(err)
		return
	}
	md := netlink.NewMessageDecoder(b)
	for md.Next() {
		if md.Type() != unix.RTM_NEWROUTE {
			continue
		}
		rtm := md.Data() // struct rtmsg, then the attributes
		if len(rtm) < unix.SizeofRtMsg {
			fmt.Println("short rtmsg")
			return
		}
		table := uint32(rtm[4])
		var dst netip.Addr
		var oif uint32
		d := md.AttrDecoder(unix.SizeofRtMsg)
		for d.Next() {
			switch d.Type() {
			case unix.RTA_DST:
				dst = d.Addr()
			case unix.RTA_OIF:
				oif = d.Uint32()
			case unix.RTA_TABLE:
				table = d.Uint32()
			}
		}
		if err := d.Err(); err != nil {
			fmt.Println(err)
			return
		}
		if table == unix.RT_TABLE_MAIN {
			fmt.Printf("%v dev %d\n", netip.PrefixFrom(dst, int(rtm[1])), oif)
		}
	}
	if err := md.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 10.99.0.0/24 dev 3
	// 10.99.1.0/24 dev 3
	// 10.99.2.0/24 dev 3
	// fd00:99::/64 dev 3
	// fd00:99:1::/48 dev 3
	// fd00:99:2::/48 dev 3
	// fe80::/64 dev 2
	// fe80::/64 dev 3
}
