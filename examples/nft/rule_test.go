//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink/netfilter/nftables"
)

var families = []string{"ip", "ip6", "inet", "bridge", "netdev"}

// TestAddRuleLikeNft adds each rule of the corpus with nft to the tables
// "want" and with this program to the tables "got", then inserts,
// replaces and deletes some both ways, and checks that nft lists both
// alike (handles too), that nft lists each rule as the corpus says, and
// that the kernel holds the same expressions and anonymous sets for both.
func TestAddRuleLikeNft(t *testing.T) {
	ns, nft, ours := setup(t)
	load(t, nft, fmt.Sprintf(ruleSkeleton, "want")+fmt.Sprintf(ruleSkeleton, "got"))
	both := func(words ...string) {
		t.Helper()
		// words: VERB FAMILY CHAIN ...; the table goes after the family.
		args := func(table string) []string {
			return append([]string{words[0], "rule", words[1], table}, words[2:]...)
		}
		nft(args("want")...)
		if out, err := ours(args("got")...); err != nil {
			t.Errorf("%s: %v %s", strings.Join(args("got"), " "), err, out)
		}
	}
	// nft adds the corpus in one nft -f (as fast as one nft), this program
	// rule by rule.
	load(t, nft, corpusAdds("want"))
	for i := range ruleCorpus {
		f, chain, words, _ := corpusRule(t, i)
		args := append([]string{"add", "rule", f.String(), "got", chain}, words...)
		if out, err := ours(args...); err != nil {
			t.Errorf("%s: %v %s", strings.Join(args, " "), err, out)
		}
	}
	// nft lists each rule as the corpus says.
	for _, fam := range families {
		var want []string
		for i := range ruleCorpus {
			if f, chain, _, listed := corpusRule(t, i); f.String() == fam {
				want = append(want, chain+": "+listed)
			}
		}
		// nft lists the chains one after the other, in the corpus's order.
		slices.SortStableFunc(want, func(a, b string) int { return strings.Compare(a[:1], b[:1]) })
		if got := chainRules(nft("list", "table", fam, "want")); !reflect.DeepEqual(got, want) {
			t.Errorf("nft lists table %s want as\n%s\nthe corpus says\n%s", fam, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}

	// Insert, add after a handle, replace and delete, by the handles of
	// the rules of chain c.
	h := func(fam string, i int) string {
		hs := regexp.MustCompile(`# handle (\d+)`).FindAllStringSubmatch(nft("-a", "list", "chain", fam, "want", "c"), -1)
		return hs[i][1]
	}
	both("insert", "ip", "c", "counter", "drop")
	both("insert", "ip", "c", "position", h("ip", 3), "udp", "dport", "9", "drop")
	both("add", "ip", "c", "handle", h("ip", 1), "tcp", "dport", "9", "accept")
	both("add", "ip", "c", "position", h("ip", 2), "tcp", "dport", "{", "9,", "10", "}", "accept")
	both("replace", "ip", "c", "handle", h("ip", 5), "ip", "saddr", "{", "198.18.0.9,", "198.18.0.10", "}", "drop")
	both("replace", "inet", "c", "handle", h("inet", 2), "ip6", "daddr", "2001:db8::9", "accept")
	for _, args := range [][]string{{"ip", "want", "c", "handle", h("ip", 6)}, {"ip6", "want", "c", "handle", h("ip6", 1)}} {
		nft(append([]string{"delete", "rule"}, args...)...)
		args[1] = "got"
		if out, err := ours(append([]string{"delete", "rule"}, args...)...); err != nil {
			t.Errorf("delete rule %s: %v %s", args, err, out)
		}
	}

	// The tables' own handles differ; what they hold has the same.
	tableLine := regexp.MustCompile(`^table .*\n`)
	for _, fam := range families {
		want := tableLine.ReplaceAllString(nft("-a", "list", "table", fam, "want"), "")
		got := tableLine.ReplaceAllString(nft("-a", "list", "table", fam, "got"), "")
		if got != want {
			t.Errorf("nft -a list table %s: ours (got) and nft's (want) differ:\n%s", fam, lineDiff(got, want))
		}
	}
	compareKernelObjects(t, ns.Name)
}

// chainRules lists the rules of nft's listing of a table, each as
// "CHAIN: RULE".
func chainRules(listing string) []string {
	var out []string
	chain := ""
	for _, l := range strings.Split(listing, "\n") {
		switch {
		case strings.HasPrefix(l, "\tchain "):
			chain = strings.Fields(l)[1]
		case strings.HasPrefix(l, "\t\ttype "):
		case strings.HasPrefix(l, "\t\t"):
			out = append(out, chain+": "+strings.TrimPrefix(l, "\t\t"))
		}
	}
	return out
}

// compareKernelObjects reads the ruleset and checks that the tables
// "want" and "got" hold the same rules, expression by expression, and
// the same anonymous sets with the same elements.
func compareKernelObjects(t *testing.T, netns string) {
	t.Helper()
	c, err := dialFor(options{netns: netns})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rs, err := c.Ruleset(context.Background(), nftables.FamilyUnspec)
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string][]*nftables.Rule{}
	for _, r := range rs.Rules {
		k := r.Family.String() + " " + r.Table
		rules[k] = append(rules[k], r)
	}
	for _, fam := range families {
		want, got := rules[fam+" want"], rules[fam+" got"]
		if len(want) != len(got) || len(want) == 0 {
			t.Errorf("%s: %d rules in want, %d in got", fam, len(want), len(got))
			continue
		}
		for i := range want {
			w, g := *want[i], *got[i]
			g.Table = w.Table
			if !reflect.DeepEqual(w, g) {
				t.Errorf("%s rule %d differs:\n got %s\nwant %s", fam, i, exprsString(g.Exprs), exprsString(w.Exprs))
			}
		}
	}
	sets := map[string]int{}
	for i, s := range rs.Sets {
		sets[fmt.Sprintf("%s %s %s", s.Family, s.Table, s.Name)] = i
	}
	n := 0
	for i, w := range rs.Sets {
		if w.Table != "want" || w.Flags&nftables.SetAnonymous == 0 {
			continue
		}
		n++
		j, ok := sets[fmt.Sprintf("%s got %s", w.Family, w.Name)]
		if !ok {
			t.Errorf("set %s: none in got", w)
			continue
		}
		g := *rs.Sets[j]
		g.Table = w.Table
		if !reflect.DeepEqual(*w, g) {
			t.Errorf("%s differs:\n got %+v\nwant %+v", w, g, *w)
		}
		// A hash set lists its elements in an order of its own.
		byKey := func(a, b nftables.Element) int { return bytes.Compare(a.Key, b.Key) }
		slices.SortFunc(rs.Elements[i], byKey)
		slices.SortFunc(rs.Elements[j], byKey)
		if !reflect.DeepEqual(rs.Elements[i], rs.Elements[j]) {
			t.Errorf("%s: elements differ:\n got %+v\nwant %+v", w, rs.Elements[j], rs.Elements[i])
		}
	}
	if n < 20 {
		t.Errorf("only %d anonymous sets in want", n)
	}
}

func exprsString(xs []nftables.Expr) string {
	var b strings.Builder
	for _, x := range xs {
		fmt.Fprintf(&b, " %s%+v", x.Kind(), x)
	}
	return b.String()
}

// TestRefusesRulesLikeNft checks that nft refuses the rules this program
// refuses for the reasons nft has (an unknown word, a bad value, a
// protocol conflict), so that the refusals are nft's, not this program's.
func TestRefusesRulesLikeNft(t *testing.T) {
	ns, nft, ours := setup(t)
	load(t, nft, fmt.Sprintf(ruleSkeleton, "t"))
	for _, c := range badRules {
		if c.nftAccepts {
			continue
		}
		fs := strings.Fields(c.rule)
		if _, err := runNft(ns.Name, append([]string{"add", "rule", fs[0], "t", fs[1]}, fs[2:]...)...); err == nil {
			t.Errorf("nft adds %q, which this program refuses", c.rule)
		}
	}
	// Rules that look up a named set that does not fit: this program reads
	// the set before it sends anything.
	before := nft("list", "ruleset")
	for _, rule := range []string{"tcp dport @s accept", "ip saddr @m accept", "tcp dport vmap @s", "ip saddr @nosuch accept", "ip saddr . tcp dport @s accept"} {
		args := append([]string{"add", "rule", "ip", "t", "c"}, strings.Fields(rule)...)
		if _, err := runNft(ns.Name, args...); err == nil {
			t.Errorf("nft adds %q", rule)
		}
		if out, err := ours(args...); err == nil {
			t.Errorf("%s: no error: %s", rule, out)
		}
	}
	if after := nft("list", "ruleset"); after != before {
		t.Errorf("the ruleset changed:\n%s", lineDiff(after, before))
	}
}

// TestRuleCorpusRecreated loads the rule corpus, in every family, with
// nft, reads the ruleset with nftables.Conn.Ruleset, flushes it and
// re-creates it from what was read in one transaction, and checks that
// nft -j lists the same (but for the handles) and that the rules read
// back the same, expression by expression.
func TestRuleCorpusRecreated(t *testing.T) {
	ns, nft, _ := setup(t)
	load(t, nft, fmt.Sprintf(ruleSkeleton, "t")+corpusAdds("t"))
	listed := func() []any {
		t.Helper()
		return stripHandles(jsonItems(t, nft("-j", "list", "ruleset")))
	}
	want := listed()
	c, err := dialFor(options{netns: ns.Name})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	rs, err := c.Ruleset(ctx, nftables.FamilyUnspec)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Rules) != len(ruleCorpus) {
		t.Fatalf("read %d rules, the corpus has %d", len(rs.Rules), len(ruleCorpus))
	}
	nft("flush", "ruleset")
	var tx nftables.Tx
	rs.AddTo(&tx)
	if err := c.Commit(ctx, &tx); err != nil {
		t.Fatal(err)
	}
	got := listed()
	if len(got) != len(want) {
		t.Fatalf("nft lists %d objects after re-creating, %d before", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			g, _ := json.Marshal(got[i])
			w, _ := json.Marshal(want[i])
			t.Errorf("nft -j lists, after re-creating:\n%s\nbefore:\n%s", g, w)
		}
	}
	rs2, err := c.Ruleset(ctx, nftables.FamilyUnspec)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs2.Rules) != len(rs.Rules) {
		t.Fatalf("%d rules read back, want %d", len(rs2.Rules), len(rs.Rules))
	}
	for i, r := range rs.Rules {
		if r2 := rs2.Rules[i]; !reflect.DeepEqual(r.Exprs, r2.Exprs) || string(r.UserData) != string(r2.UserData) {
			t.Errorf("rule %d (%s) reads back as%s\nwant%s", i, r, exprsString(r2.Exprs), exprsString(r.Exprs))
		}
	}
}

// stripHandles deletes the handles from nft -j's objects: the kernel
// numbers what it makes in order, and the re-created objects come later.
func stripHandles(items []any) []any {
	var strip func(v any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "handle")
			for _, x := range v {
				strip(x)
			}
		case []any:
			for _, x := range v {
				strip(x)
			}
		}
	}
	strip(items)
	return items
}
