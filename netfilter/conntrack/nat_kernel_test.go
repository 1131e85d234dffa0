//go:build linux

package conntrack_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/nlkit/netlink/netfilter/conntrack"
)

// TestCreateWithNAT creates an entry with a source NAT setup: the kernel
// translates its reply tuple, and conntrack -L shows it.
func TestCreateWithNAT(t *testing.T) {
	ns := plainNS(t)
	c := dialCT(t, ns)
	ctx := testCtx(t)
	f := tcpFlow(1000, 0)
	nat := netip.MustParseAddr("198.18.1.9")
	f.NATSrc = &conntrack.NAT{MinIP: nat, MaxIP: nat, MinPort: 40000, MaxPort: 40000}
	if err := c.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	lines := compareWithTool(t, ns, c, conntrack.Filter{})
	got, err := c.Get(ctx, tcpFlow(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got.Reply.Dst != nat || got.Reply.DstPort != 40000 || got.Status&conntrack.StatusSrcNAT == 0 {
		t.Errorf("entry after source NAT: reply %v, status %v", got.Reply, got.Status)
	}
	if !strings.Contains(strings.Join(lines, ""), "dst=198.18.1.9 sport=80 dport=40000") {
		t.Errorf("conntrack -L does not show the translation: %q", lines)
	}
}

// TestLabels sets an entry's labels, which the kernel keeps once a rule
// of the namespace sets them (nftables "ct label set": nft_ct_set_init
// takes the namespace's labels with nf_connlabels_get; a rule that only
// matches a label does not on 6.1 and 6.12), and reads them back.
func TestLabels(t *testing.T) {
	ns := plainNS(t)
	needTool(t, "nft")
	nftIn(t, ns, "table inet ct27 {\n chain c {\n type filter hook output priority 0;\n tcp dport 9 ct label set 100\n }\n}\n")
	c := dialCT(t, ns)
	ctx := testCtx(t)
	f := tcpFlow(1000, 0)
	f.Labels = make([]byte, 16)
	f.Labels[0], f.Labels[12] = 0x05, 0x80 // bits 0, 2 and 103
	if err := c.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(ctx, tcpFlow(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Labels) != string(f.Labels) {
		t.Fatalf("labels % x, want % x", got.Labels, f.Labels)
	}
	// Change bit 2 alone, under a mask.
	up := tcpFlow(1000, 0)
	up.Status, up.TCP, up.Timeout = 0, conntrack.TCPInfo{}, 0
	up.Labels, up.LabelsMask = make([]byte, 16), make([]byte, 16)
	up.LabelsMask[0] = 0x04
	if err := c.Update(ctx, up); err != nil {
		t.Fatal(err)
	}
	got, err = c.Get(ctx, tcpFlow(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got.Labels[0] != 0x01 || got.Labels[12] != 0x80 {
		t.Fatalf("labels after clearing bit 2: % x", got.Labels)
	}
	// conntrack -L prints labels only by the names of
	// /etc/xtables/connlabel.conf, which a test does not write.
}
