package sockdiag

import (
	"encoding/binary"
	"fmt"

	"github.com/nlkit/netlink"
)

// MPTCPInfo is struct mptcp_info of <linux/mptcp.h>: what ss -Mi prints
// of an MPTCP socket (AttrInfo of a ProtoMPTCP socket). Fields the
// kernel's struct did not hold (older kernels send a shorter one) are
// zero; Len is how many bytes it sent, and what a newer kernel sends past
// the fields decoded here stays in InetSocket.Info (see InfoTail).
type MPTCPInfo struct {
	Subflows           uint8 // additional subflows open
	AddAddrSignal      uint8 // ADD_ADDRs sent
	AddAddrAccepted    uint8 // ADD_ADDRs accepted
	SubflowsMax        uint8 // the limit on additional subflows
	AddAddrSignalMax   uint8
	AddAddrAcceptedMax uint8
	Flags              uint32 // MPTCPFallback, MPTCPRemoteKey
	Token              uint32 // the connection's local token
	WriteSeq           uint64 // the next data sequence number to send
	SndUna             uint64 // the oldest unacknowledged data sequence number
	RcvNxt             uint64 // the next data sequence number expected
	LocalAddrUsed      uint8
	LocalAddrMax       uint8
	CsumEnabled        uint8 // 1 when data checksums are on
	Retransmits        uint32
	BytesRetrans       uint64
	BytesSent          uint64
	BytesReceived      uint64
	BytesAcked         uint64
	SubflowsTotal      uint8  // subflows open, the first included
	LastDataSent       uint32 // milliseconds
	LastDataRecv       uint32 // milliseconds
	LastAckRecv        uint32 // milliseconds

	Len int // the size of the struct the kernel sent
}

// MPTCPInfo.Flags bits (MPTCP_INFO_FLAG_*).
const (
	MPTCPFallback  = 1 << 0 // the connection fell back to plain TCP
	MPTCPRemoteKey = 1 << 1 // the peer's key was received
)

// mptcpInfoLen is the size of the struct mptcp_info MPTCPInfo decodes;
// mptcpInfoMinLen that of the first one (Linux 5.7), the shortest a
// kernel sends.
const (
	mptcpInfoLen    = 96
	mptcpInfoMinLen = 40
)

// parse reads d, as much of it as the struct holds; a struct shorter
// than any kernel's is an error.
func (m *MPTCPInfo) parse(d []byte) error {
	if len(d) < mptcpInfoMinLen {
		return fmt.Errorf("sockdiag: mptcp_info of %d bytes, want at least %d: %w", len(d), mptcpInfoMinLen, netlink.ErrMalformed)
	}
	*m = MPTCPInfo{Len: len(d)}
	var buf [mptcpInfoLen]byte
	copy(buf[:], d) // what a short struct lacks reads as zero
	b := buf[:]
	u32 := func(o int) uint32 { return binary.NativeEndian.Uint32(b[o:]) }
	u64 := func(o int) uint64 { return binary.NativeEndian.Uint64(b[o:]) }
	m.Subflows, m.AddAddrSignal, m.AddAddrAccepted = b[0], b[1], b[2]
	m.SubflowsMax, m.AddAddrSignalMax, m.AddAddrAcceptedMax = b[3], b[4], b[5]
	m.Flags, m.Token = u32(8), u32(12)
	m.WriteSeq, m.SndUna, m.RcvNxt = u64(16), u64(24), u64(32)
	m.LocalAddrUsed, m.LocalAddrMax, m.CsumEnabled = b[40], b[41], b[42]
	m.Retransmits = u32(44)
	m.BytesRetrans, m.BytesSent, m.BytesReceived, m.BytesAcked = u64(48), u64(56), u64(64), u64(72)
	m.SubflowsTotal = b[80] // 81-83 reserved
	m.LastDataSent, m.LastDataRecv, m.LastAckRecv = u32(84), u32(88), u32(92)
	return nil
}

// InfoTail returns what AttrInfo holds past the struct the package
// decodes (TCPInfo for TCP, MPTCPInfo for MPTCP): the fields of a kernel
// newer than the package, as sent. It is nil when there are none, and
// all of Info for other protocols.
func (s *InetSocket) InfoTail() []byte {
	n := 0
	switch s.Protocol {
	case ProtoTCP:
		n = tcpInfoLen
	case ProtoMPTCP:
		n = mptcpInfoLen
	}
	if len(s.Info) <= n {
		return nil
	}
	return s.Info[n:]
}
