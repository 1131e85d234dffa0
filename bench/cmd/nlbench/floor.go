package main

// The pure-Go floor: netlink by hand on golang.org/x/sys/unix, blocking
// system calls on a raw file descriptor, buffers allocated once. It is what
// no library can beat in Go, and it does none of a library's checks.

import (
	"encoding/binary"
	"log"

	"golang.org/x/sys/unix"
)

type floorConn struct {
	fd   int
	buf  []byte
	req  []byte
	seq  uint32
	port uint32
}

func floorDial(groups uint32) *floorConn {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	must(err)
	must(unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}))
	sa, err := unix.Getsockname(fd)
	must(err)
	return &floorConn{fd: fd, buf: make([]byte, 32<<10), port: sa.(*unix.SockaddrNetlink).Pid}
}

// request builds a message with the payload p into c.req.
func (c *floorConn) request(typ, flags uint16, p []byte) []byte {
	c.seq++
	b := c.req[:0]
	b = binary.NativeEndian.AppendUint32(b, uint32(unix.NLMSG_HDRLEN+len(p)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = binary.NativeEndian.AppendUint16(b, flags)
	b = binary.NativeEndian.AppendUint32(b, c.seq)
	b = binary.NativeEndian.AppendUint32(b, c.port)
	b = append(b, p...)
	c.req = b
	return b
}

func (c *floorConn) write(b []byte) {
	if _, err := unix.Write(c.fd, b); err != nil {
		log.Fatal(err)
	}
}

func (c *floorConn) read() []byte {
	n, err := unix.Read(c.fd, c.buf)
	if err != nil {
		log.Fatal(err)
	}
	return c.buf[:n]
}

func floorDump(c *floorConn) (int, uint64) {
	c.write(c.request(unix.RTM_GETROUTE, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, rtmsgV4))
	var acc routeAcc
	for !handDump(&acc, c.read()) {
	}
	return acc.count, acc.sum
}

// ifinfoLo is a struct ifinfomsg for index 1.
var ifinfoLo = []byte{unix.AF_UNSPEC, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

func floorGetLink(c *floorConn) bool {
	c.write(c.request(unix.RTM_GETLINK, unix.NLM_F_REQUEST, ifinfoLo))
	for {
		b := c.read()
		if binary.NativeEndian.Uint32(b[8:]) != c.seq {
			continue
		}
		return binary.NativeEndian.Uint16(b[4:]) == unix.RTM_NEWLINK && binary.NativeEndian.Uint32(b[20:]) == 1
	}
}

// floorInstall adds routes 0 to n-1, window requests per datagram, and
// reads each datagram's ACKs before sending the next.
func floorInstall(c *floorConn, n, window int) int {
	ok := 0
	var out, p []byte
	for i := 0; i < n; {
		out = out[:0]
		first := c.seq + 1
		for j := 0; j < window && i < n; j, i = j+1, i+1 {
			p = routePayload(p[:0], i)
			out = append(out, c.request(unix.RTM_NEWROUTE,
				unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL, p)...)
		}
		c.write(out)
		for acked := first; acked <= c.seq; {
			b := c.read()
			for len(b) >= unix.NLMSG_HDRLEN+4 {
				l := int(binary.NativeEndian.Uint32(b))
				if binary.NativeEndian.Uint16(b[4:]) == unix.NLMSG_ERROR {
					if binary.NativeEndian.Uint32(b[16:]) == 0 {
						ok++
					}
					acked++
				}
				l = (l + 3) &^ 3
				if l >= len(b) {
					break
				}
				b = b[l:]
			}
		}
	}
	return ok
}

// routePayload appends the rtmsg and attributes of the i-th route to add.
func routePayload(b []byte, i int) []byte {
	b = append(b, unix.AF_INET, 24, 0, 0, unix.RT_TABLE_MAIN, unix.RTPROT_BOOT, unix.RT_SCOPE_UNIVERSE, unix.RTN_UNICAST, 0, 0, 0, 0)
	d, g := routeDst(i).Addr().As4(), gateway.As4()
	b = binary.NativeEndian.AppendUint16(b, 8)
	b = binary.NativeEndian.AppendUint16(b, unix.RTA_DST)
	b = append(b, d[:]...)
	b = binary.NativeEndian.AppendUint16(b, 8)
	b = binary.NativeEndian.AppendUint16(b, unix.RTA_GATEWAY)
	return append(b, g[:]...)
}
