// Command nft is a small nft on package netfilter/nftables: it lists the
// ruleset in nft's text syntax or, with -j, nft's JSON; adds, inserts,
// replaces and deletes rules written in nft's rule language; adds and
// deletes tables and chains, flushes, and prints nf_tables' notifications:
//
//	go run ./examples/nft list ruleset
//	go run ./examples/nft -j list table inet filter
//	go run ./examples/nft list chain inet filter input
//	go run ./examples/nft add table inet t                  # as root
//	go run ./examples/nft add chain inet t c '{ type filter hook input priority 0 ; policy drop ; }'
//	go run ./examples/nft add rule inet t c ip saddr 198.18.0.0/15 tcp dport '{ 22, 80 }' counter accept
//	go run ./examples/nft insert rule inet t c position 4 ct state established,related accept
//	go run ./examples/nft replace rule inet t c handle 4 iifname '"lo"' accept
//	go run ./examples/nft delete rule inet t c handle 4
//	go run ./examples/nft flush ruleset
//	go run ./examples/nft monitor
//
// -a prints handles, -n NAME runs in the namespace of that name under
// /var/run/netns.
//
// A rule goes both ways through nft's statements (stmt.go): a command
// line is read into them (parse.go) and turned into the kernel's
// expressions as nft does it, with its protocol matches, its merging of
// adjacent header fields and its anonymous sets (encode.go); listed
// expressions are read back into them (decode.go) and written as nft
// writes them, in text (stmt.go) or JSON (json.go). The statements are
// matches of ip and ip6 addresses, tcp and udp ports, interface names,
// ct state, meta l4proto, nfproto and mark, against values, prefixes,
// ranges, sets and concatenations; verdict maps; counter, log, limit,
// reject, snat, dnat, masquerade and the verdicts. An expression outside
// them lists in brackets with its fields, "[ kind field=value ... ]", and
// a rule that uses other words is refused, naming the word, before
// anything is sent. Where nft writes an interface's name (iif "lo"), this
// program writes its index (iif 1).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter/nftables"
)

type options struct {
	json, handles bool
	netns         string
}

