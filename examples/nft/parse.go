package main

import (
	"strconv"
	"strings"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// parseRule reads a rule's statements and its comment from the words of
// a command line. As nft does, it joins the words with spaces and reads
// them again, so "{ 22, 80 }" is one word or four, and a quoted word
// keeps its quotes ('"lo"').
//
// The rule language is nft's, for the statements of stmt.go: matches of
// ip and ip6 addresses, tcp and udp ports, interface names, ct state,
// meta l4proto and mark against values, prefixes, ranges, anonymous sets
// and named sets (@s), concatenations (ip saddr . tcp dport), verdict
// maps, counter, log, limit, reject, snat, dnat, masquerade, verdicts and
// a comment. Anything else is a syntax error that names the word.
func parseRule(words []string) ([]stmt, string, error) {
	toks, err := tokenize(strings.Join(words, " "))
	if err != nil {
		return nil, "", err
	}
	p := parser{toks: toks}
	var ss []stmt
	comment := ""
	for !p.done() {
		if p.peek() == "comment" {
			p.next()
			c := p.next()
			if !isQuoted(c) && (c == "" || strings.ContainsAny(c, "{},")) {
				return nil, "", p.unexpected(c, "a comment")
			}
			comment = unquote(c)
			if !p.done() {
				return nil, "", p.unexpected(p.peek(), "the end of the rule after its comment")
			}
			break
		}
		s, err := p.stmt()
		if err != nil {
			return nil, "", err
		}
		ss = append(ss, s)
	}
	if len(ss) == 0 {
		return nil, "", syntax("a rule needs a statement")
	}
	return ss, comment, nil
}

// tokenize splits a rule into words: braces and commas on their own, a
// quoted string with its quotes.
func tokenize(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '{' || c == '}' || c == ',':
			toks = append(toks, s[i:i+1])
			i++
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, syntax("unterminated string %s", s[i:])
			}
			toks = append(toks, s[i:i+j+2])
			i += j + 2
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n{},\"", rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}

type parser struct {
	toks []string
	i    int
}

func (p *parser) done() bool { return p.i >= len(p.toks) }

func (p *parser) peek() string {
	if p.done() {
		return ""
	}
	return p.toks[p.i]
}

func (p *parser) next() string {
	t := p.peek()
	p.i++
	return t
}

// unexpected is the syntax error of word t where the rule needs want.
func (p *parser) unexpected(t, want string) error {
	if t == "" {
		return syntax("unexpected end of rule, expecting %s", want)
	}
	return syntax("unexpected %s, expecting %s", t, want)
}

func (p *parser) expect(t string) error {
	if got := p.next(); got != t {
		return p.unexpected(got, strconv.Quote(t))
	}
	return nil
}

// isIdentifier reports whether s is a name nft reads as one: a letter,
// "_" or ".", then letters, digits, "_", ".", "-" and "/".
func isIdentifier(s string) bool {
	for i, c := range s {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '.'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-' || c == '/')) {
			return false
		}
	}
	return s != ""
}

