package xfrm

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"

	"github.com/nlkit/netlink"
)

// State is an SA (security association): struct xfrm_usersa_info and
// its attributes. Src, Dst, Proto and SPI identify it, with Mark.
//
// Listings fill every field the kernel reports; the fields the kernel
// keeps for itself (Current, Stats, LastUsed, Offload) are ignored by the
// requests that add or update a state. Attributes this package does not
// model are kept in Raw, in order, and sent back.
type State struct {
	Family Family     // of Src and Dst; left zero in a request, taken from Dst
	Src    netip.Addr // saddr
	Dst    netip.Addr // id.daddr
	Proto  Proto      // id.proto
	SPI    uint32     // id.spi, in host order (sent big-endian)
	Mode   Mode
	ReqID  uint32
	Seq    uint32 // the sequence number of the ACQUIRE this SA answers, if any
	Flags  StateFlags

	// ReplayWindow is the replay window of a state without ESN, in
	// packets (at most 255; ReplayESN carries larger ones).
	ReplayWindow uint8

	Selector Selector
	Lifetime LifetimeConfig
	Current  LifetimeCurrent // read: bytes and packets so far
	Stats    Stats           // read: the error counters

	Auth  *AuthAlgorithm // XFRMA_ALG_AUTH or XFRMA_ALG_AUTH_TRUNC
	Crypt *Algorithm     // XFRMA_ALG_CRYPT
	AEAD  *AEADAlgorithm // XFRMA_ALG_AEAD
	Comp  *Algorithm     // XFRMA_ALG_COMP

	Encap     *Encap       // XFRMA_ENCAP: UDP (or TCP) encapsulation for NAT traversal
	Replay    *ReplayState // XFRMA_REPLAY_VAL: the sequence numbers of a state without ESN
	ReplayESN *ReplayESN   // XFRMA_REPLAY_ESN_VAL: the replay state with extended sequence numbers
	Mark      *Mark        // XFRMA_MARK: the packets it applies to
	SetMark   *Mark        // XFRMA_SET_MARK and XFRMA_SET_MARK_MASK: the mark it puts on packets (output-mark)
	IfID      uint32       // XFRMA_IF_ID: the xfrm interface it belongs to, 0 for none
	CoAddr    netip.Addr   // XFRMA_COADDR: the care-of address of a Mobile IPv6 state
	SecCtx    []byte       // XFRMA_SEC_CTX, raw: struct xfrm_user_sec_ctx and the context

	ExtraFlags   uint32 // XFRMA_SA_EXTRA_FLAGS: ExtraDontEncapDSCP, ExtraOSeqMayWrap
	TFCPad       uint32 // XFRMA_TFCPAD: traffic flow confidentiality padding
	MTimerThresh uint32 // XFRMA_MTIMER_THRESH: seconds between NAT mapping change notifications
	Dir          SADir  // XFRMA_SA_DIR (Linux 6.10), 0 for none

	LastUsed uint64   // read: XFRMA_LASTUSED, when it was last used, in seconds since the epoch
	Offload  *Offload // read: XFRMA_OFFLOAD_DEV

	Raw RawAttrs // the attributes not decoded above, sent back as they are
}

// Encap is struct xfrm_encap_tmpl (XFRMA_ENCAP): the encapsulation of an
// ESP state behind a NAT.
type Encap struct {
	Type     uint16     // EncapESPInUDP (what ip xfrm calls espinudp), ...
	SrcPort  uint16     // encap_sport
	DstPort  uint16     // encap_dport
	OrigAddr netip.Addr // encap_oa: the original address before NAT, if known
}

// The encapsulation types (UDP_ENCAP_* of <linux/udp.h>, TCP_ENCAP_ESPINTCP).
const (
	EncapESPInUDPNonIKE uint16 = 1 // UDP_ENCAP_ESPINUDP_NON_IKE
	EncapESPInUDP       uint16 = 2 // UDP_ENCAP_ESPINUDP (RFC 3948)
	EncapESPInTCP       uint16 = 7 // TCP_ENCAP_ESPINTCP (RFC 8229)
)

