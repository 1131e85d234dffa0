//go:build linux

package nftables_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// loadOrSkip loads ruleset with nft -f, and skips the test when the
// kernel lacks what it needs: nft then fails with ENOENT ("No such file
// or directory"), as this machine's kernel, built without modules, does
// for the flowtable and queue expressions (nf_flow_table, nft_queue),
// which Debian's kernels have.
func (ns *nftNS) loadOrSkip(what, ruleset string) {
	ns.t.Helper()
	out, err := ns.tryNft(ruleset, "-f", "-")
	if err == nil {
		return
	}
	if strings.Contains(out, "No such file or directory") {
		ns.t.Skipf("this kernel has no %s: nft -f: %s", what, strings.TrimSpace(out))
	}
	ns.t.Fatalf("nft -f: %v\n%s", err, out)
}

// findExpr returns the first expression of type T in the rules of rs.
func findExpr[T nftables.Expr](rs *nftables.Ruleset) []T {
	var out []T
	for _, r := range rs.Rules {
		for _, x := range r.Exprs {
			if v, ok := x.(T); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// TestFlowtableRoundTrip makes a flowtable on two devices and a rule that
// offloads TCP connections to it with nft, reads them, and re-creates
// them (see roundTrip). It needs nf_flow_table and nft_flow_offload: in
// the VM of internal/vmtest (go run ./internal/cmd/vmtest -run Flowtable
// ./netfilter/nftables).
func TestFlowtableRoundTrip(t *testing.T) {
	ns := newNS(t)
	ns.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	ns.loadOrSkip("flowtables (nf_flow_table)", `
table inet ft30 {
	flowtable f {
		hook ingress priority filter
		devices = { va, vb }
		counter
	}
	chain fw {
		type filter hook forward priority filter; policy accept;
		ip protocol tcp flow add @f
	}
}`)
	rs := ns.roundTrip()
	if len(rs.Flowtables) != 1 {
		t.Fatalf("%d flowtables, want 1", len(rs.Flowtables))
	}
	ft := rs.Flowtables[0]
	if ft.Name != "f" || ft.Hook == nil || !sameSet(ft.Hook.Devices, []string{"va", "vb"}) || ft.Use != 1 {
		t.Errorf("flowtable %s: hook %+v, use %d; want devices va and vb and the rule's use", ft, ft.Hook, ft.Use)
	}
	if fo := findExpr[*nftables.FlowOffload](rs); len(fo) != 1 || fo[0].Table != "f" {
		t.Errorf("flow_offload expressions %+v, want one of flowtable f", fo)
	}
}

// TestQueueNotrackRoundTrip makes rules with the queue expression (a
// number with bypass, a range with fanout, a number from a hash) and the
// notrack expression with nft, reads them, and re-creates them (see
// roundTrip). The queue expression needs nft_queue: in the VM of
// internal/vmtest.
func TestQueueNotrackRoundTrip(t *testing.T) {
	ns := newNS(t)
	ns.loadOrSkip("queue expression (nft_queue)", `
table inet q30 {
	chain pre {
		type filter hook prerouting priority raw;
		udp dport 53 notrack
	}
	chain in {
		type filter hook input priority filter;
		udp dport 9999 queue num 3 bypass
		udp dport 9998 queue num 4-5 fanout
		udp dport 9997 queue to symhash mod 2
	}
}`)
	rs := ns.roundTrip()
	if n := findExpr[*nftables.Notrack](rs); len(n) != 1 {
		t.Errorf("%d notrack expressions, want 1", len(n))
	}
	q := findExpr[*nftables.Queue](rs)
	if len(q) != 3 {
		t.Fatalf("queue expressions %+v, want 3", q)
	}
	const bypass, fanout = 1, 2 // NFT_QUEUE_FLAG_BYPASS, NFT_QUEUE_FLAG_CPU_FANOUT
	if q[0].Num != 3 || q[0].Total != 1 || q[0].Flags != bypass {
		t.Errorf("queue num 3 bypass: %+v", q[0])
	}
	if q[1].Num != 4 || q[1].Total != 2 || q[1].Flags != fanout {
		t.Errorf("queue num 4-5 fanout: %+v", q[1])
	}
	if q[2].SregQnum == 0 {
		t.Errorf("queue to symhash mod 2: %+v, want the number from a register", q[2])
	}
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