func isQuoted(s string) bool { return len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' }

// number reads an unsigned number of at most bits bits.
func (p *parser) number(what string, bits int) (uint64, error) {
	t := p.next()
	n, err := strconv.ParseUint(t, 10, bits)
	if err != nil {
		return 0, p.unexpected(t, what)
	}
	return n, nil
}

func (p *parser) stmt() (stmt, error) {
	switch t := p.peek(); t {
	case "accept", "drop", "return", "continue", "jump", "goto":
		return p.verdict()
	case "counter":
		p.next()
		c := &nftables.Counter{}
		if p.peek() == "packets" {
			p.next()
			var err error
			if c.Packets, err = p.number("a number of packets", 64); err != nil {
				return nil, err
			}
			if err := p.expect("bytes"); err != nil {
				return nil, err
			}
			if c.Bytes, err = p.number("a number of bytes", 64); err != nil {
				return nil, err
			}
		}
		return c, nil
	case "log":
		return p.log()
	case "limit":
		return p.limit()
	case "reject":
		return p.reject()
	case "snat", "dnat", "masquerade":
		return p.nat()
	}
	left, err := p.lhs()
	if err != nil {
		return nil, err
	}
	if p.peek() == "vmap" {
		p.next()
		data, err := p.rhs(left, true)
		if err != nil {
			return nil, err
		}
		return &vmap{left, data}, nil
	}
	rel := opImplicit
	for o, name := range opNames {
		if p.peek() == name {
			p.next()
			rel = o
		}
	}
	right, err := p.rhs(left, false)
	if err != nil {
		return nil, err
	}
	if rel != opImplicit && rel != opEq && rel != opNeq {
		if _, ok := right.(value); !ok {
			return nil, syntax("%s needs a value, not %s", opNames[rel], exprText(right))
		}
	}
	return &match{left, rel, right}, nil
}

func (p *parser) verdict() (*nftables.Verdict, error) {
	codes := map[string]nftables.VerdictCode{"accept": nftables.VerdictAccept, "drop": nftables.VerdictDrop,
		"return": nftables.VerdictReturn, "continue": nftables.VerdictContinue,
		"jump": nftables.VerdictJump, "goto": nftables.VerdictGoto}
	t := p.next()
	c, ok := codes[t]
	if !ok {
		return nil, p.unexpected(t, "a verdict")
	}
	v := &nftables.Verdict{Code: c}
	if c == nftables.VerdictJump || c == nftables.VerdictGoto {
		v.Chain = unquote(p.next())
		if !isIdentifier(v.Chain) {
			return nil, p.unexpected(v.Chain, "a chain name after "+t)
		}
	}
	return v, nil
}

// lhs reads what a match loads: a field, or fields joined by ".".
func (p *parser) lhs() (expr, error) {
	var c concat
	for {
		f, err := p.field()
		if err != nil {
			return nil, err
		}
		c = append(c, f)
		if p.peek() != "." {
			break
		}
		p.next()
	}
	if len(c) == 1 {
		return c[0], nil
	}
	return c, nil
}

// The meta keys nft takes without "meta".
var unqualified = map[string]bool{"iifname": true, "oifname": true, "iif": true, "oif": true, "mark": true}

func (p *parser) field() (*field, error) {
	t := p.next()
	switch {
	case t == "ip" || t == "ip6" || t == "tcp" || t == "udp" || t == "ct" || t == "meta":
		k := p.next()
		if f := fieldNamed(t, k); f != nil {
			return f, nil
		}
		return nil, p.unexpected(k, "a field of "+t+" this program knows")
	case unqualified[t]:
		return fieldNamed("meta", t), nil
	}
	return nil, p.unexpected(t, "a statement this program knows")
}

// rhs reads what a match compares with, or a verdict map's map: a
// value, prefix or range; a set "{ ... }"; or a named set "@s".
func (p *parser) rhs(left expr, isMap bool) (expr, error) {
	t := p.peek()
	switch {
	case strings.HasPrefix(t, "@"):
		p.next()
		if !isIdentifier(t[1:]) {
			return nil, p.unexpected(t, "@ and a set's name")
		}
		return setRef(t[1:]), nil
	case t == "{":
		p.next()
		var s setExpr
		for {
			k, err := p.item(left, true)
			if err != nil {
				return nil, err
			}
			e := elem{key: k}
			if isMap {
				if err := p.expect(":"); err != nil {
					return nil, err
				}
				if e.data, err = p.verdict(); err != nil {
					return nil, err
				}
			}
			s = append(s, e)
			switch t := p.next(); t {
			case ",":
				if p.peek() == "}" {
					p.next()
					return s, nil
				}
				continue
			case "}":
				return s, nil
			default:
				return nil, p.unexpected(t, `"," or "}"`)
			}
		}
	case isMap:
		return nil, p.unexpected(t, "a map: { key : verdict, ... } or @name")
	}
	return p.item(left, false)
}

// item reads one value of what left loads: for a concatenation, a value
// of each field joined by ".".
func (p *parser) item(left expr, inSet bool) (expr, error) {
	c, ok := left.(concat)
	if !ok {
		return p.value(left.(*field), inSet)
	}
	var out concat
	for i, f := range c {
		if i > 0 {
			if err := p.expect("."); err != nil {
				return nil, err
			}
		}
		v, err := p.value(f.(*field), inSet)
		if err != nil {
			return nil, err
		}
		if _, ok := v.(value); !ok {
			return nil, syntax("%s: a concatenation's values are single values", exprText(v))
		}
		out = append(out, v)
	}
	return out, nil
}

// value reads a value of f's type, a prefix ("198.18.0.0/24", "eth*") or
// a range ("1024-2048").
func (p *parser) value(f *field, inSet bool) (expr, error) {
	t := p.next()
	if t == "" || t == "{" || t == "}" || t == "," {
		return nil, p.unexpected(t, "a value of "+f.text)
	}
	parse := func(s string) (value, error) {
		b, err := f.t.parse(s)
		if err != nil {
			return value{}, syntax("%s: %v", f.text, err)
		}
		return value{f.t, b}, nil
	}
	if f.t.bitmask && !inSet {
		// "established,related", or "established, related".
		for p.peek() == "," {
			p.next()
			t += "," + p.next()
		}
	}
	if f.t == typeIfname {
		name := unquote(t)
		if !strings.HasSuffix(name, "*") || strings.HasSuffix(name, `\*`) {
			return parse(t)
		}
		v, err := parse(name[:len(name)-1])
		if err != nil || len(name) == 1 {
			return nil, syntax("%s: %s is not an interface name or prefix", f.text, t)
		}
		if inSet {
			return nil, syntax("%s: this program has no interface name prefixes in sets", t)
		}
		return prefix{v, 8 * (len(name) - 1)}, nil
	}
	if v, err := parse(t); err == nil {
		return v, nil
	}
	if addr, bits, ok := strings.Cut(t, "/"); ok && f.t.prefix {
		v, err := parse(addr)
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(bits)
		if err != nil || n < 0 || n > 8*f.t.size {
			return nil, syntax("%s: %s is not a prefix length", f.text, bits)
		}
		// nft matches the prefix's address, masked.
		m := prefixMask(n, f.t.size)
		for i := range v.b {
			v.b[i] &= m[i]
		}
		return prefix{v, n}, nil
	}
	if lo, hi, ok := strings.Cut(t, "-"); ok && !f.t.bitmask {
		l, err := parse(lo)
		if err != nil {
			return nil, err
		}
		h, err := parse(hi)
		if err != nil {
			return nil, err
		}
		if f.t.host {
			return nil, syntax("%s: this program does not match ranges of %s", f.text, f.t.name)
		}
		if compareKeys(l.b, h.b, false) > 0 {
			return nil, syntax("%s: range %s is backwards", f.text, t)
		}
		return rangeExpr{l, h}, nil
	}
	return parse(t)
}

func (p *parser) log() (stmt, error) {
	p.next()
	l := &nftables.Log{}
	for {
		switch p.peek() {
		case "prefix":
			p.next()
			t := p.next()
			if !isQuoted(t) && (t == "" || strings.ContainsAny(t, "{},")) {
				return nil, p.unexpected(t, "a log prefix")
			}
			l.Prefix = unquote(t)
		case "group":
			p.next()
			n, err := p.number("a log group", 16)
			if err != nil {
				return nil, err
			}
			g := uint16(n)
			l.Group = &g
		case "snaplen":
			p.next()
			n, err := p.number("a snaplen", 32)
			if err != nil {
				return nil, err
			}
			l.Snaplen = uint32(n)
		case "queue-threshold":
			p.next()
			n, err := p.number("a queue threshold", 16)
			if err != nil {
				return nil, err
			}
			l.QThreshold = uint16(n)
		case "level":
			p.next()
			t := p.next()
			lv, ok := parseLogLevel(t)
			if !ok {
				return nil, p.unexpected(t, "a log level")
			}
			l.Level = &lv
		case "flags":
			p.next()
			if t := p.next(); t != "all" {
				return nil, p.unexpected(t, `"all" (the only log flags this program knows)`)
			}
			l.Flags = nftables.LogAll
		default:
			if l.Group != nil && l.Level != nil {
				return nil, syntax("log: a level is for syslog, a group for nflog: not both")
			}
			return l, nil
		}
	}
}

// parseLogLevel returns the log level nft calls name ("warn").
func parseLogLevel(name string) (nftables.LogLevel, bool) {
	for lv := nftables.LogLevelEmerg; lv <= nftables.LogLevelAudit; lv++ {
		if lv.String() == name {
			return lv, true
		}
	}
	return 0, false
}

// limit reads "limit rate [over] 10/second [burst 20 packets]" or "limit
// rate [over] 1 mbytes/second [burst 2 mbytes]".
func (p *parser) limit() (stmt, error) {
	p.next()
	if err := p.expect("rate"); err != nil {
		return nil, err
	}
	l := &nftables.Limit{Burst: limitBurst}
	if p.peek() == "over" {
		p.next()
		l.Flags = nftables.LimitInvert
	}
	t := p.next()
	n, per, ok := strings.Cut(t, "/")
	if !ok {
		// "1 mbytes/second"
		u, rest, _ := strings.Cut(p.next(), "/")
		m, ok := byteUnit(u)
		if !ok {
			return nil, p.unexpected(u, "bytes, kbytes or mbytes")
		}
		l.Type, l.Burst = nftables.LimitTypePktBytes, 0
		r, err := strconv.ParseUint(t, 10, 64)
		if err != nil || r == 0 {
			return nil, p.unexpected(t, "a rate")
		}
		l.Rate = r * m
		n, per = t, rest
	}
	unit := symVal(limitUnits, per)
	r, err := strconv.ParseUint(n, 10, 64)
	if unit == 0 || err != nil || r == 0 {
		return nil, p.unexpected(t, "a rate: N/second, minute, hour, day or week")
	}
	l.Unit = unit
	if l.Type != nftables.LimitTypePktBytes {
		l.Rate = r
	}
	if p.peek() == "burst" {
		p.next()
		b, err := p.number("a burst", 32)
		if err != nil {
			return nil, err
		}
		u := p.next()
		switch m, ok := byteUnit(u); {
		case u == "packets" && l.Type != nftables.LimitTypePktBytes:
			l.Burst = uint32(b)
		case ok && l.Type == nftables.LimitTypePktBytes && b*m <= 1<<32-1:
			l.Burst = uint32(b * m)
		default:
			return nil, p.unexpected(u, "the burst's unit, as the rate's")
		}
	}
	return l, nil
}

func byteUnit(s string) (uint64, bool) {
	switch s {
	case "bytes":
		return 1, true
	case "kbytes":
		return 1024, true
	case "mbytes":
		return 1024 * 1024, true
	}
	return 0, false
}

func symVal(syms []sym, name string) uint64 {
	for _, s := range syms {
		if s.name == name {
			return s.val
		}
	}
	return 0
}

// reject reads "reject", "reject with tcp reset" or "reject with icmp
// [type] host-unreachable" (icmpv6, icmpx); which ICMP the family's
// default is, encode decides.
func (p *parser) reject() (stmt, error) {
	p.next()
	r := &reject{plain: true}
	if p.peek() != "with" {
		return r, nil
	}
	p.next()
	r.plain = false
	switch t := p.next(); t {
	case "tcp":
		if err := p.expect("reset"); err != nil {
			return nil, err
		}
		r.typ = nftables.RejectTCPReset
	case "icmp", "icmpv6", "icmpx":
		r.proto, r.typ = t, nftables.RejectICMPUnreach
		if t == "icmpx" {
			r.typ = nftables.RejectICMPxUnreach
		}
		if p.peek() == "type" {
			p.next()
		}
		c := p.next()
		code := symVal(rejectCodes[t], c)
		if code == 0 && symName(rejectCodes[t], 0) != c {
			return nil, p.unexpected(c, "an "+t+" code")
		}
		r.code = uint8(code)
	default:
		return nil, p.unexpected(t, `"tcp reset", "icmp", "icmpv6" or "icmpx"`)
	}
	return r, nil
}

// nat reads "snat [ip|ip6] to ADDR[-ADDR][:PORT[-PORT]] [FLAGS]",
// "dnat ..." and "masquerade [to :PORT[-PORT]] [FLAGS]". The addresses
// are read as the family's once encode knows it; here they stay words.
func (p *parser) nat() (stmt, error) {
	n := &nat{kind: p.next()}
	if n.kind != "masquerade" {
		switch p.peek() {
		case "ip":
			n.family = nftables.FamilyIPv4
			p.next()
		case "ip6":
			n.family = nftables.FamilyIPv6
			p.next()
		}
	}
	if p.peek() == "to" {
		p.next()
		t := p.next()
		addr, port, err := splitHostPort(t)
		if err != nil {
			return nil, err
		}
		if addr != "" && n.kind == "masquerade" {
			return nil, p.unexpected(t, "a port, :PORT[-PORT], to masquerade to")
		}
		if addr == "" && port == "" {
			return nil, p.unexpected(t, "an address or a port")
		}
		if addr != "" {
			n.addr = natWord(addr)
		}
		if port != "" {
			n.port = natWord(port)
		}
	} else if n.kind != "masquerade" {
		return nil, p.unexpected(p.peek(), `"to"`)
	}
	for isNATFlag(p.peek()) {
		n.flags |= nftables.NATRangeFlags(symVal(natFlags, p.next()))
		if p.peek() != "," {
			break
		}
		p.next()
		if !isNATFlag(p.peek()) {
			return nil, p.unexpected(p.peek(), "random, fully-random or persistent")
		}
	}
	return n, nil
}

// natWord is an address or port of a NAT statement, as given.
type natWord string

func isNATFlag(s string) bool { return symVal(natFlags, s) != 0 }

// splitHostPort splits "198.18.0.1:80", "[2001:db8::1]:80", ":80",
// "198.18.0.1-198.18.0.9" and "2001:db8::1".
func splitHostPort(s string) (addr, port string, err error) {
	switch {
	case strings.HasPrefix(s, "["):
		i := strings.Index(s, "]")
		if i < 0 {
			return "", "", syntax("unexpected %s, expecting [ADDRESS]:PORT", s)
		}
		addr, rest := s[1:i], s[i+1:]
		if rest != "" && !strings.HasPrefix(rest, ":") {
			return "", "", syntax("unexpected %s, expecting [ADDRESS]:PORT", s)
		}
		return addr, strings.TrimPrefix(rest, ":"), nil
	case strings.Count(s, ":") == 1:
		addr, port, _ := strings.Cut(s, ":")
		return addr, port, nil
	}
	return s, "", nil
}