// ReplayState is struct xfrm_replay_state (XFRMA_REPLAY_VAL).
type ReplayState struct {
	OSeq   uint32 // the last sequence number sent
	Seq    uint32 // the last sequence number received
	Bitmap uint32 // which of the last 32 were received
}

// ReplayESN is struct xfrm_replay_state_esn (XFRMA_REPLAY_ESN_VAL): the
// replay state of an SA with 64-bit extended sequence numbers (flag
// StateESN), whose replay window may be up to 4096 packets.
type ReplayESN struct {
	// BmpLen is the bitmap's length in 32-bit words. Left zero in a
	// request, it is ReplayWindow's, rounded up. The kernel accepts a
	// request without the Bitmap (what ip xfrm sends) and reports it in
	// listings.
	BmpLen       uint32
	OSeq, Seq    uint32 // the low 32 bits of the sequence numbers sent and received
	OSeqHi       uint32
	SeqHi        uint32
	ReplayWindow uint32 // in packets
	Bitmap       []uint32
}

// String formats the state's identity as errors name it: "state esp spi
// 0x100 198.18.0.1->198.18.0.2".
func (s *State) String() string {
	return stateObject(s.Proto, s.SPI, s.Src, s.Dst)
}

func stateObject(p Proto, spi uint32, src, dst netip.Addr) string {
	return fmt.Sprintf("state %s spi %#x %s->%s", p, spi, addrString(src), addrString(dst))
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return "any"
	}
	return a.String()
}

// family returns s.Family, or the family of Dst (or Src) when it is 0.
func (s *State) family() Family {
	if s.Family != 0 {
		return s.Family
	}
	if f := addrFamily(s.Dst); f != 0 {
		return f
	}
	return addrFamily(s.Src)
}

// check refuses what the kernel would refuse, with a clearer reason.
func (s *State) check() error {
	f := s.family()
	switch {
	case !s.Dst.IsValid():
		return fmt.Errorf("no destination address")
	case f != AFInet && f != AFInet6:
		return fmt.Errorf("family %s, want inet or inet6", f)
	case addrFamily(s.Dst) != f:
		return fmt.Errorf("destination %s is not of family %s", s.Dst, f)
	case s.Src.IsValid() && addrFamily(s.Src) != f:
		return fmt.Errorf("source %s and destination %s: mismatched families", s.Src, s.Dst)
	case s.CoAddr.IsValid() && addrFamily(s.CoAddr) != f:
		return fmt.Errorf("care-of address %s is not of family %s", s.CoAddr, f)
	}
	if err := s.Selector.check(); err != nil {
		return err
	}
	algos := 0
	for _, present := range []bool{s.Auth != nil, s.Crypt != nil, s.AEAD != nil, s.Comp != nil} {
		if present {
			algos++
		}
	}
	switch s.Proto {
	case ProtoESP:
		switch {
		case s.SPI == 0:
			return fmt.Errorf("esp state without an SPI")
		case s.Comp != nil:
			return fmt.Errorf("esp state with a compression algorithm")
		case s.AEAD != nil && algos > 1:
			return fmt.Errorf("esp state with an aead and another algorithm")
		case algos == 0:
			return fmt.Errorf("esp state without an algorithm")
		}
	case ProtoAH:
		switch {
		case s.SPI == 0:
			return fmt.Errorf("ah state without an SPI")
		case s.Auth == nil || algos > 1:
			return fmt.Errorf("ah state needs an authentication algorithm alone")
		}
	case ProtoComp:
		switch {
		case s.SPI == 0:
			return fmt.Errorf("comp state without an SPI (its CPI)")
		case s.SPI > 0xffff:
			return fmt.Errorf("comp state with CPI %#x, want 16 bits", s.SPI)
		case s.Comp == nil || algos > 1:
			return fmt.Errorf("comp state needs a compression algorithm alone")
		}
	case ProtoRoute2, ProtoHAO:
		if algos > 0 {
			return fmt.Errorf("%s state with an algorithm", s.Proto)
		}
	default:
		return fmt.Errorf("protocol %d, want esp, ah, comp, route2 or hao", s.Proto)
	}
	if a := s.Crypt; a != nil {
		if err := a.checkCrypt(); err != nil {
			return err
		}
	}
	if a := s.Auth; a != nil {
		if err := a.check(); err != nil {
			return err
		}
	}
	if a := s.AEAD; a != nil {
		if err := a.check(); err != nil {
			return err
		}
	}
	if a := s.Comp; a != nil {
		if err := checkName("compression", a.Name); err != nil {
			return err
		}
	}
	if s.Encap != nil && s.Encap.OrigAddr.IsValid() && addrFamily(s.Encap.OrigAddr) != f {
		return fmt.Errorf("encapsulation address %s is not of family %s", s.Encap.OrigAddr, f)
	}
	if s.Flags&StateESN != 0 && s.ReplayESN == nil {
		return fmt.Errorf("flag esn without the ESN replay state")
	}
	if r := s.ReplayESN; r != nil {
		switch {
		case s.Proto != ProtoESP && s.Proto != ProtoAH:
			return fmt.Errorf("ESN replay state for %s, only esp and ah have one", s.Proto)
		case s.ReplayWindow != 0:
			return fmt.Errorf("ESN replay state with the replay window %d outside it", s.ReplayWindow)
		case r.bmpLen() > maxReplayESNBits/32:
			return fmt.Errorf("ESN replay bitmap of %d words, at most %d", r.bmpLen(), maxReplayESNBits/32)
		case len(r.Bitmap) != 0 && len(r.Bitmap) != int(r.bmpLen()):
			return fmt.Errorf("ESN replay bitmap of %d words, BmpLen says %d", len(r.Bitmap), r.bmpLen())
		}
	}
	return nil
}

