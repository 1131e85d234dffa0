package main

import (
	"encoding/binary"
	"log"
	"net/netip"

	"golang.org/x/sys/unix"
)

// The kernel workloads run in a namespace that run.sh prepares: a veth
// link d0 with 10.0.0.1/16, and routes 20.x.y.0/24 via 10.0.0.2 in the main
// table. Every implementation decodes each route into the same values: its
// destination as a netip.Prefix, its output link and its table. A dump is
// checked by counting the IPv4 /24 routes of the main table and summing
// their destination and output link, an order-free checksum.

// routeAcc accumulates the checked values of a route dump.
type routeAcc struct {
	count int
	sum   uint64
}

func (a *routeAcc) add(dst netip.Prefix, oif, table uint32) {
	if dst.Addr().Is4() && dst.Bits() == 24 && table == unix.RT_TABLE_MAIN {
		a.count++
		a.sum += uint64(addr4(dst.Addr()))<<16 + uint64(oif)
	}
}

// rtmsgV4 is a struct rtmsg asking for IPv4 routes.
var rtmsgV4 = []byte{unix.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

// routePrefix is a route's destination as every implementation builds it:
// the address of RTA_DST, or the family's unspecified address for a route
// without one (a default route), with rtm_dst_len bits.
func routePrefix(family uint8, a netip.Addr, bits uint8) netip.Prefix {
	if !a.IsValid() {
		if family == unix.AF_INET6 {
			a = netip.IPv6Unspecified()
		} else {
			a = netip.IPv4Unspecified()
		}
	}
	return netip.PrefixFrom(a, int(bits))
}

// handRoute decodes one RTM_NEWROUTE payload (rtmsg and attributes) with
// encoding/binary alone: the pure-Go floor's decoder. It checks every
// length a safe decoder checks (the rtmsg, each attribute's header and
// bounds, the size of each value it reads) and builds the values the
// libraries build: a netip.Prefix, the output link and the table.
func handRoute(p []byte) (dst netip.Prefix, oif, table uint32) {
	if len(p) < unix.SizeofRtMsg {
		log.Fatal("short rtmsg")
	}
	table = uint32(p[4])
	var a netip.Addr
	for b := p[unix.SizeofRtMsg:]; len(b) > 0; {
		if len(b) < 4 {
			log.Fatal("malformed attribute")
		}
		l := int(binary.NativeEndian.Uint16(b))
		if l < 4 || l > len(b) {
			log.Fatal("malformed attribute")
		}
		v := b[4:l]
		switch binary.NativeEndian.Uint16(b[2:]) & 0x3fff {
		case unix.RTA_TABLE:
			if len(v) != 4 {
				log.Fatal("malformed RTA_TABLE")
			}
			table = binary.NativeEndian.Uint32(v)
		case unix.RTA_DST:
			switch len(v) {
			case 4:
				a = netip.AddrFrom4([4]byte(v))
			case 16:
				a = netip.AddrFrom16([16]byte(v))
			default:
				log.Fatal("malformed RTA_DST")
			}
		case unix.RTA_OIF:
			if len(v) != 4 {
				log.Fatal("malformed RTA_OIF")
			}
			oif = binary.NativeEndian.Uint32(v)
		}
		l = (l + 3) &^ 3
		if l >= len(b) {
			break
		}
		b = b[l:]
	}
	return routePrefix(p[0], a, p[1]), oif, table
}

// handDump walks the messages of one datagram of a dump by hand, checking
// what a library checks (lengths, the sequence number and port of each
// message, NLMSG_ERROR, NLM_F_DUMP_INTR); it reports whether the dump's
// NLMSG_DONE was in it.
func handDump(acc *routeAcc, b []byte, seq, port uint32) (done bool) {
	for len(b) > 0 {
		if len(b) < unix.NLMSG_HDRLEN {
			log.Fatal("malformed message")
		}
		l := int(binary.NativeEndian.Uint32(b))
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			log.Fatal("malformed message")
		}
		if binary.NativeEndian.Uint32(b[8:]) != seq || binary.NativeEndian.Uint32(b[12:]) != port {
			log.Fatal("dump: a message of another exchange")
		}
		if binary.NativeEndian.Uint16(b[6:])&unix.NLM_F_DUMP_INTR != 0 {
			log.Fatal("dump interrupted")
		}
		switch binary.NativeEndian.Uint16(b[4:]) {
		case unix.NLMSG_DONE:
			return true
		case unix.NLMSG_ERROR:
			if l < unix.NLMSG_HDRLEN+4 {
				log.Fatal("malformed NLMSG_ERROR")
			}
			if e := int32(binary.NativeEndian.Uint32(b[16:])); e != 0 {
				log.Fatalf("dump: %v", unix.Errno(-e))
			}
		case unix.RTM_NEWROUTE:
			acc.add(handRoute(b[unix.NLMSG_HDRLEN:l]))
		}
		l = (l + 3) &^ 3
		if l >= len(b) {
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
