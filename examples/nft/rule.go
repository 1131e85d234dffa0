package main

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"reflect"
	"strconv"
	"strings"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// operand is what a register holds: how nft writes it, and nft's data
// type of its value.
type operand struct {
	text string
	typ  uint32
	mask []byte // a bitwise mask applied to it
	dep  byte   // 'n' for meta nfproto, 't' for meta l4proto: dependencies nft leaves unwritten
}

// Some of nft's data types beyond those sets use.
const (
	typeNFProto = 1000 + iota
	typeCtState
	typeNumber
)

// rulePrinter turns a rule's expressions into nft's words, following
// what each register holds.
type rulePrinter struct {
	regs    map[nftables.Register]operand
	nfproto byte // NFPROTO_IPV4 or _IPV6, from the family or a meta nfproto match
	l4proto byte // from a meta l4proto match
	pending string
	words   []string
}

// ruleText writes r's expressions as nft does where it knows the pattern,
// each other expression as "[ kind field=value ... ]".
func ruleText(r *nftables.Rule, rs *nftables.Ruleset) string {
	p := rulePrinter{regs: map[nftables.Register]operand{}}
	switch r.Family {
	case nftables.FamilyIPv4:
		p.nfproto = 2
	case nftables.FamilyIPv6:
		p.nfproto = 10
	}
	for _, x := range r.Exprs {
		p.expr(x)
	}
	p.flush()
	if c := r.Comment(); c != "" {
		p.words = append(p.words, "comment "+strconv.Quote(c))
	}
	return strings.Join(p.words, " ")
}

func (p *rulePrinter) emit(s string) {
	p.flush()
	p.words = append(p.words, s)
}

// flush writes a dependency match that no later expression implied.
func (p *rulePrinter) flush() {
	if p.pending != "" {
		p.words = append(p.words, p.pending)
		p.pending = ""
	}
}

var metaKeys = map[uint32]operand{
	2:  {text: "meta protocol", typ: typeNumber},
	3:  {text: "meta mark", typ: typeMark},
	4:  {text: "meta iif", typ: typeNumber},
	5:  {text: "meta oif", typ: typeNumber},
	6:  {text: "iifname", typ: typeIfname},
	7:  {text: "oifname", typ: typeIfname},
	15: {text: "meta nfproto", typ: typeNFProto, dep: 'n'},
	16: {text: "meta l4proto", typ: typeInetProto, dep: 't'},
}

func (p *rulePrinter) expr(x nftables.Expr) {
	switch x := x.(type) {
	case *nftables.Meta:
		if o, ok := metaKeys[x.Key]; ok && x.Sreg == 0 {
			p.regs[x.Dreg] = o
			return
		}
	case *nftables.Payload:
		if o, ok := p.payload(x); ok && x.Sreg == 0 {
			p.regs[x.Dreg] = o
			return
		}
	case *nftables.Ct:
		if x.Key == 0 && x.Direction == nil && x.Sreg == 0 { // NFT_CT_STATE
			p.regs[x.Dreg] = operand{text: "ct state", typ: typeCtState}
			return
		}
	case *nftables.Bitwise:
		if o, ok := p.regs[x.Sreg]; ok && x.Op == 0 && allZero(x.Xor) {
			o.mask = x.Mask
			p.regs[x.Dreg] = o
			return
		}
	case *nftables.Cmp:
		if o, ok := p.regs[x.Sreg]; ok {
			p.cmp(o, x)
			return
		}
	case *nftables.Lookup:
		if o, ok := p.regs[x.Sreg]; ok && o.mask == nil {
			p.pending = ""
			op := ""
			if x.Flags&1 != 0 { // NFT_LOOKUP_F_INV
				op = "!= "
			}
			switch {
			case x.Dreg == nil:
				p.emit(fmt.Sprintf("%s %s@%s", o.text, op, x.Set))
			case *x.Dreg == nftables.RegVerdict:
				p.emit(fmt.Sprintf("%s vmap @%s", o.text, x.Set))
			default:
				p.emit(fmt.Sprintf("%s map @%s", o.text, x.Set))
			}
			return
		}
	case *nftables.Counter:
		p.emit(fmt.Sprintf("counter packets %d bytes %d", x.Packets, x.Bytes))
		return
	case *nftables.Immediate:
		if x.Verdict != nil && x.Dreg == nftables.RegVerdict {
			p.emit(x.Verdict.String())
			return
		}
	case *nftables.Log:
		s := "log"
		if x.Prefix != "" {
			s += " prefix " + strconv.Quote(x.Prefix)
		}
		if x.Group != nil {
			s += fmt.Sprintf(" group %d", *x.Group)
		}
		// Level 4 (warn) is the kernel's default, which nft leaves unwritten.
		if (x.Level == nil || *x.Level == 4) && x.Group == nil && x.Snaplen == 0 && x.QThreshold == 0 && x.Flags == 0 {
			p.emit(s)
			return
		}
	case *nftables.Masq:
		if reflect.ValueOf(*x).IsZero() {
			p.emit("masquerade")
			return
		}
	case *nftables.Notrack:
		p.emit("notrack")
		return
	}
	p.emit(fallback(x))
}