func main() {
	var o options
	fs := flag.NewFlagSet("nft", flag.ExitOnError)
	fs.BoolVar(&o.json, "j", false, "print JSON")
	fs.BoolVar(&o.handles, "a", false, "print handles")
	fs.StringVar(&o.netns, "n", "", "the network namespace `name` (/var/run/netns/name)")
	fs.Parse(os.Args[1:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, o, fs.Args()); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

// usageError is the error of a command line nft would not parse.
type usageError string

func (e usageError) Error() string { return string(e) }

func syntax(format string, a ...any) error {
	return usageError("syntax error, " + fmt.Sprintf(format, a...))
}

func run(ctx context.Context, w io.Writer, o options, args []string) error {
	if len(args) == 0 {
		return syntax("no command")
	}
	// Parse before dialing, so that a bad command fails the same way
	// with or without a kernel.
	cmd, err := parse(args)
	if err != nil {
		return err
	}
	c, err := dialFor(o)
	if err != nil {
		return err
	}
	defer c.Close()
	return cmd(ctx, c, w, o)
}

// dialFor opens a socket in the namespace o names.
func dialFor(o options) (*nftables.Conn, error) {
	var cfg netlink.Config
	if o.netns != "" {
		cfg.NetNS = "/var/run/netns/" + o.netns
	}
	return nftables.Dial(&cfg)
}

type command func(ctx context.Context, c *nftables.Conn, w io.Writer, o options) error

// parse turns the words of a command into what runs it.
func parse(args []string) (command, error) {
	verb, rest := args[0], args[1:]
	switch verb {
	case "list":
		return parseList(rest)
	case "add", "create":
		if verb == "add" && len(rest) > 0 && rest[0] == "rule" {
			return parseRuleCommand(verb, rest[1:])
		}
		return parseAdd(verb, rest)
	case "insert", "replace":
		if len(rest) == 0 || rest[0] != "rule" {
			return nil, syntax("%s what? (%s rule)", verb, verb)
		}
		return parseRuleCommand(verb, rest[1:])
	case "delete", "destroy":
		return parseDelete(verb, rest)
	case "flush":
		return parseFlush(rest)
	case "monitor":
		if len(rest) > 0 {
			return nil, syntax("unexpected %s", rest[0])
		}
		return monitor, nil
	}
	return nil, syntax("unexpected %s", verb)
}

// familyName takes an optional family from the front of args: nft's
// default is ip.
func familyName(args []string) (nftables.Family, []string) {
	if len(args) > 0 {
		if f, err := nftables.ParseFamily(args[0]); err == nil {
			return f, args[1:]
		}
	}
	return nftables.FamilyIPv4, args
}

func parseList(args []string) (command, error) {
	if len(args) == 0 {
		return nil, syntax("list what?")
	}
	what, rest := args[0], args[1:]
	switch what {
	case "ruleset", "tables":
		f := nftables.FamilyUnspec
		if len(rest) > 0 {
			var err error
			if f, err = nftables.ParseFamily(rest[0]); err != nil {
				return nil, syntax("unexpected %s", rest[0])
			}
			rest = rest[1:]
		}
		if len(rest) > 0 {
			return nil, syntax("unexpected %s", rest[0])
		}
		return func(ctx context.Context, c *nftables.Conn, w io.Writer, o options) error {
			rs, err := c.Ruleset(ctx, f)
			if err != nil {
				return err
			}
			if what == "tables" {
				return show(w, o, &nftables.Ruleset{Tables: rs.Tables}, scopeTables)
			}
			return show(w, o, rs, scopeAll)
		}, nil
	case "table":
		f, rest := familyName(rest)
		if len(rest) != 1 {
			return nil, syntax("list table [FAMILY] NAME")
		}
		name := rest[0]
		return func(ctx context.Context, c *nftables.Conn, w io.Writer, o options) error {
			rs, err := c.Ruleset(ctx, f)
			if err != nil {
				return err
			}
			rs = only(rs, name, "")
			if len(rs.Tables) == 0 {
				return fmt.Errorf("list table %s %s: no such table", f, name)
			}
			return show(w, o, rs, scopeAll)
		}, nil
	case "chain":
		f, rest := familyName(rest)
		if len(rest) != 2 {
			return nil, syntax("list chain [FAMILY] TABLE NAME")
		}
		table, chain := rest[0], rest[1]
		return func(ctx context.Context, c *nftables.Conn, w io.Writer, o options) error {
			rs, err := c.Ruleset(ctx, f)
			if err != nil {
				return err
			}
			rs = only(rs, table, chain)
			if len(rs.Chains) == 0 {
				return fmt.Errorf("list chain %s %s %s: no such chain", f, table, chain)
			}
			return show(w, o, rs, scopeChain)
		}, nil
	}
	return nil, syntax("unexpected %s", what)
}

// only keeps what rs holds of the table named name, or of its chain
// named chain: that chain, its rules and the table's sets, which they may
// look up.
func only(rs *nftables.Ruleset, name, chain string) *nftables.Ruleset {
	var out nftables.Ruleset
	for _, t := range rs.Tables {
		if t.Name == name {
			out.Tables = append(out.Tables, t)
		}
	}
	for _, ch := range rs.Chains {
		if ch.Table == name && (chain == "" || ch.Name == chain) {
			out.Chains = append(out.Chains, ch)
		}
	}
	for i, s := range rs.Sets {
		if s.Table == name {
			out.Sets = append(out.Sets, s)
			out.Elements = append(out.Elements, rs.Elements[i])
		}
	}
	for _, r := range rs.Rules {
		if r.Table == name && (chain == "" || r.Chain == chain) {
			out.Rules = append(out.Rules, r)
		}
	}
	return &out
}

// scope is what a list command prints of the ruleset it reads.
type scope int

const (
	scopeAll    scope = iota // tables with all they hold
	scopeTables              // the tables' names
	scopeChain               // a chain and its rules, in its table's braces
)

func show(w io.Writer, o options, rs *nftables.Ruleset, sc scope) error {
	if o.json {
		return writeJSON(w, rs, sc)
	}
	if sc == scopeTables {
		for _, t := range rs.Tables {
			fmt.Fprintf(w, "table %s %s\n", t.Family, t.Name)
		}
		return nil
	}
	writeText(w, rs, o.handles, sc)
	return nil
}

func commit(ctx context.Context, c *nftables.Conn, tx *nftables.Tx) error {
	return c.Commit(ctx, tx)
}

func parseAdd(verb string, args []string) (command, error) {
	if len(args) == 0 {
		return nil, syntax("%s what?", verb)
	}
	what, rest := args[0], args[1:]
	f, rest := familyName(rest)
	var obj nftables.Object
	switch what {
	case "table":
		if len(rest) != 1 {
			return nil, syntax("%s table [FAMILY] NAME", verb)
		}
		obj = &nftables.Table{Family: f, Name: rest[0]}
	case "chain":
		if len(rest) < 2 {
			return nil, syntax("%s chain [FAMILY] TABLE NAME [{ type TYPE hook HOOK priority PRIO ; policy POLICY ; }]", verb)
		}
		ch := &nftables.Chain{Family: f, Table: rest[0], Name: rest[1]}
		if err := chainSpec(ch, rest[2:]); err != nil {
			return nil, err
		}
		obj = ch
	default:
		return nil, syntax("unexpected %s", what)
	}
	return func(ctx context.Context, c *nftables.Conn, w io.Writer, o options) error {
		var tx nftables.Tx
		if verb == "create" {
			tx.Create(obj)
		} else {
			tx.Add(obj)
		}
		return commit(ctx, c, &tx)
	}, nil
}

// chainSpec reads a base chain's "{ type filter hook input priority 0 ;
// policy drop ; }", given as one word or many.
func chainSpec(ch *nftables.Chain, words []string) error {
	s := strings.Join(words, " ")
	s = strings.NewReplacer("{", " ", "}", " ", ";", " ").Replace(s)
	fs := strings.Fields(s)
	if len(fs) == 0 {
		return nil
	}
	var hook string
	prio := ""
	for i := 0; i < len(fs); i++ {
		if i+1 >= len(fs) {
			return syntax("unexpected end of chain after %s", fs[i])
		}
		switch fs[i] {
		case "type":
			ch.Type = fs[i+1]
		case "hook":
			hook = fs[i+1]
		case "priority":
			prio = fs[i+1]
			// "filter + 5"
			if i+3 < len(fs) && (fs[i+2] == "+" || fs[i+2] == "-") {
				prio += fs[i+2] + fs[i+3]
				i += 2
			}
		case "policy":
			var p nftables.VerdictCode
			switch fs[i+1] {
			case "accept":
				p = nftables.VerdictAccept
			case "drop":
				p = nftables.VerdictDrop
			default:
				return syntax("unexpected policy %s", fs[i+1])
			}
			ch.Policy = &p
		case "device":
			ch.Hook = ensureHook(ch.Hook)
			ch.Hook.Devices = append(ch.Hook.Devices, strings.Trim(fs[i+1], `"`))
		default:
			return syntax("unexpected %s", fs[i])
		}
		i++
	}
	if ch.Type == "" || hook == "" || prio == "" {
		return syntax("a base chain needs type, hook and priority")
	}
	ch.Hook = ensureHook(ch.Hook)
	n, ok := hookNum(ch.Family, hook)
	if !ok {
		return fmt.Errorf("unknown chain hook %s", hook)
	}
	ch.Hook.Num = n
	p, err := parsePrio(ch.Family, n, prio)
	if err != nil {
		return err
	}
	ch.Hook.Priority = p
	return nil
}

func ensureHook(h *nftables.Hook) *nftables.Hook {
	if h == nil {
		return new(nftables.Hook)
	}
	return h
}

func parseDelete(verb string, args []string) (command, error) {
	if len(args) == 0 {
		return nil, syntax("%s what?", verb)
	}
	what, rest := args[0], args[1:]
	f, rest := familyName(rest)
	var obj nftables.Object
	switch what {
	case "table":
		if len(rest) != 1 {
			return nil, syntax("%s table [FAMILY] NAME", verb)
		}
		obj = &nftables.Table{Family: f, Name: rest[0]}
	case "chain":
		if len(rest) != 2 {
			return nil, syntax("%s chain [FAMILY] TABLE NAME", verb)
		}
		obj = &nftables.Chain{Family: f, Table: rest[0], Name: rest[1]}
	case "rule":
		if len(rest) != 4 || rest[2] != "handle" {
			return nil, syntax("%s rule [FAMILY] TABLE CHAIN handle HANDLE", verb)
		}
		h, err := strconv.ParseUint(rest[3], 10, 64)
		if err != nil || h == 0 {
			return nil, syntax("unexpected %s, expecting a handle", rest[3])
		}
		obj = &nftables.Rule{Family: f, Table: rest[0], Chain: rest[1], Handle: h}
	default:
		return nil, syntax("unexpected %s", what)
	}
	return func(ctx context.Context, c *nftables.Conn, w io.Writer, o options) error {
		var tx nftables.Tx
		if verb == "destroy" {
			tx.Destroy(obj)
		} else {
			tx.Delete(obj)
		}
		return commit(ctx, c, &tx)
	}, nil
}

func parseFlush(args []string) (command, error) {
	if len(args) == 0 {
		return nil, syntax("flush what?")
	}
	switch args[0] {
	case "ruleset":
		f := nftables.FamilyUnspec
		if len(args) > 1 {
			var err error
			if f, err = nftables.ParseFamily(args[1]); err != nil || len(args) > 2 {
				return nil, syntax("unexpected %s", args[1])
			}
		}
		return func(ctx context.Context, c *nftables.Conn, w io.Writer, o options) error {
			// nft flush ruleset deletes every table: one NFT_MSG_DELTABLE
			// each, all in one transaction.
			ts, err := c.Tables(ctx, f)
			if err != nil {
				return err
			}
			var tx nftables.Tx
			for _, t := range ts {
				tx.Delete(&nftables.Table{Family: t.Family, Name: t.Name})
			}
			if tx.Len() == 0 {
				return nil
			}
			return commit(ctx, c, &tx)
		}, nil
	case "table":
		f, rest := familyName(args[1:])
		if len(rest) != 1 {
			return nil, syntax("flush table [FAMILY] NAME")
		}
		t := &nftables.Table{Family: f, Name: rest[0]}
		return func(ctx context.Context, c *nftables.Conn, w io.Writer, o options) error {
			var tx nftables.Tx
			tx.Flush(t)
			return commit(ctx, c, &tx)
		}, nil
	case "chain":
		f, rest := familyName(args[1:])
		if len(rest) != 2 {
			return nil, syntax("flush chain [FAMILY] TABLE NAME")
		}
		ch := &nftables.Chain{Family: f, Table: rest[0], Name: rest[1]}
		return func(ctx context.Context, c *nftables.Conn, w io.Writer, o options) error {
			var tx nftables.Tx
			tx.Flush(ch)
			return commit(ctx, c, &tx)
		}, nil
	}
	return nil, syntax("unexpected %s", args[0])
}

// monitor prints notifications as nft monitor does: "add table inet t",
// "delete rule inet t c handle 4", "# new generation 7 by process 12 (nft)".
func monitor(ctx context.Context, c *nftables.Conn, w io.Writer, o options) error {
	for ev, err := range c.Watch(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Fprintln(os.Stderr, "nft: events lost:", err)
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(w, eventLine(ev))
	}
	return ctx.Err()
}

func eventLine(ev nftables.Event) string {
	verb := "add"
	if ev.Deleted {
		verb = "delete"
	}
	switch {
	case ev.Gen != nil:
		return fmt.Sprintf("# new generation %d by process %d (%s)", ev.Gen.ID, ev.Gen.ProcPID, ev.Gen.ProcName)
	case ev.Elements != nil:
		return fmt.Sprintf("%s element %s %s %s (%d elements)", verb, ev.Family, ev.Elements.Table, ev.Elements.Set, len(ev.Elements.Elements))
	case ev.Object != nil:
		if r, ok := ev.Object.(*nftables.Rule); ok && !ev.Deleted {
			return fmt.Sprintf("%s rule %s %s %s handle %d %s", verb, r.Family, r.Table, r.Chain, r.Handle, ruleText(r, nil))
		}
		return verb + " " + ev.Object.String()
	}
	return fmt.Sprintf("# message %d", ev.Msg)
}
