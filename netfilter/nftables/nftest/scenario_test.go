package nftest_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/netfilter/nftables"
	"github.com/nlkit/netlink/netfilter/nftables/nftest"
)

// TestScenario runs the scenario on the fake and checks what it must
// show whatever the kernel does: the outcome of each step. The same
// scenario runs on Linux in TestSameAsKernel.
func TestScenario(t *testing.T) {
	k := nftest.New()
	c, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	log := scenario(t, c, true)
	for _, want := range []string{
		"load: ok",
		"bad batch: message 4 (delete rule inet t c handle 4): ENOENT",
		"create table t again: message 0 (create table inet t): EEXIST",
		"delete chain d: message 0 (delete chain inet t d): EBUSY",
		"delete set s: message 0 (delete set inet t s): EBUSY",
		"delete rule 999: message 0 (delete rule inet t c handle 999): ENOENT",
		"stale generation: batch: ERESTART",
		"delete missing element: message 0 (delete elements of set inet t s): ENOENT",
		"destroy missing table: ok",
		"generation moved by 7",
	} {
		if !slices.Contains(log, want) {
			t.Errorf("no %q in\n%s", want, strings.Join(log, "\n"))
		}
	}
	if i := slices.Index(log, "after bad batch"); i < 0 || log[i+1] != log[slices.Index(log, "after moves")+1] {
		t.Errorf("the refused batch changed the ruleset:\n%s", strings.Join(log, "\n"))
	}
}

func ip4(s string) []byte {
	var a [4]byte
	fmt.Sscanf(s, "%d.%d.%d.%d", &a[0], &a[1], &a[2], &a[3])
	return a[:]
}

