package xfrm

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"

	"github.com/nlkit/netlink"
)

// maxTemplates is XFRM_MAX_DEPTH, the most templates a policy holds.
const maxTemplates = 6

// Policy is a security policy: struct xfrm_userpolicy_info and its
// attributes. Selector, Dir, Type and Mark (or Index) identify it.
//
// Listings fill every field the kernel reports; the requests that add or
// update a policy ignore Current and Offload. Attributes this package does
// not model are kept in Raw, in order, and sent back.
type Policy struct {
	Selector Selector
	Dir      Dir
	Action   Action
	Priority uint32 // lower first
	// Index is the kernel's number for the policy; left zero in a request
	// that adds one, the kernel picks it.
	Index uint32
	Flags PolicyFlags
	Share Share

	Lifetime LifetimeConfig
	Current  LifetimeCurrent // read: bytes and packets so far

	// Type is XFRMA_POLICY_TYPE: PolicyMain (not sent) or PolicySub.
	Type      PolicyType
	Templates []Template // XFRMA_TMPL: the SAs the traffic goes through, outermost last
	Mark      *Mark      // XFRMA_MARK
	IfID      uint32     // XFRMA_IF_ID, 0 for none
	SecCtx    []byte     // XFRMA_SEC_CTX, raw: struct xfrm_user_sec_ctx and the context
	Offload   *Offload   // read: XFRMA_OFFLOAD_DEV

	Raw RawAttrs // the attributes not decoded above, sent back as they are
}

// Template is struct xfrm_user_tmpl: an SA a policy's traffic must go
// through, by its addresses, protocol, mode and request ID.
type Template struct {
	// Family is the family of Src and Dst, which in tunnel (and beet) mode
	// may differ from the selector's. Left zero in a request, it is Dst's,
	// or the selector's when Dst is unset.
	Family Family
	Src    netip.Addr // saddr: the tunnel's source, unset in transport mode
	Dst    netip.Addr // id.daddr
	SPI    uint32     // id.spi, 0 for any
	Proto  Proto      // id.proto: ProtoESP, ProtoAH, ProtoComp
	ReqID  uint32     // 0 for any
	Mode   Mode
	Share  Share
	// Optional is ip xfrm's "level use": traffic without the SA passes
	// too ("level required" otherwise).
	Optional bool
	// AuthAlgos, CryptAlgos and CompAlgos are bitmasks of the SADB
	// algorithm numbers allowed. An SA matches a template inbound only if
	// its algorithms are in them: AllAlgorithms in each (what ip xfrm
	// sends) allows any, and zero none.
	AuthAlgos, CryptAlgos, CompAlgos uint32
}

// AllAlgorithms, in each of a Template's algorithm masks, allows any
// algorithm.
const AllAlgorithms = ^uint32(0)

// String formats the policy's identity as errors name it: "policy out
// 198.18.0.0/24->198.18.1.0/24".
func (p *Policy) String() string {
	return p.ID().String()
}

// ID returns what identifies p.
func (p *Policy) ID() PolicyID {
	return PolicyID{Selector: p.Selector, Dir: p.Dir, Index: p.Index, Type: p.Type, Mark: p.Mark, IfID: p.IfID, SecCtx: p.SecCtx}
}

// prepared returns the policy a request sends: p with the families its
// fields' docs promise filled in.
func (p *Policy) prepared() *Policy {
	q := *p
	q.Selector.Family = p.Selector.family()
	q.Templates = slices.Clone(p.Templates)
	for i := range q.Templates {
		t := &q.Templates[i]
		if t.Family == 0 {
			t.Family = addrFamily(t.Dst)
			if t.Family == 0 {
				t.Family = addrFamily(t.Src)
			}
			if t.Family == 0 {
				t.Family = q.Selector.Family
			}
		}
	}
	return &q
}

