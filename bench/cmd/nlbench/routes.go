package main

import (
	"encoding/binary"
	"log"
	"net/netip"

	"golang.org/x/sys/unix"
)

// The kernel workloads run in a namespace that run.sh prepares: a dummy
// link d0 with 10.0.0.1/16, and routes 20.x.y.0/24 via 10.0.0.2 in the main
// table. A dump is checked by counting the IPv4 /24 routes of the main table
// and summing their destination and output link, an order-free checksum.

// routeAcc accumulates the checked values of a route dump.
type routeAcc struct {
	count int
	sum   uint64
}

func (a *routeAcc) add(family, dstLen uint8, table, dst, oif uint32) {
	if family == unix.AF_INET && dstLen == 24 && table == unix.RT_TABLE_MAIN {
		a.count++
		a.sum += uint64(dst)<<16 + uint64(oif)
	}
}

// rtmsgV4 is a struct rtmsg asking for IPv4 routes.
var rtmsgV4 = []byte{unix.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

// handRoute decodes one RTM_NEWROUTE payload (rtmsg and attributes) with
// encoding/binary alone: the pure-Go floor's decoder.
func handRoute(acc *routeAcc, p []byte) {
	if len(p) < unix.SizeofRtMsg {
		log.Fatal("short rtmsg")
	}
	table, dst, oif := uint32(p[4]), uint32(0), uint32(0)
	for b := p[unix.SizeofRtMsg:]; len(b) >= 4; {
		l := int(binary.NativeEndian.Uint16(b))
		if l < 4 || l > len(b) {
			log.Fatal("malformed attribute")
		}
		// Every length a safe decoder checks, and nothing more: a
		// payload of another size is malformed, not read past.
		v := b[4:l]
		switch binary.NativeEndian.Uint16(b[2:]) & 0x3fff {
		case unix.RTA_TABLE:
			if len(v) != 4 {
				log.Fatal("malformed RTA_TABLE")
			}
			table = binary.NativeEndian.Uint32(v)
		case unix.RTA_DST:
			if len(v) == 4 {
				dst = binary.BigEndian.Uint32(v)
			}
		case unix.RTA_OIF:
			if len(v) != 4 {
				log.Fatal("malformed RTA_OIF")
			}
			oif = binary.NativeEndian.Uint32(v)
		}
		l = (l + 3) &^ 3
		if l > len(b) {
			break
		}
		b = b[l:]
	}
	acc.add(p[0], p[1], table, dst, oif)
}

// handDump walks the messages of one datagram by hand; it reports whether
// the dump's NLMSG_DONE was in it.
func handDump(acc *routeAcc, b []byte) (done bool) {
	for len(b) >= unix.NLMSG_HDRLEN {
		l := int(binary.NativeEndian.Uint32(b))
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			log.Fatal("malformed message")
		}
		switch binary.NativeEndian.Uint16(b[4:]) {
		case unix.NLMSG_DONE:
			return true
		case unix.NLMSG_ERROR:
			if e := int32(binary.NativeEndian.Uint32(b[16:])); e != 0 {
				log.Fatalf("dump: %v", unix.Errno(-e))
			}
		case unix.RTM_NEWROUTE:
			handRoute(acc, b[unix.NLMSG_HDRLEN:l])
		}
		l = (l + 3) &^ 3
		if l > len(b) {
			break
		}
		b = b[l:]
	}
	return false
}

func addr4(a netip.Addr) uint32 {
	v := a.As4()
	return binary.BigEndian.Uint32(v[:])
}

// routeDst is the i-th route the install workload adds: 20.0.0.0/24 on.
func routeDst(i int) netip.Prefix {
	a := 20<<24 + uint32(i)<<8
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), 0}), 24)
}

var gateway = netip.AddrFrom4([4]byte{10, 0, 0, 2})
