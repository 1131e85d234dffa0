//go:build linux

package conntrack_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/netfilter/conntrack"
	"golang.org/x/sys/unix"
)

// The tests of this file make the kernel fill the parts of an entry that
// its extensions own (the SYN proxy's state, sequence adjustments, a
// helper set by a rule, labels, SCTP's and DCCP's state, GRE's keys, the
// security context), each from real packets where the host can make
// them, and check what Flows decodes against conntrack -L and, for what
// conntrack does not print, against the packets on the wire.

// barePair is two namespaces joined by a veth pair, with no ruleset: a
// (198.18.0.1 on va) and b (198.18.0.2 on vb). The kernel tracks the
// connections of a namespace only once a rule there needs it (see
// trackIn).
func barePair(t *testing.T) *pair {
	t.Helper()
	needTool(t, "nft")
	needTool(t, "conntrack")
	p := &pair{a: nstest.New(t), b: nstest.New(t)}
	p.a.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", p.b.Name)
	p.a.Batch(t, []string{"addr add 198.18.0.1/24 dev va", "link set va up"})
	p.b.Batch(t, []string{"addr add 198.18.0.2/24 dev vb", "link set vb up"})
	steadyTimeouts(t, p.a)
	steadyTimeouts(t, p.b)
	return p
}

