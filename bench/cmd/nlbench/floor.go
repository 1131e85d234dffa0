package main

// The pure-Go floor: netlink by hand on golang.org/x/sys/unix, blocking
// system calls on a raw file descriptor (sendto to the kernel, read(2)),
// buffers allocated once. It does the work the library does on the same
// bytes (it checks lengths, sequence numbers and errors, and decodes the
// same values) but nothing else: no poller, no deadlines, no routing of
// replies between goroutines. It reads no sender address: its socket is
// connected to the kernel's port, so the kernel refuses unicast from any
// other port (netlink_getsockbyportid), the check the library makes on
// each datagram's sender.

import (
	"bytes"
	"encoding/binary"
	"log"

	"golang.org/x/sys/unix"
)

type floorConn struct {
	fd     int
	buf    []byte
	req    []byte
	seq    uint32
	port   uint32
	kernel *unix.SockaddrNetlink
}

func floorDial(groups uint32) *floorConn { return floorDialProto(unix.NETLINK_ROUTE, groups) }

func floorDialProto(proto int, groups uint32) *floorConn {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	must(err)
	must(unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}))
	kernel := &unix.SockaddrNetlink{Family: unix.AF_NETLINK}
	must(unix.Connect(fd, kernel))
	sa, err := unix.Getsockname(fd)
	must(err)
	return &floorConn{fd: fd, buf: make([]byte, 32<<10), port: sa.(*unix.SockaddrNetlink).Pid, kernel: kernel}
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

func (c *floorConn) send(b []byte) {
	if err := unix.Sendto(c.fd, b, 0, c.kernel); err != nil {
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
	c.send(c.request(unix.RTM_GETROUTE, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, rtmsgV4))
	var acc routeAcc
	for !handDump(&acc, c.read(), c.seq, c.port) {
	}
	return acc.count, acc.sum
}

// ifinfoLo is a struct ifinfomsg for index 1.
var ifinfoLo = []byte{unix.AF_UNSPEC, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

// floorGetLink asks for lo, reads datagrams until the reply to this
// request, and decodes its index, name and MTU.
func floorGetLink(c *floorConn, acc *linkAcc) {
	c.send(c.request(unix.RTM_GETLINK, unix.NLM_F_REQUEST, ifinfoLo))
	for {
		b := c.read()
		if len(b) < unix.NLMSG_HDRLEN {
			log.Fatal("short datagram")
		}
		l := int(binary.NativeEndian.Uint32(b))
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			log.Fatal("malformed message")
		}
		if binary.NativeEndian.Uint32(b[8:]) != c.seq {
			continue // a late reply to an earlier request
		}
		switch binary.NativeEndian.Uint16(b[4:]) {
		case unix.NLMSG_ERROR:
			if l < unix.NLMSG_HDRLEN+4 {
				log.Fatal("malformed NLMSG_ERROR")
			}
			log.Fatalf("getlink: %v", unix.Errno(-int32(binary.NativeEndian.Uint32(b[16:]))))
		case unix.RTM_NEWLINK:
			acc.add(handLink(b[unix.NLMSG_HDRLEN:l]))
			return
		}
		log.Fatal("getlink: unexpected reply")
	}
}

// handLink decodes an RTM_NEWLINK payload's index, name and MTU, checking
// every length; the name is a view into p, without its NUL.
func handLink(p []byte) (index int32, name []byte, mtu uint32) {
	if len(p) < unix.SizeofIfInfomsg {
		log.Fatal("short ifinfomsg")
	}
	index = int32(binary.NativeEndian.Uint32(p[4:]))
	for b := p[unix.SizeofIfInfomsg:]; len(b) > 0; {
		if len(b) < 4 {
			log.Fatal("malformed attribute")
		}
		l := int(binary.NativeEndian.Uint16(b))
		if l < 4 || l > len(b) {
			log.Fatal("malformed attribute")
		}
		v := b[4:l]
		switch binary.NativeEndian.Uint16(b[2:]) & 0x3fff {
		case unix.IFLA_IFNAME:
			name = trimNUL(v)
		case unix.IFLA_MTU:
			if len(v) != 4 {
				log.Fatal("malformed IFLA_MTU")
			}
			mtu = binary.NativeEndian.Uint32(v)
		}
		l = (l + 3) &^ 3
		if l >= len(b) {
			break
		}
		b = b[l:]
	}
	return index, name, mtu
}

// trimNUL drops a string attribute's terminating NUL, if it has one.
func trimNUL(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// floorInstall adds routes 0 to n-1, window requests per datagram, and
// reads each datagram's ACKs, checking their sequence numbers, before
// sending the next, as Batch does.
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
		c.send(out)
		for left := c.seq - first + 1; left > 0; {
			b := c.read()
			for len(b) > 0 {
				if len(b) < unix.NLMSG_HDRLEN {
					log.Fatal("malformed message")
				}
				l := int(binary.NativeEndian.Uint32(b))
				if l < unix.NLMSG_HDRLEN || l > len(b) {
					log.Fatal("malformed message")
				}
				seq := binary.NativeEndian.Uint32(b[8:])
				if binary.NativeEndian.Uint16(b[4:]) == unix.NLMSG_ERROR && seq-first < uint32(window) {
					if l < unix.NLMSG_HDRLEN+4 {
						log.Fatal("malformed NLMSG_ERROR")
					}
					if binary.NativeEndian.Uint32(b[16:]) == 0 {
						ok++
					}
					left--
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

// floorInstallOne adds routes 0 to n-1 one at a time: sendto, then read
// the ACK, as Execute does for each.
func floorInstallOne(c *floorConn, n int) int {
	ok := 0
	var p []byte
	for i := range n {
		p = routePayload(p[:0], i)
		c.send(c.request(unix.RTM_NEWROUTE,
			unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL, p))
		for {
			b := c.read()
			if len(b) < unix.NLMSG_HDRLEN+4 {
				log.Fatal("short datagram")
			}
			l := int(binary.NativeEndian.Uint32(b))
			if l < unix.NLMSG_HDRLEN+4 || l > len(b) {
				log.Fatal("malformed message")
			}
			if binary.NativeEndian.Uint32(b[8:]) != c.seq || binary.NativeEndian.Uint16(b[4:]) != unix.NLMSG_ERROR {
				continue
			}
			if binary.NativeEndian.Uint32(b[16:]) == 0 {
				ok++
			}
			break
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