func (r *ReplayESN) bmpLen() uint32 {
	if r.BmpLen == 0 {
		return (r.ReplayWindow + 31) / 32
	}
	return r.BmpLen
}

// prepared returns the state a request sends: s with the defaults its
// fields' docs promise filled in (families, the ESN bitmap's length).
func (s *State) prepared() *State {
	p := *s
	p.Family = s.family()
	if p.Selector.Family == 0 {
		p.Selector.Family = p.Selector.family()
	}
	if r := s.ReplayESN; r != nil && r.BmpLen == 0 {
		rc := *r
		rc.BmpLen = r.bmpLen()
		p.ReplayESN = &rc
	}
	return &p
}

// appendInfo appends struct xfrm_usersa_info.
func (s *State) appendInfo(b []byte) []byte {
	b = slices.Grow(b, usersaInfoLen)
	n := len(b)
	b = b[:n+usersaInfoLen]
	p := b[n:]
	clear(p)
	s.Selector.put(p[saSel:])
	putAddr(p[saID:], s.Dst)
	binary.BigEndian.PutUint32(p[saID+16:], s.SPI)
	p[saID+20] = uint8(s.Proto)
	putAddr(p[saSaddr:], s.Src)
	s.Lifetime.put(p[saLft:])
	s.Current.put(p[saCurLft:])
	binary.NativeEndian.PutUint32(p[saStats:], s.Stats.ReplayWindow)
	binary.NativeEndian.PutUint32(p[saStats+4:], s.Stats.Replay)
	binary.NativeEndian.PutUint32(p[saStats+8:], s.Stats.IntegrityFailed)
	binary.NativeEndian.PutUint32(p[saSeq:], s.Seq)
	binary.NativeEndian.PutUint32(p[saReqID:], s.ReqID)
	binary.NativeEndian.PutUint16(p[saFamily:], uint16(s.Family))
	p[saMode] = uint8(s.Mode)
	p[saReplayWindow] = s.ReplayWindow
	p[saFlags] = uint8(s.Flags)
	return b
}

