package sockdiag

import (
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// Filter is a compiled filter: INET_DIAG bytecode for the kernel to run
// on each socket (INET_DIAG_REQ_BYTECODE), and the states the expression
// named, for the request's state mask.
type Filter struct {
	Expr     string // the expression compiled
	Bytecode []byte // the program; empty when the expression only named states
	// States is the set of states the expression's state and exclude
	// terms select, 0 when it has none.
	States States
}

// SyntaxError is the error of an expression Compile cannot read: Pos is
// the byte offset of the bad token in the expression. It matches
// os.ErrInvalid.
type SyntaxError struct {
	Expr  string
	Pos   int
	Token string // the bad token, "" at the end of the expression
	Msg   string
}

// Error says what is wrong and where.
func (e *SyntaxError) Error() string {
	tok := "end of expression"
	if e.Token != "" {
		tok = strconv.Quote(e.Token)
	}
	return fmt.Sprintf("sockdiag: filter: %s at offset %d (%s)", e.Msg, e.Pos, tok)
}

// Is reports whether target is os.ErrInvalid.
func (e *SyntaxError) Is(target error) bool { return target == os.ErrInvalid }

// CompileOptions change how Compile resolves names.
type CompileOptions struct {
	// CgroupID returns the id of the cgroup v2 at path (relative to the
	// cgroup2 mount, as "/system.slice"), for "cgroup = PATH". If nil,
	// Compile reads the inode number of /sys/fs/cgroup/PATH, which is the
	// id on Linux.
	CgroupID func(path string) (uint64, error)
	// Interface returns the index of the interface called name, for
	// "dev = NAME" (a number is taken as the index itself). If nil,
	// names are looked up with net.InterfaceByName, in the namespace of
	// the calling thread, which need not be the one listed.
	Interface func(name string) (uint32, error)
}

// Compile compiles an expression in the language of ss's filters to a
// Filter:
//
//	state established and ( dport = :443 or dport = :80 ) and src 198.18.0.0/16
//
// Terms:
//
//	sport OP PORT, dport OP PORT   OP is = == != < > <= >= (or eq ne lt gt le ge), PORT as :443 or 443
//	src HOST, dst HOST             HOST as 198.18.0.0/16, 198.18.0.1:80, [2001:db8::]/32, [2001:db8::1]:443, *:80, :80
//	                               (optionally after = or ==; != negates)
//	autobound                      the source port was chosen by the kernel
//	mark = VALUE[/MASK]            the socket's fwmark (!= negates)
//	cgroup = PATH                  the socket's cgroup v2 (!= negates)
//	dev = NAME, dev = IFINDEX      the bound interface (!= negates)
//	state NAME, exclude NAME       state names and groups as ss's (established, listening, connected, all, ...)
//
// joined by and (&&, or nothing), or (||), not (!), and parentheses;
// and binds tighter than or. State and exclude terms may only be joined to
// the rest with and at the top level: they become Filter.States, the
// request's state mask, as in ss, where several state terms add up.
func Compile(expr string, opts *CompileOptions) (*Filter, error) {
	p := &parser{expr: expr, toks: tokenize(expr)}
	if opts != nil {
		p.opts = *opts
	}
	f := &Filter{Expr: expr}
	if len(p.toks) == 0 {
		return f, nil
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, p.errorf("unexpected token")
	}
	// Take the state terms out of the top-level conjunction.
	var rest []*node
	var include, exclude States
	var hasInclude bool
	for _, c := range conjuncts(n) {
		if c.kind != nState {
			rest = append(rest, c)
			continue
		}
		if c.exclude {
			exclude |= c.states
		} else {
			include |= c.states
			hasInclude = true
		}
	}
	for _, c := range rest {
		if bad := findState(c); bad != nil {
			return nil, &SyntaxError{Expr: expr, Pos: bad.pos, Token: bad.tok, Msg: "state terms must be joined to the rest with and"}
		}
	}
	if hasInclude || exclude != 0 {
		if !hasInclude {
			include = AllStates
		}
		f.States = include &^ exclude
		if f.States == 0 {
			f.States = 1 << 31 // no state: a mask that matches nothing
		}
	}
	var code []byte
	for _, c := range rest {
		b, err := c.compile()
		if err != nil {
			return nil, &SyntaxError{Expr: expr, Pos: c.pos, Token: c.tok, Msg: err.Error()}
		}
		code = and(code, b)
	}
	if len(code) > math.MaxUint16-8 {
		return nil, &SyntaxError{Expr: expr, Pos: 0, Token: "", Msg: "filter too long for INET_DIAG bytecode"}
	}
	f.Bytecode = code
	return f, nil
}

// MustCompile is Compile for expressions known to be good: it panics on
// an error.
func MustCompile(expr string) *Filter {
	f, err := Compile(expr, nil)
	if err != nil {
		panic(err)
	}
	return f
}

type nodeKind int

const (
	nAnd nodeKind = iota
	nOr
	nNot
	nPort   // op (S_EQ/S_GE/... D_LE), port
	nHost   // op (S_COND/D_COND), host condition
	nAuto   // INET_DIAG_BC_AUTO
	nMark   // mark, mask
	nCgroup // cgroup id
	nDev    // ifindex
	nState  // states, exclude
)

type node struct {
	kind     nodeKind
	pos      int
	tok      string
	kids     []*node
	op       uint8
	port     uint16
	host     hostCond
	mark     uint32
	mask     uint32
	id       uint64
	states   States
	exclude  bool
	resolved error // a term that parsed but cannot compile
}

type hostCond struct {
	family uint8
	prefix uint8
	port   int32 // -1: any
	addr   netip.Addr
}

func conjuncts(n *node) []*node {
	if n.kind != nAnd {
		return []*node{n}
	}
	var out []*node
	for _, k := range n.kids {
		out = append(out, conjuncts(k)...)
	}
	return out
}

func findState(n *node) *node {
	if n.kind == nState {
		return n
	}
	for _, k := range n.kids {
		if s := findState(k); s != nil {
			return s
		}
	}
	return nil
}

// Code fragments: a fragment accepts by running off its end and rejects
// by jumping 4 bytes past it. Every op's yes is its own size, so the
// kernel's audit, which walks the program along yes, sees every op.

func op(code uint8, yes, no int) []byte {
	b := []byte{code, uint8(yes)}
	return binary.NativeEndian.AppendUint16(b, uint16(no))
}

// and returns a then b: a's rejections are moved past b.
func and(a, b []byte) []byte {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := append(append(make([]byte, 0, len(a)+len(b)), a...), b...)
	for off := 0; off < len(a); {
		yes := int(out[off+1])
		no := int(binary.NativeEndian.Uint16(out[off+2:]))
		if off+no == len(a)+4 {
			binary.NativeEndian.PutUint16(out[off+2:], uint16(no+len(b)))
		}
		off += yes
	}
	return out
}

// or returns a, a jump past b, then b: a's rejections land on b.
func or(a, b []byte) []byte {
	out := append(make([]byte, 0, len(a)+4+len(b)), a...)
	out = append(out, op(bcJmp, 4, len(b)+4)...)
	return append(out, b...)
}

// not returns a then a jump that turns its acceptance into rejection.
func not(a []byte) []byte {
	return append(append(make([]byte, 0, len(a)+4), a...), op(bcJmp, 4, 8)...)
}

func (n *node) compile() ([]byte, error) {
	if n.resolved != nil {
		return nil, n.resolved
	}
	switch n.kind {
	case nAnd, nOr:
		var out []byte
		for i, k := range n.kids {
			b, err := k.compile()
			if err != nil {
				return nil, err
			}
			switch {
			case i == 0:
				out = b
			case n.kind == nAnd:
				out = and(out, b)
			default:
				out = or(out, b)
			}
			if len(out) > math.MaxUint16-8 {
				return nil, fmt.Errorf("filter too long for INET_DIAG bytecode")
			}
		}
		return out, nil
	case nNot:
		b, err := n.kids[0].compile()
		if err != nil {
			return nil, err
		}
		return not(b), nil
	case nPort:
		b := op(n.op, 8, 12)
		return append(b, op(0, 0, int(n.port))...), nil
	case nHost:
		alen := 0
		switch n.host.family {
		case afInet:
			alen = 4
		case afInet6:
			alen = 16
		}
		size := 4 + 8 + alen
		b := op(n.op, size, size+4)
		b = append(b, n.host.family, n.host.prefix, 0, 0)
		b = binary.NativeEndian.AppendUint32(b, uint32(n.host.port))
		return appendAddr(b, n.host.family, n.host.addr)[:size], nil
	case nAuto:
		return op(bcAuto, 4, 8), nil
	case nMark:
		b := op(bcMarkCond, 12, 16)
		b = binary.NativeEndian.AppendUint32(b, n.mark)
		return binary.NativeEndian.AppendUint32(b, n.mask), nil
	case nCgroup:
		b := op(bcCgroupCond, 12, 16)
		return binary.NativeEndian.AppendUint64(b, n.id), nil
	case nDev:
		b := op(bcDevCond, 8, 12)
		return binary.NativeEndian.AppendUint32(b, n.mark), nil
	}
	return nil, fmt.Errorf("state terms must be joined to the rest with and")
}

// Tokens.

type token struct {
	s   string
	pos int
}

func tokenize(s string) []token {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '(' || c == ')':
			toks = append(toks, token{s[i : i+1], i})
			i++
		case strings.IndexByte("=!<>&|", c) >= 0:
			j := i + 1
			for j < len(s) && j < i+2 && strings.IndexByte("=&|", s[j]) >= 0 {
				j++
			}
			toks = append(toks, token{s[i:j], i})
			i = j
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\n()=!<>&|", s[j]) < 0 {
				j++
			}
			toks = append(toks, token{s[i:j], i})
			i = j
		}
	}
	return toks
}

