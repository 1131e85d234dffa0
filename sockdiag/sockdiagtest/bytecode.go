package sockdiagtest

import (
	"encoding/binary"
	"syscall"
)

// The INET_DIAG bytecode operations (<linux/inet_diag.h>).
const (
	bcNop        = 0
	bcJmp        = 1
	bcSrcGE      = 2
	bcSrcLE      = 3
	bcDstGE      = 4
	bcDstLE      = 5
	bcAuto       = 6
	bcSrcCond    = 7
	bcDstCond    = 8
	bcDevCond    = 9
	bcMarkCond   = 10
	bcSrcEQ      = 11
	bcDstEQ      = 12
	bcCgroupCond = 13
)

const (
	opLen       = 4 // struct inet_diag_bc_op: code, yes, no (u16)
	hostcondLen = 8 // struct inet_diag_hostcond without its address
)

// program is INET_DIAG bytecode with four zero bytes after it, as the
// attribute's padding and the rest of the request are to the kernel: an
// op that starts within the last four bytes reads them (and the audit
// then refuses it).
type program struct {
	code []byte // padded
	n    int    // the bytecode's length
}

func newProgram(bc []byte) program {
	return program{code: append(append(make([]byte, 0, len(bc)+8), bc...), 0, 0, 0, 0, 0, 0, 0, 0), n: len(bc)}
}

// op returns the code, yes and no of the op at offset off.
func (p program) op(off int) (code uint8, yes, no int) {
	if off < 0 || off+opLen > len(p.code) {
		return 0xff, 0, 0
	}
	return p.code[off], int(p.code[off+1]), int(binary.NativeEndian.Uint16(p.code[off+2:]))
}

// audit checks the program as the kernel's inet_diag_bc_audit does before
// a dump runs it: every op known and whole, every jump forward, in
// steps of four, to the start of an op that the chain of yes offsets
// from the start reaches, or to the program's end (accept) or four bytes
// past it (reject). A MARK_COND needs CAP_NET_ADMIN (EPERM without);
// anything else wrong is EINVAL. Each step moves forward at least four
// bytes, so the audit ends, and so does a run of an audited program.
func (p program) audit(netAdmin bool) error {
	if p.n < opLen {
		return syscall.EINVAL
	}
	left := p.n
	for left > 0 {
		off := p.n - left
		code, yes, no := p.op(off)
		min := opLen
		switch code {
		case bcSrcCond, bcDstCond:
			min += hostcondLen
			if left < min {
				return syscall.EINVAL
			}
			family, prefix := p.code[off+opLen], int(p.code[off+opLen+1])
			alen := 0
			switch family {
			case 0:
			case afInet:
				alen = 4
			case afInet6:
				alen = 16
			default:
				return syscall.EINVAL
			}
			min += alen
			if left < min || prefix > 8*alen {
				return syscall.EINVAL
			}
		case bcDevCond:
			min += 4
			if left < min {
				return syscall.EINVAL
			}
		case bcSrcEQ, bcSrcGE, bcSrcLE, bcDstEQ, bcDstGE, bcDstLE:
			min += opLen // the port is in the next op's no
			if left < min {
				return syscall.EINVAL
			}
		case bcMarkCond:
			if !netAdmin {
				return syscall.EPERM
			}
			min += 8
			if left < min {
				return syscall.EINVAL
			}
		case bcCgroupCond:
			min += 8
			if left < min {
				return syscall.EINVAL
			}
		case bcAuto, bcJmp, bcNop:
		default:
			return syscall.EINVAL
		}
		if code != bcNop {
			if no < min || no > left+4 || no&3 != 0 {
				return syscall.EINVAL
			}
			if no < left && !p.reaches(left-no) {
				return syscall.EINVAL
			}
		}
		if yes < min || yes > left+4 || yes&3 != 0 {
			return syscall.EINVAL
		}
		left -= yes
	}
	if left != 0 {
		return syscall.EINVAL // the last op's yes went past the end
	}
	return nil
}

