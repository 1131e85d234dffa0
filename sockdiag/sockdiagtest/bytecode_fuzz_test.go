package sockdiagtest

import (
	"encoding/binary"
	"testing"

	"github.com/nlkit/netlink/sockdiag"
)

// FuzzBytecode runs the audit and, when it passes, the interpreter on
// arbitrary bytecode, audited or not: neither may panic or loop, and a
// program the audit passes must end within its length in steps of four.
func FuzzBytecode(f *testing.F) {
	for _, e := range []string{
		"sport = :443", "dport >= :80 and dport <= :443", "src 198.18.0.0/15 or dst [2001:db8::1]:443",
		"not ( autobound or fwmark = 0x10/0xf0 )", "dev = 3 and cgroup = 77", "dst 198.18.0.1",
	} {
		f.Add(sockdiag.MustCompile(e).Bytecode, true)
	}
	f.Add([]byte{1, 4, 8, 0}, false)
	f.Add([]byte{0, 0, 0, 0}, true)
	f.Add([]byte{7, 12, 16, 0, 2, 33, 0, 0}, true)
	sockets := []*entry{
		{family: afInet, sport: 443, dport: 40000, mark: 0x15, ifindex: 3, cgroup: 77},
		{family: afInet6, sport: 8080, dport: 443, autobound: true},
	}
	copy(sockets[0].saddr[:], []byte{198, 18, 0, 1})
	sockets[1].daddr = [16]byte{10: 0xff, 11: 0xff, 12: 198, 13: 18, 14: 0, 15: 2}
	f.Fuzz(func(t *testing.T, bc []byte, netAdmin bool) {
		p := newProgram(bc)
		err := p.audit(netAdmin)
		for _, e := range sockets {
			p.run(e) // unaudited too: it must end
		}
		if err != nil {
			return
		}
		if len(bc)%4 != 0 {
			t.Fatalf("the audit passed %d bytes", len(bc))
		}
		for off := 0; off < len(bc); {
			yes := int(bc[off+1])
			if yes < 4 || yes%4 != 0 {
				t.Fatalf("the audit passed yes %d at %d", yes, off)
			}
			if no := int(binary.NativeEndian.Uint16(bc[off+2:])); bc[off] != bcNop && (no < 4 || no%4 != 0 || off+no > len(bc)+4) {
				t.Fatalf("the audit passed no %d at %d", no, off)
			}
			off += yes
		}
	})
}