type parser struct {
	expr string
	toks []token
	i    int
	opts CompileOptions
}

func (p *parser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i].s
	}
	return ""
}

func (p *parser) errorf(format string, args ...any) error {
	e := &SyntaxError{Expr: p.expr, Pos: len(p.expr), Msg: fmt.Sprintf(format, args...)}
	if p.i < len(p.toks) {
		e.Pos, e.Token = p.toks[p.i].pos, p.toks[p.i].s
	}
	return e
}

func (p *parser) or() (*node, error) {
	n, err := p.and()
	if err != nil {
		return nil, err
	}
	for {
		switch p.peek() {
		case "or", "||", "|":
			pos := p.i
			p.i++
			m, err := p.and()
			if err != nil {
				return nil, err
			}
			n = &node{kind: nOr, pos: p.toks[pos].pos, tok: p.toks[pos].s, kids: []*node{n, m}}
		default:
			return n, nil
		}
	}
}

func (p *parser) and() (*node, error) {
	n, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		switch p.peek() {
		case "and", "&&", "&":
			p.i++
		case "", ")", "or", "||", "|":
			return n, nil
		}
		m, err := p.unary()
		if err != nil {
			return nil, err
		}
		n = &node{kind: nAnd, pos: n.pos, tok: n.tok, kids: []*node{n, m}}
	}
}

