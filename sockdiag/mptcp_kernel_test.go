//go:build linux

package sockdiag_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/sockdiag"
)

// mptcpWorld opens, in a namespace of its own, MPTCP listeners on IPv4
// and IPv6 and an MPTCP connection to each (both ends MPTCP sockets),
// with data sent both ways, so that their mptcp_info has a token and
// sequence numbers.
func mptcpWorld(t *testing.T) *nstest.NS {
	ns := nstest.New(t)
	ns.Run(t, "addr", "add", "198.18.0.1/16", "dev", "lo")
	ns.Run(t, "addr", "add", "2001:db8::1/64", "dev", "lo", "nodad")
	ns.WaitLocal(t, "198.18.0.1", "2001:db8::1")
	var closers []io.Closer
	t.Cleanup(func() {
		for _, c := range closers {
			c.Close()
		}
	})
	inNS(t, ns, func() {
		for _, a := range [][2]string{{"tcp4", "198.18.0.1:8080"}, {"tcp6", "[2001:db8::1]:8080"}} {
			var lc net.ListenConfig
			lc.SetMultipathTCP(true)
			l, err := lc.Listen(context.Background(), a[0], a[1])
			if err != nil {
				t.Error(err)
				return
			}
			closers = append(closers, l)
			d := net.Dialer{Timeout: time.Minute}
			d.SetMultipathTCP(true)
			c, err := d.Dial(a[0], a[1])
			if err != nil {
				t.Error(err)
				return
			}
			closers = append(closers, c)
			s, err := l.Accept()
			if err != nil {
				t.Error(err)
				return
			}
			closers = append(closers, s)
			for _, p := range [][2]net.Conn{{c, s}, {s, c}} {
				if _, err := p[0].Write([]byte("hello")); err != nil {
					t.Error(err)
					return
				}
				buf := make([]byte, 5)
				if _, err := io.ReadFull(p[1], buf); err != nil {
					t.Error(err)
					return
				}
			}
			for _, x := range []net.Conn{c, s} {
				if mp, err := x.(*net.TCPConn).MultipathTCP(); err != nil || !mp {
					t.Errorf("%v: MPTCP %v, %v", x.LocalAddr(), mp, err)
				}
			}
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	return ns
}

// TestMPTCPFieldsMatchSS lists the MPTCP sockets of an mptcpWorld with
// every extension and compares each field ss -Manpieom --tos prints:
// those of every inet socket (compareInet) and mptcp_info's.
func TestMPTCPFieldsMatchSS(t *testing.T) {
	ns := mptcpWorld(t)
	c := dialDiag(t, ns)
	byIno := map[string]ssSocket{}
	for _, s := range ssSockets(t, ns, "-Manpieom", "--tos") {
		byIno[s.kv["ino"]] = s
	}
	procs := processes(t)
	n := 0
	for _, fam := range []sockdiag.Family{sockdiag.IPv4, sockdiag.IPv6} {
		req := sockdiag.InetRequest{Family: fam, Protocol: sockdiag.ProtoMPTCP, Extensions: sockdiag.AllExtensions}
		for s, err := range c.InetSockets(context.Background(), req) {
			if err != nil {
				t.Fatal(err)
			}
			ss, ok := byIno[strconv.FormatUint(uint64(s.Inode), 10)]
			if !ok {
				t.Errorf("mptcp %s (inode %d): ss does not list it", s.ID.Src, s.Inode)
				continue
			}
			n++
			compareInet(t, "mptcp", s, ss, procs)
			checkMPTCPTruth(t, s)
		}
	}
	if n != 6 {
		t.Errorf("compared %d MPTCP sockets, want 6 (2 listeners, 2 connections' two ends)", n)
	}
}

// checkMPTCPTruth checks mptcp_info against what the world did, for the
// fields ss 6.1 does not print: each end of a connection sent and
// received the 5 bytes of "hello", over one subflow, with nothing
// retransmitted (on a kernel whose struct holds these fields, 96 bytes:
// this machine's 6.18); a listener has no data.
func checkMPTCPTruth(t *testing.T, s *sockdiag.InetSocket) {
	t.Helper()
	m := s.MPTCPInfo
	name := fmt.Sprintf("mptcp %s %s", s.ID.Src, s.ID.Dst)
	if s.State == sockdiag.StateListen {
		if m.Token != 0 || m.BytesSent != 0 || m.SubflowsTotal != 0 {
			t.Errorf("%s: a listener's mptcp_info %+v", name, m)
		}
		return
	}
	if m.Token == 0 || m.Flags&sockdiag.MPTCPRemoteKey == 0 || m.Flags&sockdiag.MPTCPFallback != 0 {
		t.Errorf("%s: mptcp_info token %#x flags %#x, want a token and the remote key, no fallback", name, m.Token, m.Flags)
	}
	if m.Len < 96 {
		t.Logf("%s: mptcp_info of %d bytes: no byte counters to check", name, m.Len)
		return
	}
	if m.BytesSent != 5 || m.BytesReceived != 5 || m.BytesAcked != 5 || m.BytesRetrans != 0 || m.SubflowsTotal != 1 {
		t.Errorf("%s: mptcp_info sent %d received %d acked %d retransmitted %d bytes over %d subflows, want 5, 5, 5, 0 over 1",
			name, m.BytesSent, m.BytesReceived, m.BytesAcked, m.BytesRetrans, m.SubflowsTotal)
	}
	if m.LastDataSent > 60e3 || m.LastDataRecv > 60e3 || m.LastAckRecv > 60e3 {
		t.Errorf("%s: mptcp_info last data sent %dms, received %dms, last ack %dms ago", name, m.LastDataSent, m.LastDataRecv, m.LastAckRecv)
	}
	if tail := s.InfoTail(); len(tail) != m.Len-96 {
		t.Errorf("%s: InfoTail %d bytes of %d", name, len(tail), m.Len)
	}
}

// mptcpKeys are the key:value fields of mptcp_info ss -Mi prints (ss
// 6.1 the first fifteen; later ones the rest too), which compareMPTCP
// compares.
var mptcpKeys = map[string]bool{
	"subflows": true, "add_addr_signal": true, "add_addr_accepted": true, "subflows_max": true,
	"add_addr_signal_max": true, "add_addr_accepted_max": true, "token": true, "write_seq": true,
	"snd_una": true, "rcv_nxt": true, "local_addr_used": true, "local_addr_max": true, "csum_enabled": true,
	"retransmits": true, "bytes_retrans": true, "bytes_sent": true, "bytes_received": true,
	"bytes_acked": true, "subflows_total": true, "last_data_sent": true, "last_data_recv": true,
	"last_ack_recv": true,
}

// compareMPTCP compares s.MPTCPInfo with the fields ss -Mi prints of it:
// each when not zero (as ss prints them), the counters in decimal, the
// token and sequence numbers in hex, the flags as words; the times,
// which move between the listings, where ss prints them, for
// plausibility.
func compareMPTCP(t *testing.T, name string, s *sockdiag.InetSocket, ss ssSocket) {
	t.Helper()
	m := s.MPTCPInfo
	if m.Len != len(s.Info) || m.Len < 40 {
		t.Errorf("%s: mptcp_info of %d bytes, MPTCPInfo.Len %d", name, len(s.Info), m.Len)
	}
	field := func(key string, v uint64, base int) {
		t.Helper()
		got, ok := ss.kv[key]
		if v == 0 && !ok {
			return
		}
		if want := strconv.FormatUint(v, base); got != want {
			t.Errorf("%s: mptcp_info %s %s, ss %q", name, key, want, got)
		}
	}
	field("subflows", uint64(m.Subflows), 10)
	field("add_addr_signal", uint64(m.AddAddrSignal), 10)
	field("add_addr_accepted", uint64(m.AddAddrAccepted), 10)
	field("subflows_max", uint64(m.SubflowsMax), 10)
	field("add_addr_signal_max", uint64(m.AddAddrSignalMax), 10)
	field("add_addr_accepted_max", uint64(m.AddAddrAcceptedMax), 10)
	field("token", uint64(m.Token), 16)
	field("write_seq", m.WriteSeq, 16)
	field("snd_una", m.SndUna, 16)
	field("rcv_nxt", m.RcvNxt, 16)
	field("local_addr_used", uint64(m.LocalAddrUsed), 10)
	field("local_addr_max", uint64(m.LocalAddrMax), 10)
	field("csum_enabled", uint64(m.CsumEnabled), 10)
	if _, ok := ss.kv["bytes_sent"]; ok { // ss newer than 6.1
		field("retransmits", uint64(m.Retransmits), 10)
		field("bytes_retrans", m.BytesRetrans, 10)
		field("bytes_sent", m.BytesSent, 10)
		field("bytes_received", m.BytesReceived, 10)
		field("bytes_acked", m.BytesAcked, 10)
		field("subflows_total", uint64(m.SubflowsTotal), 10)
	}
	for _, l := range []struct {
		key string
		ms  uint32
	}{{"last_data_sent", m.LastDataSent}, {"last_data_recv", m.LastDataRecv}, {"last_ack_recv", m.LastAckRecv}} {
		if _, ok := ss.kv[l.key]; ok && l.ms > 60e3 {
			t.Errorf("%s: mptcp_info %s %dms, ss %q", name, l.key, l.ms, ss.kv[l.key])
		}
	}
	if got, want := ss.words["fallback"], m.Flags&sockdiag.MPTCPFallback != 0; got != want {
		t.Errorf("%s: mptcp_info flags %#x, ss fallback %v", name, m.Flags, got)
	}
	if got, want := ss.words["remote_key"], m.Flags&sockdiag.MPTCPRemoteKey != 0; got != want {
		t.Errorf("%s: mptcp_info flags %#x, ss remote_key %v", name, m.Flags, got)
	}
}

// TestCaptureMPTCP dumps the MPTCP sockets of an mptcpWorld raw (IPv4,
// every extension) and, with -update, writes the replies' payloads to
// testdata/inet_mptcp.bin, FuzzParseMPTCP's seeds. Without -update it
// checks that every reply parses.
func TestCaptureMPTCP(t *testing.T) {
	ns := mptcpWorld(t)
	c := dialDiag(t, ns)
	req := []byte{2, 0, 0xff, 0} // AF_INET, the protocol in INET_DIAG_REQ_PROTOCOL
	req = binary.NativeEndian.AppendUint32(req, 0xffffffff)
	req = append(req, make([]byte, 48)...)
	req = binary.NativeEndian.AppendUint16(req, 8)
	req = binary.NativeEndian.AppendUint16(req, 3) // INET_DIAG_REQ_PROTOCOL
	req = binary.NativeEndian.AppendUint32(req, sockdiag.ProtoMPTCP)
	var out []byte
	n := 0
	for m, err := range c.NL.Dump(context.Background(), netlink.Message{Header: netlink.Header{Type: 20}, Data: req}) {
		if err != nil {
			t.Fatal(err)
		}
		var s sockdiag.InetSocket
		if err := s.Parse(m.Data, sockdiag.ProtoMPTCP); err != nil {
			t.Error(err)
		}
		if s.MPTCPInfo.Token != 0 {
			n++
		}
		out = binary.NativeEndian.AppendUint32(out, uint32(len(m.Data)))
		out = append(out, m.Data...)
	}
	if n != 2 {
		t.Errorf("%d IPv4 MPTCP sockets with a token, want 2", n)
	}
	if *update {
		if err := os.WriteFile(filepath.Join("testdata", "inet_mptcp.bin"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