// parseInfo reads struct xfrm_usersa_info, b of its length at least.
func (s *State) parseInfo(b []byte) error {
	if len(b) < usersaInfoLen {
		return malformed("struct xfrm_usersa_info of %d bytes", len(b))
	}
	sel, err := parseSelector(b[saSel:])
	if err != nil {
		return err
	}
	s.Family = Family(binary.NativeEndian.Uint16(b[saFamily:]))
	s.Selector = sel
	s.Dst = parseAddrOpt(b[saID:], s.Family)
	s.SPI = binary.BigEndian.Uint32(b[saID+16:])
	s.Proto = Proto(b[saID+20])
	s.Src = parseAddrOpt(b[saSaddr:], s.Family)
	s.Lifetime = parseLifetimeConfig(b[saLft:])
	s.Current = parseLifetimeCurrent(b[saCurLft:])
	s.Stats = Stats{
		ReplayWindow:    binary.NativeEndian.Uint32(b[saStats:]),
		Replay:          binary.NativeEndian.Uint32(b[saStats+4:]),
		IntegrityFailed: binary.NativeEndian.Uint32(b[saStats+8:]),
	}
	s.Seq = binary.NativeEndian.Uint32(b[saSeq:])
	s.ReqID = binary.NativeEndian.Uint32(b[saReqID:])
	s.Mode = Mode(b[saMode])
	s.ReplayWindow = b[saReplayWindow]
	s.Flags = StateFlags(b[saFlags])
	return nil
}

// appendAttrs appends the state's attributes, those a request sends: not
// LastUsed or Offload.
func (s *State) appendAttrs(b []byte) ([]byte, error) {
	e := netlink.NewAttrEncoder(b)
	if a := s.AEAD; a != nil {
		e.Bytes(attrAlgAEAD, a.bytes())
	}
	if a := s.Auth; a != nil {
		if a.TruncLen != 0 {
			e.Bytes(attrAlgAuthTrunc, a.bytes())
		} else {
			e.Bytes(attrAlgAuth, Algorithm{Name: a.Name, Key: a.Key, KeyBits: a.KeyBits}.bytes())
		}
	}
	if a := s.Crypt; a != nil {
		e.Bytes(attrAlgCrypt, a.bytes())
	}
	if a := s.Comp; a != nil {
		e.Bytes(attrAlgComp, a.bytes())
	}
	if en := s.Encap; en != nil {
		e.Bytes(attrEncap, en.bytes())
	}
	if r := s.Replay; r != nil {
		e.Bytes(attrReplayVal, r.bytes())
	}
	if r := s.ReplayESN; r != nil {
		e.Bytes(attrReplayESNVal, r.bytes())
	}
	if m := s.Mark; m != nil {
		e.Bytes(attrMark, m.bytes())
	}
	if m := s.SetMark; m != nil {
		e.Uint32(attrSetMark, m.Value)
		e.Uint32(attrSetMarkMask, m.Mask)
	}
	if s.IfID != 0 {
		e.Uint32(attrIfID, s.IfID)
	}
	if s.CoAddr.IsValid() {
		var p [addrLen]byte
		putAddr(p[:], s.CoAddr)
		e.Bytes(attrCoAddr, p[:])
	}
	if s.SecCtx != nil {
		e.Bytes(attrSecCtx, s.SecCtx)
	}
	if s.ExtraFlags != 0 {
		e.Uint32(attrSAExtraFlags, s.ExtraFlags)
	}
	if s.TFCPad != 0 {
		e.Uint32(attrTFCPad, s.TFCPad)
	}
	if s.MTimerThresh != 0 {
		e.Uint32(attrMTimerThresh, s.MTimerThresh)
	}
	if s.Dir != 0 {
		e.Uint8(attrSADir, uint8(s.Dir))
	}
	e.RawAttrs(s.Raw)
	return e.Finish()
}

// parseAttrs reads the state's attributes from b, all but those of type
// skip (XFRMA_SA in a XFRM_MSG_DELSA notification).
func (s *State) parseAttrs(b []byte, skip uint16) error {
	var raw []byte
	for a, err := range netlink.Attrs(b) {
		if err != nil {
			return fmt.Errorf("xfrm: state attributes: %w", err)
		}
		if err := s.parseAttr(a, skip, &raw); err != nil {
			return err
		}
	}
	s.Raw = RawAttrs(raw)
	return nil
}

