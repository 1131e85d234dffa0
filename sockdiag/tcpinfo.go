package sockdiag

import "encoding/binary"

// TCPInfo is struct tcp_info of <linux/tcp.h>: what ss -i prints of a TCP
// socket. Times are in microseconds unless said otherwise. Fields the
// kernel's struct did not hold (older kernels send a shorter one) are
// zero; Len is how many bytes it sent.
type TCPInfo struct {
	State       uint8
	CAState     uint8
	Retransmits uint8
	Probes      uint8
	Backoff     uint8
	Options     uint8 // TCPI_OPT_*: 1 timestamps, 2 sack, 4 wscale, 8 ecn, 16 ecn seen, 32 syn data
	SndWScale   uint8
	RcvWScale   uint8
	// DeliveryRateAppLimited and FastOpenClientFail share a byte.
	DeliveryRateAppLimited bool
	FastOpenClientFail     uint8

	RTO    uint32
	ATO    uint32
	SndMSS uint32
	RcvMSS uint32

	Unacked uint32
	Sacked  uint32
	Lost    uint32
	Retrans uint32
	Fackets uint32

	LastDataSent uint32 // milliseconds
	LastAckSent  uint32 // milliseconds
	LastDataRecv uint32 // milliseconds
	LastAckRecv  uint32 // milliseconds

	PMTU        uint32
	RcvSsthresh uint32
	RTT         uint32
	RTTVar      uint32
	SndSsthresh uint32
	SndCwnd     uint32
	AdvMSS      uint32
	Reordering  uint32

	RcvRTT   uint32
	RcvSpace uint32

	TotalRetrans uint32

	PacingRate    uint64 // bytes per second
	MaxPacingRate uint64 // bytes per second
	BytesAcked    uint64
	BytesReceived uint64
	SegsOut       uint32
	SegsIn        uint32

	NotsentBytes uint32
	MinRTT       uint32
	DataSegsIn   uint32
	DataSegsOut  uint32

	DeliveryRate uint64 // bytes per second

	BusyTime      uint64
	RwndLimited   uint64
	SndbufLimited uint64

	Delivered   uint32
	DeliveredCE uint32

	BytesSent    uint64
	BytesRetrans uint64
	DSACKDups    uint32
	ReordSeen    uint32

	RcvOOOPack uint32

	SndWnd uint32
	RcvWnd uint32

	Rehash uint32

	TotalRTO           uint16
	TotalRTORecoveries uint16
	TotalRTOTime       uint32 // milliseconds

	Len int // the size of the struct the kernel sent
}

// parse reads d, as much of it as the struct holds.
func (t *TCPInfo) parse(d []byte) {
	*t = TCPInfo{Len: len(d)}
	var buf [tcpInfoLen]byte
	copy(buf[:], d) // what a short struct lacks reads as zero
	b := buf[:]
	u8 := func(o int) uint8 { return b[o] }
	u16 := func(o int) uint16 { return binary.NativeEndian.Uint16(b[o:]) }
	u32 := func(o int) uint32 { return binary.NativeEndian.Uint32(b[o:]) }
	u64 := func(o int) uint64 { return binary.NativeEndian.Uint64(b[o:]) }
	t.State, t.CAState, t.Retransmits, t.Probes, t.Backoff, t.Options = u8(0), u8(1), u8(2), u8(3), u8(4), u8(5)
	t.SndWScale, t.RcvWScale = b[6]&0xf, b[6]>>4
	t.DeliveryRateAppLimited, t.FastOpenClientFail = b[7]&1 != 0, b[7]>>1&3
	t.RTO, t.ATO, t.SndMSS, t.RcvMSS = u32(8), u32(12), u32(16), u32(20)
	t.Unacked, t.Sacked, t.Lost, t.Retrans, t.Fackets = u32(24), u32(28), u32(32), u32(36), u32(40)
	t.LastDataSent, t.LastAckSent, t.LastDataRecv, t.LastAckRecv = u32(44), u32(48), u32(52), u32(56)
	t.PMTU, t.RcvSsthresh, t.RTT, t.RTTVar = u32(60), u32(64), u32(68), u32(72)
	t.SndSsthresh, t.SndCwnd, t.AdvMSS, t.Reordering = u32(76), u32(80), u32(84), u32(88)
	t.RcvRTT, t.RcvSpace, t.TotalRetrans = u32(92), u32(96), u32(100)
	t.PacingRate, t.MaxPacingRate, t.BytesAcked, t.BytesReceived = u64(104), u64(112), u64(120), u64(128)
	t.SegsOut, t.SegsIn = u32(136), u32(140)
	t.NotsentBytes, t.MinRTT, t.DataSegsIn, t.DataSegsOut = u32(144), u32(148), u32(152), u32(156)
	t.DeliveryRate = u64(160)
	t.BusyTime, t.RwndLimited, t.SndbufLimited = u64(168), u64(176), u64(184)
	t.Delivered, t.DeliveredCE = u32(192), u32(196)
	t.BytesSent, t.BytesRetrans = u64(200), u64(208)
	t.DSACKDups, t.ReordSeen = u32(216), u32(220)
	t.RcvOOOPack = u32(224)
	t.SndWnd, t.RcvWnd = u32(228), u32(232)
	t.Rehash = u32(236)
	t.TotalRTO, t.TotalRTORecoveries, t.TotalRTOTime = u16(240), u16(242), u32(244)
}

// tcpInfoLen is the size of the struct tcp_info TCPInfo decodes.
const tcpInfoLen = 248
