package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// writeText prints rs as nft list ruleset does: each table with its sets,
// then its chains with their rules; or for scopeChain, as nft list chain
// does, the chain in its table's braces.
func writeText(w io.Writer, rs *nftables.Ruleset, handles bool, sc scope) {
	for _, t := range rs.Tables {
		fmt.Fprintf(w, "table %s %s {", t.Family, t.Name)
		if handles && sc != scopeChain {
			fmt.Fprintf(w, " # handle %d", t.Handle)
		}
		fmt.Fprintln(w)
		first := true
		sep := func() {
			if !first {
				fmt.Fprintln(w)
			}
			first = false
		}
		for i, s := range rs.Sets {
			if s.Family != t.Family || s.Table != t.Name || s.Flags&nftables.SetAnonymous != 0 || sc == scopeChain {
				continue
			}
			sep()
			writeSet(w, s, rs.Elements[i], handles)
		}
		for _, ch := range rs.Chains {
			if ch.Family != t.Family || ch.Table != t.Name {
				continue
			}
			sep()
			fmt.Fprintf(w, "\tchain %s {", ch.Name)
			if handles {
				fmt.Fprintf(w, " # handle %d", ch.Handle)
			}
			fmt.Fprintln(w)
			if ch.Hook != nil {
				fmt.Fprintf(w, "\t\ttype %s hook %s", ch.Type, hookName(ch.Family, ch.Hook.Num))
				for _, d := range devices(ch.Hook) {
					fmt.Fprintf(w, " device %q", d)
				}
				fmt.Fprintf(w, " priority %s;", prioName(ch.Family, ch.Hook.Num, ch.Hook.Priority))
				if ch.Policy != nil {
					fmt.Fprintf(w, " policy %s;", ch.Policy)
				}
				fmt.Fprintln(w)
			}
			for _, r := range rs.Rules {
				if r.Family == ch.Family && r.Table == ch.Table && r.Chain == ch.Name {
					fmt.Fprintf(w, "\t\t%s", ruleText(r, rs))
					if handles {
						fmt.Fprintf(w, " # handle %d", r.Handle)
					}
					fmt.Fprintln(w)
				}
			}
			fmt.Fprintln(w, "\t}")
		}
		fmt.Fprintln(w, "}")
	}
}

func devices(h *nftables.Hook) []string {
	if h.Device != "" {
		return []string{h.Device}
	}
	return h.Devices
}

func writeSet(w io.Writer, s *nftables.Set, elems []nftables.Element, handles bool) {
	kind := "set"
	if s.Flags&nftables.SetMap != 0 {
		kind = "map"
	}
	fmt.Fprintf(w, "\t%s %s {", kind, s.Name)
	if handles {
		fmt.Fprintf(w, " # handle %d", s.Handle)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "\t\ttype %s", typeName(s.KeyType))
	if s.Flags&nftables.SetMap != 0 {
		fmt.Fprintf(w, " : %s", typeName(s.DataType))
	}
	fmt.Fprintln(w)
	if f := setFlags(s.Flags); f != "" {
		fmt.Fprintf(w, "\t\tflags %s\n", f)
	}
	if len(elems) > 0 {
		fmt.Fprintf(w, "\t\telements = %s\n", exprText(setElems(s, elems)))
	}
	fmt.Fprintln(w, "\t}")
}

func setFlags(f nftables.SetFlags) string {
	var out []string
	for _, x := range []struct {
		bit  nftables.SetFlags
		name string
	}{{nftables.SetConstant, "constant"}, {nftables.SetInterval, "interval"}, {nftables.SetTimeout, "timeout"}, {nftables.SetEval, "dynamic"}} {
		if f&x.bit != 0 {
			out = append(out, x.name)
		}
	}
	return strings.Join(out, ",")
}

// hookName and hookNum translate hook numbers of family f.
var hookNames = map[nftables.Family][]string{
	nftables.FamilyNetdev: {"ingress", "egress"},
	nftables.FamilyARP:    {"input", "output", "forward"},
}

var inetHooks = []string{"prerouting", "input", "forward", "output", "postrouting", "ingress"}

func hookName(f nftables.Family, n uint32) string {
	names, ok := hookNames[f]
	if !ok {
		names = inetHooks
	}
	if int(n) < len(names) {
		return names[n]
	}
	return strconv.FormatUint(uint64(n), 10)
}

func hookNum(f nftables.Family, name string) (uint32, bool) {
	names, ok := hookNames[f]
	if !ok {
		names = inetHooks
	}
	for i, n := range names {
		if n == name {
			return uint32(i), true
		}
	}
	return 0, false
}

// stdPrio is one of nft's named priorities.
type stdPrio struct {
	name string
	val  int32
}

func stdPrios(f nftables.Family, hook uint32) []stdPrio {
	switch f {
	case nftables.FamilyBridge:
		return []stdPrio{{"dstnat", -300}, {"filter", -200}, {"out", 100}, {"srcnat", 300}}
	case nftables.FamilyARP, nftables.FamilyNetdev:
		return []stdPrio{{"filter", 0}}
	}
	p := []stdPrio{{"raw", -300}, {"mangle", -150}}
	if hook == nftables.HookPrerouting || hook == nftables.HookOutput {
		p = append(p, stdPrio{"dstnat", -100})
	}
	p = append(p, stdPrio{"filter", 0}, stdPrio{"security", 50})
	if hook == nftables.HookInput || hook == nftables.HookPostrouting {
		p = append(p, stdPrio{"srcnat", 100})
	}
	return p
}

// prioName writes a priority as nft does: the name of a standard one
// within 10 of it, with the offset, or the number.
func prioName(f nftables.Family, hook uint32, p int32) string {
	for _, s := range stdPrios(f, hook) {
		switch off := p - s.val; {
		case off == 0:
			return s.name
		case off > 0 && off <= 10:
			return fmt.Sprintf("%s + %d", s.name, off)
		case off < 0 && off >= -10:
			return fmt.Sprintf("%s - %d", s.name, -off)
		}
	}
	return strconv.Itoa(int(p))
}

// parsePrio reads "0", "-150", "filter", "filter+5", "mangle-3".
func parsePrio(f nftables.Family, hook uint32, s string) (int32, error) {
	if n, err := strconv.ParseInt(s, 10, 32); err == nil {
		return int32(n), nil
	}
	name, off := s, int64(0)
	if i := strings.IndexAny(s, "+-"); i > 0 {
		var err error
		if off, err = strconv.ParseInt(s[i:], 10, 32); err != nil {
			return 0, syntax("unexpected priority %s", s)
		}
		name = s[:i]
	}
	for _, p := range stdPrios(f, hook) {
		if p.name == name {
			return p.val + int32(off), nil
		}
	}
	return 0, fmt.Errorf("'%s' is invalid priority in this context", s)
}
