package sockdiag

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/nlkit/netlink"
)

// inetMsgLen is the size of struct inet_diag_msg; inetReqLen of struct
// inet_diag_req_v2; sockIDLen of struct inet_diag_sockid.
const (
	inetMsgLen = 72
	inetReqLen = 56
	sockIDLen  = 48
)

// SockID identifies an inet socket (struct inet_diag_sockid): its
// addresses and ports, its bound interface and the kernel's cookie. A raw
// socket's source port is its protocol (as ss shows it) and its
// destination port 0.
type SockID struct {
	Src, Dst  netip.AddrPort
	Interface uint32 // the bound interface's index, 0 if none
	Cookie    uint64 // the kernel's unique socket cookie
}

// appendSockID appends id as struct inet_diag_sockid for family.
func appendSockID(b []byte, family uint8, id SockID) []byte {
	b = binary.BigEndian.AppendUint16(b, id.Src.Port())
	b = binary.BigEndian.AppendUint16(b, id.Dst.Port())
	b = appendAddr(b, family, id.Src.Addr())
	b = appendAddr(b, family, id.Dst.Addr())
	b = binary.NativeEndian.AppendUint32(b, id.Interface)
	cookie := id.Cookie
	if cookie == 0 {
		cookie = ^uint64(0) // INET_DIAG_NOCOOKIE: match any
	}
	b = binary.NativeEndian.AppendUint32(b, uint32(cookie))
	return binary.NativeEndian.AppendUint32(b, uint32(cookie>>32))
}

func appendAddr(b []byte, family uint8, a netip.Addr) []byte {
	var raw [16]byte
	switch {
	case family == afInet && a.Is4():
		v := a.As4()
		copy(raw[:], v[:])
	case family == afInet6 && a.IsValid():
		raw = a.As16()
	}
	return append(b, raw[:]...)
}

// parseSockID reads struct inet_diag_sockid of family from b (48 bytes).
func parseSockID(b []byte, family uint8) SockID {
	var id SockID
	src, dst := addrOf(b[4:20], family), addrOf(b[20:36], family)
	id.Src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(b[0:2]))
	id.Dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(b[2:4]))
	id.Interface = binary.NativeEndian.Uint32(b[36:40])
	id.Cookie = uint64(binary.NativeEndian.Uint32(b[40:44])) | uint64(binary.NativeEndian.Uint32(b[44:48]))<<32
	return id
}

func addrOf(b []byte, family uint8) netip.Addr {
	switch family {
	case afInet:
		return netip.AddrFrom4([4]byte(b[:4]))
	case afInet6:
		return netip.AddrFrom16([16]byte(b[:16]))
	}
	return netip.Addr{}
}

// Family is an inet address family: IPv4 or IPv6.
type Family uint8

// Inet families.
const (
	IPv4 Family = afInet  // AF_INET
	IPv6 Family = afInet6 // AF_INET6
)

// String returns "inet" or "inet6".
func (f Family) String() string {
	switch f {
	case IPv4:
		return "inet"
	case IPv6:
		return "inet6"
	}
	return "family(" + itoa(uint64(f)) + ")"
}

// InetRequest selects inet sockets to list or destroy (struct
// inet_diag_req_v2 and its attributes).
type InetRequest struct {
	Family   Family // IPv4 or IPv6
	Protocol int    // ProtoTCP, ProtoUDP, ProtoRaw, ProtoMPTCP, ...
	// RawProtocol is, when Protocol is ProtoRaw, the protocol of the one
	// raw socket a request names (sdiag_raw_protocol: InetSocket,
	// Destroy); 0 means IPPROTO_RAW. Listings report raw sockets of
	// every protocol.
	RawProtocol uint8
	Extensions  Extensions // the extensions to report
	States      States     // the states to report; 0 means AllStates
	ID          SockID     // for a request about one socket (Socket, Destroy)
	// Filter, if set, is run by the kernel on each socket: only those it
	// accepts are reported. See Compile.
	Filter *Filter
}

