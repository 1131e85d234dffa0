package sockdiag_test

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/sockdiag"
)

// mptcpReply returns an inet_diag_msg for an MPTCP socket with info as
// its INET_DIAG_INFO.
func mptcpReply(info []byte) []byte {
	b := make([]byte, 72)
	b[0], b[1] = 2, 1 // AF_INET, established
	b = binary.NativeEndian.AppendUint16(b, uint16(4+len(info)))
	b = binary.NativeEndian.AppendUint16(b, uint16(sockdiag.AttrInfo))
	b = append(b, info...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// mptcpInfo96 is a struct mptcp_info of 96 bytes (Linux 6.18's), each
// field a value of its own, written out field by field.
func mptcpInfo96() []byte {
	ne := binary.NativeEndian
	b := []byte{1, 2, 3, 4, 5, 6, 0, 0} // subflows .. add_addr_accepted_max, padding
	b = ne.AppendUint32(b, 3)           // flags: fallback, remote key
	b = ne.AppendUint32(b, 0xa1b2c3d4)  // token
	b = ne.AppendUint64(b, 0x1111111111111111)
	b = ne.AppendUint64(b, 0x2222222222222222)
	b = ne.AppendUint64(b, 0x3333333333333333)
	b = append(b, 7, 8, 1, 0) // local_addr_used, local_addr_max, csum_enabled, padding
	b = ne.AppendUint32(b, 9) // retransmits
	b = ne.AppendUint64(b, 10)
	b = ne.AppendUint64(b, 11)
	b = ne.AppendUint64(b, 12)
	b = ne.AppendUint64(b, 13)
	b = append(b, 14, 0, 0, 0) // subflows_total, reserved
	b = ne.AppendUint32(b, 15)
	b = ne.AppendUint32(b, 16)
	return ne.AppendUint32(b, 17)
}

// TestParseMPTCPInfo decodes mptcp_info of every size a kernel sends: the
// full struct, a longer one (its tail kept in Info, InfoTail), the 48
// bytes of older kernels (the newer fields zero), the first kernel's 40,
// and refuses a shorter one.
func TestParseMPTCPInfo(t *testing.T) {
	full := sockdiag.MPTCPInfo{
		Subflows: 1, AddAddrSignal: 2, AddAddrAccepted: 3, SubflowsMax: 4, AddAddrSignalMax: 5, AddAddrAcceptedMax: 6,
		Flags: sockdiag.MPTCPFallback | sockdiag.MPTCPRemoteKey, Token: 0xa1b2c3d4,
		WriteSeq: 0x1111111111111111, SndUna: 0x2222222222222222, RcvNxt: 0x3333333333333333,
		LocalAddrUsed: 7, LocalAddrMax: 8, CsumEnabled: 1, Retransmits: 9,
		BytesRetrans: 10, BytesSent: 11, BytesReceived: 12, BytesAcked: 13, SubflowsTotal: 14,
		LastDataSent: 15, LastDataRecv: 16, LastAckRecv: 17, Len: 96,
	}
	info := mptcpInfo96()
	if len(info) != 96 {
		t.Fatalf("test struct of %d bytes", len(info))
	}
	older := full
	older.Retransmits, older.BytesRetrans, older.BytesSent, older.BytesReceived, older.BytesAcked = 0, 0, 0, 0, 0
	older.SubflowsTotal, older.LastDataSent, older.LastDataRecv, older.LastAckRecv = 0, 0, 0, 0
	first := older
	first.LocalAddrUsed, first.LocalAddrMax, first.CsumEnabled = 0, 0, 0
	tail := []byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4}
	// The 48-byte struct ends with csum_enabled and 5 bytes of padding,
	// which the kernel zeroes: where retransmits came later.
	info48 := append(append([]byte(nil), info[:43]...), 0, 0, 0, 0, 0)
	for _, c := range []struct {
		name string
		info []byte
		want sockdiag.MPTCPInfo
		tail []byte
	}{
		{"96 bytes", info, full, nil},
		{"a newer kernel's 104", append(append([]byte(nil), info...), tail...), func() sockdiag.MPTCPInfo { m := full; m.Len = 104; return m }(), tail},
		{"48 bytes", info48, func() sockdiag.MPTCPInfo { m := older; m.Len = 48; return m }(), nil},
		{"40 bytes", info[:40], func() sockdiag.MPTCPInfo { m := first; m.Len = 40; return m }(), nil},
	} {
		var s sockdiag.InetSocket
		if err := s.Parse(mptcpReply(c.info), sockdiag.ProtoMPTCP); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if s.MPTCPInfo != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, s.MPTCPInfo, c.want)
		}
		if string(s.Info) != string(c.info) || string(s.InfoTail()) != string(c.tail) {
			t.Errorf("%s: Info %x, InfoTail %x; want %x, %x", c.name, s.Info, s.InfoTail(), c.info, c.tail)
		}
		if s.TCPInfo != (sockdiag.TCPInfo{}) {
			t.Errorf("%s: mptcp_info read as tcp_info too", c.name)
		}
	}
	var s sockdiag.InetSocket
	if err := s.Parse(mptcpReply(info[:39]), sockdiag.ProtoMPTCP); !errors.Is(err, netlink.ErrMalformed) {
		t.Errorf("39 bytes: %v, want ErrMalformed", err)
	}
	// The same bytes from a TCP socket are tcp_info, not mptcp_info.
	if err := s.Parse(mptcpReply(info), sockdiag.ProtoTCP); err != nil || s.MPTCPInfo != (sockdiag.MPTCPInfo{}) || s.TCPInfo.Len != 96 {
		t.Errorf("as TCP: %v, MPTCPInfo %+v, TCPInfo.Len %d", err, s.MPTCPInfo, s.TCPInfo.Len)
	}
}

