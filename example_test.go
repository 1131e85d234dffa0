//go:build linux

package netlink_test

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"

	"github.com/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// The byte dumps below are those of a little-endian machine such as x86-64.

// Build an RTM_GETLINK request for the interface named "lo": a struct
// ifinfomsg family header, then an IFLA_IFNAME attribute.
func ExampleAppendMessage() {
	// struct ifinfomsg: ifi_family = AF_UNSPEC, ifi_index = 1, the rest 0.
	payload := make([]byte, unix.SizeofIfInfomsg)
	payload[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(payload[4:8], 1)

	// The attributes follow the family header in the same buffer.
	e := netlink.NewAttrEncoder(payload)
	e.String(unix.IFLA_IFNAME, "lo")
	payload, err := e.Finish()
	if err != nil {
		fmt.Println(err)
		return
	}

	req := netlink.AppendMessage(nil, netlink.Header{
		Type:     unix.RTM_GETLINK,
		Flags:    netlink.Request | netlink.Acknowledge,
		Sequence: 1,
	}, payload)
	fmt.Printf("nlmsghdr:  % x\n", req[:netlink.HeaderLen])
	fmt.Printf("ifinfomsg: % x\n", req[netlink.HeaderLen:netlink.HeaderLen+unix.SizeofIfInfomsg])
	fmt.Printf("attrs:     % x\n", req[netlink.HeaderLen+unix.SizeofIfInfomsg:])
	// Output:
	// nlmsghdr:  28 00 00 00 12 00 05 00 01 00 00 00 00 00 00 00
	// ifinfomsg: 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00
	// attrs:     07 00 03 00 6c 6f 00 00
}

// Build a message in place: the header, the family header and the
// attributes go straight into one reusable buffer, and SetLength fills in
// nlmsg_len at the end.
func ExampleSetLength() {
	buf := make([]byte, 0, 256) // reused from request to request

	b := netlink.AppendHeader(buf[:0], netlink.Header{
		Type:  unix.RTM_NEWADDR,
		Flags: netlink.Request | netlink.Acknowledge | netlink.Create | netlink.Excl,
	})
	// struct ifaddrmsg: AF_INET, prefix length 24, flags, scope, ifindex 2.
	b = append(b, unix.AF_INET, 24, 0, unix.RT_SCOPE_UNIVERSE)
	b = binary.NativeEndian.AppendUint32(b, 2)
	e := netlink.NewAttrEncoder(b)
	e.Bytes(unix.IFA_LOCAL, net.IPv4(192, 0, 2, 1).To4())
	e.Bytes(unix.IFA_ADDRESS, net.IPv4(192, 0, 2, 1).To4())
	b, err := e.Finish()
	if err != nil {
		fmt.Println(err)
		return
	}
	b = netlink.SetLength(b, 0)

	for m, err := range netlink.Messages(b) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.Header.Length, len(b), m.Header.Flags.Format(netlink.KindNew))
	}
	// Output:
	// 40 40 REQUEST|ACK|EXCL|CREATE
}

// Nested attributes: Nest returns where the nest starts, End sets its length
// and Cancel drops it with everything in it.
func ExampleAttrEncoder_Nest() {
	var e netlink.AttrEncoder
	info := e.Nest(unix.IFLA_LINKINFO)
	e.String(unix.IFLA_INFO_KIND, "veth")
	data := e.Nest(unix.IFLA_INFO_DATA)
	e.Flag(1)
	e.Cancel(data) // changed our mind: no IFLA_INFO_DATA
	e.End(info)
	b, err := e.Finish()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% x\n", b)
	for a := range netlink.Attrs(b) {
		fmt.Println("type", a.Type, "nested", a.Nested, "length", len(a.Data))
		for c := range a.Attrs() {
			fmt.Printf("  type %d: %q\n", c.Type, c.Str())
		}
	}
	// Output:
	// 10 00 12 80 09 00 01 00 76 65 74 68 00 00 00 00
	// type 18 nested true length 12
	//   type 1: "veth"
}

