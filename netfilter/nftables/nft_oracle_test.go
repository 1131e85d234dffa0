//go:build linux

package nftables_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/nftables"
)

// nftNS is a throwaway namespace with nft run inside it.
type nftNS struct {
	*nstest.NS
	t *testing.T
}

func newNS(t *testing.T) *nftNS {
	t.Helper()
	ns := nstest.New(t)
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("needs nft (apt-get install nftables)")
	}
	return &nftNS{NS: ns, t: t}
}

// nft runs nft with args in the namespace, stdin as its input.
func (ns *nftNS) nft(stdin string, args ...string) string {
	ns.t.Helper()
	out, err := ns.tryNft(stdin, args...)
	if err != nil {
		ns.t.Fatalf("nft %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (ns *nftNS) tryNft(stdin string, args ...string) (string, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "nft"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (ns *nftNS) dial() *nftables.Conn {
	ns.t.Helper()
	c, err := nftables.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		ns.t.Fatal(err)
	}
	ns.t.Cleanup(func() { c.Close() })
	return c
}

// listJSON returns nft -j list ruleset, without the handles (the kernel
// numbers objects in the order they are made) and nft's metainfo.
func (ns *nftNS) listJSON() []any {
	ns.t.Helper()
	var doc struct {
		Nftables []map[string]any `json:"nftables"`
	}
	out := ns.nft("", "-j", "list", "ruleset")
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		ns.t.Fatalf("nft -j: %v\n%s", err, out)
	}
	var items []any
	for _, it := range doc.Nftables {
		if _, ok := it["metainfo"]; ok {
			continue
		}
		items = append(items, stripHandles(it))
	}
	return items
}

func stripHandles(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "handle")
		for k, x := range v {
			v[k] = stripHandles(x)
		}
	case []any:
		for i, x := range v {
			v[i] = stripHandles(x)
		}
	}
	return v
}

func diffJSON(t *testing.T, got, want []any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	n := max(len(got), len(want))
	for i := range n {
		var g, w any
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !reflect.DeepEqual(g, w) {
			gb, _ := json.Marshal(g)
			wb, _ := json.Marshal(w)
			t.Errorf("item %d:\n got %s\nwant %s", i, gb, wb)
		}
	}
}

// TestCorpusRoundTrip loads each ruleset of testdata/rulesets with nft -f,
// reads it with Conn.Ruleset, flushes the ruleset, re-creates it in one
// transaction from what was read, and compares nft -j list ruleset before
// and after.
func TestCorpusRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/rulesets/*.nft")
	if len(files) == 0 {
		t.Fatal("no rulesets in testdata/rulesets")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ns := newNS(t)
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ns.nft(string(src), "-f", "-")
			ns.roundTrip()
		})
	}
}

// roundTrip reads the namespace's ruleset with Conn.Ruleset, flushes it,
// re-creates it in one transaction from what was read, and compares nft
// -j list ruleset before and after, what it reads back with what it read
// first, and the kernel's bytes of each rule's expressions before and
// after. It returns what it read first.
func (ns *nftNS) roundTrip() *nftables.Ruleset {
	t := ns.t
	t.Helper()
	want := ns.listJSON()
	c := ns.dial()
	ctx := context.Background()
	wantBytes := ruleBytes(t, c)
	rs, err := c.Ruleset(ctx, nftables.FamilyUnspec)
	if err != nil {
		t.Fatal(err)
	}
	ns.nft("", "flush", "ruleset")
	var tx nftables.Tx
	rs.AddTo(&tx)
	if err := c.Commit(ctx, &tx); err != nil {
		t.Fatal(err)
	}
	diffJSON(t, ns.listJSON(), want)

	// And read back, the same objects, expression by expression.
	rs2, err := c.Ruleset(ctx, nftables.FamilyUnspec)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs2.Rules) != len(rs.Rules) {
		t.Fatalf("%d rules read back, want %d", len(rs2.Rules), len(rs.Rules))
	}
	for i, r := range rs.Rules {
		r2 := rs2.Rules[i]
		if !reflect.DeepEqual(r.Exprs, r2.Exprs) || string(r.UserData) != string(r2.UserData) {
			t.Errorf("rule %d (%s): read back differs:\n got %#v\nwant %#v", i, r, r2.Exprs, r.Exprs)
		}
	}
	// And the kernel holds the same bytes: what it dumps of each rule's
	// expressions and user data, attribute for attribute.
	gotBytes := ruleBytes(t, c)
	if len(gotBytes) != len(wantBytes) {
		t.Fatalf("the kernel dumps %d rules after re-creating, %d before", len(gotBytes), len(wantBytes))
	}
	for i := range wantBytes {
		if gotBytes[i] != wantBytes[i] {
			t.Errorf("rule %d (%s): the kernel's bytes differ after re-creating:\n got % x\nwant % x", i, rs.Rules[i], gotBytes[i], wantBytes[i])
		}
	}
	return rs
}

// ruleBytes dumps every rule (NFT_MSG_GETRULE of every family) and returns,
// for each in the kernel's order, its family, table and chain and the raw
// bytes of its NFTA_RULE_EXPRESSIONS and NFTA_RULE_USERDATA: all that
// says what it does, without the handle the kernel numbers it by.
func ruleBytes(t *testing.T, c *nftables.Conn) []string {
	t.Helper()
	req := netlink.Message{
		Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysNFTables, uapi.NFT_MSG_GETRULE), Flags: netlink.Request | netlink.Dump},
		Data:   netfilter.Header{Version: netfilter.Version0}.Append(nil),
	}
	var out []string
	for m, err := range c.Netlink().Dump(context.Background(), req) {
		if err != nil {
			t.Fatal(err)
		}
		h, err := netfilter.ParseHeader(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		var table, chain, exprs, udata string
		for a, err := range netlink.Attrs(m.Data[netfilter.HeaderLen:]) {
			if err != nil {
				t.Fatal(err)
			}
			switch a.Type {
			case uapi.NFTA_RULE_TABLE:
				table = a.Str()
			case uapi.NFTA_RULE_CHAIN:
				chain = a.Str()
			case uapi.NFTA_RULE_EXPRESSIONS:
				exprs = string(a.Data)
			case uapi.NFTA_RULE_USERDATA:
				udata = string(a.Data)
			}
		}
		out = append(out, fmt.Sprint(h.Family)+" "+table+" "+chain+" "+exprs+" "+udata)
	}
	return out
}
