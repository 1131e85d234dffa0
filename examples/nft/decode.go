package main

import (
	"github.com/nlkit/netlink/internal/uapi"
	"strconv"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// ruleText writes r as nft does where this program knows the pattern of
// its expressions, each other expression as "[ kind field=value ... ]".
// rs gives the sets the rule looks up; without it, an anonymous set is
// written by its name.
func ruleText(r *nftables.Rule, rs *nftables.Ruleset) string {
	s := stmtsText(decodeRule(r, rs))
	if c := r.Comment(); c != "" {
		s += " comment " + quote(c)
	}
	return s
}

// decodeRule turns r's expressions into nft's statements.
func decodeRule(r *nftables.Rule, rs *nftables.Ruleset) []stmt {
	d := decoder{family: r.Family, regs: map[int]operand{}, deps: [3]int{-1, -1, -1}}
	d.set = func(name string) (*nftables.Set, []nftables.Element) {
		if rs != nil {
			for i, s := range rs.Sets {
				if s.Family == r.Family && s.Table == r.Table && s.Name == name {
					return s, rs.Elements[i]
				}
			}
		}
		return nil, nil
	}
	switch r.Family {
	case nftables.FamilyIPv4:
		d.nfproto = uapi.NFPROTO_IPV4
	case nftables.FamilyIPv6:
		d.nfproto = uapi.NFPROTO_IPV6
	}
	for _, x := range r.Exprs {
		d.expr(x)
	}
	var out []stmt
	for _, s := range d.out {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// decoder follows what each register holds, and which protocols the
// rule has matched, as nft does to write a rule.
type decoder struct {
	family nftables.Family
	set    func(name string) (*nftables.Set, []nftables.Element)
	regs   map[int]operand // by 32-bit register
	// The network and transport protocols matched so far, and the
	// statements that matched them (by index in out, -1 for none) where a
	// later header field implies them, which nft then leaves unwritten.
	nfproto, l4proto byte
	deps             [3]int
	out              []stmt // nil where a statement was dropped
}

// operand is what a register holds: fields loaded (several, when nft
// loads adjacent fields it matches at once; their first trunc bytes, for
// a prefix), with a mask, or an immediate value. at are the statements
// that loaded it, dropped once a statement uses it.
type operand struct {
	fields []*field
	trunc  uint32
	mask   []byte
	val    []byte
	at     []int
}

// size is the number of bytes the operand holds.
func (o operand) size() int {
	if o.val != nil {
		return len(o.val)
	}
	if o.trunc != 0 {
		return int(o.trunc)
	}
	n := 0
	for _, f := range o.fields {
		n += int(f.len)
	}
	if len(o.fields) == 1 && !o.fields[0].isPayload() {
		n = o.fields[0].t.size
	}
	return n
}

// slot is register r's first 32-bit register, -1 for none.
func slot(r nftables.Register) int {
	switch {
	case r >= nftables.Reg1 && r <= nftables.Reg4:
		return int(r-nftables.Reg1) * 4
	case r >= nftables.Reg32(0) && r <= nftables.Reg32(15):
		return int(r - nftables.Reg32(0))
	}
	return -1
}

func (d *decoder) emit(s stmt) int {
	d.out = append(d.out, s)
	return len(d.out) - 1
}

// load notes what register r holds after x, which is written as it is
// unless a later statement uses what it loaded.
func (d *decoder) load(r nftables.Register, o operand, x nftables.Expr) {
	o.at = append(o.at, d.emit(&raw{x}))
	if s := slot(r); s >= 0 {
		d.regs[s] = o
	}
}

func (d *decoder) reg(r nftables.Register) (operand, bool) {
	o, ok := d.regs[slot(r)]
	return o, ok && slot(r) >= 0
}

// use drops the statements that loaded what a statement uses.
func (d *decoder) use(os ...operand) {
	for _, o := range os {
		for _, i := range o.at {
			d.out[i] = nil
		}
	}
}

// kill drops the match that a header field of the layer implies.
func (d *decoder) kill(layer int) {
	if i := d.deps[layer]; i >= 0 {
		d.out[i] = nil
		d.deps[layer] = -1
	}
}

func (d *decoder) expr(x nftables.Expr) {
	switch x := x.(type) {
	case *nftables.Meta:
		if f := metaField(x.Key); f != nil && x.Sreg == 0 {
			d.load(x.Dreg, operand{fields: []*field{f}}, x)
			return
		}
	case *nftables.Ct:
		if x.Key == nftables.CtKeyState && x.Direction == nil && x.Sreg == 0 {
			d.load(x.Dreg, operand{fields: []*field{fieldNamed("ct", "state")}}, x)
			return
		}
	case *nftables.Payload:
		if x.Sreg == 0 && x.CsumType == nil && x.CsumOffset == nil && x.CsumFlags == 0 {
			if fs, trunc := payloadFields(x.Base, x.Offset, x.Len, d.nfproto, d.l4proto); fs != nil {
				d.kill(fs[0].layer())
				d.load(x.Dreg, operand{fields: fs, trunc: trunc}, x)
				return
			}
		}
	case *nftables.Bitwise:
		o, ok := d.reg(x.Sreg)
		if ok && len(o.fields) == 1 && o.mask == nil && o.trunc == 0 && x.Op == nftables.BitwiseMaskXor &&
			allZero(x.Xor) && len(x.Mask) == o.size() && x.Sreg2 == 0 && x.Data == nil {
			o.mask = x.Mask
			d.load(x.Dreg, o, x)
			return
		}
	case *nftables.Immediate:
		if x.Verdict != nil && x.Dreg == nftables.RegVerdict {
			d.emit(x.Verdict)
			return
		}
		if x.Data != nil {
			d.load(x.Dreg, operand{val: x.Data}, x)
			return
		}
	case *nftables.Cmp:
		if o, ok := d.reg(x.Sreg); ok && len(o.fields) > 0 && x.Op <= nftables.CmpGte && d.cmp(o, op(x.Op), x.Data) {
			d.use(o)
			return
		}
	case *nftables.Range:
		if o, ok := d.reg(x.Sreg); ok && len(o.fields) == 1 && o.mask == nil && o.trunc == 0 &&
			len(x.From) == o.size() && len(x.To) == o.size() && x.Op <= nftables.RangeNeq {
			f := o.fields[0]
			d.use(o)
			d.emit(&match{f, opEq + op(x.Op), rangeExpr{value{f.t, x.From}, value{f.t, x.To}}})
			return
		}
	case *nftables.Lookup:
		if d.lookup(x) {
			return
		}
	case *nftables.Counter:
		d.emit(x)
		return
	case *nftables.Log:
		if x.Flags == 0 || x.Flags == nftables.LogAll {
			d.emit(x)
			return
		}
	case *nftables.Limit:
		if x.Flags&^nftables.LimitInvert == 0 && x.Type <= nftables.LimitTypePktBytes && symName(limitUnits, x.Unit) != strconv.FormatUint(x.Unit, 10) {
			d.emit(x)
			return
		}
	case *nftables.Reject:
		if s := d.reject(x); s != nil {
			d.emit(s)
			return
		}
	case *nftables.NAT:
		if d.nat(x) {
			return
		}
	case *nftables.Masq:
		if d.masq(x) {
			return
		}
	}
	// An expression this program has no words for may write any
	// register: what they held is no longer known.
	clear(d.regs)
	d.emit(&raw{x})
}

func metaField(key nftables.MetaKey) *field {
	for _, f := range fields {
		if f.isMeta() && f.meta == key {
			return f
		}
	}
	return nil
}

// cmp writes a comparison of what o holds with data, and reports whether
// it could.
func (d *decoder) cmp(o operand, rel op, data []byte) bool {
	f := o.fields[0]
	eqOrNeq := rel == opEq || rel == opNeq
	switch {
	case len(o.fields) > 1:
		// Adjacent header fields nft matched with one load: a match each.
		if o.mask != nil || !eqOrNeq || len(data) != o.size() {
			return false
		}
		for _, f := range o.fields {
			d.emit(&match{f, rel, value{f.t, data[:f.len]}})
			data = data[f.len:]
		}
		return true
	case o.mask != nil:
		if len(data) != len(o.mask) {
			return false
		}
		if f.t.bitmask && rel == opNeq && allZero(data) {
			// "ct state established,related": any of the flags.
			d.emit(&match{f, opImplicit, value{f.t, o.mask}})
			return true
		}
		if n := prefixLen(o.mask); f.t.prefix && eqOrNeq && n >= 0 {
			d.emit(&match{f, rel, prefix{value{f.t, data}, n}})
			return true
		}
		d.emit(&match{masked{f, value{f.t, o.mask}}, rel, value{f.t, data}})
		return true
	case o.trunc != 0:
		if !eqOrNeq || len(data) != int(o.trunc) {
			return false
		}
		d.emit(&match{f, rel, prefix{value{f.t, pad(data, f.t.size)}, 8 * len(data)}})
		return true
	case f.t == typeIfname && len(data) < f.t.size && eqOrNeq && !containsZero(data):
		// "eth*": the name's first bytes.
		d.emit(&match{f, rel, prefix{value{f.t, pad(data, f.t.size)}, 8 * len(data)}})
		return true
	case len(data) != f.t.size:
		return false
	}
	v := value{f.t, data}
	if rel == opLte {
		// nft matches a range "a-b" as >= a, then <= b.
		if i := d.last(); i >= 0 {
			if m, ok := d.out[i].(*match); ok && m.left == expr(f) && m.op == opGte {
				d.out[i] = &match{f, opEq, rangeExpr{m.right.(value), v}}
				return true
			}
		}
	}
	i := d.emit(&match{f, rel, v})
	if rel != opEq {
		return true
	}
	switch f {
	case fieldNamed("meta", "nfproto"):
		d.nfproto, d.deps[layerNetwork] = data[0], i
	case fieldNamed("meta", "protocol"):
		switch string(data) {
		case string(etherOf(uapi.NFPROTO_IPV4)):
			d.nfproto, d.deps[layerNetwork] = uapi.NFPROTO_IPV4, i
		case string(etherOf(uapi.NFPROTO_IPV6)):
			d.nfproto, d.deps[layerNetwork] = uapi.NFPROTO_IPV6, i
		}
	case fieldNamed("meta", "l4proto"):
		d.l4proto, d.deps[layerTransport] = data[0], i
	case fieldNamed("ip", "protocol"), fieldNamed("ip6", "nexthdr"):
		d.l4proto = data[0]
	}
	return true
}

// last is the index of the last statement written, -1 for none.
func (d *decoder) last() int {
	for i := len(d.out) - 1; i >= 0; i-- {
		if d.out[i] != nil {
			return i
		}
	}
	return -1
}

// lookup writes a set lookup: a match against a set, or a verdict map.
// The set's key says how many registers it takes: a concatenation is one
// field a register, each rounded up to 4 bytes. Without the set (a rule
// of a notification), the fields loaded one after the other into the
// registers that follow, and not used yet, are taken as its key.
func (d *decoder) lookup(x *nftables.Lookup) bool {
	s, elems := d.set(x.Set)
	var ops []operand
	var left concat
	for r, n := slot(x.Sreg), 0; r >= 0; {
		o, ok := d.regs[r]
		if !ok || len(o.fields) != 1 || o.mask != nil || o.trunc != 0 {
			return false
		}
		ops = append(ops, o)
		left = append(left, o.fields[0])
		n += (o.size() + 3) &^ 3
		r += (o.size() + 3) / 4
		if s == nil {
			if next, ok := d.regs[r]; !ok || !d.follows(o, next) {
				break
			}
			continue
		}
		if len(left) == 1 && o.size() == int(s.KeyLen) || n == int(s.KeyLen) {
			break
		}
		if n > int(s.KeyLen) {
			return false
		}
	}
	if len(left) == 0 {
		return false
	}
	var key expr = left
	if len(left) == 1 {
		key = left[0]
	}
	var right expr = setRef(x.Set)
	if s != nil && s.Flags&nftables.SetAnonymous != 0 {
		right = setElems(s, elems)
	}
	switch {
	case x.Dreg == nil:
		rel := opImplicit
		if x.Flags&nftables.LookupInvert != 0 {
			rel = opNeq
		}
		d.emit(&match{key, rel, right})
	case *x.Dreg == nftables.RegVerdict && x.Flags == 0:
		d.emit(&vmap{key, right})
	default:
		return false
	}
	d.use(ops...)
	return true
}

// follows reports whether next was loaded after o, and is not used yet.
func (d *decoder) follows(o, next operand) bool {
	if len(o.at) == 0 || len(next.at) == 0 || len(next.fields) != 1 {
		return false
	}
	last := next.at[len(next.at)-1]
	return last > o.at[len(o.at)-1] && d.out[last] != nil
}

// reject writes a reject: nft writes the family's default as "reject",
// and leaves unwritten the protocol match its ICMP type or TCP reset
// implies.
func (d *decoder) reject(x *nftables.Reject) *reject {
	s := &reject{typ: x.Type}
	if x.ICMPCode != nil {
		s.code = *x.ICMPCode
	}
	ipFamily := d.family == nftables.FamilyIPv4 || d.family == nftables.FamilyIPv6
	switch x.Type {
	case nftables.RejectTCPReset:
		if ipFamily && d.l4proto == protoTCP {
			d.kill(layerTransport)
		}
	case nftables.RejectICMPUnreach:
		switch d.nfproto {
		case uapi.NFPROTO_IPV4:
			s.proto, s.plain = "icmp", d.family == nftables.FamilyIPv4 && s.code == icmpPortUnreach
		case uapi.NFPROTO_IPV6:
			s.proto, s.plain = "icmpv6", d.family == nftables.FamilyIPv6 && s.code == icmpv6PortUnreach
		default:
			return nil
		}
		if !ipFamily {
			d.kill(layerNetwork)
		}
	case nftables.RejectICMPxUnreach:
		s.proto, s.plain = "icmpx", !ipFamily && s.code == uint8(nftables.ICMPxPortUnreach)
	default:
		return nil
	}
	return s
}

// natAddr reads the immediate values a NAT statement's registers hold:
// one, or the range from min to max.
func (d *decoder) natValues(t *dtype, min, max nftables.Register, used *[]operand) (expr, bool) {
	if min == 0 {
		return nil, true
	}
	lo, ok := d.reg(min)
	if !ok || len(lo.val) != t.size {
		return nil, false
	}
	*used = append(*used, lo)
	if max == 0 || max == min {
		return value{t, lo.val}, true
	}
	hi, ok := d.reg(max)
	if !ok || len(hi.val) != t.size {
		return nil, false
	}
	*used = append(*used, hi)
	return rangeExpr{value{t, lo.val}, value{t, hi.val}}, true
}

// natFlagsOK is whether flags hold only those nft writes, besides the
// two the addresses and ports imply.
func natFlagsOK(flags nftables.NATRangeFlags) bool {
	known := nftables.NATRangeMapIPs | nftables.NATRangeProtoSpecified
	for _, f := range natFlags {
		known |= nftables.NATRangeFlags(f.val)
	}
	return flags&^known == 0
}

func (d *decoder) nat(x *nftables.NAT) bool {
	n := &nat{kind: "snat", flags: x.Flags &^ (nftables.NATRangeMapIPs | nftables.NATRangeProtoSpecified)}
	if x.Type == nftables.NATTypeDestNAT {
		n.kind = "dnat"
	}
	t := typeIPAddr
	switch {
	case x.Type > nftables.NATTypeDestNAT || !natFlagsOK(x.Flags):
		return false
	case x.Family == uapi.NFPROTO_IPV6:
		t = typeIP6Addr
	case x.Family != uapi.NFPROTO_IPV4:
		return false
	}
	if d.family == nftables.FamilyINet {
		n.family = nftables.Family(x.Family)
	}
	var used []operand
	var ok1, ok2 bool
	n.addr, ok1 = d.natValues(t, x.RegAddrMin, x.RegAddrMax, &used)
	n.port, ok2 = d.natValues(typeInetService, x.RegProtoMin, x.RegProtoMax, &used)
	if !ok1 || !ok2 {
		return false
	}
	d.use(used...)
	d.emit(n)
	return true
}

func (d *decoder) masq(x *nftables.Masq) bool {
	n := &nat{kind: "masquerade", flags: x.Flags &^ nftables.NATRangeProtoSpecified}
	var used []operand
	var ok bool
	n.port, ok = d.natValues(typeInetService, x.RegProtoMin, x.RegProtoMax, &used)
	if !ok || !natFlagsOK(x.Flags) || x.Flags&nftables.NATRangeMapIPs != 0 {
		return false
	}
	d.use(used...)
	d.emit(n)
	return true
}

// pad is b with zeros after it, to size bytes.
func pad(b []byte, size int) []byte {
	p := make([]byte, max(size, len(b)))
	copy(p, b)
	return p
}

func containsZero(b []byte) bool {
	for _, c := range b {
		if c == 0 {
			return true
		}
	}
	return false
}
