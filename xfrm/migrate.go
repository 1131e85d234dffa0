package xfrm

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/nlkit/netlink"
)

// Migrate is an XFRM_MSG_MIGRATE message: a request that moves the
// tunnel endpoints of a policy's templates and of the SAs they use to
// new addresses (MOBIKE, Mobile IPv6), or the kernel's notification
// (GroupMigrate) that it did.
type Migrate struct {
	// Policy selects the policy by its selector, direction and type
	// (struct xfrm_userpolicy_id and XFRMA_POLICY_TYPE); its Index is
	// not used.
	Policy PolicyID
	Moves  []Move // XFRMA_MIGRATE: one or more struct xfrm_user_migrate
	// KMAddress, when set, is XFRMA_KMADDRESS: the addresses of the key
	// managers of both ends (PF_KEY's, kept for compatibility).
	KMAddress *KMAddress
	Encap     *Encap // XFRMA_ENCAP: the SAs' new UDP encapsulation
	IfID      uint32 // XFRMA_IF_ID: of the policy, in a request
	Raw       RawAttrs
}

// Move is struct xfrm_user_migrate: the endpoints of the templates and
// SAs of protocol Proto, mode Mode and request ID ReqID move from
// OldSrc->OldDst to NewSrc->NewDst.
type Move struct {
	OldDst, OldSrc       netip.Addr
	NewDst, NewSrc       netip.Addr
	Proto                Proto
	Mode                 Mode
	ReqID                uint32
	OldFamily, NewFamily Family // left zero in a request, taken from the addresses
}

// KMAddress is struct xfrm_user_kmaddress.
type KMAddress struct {
	Local, Remote netip.Addr
	Family        Family // left zero, taken from Local
}

// Migrate moves the tunnel endpoints m names (XFRM_MSG_MIGRATE); the
// kernel notifies GroupMigrate. It fails with ENOENT when no policy
// matches. Before sending it refuses a request without moves, with new
// addresses unset, or addresses of mixed families in one move.
func (c *Conn) Migrate(ctx context.Context, m *Migrate) error {
	obj := "migrate " + m.Policy.String()
	if err := m.check(); err != nil {
		return invalid(msgMigrate, obj, "%v", err)
	}
	b, err := m.Append(nil)
	if err != nil {
		return invalid(msgMigrate, obj, "%v", err)
	}
	_, err = c.execute(ctx, msgMigrate, 0, b, obj)
	return err
}

func (m *Migrate) check() error {
	if len(m.Moves) == 0 {
		return fmt.Errorf("no moves")
	}
	if len(m.Moves) > maxTemplates {
		return fmt.Errorf("%d moves, at most %d", len(m.Moves), maxTemplates)
	}
	if err := m.Policy.check(); err != nil {
		return err
	}
	for i, mv := range m.Moves {
		switch {
		case !mv.NewSrc.IsValid() || !mv.NewDst.IsValid():
			return fmt.Errorf("move %d: new addresses unset", i)
		case addrFamily(mv.NewSrc) != addrFamily(mv.NewDst):
			return fmt.Errorf("move %d: new addresses %s->%s of mixed families", i, mv.NewSrc, mv.NewDst)
		case mv.OldSrc.IsValid() && mv.OldDst.IsValid() && addrFamily(mv.OldSrc) != addrFamily(mv.OldDst):
			return fmt.Errorf("move %d: old addresses %s->%s of mixed families", i, mv.OldSrc, mv.OldDst)
		}
	}
	return nil
}

// Append appends m as XFRM_MSG_MIGRATE carries it: struct
// xfrm_userpolicy_id, XFRMA_POLICY_TYPE when not main, one XFRMA_MIGRATE
// holding every move, XFRMA_KMADDRESS, XFRMA_ENCAP and XFRMA_IF_ID when
// set, then Raw.
func (m *Migrate) Append(b []byte) ([]byte, error) {
	id := PolicyID{Selector: m.Policy.Selector, Dir: m.Policy.Dir, Type: m.Policy.Type}
	b, err := id.append(b)
	if err != nil {
		return nil, err
	}
	e := netlink.NewAttrEncoder(b)
	mv := make([]byte, userMigrateLen*len(m.Moves))
	for i, x := range m.Moves {
		x.put(mv[i*userMigrateLen:])
	}
	e.Bytes(attrMigrate, mv)
	if k := m.KMAddress; k != nil {
		var p [userKMAddressLen]byte
		putAddr(p[0:], k.Local)
		putAddr(p[16:], k.Remote)
		f := k.Family
		if f == 0 {
			f = addrFamily(k.Local)
		}
		binary.NativeEndian.PutUint16(p[36:], uint16(f))
		e.Bytes(attrKMAddress, p[:])
	}
	if en := m.Encap; en != nil {
		e.Bytes(attrEncap, en.bytes())
	}
	if m.IfID != 0 {
		e.Uint32(attrIfID, m.IfID)
	}
	e.RawAttrs(m.Raw)
	return e.Finish()
}

