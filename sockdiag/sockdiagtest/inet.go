package sockdiagtest

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/nltest"
	"github.com/nlkit/netlink/sockdiag"
)

// InetSocket is an inet socket of the fake kernel: what the kernel
// reports of it (see sockdiag.InetSocket) and what its lookups and
// filters see.
type InetSocket struct {
	// Protocol is the table the socket is in: sockdiag.ProtoTCP,
	// ProtoUDP, ProtoMPTCP, 136 (UDP-Lite), or ProtoRaw for a raw socket
	// of any protocol.
	Protocol int
	// RawProtocol is a raw socket's own protocol (IPPROTO_ICMP, ...):
	// its source port, as the kernel reports it, and AttrProtocol.
	RawProtocol uint8

	Family    sockdiag.Family
	State     sockdiag.State
	Src, Dst  netip.AddrPort // the local and the remote address; the remote is the zero port and address when unconnected
	Interface uint32         // the bound interface's index, 0 if none
	Cookie    uint64         // AddInet gives one when 0
	Inode     uint32         // AddInet gives one when 0
	UID       uint32
	Timer     uint8
	Retrans   uint8
	Expires   uint32
	RQueue    uint32
	WQueue    uint32

	// Autobound says the kernel chose the source port (the socket's
	// userlocks lack SOCK_BINDPORT_LOCK): what the "autobound" filter
	// selects. So are a client's that did not bind one and a TCP
	// connection a listener accepted (it does not inherit the
	// listener's lock). A socket so bound goes when destroyed; one bound
	// by its owner stays, closed.
	Autobound bool
	// Token is an MPTCP socket's connection token, by which a request
	// for one socket (its cookie's low 32 bits) finds it.
	Token uint32

	Mark      uint32 // AttrMark, sent with CAP_NET_ADMIN
	CgroupID  uint64 // AttrCgroupID
	ClassID   uint32 // AttrClassID: the net_cls class id, or else the priority; sent with the TClass extension
	TOS       uint8  // AttrTOS
	TClass    uint8  // AttrTClass (IPv6)
	V6Only    bool   // AttrSkV6Only (IPv6 listeners and closed sockets)
	Shutdown  uint8  // AttrShutdown
	MemInfo   sockdiag.MemInfo
	SkMemInfo sockdiag.SkMemInfo // its nine counters are sent
	// TCPInfo is a TCP socket's tcp_info (AttrInfo). When nil, a zero
	// one is sent, with State set.
	TCPInfo *sockdiag.TCPInfo
	// Info, if not nil, is sent as AttrInfo as it is, in place of
	// TCPInfo: the exact bytes a kernel sent, or an MPTCP socket's
	// mptcp_info (without it an MPTCP socket sends no AttrInfo).
	Info []byte
	Cong string // the congestion control's name (AttrCong), TCP; none when ""
	ULP  string // the upper layer protocol (AttrULPInfo), TCP; none when ""
	// CCInfo is the congestion control's own info, sent as attribute
	// CCInfoAttr (sockdiag.AttrVegasInfo, AttrDCTCPInfo or AttrBBRInfo)
	// when the request asks for the Vegas extension.
	CCInfo     []byte
	CCInfoAttr sockdiag.Attr
	// SockOpt is struct inet_diag_sockopt (AttrSockOpt); two zero bytes
	// when nil.
	SockOpt []byte
}

