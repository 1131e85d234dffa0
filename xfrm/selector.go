package xfrm

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Selector is struct xfrm_selector: the traffic a policy or an SA applies
// to. A zero port, protocol or interface matches any.
type Selector struct {
	// Family is the family of Src and Dst. Left zero in a request, it is
	// taken from them; a state's selector may stay unspecified (0), and
	// then matches any traffic.
	Family Family
	Src    netip.Prefix // saddr/prefixlen_s
	Dst    netip.Prefix // daddr/prefixlen_d

	Proto       uint8  // the upper-layer protocol (IPPROTO_TCP, ...), 0 for any
	SrcPort     uint16 // sport, with SrcPortMask: 0xffff for that port alone
	SrcPortMask uint16
	DstPort     uint16 // dport, with DstPortMask
	DstPortMask uint16
	Ifindex     int32  // the interface, 0 for any
	User        uint32 // the user ID (__kernel_uid32_t), in dumps
}

// String formats s as ip xfrm does: "src 198.18.0.0/24 dst 198.18.1.0/24",
// then the protocol and ports where set.
func (s Selector) String() string {
	str := fmt.Sprintf("src %s dst %s", prefixString(s.Src, s.Family), prefixString(s.Dst, s.Family))
	if s.Proto != 0 {
		str += fmt.Sprintf(" proto %d", s.Proto)
	}
	if s.SrcPort != 0 || s.SrcPortMask != 0 {
		str += fmt.Sprintf(" sport %d", s.SrcPort)
	}
	if s.DstPort != 0 || s.DstPortMask != 0 {
		str += fmt.Sprintf(" dport %d", s.DstPort)
	}
	if s.Ifindex != 0 {
		str += fmt.Sprintf(" dev %d", s.Ifindex)
	}
	return str
}

func prefixString(p netip.Prefix, f Family) string {
	if !p.IsValid() {
		switch f {
		case AFInet6:
			return "::/0"
		case AFInet:
			return "0.0.0.0/0"
		}
		return "any"
	}
	return p.String()
}

// family returns s.Family, or the family of its prefixes when it is 0.
func (s Selector) family() Family {
	if s.Family != 0 {
		return s.Family
	}
	return prefixFamily(s.Src, prefixFamily(s.Dst, 0))
}

func prefixFamily(p netip.Prefix, def Family) Family {
	if p.IsValid() {
		return addrFamily(p.Addr())
	}
	return def
}

// addrFamily returns the family of a, 0 for the zero Addr.
func addrFamily(a netip.Addr) Family {
	switch {
	case a.Is4():
		return AFInet
	case a.Is6():
		return AFInet6
	}
	return 0
}

// check reports a selector whose prefixes disagree with each other or
// with its family.
func (s Selector) check() error {
	f := s.family()
	for _, p := range []netip.Prefix{s.Src, s.Dst} {
		if p.IsValid() && addrFamily(p.Addr()) != f {
			return fmt.Errorf("selector %s: %s is not of family %s", s, p, f)
		}
	}
	return nil
}

// put writes s in b[:selectorLen], as it is (no family inferred).
func (s Selector) put(b []byte) {
	putAddr(b[0:16], s.Dst.Addr())
	putAddr(b[16:32], s.Src.Addr())
	binary.BigEndian.PutUint16(b[32:], s.DstPort)
	binary.BigEndian.PutUint16(b[34:], s.DstPortMask)
	binary.BigEndian.PutUint16(b[36:], s.SrcPort)
	binary.BigEndian.PutUint16(b[38:], s.SrcPortMask)
	binary.NativeEndian.PutUint16(b[40:], uint16(s.Family))
	b[42] = uint8(max(s.Dst.Bits(), 0))
	b[43] = uint8(max(s.Src.Bits(), 0))
	b[44] = s.Proto
	b[45], b[46], b[47] = 0, 0, 0
	binary.NativeEndian.PutUint32(b[48:], uint32(s.Ifindex))
	binary.NativeEndian.PutUint32(b[52:], s.User)
}

// parseSelector reads b[:selectorLen].
func parseSelector(b []byte) (Selector, error) {
	s := Selector{
		Family:      Family(binary.NativeEndian.Uint16(b[40:])),
		DstPort:     binary.BigEndian.Uint16(b[32:]),
		DstPortMask: binary.BigEndian.Uint16(b[34:]),
		SrcPort:     binary.BigEndian.Uint16(b[36:]),
		SrcPortMask: binary.BigEndian.Uint16(b[38:]),
		Proto:       b[44],
		Ifindex:     int32(binary.NativeEndian.Uint32(b[48:])),
		User:        binary.NativeEndian.Uint32(b[52:]),
	}
	var err error
	if s.Dst, err = parsePrefix(b[0:16], b[42], s.Family); err != nil {
		return s, err
	}
	s.Src, err = parsePrefix(b[16:32], b[43], s.Family)
	return s, err
}