func (x Move) put(p []byte) {
	putAddr(p[0:], x.OldDst)
	putAddr(p[16:], x.OldSrc)
	putAddr(p[32:], x.NewDst)
	putAddr(p[48:], x.NewSrc)
	p[64] = uint8(x.Proto)
	p[65] = uint8(x.Mode)
	binary.NativeEndian.PutUint32(p[68:], x.ReqID)
	of, nf := x.OldFamily, x.NewFamily
	if of == 0 {
		of = addrFamily(x.OldDst)
	}
	if nf == 0 {
		nf = addrFamily(x.NewDst)
	}
	binary.NativeEndian.PutUint16(p[72:], uint16(of))
	binary.NativeEndian.PutUint16(p[74:], uint16(nf))
}

// ParseMigrate decodes an XFRM_MSG_MIGRATE message, the kernel's
// notification (one XFRMA_MIGRATE per move) or a request (one holding
// them all).
func ParseMigrate(msg netlink.Message) (Migrate, error) {
	var m Migrate
	d := msg.Data
	if len(d) < userpolicyIDLen {
		return m, malformed("struct xfrm_userpolicy_id of %d bytes", len(d))
	}
	id, err := parsePolicyID(d)
	if err != nil {
		return m, err
	}
	m.Policy = id
	var raw []byte
	for a, err := range netlink.Attrs(d[userpolicyIDLen:]) {
		if err != nil {
			return m, fmt.Errorf("xfrm: migrate attributes: %w", err)
		}
		switch a.Type {
		case attrMigrate:
			if len(a.Data)%userMigrateLen != 0 {
				return m, malformed("XFRMA_MIGRATE of %d bytes", len(a.Data))
			}
			for p := a.Data; len(p) > 0; p = p[userMigrateLen:] {
				of := Family(binary.NativeEndian.Uint16(p[72:]))
				nf := Family(binary.NativeEndian.Uint16(p[74:]))
				m.Moves = append(m.Moves, Move{
					OldDst: parseAddrOpt(p[0:], of), OldSrc: parseAddrOpt(p[16:], of),
					NewDst: parseAddrOpt(p[32:], nf), NewSrc: parseAddrOpt(p[48:], nf),
					Proto: Proto(p[64]), Mode: Mode(p[65]), ReqID: binary.NativeEndian.Uint32(p[68:]),
					OldFamily: of, NewFamily: nf,
				})
			}
		case attrPolicyType:
			if len(a.Data) < userpolicyTypeLen {
				return m, malformed("XFRMA_POLICY_TYPE of %d bytes", len(a.Data))
			}
			m.Policy.Type = PolicyType(a.Data[0])
		case attrKMAddress:
			if len(a.Data) < userKMAddressLen {
				return m, malformed("XFRMA_KMADDRESS of %d bytes", len(a.Data))
			}
			f := Family(binary.NativeEndian.Uint16(a.Data[36:]))
			m.KMAddress = &KMAddress{Local: parseAddrOpt(a.Data, f), Remote: parseAddrOpt(a.Data[16:], f), Family: f}
		case attrEncap:
			en, err := parseEncap(a.Data, m.Policy.Selector.Family)
			if err != nil {
				return m, err
			}
			m.Encap = en
		case attrIfID:
			if m.IfID, err = a.Uint32(); err != nil {
				return m, fmt.Errorf("xfrm: migrate attribute %d: %w", a.Type, err)
			}
		default:
			raw = a.Append(raw)
		}
	}
	m.Raw = RawAttrs(raw)
	return m, nil
}

// Report is struct xfrm_user_report (XFRM_MSG_REPORT): the kernel tells
// the key manager of traffic of protocol Proto (route2 or hao, Mobile
// IPv6's) that Selector describes, from a care-of address.
type Report struct {
	Proto    Proto
	Selector Selector
	CoAddr   netip.Addr // XFRMA_COADDR
}

// ParseReport decodes an XFRM_MSG_REPORT message.
func ParseReport(m netlink.Message) (Report, error) {
	var r Report
	d := m.Data
	if len(d) < userReportLen {
		return r, malformed("struct xfrm_user_report of %d bytes", len(d))
	}
	r.Proto = Proto(d[0])
	sel, err := parseSelector(d[4:])
	if err != nil {
		return r, err
	}
	r.Selector = sel
	for a, err := range netlink.Attrs(d[userReportLen:]) {
		if err != nil {
			return r, fmt.Errorf("xfrm: report attributes: %w", err)
		}
		if a.Type == attrCoAddr && len(a.Data) >= addrLen {
			r.CoAddr = parseAddrOpt(a.Data, sel.Family)
		}
	}
	return r, nil
}

// Append appends r as XFRM_MSG_REPORT carries it, the selector as it is.
func (r Report) Append(b []byte) ([]byte, error) {
	var p [userReportLen]byte
	p[0] = uint8(r.Proto)
	r.Selector.put(p[4:])
	e := netlink.NewAttrEncoder(append(b, p[:]...))
	if r.CoAddr.IsValid() {
		var a [addrLen]byte
		putAddr(a[:], r.CoAddr)
		e.Bytes(attrCoAddr, a[:])
	}
	return e.Finish()
}