// Parse an RTM_NEWLINK message: skip the struct ifinfomsg family header and
// read the attributes.
func ExampleMessage_Attrs() {
	msg := []byte{
		// struct nlmsghdr: length 72, RTM_NEWLINK, NLM_F_MULTI, seq 1, port 1234
		72, 0, 0, 0, 16, 0, 2, 0, 1, 0, 0, 0, 0xd2, 0x04, 0, 0,
		// struct ifinfomsg: AF_UNSPEC, ARPHRD_ETHER, index 3, IFF_UP|IFF_BROADCAST|IFF_RUNNING|IFF_MULTICAST|IFF_LOWER_UP
		0, 0, 1, 0, 3, 0, 0, 0, 0x43, 0x10, 0x01, 0, 0, 0, 0, 0,
		// IFLA_IFNAME "veth0"
		10, 0, 3, 0, 'v', 'e', 't', 'h', '0', 0, 0, 0,
		// IFLA_MTU 1500
		8, 0, 4, 0, 0xdc, 0x05, 0, 0,
		// IFLA_ADDRESS 02:00:5e:10:00:01
		10, 0, 1, 0, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, 0, 0,
		// IFLA_OPERSTATE IF_OPER_UP
		5, 0, 16, 0, 6, 0, 0, 0,
	}
	for m, err := range netlink.Messages(msg) {
		if err != nil {
			fmt.Println(err)
			return
		}
		index := int32(binary.NativeEndian.Uint32(m.Data[4:8]))
		for a, err := range m.Attrs(unix.SizeofIfInfomsg) {
			if err != nil {
				fmt.Println(err)
				return
			}
			switch a.Type {
			case unix.IFLA_IFNAME:
				fmt.Println("index", index, "name", a.Str())
			case unix.IFLA_MTU:
				mtu, err := a.Uint32()
				if err != nil {
					fmt.Println(err)
					return
				}
				fmt.Println("mtu", mtu)
			case unix.IFLA_ADDRESS:
				fmt.Println("address", net.HardwareAddr(a.Data))
			}
		}
	}
	// Output:
	// index 3 name veth0
	// mtu 1500
	// address 02:00:5e:10:00:01
}

// Walk a dump reply as the kernel sent it, datagrams back to back, up to
// NLMSG_DONE. testdata/rtm_newlink_dump.bin was recorded by internal/capture
// in a network namespace holding lo and a veth pair.
func ExampleMessages() {
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
		if m.Header.Type == netlink.TypeDone {
			fmt.Println("done:", m.Header.Flags)
			break
		}
		var name string
		var mtu uint32
		for a, err := range m.Attrs(unix.SizeofIfInfomsg) {
			if err != nil {
				fmt.Println(err)
				return
			}
			switch a.Type {
			case unix.IFLA_IFNAME:
				name = a.Str()
			case unix.IFLA_MTU:
				mtu, _ = a.Uint32()
			}
		}
		fmt.Printf("%d %s mtu %d\n", binary.NativeEndian.Uint32(m.Data[4:8]), name, mtu)
	}
	// Output:
	// 1 lo mtu 65536
	// 2 veth1 mtu 1500
	// 3 veth0 mtu 1500
	// done: MULTI
}

func ExampleHeaderFlags_Format() {
	f := netlink.Request | netlink.Acknowledge | netlink.Create | netlink.Excl
	fmt.Println(f.Format(netlink.KindNew))
	fmt.Println(f) // the modifier bits named in every way they can be read
	fmt.Println((netlink.Request | netlink.Dump).Format(netlink.KindGet))
	fmt.Println((netlink.Capped | netlink.AckTLVs).Format(netlink.KindAck))
	// Output:
	// REQUEST|ACK|EXCL|CREATE
	// REQUEST|ACK|MATCH/EXCL|ATOMIC/CREATE
	// REQUEST|DUMP
	// CAPPED|ACK_TLVS
}