// check refuses what the kernel would refuse, with a clearer reason; p is
// prepared.
func (p *Policy) check() error {
	f := p.Selector.Family
	switch {
	case f != AFInet && f != AFInet6:
		return fmt.Errorf("selector family %s, want inet or inet6", f)
	case p.Dir > DirFwd:
		return fmt.Errorf("direction %d, want in, out or fwd", p.Dir)
	case p.Action > ActionBlock:
		return fmt.Errorf("action %d, want allow or block", p.Action)
	case p.Share > ShareUnique:
		return fmt.Errorf("share %d, want any, session, user or unique", p.Share)
	case p.Type != PolicyMain && p.Type != PolicySub:
		return fmt.Errorf("policy type %s, want main or sub", p.Type)
	case len(p.Templates) > maxTemplates:
		return fmt.Errorf("%d templates, at most %d", len(p.Templates), maxTemplates)
	}
	if err := p.Selector.check(); err != nil {
		return err
	}
	prev := f
	for i, t := range p.Templates {
		switch {
		case t.Family != AFInet && t.Family != AFInet6:
			return fmt.Errorf("template %d: family %s, want inet or inet6", i, t.Family)
		case t.Dst.IsValid() && addrFamily(t.Dst) != t.Family, t.Src.IsValid() && addrFamily(t.Src) != t.Family:
			return fmt.Errorf("template %d: addresses %s->%s not of family %s", i, addrString(t.Src), addrString(t.Dst), t.Family)
		case t.Mode != ModeTunnel && t.Mode != ModeBEET && t.Family != prev:
			return fmt.Errorf("template %d: %s mode cannot change the family from %s to %s", i, t.Mode, prev, t.Family)
		case t.Mode > ModeIPTFS:
			return fmt.Errorf("template %d: mode %d", i, t.Mode)
		}
		prev = t.Family
	}
	return nil
}

// appendInfo appends struct xfrm_userpolicy_info.
func (p *Policy) appendInfo(b []byte) []byte {
	b = slices.Grow(b, userpolicyLen)
	n := len(b)
	b = b[:n+userpolicyLen]
	q := b[n:]
	clear(q)
	p.Selector.put(q[polSel:])
	p.Lifetime.put(q[polLft:])
	p.Current.put(q[polCurLft:])
	binary.NativeEndian.PutUint32(q[polPriority:], p.Priority)
	binary.NativeEndian.PutUint32(q[polIndex:], p.Index)
	q[polDir] = uint8(p.Dir)
	q[polAction] = uint8(p.Action)
	q[polFlags] = uint8(p.Flags)
	q[polShare] = uint8(p.Share)
	return b
}

func (p *Policy) parseInfo(b []byte) error {
	if len(b) < userpolicyLen {
		return malformed("struct xfrm_userpolicy_info of %d bytes", len(b))
	}
	sel, err := parseSelector(b[polSel:])
	if err != nil {
		return err
	}
	p.Selector = sel
	p.Lifetime = parseLifetimeConfig(b[polLft:])
	p.Current = parseLifetimeCurrent(b[polCurLft:])
	p.Priority = binary.NativeEndian.Uint32(b[polPriority:])
	p.Index = binary.NativeEndian.Uint32(b[polIndex:])
	p.Dir = Dir(b[polDir])
	p.Action = Action(b[polAction])
	p.Flags = PolicyFlags(b[polFlags])
	p.Share = Share(b[polShare])
	return nil
}

// appendAttrs appends the policy's attributes, those a request sends.
func (p *Policy) appendAttrs(b []byte) ([]byte, error) {
	e := netlink.NewAttrEncoder(b)
	if len(p.Templates) > 0 {
		t := make([]byte, 0, userTmplLen*len(p.Templates))
		for _, tm := range p.Templates {
			t = tm.append(t)
		}
		e.Bytes(attrTmpl, t)
	}
	if p.Type != PolicyMain {
		e.Bytes(attrPolicyType, policyTypeBytes(p.Type))
	}
	putPolicyKeys(e, p.Mark, p.IfID, p.SecCtx)
	e.RawAttrs(p.Raw)
	return e.Finish()
}