// parsePrefix reads an xfrm_address_t and a prefix length of family f.
// An all-zero address of length 0 is the zero Prefix (any address, of
// the selector's family); other addresses of an unspecified family read
// as IPv6.
func parsePrefix(b []byte, bits uint8, f Family) (netip.Prefix, error) {
	a := parseAddr(b, f)
	switch {
	case a.IsValid() && a.IsUnspecified() && bits == 0, !a.IsValid() && isZero(b[:addrLen]) && bits == 0:
		return netip.Prefix{}, nil
	case !a.IsValid():
		a = netip.AddrFrom16([16]byte(b[:addrLen]))
	}
	p := netip.PrefixFrom(a, int(bits))
	if !p.IsValid() {
		return p, malformed("prefix length %d for %s", bits, a)
	}
	return p, nil
}

// putAddr writes a in xfrm_address_t b[:16]: an IPv4 address in its first
// four bytes, zeros for the zero Addr.
func putAddr(b []byte, a netip.Addr) {
	clear(b[:addrLen])
	switch {
	case a.Is4():
		a4 := a.As4()
		copy(b, a4[:])
	case a.Is6():
		a16 := a.As16()
		copy(b, a16[:])
	}
}

// parseAddr reads xfrm_address_t b[:16] as an address of family f: the
// zero Addr for other families.
func parseAddr(b []byte, f Family) netip.Addr {
	switch f {
	case AFInet:
		return netip.AddrFrom4([4]byte(b[:4]))
	case AFInet6:
		return netip.AddrFrom16([16]byte(b[:16]))
	}
	return netip.Addr{}
}

// parseAddrOpt reads an address that may be unset: an all-zero address
// (0.0.0.0, ::) is the zero Addr.
func parseAddrOpt(b []byte, f Family) netip.Addr {
	a := parseAddr(b, f)
	if a.IsUnspecified() {
		return netip.Addr{}
	}
	return a
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// LifetimeConfig is struct xfrm_lifetime_cfg: the limits after which an
// SA or policy expires, soft (the kernel tells the key manager) and hard
// (the kernel deletes it). Inf means no limit; NewLifetime returns a
// configuration without limits, which ip xfrm sends by default.
type LifetimeConfig struct {
	SoftByteLimit, HardByteLimit     uint64
	SoftPacketLimit, HardPacketLimit uint64
	SoftAddExpires, HardAddExpires   uint64 // seconds after it was added
	SoftUseExpires, HardUseExpires   uint64 // seconds after it was first used
}

// NoLimits returns the lifetime configuration without limits: Inf bytes
// and packets and no expiry.
func NoLimits() LifetimeConfig {
	return LifetimeConfig{SoftByteLimit: Inf, HardByteLimit: Inf, SoftPacketLimit: Inf, HardPacketLimit: Inf}
}

func (l LifetimeConfig) put(b []byte) {
	for i, v := range [8]uint64{l.SoftByteLimit, l.HardByteLimit, l.SoftPacketLimit, l.HardPacketLimit,
		l.SoftAddExpires, l.HardAddExpires, l.SoftUseExpires, l.HardUseExpires} {
		binary.NativeEndian.PutUint64(b[8*i:], v)
	}
}

func parseLifetimeConfig(b []byte) LifetimeConfig {
	u := func(i int) uint64 { return binary.NativeEndian.Uint64(b[8*i:]) }
	return LifetimeConfig{u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7)}
}

// LifetimeCurrent is struct xfrm_lifetime_cur: what an SA or policy has
// used so far.
type LifetimeCurrent struct {
	Bytes, Packets uint64
	AddTime        uint64 // when it was added, in seconds since the epoch
	UseTime        uint64 // when it was first used, 0 if never
}

func (l LifetimeCurrent) put(b []byte) {
	binary.NativeEndian.PutUint64(b[0:], l.Bytes)
	binary.NativeEndian.PutUint64(b[8:], l.Packets)
	binary.NativeEndian.PutUint64(b[16:], l.AddTime)
	binary.NativeEndian.PutUint64(b[24:], l.UseTime)
}

func parseLifetimeCurrent(b []byte) LifetimeCurrent {
	return LifetimeCurrent{
		Bytes:   binary.NativeEndian.Uint64(b[0:]),
		Packets: binary.NativeEndian.Uint64(b[8:]),
		AddTime: binary.NativeEndian.Uint64(b[16:]),
		UseTime: binary.NativeEndian.Uint64(b[24:]),
	}
}

// Stats is struct xfrm_stats: an SA's error counters.
type Stats struct {
	ReplayWindow    uint32 // packets dropped outside the replay window
	Replay          uint32 // packets dropped as replays
	IntegrityFailed uint32 // packets that failed the integrity check
}

// Mark is struct xfrm_mark: a packet mark and the mask of the bits that
// count.
type Mark struct {
	Value, Mask uint32
}

func (m Mark) bytes() []byte {
	var b [markLen]byte
	binary.NativeEndian.PutUint32(b[0:], m.Value)
	binary.NativeEndian.PutUint32(b[4:], m.Mask)
	return b[:]
}

func parseMark(b []byte) Mark {
	return Mark{binary.NativeEndian.Uint32(b[0:]), binary.NativeEndian.Uint32(b[4:])}
}

// Offload is struct xfrm_user_offload (XFRMA_OFFLOAD_DEV): the device an
// SA or policy is offloaded to, as dumps report it.
type Offload struct {
	Ifindex int32
	Flags   uint8 // OffloadInbound, OffloadPacket, ...
}