// scenario changes and lists a ruleset, each step logged as it came out;
// listings are canonical (sorted elements, no counts the kernel keeps).
// destroy says whether to take the step that needs NFT_MSG_DESTROY*
// (Linux 6.3).
func scenario(t *testing.T, c *nftables.Conn, destroy bool) []string {
	ctx := context.Background()
	var log []string
	commit := func(what string, build func(tx *nftables.Tx)) {
		var tx nftables.Tx
		build(&tx)
		log = append(log, what+": "+errText(c.Commit(ctx, &tx)))
	}
	list := func(what string) {
		rs, err := c.Ruleset(ctx, nftables.FamilyUnspec)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		log = append(log, what, canon(rs))
	}
	gen0, err := c.GenID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	accept := nftables.VerdictAccept
	tbl := &nftables.Table{Family: nftables.FamilyINet, Name: "t"}
	cc := &nftables.Chain{Family: nftables.FamilyINet, Table: "t", Name: "c", Type: "filter",
		Hook: &nftables.Hook{Num: nftables.HookInput, Priority: 0}, Policy: &accept}
	cd := &nftables.Chain{Family: nftables.FamilyINet, Table: "t", Name: "d"}
	s := &nftables.Set{Family: nftables.FamilyINet, Table: "t", Name: "s", KeyType: 7, KeyLen: 4}
	rule := func(exprs ...nftables.Expr) *nftables.Rule {
		return &nftables.Rule{Family: nftables.FamilyINet, Table: "t", Chain: "c", Exprs: exprs}
	}
	saddr := []nftables.Expr{
		&nftables.Meta{Key: 15, Dreg: nftables.Reg1},
		&nftables.Cmp{Sreg: nftables.Reg1, Op: 0, Data: []byte{2}},
		&nftables.Payload{Dreg: nftables.Reg1, Base: 1, Offset: 12, Len: 4},
	}
	commit("load", func(tx *nftables.Tx) {
		tx.Add(tbl)
		tx.Add(cc)
		tx.Add(cd)
		tx.Add(s)
		tx.AddElements(s, nftables.Element{Key: ip4("198.18.0.1")}, nftables.Element{Key: ip4("198.18.0.2")})
		tx.Add(rule(&nftables.Counter{}, nftables.Accept()))
		tx.Add(rule(nftables.Drop()))
		tx.Add(rule(append(slices.Clone(saddr), &nftables.Lookup{Set: "s", Sreg: nftables.Reg1}, nftables.Drop())...))
		tx.Add(rule(nftables.Jump("d")))
	})
	list("loaded")
	rules, err := c.Rules(ctx, nftables.FamilyINet, "t", "c")
	if err != nil || len(rules) != 4 {
		t.Fatalf("rules: %v, %v", rules, err)
	}
	commit("moves", func(tx *nftables.Tx) {
		tx.Insert(rule(nftables.Return()))
		after := rule(nftables.Continue())
		after.Position = rules[0].Handle
		tx.Add(after)
		before := rule(&nftables.Counter{})
		before.Position = rules[2].Handle
		tx.Insert(before)
		repl := rule(nftables.Accept())
		repl.Handle = rules[1].Handle
		tx.Replace(repl)
	})
	list("after moves")
	commit("bad batch", func(tx *nftables.Tx) {
		tx.Add(&nftables.Table{Family: nftables.FamilyIPv4, Name: "u"})
		tx.Add(&nftables.Chain{Family: nftables.FamilyINet, Table: "t", Name: "x"})
		tx.AddElements(s, nftables.Element{Key: ip4("198.18.0.1")}, nftables.Element{Key: ip4("198.18.0.3")})
		tx.Flush(cc)
		tx.Delete(&nftables.Rule{Family: nftables.FamilyINet, Table: "t", Chain: "c", Handle: rules[0].Handle})
		tx.Add(rule(nftables.Drop()))
		r := rule(nftables.Drop())
		r.Chain = "nope"
		tx.Add(r)
		tx.Add(&nftables.Chain{Family: nftables.FamilyINet, Table: "t", Name: "y"})
	})
	list("after bad batch")
	commit("create table t again", func(tx *nftables.Tx) { tx.Create(tbl) })
	commit("add table t again", func(tx *nftables.Tx) { tx.Add(tbl) })
	commit("delete chain d", func(tx *nftables.Tx) { tx.Delete(cd) })
	commit("delete set s", func(tx *nftables.Tx) { tx.Delete(s) })
	commit("delete rule 999", func(tx *nftables.Tx) {
		tx.Delete(&nftables.Rule{Family: nftables.FamilyINet, Table: "t", Chain: "c", Handle: 999})
	})
	commit("jump to missing chain", func(tx *nftables.Tx) { tx.Add(rule(nftables.Jump("zz"))) })
	commit("lookup in missing set", func(tx *nftables.Tx) {
		tx.Add(rule(append(slices.Clone(saddr), &nftables.Lookup{Set: "zz", Sreg: nftables.Reg1})...))
	})
	gen, _ := c.GenID(ctx)
	commit("stale generation", func(tx *nftables.Tx) {
		tx.GenID = gen - 1
		tx.Add(&nftables.Table{Family: nftables.FamilyIPv4, Name: "v"})
	})
	commit("current generation", func(tx *nftables.Tx) {
		tx.GenID = gen
		tx.Add(&nftables.Table{Family: nftables.FamilyIPv4, Name: "v"})
	})
	commit("delete element", func(tx *nftables.Tx) { tx.DeleteElements(s, nftables.Element{Key: ip4("198.18.0.2")}) })
	commit("delete missing element", func(tx *nftables.Tx) { tx.DeleteElements(s, nftables.Element{Key: ip4("198.18.0.9")}) })
	list("after element deletes")
	commit("flush chain c, delete chain d", func(tx *nftables.Tx) {
		tx.Flush(cc)
		tx.Delete(cd)
		tx.Add(rule(append(slices.Clone(saddr), &nftables.Lookup{Set: "s", Sreg: nftables.Reg1}, nftables.Accept())...))
	})
	list("after flush")
	commit("flush set, delete rules, delete set", func(tx *nftables.Tx) {
		tx.Flush(s)
		tx.Flush(tbl)
		tx.Delete(s)
	})
	if destroy {
		commit("destroy missing table", func(tx *nftables.Tx) {
			tx.Destroy(&nftables.Table{Family: nftables.FamilyIPv6, Name: "none"})
		})
	}
	commit("delete table t", func(tx *nftables.Tx) { tx.Delete(tbl) })
	list("at the end")
	gen1, err := c.GenID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	log = append(log, fmt.Sprintf("generation moved by %d", gen1-gen0))
	return log
}

// errText is "ok", or the failed message, its change and the errno.
func errText(err error) string {
	if err == nil {
		return "ok"
	}
	var errno syscall.Errno
	name := err.Error()
	if errors.As(err, &errno) {
		name = errnoNames[errno]
		if name == "" {
			name = errno.Error()
		}
	}
	var te *nftables.TxError
	if errors.As(err, &te) {
		if te.Index < 0 {
			return "batch: " + name
		}
		return fmt.Sprintf("message %d (%s): %s", te.Index, te.Change, name)
	}
	return name
}