// Clone returns a copy of s that shares no memory with it.
func (s *InetSocket) Clone() InetSocket {
	c := *s
	if s.TCPInfo != nil {
		ti := *s.TCPInfo
		c.TCPInfo = &ti
	}
	c.Info = clone(s.Info)
	c.CCInfo = clone(s.CCInfo)
	c.SockOpt = clone(s.SockOpt)
	return c
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// full reports whether s is a full socket, not a time-wait or
// request minisocket, which the kernel reports with less.
func (s *InetSocket) full() bool {
	return s.State != sockdiag.StateTimeWait && s.State != sockdiag.StateNewSynRecv
}

// icsk reports whether s is a connection-oriented socket, which the
// kernel reports with its timer, tcp_info and congestion control.
func (s *InetSocket) icsk() bool {
	return s.Protocol == sockdiag.ProtoTCP || s.Protocol == sockdiag.ProtoMPTCP
}

// FromListed returns the socket s of protocol (the request's: ProtoTCP,
// ProtoRaw, ...) as a kernel listed it, for the fake to report as the
// kernel did: its attributes as sent, tcp_info in Info as its bytes. What
// a listing does not tell (Autobound, Token) is left zero. It is how a
// test seeds the fake with the sockets of a real host.
func FromListed(protocol int, s *sockdiag.InetSocket) InetSocket {
	f := InetSocket{
		Protocol: protocol, Family: s.Family, State: s.State,
		Src: s.ID.Src, Dst: s.ID.Dst, Interface: s.ID.Interface, Cookie: s.ID.Cookie,
		Inode: s.Inode, UID: s.UID, Timer: s.Timer, Retrans: s.Retrans, Expires: s.Expires,
		RQueue: s.RQueue, WQueue: s.WQueue,
		Mark: s.Mark, CgroupID: s.CgroupID, ClassID: s.ClassID, TOS: s.TOS, TClass: s.TClass,
		V6Only: s.V6Only, Shutdown: s.Shutdown, MemInfo: s.MemInfo, SkMemInfo: s.SkMemInfo,
		Info: clone(s.Info), Cong: string(s.Cong), ULP: string(s.ULP), SockOpt: clone(s.SockOpt),
	}
	if protocol == sockdiag.ProtoRaw {
		f.RawProtocol = uint8(s.Protocol)
	}
	for _, cc := range []struct {
		a sockdiag.Attr
		b []byte
	}{{sockdiag.AttrVegasInfo, s.VegasInfo}, {sockdiag.AttrDCTCPInfo, s.DCTCPInfo}, {sockdiag.AttrBBRInfo, s.BBRInfo}} {
		if cc.b != nil {
			f.CCInfo, f.CCInfoAttr = clone(cc.b), cc.a
		}
	}
	return f
}

// inetReq is a parsed struct inet_diag_req_v2 and its attributes.
type inetReq struct {
	family   uint8
	protocol int
	ext      sockdiag.Extensions
	raw      uint8 // sdiag_raw_protocol (pad)
	states   sockdiag.States
	src, dst netip.AddrPort
	ifindex  uint32
	cookie   uint64
	bytecode []byte // nil: none
}

// parseInetReq reads the request as the kernel's inet_diag_parse_attrs.
func parseInetReq(b []byte) (inetReq, error) {
	r := inetReq{
		family: b[0], protocol: int(b[1]), ext: sockdiag.Extensions(b[2]), raw: b[3],
		states: sockdiag.States(binary.NativeEndian.Uint32(b[4:])),
	}
	id := b[8:56]
	src, dst := addrOf(id[4:20], r.family), addrOf(id[20:36], r.family)
	r.src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(id[0:]))
	r.dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(id[2:]))
	r.ifindex = binary.NativeEndian.Uint32(id[36:])
	r.cookie = uint64(binary.NativeEndian.Uint32(id[40:])) | uint64(binary.NativeEndian.Uint32(id[44:]))<<32
	for a, err := range netlink.Attrs(b[inetReqLen:]) {
		if err != nil {
			break // the kernel walks the attributes that fit
		}
		switch a.Type & 0x3fff {
		case reqProtocol:
			if len(a.Data) != 4 {
				return r, syscall.EINVAL
			}
			r.protocol = int(binary.NativeEndian.Uint32(a.Data))
		case reqBytecode:
			r.bytecode = a.Data
			if r.bytecode == nil {
				r.bytecode = []byte{}
			}
		}
	}
	return r, nil
}