func (s *State) parseAttr(a netlink.Attr, skip uint16, raw *[]byte) error {
	d := a.Data
	var err error
	switch a.Type {
	case skip, attrPad:
	case attrAlgAuth:
		if s.Auth == nil { // XFRMA_ALG_AUTH_TRUNC, which follows, says more
			var al Algorithm
			if al, err = parseAlgorithm(d); err == nil {
				s.Auth = &AuthAlgorithm{Name: al.Name, Key: al.Key, KeyBits: al.KeyBits}
			}
		}
	case attrAlgAuthTrunc:
		var al AuthAlgorithm
		if al, err = parseAuthAlgorithm(d); err == nil {
			s.Auth = &al
		}
	case attrAlgCrypt:
		var al Algorithm
		if al, err = parseAlgorithm(d); err == nil {
			s.Crypt = &al
		}
	case attrAlgComp:
		var al Algorithm
		if al, err = parseAlgorithm(d); err == nil {
			s.Comp = &al
		}
	case attrAlgAEAD:
		var al AEADAlgorithm
		if al, err = parseAEADAlgorithm(d); err == nil {
			s.AEAD = &al
		}
	case attrEncap:
		if s.Encap, err = parseEncap(d, s.Family); err != nil {
			return err
		}
	case attrReplayVal:
		if s.Replay, err = parseReplay(d); err != nil {
			return err
		}
	case attrReplayESNVal:
		if s.ReplayESN, err = parseReplayESN(d); err != nil {
			return err
		}
	case attrMark:
		if len(d) < markLen {
			return malformed("XFRMA_MARK of %d bytes", len(d))
		}
		m := parseMark(d)
		s.Mark = &m
	case attrSetMark, attrSetMarkMask:
		var v uint32
		if v, err = a.Uint32(); err == nil {
			if s.SetMark == nil {
				s.SetMark = &Mark{Mask: ^uint32(0)}
			}
			if a.Type == attrSetMark {
				s.SetMark.Value = v
			} else {
				s.SetMark.Mask = v
			}
		}
	case attrIfID:
		s.IfID, err = a.Uint32()
	case attrCoAddr:
		if len(d) < addrLen {
			return malformed("XFRMA_COADDR of %d bytes", len(d))
		}
		s.CoAddr = parseAddrOpt(d, s.Family)
	case attrSecCtx:
		s.SecCtx = slices.Clone(d)
	case attrSAExtraFlags:
		s.ExtraFlags, err = a.Uint32()
	case attrTFCPad:
		s.TFCPad, err = a.Uint32()
	case attrMTimerThresh:
		s.MTimerThresh, err = a.Uint32()
	case attrSADir:
		var v uint8
		v, err = a.Uint8()
		s.Dir = SADir(v)
	case attrLastUsed:
		s.LastUsed, err = a.Uint64()
	case attrOffloadDev:
		if len(d) < 5 {
			return malformed("XFRMA_OFFLOAD_DEV of %d bytes", len(d))
		}
		s.Offload = &Offload{Ifindex: int32(binary.NativeEndian.Uint32(d)), Flags: d[4]}
	default:
		*raw = a.Append(*raw)
	}
	if err != nil {
		return fmt.Errorf("xfrm: state attribute %d: %w", a.Type, err)
	}
	return nil
}

// ParseState decodes a state from a message carrying struct
// xfrm_usersa_info and its attributes: a listing's XFRM_MSG_NEWSA, a
// notification's XFRM_MSG_NEWSA or XFRM_MSG_UPDSA, or the state of an
// XFRM_MSG_DELSA notification (struct xfrm_usersa_id and XFRMA_SA). The
// State owns its memory.
func ParseState(m netlink.Message) (State, error) {
	var s State
	if m.Header.Type == msgDelSA {
		return s, s.parseDel(m.Data)
	}
	if err := s.parseInfo(m.Data); err != nil {
		return s, err
	}
	return s, s.parseAttrs(m.Data[usersaInfoLen:], 0)
}