// putPolicyKeys appends the attributes that identify a policy besides its
// selector: XFRMA_MARK, XFRMA_IF_ID and XFRMA_SEC_CTX.
func putPolicyKeys(e *netlink.AttrEncoder, m *Mark, ifID uint32, secCtx []byte) {
	if m != nil {
		e.Bytes(attrMark, m.bytes())
	}
	if ifID != 0 {
		e.Uint32(attrIfID, ifID)
	}
	if secCtx != nil {
		e.Bytes(attrSecCtx, secCtx)
	}
}

func policyTypeBytes(t PolicyType) []byte {
	return []byte{uint8(t), 0, 0, 0, 0, 0} // struct xfrm_userpolicy_type
}

func (p *Policy) parseAttrs(b []byte, skip uint16) error {
	var raw []byte
	for a, err := range netlink.Attrs(b) {
		if err != nil {
			return fmt.Errorf("xfrm: policy attributes: %w", err)
		}
		d := a.Data
		switch a.Type {
		case skip, attrPad:
		case attrTmpl:
			if len(d)%userTmplLen != 0 {
				return malformed("XFRMA_TMPL of %d bytes", len(d))
			}
			p.Templates = make([]Template, 0, len(d)/userTmplLen)
			for ; len(d) >= userTmplLen; d = d[userTmplLen:] {
				p.Templates = append(p.Templates, parseTemplate(d))
			}
		case attrPolicyType:
			if len(d) < 1 {
				return malformed("XFRMA_POLICY_TYPE of %d bytes", len(d))
			}
			p.Type = PolicyType(d[0])
		case attrMark:
			if len(d) < markLen {
				return malformed("XFRMA_MARK of %d bytes", len(d))
			}
			m := parseMark(d)
			p.Mark = &m
		case attrIfID:
			v, err := a.Uint32()
			if err != nil {
				return fmt.Errorf("xfrm: policy: %w", err)
			}
			p.IfID = v
		case attrSecCtx:
			p.SecCtx = slices.Clone(d)
		case attrOffloadDev:
			if len(d) < 5 {
				return malformed("XFRMA_OFFLOAD_DEV of %d bytes", len(d))
			}
			p.Offload = &Offload{Ifindex: int32(binary.NativeEndian.Uint32(d)), Flags: d[4]}
		default:
			raw = a.Append(raw)
		}
	}
	p.Raw = RawAttrs(raw)
	return nil
}

func (t Template) append(b []byte) []byte {
	var p [userTmplLen]byte
	putAddr(p[0:], t.Dst)
	binary.BigEndian.PutUint32(p[16:], t.SPI)
	p[20] = uint8(t.Proto)
	binary.NativeEndian.PutUint16(p[24:], uint16(t.Family))
	putAddr(p[28:], t.Src)
	binary.NativeEndian.PutUint32(p[44:], t.ReqID)
	p[48] = uint8(t.Mode)
	p[49] = uint8(t.Share)
	if t.Optional {
		p[50] = 1
	}
	binary.NativeEndian.PutUint32(p[52:], t.AuthAlgos)
	binary.NativeEndian.PutUint32(p[56:], t.CryptAlgos)
	binary.NativeEndian.PutUint32(p[60:], t.CompAlgos)
	return append(b, p[:]...)
}

func parseTemplate(b []byte) Template {
	f := Family(binary.NativeEndian.Uint16(b[24:]))
	return Template{
		Family:     f,
		Dst:        parseAddrOpt(b[0:], f),
		SPI:        binary.BigEndian.Uint32(b[16:]),
		Proto:      Proto(b[20]),
		Src:        parseAddrOpt(b[28:], f),
		ReqID:      binary.NativeEndian.Uint32(b[44:]),
		Mode:       Mode(b[48]),
		Share:      Share(b[49]),
		Optional:   b[50] != 0,
		AuthAlgos:  binary.NativeEndian.Uint32(b[52:]),
		CryptAlgos: binary.NativeEndian.Uint32(b[56:]),
		CompAlgos:  binary.NativeEndian.Uint32(b[60:]),
	}
}

