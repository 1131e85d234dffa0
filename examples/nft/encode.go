package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"
	"slices"
	"strings"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// anonSet is an anonymous set a rule looks up, with its elements: nft
// adds it in the transaction that adds the rule.
type anonSet struct {
	set   *nftables.Set
	elems []nftables.Element
}

// encodeRule turns a rule's statements into the kernel's expressions for
// a rule of a table of family f, as nft does: the protocol matches that
// header fields need go before them, adjacent header fields matched one
// after the other are loaded at once, and each anonymous set is a set of
// its own, added before the rule. Statements nft would refuse are an
// error here, before anything is sent.
func encodeRule(f nftables.Family, table string, ss []stmt) ([]nftables.Expr, []anonSet, error) {
	e := encoder{family: f, table: table}
	switch f {
	case nftables.FamilyIPv4:
		e.nfproto = uapi.NFPROTO_IPV4
	case nftables.FamilyIPv6:
		e.nfproto = uapi.NFPROTO_IPV6
	}
	for _, s := range ss {
		if err := e.evaluate(s); err != nil {
			return nil, nil, err
		}
	}
	mergePayloads(e.out)
	for _, s := range e.out {
		if s == nil {
			continue
		}
		if err := e.linearize(s); err != nil {
			return nil, nil, err
		}
	}
	return e.xs, e.sets, nil
}

type encoder struct {
	family           nftables.Family
	table            string
	nfproto, l4proto byte   // the protocols matched so far
	out              []stmt // the statements with their protocol matches
	xs               []nftables.Expr
	sets             []anonSet
}

func (e *encoder) evaluate(s stmt) error {
	switch s := s.(type) {
	case *match:
		if err := e.needs(s.left); err != nil {
			return err
		}
		if e.redundant(s) {
			return nil
		}
		m := *s
		if set, ok := m.right.(setExpr); ok && len(set) == 1 {
			if _, ok := m.left.(concat); !ok {
				// nft matches a set of one element as that element.
				m.right = set[0].key
			}
		}
		if _, ok := m.left.(concat); ok {
			switch m.right.(type) {
			case setExpr, setRef:
			default:
				return fmt.Errorf("%s: this program matches a concatenation only with a set", stmtText(s))
			}
		}
		e.out = append(e.out, &m)
		e.learn(&m)
	case *vmap:
		if err := e.needs(s.key); err != nil {
			return err
		}
		e.out = append(e.out, s)
	case *reject:
		r, err := e.reject(s)
		if err != nil {
			return err
		}
		e.out = append(e.out, r)
	case *nat:
		n, err := e.nat(s)
		if err != nil {
			return err
		}
		e.out = append(e.out, n)
	default:
		e.out = append(e.out, s)
	}
	return nil
}

