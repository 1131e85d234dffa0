package sockdiag

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// entry is what the kernel's inet_diag_bc_run sees of a socket.
type entry struct {
	family       uint8
	src, dst     netip.Addr
	sport, dport uint16
	ifindex      uint32
	userlocks    bool // SOCK_BINDPORT_LOCK: not autobound
	mark         uint32
	cgroup       uint64
}

// audit is the kernel's inet_diag_bc_audit, rewritten: whether it accepts
// the program.
func audit(bc []byte) bool {
	validCC := func(cc int) bool {
		l := len(bc)
		for off := 0; l >= 0; {
			if cc > l {
				return false
			}
			if cc == l {
				return true
			}
			yes := int(bc[off+1])
			if yes < 4 || yes&3 != 0 {
				return false
			}
			l -= yes
			off += yes
		}
		return false
	}
	l := len(bc)
	for off := 0; l > 0; {
		if l < 4 {
			return false
		}
		code, yes, no := bc[off], int(bc[off+1]), int(binary.NativeEndian.Uint16(bc[off+2:]))
		minLen := 4
		switch code {
		case bcSrcCond, bcDstCond:
			if l < 12 {
				return false
			}
			alen := map[uint8]int{0: 0, afInet: 4, afInet6: 16}
			a, ok := alen[bc[off+4]]
			if !ok || int(bc[off+5]) > 8*a {
				return false
			}
			minLen = 12 + a
		case bcDevCond:
			minLen = 8
		case bcSrcEQ, bcSrcGE, bcSrcLE, bcDstEQ, bcDstGE, bcDstLE:
			minLen = 8
		case bcMarkCond, bcCgroupCond:
			minLen = 12
		case bcAuto, bcJmp, bcNop:
		default:
			return false
		}
		if l < minLen {
			return false
		}
		if code != bcNop {
			if no < minLen || no > l+4 || no&3 != 0 {
				return false
			}
			if no < l && !validCC(l-no) {
				return false
			}
		}
		if yes < minLen || yes > l+4 || yes&3 != 0 {
			return false
		}
		off += yes
		l -= yes
	}
	return l == 0
}

// run is the kernel's inet_diag_bc_run, rewritten.
func run(bc []byte, e entry) bool {
	l := len(bc)
	for off := 0; l > 0; {
		code, yes, no := bc[off], int(bc[off+1]), int(binary.NativeEndian.Uint16(bc[off+2:]))
		ok := true
		arg := func() uint16 { return binary.NativeEndian.Uint16(bc[off+6:]) }
		switch code {
		case bcNop:
		case bcJmp:
			ok = false
		case bcSrcEQ:
			ok = e.sport == arg()
		case bcSrcGE:
			ok = e.sport >= arg()
		case bcSrcLE:
			ok = e.sport <= arg()
		case bcDstEQ:
			ok = e.dport == arg()
		case bcDstGE:
			ok = e.dport >= arg()
		case bcDstLE:
			ok = e.dport <= arg()
		case bcAuto:
			ok = !e.userlocks
		case bcDevCond:
			ok = e.ifindex == binary.NativeEndian.Uint32(bc[off+4:])
		case bcMarkCond:
			ok = e.mark&binary.NativeEndian.Uint32(bc[off+8:]) == binary.NativeEndian.Uint32(bc[off+4:])
		case bcCgroupCond:
			ok = e.cgroup == binary.NativeEndian.Uint64(bc[off+4:])
		case bcSrcCond, bcDstCond:
			fam, plen := bc[off+4], int(bc[off+5])
			port := int32(binary.NativeEndian.Uint32(bc[off+8:]))
			addr, eport := e.src, e.sport
			if code == bcDstCond {
				addr, eport = e.dst, e.dport
			}
			var ca netip.Addr
			switch fam {
			case afInet:
				ca = netip.AddrFrom4([4]byte(bc[off+12:]))
			case afInet6:
				ca = netip.AddrFrom16([16]byte(bc[off+12:]))
			}
			match := func(a netip.Addr) bool {
				p, _ := ca.Prefix(plen)
				return p.Contains(a)
			}
			switch {
			case port != -1 && port != int32(eport):
				ok = false
			case fam != 0 && fam != e.family:
				ok = e.family == afInet6 && fam == afInet && addr.Is4In6() && match(addr.Unmap())
			case plen == 0:
			default:
				ok = match(addr)
			}
		}
		step := yes
		if !ok {
			step = no
		}
		off += step
		l -= step
	}
	return l == 0
}