var errnoNames = map[syscall.Errno]string{
	syscall.ENOENT: "ENOENT", syscall.EEXIST: "EEXIST", syscall.EBUSY: "EBUSY",
	syscall.EINVAL: "EINVAL", syscall.EOPNOTSUPP: "EOPNOTSUPP", uapi.ErrnoFromLinux(85): "ERESTART",
}

// canon writes the ruleset in a form both the fake and the kernel give:
// without what the kernel counts or picks (uses, owners, set backends).
func canon(rs *nftables.Ruleset) string {
	var b strings.Builder
	for _, t := range rs.Tables {
		fmt.Fprintf(&b, "table %s %s handle %d flags %d\n", t.Family, t.Name, t.Handle, t.Flags)
	}
	for _, c := range rs.Chains {
		fmt.Fprintf(&b, "chain %s %s %s handle %d type %q", c.Family, c.Table, c.Name, c.Handle, c.Type)
		if c.Hook != nil {
			fmt.Fprintf(&b, " hook %d prio %d", c.Hook.Num, c.Hook.Priority)
		}
		if c.Policy != nil {
			fmt.Fprintf(&b, " policy %s", c.Policy)
		}
		b.WriteByte('\n')
	}
	for i, s := range rs.Sets {
		fmt.Fprintf(&b, "set %s %s %s handle %d flags %#x key %d/%d data %d/%d:", s.Family, s.Table, s.Name, s.Handle, s.Flags, s.KeyType, s.KeyLen, s.DataType, s.DataLen)
		var keys []string
		for _, e := range rs.Elements[i] {
			keys = append(keys, hex.EncodeToString(e.Key))
		}
		slices.Sort(keys)
		fmt.Fprintf(&b, " %s\n", strings.Join(keys, " "))
	}
	for _, r := range rs.Rules {
		x, _ := json.Marshal(r.Exprs)
		fmt.Fprintf(&b, "rule %s %s %s handle %d position %d %s\n", r.Family, r.Table, r.Chain, r.Handle, r.Position, x)
	}
	return b.String()
}

// TestWatch checks that a committed batch is notified, its changes and
// then the new generation, and that a refused one is not.
func TestWatch(t *testing.T) {
	k := nftest.New()
	c, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := make(chan nftables.Event, 16)
	go func() {
		for ev, err := range w.Watch(ctx) {
			if err != nil {
				close(events)
				return
			}
			events <- ev
		}
	}()
	// Watch joins its group on its first step: commit until the first
	// notification comes, then once more with a batch that fails.
	var got []string
	for i := 0; len(got) == 0; i++ {
		var tx nftables.Tx
		tx.Add(&nftables.Table{Family: nftables.FamilyINet, Name: fmt.Sprint("t", i)})
		tx.Add(&nftables.Chain{Family: nftables.FamilyINet, Table: fmt.Sprint("t", i), Name: "c"})
		if err := c.Commit(ctx, &tx); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-events:
			got = append(got, fmt.Sprint(ev.Object))
			got = append(got, fmt.Sprint((<-events).Object))
			g := <-events
			if g.Gen == nil {
				t.Errorf("third event %+v, want the new generation", g)
			}
			// The first notified batch may be an earlier one than i.
			name := strings.TrimPrefix(got[0], "table inet ")
			if want := []string{"table inet " + name, "chain inet " + name + " c"}; !slices.Equal(got, want) {
				t.Errorf("events %q, want %q", got, want)
			}
		case <-time.After(10 * time.Millisecond):
		}
	}
	var bad nftables.Tx
	bad.Add(&nftables.Table{Family: nftables.FamilyINet, Name: "x"})
	bad.Delete(&nftables.Table{Family: nftables.FamilyINet, Name: "none"})
	if err := c.Commit(ctx, &bad); !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("bad batch: %v", err)
	}
	var ok nftables.Tx
	ok.Add(&nftables.Table{Family: nftables.FamilyINet, Name: "y"})
	if err := c.Commit(ctx, &ok); err != nil {
		t.Fatal(err)
	}
	// Batches notified after the first, then y's: never x.
	seen := false
	for ev := range events {
		if s := fmt.Sprint(ev.Object); s == "table inet x" {
			t.Fatal("the refused batch was notified")
		} else if s == "table inet y" {
			seen = true
			break
		}
	}
	if !seen {
		t.Error("the watch ended before table inet y was notified")
	}
}