// parseDel reads an XFRM_MSG_DELSA notification: struct xfrm_usersa_id,
// then XFRMA_SA with the state's xfrm_usersa_info among its attributes.
func (s *State) parseDel(b []byte) error {
	if len(b) < usersaIDLen {
		return malformed("struct xfrm_usersa_id of %d bytes", len(b))
	}
	attrs := b[usersaIDLen:]
	for a, err := range netlink.Attrs(attrs) {
		if err != nil {
			return fmt.Errorf("xfrm: deleted state: %w", err)
		}
		if a.Type == attrSA {
			if err := s.parseInfo(a.Data); err != nil {
				return err
			}
			return s.parseAttrs(attrs, attrSA)
		}
	}
	// No XFRMA_SA: what struct xfrm_usersa_id says alone.
	id := parseStateID(b)
	s.Family, s.Dst, s.SPI, s.Proto = id.Family, id.Dst, id.SPI, id.Proto
	return s.parseAttrs(attrs, 0)
}

// Clone returns a copy of s that shares no memory with it.
func (s *State) Clone() State {
	c := *s
	c.SecCtx = slices.Clone(s.SecCtx)
	cloneP := func(p *Algorithm) *Algorithm {
		if p == nil {
			return nil
		}
		q := *p
		q.Key = slices.Clone(p.Key)
		return &q
	}
	c.Crypt, c.Comp = cloneP(s.Crypt), cloneP(s.Comp)
	if s.Auth != nil {
		a := *s.Auth
		a.Key = slices.Clone(a.Key)
		c.Auth = &a
	}
	if s.AEAD != nil {
		a := *s.AEAD
		a.Key = slices.Clone(a.Key)
		c.AEAD = &a
	}
	for _, p := range []**Mark{&c.Mark, &c.SetMark} {
		if *p != nil {
			m := **p
			*p = &m
		}
	}
	if s.Encap != nil {
		e := *s.Encap
		c.Encap = &e
	}
	if s.Replay != nil {
		r := *s.Replay
		c.Replay = &r
	}
	if s.ReplayESN != nil {
		r := *s.ReplayESN
		r.Bitmap = slices.Clone(r.Bitmap)
		c.ReplayESN = &r
	}
	if s.Offload != nil {
		o := *s.Offload
		c.Offload = &o
	}
	return c
}

// StateID identifies a state for GetState and DeleteState: struct
// xfrm_usersa_id, with XFRMA_SRCADDR and XFRMA_MARK.
type StateID struct {
	Family Family     // left zero, taken from Dst
	Dst    netip.Addr // daddr
	SPI    uint32
	Proto  Proto
	// Src is sent as XFRMA_SRCADDR when set: the kernel finds route2
	// and hao states by their addresses (they have no SPI).
	Src  netip.Addr
	Mark *Mark // the state's mark, if it has one
}

// ID returns what identifies s.
func (s *State) ID() StateID {
	return StateID{Family: s.family(), Dst: s.Dst, SPI: s.SPI, Proto: s.Proto, Src: s.Src, Mark: s.Mark}
}

// String formats id as errors name it.
func (id StateID) String() string { return stateObject(id.Proto, id.SPI, id.Src, id.Dst) }

func (id StateID) family() Family {
	if id.Family != 0 {
		return id.Family
	}
	return addrFamily(id.Dst)
}

func (id StateID) check() error {
	f := id.family()
	switch {
	case !id.Dst.IsValid():
		return fmt.Errorf("no destination address")
	case f != AFInet && f != AFInet6:
		return fmt.Errorf("family %s, want inet or inet6", f)
	case addrFamily(id.Dst) != f:
		return fmt.Errorf("destination %s is not of family %s", id.Dst, f)
	case id.Src.IsValid() && addrFamily(id.Src) != f:
		return fmt.Errorf("source %s and destination %s: mismatched families", id.Src, id.Dst)
	}
	return nil
}