// needs puts before a match the protocol matches its header fields need:
// meta nfproto in an inet table, meta protocol in a bridge or netdev
// table, meta l4proto for tcp and udp; or fails where the rule matched
// another protocol.
func (e *encoder) needs(left expr) error {
	fs := fieldsOf(left)
	for _, f := range fs {
		if f == fieldNamed("meta", "nfproto") && e.family != nftables.FamilyINet {
			return fmt.Errorf("meta nfproto is only useful in the inet family")
		}
		switch f.layer() {
		case layerNetwork:
			if err := e.needNet(netProto(f.proto)); err != nil {
				return err
			}
		case layerTransport:
			if err := e.needTransport(transportProto(f.proto)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *encoder) needNet(p byte) error {
	switch {
	case e.nfproto == p:
		return nil
	case e.nfproto != 0:
		return fmt.Errorf("conflicting protocols specified: %s vs. %s", netName(e.nfproto), netName(p))
	case e.family == nftables.FamilyINet:
		e.dep(fieldNamed("meta", "nfproto"), []byte{p})
	case e.family == nftables.FamilyBridge || e.family == nftables.FamilyNetdev:
		e.dep(fieldNamed("meta", "protocol"), etherOf(p))
	default:
		return fmt.Errorf("%s has no %s header", e.family, netName(p))
	}
	e.nfproto = p
	return nil
}

func (e *encoder) needTransport(p byte) error {
	switch {
	case e.l4proto == p:
		return nil
	case e.l4proto != 0:
		return fmt.Errorf("conflicting protocols specified: %s vs. %s", typeInetProto.text([]byte{e.l4proto}), transportName(p))
	}
	e.dep(fieldNamed("meta", "l4proto"), []byte{p})
	e.l4proto = p
	return nil
}

func (e *encoder) dep(f *field, b []byte) {
	e.out = append(e.out, &match{f, opImplicit, value{f.t, b}})
}

// redundant reports a match nft leaves out: of the table's own protocol,
// "meta protocol ip" in an ip table.
func (e *encoder) redundant(m *match) bool {
	v, ok := m.right.(value)
	return ok && m.left == expr(fieldNamed("meta", "protocol")) && (m.op == opImplicit || m.op == opEq) &&
		(e.family == nftables.FamilyIPv4 || e.family == nftables.FamilyIPv6) && bytes.Equal(v.b, etherOf(e.nfproto))
}

// learn notes the protocol a match of one protocol number matched.
func (e *encoder) learn(m *match) {
	v, ok := m.right.(value)
	if !ok || (m.op != opImplicit && m.op != opEq) {
		return
	}
	switch m.left {
	case expr(fieldNamed("meta", "nfproto")):
		e.nfproto = v.b[0]
	case expr(fieldNamed("meta", "protocol")):
		for _, p := range []byte{uapi.NFPROTO_IPV4, uapi.NFPROTO_IPV6} {
			if bytes.Equal(v.b, etherOf(p)) {
				e.nfproto = p
			}
		}
	case expr(fieldNamed("meta", "l4proto")), expr(fieldNamed("ip", "protocol")), expr(fieldNamed("ip6", "nexthdr")):
		e.l4proto = v.b[0]
	}
}

// The ICMP and ICMPv6 codes of "port unreachable", the default of a
// reject in an ip or ip6 table (include/uapi/linux/icmp.h, icmpv6.h);
// golang.org/x/sys/unix has neither.
const (
	icmpPortUnreach   = 3 // ICMP_PORT_UNREACH
	icmpv6PortUnreach = 4 // ICMPV6_PORT_UNREACH
)

// reject gives a reject its type and code: for "reject", the family's
// default (ICMP port unreachable, for an inet table the abstract ICMP's
// unless the rule matched IPv4 or IPv6).
func (e *encoder) reject(s *reject) (*reject, error) {
	r := *s
	ipFamily := e.family == nftables.FamilyIPv4 || e.family == nftables.FamilyIPv6
	switch {
	case r.plain && e.nfproto == uapi.NFPROTO_IPV4:
		r.typ, r.proto, r.code = nftables.RejectICMPUnreach, "icmp", icmpPortUnreach
	case r.plain && e.nfproto == uapi.NFPROTO_IPV6:
		r.typ, r.proto, r.code = nftables.RejectICMPUnreach, "icmpv6", icmpv6PortUnreach
	case r.plain:
		r.typ, r.proto, r.code = nftables.RejectICMPxUnreach, "icmpx", uint8(nftables.ICMPxPortUnreach)
	case r.typ == nftables.RejectTCPReset:
		return &r, e.needTransport(protoTCP)
	case r.proto == "icmpx" && ipFamily:
		return nil, fmt.Errorf("abstracted ICMP unreachable not supported")
	case r.proto == "icmp":
		return &r, e.needNet(uapi.NFPROTO_IPV4)
	case r.proto == "icmpv6":
		return &r, e.needNet(uapi.NFPROTO_IPV6)
	}
	return &r, nil
}

// nat reads a NAT statement's addresses and ports, of the family of the
// table or, in an inet table, the one it names or the rule matched.
func (e *encoder) nat(s *nat) (*nat, error) {
	n := *s
	switch e.family {
	case nftables.FamilyIPv4, nftables.FamilyIPv6:
		if n.family != 0 && n.family != e.family {
			return nil, fmt.Errorf("%s %s in a table of family %s", n.kind, n.family, e.family)
		}
		n.family = e.family
	case nftables.FamilyINet:
		if n.family == 0 {
			n.family = nftables.Family(e.nfproto)
		}
		if n.family == 0 && n.addr != nil {
			return nil, fmt.Errorf("ip or ip6 must be specified with address for inet tables")
		}
	default:
		return nil, fmt.Errorf("%s is not supported in %s tables", n.kind, e.family)
	}
	t := typeIPAddr
	if n.family == nftables.FamilyIPv6 {
		t = typeIP6Addr
	}
	var err error
	if w, ok := n.addr.(natWord); ok {
		if n.addr, err = natValue(t, string(w)); err != nil {
			return nil, err
		}
	}
	if w, ok := n.port.(natWord); ok {
		if e.l4proto != protoTCP && e.l4proto != protoUDP {
			return nil, fmt.Errorf("transport protocol mapping is only valid after transport protocol match")
		}
		if n.port, err = natValue(typeInetService, string(w)); err != nil {
			return nil, err
		}
	}
	return &n, nil
}

// natValue reads "a" or "a-b" of type t.
func natValue(t *dtype, s string) (expr, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	l, err := t.parse(lo)
	if err != nil {
		return nil, err
	}
	if !isRange {
		return value{t, l}, nil
	}
	h, err := t.parse(hi)
	if err != nil {
		return nil, err
	}
	return rangeExpr{value{t, l}, value{t, h}}, nil
}

// mergePayloads merges adjacent header fields that a rule matches one
// after the other into one load and one comparison, as nft does
// (payload_try_merge in its rule.c): among the matches of header fields
// against values with == or !=, up to a statement that is not a match
// (when it has two of them; nft carries fewer over), those with
// adjacent fields and the same relation merge into the one with the
// lowest offset, when the merged load is at most 4 bytes, or one of them
// was over 4 already, and at most 16.
func mergePayloads(ss []stmt) {
	var run []int
	for i, s := range ss {
		switch s := s.(type) {
		case *match:
			if f, ok := s.left.(*field); ok && f.isPayload() && isValue(s.right) && (s.op == opImplicit || s.op == opEq || s.op == opNeq) {
				run = append(run, i)
			}
		case *vmap:
		default:
			if len(run) >= 2 {
				mergeRun(ss, run)
				run = nil
			}
		}
	}
	if len(run) >= 2 {
		mergeRun(ss, run)
	}
}

func isValue(e expr) bool {
	_, ok := e.(value)
	return ok
}

// payloadRun is header fields loaded at once, and a value of them all.
type payloadRun []*field

func mergeRun(ss []stmt, run []int) {
	type item struct {
		fs  payloadRun
		b   []byte
		op  op
		idx int
	}
	items := make([]item, len(run))
	for i, idx := range run {
		m := ss[idx].(*match)
		items[i] = item{payloadRun{m.left.(*field)}, m.right.(value).b, m.op, idx}
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if a.fs[0].base != b.fs[0].base {
			return int(a.fs[0].base) - int(b.fs[0].base)
		}
		return int(a.fs[0].offset) - int(b.fs[0].offset)
	})
	eq := func(o op) op {
		if o == opImplicit {
			return opEq
		}
		return o
	}
	last := 0
	for i := 1; i < len(items); i++ {
		a, b := &items[last], items[i]
		if !canMerge(a.fs, b.fs) || eq(a.op) != eq(b.op) {
			last = i
			continue
		}
		a.fs = append(slices.Clone(a.fs), b.fs...)
		a.b = append(slices.Clone(a.b), b.b...)
		ss[a.idx] = &match{a.fs, a.op, value{nil, a.b}}
		ss[b.idx] = nil
	}
}

func (r payloadRun) len() uint32 {
	n := uint32(0)
	for _, f := range r {
		n += f.len
	}
	return n
}

// canMerge is nft's payload_can_merge.
func canMerge(a, b payloadRun) bool {
	if a[0].base != b[0].base || a[0].offset+a.len() != b[0].offset {
		return false
	}
	total := a.len() + b.len()
	return total <= 16 && (total <= 4 || a.len() > 4 || b.len() > 4)
}

// fieldsOf lists the fields an operand loads.
func fieldsOf(e expr) []*field {
	switch e := e.(type) {
	case *field:
		return []*field{e}
	case concat:
		var fs []*field
		for _, x := range e {
			fs = append(fs, x.(*field))
		}
		return fs
	case payloadRun:
		return e
	}
	return nil
}

func (e *encoder) emit(xs ...nftables.Expr) { e.xs = append(e.xs, xs...) }

// load loads left into registers from Reg1: a concatenation's fields one
// after the other, each from a 32-bit register, rounded up.
func (e *encoder) load(left expr) {
	if r, ok := left.(payloadRun); ok {
		e.emit(&nftables.Payload{Dreg: nftables.Reg1, Base: r[0].base, Offset: r[0].offset, Len: r.len()})
		return
	}
	n := 0
	for i, f := range fieldsOf(left) {
		r := nftables.Reg1
		if i > 0 {
			r = nftables.Reg32(n)
		}
		e.emit(f.load(r))
		n += (f.t.size + 3) / 4
	}
}

func (e *encoder) linearize(s stmt) error {
	switch s := s.(type) {
	case *match:
		return e.match(s)
	case *vmap:
		e.load(s.key)
		lookup, err := e.lookup(s.key, s.data, true)
		if err != nil {
			return err
		}
		r := nftables.RegVerdict
		lookup.Dreg = &r
		e.emit(lookup)
	case *nftables.Verdict:
		e.emit(&nftables.Immediate{Dreg: nftables.RegVerdict, Verdict: s})
	case *nftables.Counter:
		e.emit(&nftables.Counter{Packets: s.Packets, Bytes: s.Bytes})
	case *nftables.Log:
		l := *s
		e.emit(&l)
	case *nftables.Limit:
		l := *s
		e.emit(&l)
	case *reject:
		r := &nftables.Reject{Type: s.typ}
		if s.typ != nftables.RejectTCPReset {
			code := s.code
			r.ICMPCode = &code
		}
		e.emit(r)
	case *nat:
		e.natExprs(s)
	default:
		return fmt.Errorf("%s: no expressions for %T", stmtText(s), s)
	}
	return nil
}

func (e *encoder) match(m *match) error {
	cmpOp := nftables.CmpOp(m.op)
	if m.op == opImplicit {
		cmpOp = nftables.CmpEq
	}
	fs := fieldsOf(m.left)
	f := fs[0]
	switch r := m.right.(type) {
	case value:
		e.load(m.left)
		if f.t.bitmask && m.op == opImplicit {
			// "ct state established,related": any of the flags.
			e.emit(&nftables.Bitwise{Sreg: nftables.Reg1, Dreg: nftables.Reg1, Len: uint32(len(r.b)), Mask: r.b, Xor: make([]byte, len(r.b))},
				&nftables.Cmp{Sreg: nftables.Reg1, Op: nftables.CmpNeq, Data: make([]byte, len(r.b))})
			return nil
		}
		e.emit(&nftables.Cmp{Sreg: nftables.Reg1, Op: cmpOp, Data: r.b})
	case prefix:
		n := r.bits / 8
		switch {
		case f.t == typeIfname:
			e.load(m.left)
			e.emit(&nftables.Cmp{Sreg: nftables.Reg1, Op: cmpOp, Data: r.v.b[:n]})
		case r.bits%8 == 0 && r.bits > 0 && f.isPayload():
			// A prefix of whole bytes is a shorter load.
			e.emit(&nftables.Payload{Dreg: nftables.Reg1, Base: f.base, Offset: f.offset, Len: uint32(n)},
				&nftables.Cmp{Sreg: nftables.Reg1, Op: cmpOp, Data: r.v.b[:n]})
		default:
			e.load(m.left)
			e.emit(&nftables.Bitwise{Sreg: nftables.Reg1, Dreg: nftables.Reg1, Len: uint32(len(r.v.b)), Mask: prefixMask(r.bits, len(r.v.b)), Xor: make([]byte, len(r.v.b))},
				&nftables.Cmp{Sreg: nftables.Reg1, Op: cmpOp, Data: r.v.b})
		}
	case rangeExpr:
		e.load(m.left)
		if m.op == opNeq {
			e.emit(&nftables.Range{Sreg: nftables.Reg1, Op: nftables.RangeNeq, From: r.lo.b, To: r.hi.b})
			return nil
		}
		e.emit(&nftables.Cmp{Sreg: nftables.Reg1, Op: nftables.CmpGte, Data: r.lo.b},
			&nftables.Cmp{Sreg: nftables.Reg1, Op: nftables.CmpLte, Data: r.hi.b})
	case setExpr, setRef:
		e.load(m.left)
		lookup, err := e.lookup(m.left, r, false)
		if err != nil {
			return err
		}
		if m.op == opNeq {
			lookup.Flags = nftables.LookupInvert
		}
		e.emit(lookup)
	default:
		return fmt.Errorf("%s: this program cannot match %s", stmtText(m), exprText(m.right))
	}
	return nil
}

// lookup looks key up in a named set, or in an anonymous set it adds.
func (e *encoder) lookup(key, set expr, isMap bool) (*nftables.Lookup, error) {
	if name, ok := set.(setRef); ok {
		return &nftables.Lookup{Set: string(name), Sreg: nftables.Reg1}, nil
	}
	s, err := e.anonSet(key, set.(setExpr), isMap)
	if err != nil {
		return nil, err
	}
	return &nftables.Lookup{Set: s.Name, SetID: s.ID, Sreg: nftables.Reg1}, nil
}

// anonSet adds the anonymous set (or verdict map) of elems, with keys of
// what key loads, as nft makes it: constant, an interval set where an
// element is a range or a prefix, and with nft's user data.
func (e *encoder) anonSet(key expr, elems setExpr, isMap bool) (*nftables.Set, error) {
	fs := fieldsOf(key)
	s := &nftables.Set{Family: e.family, Table: e.table, Flags: nftables.SetAnonymous | nftables.SetConstant}
	s.KeyType, s.KeyLen = keyType(fs)
	interval := slices.ContainsFunc(elems, func(el elem) bool {
		switch el.key.(type) {
		case prefix, rangeExpr:
			return true
		}
		return false
	})
	if interval {
		if len(fs) > 1 {
			return nil, fmt.Errorf("%s: this program has no ranges in a concatenation", exprText(elems))
		}
		s.Flags |= nftables.SetInterval
	}
	name := "__set%d"
	if isMap {
		name = "__map%d"
		s.Flags |= nftables.SetMap
		s.DataType, s.DataLen = nftables.DataVerdict, 16
	}
	s.Name = name
	s.ID = uint32(len(e.sets) + 1)
	var els []nftables.Element
	var err error
	if interval {
		els, err = intervalElements(fs[0].t, elems, isMap)
	} else {
		els, err = plainElements(elems)
	}
	if err != nil {
		return nil, err
	}
	s.Size = uint32(len(els))
	if len(els) > 0 && bytes.Equal(els[len(els)-1].UserData, elemIntervalOpen) {
		s.Size++ // nft counts the end it leaves out
	}
	s.UserData = setUserData(key, interval, isMap)
	e.sets = append(e.sets, anonSet{s, els})
	return s, nil
}

// keyType is the type and length of a set's key of fields fs: a
// concatenation's types 6 bits each, its fields rounded up to 4 bytes.
func keyType(fs []*field) (typ, length uint32) {
	for _, f := range fs {
		typ = typ<<6 | f.t.id
		length += uint32((f.t.size + 3) &^ 3)
	}
	if len(fs) == 1 {
		length = uint32(fs[0].t.size)
	}
	return typ, length
}

// checkSetRefs checks that the named sets the statements use exist and
// fit: a set whose key is of the type of what is looked up, a verdict map
// for vmap. set finds a set by name, nil when there is none.
func checkSetRefs(ss []stmt, set func(name string) *nftables.Set) error {
	for _, s := range ss {
		var key, ref expr
		isMap := false
		switch s := s.(type) {
		case *match:
			key, ref = s.left, s.right
		case *vmap:
			key, ref, isMap = s.key, s.data, true
		}
		name, ok := ref.(setRef)
		if !ok {
			continue
		}
		n := set(string(name))
		if n == nil {
			return fmt.Errorf("%s: no set %s", stmtText(s), name)
		}
		typ, _ := keyType(fieldsOf(key))
		switch {
		case n.KeyType != typ:
			return fmt.Errorf("%s: datatype mismatch, set %s has keys of type %s, %s is of type %s", stmtText(s), name, typeName(n.KeyType), exprText(key), typeName(typ))
		case isMap && (n.Flags&nftables.SetMap == 0 || n.DataType != nftables.DataVerdict):
			return fmt.Errorf("%s: %s is not a verdict map", stmtText(s), name)
		case !isMap && n.Flags&nftables.SetMap != 0:
			return fmt.Errorf("%s: %s is a map, not a set", stmtText(s), name)
		}
	}
	return nil
}

func plainElements(elems setExpr) ([]nftables.Element, error) {
	var out []nftables.Element
	for _, el := range elems {
		var key []byte
		switch k := el.key.(type) {
		case value:
			key = k.b
		case concat:
			for _, v := range k {
				key = append(key, pad(v.(value).b, (len(v.(value).b)+3)&^3)...)
			}
		default:
			return nil, fmt.Errorf("%s: not a set element", exprText(el.key))
		}
		e := nftables.Element{Key: key}
		if v, ok := el.data.(*nftables.Verdict); ok {
			e.Verdict = v
		}
		out = append(out, e)
	}
	return out, nil
}

// intervalElements writes the elements of an interval set as nft does:
// each interval as its first value and, flagged as an end, the first
// value past it; in order, from a first end at zero; overlapping and
// adjacent intervals of a set merged into one. An interval to the last
// value has no end, and nft's user data says so.
func intervalElements(t *dtype, elems setExpr, isMap bool) ([]nftables.Element, error) {
	type interval struct {
		lo, hi []byte
		data   *nftables.Verdict
	}
	var ivs []interval
	for _, el := range elems {
		var iv interval
		switch k := el.key.(type) {
		case value:
			iv.lo, iv.hi = k.b, k.b
		case rangeExpr:
			iv.lo, iv.hi = k.lo.b, k.hi.b
		case prefix:
			iv.lo = k.v.b
			iv.hi = slices.Clone(k.v.b)
			for i, m := range prefixMask(k.bits, len(iv.hi)) {
				iv.hi[i] |= ^m
			}
		}
		iv.data, _ = el.data.(*nftables.Verdict)
		ivs = append(ivs, iv)
	}
	slices.SortStableFunc(ivs, func(a, b interval) int { return bytes.Compare(a.lo, b.lo) })
	var merged []interval
	for _, iv := range ivs {
		if n := len(merged); n > 0 && bytes.Compare(iv.lo, merged[n-1].hi) <= 0 {
			if isMap {
				return nil, fmt.Errorf("conflicting intervals specified: %s", exprText(elems))
			}
			if bytes.Compare(iv.hi, merged[n-1].hi) > 0 {
				merged[n-1].hi = iv.hi
			}
			continue
		}
		if n := len(merged); n > 0 && !isMap && bytes.Equal(iv.lo, plusOne(merged[n-1].hi)) {
			merged[n-1].hi = iv.hi
			continue
		}
		merged = append(merged, iv)
	}
	var out []nftables.Element
	zero := make([]byte, t.size)
	if !bytes.Equal(merged[0].lo, zero) {
		out = append(out, nftables.Element{Key: zero, Flags: nftables.ElemIntervalEnd})
	}
	for i, iv := range merged {
		start := nftables.Element{Key: iv.lo, Verdict: iv.data}
		end := plusOne(iv.hi)
		if bytes.Equal(end, zero) {
			start.UserData = elemIntervalOpen
			out = append(out, start)
			continue
		}
		out = append(out, start)
		if i+1 < len(merged) && bytes.Equal(merged[i+1].lo, end) {
			continue
		}
		out = append(out, nftables.Element{Key: end, Flags: nftables.ElemIntervalEnd})
	}
	return out, nil
}

// plusOne is the big-endian b plus one, wrapping to zero.
func plusOne(b []byte) []byte {
	c := slices.Clone(b)
	for i := len(c) - 1; i >= 0; i-- {
		c[i]++
		if c[i] != 0 {
			break
		}
	}
	return c
}

// nft's user data (libnftnl's enum nftnl_udata_set_types, and its
// expression numbers of enum expr_types), which it reads back to write
// the set's elements.
const (
	udataSetKeyByteorder  = 0
	udataSetDataByteorder = 1
	udataSetMergeElements = 2
	udataSetKeyTypeof     = 3
	udataSetDataTypeof    = 4
	udataSetDataInterval  = 6

	exprVerdict = 1
	exprPayload = 7
	exprMeta    = 9
	exprCt      = 12
	exprConcat  = 13
)

// elemIntervalOpen is an element's user data for an interval with no end
// (NFTNL_UDATA_SET_ELEM_FLAGS, NFTNL_SET_ELEM_F_INTERVAL_OPEN).
var elemIntervalOpen = udata(nil, 1, u32(1))

func udata(b []byte, typ byte, val []byte) []byte {
	return append(append(b, typ, byte(len(val))), val...)
}

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// setUserData is what nft keeps in an anonymous set it adds: its key's
// byte order, and for a set what loads the key (for a verdict map, that
// its data are verdicts).
func setUserData(key expr, interval, isMap bool) []byte {
	order := uint32(0) // a concatenation's
	if f, ok := key.(*field); ok {
		order = f.byteorder()
	}
	b := udata(nil, udataSetKeyByteorder, u32(order))
	if isMap {
		b = udata(b, udataSetDataByteorder, u32(0))
		b = udata(b, udataSetDataTypeof, udata(udata(nil, 0, u32(exprVerdict)), 1, nil))
		return udata(b, udataSetDataInterval, u32(0))
	}
	if interval {
		b = udata(b, udataSetMergeElements, u32(1))
	}
	return udata(b, udataSetKeyTypeof, typeofData(key))
}

// typeofData describes what loads key: the expression's kind and its
// keys.
func typeofData(key expr) []byte {
	var kind uint32
	var data []byte
	switch k := key.(type) {
	case concat:
		kind = exprConcat
		for i, x := range k {
			data = udata(data, byte(i), typeofData(x))
		}
	case *field:
		switch {
		case k.isPayload():
			kind = exprPayload
			data = udata(udata(nil, 0, u32(k.desc)), 1, u32(k.tmpl))
		case k.isMeta():
			kind = exprMeta
			data = udata(nil, 0, u32(uint32(k.meta)))
		default:
			kind = exprCt
			data = udata(udata(nil, 0, u32(uint32(k.ct))), 1, u32(0xffffffff)) // no direction
		}
	}
	return udata(udata(nil, 0, u32(kind)), 1, data)
}

// natExprs loads a NAT statement's addresses and ports into registers
// from Reg1, then NATs.
func (e *encoder) natExprs(n *nat) {
	reg := nftables.Reg1
	load := func(x expr) (lo, hi nftables.Register) {
		switch v := x.(type) {
		case value:
			e.emit(&nftables.Immediate{Dreg: reg, Data: v.b})
			reg++
			return reg - 1, 0
		case rangeExpr:
			e.emit(&nftables.Immediate{Dreg: reg, Data: v.lo.b}, &nftables.Immediate{Dreg: reg + 1, Data: v.hi.b})
			reg += 2
			return reg - 2, reg - 1
		}
		return 0, 0
	}
	addrMin, addrMax := load(n.addr)
	protoMin, protoMax := load(n.port)
	flags := n.flags
	if n.port != nil {
		flags |= nftables.NATRangeProtoSpecified
	}
	if n.kind == "masquerade" {
		e.emit(&nftables.Masq{Flags: flags, RegProtoMin: protoMin, RegProtoMax: protoMax})
		return
	}
	typ := nftables.NATTypeSourceNAT
	if n.kind == "dnat" {
		typ = nftables.NATTypeDestNAT
	}
	e.emit(&nftables.NAT{Type: typ, Family: uint32(n.family), RegAddrMin: addrMin, RegAddrMax: addrMax,
		RegProtoMin: protoMin, RegProtoMax: protoMax, Flags: flags})
}
