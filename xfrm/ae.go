package xfrm

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/nlkit/netlink"
)

// AEFlags are the flags of struct xfrm_aevent_id (XFRM_AE_*): in a
// request, which thresholds to report; in a notification, also its cause.
type AEFlags uint32

// The AE flags.
const (
	AEReplayThresh AEFlags = 1  // XFRM_AE_RTHR: report XFRMA_REPLAY_THRESH
	AEReplayVal    AEFlags = 2  // XFRM_AE_RVAL: the replay value
	AELifetimeVal  AEFlags = 4  // XFRM_AE_LVAL: the lifetime value
	AETimerThresh  AEFlags = 8  // XFRM_AE_ETHR: report XFRMA_ETIMER_THRESH
	AECauseReplay  AEFlags = 16 // XFRM_AE_CR: sent because the replay counters moved
	AECauseTimer   AEFlags = 32 // XFRM_AE_CE: sent because the timer ran out
	AECauseUpdate  AEFlags = 64 // XFRM_AE_CU: sent because a key manager set them (XFRM_MSG_NEWAE)
)

// String lists the flags' names, "rthr|cu", or "0".
func (f AEFlags) String() string {
	var s []string
	for i, n := range []string{"rthr", "rval", "lval", "ethr", "cr", "ce", "cu"} {
		if f&(1<<i) != 0 {
			s = append(s, n)
		}
	}
	if rest := f &^ 0x7f; rest != 0 {
		s = append(s, fmt.Sprintf("%#x", uint32(rest)))
	}
	if s == nil {
		return "0"
	}
	return strings.Join(s, "|")
}

// AEvent is an SA's replay and lifetime counters, what ip xfrm state does
// not show and key managers (strongSwan's kernel-netlink among them)
// read and restore: struct xfrm_aevent_id and its attributes, of an
// XFRM_MSG_NEWAE reply or notification, or of a request setting them.
type AEvent struct {
	ID    StateID // sa_id, with saddr as ID.Src and XFRMA_MARK as ID.Mark
	ReqID uint32
	Flags AEFlags

	Replay    *ReplayState     // XFRMA_REPLAY_VAL, of an SA without ESN
	ReplayESN *ReplayESN       // XFRMA_REPLAY_ESN_VAL, of an SA with ESN
	Lifetime  *LifetimeCurrent // XFRMA_LTIME_VAL: bytes, packets, add and use times
	// ReplayThresh is XFRMA_REPLAY_THRESH (with AEReplayThresh): after how
	// many packets the kernel notifies the counters. Zero is not sent.
	ReplayThresh uint32
	// TimerThresh is XFRMA_ETIMER_THRESH (with AETimerThresh): at most how
	// long, in tenths of seconds, between notifications. Zero is not sent.
	TimerThresh uint32
	IfID        uint32 // XFRMA_IF_ID

	Raw RawAttrs // the attributes not decoded above
}

// GetAE returns the counters of the SA id names (XFRM_MSG_GETAE; the
// reply is an XFRM_MSG_NEWAE). flags asks for the thresholds too
// (AEReplayThresh, AETimerThresh). It fails with ESRCH when there is no
// such SA.
func (c *Conn) GetAE(ctx context.Context, id StateID, flags AEFlags) (AEvent, error) {
	if err := id.check(); err != nil {
		return AEvent{}, invalid(msgGetAE, id.String(), "%v", err)
	}
	ae := AEvent{ID: id, Flags: flags}
	b, err := ae.Append(nil)
	if err != nil {
		return AEvent{}, invalid(msgGetAE, id.String(), "%v", err)
	}
	msgs, err := c.execute(ctx, msgGetAE, 0, b, id.String())
	if err != nil {
		return AEvent{}, err
	}
	m, err := reply(msgs, msgNewAE)
	if err != nil {
		return AEvent{}, fmt.Errorf("xfrm: get AE %s: %w", id, err)
	}
	return ParseAEvent(m)
}