// append appends struct xfrm_usersa_id and its attributes.
func (id StateID) append(b []byte) []byte {
	var p [usersaIDLen]byte
	putAddr(p[:], id.Dst)
	binary.BigEndian.PutUint32(p[16:], id.SPI)
	binary.NativeEndian.PutUint16(p[20:], uint16(id.family()))
	p[22] = uint8(id.Proto)
	b = append(b, p[:]...)
	e := netlink.NewAttrEncoder(b)
	if id.Src.IsValid() {
		var a [addrLen]byte
		putAddr(a[:], id.Src)
		e.Bytes(attrSrcAddr, a[:])
	}
	if id.Mark != nil {
		e.Bytes(attrMark, id.Mark.bytes())
	}
	b, _ = e.Finish() // fixed sizes: cannot fail
	return b
}

func parseStateID(b []byte) StateID {
	f := Family(binary.NativeEndian.Uint16(b[20:]))
	return StateID{Family: f, Dst: parseAddrOpt(b, f), SPI: binary.BigEndian.Uint32(b[16:]), Proto: Proto(b[22])}
}

func (r *ReplayState) bytes() []byte {
	var p [replayLen]byte
	binary.NativeEndian.PutUint32(p[0:], r.OSeq)
	binary.NativeEndian.PutUint32(p[4:], r.Seq)
	binary.NativeEndian.PutUint32(p[8:], r.Bitmap)
	return p[:]
}

func parseReplay(d []byte) (*ReplayState, error) {
	if len(d) < replayLen {
		return nil, malformed("XFRMA_REPLAY_VAL of %d bytes", len(d))
	}
	return &ReplayState{binary.NativeEndian.Uint32(d[0:]), binary.NativeEndian.Uint32(d[4:]), binary.NativeEndian.Uint32(d[8:])}, nil
}

func (r *ReplayESN) bytes() []byte {
	p := make([]byte, replayESNLen+4*len(r.Bitmap))
	binary.NativeEndian.PutUint32(p[0:], r.BmpLen)
	binary.NativeEndian.PutUint32(p[4:], r.OSeq)
	binary.NativeEndian.PutUint32(p[8:], r.Seq)
	binary.NativeEndian.PutUint32(p[12:], r.OSeqHi)
	binary.NativeEndian.PutUint32(p[16:], r.SeqHi)
	binary.NativeEndian.PutUint32(p[20:], r.ReplayWindow)
	for i, w := range r.Bitmap {
		binary.NativeEndian.PutUint32(p[replayESNLen+4*i:], w)
	}
	return p
}

func parseReplayESN(d []byte) (*ReplayESN, error) {
	if len(d) < replayESNLen {
		return nil, malformed("XFRMA_REPLAY_ESN_VAL of %d bytes", len(d))
	}
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(d[4*i:]) }
	r := &ReplayESN{BmpLen: u(0), OSeq: u(1), Seq: u(2), OSeqHi: u(3), SeqHi: u(4), ReplayWindow: u(5)}
	words := (len(d) - replayESNLen) / 4
	if words > 0 && uint64(words) >= uint64(r.BmpLen) {
		words = int(r.BmpLen)
	} else if words > 0 {
		return nil, malformed("XFRMA_REPLAY_ESN_VAL with %d of its %d bitmap words", words, r.BmpLen)
	}
	if words > 0 {
		r.Bitmap = make([]uint32, words)
		for i := range r.Bitmap {
			r.Bitmap[i] = u(6 + i)
		}
	}
	return r, nil
}

func (en *Encap) bytes() []byte {
	var p [encapLen]byte
	binary.NativeEndian.PutUint16(p[0:], en.Type)
	binary.BigEndian.PutUint16(p[2:], en.SrcPort)
	binary.BigEndian.PutUint16(p[4:], en.DstPort)
	putAddr(p[8:], en.OrigAddr)
	return p[:]
}

func parseEncap(d []byte, f Family) (*Encap, error) {
	if len(d) < encapLen {
		return nil, malformed("XFRMA_ENCAP of %d bytes", len(d))
	}
	return &Encap{
		Type:     binary.NativeEndian.Uint16(d[0:]),
		SrcPort:  binary.BigEndian.Uint16(d[2:]),
		DstPort:  binary.BigEndian.Uint16(d[4:]),
		OrigAddr: parseAddrOpt(d[8:], f),
	}, nil
}