// object names the request in errors.
func (r *InetRequest) object() string {
	return fmt.Sprintf("%s %s sockets", r.Family, protoName(r.Protocol))
}

// encode returns the request's payload.
func (r *InetRequest) encode(b []byte) ([]byte, error) {
	if r.Family != IPv4 && r.Family != IPv6 {
		return nil, invalid("%s: family must be IPv4 or IPv6", r.object())
	}
	if r.Protocol <= 0 || r.Protocol > 0xffff {
		return nil, invalid("%s: bad protocol", r.object())
	}
	states := r.States
	if states == 0 {
		states = AllStates
	}
	proto := uint8(r.Protocol)
	if r.Protocol > 0xff {
		proto = 0 // carried by INET_DIAG_REQ_PROTOCOL
	}
	pad := uint8(0)
	if r.Protocol == ProtoRaw {
		pad = r.RawProtocol
		if pad == 0 {
			pad = ProtoRaw
		}
	}
	b = append(b, uint8(r.Family), proto, uint8(r.Extensions), pad)
	b = binary.NativeEndian.AppendUint32(b, uint32(states))
	b = appendSockID(b, uint8(r.Family), r.ID)
	if r.Protocol > 0xff {
		b = appendAttrHeader(b, reqProtocol, 4)
		b = binary.NativeEndian.AppendUint32(b, uint32(r.Protocol))
	}
	if r.Filter != nil && len(r.Filter.Bytecode) > 0 {
		if len(r.Filter.Bytecode) > 0xffff-4 {
			return nil, invalid("%s: filter bytecode too long (%d bytes)", r.object(), len(r.Filter.Bytecode))
		}
		b = appendAttrHeader(b, reqBytecode, len(r.Filter.Bytecode))
		b = append(b, r.Filter.Bytecode...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	return b, nil
}

func appendAttrHeader(b []byte, typ uint16, n int) []byte {
	b = binary.NativeEndian.AppendUint16(b, uint16(4+n))
	return binary.NativeEndian.AppendUint16(b, typ)
}

func protoName(p int) string {
	switch p {
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoRaw:
		return "raw"
	case ProtoMPTCP:
		return "mptcp"
	case 136:
		return "udplite"
	case 132:
		return "sctp"
	}
	return "protocol " + itoa(uint64(p))
}

// InetSocket is an inet socket as the kernel reports it (struct
// inet_diag_msg and its attributes). A socket yielded by a listing
// aliases the receive buffer (Attrs, ULP, Cong and the raw info slices):
// call Clone to keep it past the iteration.
type InetSocket struct {
	Family  Family
	State   State
	Timer   uint8  // the pending timer: 0 none, 1 retransmit, 2 keepalive, 3 time-wait, 4 zero window probe
	Retrans uint8  // retransmissions (or probes) the timer has made
	ID      SockID // addresses, ports, interface, cookie
	Expires uint32 // milliseconds until the timer fires
	RQueue  uint32 // bytes in the receive queue (listeners: the accept queue's length)
	WQueue  uint32 // bytes in the send queue (listeners: the accept queue's limit)
	UID     uint32 // the owner's user id
	Inode   uint32 // the socket's inode number

	// Attrs holds every attribute of the reply, in order, as the kernel
	// sent it: those decoded below and those the package does not know.
	Attrs []byte
	// present has bit n set when attribute n came (n < 64).
	present uint64

	// Protocol is the socket's protocol: the request's, or for raw
	// sockets the one the kernel reported (INET_DIAG_PROTOCOL).
	Protocol uint16

	MemInfo   MemInfo   // AttrMemInfo
	TCPInfo   TCPInfo   // AttrInfo of a TCP socket
	MPTCPInfo MPTCPInfo // AttrInfo of an MPTCP socket
	Info      []byte    // AttrInfo as sent (tcp_info for TCP, mptcp_info for MPTCP)
	Cong      []byte    // AttrCong: the congestion control algorithm's name
	TOS       uint8     // AttrTOS
	TClass    uint8     // AttrTClass
	SkMemInfo SkMemInfo // AttrSkMemInfo
	Shutdown  uint8     // AttrShutdown: bit 0 receive, bit 1 send shut down
	V6Only    bool      // AttrSkV6Only
	Mark      uint32    // AttrMark
	ClassID   uint32    // AttrClassID
	CgroupID  uint64    // AttrCgroupID
	ULP       []byte    // AttrULPInfo's name ("tls", "mptcp")
	VegasInfo []byte    // AttrVegasInfo, raw struct tcpvegas_info
	DCTCPInfo []byte    // AttrDCTCPInfo, raw struct tcp_dctcp_info
	BBRInfo   []byte    // AttrBBRInfo, raw struct tcp_bbr_info
	SockOpt   []byte    // AttrSockOpt, raw struct inet_diag_sockopt
}

// Has reports whether the kernel sent attribute a.
func (s *InetSocket) Has(a Attr) bool { return a < 64 && s.present&(1<<a) != 0 }

// CongName returns the congestion control algorithm's name, "" if none
// was reported.
func (s *InetSocket) CongName() string { return string(s.Cong) }

// Clone returns a copy of s that owns its memory.
func (s *InetSocket) Clone() InetSocket {
	c := *s
	c.Attrs = append([]byte(nil), s.Attrs...)
	c.Info = clone(s.Info)
	c.Cong = clone(s.Cong)
	c.ULP = clone(s.ULP)
	c.VegasInfo = clone(s.VegasInfo)
	c.DCTCPInfo = clone(s.DCTCPInfo)
	c.BBRInfo = clone(s.BBRInfo)
	c.SockOpt = clone(s.SockOpt)
	return c
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// Parse decodes b, the payload of a SOCK_DIAG_BY_FAMILY reply for an inet
// socket, into s, which then aliases b. protocol is the request's, used
// to tell what AttrInfo holds when the kernel did not send
// AttrProtocol: TCPInfo for TCP, MPTCPInfo for MPTCP. Unknown attributes
// stay in Attrs; an attribute of a known type but a size the package
// cannot read (an mptcp_info shorter than the first kernel's) is an error
// wrapping netlink.ErrMalformed.
func (s *InetSocket) Parse(b []byte, protocol int) error {
	if len(b) < inetMsgLen {
		return fmt.Errorf("sockdiag: inet_diag_msg of %d bytes, want %d: %w", len(b), inetMsgLen, netlink.ErrMalformed)
	}
	*s = InetSocket{
		Family:  Family(b[0]),
		State:   State(b[1]),
		Timer:   b[2],
		Retrans: b[3],
		ID:      parseSockID(b[4:52], b[0]),
		Expires: binary.NativeEndian.Uint32(b[52:]),
		RQueue:  binary.NativeEndian.Uint32(b[56:]),
		WQueue:  binary.NativeEndian.Uint32(b[60:]),
		UID:     binary.NativeEndian.Uint32(b[64:]),
		Inode:   binary.NativeEndian.Uint32(b[68:]),
		Attrs:   b[inetMsgLen:],
	}
	if protocol > 0 && protocol <= 0xffff {
		s.Protocol = uint16(protocol)
	}
	var info []byte
	for a, err := range netlink.Attrs(s.Attrs) {
		if err != nil {
			return fmt.Errorf("sockdiag: inet socket attributes: %w", err)
		}
		if err := s.attr(a); err != nil {
			return err
		}
		if Attr(a.Type) == AttrInfo {
			info = a.Data
		}
	}
	switch {
	case info == nil:
	case s.Protocol == ProtoTCP:
		s.TCPInfo.parse(info)
	case s.Protocol == ProtoMPTCP:
		return s.MPTCPInfo.parse(info)
	}
	return nil
}

// attr decodes one attribute.
func (s *InetSocket) attr(a netlink.Attr) error {
	t := Attr(a.Type)
	if t < 64 {
		s.present |= 1 << t
	}
	d := a.Data
	switch t {
	case AttrMemInfo:
		if len(d) < 16 {
			return attrSize(t, len(d))
		}
		s.MemInfo = MemInfo{
			RMem: binary.NativeEndian.Uint32(d[0:]),
			WMem: binary.NativeEndian.Uint32(d[4:]),
			FMem: binary.NativeEndian.Uint32(d[8:]),
			TMem: binary.NativeEndian.Uint32(d[12:]),
		}
	case AttrInfo:
		s.Info = d
	case AttrCong:
		s.Cong = cstring(d)
	case AttrTOS, AttrTClass, AttrShutdown, AttrSkV6Only:
		if len(d) < 1 {
			return attrSize(t, len(d))
		}
		switch t {
		case AttrTOS:
			s.TOS = d[0]
		case AttrTClass:
			s.TClass = d[0]
		case AttrShutdown:
			s.Shutdown = d[0]
		default:
			s.V6Only = d[0] != 0
		}
	case AttrSkMemInfo:
		s.SkMemInfo.parse(d)
	case AttrProtocol:
		if len(d) < 1 {
			return attrSize(t, len(d))
		}
		if s.Protocol <= 0xff {
			// Only the low byte of a larger protocol (MPTCP) is sent.
			s.Protocol = uint16(d[0])
		}
	case AttrMark, AttrClassID:
		if len(d) < 4 {
			return attrSize(t, len(d))
		}
		if t == AttrMark {
			s.Mark = binary.NativeEndian.Uint32(d)
		} else {
			s.ClassID = binary.NativeEndian.Uint32(d)
		}
	case AttrCgroupID:
		if len(d) < 8 {
			return attrSize(t, len(d))
		}
		s.CgroupID = binary.NativeEndian.Uint64(d)
	case AttrULPInfo:
		for u, err := range a.Attrs() {
			if err != nil {
				return fmt.Errorf("sockdiag: inet socket attribute %d: %w", t, err)
			}
			if u.Type == ulpInfoName {
				s.ULP = cstring(u.Data)
			}
		}
	case AttrVegasInfo:
		s.VegasInfo = d
	case AttrDCTCPInfo:
		s.DCTCPInfo = d
	case AttrBBRInfo:
		s.BBRInfo = d
	case AttrSockOpt:
		s.SockOpt = d
	}
	return nil
}

func attrSize(t Attr, n int) error {
	return fmt.Errorf("sockdiag: inet socket attribute %d of %d bytes: %w", t, n, netlink.ErrMalformed)
}

// cstring returns b up to its first NUL.
func cstring(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i:i]
		}
	}
	return b[:len(b):len(b)]
}

