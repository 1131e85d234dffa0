package xfrm

import (
	"context"
	"encoding/binary"
	"errors"
	"iter"
	"net/netip"

	"github.com/nlkit/netlink"
)

// Event is one xfrm notification. Type says what happened and at most one
// of the pointer fields holds it, decoded: State for XFRM_MSG_NEWSA,
// XFRM_MSG_UPDSA and XFRM_MSG_DELSA; Policy for XFRM_MSG_NEWPOLICY,
// XFRM_MSG_UPDPOLICY and XFRM_MSG_DELPOLICY; AEvent for XFRM_MSG_NEWAE;
// Defaults for XFRM_MSG_GETDEFAULT (the default actions, after a
// SETDEFAULT); Acquire, Expire, PolicyExpire, Flush, Mapping, Migrate and
// Report for the messages of those names. Message always holds the
// notification as received (the types Event does not decode have it
// alone). An Event owns its memory.
type Event struct {
	Type         netlink.HeaderType
	State        *State
	Policy       *Policy
	Acquire      *Acquire
	Expire       *Expire
	PolicyExpire *PolicyExpire
	Flush        *Flush
	Mapping      *Mapping
	AEvent       *AEvent
	Defaults     *DefaultPolicies
	Migrate      *Migrate
	Report       *Report
	Message      netlink.Message
}

// The notification types, for Event.Type.
const (
	EventNewSA        netlink.HeaderType = msgNewSA       // XFRM_MSG_NEWSA
	EventUpdSA        netlink.HeaderType = msgUpdSA       // XFRM_MSG_UPDSA
	EventDelSA        netlink.HeaderType = msgDelSA       // XFRM_MSG_DELSA
	EventNewPolicy    netlink.HeaderType = msgNewPolicy   // XFRM_MSG_NEWPOLICY
	EventUpdPolicy    netlink.HeaderType = msgUpdPolicy   // XFRM_MSG_UPDPOLICY
	EventDelPolicy    netlink.HeaderType = msgDelPolicy   // XFRM_MSG_DELPOLICY
	EventAcquire      netlink.HeaderType = msgAcquire     // XFRM_MSG_ACQUIRE
	EventExpire       netlink.HeaderType = msgExpire      // XFRM_MSG_EXPIRE
	EventPolicyExpire netlink.HeaderType = msgPolExpire   // XFRM_MSG_POLEXPIRE
	EventFlushSA      netlink.HeaderType = msgFlushSA     // XFRM_MSG_FLUSHSA
	EventFlushPolicy  netlink.HeaderType = msgFlushPolicy // XFRM_MSG_FLUSHPOLICY
	EventMapping      netlink.HeaderType = msgMapping     // XFRM_MSG_MAPPING
	EventNewAE        netlink.HeaderType = msgNewAE       // XFRM_MSG_NEWAE
	EventReport       netlink.HeaderType = msgReport      // XFRM_MSG_REPORT
	EventMigrate      netlink.HeaderType = msgMigrate     // XFRM_MSG_MIGRATE
	EventDefault      netlink.HeaderType = msgGetDefault  // XFRM_MSG_GETDEFAULT, on GroupPolicy
)

// Acquire is struct xfrm_user_acquire (XFRM_MSG_ACQUIRE): the kernel asks
// the key manager for an SA for traffic a policy's template requires and
// no SA serves.
type Acquire struct {
	Src, Dst   netip.Addr // the SA's addresses (id.daddr, saddr)
	Proto      Proto
	SPI        uint32
	Selector   Selector // the traffic that triggered it
	Policy     Policy   // the policy with the template, and its attributes
	AuthAlgos  uint32
	CryptAlgos uint32
	CompAlgos  uint32
	// Seq is what the SA that answers must carry in State.Seq.
	Seq uint32
}

// Expire is struct xfrm_user_expire (XFRM_MSG_EXPIRE): an SA reached a
// lifetime limit, soft (the key manager should rekey) or hard (the kernel
// deleted it).
type Expire struct {
	State State
	Hard  bool
}

// PolicyExpire is struct xfrm_user_polexpire (XFRM_MSG_POLEXPIRE).
type PolicyExpire struct {
	Policy Policy
	Hard   bool
}

// Flush is a flush's notification: of the SAs of Proto
// (XFRM_MSG_FLUSHSA, struct xfrm_usersa_flush) or of the policies of Type
// (XFRM_MSG_FLUSHPOLICY).
type Flush struct {
	Proto Proto
	Type  PolicyType
}

// Mapping is struct xfrm_user_mapping (XFRM_MSG_MAPPING): the NAT in
// front of the peer of an SA with UDP encapsulation changed its mapping.
type Mapping struct {
	ID                 StateID // the SA
	ReqID              uint32
	OldSrc, NewSrc     netip.Addr
	OldSport, NewSport uint16
}

