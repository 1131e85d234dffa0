package netlink

import (
	"encoding/binary"
	"io"
	"time"
)

// The pcap file format (https://www.tcpdump.org/manpages/pcap-savefile.5.html)
// with link type LINKTYPE_NETLINK, as Linux's nlmon device captures: each
// datagram follows a 16-byte header shaped as LINKTYPE_LINUX_SLL's, whose
// last field is the netlink protocol.
const (
	pcapMagic       = 0xa1b2c3d4 // microsecond timestamps, in the writer's byte order
	pcapSnapLen     = 1 << 18
	linkTypeNetlink = 253
	arphrdNetlink   = 824 // ARPHRD_NETLINK
	packetHost      = 0   // PACKET_HOST: to this socket
	packetOutgoing  = 4   // PACKET_OUTGOING: sent by it
	cookedLen       = 16
)

// pcapWriter writes a pcap file, its header before the first record.
type pcapWriter struct {
	w       io.Writer
	started bool
	buf     []byte
}

func (p *pcapWriter) write(t time.Time, proto int, sent bool, b []byte) {
	buf := p.buf[:0]
	if !p.started {
		p.started = true
		buf = binary.NativeEndian.AppendUint32(buf, pcapMagic)
		buf = binary.NativeEndian.AppendUint16(buf, 2) // version 2.4
		buf = binary.NativeEndian.AppendUint16(buf, 4)
		buf = binary.NativeEndian.AppendUint32(buf, 0) // time zone
		buf = binary.NativeEndian.AppendUint32(buf, 0) // accuracy
		buf = binary.NativeEndian.AppendUint32(buf, pcapSnapLen)
		buf = binary.NativeEndian.AppendUint32(buf, linkTypeNetlink)
	}
	n := cookedLen + len(b)
	kept := min(n, pcapSnapLen)
	us := t.UnixMicro()
	buf = binary.NativeEndian.AppendUint32(buf, uint32(us/1e6))
	buf = binary.NativeEndian.AppendUint32(buf, uint32(us%1e6))
	buf = binary.NativeEndian.AppendUint32(buf, uint32(kept))
	buf = binary.NativeEndian.AppendUint32(buf, uint32(n))
	dir := uint16(packetHost)
	if sent {
		dir = packetOutgoing
	}
	// The cooked header is big-endian, as LINKTYPE_LINUX_SLL's.
	buf = binary.BigEndian.AppendUint16(buf, dir)
	buf = binary.BigEndian.AppendUint16(buf, arphrdNetlink)
	buf = binary.BigEndian.AppendUint16(buf, 0) // no link-layer address
	buf = append(buf, 0, 0, 0, 0, 0, 0, 0, 0)
	buf = binary.BigEndian.AppendUint16(buf, uint16(proto))
	buf = append(buf, b[:kept-cookedLen]...)
	p.buf = buf
	p.w.Write(buf)
}