// MemInfo is struct inet_diag_meminfo: the socket's memory in bytes.
type MemInfo struct {
	RMem, WMem, FMem, TMem uint32
}

// SkMemInfo is the socket's sk_meminfo counters (SK_MEMINFO_*), as ss
// prints them in skmem:(r,rb,t,tb,f,w,o,bl,d).
type SkMemInfo struct {
	RMemAlloc  uint32 // r: receive queue bytes allocated
	RcvBuf     uint32 // rb: receive buffer size
	WMemAlloc  uint32 // t: send queue bytes allocated
	SndBuf     uint32 // tb: send buffer size
	FwdAlloc   uint32 // f: forward-allocated bytes
	WMemQueued uint32 // w: bytes queued to send
	OptMem     uint32 // o: option memory
	Backlog    uint32 // bl: backlog bytes
	Drops      uint32 // d: packets dropped
	N          int    // how many counters the kernel sent
}

// parse reads as many counters as d holds.
func (m *SkMemInfo) parse(d []byte) {
	*m = SkMemInfo{}
	fields := [...]*uint32{&m.RMemAlloc, &m.RcvBuf, &m.WMemAlloc, &m.SndBuf, &m.FwdAlloc, &m.WMemQueued, &m.OptMem, &m.Backlog, &m.Drops}
	for i := 0; i < len(fields) && 4*i+4 <= len(d); i++ {
		*fields[i] = binary.NativeEndian.Uint32(d[4*i:])
		m.N = i + 1
	}
}
