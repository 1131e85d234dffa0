package sockdiag

import "encoding/binary"

// BBRInfo is struct tcp_bbr_info: what BBR reports of a socket
// (AttrBBRInfo).
type BBRInfo struct {
	Bandwidth  uint64 // bytes per second
	MinRTT     uint32 // microseconds
	PacingGain uint32 // fixed point, 256 is 1.0
	CwndGain   uint32 // fixed point, 256 is 1.0
}

// BBR returns the socket's BBR info, and whether the kernel sent it.
func (s *InetSocket) BBR() (BBRInfo, bool) {
	d := s.BBRInfo
	if len(d) < 20 {
		return BBRInfo{}, false
	}
	return BBRInfo{
		Bandwidth:  uint64(binary.NativeEndian.Uint32(d)) | uint64(binary.NativeEndian.Uint32(d[4:]))<<32,
		MinRTT:     binary.NativeEndian.Uint32(d[8:]),
		PacingGain: binary.NativeEndian.Uint32(d[12:]),
		CwndGain:   binary.NativeEndian.Uint32(d[16:]),
	}, true
}

// VegasInfo is struct tcpvegas_info: what Vegas (and the algorithms that
// report as it: Veno, Westwood, ...) report (AttrVegasInfo).
type VegasInfo struct {
	Enabled  uint32
	RTTCount uint32
	RTT      uint32 // microseconds
	MinRTT   uint32 // microseconds
}

// Vegas returns the socket's Vegas info, and whether the kernel sent it.
func (s *InetSocket) Vegas() (VegasInfo, bool) {
	d := s.VegasInfo
	if len(d) < 16 {
		return VegasInfo{}, false
	}
	u := func(o int) uint32 { return binary.NativeEndian.Uint32(d[o:]) }
	return VegasInfo{Enabled: u(0), RTTCount: u(4), RTT: u(8), MinRTT: u(12)}, true
}

// DCTCPInfo is struct tcp_dctcp_info (AttrDCTCPInfo).
type DCTCPInfo struct {
	Enabled uint16
	CEState uint16
	Alpha   uint32
	ABECN   uint32
	ABTotal uint32
}

// DCTCP returns the socket's DCTCP info, and whether the kernel sent it.
func (s *InetSocket) DCTCP() (DCTCPInfo, bool) {
	d := s.DCTCPInfo
	if len(d) < 16 {
		return DCTCPInfo{}, false
	}
	return DCTCPInfo{
		Enabled: binary.NativeEndian.Uint16(d),
		CEState: binary.NativeEndian.Uint16(d[2:]),
		Alpha:   binary.NativeEndian.Uint32(d[4:]),
		ABECN:   binary.NativeEndian.Uint32(d[8:]),
		ABTotal: binary.NativeEndian.Uint32(d[12:]),
	}, true
}