// steadyTimeouts gives TCP entries of ns with data not yet acknowledged
// the timeout of the others, so that a listing does not see an
// entry's timeout rise when a delayed ACK comes (compareWithTool checks
// that timeouts count down).
func steadyTimeouts(t *testing.T, ns *nstest.NS) {
	t.Helper()
	// A request to ctnetlink loads the modules a distribution kernel
	// keeps apart (nf_conntrack_netlink, nf_conntrack), whose sysctls
	// these are.
	for _, err := range dialCT(t, ns).Flows(testCtx(t), conntrack.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	inNSRun(t, ns, "sh", "-c", "sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_unacknowledged=$(sysctl -n net.netfilter.nf_conntrack_tcp_timeout_established)")
}

// trackIn makes the kernel track ns's connections: a rule that counts
// new ones.
func trackIn(t *testing.T, ns *nstest.NS) {
	t.Helper()
	nftIn(t, ns, "table inet track { chain out { type filter hook output priority filter; ct state new counter; }\n}")
}

// sniffer holds the IPv4 packets one link of a namespace sent and
// received since it was opened (an AF_PACKET socket). Packets are queued
// on it as they cross the link, before the other end sees them, so once
// an exchange is over its packets are all there.
type sniffer struct{ fd int }

func sniff(t *testing.T, ns *nstest.NS, dev string) *sniffer {
	t.Helper()
	s := &sniffer{fd: -1}
	inNS(t, ns, func() {
		ifi, err := net.InterfaceByName(dev)
		if err != nil {
			t.Error(err)
			return
		}
		// ETH_P_ALL: a socket of one protocol sees only what comes in.
		proto := htons(unix.ETH_P_ALL)
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, int(proto))
		if err != nil {
			t.Error(err)
			return
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: proto, Ifindex: ifi.Index}); err != nil {
			unix.Close(fd)
			t.Error(err)
			return
		}
		s.fd = fd
	})
	if s.fd < 0 {
		t.FailNow()
	}
	t.Cleanup(func() { unix.Close(s.fd) })
	return s
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// packets returns the packets queued so far, without waiting.
func (s *sniffer) packets(t *testing.T) [][]byte {
	t.Helper()
	var ps [][]byte
	buf := make([]byte, 65536)
	for {
		n, from, err := unix.Recvfrom(s.fd, buf, unix.MSG_DONTWAIT)
		if err == unix.EAGAIN {
			return ps
		}
		if err != nil {
			t.Fatal(err)
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && ll.Protocol == htons(unix.ETH_P_IP) {
			ps = append(ps, bytes.Clone(buf[:n]))
		}
	}
}

// tcpSeg is what the tests read of a TCP segment in an IPv4 packet.
type tcpSeg struct {
	src, dst     netip.AddrPort
	seq, ack     uint32
	flags        uint8
	tsval, tsecr uint32
	hasTS        bool
	payload      []byte
}

const (
	tcpSYN = 0x02
	tcpACK = 0x10
)

// parseTCP reads p as an IPv4 packet holding a TCP segment.
func parseTCP(p []byte) (tcpSeg, bool) {
	if len(p) < 20 || p[0]>>4 != 4 || p[9] != unix.IPPROTO_TCP {
		return tcpSeg{}, false
	}
	ihl := int(p[0]&0xf) * 4
	total := int(binary.BigEndian.Uint16(p[2:]))
	if total > len(p) || ihl+20 > total {
		return tcpSeg{}, false
	}
	src, _ := netip.AddrFromSlice(p[12:16])
	dst, _ := netip.AddrFromSlice(p[16:20])
	h := p[ihl:total]
	doff := int(h[12]>>4) * 4
	if doff < 20 || doff > len(h) {
		return tcpSeg{}, false
	}
	s := tcpSeg{
		src:     netip.AddrPortFrom(src, binary.BigEndian.Uint16(h)),
		dst:     netip.AddrPortFrom(dst, binary.BigEndian.Uint16(h[2:])),
		seq:     binary.BigEndian.Uint32(h[4:]),
		ack:     binary.BigEndian.Uint32(h[8:]),
		flags:   h[13],
		payload: h[doff:],
	}
	for opts := h[20:doff]; len(opts) > 0; {
		switch opts[0] {
		case 0: // end of options
			return s, true
		case 1: // no-op
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 || int(opts[1]) < 2 || int(opts[1]) > len(opts) {
			return s, true
		}
		if opts[0] == 8 && opts[1] == 10 { // timestamps
			s.tsval, s.tsecr, s.hasTS = binary.BigEndian.Uint32(opts[2:]), binary.BigEndian.Uint32(opts[6:]), true
		}
		opts = opts[opts[1]:]
	}
	return s, true
}

// echoServer listens on addr in ns and echoes what each connection
// sends; the connections it accepted come out of the channel.
func echoServer(t *testing.T, ns *nstest.NS, addr string) <-chan net.Conn {
	t.Helper()
	var l net.Listener
	inNS(t, ns, func() {
		var err error
		if l, err = net.Listen("tcp", addr); err != nil {
			t.Error(err)
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	accepted := make(chan net.Conn, 4)
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			accepted <- c
			go func() {
				buf := make([]byte, 512)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					c.Write(buf[:n])
				}
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return accepted
}

// dialIn connects to addr from ns, closed when the test ends.
func dialIn(t *testing.T, ns *nstest.NS, addr string) net.Conn {
	t.Helper()
	var c net.Conn
	inNS(t, ns, func() {
		var err error
		if c, err = (&net.Dialer{Timeout: 10 * time.Second}).Dial("tcp", addr); err != nil {
			t.Error(err)
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return c
}

// roundTrip sends msg on c and returns the echo, of len(msg)+grow bytes.
func roundTrip(t *testing.T, c net.Conn, msg string, grow int) string {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(msg)+grow)
	if _, err := readFull(c, buf); err != nil {
		t.Fatalf("echo of %q: %v", msg, err)
	}
	return string(buf)
}

func readFull(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := c.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// The queues of TCP_REPAIR_QUEUE (include/uapi/linux/tcp.h).
const (
	tcpRecvQueue = 1
	tcpSendQueue = 2
)

// queueSeq puts c in repair mode (it then closes without a packet) and
// returns the next sequence number of the queue: the next byte to
// receive (tcpRecvQueue) or to send (tcpSendQueue).
func queueSeq(t *testing.T, c net.Conn, queue int) uint32 {
	t.Helper()
	sc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var seq int
	var serr error
	err = sc.Control(func(fd uintptr) {
		if serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_REPAIR, unix.TCP_REPAIR_ON); serr != nil {
			return
		}
		if serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_REPAIR_QUEUE, queue); serr != nil {
			return
		}
		seq, serr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_QUEUE_SEQ)
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		t.Fatalf("TCP_REPAIR: %v", err)
	}
	return uint32(seq)
}

// onlyFlow returns the one entry of c whose original tuple goes to port.
func onlyFlow(t *testing.T, c *conntrack.Conn, proto uint8, port uint16) conntrack.Flow {
	t.Helper()
	var found []conntrack.Flow
	for f, err := range c.Flows(testCtx(t), conntrack.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if f.Orig.Proto == proto && f.Orig.DstPort == port {
			found = append(found, f.Clone())
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d entries of protocol %d to port %d, want 1: %+v", len(found), proto, port, found)
	}
	return found[0]
}

// TestSynproxyEntry lets nftables' SYN proxy in b answer a's connection
// and checks the entry it makes: conntrack -L shows it as we do, and the
// proxy's state (CTA_SYNPROXY) and the reply direction's sequence
// adjustment (CTA_SEQ_ADJ_REPLY), which conntrack does not print, are
// checked against the packets: the proxy's SYN-ACK that a saw on the
// wire gives the ISN and the timestamp, and the two sockets' sequence
// numbers give the offset.
func TestSynproxyEntry(t *testing.T) {
	p := barePair(t)
	inNSRun(t, p.b, "sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0")
	nftIn(t, p.b, `
table inet ct30 {
	chain pre { type filter hook prerouting priority raw; tcp dport 80 tcp flags syn notrack; }
	chain in {
		type filter hook input priority filter;
		tcp dport 80 ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm
		ct state invalid drop
	}
}`)
	sn := sniff(t, p.a, "va")
	accepted := echoServer(t, p.b, "198.18.0.2:80")
	cl := dialIn(t, p.a, "198.18.0.2:80")
	roundTrip(t, cl, "hello", 0)
	srv := <-accepted

	c := dialCT(t, p.b)
	lines := compareWithTool(t, p.b, c, conntrack.Filter{})
	t.Logf("entries:\n\t%s", strings.Join(lines, "\n\t"))
	f := onlyFlow(t, c, unix.IPPROTO_TCP, 80)

	var synack *tcpSeg
	for _, pk := range sn.packets(t) {
		if s, ok := parseTCP(pk); ok && s.src.Port() == 80 && s.flags&(tcpSYN|tcpACK) == tcpSYN|tcpACK {
			synack = &s
		}
	}
	if synack == nil || !synack.hasTS {
		t.Fatalf("a saw no SYN-ACK with timestamps from the proxy (%+v)", synack)
	}
	if f.Set&conntrack.FieldSynproxy == 0 {
		t.Fatalf("the entry has no CTA_SYNPROXY: %+v", f)
	}
	if f.Synproxy.ISN != synack.seq || f.Synproxy.ITS != synack.tsval {
		t.Errorf("synproxy state %+v; the proxy's SYN-ACK had seq %d and timestamp %d", f.Synproxy, synack.seq, synack.tsval)
	}
	// TSOff is b's server's timestamp clock minus the proxy's: no packet
	// shows the first unadjusted, so it is not checked beyond decoding.

	// The proxy answered a with its own ISN and b's server chose
	// another: the kernel shifts the reply direction's sequence numbers
	// by the difference.
	off := queueSeq(t, cl, tcpRecvQueue) - queueSeq(t, srv, tcpSendQueue)
	if want := (conntrack.SeqAdj{OffsetBefore: off, OffsetAfter: off}); f.SeqAdjReply != want || f.Set&conntrack.FieldSeqAdjReply == 0 {
		t.Errorf("reply sequence adjustment %+v, want %+v (a's next byte to receive less b's next to send)", f.SeqAdjReply, want)
	}
	if f.SeqAdjOrig != (conntrack.SeqAdj{}) || f.Status&conntrack.StatusSeqAdjust == 0 {
		t.Errorf("original adjustment %+v, status %v; want none and SEQ_ADJUST", f.SeqAdjOrig, f.Status)
	}
}

// TestFTPHelperSeqAdj sends an FTP PORT command through source NAT with
// the ftp helper, which nftables sets on the connection (a ct helper
// object): the helper rewrites the address in the command, 4 bytes
// longer, and from then on shifts the original direction's sequence
// numbers. conntrack -L shows the helper's name as we do; the adjustment
// is checked against what the server received and the command's
// sequence number on the wire; the expectation the helper made is
// checked against conntrack -L expect. An nftables ct helper object
// loads the helper's conntrack half (nf_conntrack_ftp) but not its NAT
// half (nf_nat_ftp, which nft_ct never asks for, up to 6.18 at least):
// on a kernel built with modules the test loads it, as an administrator
// would, and without it the helper leaves the command as it is.
func TestFTPHelperSeqAdj(t *testing.T) {
	needModule(t, "nf_nat_ftp")
	p := barePair(t)
	p.a.Run(t, "addr", "add", "198.18.100.100/32", "dev", "va")
	p.b.Run(t, "route", "add", "198.18.100.0/24", "dev", "vb")
	nftIn(t, p.a, `
table ip ct30 {
	ct helper ftp-std { type "ftp" protocol tcp; }
	chain out { type filter hook output priority filter; tcp dport 21 ct helper set "ftp-std"; }
	chain post { type nat hook postrouting priority srcnat; ip daddr 198.18.0.2 tcp dport 21 snat to 198.18.100.100; }
}`)
	sn := sniff(t, p.a, "va")
	echoServer(t, p.b, "198.18.0.2:21")
	cl := dialIn(t, p.a, "198.18.0.2:21")
	// The helper reads a command only where a line of its direction
	// began: the first one it sees is not parsed.
	roundTrip(t, cl, "USER ct30\r\n", 0)
	const port = "PORT 198,18,0,1,200,10\r\n"
	got := roundTrip(t, cl, port, 4)
	if got != "PORT 198,18,100,100,200,10\r\n" {
		t.Fatalf("the server received %q for %q: the helper did not rewrite it", got, port)
	}
	roundTrip(t, cl, "NOOP\r\n", 0)

	c := dialCT(t, p.a)
	lines := compareWithTool(t, p.a, c, conntrack.Filter{})
	t.Logf("entries:\n\t%s", strings.Join(lines, "\n\t"))
	f := onlyFlow(t, c, unix.IPPROTO_TCP, 21)
	if f.Helper != "ftp" {
		t.Errorf("helper %q, want ftp", f.Helper)
	}
	var seq []uint32
	for _, pk := range sn.packets(t) {
		if s, ok := parseTCP(pk); ok && s.dst.Port() == 21 && bytes.HasPrefix(s.payload, []byte("PORT ")) {
			seq = append(seq, s.seq)
		}
	}
	if len(seq) != 1 {
		t.Fatalf("a sent %d PORT commands on the wire, want 1", len(seq))
	}
	want := conntrack.SeqAdj{CorrectionPos: seq[0], OffsetBefore: 0, OffsetAfter: uint32(len(got) - len(port))}
	if f.SeqAdjOrig != want || f.Set&conntrack.FieldSeqAdjOrig == 0 {
		t.Errorf("original sequence adjustment %+v, want %+v", f.SeqAdjOrig, want)
	}
	if f.SeqAdjReply != (conntrack.SeqAdj{}) || f.Status&(conntrack.StatusSeqAdjust|conntrack.StatusSrcNAT|conntrack.StatusHelper) != conntrack.StatusSeqAdjust|conntrack.StatusSrcNAT|conntrack.StatusHelper {
		t.Errorf("reply adjustment %+v, status %v", f.SeqAdjReply, f.Status)
	}

	// The expectation of the data connection, to port 200*256+10 of the
	// translated address.
	var xs []string
	for x, err := range c.Expectations(testCtx(t), 0) {
		if err != nil {
			t.Fatal(err)
		}
		xs = append(xs, renderExpect(x))
	}
	out := inNSRun(t, p.a, "conntrack", "-L", "expect")
	var theirs []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if fs := strings.Fields(l); len(fs) > 1 {
			theirs = append(theirs, strings.Join(fs[1:], " ")) // without the timeout
		}
	}
	if strings.Join(xs, "\n") != strings.Join(theirs, "\n") || len(xs) != 1 || !strings.Contains(xs[0], "dport=51210") {
		t.Errorf("expectations:\nours:\n\t%s\nconntrack -L expect:\n\t%s", strings.Join(xs, "\n\t"), strings.Join(theirs, "\n\t"))
	}
}

// TestLabelsFromRule sets labels with nftables' ct label on real
// connections and compares the entries with conntrack -L -o labels.
func TestLabelsFromRule(t *testing.T) {
	p := barePair(t)
	nftIn(t, p.a, `
table inet ct30 {
	chain out {
		type filter hook output priority filter;
		tcp dport 80 ct label set 3
		tcp dport 80 ct label set 127
		tcp dport 81 ct label set 64
	}
}`)
	echoServer(t, p.b, "198.18.0.2:80")
	echoServer(t, p.b, "198.18.0.2:81")
	echoServer(t, p.b, "198.18.0.2:82")
	for _, a := range []string{"198.18.0.2:80", "198.18.0.2:81", "198.18.0.2:82"} {
		roundTrip(t, dialIn(t, p.a, a), "hello", 0)
	}
	c := dialCT(t, p.a)
	lines := compareWithToolLabels(t, p.a, c, conntrack.Filter{})
	t.Logf("entries:\n\t%s", strings.Join(lines, "\n\t"))
	for port, want := range map[uint16]string{80: "labels=l3,l127", 81: "labels=l64", 82: ""} {
		l, _ := renderLabels(ptr(onlyFlow(t, c, unix.IPPROTO_TCP, port)), true)
		if got := l[strings.LastIndex(l, "id="):]; (want == "") != !strings.Contains(got, "labels=") || !strings.HasSuffix(got, want) {
			t.Errorf("port %d: %q, want %q", port, got, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// renderExpect prints x as conntrack -L expect does, without the timeout.
func renderExpect(x *conntrack.Expect) string {
	s := fmt.Sprintf("proto=%d %s mask-src=%s mask-dst=%s sport=%d dport=%d master-src=%s master-dst=%s sport=%d dport=%d",
		x.Tuple.Proto, x.Tuple, x.Mask.Src, x.Mask.Dst, x.Mask.SrcPort, x.Mask.DstPort,
		x.Master.Src, x.Master.Dst, x.Master.SrcPort, x.Master.DstPort)
	for bit, name := range []string{"PERMANENT", "INACTIVE", "USERSPACE"} {
		if x.Flags&(1<<bit) != 0 {
			s += " " + name
		}
	}
	s += fmt.Sprintf(" class=%d", x.Class)
	if x.Helper != "" {
		s += " helper=" + x.Helper
	}
	return s
}

// needModule loads the kernel module name unless it is loaded, with the
// program the kernel itself runs to load modules
// (/proc/sys/kernel/modprobe), and skips the test when that fails. A
// kernel without module support has no such program, and has built in
// whatever it has.
func needModule(t *testing.T, name string) {
	t.Helper()
	if _, err := os.Stat("/sys/module/" + name); err == nil {
		return
	}
	b, err := os.ReadFile("/proc/sys/kernel/modprobe")
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Skipf("module %s: %v", name, err)
	}
	modprobe := strings.TrimSpace(string(b))
	if out, err := exec.Command(modprobe, "-q", "--", name).CombinedOutput(); err != nil {
		t.Skipf("module %s is not loaded, and %s could not load it: %v: %s", name, modprobe, err, out)
	}
}

// nftTry loads ruleset into ns's nftables and returns nft's error.
func nftTry(ns *nstest.NS, ruleset string) error {
	cmd := exec.Command("ip", "netns", "exec", ns.Name, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("nft -f: %v: %s", err, out)
	}
	return nil
}

// sctpPacket builds an SCTP packet of one chunk with its CRC32c.
func sctpPacket(sport, dport uint16, vtag uint32, chunkType uint8, body []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = binary.BigEndian.AppendUint32(b, vtag)
	b = append(b, 0, 0, 0, 0) // checksum
	b = append(b, chunkType, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(4+len(body)))
	b = append(b, body...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	binary.LittleEndian.PutUint32(b[8:], crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	return b
}

// sctpInit is the body of an INIT or INIT-ACK chunk: the initiate tag,
// a window, one stream each way, an initial TSN, and the parameters.
func sctpInit(tag uint32, params []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, tag)
	b = binary.BigEndian.AppendUint32(b, 65536)
	b = append(b, 0, 1, 0, 1)
	b = binary.BigEndian.AppendUint32(b, 1)
	return append(b, params...)
}

// rawIn opens a raw IPv4 socket of protocol proto in ns, closed when the
// test ends.
func rawIn(t *testing.T, ns *nstest.NS, proto string) net.PacketConn {
	t.Helper()
	var c net.PacketConn
	inNS(t, ns, func() {
		var err error
		if c, err = net.ListenPacket("ip4:"+proto, ""); err != nil {
			t.Error(err)
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return c
}

// exchange sends pkt from one raw socket to dst and returns the first
// packet the other receives (raw sockets of a protocol the kernel does
// not serve itself get every packet of it, and no ICMP error goes back).
func exchange(t *testing.T, from, to net.PacketConn, dst string, pkt []byte) []byte {
	t.Helper()
	if _, err := from.WriteTo(pkt, &net.IPAddr{IP: net.ParseIP(dst)}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	n, _, err := to.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}

// TestSCTPAssociation runs an SCTP handshake (INIT, INIT-ACK,
// COOKIE-ECHO, COOKIE-ACK) from a to b over raw sockets (this kernel
// need not have SCTP sockets): conntrack -L shows the association
// ESTABLISHED as we do, and the verification tags, which conntrack does
// not print, are those the packets carried.
func TestSCTPAssociation(t *testing.T) {
	p := barePair(t)
	if _, err := os.Stat("/proc/sys/net/netfilter/nf_conntrack_sctp_timeout_established"); err != nil {
		t.Skip("this kernel has no SCTP connection tracking (CONFIG_NF_CT_PROTO_SCTP)")
	}
	trackIn(t, p.a)
	ra, rb := rawIn(t, p.a, "132"), rawIn(t, p.b, "132")
	const (
		sport, dport = 30000, 3868
		tagA, tagB   = 0x11223344, 0x55667788 // the tags a and b ask to be sent
	)
	cookie := []byte{0, 7, 0, 8, 'c', 't', '3', '0'} // State Cookie parameter
	exchange(t, ra, rb, "198.18.0.2", sctpPacket(sport, dport, 0, 1, sctpInit(tagA, nil)))
	exchange(t, rb, ra, "198.18.0.1", sctpPacket(dport, sport, tagA, 2, sctpInit(tagB, cookie)))
	exchange(t, ra, rb, "198.18.0.2", sctpPacket(sport, dport, tagB, 10, cookie[4:]))
	exchange(t, rb, ra, "198.18.0.1", sctpPacket(dport, sport, tagA, 11, nil))

	c := dialCT(t, p.a)
	lines := compareWithTool(t, p.a, c, conntrack.Filter{})
	t.Logf("entries:\n\t%s", strings.Join(lines, "\n\t"))
	f := onlyFlow(t, c, unix.IPPROTO_SCTP, dport)
	// Packets from a carry b's tag, and those from b carry a's.
	want := conntrack.SCTPInfo{State: conntrack.SCTPEstablished, VTagOrig: tagB, VTagReply: tagA}
	if f.SCTP != want || f.Set&conntrack.FieldSCTP == 0 {
		t.Errorf("SCTP state %+v, want %+v", f.SCTP, want)
	}
}

// TestGREKeys makes a GRE entry from packets (keys 0, as GRE that is not
// PPTP's has) and one with keys by conntrack -I, compares them with
// conntrack -L, and reads each back by its tuple.
func TestGREKeys(t *testing.T) {
	p := barePair(t)
	if _, err := os.Stat("/proc/sys/net/netfilter/nf_conntrack_gre_timeout"); err != nil {
		t.Skip("this kernel has no GRE connection tracking (CONFIG_NF_CT_PROTO_GRE)")
	}
	trackIn(t, p.a)
	ra, rb := rawIn(t, p.a, "47"), rawIn(t, p.b, "47")
	gre := []byte{0, 0, 0x08, 0x00, 0x45} // version 0, IPv4 inside (a stub)
	exchange(t, ra, rb, "198.18.0.2", gre)
	exchange(t, rb, ra, "198.18.0.1", gre)
	inNSRun(t, p.a, "conntrack", "-I", "-p", "gre", "-s", "198.18.1.1", "-d", "198.18.1.2", "--srckey", "0x1234", "--dstkey", "0x5678", "-t", "300")

	c := dialCT(t, p.a)
	lines := compareWithTool(t, p.a, c, conntrack.Filter{})
	t.Logf("entries:\n\t%s", strings.Join(lines, "\n\t"))
	all := strings.Join(lines, "\n")
	for _, want := range []string{"src=198.18.0.1 dst=198.18.0.2 srckey=0x0 dstkey=0x0", "srckey=0x1234 dstkey=0x5678"} {
		if !strings.Contains(all, want) {
			t.Errorf("no entry has %q", want)
		}
	}
	for _, key := range []conntrack.Tuple{
		{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: unix.IPPROTO_GRE},
		{Src: netip.MustParseAddr("198.18.1.1"), Dst: netip.MustParseAddr("198.18.1.2"), Proto: unix.IPPROTO_GRE, SrcPort: 0x1234, DstPort: 0x5678},
	} {
		got, err := c.Get(testCtx(t), &conntrack.Flow{Family: unix.AF_INET, Orig: key})
		if err != nil {
			t.Errorf("get %v: %v", key, err)
			continue
		}
		if got.Orig != key || got.Reply.SrcPort != key.DstPort || got.Reply.DstPort != key.SrcPort {
			t.Errorf("get %v: %v / %v", key, got.Orig, got.Reply)
		}
	}
}

// TestDCCPEntry creates a DCCP entry with conntrack -I and compares it
// with conntrack -L. DCCP's tracker left Linux in 6.16; the test runs on
// kernels that have it (in a VM: go run ./internal/cmd/vmtest -kernel 6.12
// -run DCCP ./netfilter/conntrack).
func TestDCCPEntry(t *testing.T) {
	p := barePair(t)
	c := dialCT(t, p.a)
	// A listing loads nf_conntrack (through ctnetlink), whose sysctls
	// say whether it tracks DCCP.
	for _, err := range c.Flows(testCtx(t), conntrack.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat("/proc/sys/net/netfilter/nf_conntrack_dccp_timeout_open"); err != nil {
		t.Skip("this kernel has no DCCP connection tracking (CONFIG_NF_CT_PROTO_DCCP; gone since Linux 6.16)")
	}
	inNSRun(t, p.a, "conntrack", "-I", "-p", "dccp", "-s", "198.18.1.1", "-d", "198.18.1.2", "--sport", "5000", "--dport", "6000",
		"--state", "OPEN", "--role", "server", "-t", "300")
	lines := compareWithTool(t, p.a, c, conntrack.Filter{})
	t.Logf("entries:\n\t%s", strings.Join(lines, "\n\t"))
	f := onlyFlow(t, c, unix.IPPROTO_DCCP, 6000)
	if f.Set&conntrack.FieldDCCP == 0 || f.DCCP.State != 4 || f.DCCP.Role != 1 {
		t.Errorf("DCCP state %+v, want OPEN (4) and server (1)", f.DCCP)
	}
}

// TestSecCtx gives a connection a security mark (an nftables secmark
// object named after this process's own security context) and copies it
// to the entry, whose context conntrack -L prints as we do. It needs an
// LSM that labels packets (SELinux, Smack, AppArmor) to be active.
func TestSecCtx(t *testing.T) {
	p := barePair(t)
	ctx, err := os.ReadFile("/proc/self/attr/current")
	label := strings.TrimSpace(strings.TrimRight(string(ctx), "\x00"))
	if err != nil || label == "" {
		t.Skipf("no LSM gives this process a security context (/proc/self/attr/current: %v), so none can label packets", err)
	}
	label = strings.TrimSuffix(label, " (enforce)")
	label = strings.TrimSuffix(label, " (complain)")
	if err := nftTry(p.a, `
table inet ct30 {
	secmark lbl { "`+label+`" }
	chain out {
		type filter hook output priority filter;
		tcp dport 80 meta secmark set "lbl"
		tcp dport 80 ct secmark set meta secmark
	}
}`); err != nil {
		t.Skipf("the LSM takes no secmark of context %q: %v", label, err)
	}
	echoServer(t, p.b, "198.18.0.2:80")
	var dialErr error
	inNS(t, p.a, func() {
		var c net.Conn
		if c, dialErr = (&net.Dialer{Timeout: 10 * time.Second}).Dial("tcp", "198.18.0.2:80"); dialErr == nil {
			t.Cleanup(func() { c.Close() })
		}
	})
	if dialErr != nil {
		t.Skipf("the LSM refused a connection whose packets have context %q: %v", label, dialErr)
	}
	c := dialCT(t, p.a)
	lines := compareWithTool(t, p.a, c, conntrack.Filter{})
	t.Logf("entries:\n\t%s", strings.Join(lines, "\n\t"))
	if f := onlyFlow(t, c, unix.IPPROTO_TCP, 80); f.SecCtx != label {
		t.Errorf("security context %q, want %q", f.SecCtx, label)
	}
}