func addrOf(b []byte, family uint8) netip.Addr {
	if family == afInet {
		return netip.AddrFrom4([4]byte(b[:4]))
	}
	return netip.AddrFrom16([16]byte(b[:16]))
}

// handled reports whether the kernel has a sock_diag handler for
// protocol, and whether it can destroy.
func handled(protocol int) (ok, destroy bool) {
	switch protocol {
	case sockdiag.ProtoTCP, sockdiag.ProtoUDP, protoUDPLite, sockdiag.ProtoRaw:
		return true, true
	case sockdiag.ProtoMPTCP:
		return true, false
	}
	return false, false
}

func (k *Kernel) inetRequest(req netlink.Message, dump bool) ([]netlink.Message, error) {
	r, err := parseInetReq(req.Data)
	if err != nil {
		return nil, err
	}
	if dump {
		var prog program
		if r.bytecode != nil {
			prog = newProgram(r.bytecode)
			if err := prog.audit(!k.noNetAdmin); err != nil {
				return nil, err
			}
		}
		if ok, _ := handled(r.protocol); !ok {
			// The dump starts, and its first part fails.
			return nil, &nltest.Error{Errno: syscall.ENOENT, InDone: true}
		}
		return k.inetDump(&r, prog), nil
	}
	ok, canDestroy := handled(r.protocol)
	if !ok {
		return nil, syscall.ENOENT
	}
	if req.Header.Type == msgDestroy && !canDestroy {
		return nil, syscall.EOPNOTSUPP
	}
	destroy := req.Header.Type == msgDestroy
	i, err := k.lookup(&r, destroy)
	if err != nil {
		return nil, err
	}
	if !destroy {
		return []netlink.Message{reply(k.appendInet(nil, k.inet[i], r.ext))}, nil
	}
	if k.noNetAdmin {
		return nil, syscall.EPERM
	}
	s := k.inet[i]
	switch {
	case s.Autobound || !s.full() || s.Protocol == sockdiag.ProtoRaw:
		// The socket loses its port, and with it its place in the tables.
		k.inet = slices.Delete(k.inet, i, i+1)
	case s.Protocol == sockdiag.ProtoTCP:
		// tcp_done: closed, it keeps the port its owner bound.
		s.State = sockdiag.StateClose
	default:
		// udp_abort disconnects, and unbinds from the device; the port
		// its owner bound stays hashed. It clears the IPv4 peer, of an
		// IPv6 socket the port alone.
		s.State, s.Interface = sockdiag.StateClose, 0
		s.Dst = netip.AddrPortFrom(s.Dst.Addr(), 0)
		if s.Family == sockdiag.IPv4 {
			s.Dst = netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
		}
	}
	return nil, nil
}

// inetDump lists the sockets r selects: TCP listeners first, as the
// kernel walks its listening hash before the established one.
func (k *Kernel) inetDump(r *inetReq, prog program) []netlink.Message {
	var out []netlink.Message
	states := r.states
	if states.Has(sockdiag.StateSynRecv) {
		states |= sockdiag.StatesOf(sockdiag.StateNewSynRecv)
	}
	listeners := func(s *InetSocket) bool { return s.icsk() && s.State == sockdiag.StateListen }
	for pass := 0; pass < 2; pass++ {
		for _, s := range k.inet {
			if listeners(s) != (pass == 0) {
				continue
			}
			if s.Protocol != r.protocol || uint8(s.Family) != r.family {
				continue
			}
			switch {
			case s.Protocol == sockdiag.ProtoTCP && (s.State == sockdiag.StateClose || s.State == sockdiag.StateBoundInactive):
				// Listed from the bind table, when asked for.
				if !states.Has(sockdiag.StateBoundInactive) || s.Src.Port() == 0 {
					continue
				}
			case s.Protocol != sockdiag.ProtoRaw && !states.Has(s.State):
				continue
			}
			if listeners(s) && r.dst.Port() != 0 {
				continue
			}
			if r.src.Port() != 0 && r.src.Port() != s.Src.Port() || r.dst.Port() != 0 && r.dst.Port() != s.Dst.Port() {
				continue
			}
			if prog.n > 0 && !prog.run(s.entry()) {
				continue
			}
			out = append(out, reply(k.appendInet(nil, s, r.ext)))
		}
	}
	return out
}

