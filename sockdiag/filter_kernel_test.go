//go:build linux

package sockdiag_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/sockdiag"
)

// ssPair runs ss with args in ns and returns "local peer" of each socket
// it lists (ss -H: State Recv-Q Send-Q Local Peer, or with -a and several
// protocols Netid first).
func ssPairs(t *testing.T, ns *nstest.NS, args ...string) []string {
	t.Helper()
	out, err := ns.Try(append([]string{"netns", "exec", ns.Name, "ss", "-H"}, args...)...)
	_ = out
	if err != nil {
		t.Fatalf("ss %s: %v: %s", strings.Join(args, " "), err, out)
	}
	var pairs []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		pairs = append(pairs, norm(f[len(f)-2])+" "+norm(f[len(f)-1]))
	}
	slices.Sort(pairs)
	return pairs
}

// norm writes an ss address as ours: the peer of a listener "*".
func norm(s string) string {
	if strings.HasSuffix(s, ":*") {
		return "*"
	}
	return s
}

func ourPairs(t *testing.T, c *sockdiag.Conn, f *sockdiag.Filter, proto int) []string {
	t.Helper()
	var pairs []string
	for _, fam := range []sockdiag.Family{sockdiag.IPv4, sockdiag.IPv6} {
		req := sockdiag.InetRequest{Family: fam, Protocol: proto, Filter: f, States: f.States}
		for s, err := range c.InetSockets(context.Background(), req) {
			if err != nil {
				t.Fatal(err)
			}
			pairs = append(pairs, pairOf(s))
		}
	}
	slices.Sort(pairs)
	return pairs
}

func pairOf(s *sockdiag.InetSocket) string {
	peer := s.ID.Dst.String()
	if s.ID.Dst.Port() == 0 {
		peer = "*"
	}
	local := s.ID.Src
	if s.ID.Src.Addr().IsUnspecified() && s.ID.Src.Addr().Is6() {
		return "[::]:" + fmt.Sprint(local.Port()) + " " + peer
	}
	return local.String() + " " + peer
}

// filterCases are ss filter expressions: the states part, as ss takes it
// before the expression, and the expression.
var filterCases = []struct{ states, expr string }{
	{"", ""},
	{"state established", ""},
	{"state listening", ""},
	{"state established", "dport = :443"},
	{"state established", "dport = :443 and src 198.18.0.0/16"},
	{"", "sport = :443 or sport = :80"},
	{"", "dport >= :80 and dport <= :443"},
	{"", "dport < :443"},
	{"", "sport > :40000"},
	{"", "dport != :443"},
	{"", "src 198.18.1.0/24"},
	{"", "dst 198.18.0.1:80"},
	{"", "src 2001:db8::/32"},
	{"", "src [2001:db8::2]"},
	{"", "dst [2001:db8::1]:443"},
	{"", "not ( src 198.18.0.2 or dst 198.18.0.2 )"},
	{"exclude listening", "( sport = :443 or dport = :443 ) and ! dst [2001:db8::1]"},
	{"state connected", "src 198.18.0.0/15 or src [2001:db8::2]"},
	{"", "fwmark = 0"},
	{"", "fwmark = 0x10/0xf0"},
	{"", "fwmark != 0x15"},
}

func TestFilterMatchesSS(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	for _, tc := range filterCases {
		expr := tc.states + " " + tc.expr
		if tc.states != "" && tc.expr != "" {
			expr = tc.states + " and ( " + tc.expr + " )"
		}
		expr = strings.TrimSpace(expr)
		t.Run(expr, func(t *testing.T) {
			f, err := sockdiag.Compile(expr, nil)
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"-tan"}
			if tc.states != "" {
				args = append(args[:0], "-tn")
				args = append(args, strings.Fields(tc.states)...)
			}
			if tc.expr != "" {
				args = append(args, tc.expr)
			}
			want := ssPairs(t, w.ns, args...)
			got := ourPairs(t, c, f, sockdiag.ProtoTCP)
			if !slices.Equal(got, want) {
				t.Errorf("%q:\n got %q\nwant %q (ss %s)", expr, got, want, strings.Join(args, " "))
			}
			if len(want) == 0 {
				t.Errorf("%q: ss lists nothing: the case tests nothing", expr)
			}
		})
	}
}