func (p *parser) unary() (*node, error) {
	switch p.peek() {
	case "not", "!":
		pos := p.i
		p.i++
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{kind: nNot, pos: p.toks[pos].pos, tok: p.toks[pos].s, kids: []*node{n}}, nil
	case "(":
		p.i++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, p.errorf("missing )")
		}
		p.i++
		return n, nil
	case "":
		return nil, p.errorf("missing term")
	}
	return p.term()
}

// cmpOps maps the comparison operators to their name.
var cmpOps = map[string]string{
	"=": "=", "==": "=", "eq": "=",
	"!=": "!=", "ne": "!=", "neq": "!=",
	"<": "<", "lt": "<", ">": ">", "gt": ">",
	"<=": "<=", "le": "<=", "leq": "<=", ">=": ">=", "ge": ">=", "geq": ">=",
}

func (p *parser) term() (*node, error) {
	t := p.toks[p.i]
	n := &node{pos: t.pos, tok: t.s}
	p.i++
	switch t.s {
	case "sport", "dport":
		opTok := p.peek()
		cmp, ok := cmpOps[opTok]
		if !ok {
			return nil, p.errorf("%s needs one of = != < > <= >=", t.s)
		}
		p.i++
		port, err := p.port()
		if err != nil {
			return nil, err
		}
		n.kind, n.port = nPort, port
		src := t.s == "sport"
		pick := func(s, d uint8) uint8 {
			if src {
				return s
			}
			return d
		}
		eq, ge, le := pick(bcSrcEQ, bcDstEQ), pick(bcSrcGE, bcDstGE), pick(bcSrcLE, bcDstLE)
		switch cmp {
		case "=":
			n.op = eq
		case "!=":
			n.op = eq
			return negate(n), nil
		case ">=":
			n.op = ge
		case "<=":
			n.op = le
		case "<":
			n.op = ge
			return negate(n), nil
		case ">":
			n.op = le
			return negate(n), nil
		}
		return n, nil
	case "src", "dst":
		neg := false
		switch p.peek() {
		case "=", "==", "eq":
			p.i++
		case "!=", "ne", "neq":
			p.i++
			neg = true
		}
		h, err := p.host()
		if err != nil {
			return nil, err
		}
		n.kind, n.host, n.op = nHost, h, bcSrcCond
		if t.s == "dst" {
			n.op = bcDstCond
		}
		if neg {
			return negate(n), nil
		}
		return n, nil
	case "autobound":
		n.kind = nAuto
		return n, nil
	case "mark", "fwmark", "cgroup", "dev":
		neg, err := p.eqOrNe(t.s)
		if err != nil {
			return nil, err
		}
		v := p.peek()
		if v == "" {
			return nil, p.errorf("%s needs a value", t.s)
		}
		switch t.s {
		case "mark", "fwmark":
			n.kind = nMark
			val, mask, ok := strings.Cut(v, "/")
			m, err := strconv.ParseUint(val, 0, 32)
			if err != nil {
				return nil, p.errorf("bad mark")
			}
			n.mark, n.mask = uint32(m), math.MaxUint32
			if ok {
				k, err := strconv.ParseUint(mask, 0, 32)
				if err != nil {
					return nil, p.errorf("bad mark mask")
				}
				n.mask = uint32(k)
			}
		case "cgroup":
			n.kind = nCgroup
			resolve := p.opts.CgroupID
			if resolve == nil {
				resolve = cgroupID
			}
			if id, err := strconv.ParseUint(v, 0, 64); err == nil && !strings.HasPrefix(v, "/") {
				n.id = id
			} else if n.id, err = resolve(v); err != nil {
				return nil, p.errorf("cgroup: %v", err)
			}
		case "dev":
			n.kind = nDev
			if idx, err := strconv.ParseUint(v, 0, 32); err == nil {
				n.mark = uint32(idx)
				break
			}
			resolve := p.opts.Interface
			if resolve == nil {
				resolve = interfaceIndex
			}
			idx, err := resolve(v)
			if err != nil {
				return nil, p.errorf("dev: %v", err)
			}
			n.mark = idx
		}
		p.i++
		if neg {
			return negate(n), nil
		}
		return n, nil
	case "state", "exclude":
		name := p.peek()
		st, ok := stateGroup(name)
		if !ok {
			return nil, p.errorf("unknown state")
		}
		p.i++
		n.kind, n.states, n.exclude = nState, st, t.s == "exclude"
		return n, nil
	}
	p.i--
	return nil, p.errorf("unknown term")
}

