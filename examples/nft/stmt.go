package main

import (
	"fmt"
	"math/bits"
	"reflect"
	"strconv"
	"strings"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// A rule is a list of statements, as nft has them: what a command line
// gives (parse.go), what turns into the kernel's expressions (encode.go)
// and what they turn back into (decode.go), written as nft's text (here)
// or its JSON (json.go).
//
// The statements are *match, *vmap, *nftables.Verdict, *nftables.Counter,
// *nftables.Log, *nftables.Limit, *reject, *nat, and *raw for an
// expression this program has no words for.
type stmt any

// An expr is an operand of a statement: *field, concat, value, prefix,
// rangeExpr, setExpr, setRef, *nftables.Verdict (a map's data), objRef,
// catchall or masked.
type expr any

type (
	// concat is "ip saddr . tcp dport", or a value of it.
	concat []expr
	// prefix is "198.18.0.0/24", or of an interface name "eth*": its first
	// bits.
	prefix struct {
		v    value
		bits int
	}
	// rangeExpr is "1024-2048".
	rangeExpr struct{ lo, hi value }
	// setExpr is an anonymous set: "{ 22, 80 }", "{ 22 : accept }".
	setExpr []elem
	// setRef is a named set or map: "@s".
	setRef string
	// objRef is a named object an element maps to.
	objRef string
	// catchall is a set's "*" element.
	catchall struct{}
	// masked is "meta mark & 0x0000000f".
	masked struct {
		left expr
		mask value
	}
)

// elem is an element of a set, with the data it maps to (nil in a set).
type elem struct {
	key, data expr
}

// op is a match's relation: the kernel's NFT_CMP_*, or opImplicit for a
// match written without one.
type op int

const (
	opImplicit op = -1
	opEq       op = op(nftables.CmpEq)
	opNeq      op = op(nftables.CmpNeq)
	opLt       op = op(nftables.CmpLt)
	opLte      op = op(nftables.CmpLte)
	opGt       op = op(nftables.CmpGt)
	opGte      op = op(nftables.CmpGte)
)

var opNames = map[op]string{opEq: "==", opNeq: "!=", opLt: "<", opLte: "<=", opGt: ">", opGte: ">="}

// match compares what left loads with right: "tcp dport != { 22, 80 }".
type match struct {
	left  expr
	op    op
	right expr
}

// vmap looks key up in a verdict map: "tcp dport vmap @m".
type vmap struct {
	key, data expr
}

// reject is "reject", "reject with tcp reset", "reject with icmpx
// admin-prohibited".
type reject struct {
	typ   nftables.RejectType
	code  uint8
	proto string // "icmp", "icmpv6", "icmpx"; "" for a tcp reset
	plain bool   // the family's default, which nft writes as "reject"
}

// nat is "snat to 198.18.0.1", "dnat ip to 198.18.0.2:8080",
// "masquerade to :1024-2048 random".
type nat struct {
	kind   string          // snat, dnat, masquerade
	family nftables.Family // written in an inet table: "snat ip6 to"
	addr   expr            // a value or a rangeExpr, or nil
	port   expr
	flags  nftables.NATRangeFlags // NATRangeProtoRandom, NATRangePersistent, NATRangeProtoRandomFully
}

// raw is an expression this program has no words for, written as
// "[ kind field=value ... ]".
type raw struct{ x nftables.Expr }

// The NAT flags nft writes, in its order.
var natFlags = []sym{{"random", uint64(nftables.NATRangeProtoRandom)}, {"fully-random", uint64(nftables.NATRangeProtoRandomFully)}, {"persistent", uint64(nftables.NATRangePersistent)}}

// The units of a limit's rate, in seconds.
var limitUnits = []sym{{"second", 1}, {"minute", 60}, {"hour", 3600}, {"day", 86400}, {"week", 604800}}

const limitBurst = 5 // the burst of packets nft gives a limit that names none

// The ICMP codes a reject sends, by protocol.
var rejectCodes = map[string][]sym{
	"icmp":   {{"net-unreachable", 0}, {"host-unreachable", 1}, {"prot-unreachable", 2}, {"port-unreachable", 3}, {"net-prohibited", 9}, {"host-prohibited", 10}, {"admin-prohibited", 13}},
	"icmpv6": {{"no-route", 0}, {"admin-prohibited", 1}, {"addr-unreachable", 3}, {"port-unreachable", 4}, {"policy-fail", 5}, {"reject-route", 6}},
	"icmpx":  {{"no-route", 0}, {"port-unreachable", 1}, {"host-unreachable", 2}, {"admin-prohibited", 3}},
}

// stmtsText writes a rule's statements as nft does.
func stmtsText(ss []stmt) string {
	words := make([]string, len(ss))
	for i, s := range ss {
		words[i] = stmtText(s)
	}
	return strings.Join(words, " ")
}

func stmtText(s stmt) string {
	switch s := s.(type) {
	case *match:
		return exprText(s.left) + " " + opText(s) + exprText(s.right)
	case *vmap:
		return exprText(s.key) + " vmap " + exprText(s.data)
	case *nftables.Verdict:
		return s.String()
	case *nftables.Counter:
		return fmt.Sprintf("counter packets %d bytes %d", s.Packets, s.Bytes)
	case *nftables.Log:
		return logText(s)
	case *nftables.Limit:
		return limitText(s)
	case *reject:
		if s.plain {
			return "reject"
		}
		if s.proto == "" {
			return "reject with tcp reset"
		}
		return "reject with " + s.proto + " " + symName(rejectCodes[s.proto], uint64(s.code))
	case *nat:
		return natText(s)
	case *raw:
		return rawText(s.x)
	}
	return fmt.Sprintf("[ %T ]", s)
}

// opText is a match's relation as nft writes it, with its space: nothing
// for equality, except of a bitmask value ("ct state == established"),
// which without "==" would match any of its flags, and of a masked value
// ("meta mark & 0x0000000f == 0x00000001").
func opText(m *match) string {
	_, isMasked := m.left.(masked)
	if m.op == opImplicit || (m.op == opEq && !isBitmask(m.right) && !isMasked) {
		return ""
	}
	return opNames[m.op] + " "
}

func isBitmask(e expr) bool {
	v, ok := e.(value)
	return ok && v.t != nil && v.t.bitmask
}

func exprText(e expr) string {
	switch e := e.(type) {
	case *field:
		return e.text
	case concat:
		return joinExprs(e, " . ")
	case value:
		return e.text()
	case prefix:
		if e.v.t == typeIfname {
			return quote(string(e.v.b[:e.bits/8]) + "*")
		}
		return e.v.text() + "/" + strconv.Itoa(e.bits)
	case rangeExpr:
		return e.lo.text() + "-" + e.hi.text()
	case setExpr:
		var b strings.Builder
		b.WriteString("{ ")
		for i, el := range e {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(exprText(el.key))
			if el.data != nil {
				b.WriteString(" : " + exprText(el.data))
			}
		}
		b.WriteString(" }")
		return b.String()
	case setRef:
		return "@" + string(e)
	case objRef:
		return quote(string(e))
	case catchall:
		return "*"
	case *nftables.Verdict:
		return e.String()
	case masked:
		return exprText(e.left) + " & " + e.mask.text()
	}
	return fmt.Sprintf("%v", e)
}

func joinExprs(es []expr, sep string) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = exprText(e)
	}
	return strings.Join(s, sep)
}