// ParseEvent decodes a notification into an Event. Messages of types
// Event does not decode are returned with Type and Message alone; an error
// means the message is malformed (it wraps netlink.ErrMalformed), and the
// Event still has Type and Message.
func ParseEvent(m netlink.Message) (Event, error) {
	e := Event{Type: m.Header.Type, Message: m}
	switch m.Header.Type {
	case msgNewSA, msgUpdSA, msgDelSA:
		s, err := ParseState(m)
		if err != nil {
			return e, err
		}
		e.State = &s
	case msgNewPolicy, msgUpdPolicy, msgDelPolicy:
		p, err := ParsePolicy(m)
		if err != nil {
			return e, err
		}
		e.Policy = &p
	case msgAcquire:
		a, err := parseAcquire(m.Data)
		if err != nil {
			return e, err
		}
		e.Acquire = &a
	case msgExpire:
		if len(m.Data) < userExpireLen {
			return e, malformed("struct xfrm_user_expire of %d bytes", len(m.Data))
		}
		x := &Expire{Hard: m.Data[usersaInfoLen] != 0}
		if err := x.State.parseInfo(m.Data); err != nil {
			return e, err
		}
		if err := x.State.parseAttrs(m.Data[userExpireLen:], 0); err != nil {
			return e, err
		}
		e.Expire = x
	case msgPolExpire:
		if len(m.Data) < userPolExpireLen {
			return e, malformed("struct xfrm_user_polexpire of %d bytes", len(m.Data))
		}
		x := &PolicyExpire{Hard: m.Data[userpolicyLen] != 0}
		if err := x.Policy.parseInfo(m.Data); err != nil {
			return e, err
		}
		if err := x.Policy.parseAttrs(m.Data[userPolExpireLen:], 0); err != nil {
			return e, err
		}
		e.PolicyExpire = x
	case msgFlushSA:
		if len(m.Data) < usersaFlushLen {
			return e, malformed("struct xfrm_usersa_flush of %d bytes", len(m.Data))
		}
		e.Flush = &Flush{Proto: Proto(m.Data[0])}
	case msgFlushPolicy:
		f := &Flush{}
		for a, err := range netlink.Attrs(m.Data) {
			if err != nil {
				return e, err
			}
			if a.Type == attrPolicyType && len(a.Data) > 0 {
				f.Type = PolicyType(a.Data[0])
			}
		}
		e.Flush = f
	case msgNewAE:
		ae, err := ParseAEvent(m)
		if err != nil {
			return e, err
		}
		e.AEvent = &ae
	case msgGetDefault:
		d, err := ParseDefaultPolicies(m)
		if err != nil {
			return e, err
		}
		e.Defaults = &d
	case msgMigrate:
		mg, err := ParseMigrate(m)
		if err != nil {
			return e, err
		}
		e.Migrate = &mg
	case msgReport:
		r, err := ParseReport(m)
		if err != nil {
			return e, err
		}
		e.Report = &r
	case msgMapping:
		d := m.Data
		if len(d) < userMappingLen {
			return e, malformed("struct xfrm_user_mapping of %d bytes", len(d))
		}
		id := parseStateID(d)
		e.Mapping = &Mapping{
			ID:       id,
			ReqID:    binary.NativeEndian.Uint32(d[24:]),
			OldSrc:   parseAddrOpt(d[28:], id.Family),
			NewSrc:   parseAddrOpt(d[44:], id.Family),
			OldSport: binary.BigEndian.Uint16(d[60:]),
			NewSport: binary.BigEndian.Uint16(d[62:]),
		}
	}
	return e, nil
}

func parseAcquire(d []byte) (Acquire, error) {
	var a Acquire
	if len(d) < userAcquireLen {
		return a, malformed("struct xfrm_user_acquire of %d bytes", len(d))
	}
	sel, err := parseSelector(d[40:])
	if err != nil {
		return a, err
	}
	a.Selector = sel
	if err := a.Policy.parseInfo(d[userAcquirePolicy:]); err != nil {
		return a, err
	}
	if err := a.Policy.parseAttrs(d[userAcquireLen:], 0); err != nil {
		return a, err
	}
	// struct xfrm_user_acquire has no family for its addresses: the SA's
	// is its template's.
	f := sel.Family
	if len(a.Policy.Templates) > 0 {
		f = a.Policy.Templates[0].Family
	}
	a.Dst = parseAddrOpt(d[0:], f)
	a.SPI = binary.BigEndian.Uint32(d[16:])
	a.Proto = Proto(d[20])
	a.Src = parseAddrOpt(d[24:], f)
	o := userAcquirePolicy + userpolicyLen
	a.AuthAlgos = binary.NativeEndian.Uint32(d[o:])
	a.CryptAlgos = binary.NativeEndian.Uint32(d[o+4:])
	a.CompAlgos = binary.NativeEndian.Uint32(d[o+8:])
	a.Seq = binary.NativeEndian.Uint32(d[o+12:])
	return a, nil
}

// Watch joins groups (none: the groups the Conn has joined already) and
// yields the notifications the Conn receives, as Events, until ctx is done.
// The groups stay joined when the iteration ends.
//
// Two kinds of errors are yielded without ending the stream, since events
// keep coming after them: one wrapping netlink.ErrOverrun, after the
// kernel dropped notifications because the Conn's receive queue was full
// (list the SAs and policies again), and one wrapping
// netlink.ErrMalformed, for a notification that does not decode (its Event
// has Type and Message). Any other error (ctx done, the Conn closed) is
// yielded last.
//
// Watch sends no request: it joins the groups (NETLINK_ADD_MEMBERSHIP,
// XFRMNLGRP_*) and reads what the kernel multicasts.
func (c *Conn) Watch(ctx context.Context, groups ...Group) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for _, g := range groups {
			if err := c.NL.JoinGroup(uint32(g)); err != nil {
				yield(Event{}, err)
				return
			}
		}
		for {
			msgs, err := c.NL.Receive(ctx)
			if err != nil {
				if !yield(Event{}, err) || !errors.Is(err, netlink.ErrOverrun) && !errors.Is(err, netlink.ErrMalformed) {
					return
				}
				continue
			}
			for _, m := range msgs {
				if !yield(ParseEvent(m)) {
					return
				}
			}
		}
	}
}
