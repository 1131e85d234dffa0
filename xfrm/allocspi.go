package xfrm

import (
	"context"
	"encoding/binary"
	"fmt"
)

// AllocSPI asks the kernel for an SPI in [min, max] for an SA from s.Src
// to s.Dst of protocol s.Proto (XFRM_MSG_ALLOCSPI), and returns the SA it
// made: larval (no algorithms yet, as an ACQUIRE's SA is), holding the SPI
// until UpdateState completes it or its acquire timeout (the sysctl
// xfrm_acq_expires, 30 seconds by default) deletes it. Of s it sends the
// addresses, protocol, mode, request ID and Seq (the ACQUIRE's sequence
// number, to take the SA that ACQUIRE made), and Mark, IfID and Dir.
// An SA that exists already for those keeps its SPI if it has one.
//
// With min equal to max it asks for that SPI and fails with ENOENT when
// it is taken. Before sending it refuses a protocol other than esp, ah or
// comp, a range that is empty or starts at 0, and for comp a range beyond
// 16 bits.
func (c *Conn) AllocSPI(ctx context.Context, s *State, min, max uint32) (State, error) {
	obj := fmt.Sprintf("%s spi range %#x-%#x %s->%s", s.Proto, min, max, addrString(s.Src), addrString(s.Dst))
	if err := checkSPIRange(s, min, max); err != nil {
		return State{}, invalid(msgAllocSPI, obj, "%v", err)
	}
	b, err := s.appendSPIInfo(nil, min, max)
	if err != nil {
		return State{}, invalid(msgAllocSPI, obj, "%v", err)
	}
	msgs, err := c.execute(ctx, msgAllocSPI, 0, b, obj)
	if err != nil {
		return State{}, err
	}
	m, err := reply(msgs, msgNewSA)
	if err != nil {
		return State{}, fmt.Errorf("xfrm: allocate SPI %s: %w", obj, err)
	}
	return ParseState(m)
}

func checkSPIRange(s *State, min, max uint32) error {
	f := s.family()
	switch {
	case !s.Dst.IsValid():
		return fmt.Errorf("no destination address")
	case f != AFInet && f != AFInet6 || addrFamily(s.Dst) != f:
		return fmt.Errorf("destination %s is not of family %s", s.Dst, f)
	case s.Src.IsValid() && addrFamily(s.Src) != f:
		return fmt.Errorf("source %s and destination %s: mismatched families", s.Src, s.Dst)
	case s.Proto != ProtoESP && s.Proto != ProtoAH && s.Proto != ProtoComp:
		return fmt.Errorf("protocol %s, want esp, ah or comp", s.Proto)
	case min == 0:
		return fmt.Errorf("SPI range starting at 0, which no SA may have")
	case min > max:
		return fmt.Errorf("empty SPI range")
	case s.Proto == ProtoComp && max > 0xffff:
		return fmt.Errorf("comp SPI (CPI) range beyond 16 bits")
	}
	return nil
}

// appendSPIInfo appends struct xfrm_userspi_info and the attributes
// XFRM_MSG_ALLOCSPI reads: XFRMA_MARK, XFRMA_IF_ID, XFRMA_SA_DIR.
func (s *State) appendSPIInfo(b []byte, min, max uint32) ([]byte, error) {
	q := State{Family: s.family(), Src: s.Src, Dst: s.Dst, Proto: s.Proto, Mode: s.Mode, ReqID: s.ReqID, Seq: s.Seq,
		Selector: s.Selector, Lifetime: s.Lifetime}
	b = q.appendInfo(b)
	b = binary.NativeEndian.AppendUint32(b, min)
	b = binary.NativeEndian.AppendUint32(b, max)
	q = State{Mark: s.Mark, IfID: s.IfID, Dir: s.Dir}
	return q.appendAttrs(b)
}

// ParseAllocSPI decodes the payload of an XFRM_MSG_ALLOCSPI request:
// the SA it asks an SPI for and the range.
func ParseAllocSPI(b []byte) (s State, min, max uint32, err error) {
	if len(b) < userSPIInfoLen {
		return s, 0, 0, malformed("struct xfrm_userspi_info of %d bytes", len(b))
	}
	if err := s.parseInfo(b); err != nil {
		return s, 0, 0, err
	}
	min = binary.NativeEndian.Uint32(b[usersaInfoLen:])
	max = binary.NativeEndian.Uint32(b[usersaInfoLen+4:])
	return s, min, max, s.parseAttrs(b[userSPIInfoLen:], 0)
}