// SetAE sets the counters of the SA ae.ID names to those ae holds
// (XFRM_MSG_NEWAE with NLM_F_REPLACE, as the kernel requires): the replay
// state, the lifetime counters and the thresholds, those set. The kernel
// notifies GroupAEvents with AECauseUpdate. It fails with ESRCH when
// there is no such SA, and with EINVAL for a larval SA or a replay state
// of another size than the SA's.
func (c *Conn) SetAE(ctx context.Context, ae *AEvent) error {
	obj := ae.ID.String()
	switch err := ae.ID.check(); {
	case err != nil:
		return invalid(msgNewAE, obj, "%v", err)
	case ae.Replay == nil && ae.ReplayESN == nil && ae.Lifetime == nil && ae.ReplayThresh == 0 && ae.TimerThresh == 0:
		return invalid(msgNewAE, obj, "nothing to set: no replay state, lifetime or threshold")
	case ae.Replay != nil && ae.ReplayESN != nil:
		return invalid(msgNewAE, obj, "both a replay state and an ESN replay state")
	}
	b, err := ae.Append(nil)
	if err != nil {
		return invalid(msgNewAE, obj, "%v", err)
	}
	_, err = c.execute(ctx, msgNewAE, netlink.Replace, b, obj)
	return err
}

// Append appends ae as XFRM_MSG_GETAE and XFRM_MSG_NEWAE carry it:
// struct xfrm_aevent_id, then its attributes and Raw.
func (ae *AEvent) Append(b []byte) ([]byte, error) {
	var p [aeventIDLen]byte
	putAddr(p[0:], ae.ID.Dst)
	binary.BigEndian.PutUint32(p[16:], ae.ID.SPI)
	binary.NativeEndian.PutUint16(p[20:], uint16(ae.ID.family()))
	p[22] = uint8(ae.ID.Proto)
	putAddr(p[24:], ae.ID.Src)
	binary.NativeEndian.PutUint32(p[40:], uint32(ae.Flags))
	binary.NativeEndian.PutUint32(p[44:], ae.ReqID)
	e := netlink.NewAttrEncoder(append(b, p[:]...))
	if r := ae.Replay; r != nil {
		e.Bytes(attrReplayVal, r.bytes())
	}
	if r := ae.ReplayESN; r != nil {
		e.Bytes(attrReplayESNVal, r.bytes())
	}
	if l := ae.Lifetime; l != nil {
		var c [lifetimeCurLen]byte
		l.put(c[:])
		e.Bytes(attrLifetimeVal, c[:])
	}
	if ae.ReplayThresh != 0 {
		e.Uint32(attrReplayThresh, ae.ReplayThresh)
	}
	if ae.TimerThresh != 0 {
		e.Uint32(attrETimerThresh, ae.TimerThresh)
	}
	if m := ae.ID.Mark; m != nil {
		e.Bytes(attrMark, m.bytes())
	}
	if ae.IfID != 0 {
		e.Uint32(attrIfID, ae.IfID)
	}
	e.RawAttrs(ae.Raw)
	return e.Finish()
}

// ParseAEvent decodes an XFRM_MSG_NEWAE message (or the payload of a
// GETAE request). The AEvent owns its memory.
func ParseAEvent(m netlink.Message) (AEvent, error) {
	var ae AEvent
	d := m.Data
	if len(d) < aeventIDLen {
		return ae, malformed("struct xfrm_aevent_id of %d bytes", len(d))
	}
	ae.ID = parseStateID(d)
	ae.ID.Src = parseAddrOpt(d[24:], ae.ID.Family)
	ae.Flags = AEFlags(binary.NativeEndian.Uint32(d[40:]))
	ae.ReqID = binary.NativeEndian.Uint32(d[44:])
	var raw []byte
	for a, err := range netlink.Attrs(d[aeventIDLen:]) {
		if err != nil {
			return ae, fmt.Errorf("xfrm: AE attributes: %w", err)
		}
		switch a.Type {
		case attrReplayVal:
			ae.Replay, err = parseReplay(a.Data)
		case attrReplayESNVal:
			ae.ReplayESN, err = parseReplayESN(a.Data)
		case attrLifetimeVal:
			if len(a.Data) < lifetimeCurLen {
				return ae, malformed("XFRMA_LTIME_VAL of %d bytes", len(a.Data))
			}
			l := parseLifetimeCurrent(a.Data)
			ae.Lifetime = &l
		case attrReplayThresh:
			ae.ReplayThresh, err = a.Uint32()
		case attrETimerThresh:
			ae.TimerThresh, err = a.Uint32()
		case attrMark:
			if len(a.Data) < markLen {
				return ae, malformed("XFRMA_MARK of %d bytes", len(a.Data))
			}
			mk := parseMark(a.Data)
			ae.ID.Mark = &mk
		case attrIfID:
			ae.IfID, err = a.Uint32()
		default:
			raw = a.Append(raw)
		}
		if err != nil {
			return ae, fmt.Errorf("xfrm: AE attribute %d: %w", a.Type, err)
		}
	}
	ae.Raw = RawAttrs(raw)
	return ae, nil
}