// reaches reports whether the chain of yes offsets from the program's
// start lands on the op that leaves left bytes, as the kernel's valid_cc.
func (p program) reaches(left int) bool {
	for l := p.n; l >= 0; {
		if left > l {
			return false
		}
		if left == l {
			return true
		}
		_, yes, _ := p.op(p.n - l)
		if yes < 4 || yes&3 != 0 {
			return false
		}
		l -= yes
	}
	return false
}

// entry is what the bytecode sees of a socket (struct inet_diag_entry).
type entry struct {
	family       uint8
	saddr, daddr [16]byte // an IPv4 address in the first four bytes
	sport, dport uint16
	autobound    bool // the socket's userlocks lack SOCK_BINDPORT_LOCK
	ifindex      uint32
	mark         uint32
	cgroup       uint64
}

// run runs the program on e, as the kernel's inet_diag_bc_run: each op
// goes on by its yes offset when its condition holds, by its no offset
// when not, and the socket is accepted when the program ends exactly at
// its end. An op that would read past the program rejects (an audited
// program has none).
func (p program) run(e *entry) bool {
	left := p.n
	for left > 0 {
		off := p.n - left
		code, yes, no := p.op(off)
		arg := p.code[min(off+opLen, len(p.code)):]
		ok := true
		port := func() uint16 {
			if len(arg) < 4 {
				return 0
			}
			return binary.NativeEndian.Uint16(arg[2:])
		}
		switch code {
		case bcNop:
		case bcJmp:
			ok = false
		case bcSrcEQ:
			ok = e.sport == port()
		case bcSrcGE:
			ok = e.sport >= port()
		case bcSrcLE:
			ok = e.sport <= port()
		case bcDstEQ:
			ok = e.dport == port()
		case bcDstGE:
			ok = e.dport >= port()
		case bcDstLE:
			ok = e.dport <= port()
		case bcAuto:
			ok = e.autobound
		case bcSrcCond, bcDstCond:
			ok = e.hostcond(code == bcSrcCond, arg)
		case bcDevCond:
			ok = len(arg) >= 4 && binary.NativeEndian.Uint32(arg) == e.ifindex
		case bcMarkCond:
			ok = len(arg) >= 8 && e.mark&binary.NativeEndian.Uint32(arg[4:]) == binary.NativeEndian.Uint32(arg)
		case bcCgroupCond:
			ok = len(arg) >= 8 && binary.NativeEndian.Uint64(arg) == e.cgroup
		default:
			return false
		}
		step := no
		if ok {
			step = yes
		}
		if step <= 0 {
			return false // unaudited garbage: never loop
		}
		left -= step
	}
	return left == 0
}

// hostcond runs S_COND (src) or D_COND on the struct inet_diag_hostcond
// and address in arg.
func (e *entry) hostcond(src bool, arg []byte) bool {
	if len(arg) < hostcondLen {
		return false
	}
	family, prefix := arg[0], int(arg[1])
	port := int32(binary.NativeEndian.Uint32(arg[4:]))
	addr := arg[hostcondLen:]
	eport, eaddr := e.dport, e.daddr[:]
	if src {
		eport, eaddr = e.sport, e.saddr[:]
	}
	if port != -1 && port != int32(eport) {
		return false
	}
	if family != 0 && family != e.family {
		// An IPv4 condition matches an IPv6 socket's v4-mapped address.
		mapped := [12]byte{10: 0xff, 11: 0xff}
		return e.family == afInet6 && family == afInet &&
			[12]byte(eaddr[:12]) == mapped && prefixMatch(eaddr[12:], addr, prefix)
	}
	return prefix == 0 || prefixMatch(eaddr, addr, prefix)
}

// prefixMatch reports whether a and b agree in their first bits bits
// (false if either is too short to have them).
func prefixMatch(a, b []byte, bits int) bool {
	n := (bits + 7) / 8
	if len(a) < n || len(b) < n {
		return false
	}
	for i := 0; i < bits/8; i++ {
		if a[i] != b[i] {
			return false
		}
	}
	if r := bits % 8; r != 0 {
		mask := byte(0xff << (8 - r))
		return (a[bits/8]^b[bits/8])&mask == 0
	}
	return true
}