// payload names the header field x loads, in the protocol context.
func (p *rulePrinter) payload(x *nftables.Payload) (operand, bool) {
	type field struct {
		base, off, len uint32
	}
	f := field{x.Base, x.Offset, x.Len}
	switch p.nfproto {
	case 2:
		switch f {
		case field{1, 12, 4}:
			return p.layer3(operand{text: "ip saddr", typ: typeIPAddr}), true
		case field{1, 16, 4}:
			return p.layer3(operand{text: "ip daddr", typ: typeIPAddr}), true
		case field{1, 9, 1}:
			return p.layer3(operand{text: "ip protocol", typ: typeInetProto}), true
		}
	case 10:
		switch f {
		case field{1, 8, 16}:
			return p.layer3(operand{text: "ip6 saddr", typ: typeIP6Addr}), true
		case field{1, 24, 16}:
			return p.layer3(operand{text: "ip6 daddr", typ: typeIP6Addr}), true
		case field{1, 6, 1}:
			return p.layer3(operand{text: "ip6 nexthdr", typ: typeInetProto}), true
		}
	}
	var l4 string
	switch p.l4proto {
	case 6:
		l4 = "tcp"
	case 17:
		l4 = "udp"
	default:
		return operand{}, false
	}
	switch f {
	case field{2, 0, 2}:
		return p.layer4(operand{text: l4 + " sport", typ: typeInetService}), true
	case field{2, 2, 2}:
		return p.layer4(operand{text: l4 + " dport", typ: typeInetService}), true
	}
	return operand{}, false
}

// layer3 and layer4 drop the meta match a header field implies.
func (p *rulePrinter) layer3(o operand) operand {
	if strings.HasPrefix(p.pending, "meta nfproto") {
		p.pending = ""
	}
	return o
}

func (p *rulePrinter) layer4(o operand) operand {
	if strings.HasPrefix(p.pending, "meta l4proto") {
		p.pending = ""
	}
	return o
}

var cmpOps = []string{"", "!= ", "< ", "<= ", "> ", ">= "}

func (p *rulePrinter) cmp(o operand, x *nftables.Cmp) {
	op := "? "
	if int(x.Op) < len(cmpOps) {
		op = cmpOps[x.Op]
	}
	if o.typ == typeCtState && o.mask != nil && x.Op == 1 && allZero(x.Data) {
		p.emit(o.text + " " + ctState(o.mask))
		return
	}
	if o.mask != nil {
		p.emit(fmt.Sprintf("%s & 0x%x %s0x%x", o.text, o.mask, op, x.Data))
		return
	}
	v := valueOf(o.typ, x.Data)
	s := o.text + " " + op + v
	if o.dep != 0 && x.Op == 0 {
		// A match nft writes only when nothing after implies it.
		p.flush()
		p.pending = s
		if o.dep == 'n' && len(x.Data) == 1 {
			p.nfproto = x.Data[0]
		}
		if o.dep == 't' && len(x.Data) == 1 {
			p.l4proto = x.Data[0]
		}
		return
	}
	if o.text == "ip protocol" || o.text == "ip6 nexthdr" {
		if len(x.Data) == 1 && x.Op == 0 {
			p.l4proto = x.Data[0]
		}
	}
	p.emit(s)
}

func valueOf(t uint32, b []byte) string {
	switch t {
	case typeNFProto:
		switch {
		case len(b) == 1 && b[0] == 2:
			return "ipv4"
		case len(b) == 1 && b[0] == 10:
			return "ipv6"
		}
	case typeNumber:
		if len(b) == 4 {
			return strconv.FormatUint(uint64(binary.NativeEndian.Uint32(b)), 10)
		}
	case typeMark:
		if len(b) == 4 {
			return fmt.Sprintf("0x%08x", binary.NativeEndian.Uint32(b))
		}
	}
	return value(t, b)
}

func ctState(mask []byte) string {
	if len(mask) != 4 {
		return fmt.Sprintf("0x%x", mask)
	}
	m := binary.NativeEndian.Uint32(mask)
	var out []string
	for _, s := range []struct {
		bit  uint32
		name string
	}{{1, "invalid"}, {2, "established"}, {4, "related"}, {8, "new"}, {64, "untracked"}} {
		if m&s.bit != 0 {
			out = append(out, s.name)
			m &^= s.bit
		}
	}
	if m != 0 {
		out = append(out, fmt.Sprintf("0x%x", m))
	}
	return strings.Join(out, ",")
}

func protoName(p byte) string {
	switch p {
	case 1:
		return "icmp"
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 58:
		return "ipv6-icmp"
	case 132:
		return "sctp"
	}
	return strconv.Itoa(int(p))
}

func netipFrom16(a [16]byte) string { return netip.AddrFrom16(a).String() }

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// fallback writes an expression this program has no nft words for:
// "[ kind field=value ... ]", its set fields in order.
func fallback(x nftables.Expr) string {
	if r, ok := x.(*nftables.RawExpr); ok {
		return fmt.Sprintf("[ %s 0x%x ]", r.Name, r.Data)
	}
	var b strings.Builder
	b.WriteString("[ " + x.Kind())
	v := reflect.ValueOf(x).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.IsZero() || !v.Type().Field(i).IsExported() {
			continue
		}
		if f.Kind() == reflect.Pointer {
			f = f.Elem()
		}
		name := strings.ToLower(v.Type().Field(i).Name)
		switch val := f.Interface().(type) {
		case []byte:
			fmt.Fprintf(&b, " %s=0x%x", name, val)
		case nftables.RawAttrs:
			fmt.Fprintf(&b, " %s=%d-bytes", name, len(val))
		default:
			fmt.Fprintf(&b, " %s=%v", name, val)
		}
	}
	b.WriteString(" ]")
	return b.String()
}