// entry returns what the bytecode sees of s.
func (s *InetSocket) entry() *entry {
	e := &entry{
		family: uint8(s.Family), sport: s.Src.Port(), dport: s.Dst.Port(),
		autobound: s.Autobound || !s.full(), ifindex: s.Interface, mark: s.Mark,
	}
	if s.full() {
		e.cgroup = s.CgroupID
	}
	put := func(dst *[16]byte, a netip.Addr) {
		if s.Family == sockdiag.IPv4 {
			v := a.Unmap().As4()
			copy(dst[:], v[:])
		} else {
			*dst = a.As16()
		}
	}
	put(&e.saddr, s.Src.Addr())
	put(&e.daddr, s.Dst.Addr())
	return e
}

// appendInet appends s's reply (struct inet_diag_msg and its attributes)
// to b, as the kernel's inet_sk_diag_fill, inet_twsk_diag_fill and
// inet_req_diag_fill.
func (k *Kernel) appendInet(b []byte, s *InetSocket, ext sockdiag.Extensions) []byte {
	state, uid, inode, rq, wq := s.State, s.UID, s.Inode, s.RQueue, s.WQueue
	if state == sockdiag.StateBoundInactive {
		state = sockdiag.StateClose
	}
	if !s.full() {
		uid, inode, rq, wq = 0, 0, 0, 0
		if state == sockdiag.StateNewSynRecv {
			state = sockdiag.StateSynRecv
		}
	}
	timer, retrans, expires := s.Timer, s.Retrans, s.Expires
	if !s.icsk() && s.full() {
		timer, retrans, expires = 0, 0, 0
	}
	b = append(b, uint8(s.Family), uint8(state), timer, retrans)
	b = binary.BigEndian.AppendUint16(b, s.Src.Port())
	b = binary.BigEndian.AppendUint16(b, s.Dst.Port())
	b = appendAddr(b, s.Family, s.Src.Addr())
	b = appendAddr(b, s.Family, s.Dst.Addr())
	b = binary.NativeEndian.AppendUint32(b, s.Interface)
	b = binary.NativeEndian.AppendUint32(b, uint32(s.Cookie))
	b = binary.NativeEndian.AppendUint32(b, uint32(s.Cookie>>32))
	for _, v := range []uint32{expires, rq, wq, uid, inode} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	netAdmin := !k.noNetAdmin
	u8 := func(v uint8) []byte { return []byte{v} }
	u32 := func(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }
	if !s.full() { // a time-wait or request socket: its mark alone

		if netAdmin {
			b = appendAttr(b, uint16(sockdiag.AttrMark), u32(s.Mark))
		}
		return b
	}
	has := func(a sockdiag.Attr) bool { return ext&sockdiag.Ext(a) != 0 }
	b = appendAttr(b, uint16(sockdiag.AttrShutdown), u8(s.Shutdown))
	if has(sockdiag.AttrTOS) {
		b = appendAttr(b, uint16(sockdiag.AttrTOS), u8(s.TOS))
	}
	if s.Family == sockdiag.IPv6 {
		if has(sockdiag.AttrTClass) {
			b = appendAttr(b, uint16(sockdiag.AttrTClass), u8(s.TClass))
		}
		if s.State == sockdiag.StateListen || s.State == sockdiag.StateClose {
			v := uint8(0)
			if s.V6Only {
				v = 1
			}
			b = appendAttr(b, uint16(sockdiag.AttrSkV6Only), u8(v))
		}
	}
	if netAdmin {
		b = appendAttr(b, uint16(sockdiag.AttrMark), u32(s.Mark))
	}
	if has(sockdiag.AttrTClass) {
		b = appendAttr(b, uint16(sockdiag.AttrClassID), u32(s.ClassID))
	}
	b = appendAttr(b, uint16(sockdiag.AttrCgroupID), binary.NativeEndian.AppendUint64(nil, s.CgroupID))
	opt := s.SockOpt
	if opt == nil {
		opt = []byte{0, 0}
	}
	b = appendAttr(b, uint16(sockdiag.AttrSockOpt), opt)
	if has(sockdiag.AttrMemInfo) {
		m := s.MemInfo
		v := binary.NativeEndian.AppendUint32(nil, m.RMem)
		v = binary.NativeEndian.AppendUint32(v, m.WMem)
		v = binary.NativeEndian.AppendUint32(v, m.FMem)
		v = binary.NativeEndian.AppendUint32(v, m.TMem)
		b = appendAttr(b, uint16(sockdiag.AttrMemInfo), v)
	}
	if has(sockdiag.AttrSkMemInfo) {
		b = appendAttr(b, uint16(sockdiag.AttrSkMemInfo), appendSkMemInfo(nil, s.SkMemInfo))
	}
	if s.Protocol == sockdiag.ProtoRaw {
		b = appendAttr(b, uint16(sockdiag.AttrProtocol), u8(s.RawProtocol))
	}
	if !s.icsk() {
		return b
	}
	if has(sockdiag.AttrInfo) {
		switch {
		case s.Info != nil:
			b = appendAttr(b, uint16(sockdiag.AttrInfo), s.Info)
		case s.Protocol == sockdiag.ProtoTCP:
			ti := sockdiag.TCPInfo{State: uint8(s.State)}
			if s.TCPInfo != nil {
				ti = *s.TCPInfo
			}
			b = appendAttr(b, uint16(sockdiag.AttrInfo), appendTCPInfo(nil, &ti))
		}
	}
	if has(sockdiag.AttrCong) && s.Cong != "" {
		b = appendAttr(b, uint16(sockdiag.AttrCong), append([]byte(s.Cong), 0))
	}
	if has(sockdiag.AttrInfo) && netAdmin && s.ULP != "" && s.Protocol == sockdiag.ProtoTCP {
		b = appendAttr(b, uint16(sockdiag.AttrULPInfo), appendAttr(nil, 1 /* INET_ULP_INFO_NAME */, append([]byte(s.ULP), 0)))
	}
	if s.State < sockdiag.StateTimeWait && has(sockdiag.AttrVegasInfo) && s.CCInfo != nil {
		b = appendAttr(b, uint16(s.CCInfoAttr), s.CCInfo)
	}
	return b
}