func symName(syms []sym, v uint64) string {
	for _, s := range syms {
		if s.val == v {
			return s.name
		}
	}
	return strconv.FormatUint(v, 10)
}

func logText(l *nftables.Log) string {
	s := "log"
	if l.Prefix != "" {
		s += " prefix " + quote(l.Prefix)
	}
	if l.Group != nil {
		s += fmt.Sprintf(" group %d", *l.Group)
	}
	if l.Snaplen != 0 {
		s += fmt.Sprintf(" snaplen %d", l.Snaplen)
	}
	if l.QThreshold != 0 {
		s += fmt.Sprintf(" queue-threshold %d", l.QThreshold)
	}
	if l.Level != nil && *l.Level != nftables.LogLevelWarning {
		s += " level " + l.Level.String()
	}
	if l.Flags == nftables.LogAll {
		s += " flags all"
	}
	return s
}

// limitText writes "limit rate over 10/second burst 20 packets", "limit
// rate 1 mbytes/second": a rate in bytes in the largest unit that divides
// it, a burst when it is not the default.
func limitText(l *nftables.Limit) string {
	s := "limit rate "
	if l.Flags&nftables.LimitInvert != 0 {
		s += "over "
	}
	per := symName(limitUnits, l.Unit)
	if l.Type == nftables.LimitTypePktBytes {
		n, unit := byteRate(l.Rate)
		s += fmt.Sprintf("%d %s/%s", n, unit, per)
		if l.Burst != 0 {
			n, unit := byteRate(uint64(l.Burst))
			s += fmt.Sprintf(" burst %d %s", n, unit)
		}
		return s
	}
	s += fmt.Sprintf("%d/%s", l.Rate, per)
	if l.Burst != limitBurst {
		s += fmt.Sprintf(" burst %d packets", l.Burst)
	}
	return s
}