// interfaceIndex looks name up in the calling thread's namespace.
func interfaceIndex(name string) (uint32, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return 0, err
	}
	return uint32(ifi.Index), nil
}

func negate(n *node) *node {
	return &node{kind: nNot, pos: n.pos, tok: n.tok, kids: []*node{n}}
}

func (p *parser) eqOrNe(what string) (bool, error) {
	switch cmpOps[p.peek()] {
	case "=":
		p.i++
		return false, nil
	case "!=":
		p.i++
		return true, nil
	}
	return false, p.errorf("%s needs = or !=", what)
}

func (p *parser) port() (uint16, error) {
	s := strings.TrimPrefix(p.peek(), ":")
	v, err := strconv.ParseUint(s, 10, 16)
	if err != nil || s == "" {
		return 0, p.errorf("bad port")
	}
	p.i++
	return uint16(v), nil
}

// host parses a host condition: [ADDR][/LEN][:PORT] as ss writes it.
func (p *parser) host() (hostCond, error) {
	s := p.peek()
	h := hostCond{port: -1}
	if s == "" {
		return h, p.errorf("missing address")
	}
	bad := func(what string) (hostCond, error) { return hostCond{}, p.errorf("bad %s", what) }
	var addr, port string
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return bad("address: missing ]")
		}
		addr = s[1:end]
		rest := s[end+1:]
		if strings.HasPrefix(rest, "/") {
			i := strings.IndexByte(rest, ':')
			if i < 0 {
				i = len(rest)
			}
			addr += rest[:i]
			rest = rest[i:]
		}
		if rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return bad("address")
			}
			port = rest[1:]
		}
	case strings.Count(s, ":") > 1:
		addr = s // IPv6 without a port
	default:
		addr, port, _ = strings.Cut(s, ":")
	}
	if port != "" && port != "*" {
		v, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return bad("port")
		}
		h.port = int32(v)
	}
	if addr != "" && addr != "*" {
		pfx, err := netip.ParsePrefix(addr)
		if err != nil {
			a, err2 := netip.ParseAddr(addr)
			if err2 != nil {
				return bad("address")
			}
			pfx = netip.PrefixFrom(a, a.BitLen())
		}
		a := pfx.Addr()
		if a.Zone() != "" {
			return bad("address: zones are not supported")
		}
		h.addr, h.prefix = a, uint8(pfx.Bits())
		h.family = afInet6
		if a.Is4() {
			h.family = afInet
		}
	}
	p.i++
	return h, nil
}