func appendAddr(b []byte, family sockdiag.Family, a netip.Addr) []byte {
	var raw [16]byte
	switch {
	case family == sockdiag.IPv4 && a.IsValid():
		v := a.Unmap().As4()
		copy(raw[:], v[:])
	case family == sockdiag.IPv6 && a.IsValid():
		raw = a.As16()
	}
	return append(b, raw[:]...)
}

// appendSkMemInfo appends the nine SK_MEMINFO_* counters.
func appendSkMemInfo(b []byte, m sockdiag.SkMemInfo) []byte {
	for _, v := range []uint32{m.RMemAlloc, m.RcvBuf, m.WMemAlloc, m.SndBuf, m.FwdAlloc, m.WMemQueued, m.OptMem, m.Backlog, m.Drops} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// appendTCPInfo appends t as struct tcp_info, laid out as
// sockdiag.TCPInfo reads it (248 bytes).
func appendTCPInfo(b []byte, t *sockdiag.TCPInfo) []byte {
	var v [248]byte
	u16 := func(o int, x uint16) { binary.NativeEndian.PutUint16(v[o:], x) }
	u32 := func(o int, x uint32) { binary.NativeEndian.PutUint32(v[o:], x) }
	u64 := func(o int, x uint64) { binary.NativeEndian.PutUint64(v[o:], x) }
	v[0], v[1], v[2], v[3], v[4], v[5] = t.State, t.CAState, t.Retransmits, t.Probes, t.Backoff, t.Options
	v[6] = t.SndWScale&0xf | t.RcvWScale<<4
	v[7] = t.FastOpenClientFail & 3 << 1
	if t.DeliveryRateAppLimited {
		v[7] |= 1
	}
	for i, x := range []uint32{t.RTO, t.ATO, t.SndMSS, t.RcvMSS, t.Unacked, t.Sacked, t.Lost, t.Retrans, t.Fackets,
		t.LastDataSent, t.LastAckSent, t.LastDataRecv, t.LastAckRecv, t.PMTU, t.RcvSsthresh, t.RTT, t.RTTVar,
		t.SndSsthresh, t.SndCwnd, t.AdvMSS, t.Reordering, t.RcvRTT, t.RcvSpace, t.TotalRetrans} {
		u32(8+4*i, x)
	}
	u64(104, t.PacingRate)
	u64(112, t.MaxPacingRate)
	u64(120, t.BytesAcked)
	u64(128, t.BytesReceived)
	for i, x := range []uint32{t.SegsOut, t.SegsIn, t.NotsentBytes, t.MinRTT, t.DataSegsIn, t.DataSegsOut} {
		u32(136+4*i, x)
	}
	u64(160, t.DeliveryRate)
	u64(168, t.BusyTime)
	u64(176, t.RwndLimited)
	u64(184, t.SndbufLimited)
	u32(192, t.Delivered)
	u32(196, t.DeliveredCE)
	u64(200, t.BytesSent)
	u64(208, t.BytesRetrans)
	for i, x := range []uint32{t.DSACKDups, t.ReordSeen, t.RcvOOOPack, t.SndWnd, t.RcvWnd, t.Rehash} {
		u32(216+4*i, x)
	}
	u16(240, t.TotalRTO)
	u16(242, t.TotalRTORecoveries)
	u32(244, t.TotalRTOTime)
	return append(b, v[:]...)
}

// view returns s's addresses as a lookup of the IPv4 tables (v4) or the
// IPv6 ones sees them, and whether s is in those tables: an IPv6 socket
// is in the IPv4 ones, unless v6only, with its wildcard or v4-mapped
// addresses.
func (s *InetSocket) view(v4 bool) (src, dst netip.Addr, ok bool) {
	src, dst = s.Src.Addr(), s.Dst.Addr()
	switch {
	case !v4:
		return src, dst, s.Family == sockdiag.IPv6
	case s.Family == sockdiag.IPv4:
		return src.Unmap(), dst.Unmap(), true
	case s.V6Only:
		return src, dst, false
	}
	four := func(a netip.Addr) (netip.Addr, bool) {
		switch {
		case !a.IsValid() || a.IsUnspecified():
			return netip.IPv4Unspecified(), true
		case a.Is4In6():
			return a.Unmap(), true
		}
		return a, false
	}
	src, ok1 := four(src)
	dst, ok2 := four(dst)
	return src, dst, ok1 && ok2
}

// devOK reports whether a socket bound to bound is seen by a lookup on
// interface dif.
func devOK(bound, dif uint32) bool { return bound == 0 || bound == dif }

func unspecified(a netip.Addr) bool { return !a.IsValid() || a.IsUnspecified() }

// lookup finds the socket a request for one socket names, as the kernel's
// handler for its protocol does, and returns its index.
func (k *Kernel) lookup(r *inetReq, destroy bool) (int, error) {
	v4 := r.family == afInet
	local, remote := r.src, r.dst
	if r.family == afInet6 && r.src.Addr().Is4In6() && r.dst.Addr().Is4In6() &&
		(r.protocol == sockdiag.ProtoTCP || destroy && r.protocol != sockdiag.ProtoRaw) {
		v4 = true
		local = netip.AddrPortFrom(local.Addr().Unmap(), local.Port())
		remote = netip.AddrPortFrom(remote.Addr().Unmap(), remote.Port())
	}
	cookieOK := func(s *InetSocket) bool { return r.cookie == ^uint64(0) || r.cookie == s.Cookie }
	switch r.protocol {
	case sockdiag.ProtoMPTCP:
		for i, s := range k.inet {
			if s.Protocol == r.protocol && s.Token == uint32(r.cookie) {
				return i, nil
			}
		}
		return -1, syscall.ENOENT
	case sockdiag.ProtoRaw:
		for i, s := range k.inet {
			if s.Protocol != r.protocol || uint8(s.Family) != r.family || s.RawProtocol != r.raw {
				continue
			}
			src, dst := s.Src.Addr(), s.Dst.Addr()
			if (unspecified(dst) || dst == remote.Addr()) && (unspecified(src) || src == local.Addr()) && devOK(s.Interface, r.ifindex) {
				return i, nil
			}
		}
		return -1, syscall.ENOENT
	case sockdiag.ProtoUDP, protoUDPLite:
		if !destroy {
			local, remote = remote, local // udp_dump_one's swap
		}
		i := k.udpLookup(r.protocol, v4, local, remote, r.ifindex)
		switch {
		case i < 0:
			return -1, syscall.ENOENT
		case !cookieOK(k.inet[i]) && destroy:
			return -1, syscall.ENOENT
		case !cookieOK(k.inet[i]):
			return -1, syscall.ESTALE
		}
		return i, nil
	}
	// TCP: the established table, then the listeners (a closed socket
	// is in neither).
	i := slices.IndexFunc(k.inet, func(s *InetSocket) bool {
		if s.Protocol != r.protocol || s.State == sockdiag.StateListen || s.State == sockdiag.StateClose ||
			s.State == sockdiag.StateBoundInactive || !devOK(s.Interface, r.ifindex) {
			return false
		}
		src, dst, ok := s.view(v4)
		return ok && src == local.Addr() && s.Src.Port() == local.Port() && dst == remote.Addr() && s.Dst.Port() == remote.Port()
	})
	if i < 0 {
		best := 0
		for j, s := range k.inet {
			if s.Protocol != r.protocol || s.State != sockdiag.StateListen || s.Src.Port() != local.Port() || !devOK(s.Interface, r.ifindex) {
				continue
			}
			src, _, ok := s.view(v4)
			if !ok || src != local.Addr() && !src.IsUnspecified() {
				continue
			}
			score := 1
			if s.Interface != 0 {
				score++
			}
			if v4 && s.Family == sockdiag.IPv4 {
				score++
			}
			if !src.IsUnspecified() {
				score += 4 // the listener of the address before the wildcard's
			}
			if score > best {
				i, best = j, score
			}
		}
	}
	if i < 0 || !cookieOK(k.inet[i]) {
		return -1, syscall.ENOENT
	}
	return i, nil
}

// udpLookup finds the UDP socket a datagram from remote to local would
// reach, as the kernel's __udp4_lib_lookup and __udp6_lib_lookup, or -1.
func (k *Kernel) udpLookup(protocol int, v4 bool, local, remote netip.AddrPort, dif uint32) int {
	found, best := -1, -1
	for i, s := range k.inet {
		if s.Protocol != protocol || s.Src.Port() != local.Port() || !devOK(s.Interface, dif) {
			continue
		}
		src, dst, ok := s.view(v4)
		if !ok || src != local.Addr() && !src.IsUnspecified() {
			continue
		}
		score := 0
		if v4 && s.Family == sockdiag.IPv4 {
			score++
		}
		if !src.IsUnspecified() {
			score += 8 // the kernel looks up the address before the wildcard
		}
		if !dst.IsUnspecified() {
			if dst != remote.Addr() {
				continue
			}
			score += 4
		}
		if s.Dst.Port() != 0 {
			if s.Dst.Port() != remote.Port() {
				continue
			}
			score += 4
		}
		if s.Interface != 0 {
			score += 4
		}
		if score > best {
			found, best = i, score
		}
	}
	return found
}