// byteRate writes n bytes in the largest of bytes, kbytes and mbytes that
// divides it.
func byteRate(n uint64) (uint64, string) {
	units := []string{"bytes", "kbytes", "mbytes"}
	i := 0
	for ; i < len(units)-1 && n != 0 && n%1024 == 0; i++ {
		n /= 1024
	}
	return n, units[i]
}

func natText(n *nat) string {
	s := n.kind
	if n.family != 0 {
		s += " " + n.family.String()
	}
	if n.addr != nil || n.port != nil {
		s += " to "
	}
	if n.addr != nil {
		a := exprText(n.addr)
		if n.port != nil && strings.Contains(a, ":") {
			a = "[" + a + "]"
		}
		s += a
	}
	if n.port != nil {
		s += ":" + exprText(n.port)
	}
	if f := natFlagNames(n.flags); len(f) > 0 {
		s += " " + strings.Join(f, ",")
	}
	return s
}

func natFlagNames(flags nftables.NATRangeFlags) []string {
	var out []string
	for _, f := range natFlags {
		if flags&nftables.NATRangeFlags(f.val) != 0 {
			out = append(out, f.name)
		}
	}
	return out
}

// rawText writes an expression this program has no words for: "[ kind
// field=value ... ]", its set fields in order.
func rawText(x nftables.Expr) string {
	if r, ok := x.(*nftables.RawExpr); ok {
		return fmt.Sprintf("[ %s 0x%x ]", r.Name, r.Data)
	}
	var b strings.Builder
	b.WriteString("[ " + x.Kind())
	for _, f := range setFields(x) {
		switch v := f.v.(type) {
		case []byte:
			fmt.Fprintf(&b, " %s=0x%x", f.k, v)
		case nftables.RawAttrs:
			fmt.Fprintf(&b, " %s=%d-bytes", f.k, len(v))
		default:
			fmt.Fprintf(&b, " %s=%v", f.k, v)
		}
	}
	b.WriteString(" ]")
	return b.String()
}

// setFields lists the fields of x that are set, by their lower-case
// names, pointers followed.
func setFields(x nftables.Expr) []kv {
	var out []kv
	v := reflect.ValueOf(x).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.IsZero() || !v.Type().Field(i).IsExported() {
			continue
		}
		if f.Kind() == reflect.Pointer {
			f = f.Elem()
		}
		out = append(out, kv{strings.ToLower(v.Type().Field(i).Name), f.Interface()})
	}
	return out
}

// prefixLen is the length of the prefix mask m (leading ones, then
// zeros), or -1 when m is not one.
func prefixLen(m []byte) int {
	n := 0
	for i, c := range m {
		if c != 0xff {
			ones := bits.LeadingZeros8(^c)
			if c != byte(0xff<<(8-ones)) || !allZero(m[i+1:]) {
				return -1
			}
			return n + ones
		}
		n += 8
	}
	return n
}

// prefixMask is the mask of the first n bits of size bytes.
func prefixMask(n, size int) []byte {
	m := make([]byte, size)
	for i := range m {
		switch {
		case n >= 8:
			m[i] = 0xff
		case n > 0:
			m[i] = byte(0xff << (8 - n))
		}
		n -= 8
	}
	return m
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