// ParsePolicy decodes a policy from a message carrying struct
// xfrm_userpolicy_info and its attributes: a listing's
// XFRM_MSG_NEWPOLICY, a notification's XFRM_MSG_NEWPOLICY or
// XFRM_MSG_UPDPOLICY, or the policy of an XFRM_MSG_DELPOLICY notification
// (struct xfrm_userpolicy_id and XFRMA_POLICY). The Policy owns its
// memory.
func ParsePolicy(m netlink.Message) (Policy, error) {
	var p Policy
	if m.Header.Type == msgDelPolicy {
		return p, p.parseDel(m.Data)
	}
	if err := p.parseInfo(m.Data); err != nil {
		return p, err
	}
	return p, p.parseAttrs(m.Data[userpolicyLen:], 0)
}

func (p *Policy) parseDel(b []byte) error {
	if len(b) < userpolicyIDLen {
		return malformed("struct xfrm_userpolicy_id of %d bytes", len(b))
	}
	attrs := b[userpolicyIDLen:]
	for a, err := range netlink.Attrs(attrs) {
		if err != nil {
			return fmt.Errorf("xfrm: deleted policy: %w", err)
		}
		if a.Type == attrPolicy {
			if err := p.parseInfo(a.Data); err != nil {
				return err
			}
			return p.parseAttrs(attrs, attrPolicy)
		}
	}
	id, err := parsePolicyID(b)
	if err != nil {
		return err
	}
	p.Selector, p.Index, p.Dir = id.Selector, id.Index, id.Dir
	return p.parseAttrs(attrs, 0)
}

// Clone returns a copy of p that shares no memory with it.
func (p *Policy) Clone() Policy {
	c := *p
	c.Templates = slices.Clone(p.Templates)
	c.SecCtx = slices.Clone(p.SecCtx)
	if p.Mark != nil {
		m := *p.Mark
		c.Mark = &m
	}
	if p.Offload != nil {
		o := *p.Offload
		c.Offload = &o
	}
	return c
}

// PolicyID identifies a policy for GetPolicy and DeletePolicy: struct
// xfrm_userpolicy_id, with XFRMA_POLICY_TYPE, XFRMA_MARK, XFRMA_IF_ID and
// XFRMA_SEC_CTX. With Index set, the kernel finds the policy by its index
// and direction; otherwise by the selector and the rest.
type PolicyID struct {
	Selector Selector
	Dir      Dir
	Index    uint32
	Type     PolicyType
	Mark     *Mark
	IfID     uint32
	SecCtx   []byte
}

// String formats id as errors name it: "policy out
// 198.18.0.0/24->198.18.1.0/24", with " index N" when Index is set.
func (id PolicyID) String() string {
	f := id.Selector.family()
	s := fmt.Sprintf("policy %s %s->%s", id.Dir, prefixString(id.Selector.Src, f), prefixString(id.Selector.Dst, f))
	if id.Index != 0 {
		s += fmt.Sprintf(" index %d", id.Index)
	}
	return s
}

func (id PolicyID) check() error {
	switch {
	case id.Dir > DirFwd:
		return fmt.Errorf("direction %d, want in, out or fwd", id.Dir)
	case id.Type != PolicyMain && id.Type != PolicySub:
		return fmt.Errorf("policy type %s, want main or sub", id.Type)
	}
	return id.Selector.check()
}

// append appends struct xfrm_userpolicy_id and its attributes.
func (id PolicyID) append(b []byte) ([]byte, error) {
	var p [userpolicyIDLen]byte
	sel := id.Selector
	sel.Family = sel.family()
	sel.put(p[:])
	binary.NativeEndian.PutUint32(p[56:], id.Index)
	p[60] = uint8(id.Dir)
	e := netlink.NewAttrEncoder(append(b, p[:]...))
	if id.Type != PolicyMain {
		e.Bytes(attrPolicyType, policyTypeBytes(id.Type))
	}
	putPolicyKeys(e, id.Mark, id.IfID, id.SecCtx)
	return e.Finish()
}

func parsePolicyID(b []byte) (PolicyID, error) {
	sel, err := parseSelector(b)
	return PolicyID{Selector: sel, Index: binary.NativeEndian.Uint32(b[56:]), Dir: Dir(b[60])}, err
}