// TestParseMPTCPCaptured parses the captured MPTCP replies (testdata,
// TestCaptureMPTCP): two connected sockets with a token, a listener
// without.
func TestParseMPTCPCaptured(t *testing.T) {
	tokens := 0
	for _, b := range seeds(t, "inet_mptcp.bin") {
		var s sockdiag.InetSocket
		if err := s.Parse(b, sockdiag.ProtoMPTCP); err != nil {
			t.Fatal(err)
		}
		if s.MPTCPInfo.Len != 96 || (s.State == sockdiag.StateEstablished) != (s.MPTCPInfo.Token != 0) {
			t.Errorf("%v %v: mptcp_info %+v", s.ID, s.State, s.MPTCPInfo)
		}
		if s.MPTCPInfo.Token != 0 {
			tokens++
		}
	}
	if tokens != 2 {
		t.Errorf("%d sockets with a token, want 2", tokens)
	}
}

func FuzzParseMPTCP(f *testing.F) {
	for _, s := range seeds(f, "inet_mptcp.bin") {
		f.Add(s)
	}
	f.Add(mptcpReply(mptcpInfo96()))
	f.Add(mptcpReply(mptcpInfo96()[:40]))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s sockdiag.InetSocket
		if err := s.Parse(b, sockdiag.ProtoMPTCP); err != nil {
			return
		}
		m := s.MPTCPInfo
		if s.Info != nil && (m.Len != len(s.Info) || m.Len < 40) {
			t.Fatalf("mptcp_info of %d bytes parsed with Len %d", len(s.Info), m.Len)
		}
		if tail := s.InfoTail(); len(tail) != max(len(s.Info)-96, 0) {
			t.Fatalf("InfoTail of %d bytes, Info %d", len(tail), len(s.Info))
		}
		c := s.Clone()
		var again sockdiag.InetSocket
		if err := again.Parse(append([]byte(nil), b...), sockdiag.ProtoMPTCP); err != nil || again.MPTCPInfo != c.MPTCPInfo {
			t.Fatalf("parses differently twice: %v", err)
		}
	})
}