// TestFilterSyntaxErrors checks that a bad expression is refused with the
// position of its bad token.
func TestFilterSyntaxErrors(t *testing.T) {
	for _, tc := range []struct {
		expr string
		pos  int
	}{
		{"dport = :443 and srcc 198.18.0.0/16", 17},
		{"dport = :99999", 8},
		{"dport :443", 6},
		{"( sport = :80", 13},
		{"src 198.18.0.0/33", 4},
		{"state establishd", 6},
		{"sport = :80 or state established", 15},
		{"not", 3},
		{"sport = :80 )", 12},
		{"mark = x", 7},
		{"src [2001:db8::1", 4},
	} {
		_, err := sockdiag.Compile(tc.expr, nil)
		var se *sockdiag.SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, os.ErrInvalid) {
			t.Errorf("%q: %v, want a *SyntaxError", tc.expr, err)
			continue
		}
		if se.Pos != tc.pos {
			t.Errorf("%q: error at %d, want %d: %v", tc.expr, se.Pos, tc.pos, err)
		}
	}
}

// TestFilterAutobound compares autobound with ss's, which also keeps
// only local ports in ip_local_port_range (checked in user space): the
// kernel's test alone also passes accepted sockets, whose owner did not
// bind their port.
func TestFilterAutobound(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	lo, hi := 32768, 60999
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		fmt.Sscan(string(b), &lo, &hi)
	}
	f, err := sockdiag.Compile(fmt.Sprintf("autobound and sport >= :%d and sport <= :%d", lo, hi), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := ssPairs(t, w.ns, "-tan", "autobound")
	if got := ourPairs(t, c, f, sockdiag.ProtoTCP); !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("got %q\nwant %q", got, want)
	}
	for _, s := range ourPairs(t, c, sockdiag.MustCompile("not autobound"), sockdiag.ProtoTCP) {
		local, _, _ := strings.Cut(s, " ")
		ap := netip.MustParseAddrPort(local)
		if p := ap.Port(); p != 443 && p != 80 && p != 40001 && p != 40002 && p != 50000 {
			t.Errorf("not autobound: %s", s)
		}
	}
}

// TestFilterUDPMatchesSS runs filters on the UDP sockets.
func TestFilterUDPMatchesSS(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	for _, expr := range []string{"sport = :53", "dport = :53", "src 2001:db8::/32", "not src 198.18.0.1"} {
		want := ssPairs(t, w.ns, "-uan", expr)
		got := ourPairs(t, c, sockdiag.MustCompile(expr), sockdiag.ProtoUDP)
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("%q:\n got %q\nwant %q", expr, got, want)
		}
	}
}

// TestFilterCgroupAndDev selects by cgroup id (every socket of the test
// is in the cgroup whose id it reports) and by bound interface (none is
// bound), compared with the listing itself: ss cannot resolve cgroup ids
// where cgroup2 is not mounted.
func TestFilterCgroupAndDev(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	all := ourPairs(t, c, &sockdiag.Filter{}, sockdiag.ProtoTCP)
	var id uint64
	for s, err := range c.InetSockets(context.Background(), sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoTCP}) {
		if err != nil {
			t.Fatal(err)
		}
		id = s.CgroupID
	}
	for expr, want := range map[string][]string{
		fmt.Sprintf("cgroup = %d", id):  all,
		fmt.Sprintf("cgroup != %d", id): nil,
		"dev = 0":                       all,
		"dev = lo":                      nil,
	} {
		f, err := sockdiag.Compile(expr, &sockdiag.CompileOptions{Interface: func(string) (uint32, error) { return 1, nil }})
		if err != nil {
			t.Fatal(err)
		}
		if got := ourPairs(t, c, f, sockdiag.ProtoTCP); !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", expr, got, want)
		}
	}
}

// TestBadBytecodeRefused sends bytecode the kernel's audit refuses and
// checks the error: EINVAL, naming the request.
func TestBadBytecodeRefused(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	bad := &sockdiag.Filter{Bytecode: []byte{99, 4, 8, 0}}
	for _, err := range c.InetSockets(context.Background(), sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoTCP, Filter: bad}) {
		if !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), "inet tcp sockets") {
			t.Errorf("got %v, want EINVAL naming the sockets", err)
		}
		return
	}
	t.Error("the kernel ran bad bytecode")
}
