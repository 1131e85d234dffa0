//go:build linux

package nftables_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
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
// -j list ruleset before and after, and what it reads back with what it
// read first. It returns what it read first.
func (ns *nftNS) roundTrip() *nftables.Ruleset {
	t := ns.t
	t.Helper()
	want := ns.listJSON()
	c := ns.dial()
	ctx := context.Background()
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
	return rs
}