// eval is what n means for e.
func (n *node) eval(e entry) bool {
	switch n.kind {
	case nAnd:
		return n.kids[0].eval(e) && n.kids[1].eval(e)
	case nOr:
		return n.kids[0].eval(e) || n.kids[1].eval(e)
	case nNot:
		return !n.kids[0].eval(e)
	case nPort:
		switch n.op {
		case bcSrcEQ:
			return e.sport == n.port
		case bcSrcGE:
			return e.sport >= n.port
		case bcSrcLE:
			return e.sport <= n.port
		case bcDstEQ:
			return e.dport == n.port
		case bcDstGE:
			return e.dport >= n.port
		case bcDstLE:
			return e.dport <= n.port
		}
	case nHost:
		addr, port := e.src, e.sport
		if n.op == bcDstCond {
			addr, port = e.dst, e.dport
		}
		if n.host.port != -1 && uint16(n.host.port) != port {
			return false
		}
		switch {
		case n.host.family == 0:
			return true
		case n.host.family == afInet && e.family == afInet6:
			if !addr.Is4In6() {
				return false
			}
			addr = addr.Unmap()
		case n.host.family != e.family:
			return false
		}
		p, _ := n.host.addr.Prefix(int(n.host.prefix))
		return p.Contains(addr)
	case nAuto:
		return !e.userlocks
	case nMark:
		return e.mark&n.mask == n.mark
	case nCgroup:
		return e.cgroup == n.id
	case nDev:
		return e.ifindex == n.mark
	}
	return true
}

func randomEntry(r *rand.Rand) entry {
	ports := []uint16{0, 22, 79, 80, 81, 442, 443, 444, 40000, 65535}
	v4 := []string{"198.18.0.1", "198.18.0.2", "198.19.1.5", "0.0.0.0"}
	v6 := []string{"2001:db8::1", "2001:db8:1::2", "::", "::ffff:198.18.0.1"}
	e := entry{sport: ports[r.IntN(len(ports))], dport: ports[r.IntN(len(ports))], userlocks: r.IntN(2) == 0,
		mark: uint32(r.IntN(4)), cgroup: uint64(r.IntN(3)), ifindex: uint32(r.IntN(3))}
	if r.IntN(2) == 0 {
		e.family = afInet
		e.src, e.dst = netip.MustParseAddr(v4[r.IntN(4)]), netip.MustParseAddr(v4[r.IntN(4)])
	} else {
		e.family = afInet6
		e.src, e.dst = netip.MustParseAddr(v6[r.IntN(4)]), netip.MustParseAddr(v6[r.IntN(4)])
	}
	return e
}

// checkProgram compiles expr and checks that the kernel's audit accepts
// the program and that it means what the expression says.
func checkProgram(t *testing.T, expr string, r *rand.Rand, n int) {
	f, err := Compile(expr, testOpts)
	if err != nil {
		return
	}
	if len(f.Bytecode) > 0 && !audit(f.Bytecode) {
		t.Fatalf("%q: the kernel's audit refuses % x", expr, f.Bytecode)
	}
	if len(tokenize(expr)) == 0 {
		return
	}
	p := &parser{expr: expr, toks: tokenize(expr), opts: *testOpts}
	root, err := p.or()
	if err != nil {
		t.Fatalf("%q compiles but does not parse: %v", expr, err)
	}
	var rest []*node
	for _, c := range conjuncts(root) {
		if c.kind != nState {
			rest = append(rest, c)
		}
	}
	for range n {
		e := randomEntry(r)
		want := true
		for _, c := range rest {
			want = want && c.eval(e)
		}
		if got := len(f.Bytecode) == 0 || run(f.Bytecode, e); got != want {
			t.Fatalf("%q on %+v: program says %v, expression %v\n% x", expr, e, got, want, f.Bytecode)
		}
	}
}

// testOpts resolve every cgroup to 1 and every interface to 1.
var testOpts = &CompileOptions{
	CgroupID:  func(string) (uint64, error) { return 1, nil },
	Interface: func(string) (uint32, error) { return 1, nil },
}

var programSeeds = []string{
	"dport = :443",
	"state established and dport = :443 and src 198.18.0.0/16",
	"sport >= :80 and sport <= :443 or not dport > :442",
	"( sport = :22 or sport = :80 ) and ! ( dst 198.18.0.1 or dst [2001:db8::]/32:443 )",
	"not autobound or mark = 1/3",
	"src *:80 || dst :443 && dport != 80",
	"cgroup = /x and dev = 1 or dst 198.18.0.0/15:443",
	"not not not ( sport < :443 )",
	"src ::ffff:198.18.0.1 or src 198.18.0.1",
	"dev = lo0 or dev = 2",
}

func TestProgramMeansExpression(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, e := range programSeeds {
		if _, err := Compile(e, testOpts); err != nil {
			t.Fatalf("%q: %v", e, err)
		}
		checkProgram(t, e, r, 2000)
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range programSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		checkProgram(t, expr, rand.New(rand.NewPCG(3, 4)), 50)
	})
}
