package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// writeText prints rs as nft list ruleset does: each table with its sets,
// then its chains with their rules.
func writeText(w io.Writer, rs *nftables.Ruleset, handles bool) {
	for _, t := range rs.Tables {
		fmt.Fprintf(w, "table %s %s {", t.Family, t.Name)
		if handles {
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
			if s.Family != t.Family || s.Table != t.Name || s.Flags&nftables.SetAnonymous != 0 {
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
		fmt.Fprintf(w, "\t\telements = { %s }\n", strings.Join(elementTexts(s, elems), ", "))
	}
	fmt.Fprintln(w, "\t}")
}

func setFlags(f uint32) string {
	var out []string
	for _, x := range []struct {
		bit  uint32
		name string
	}{{nftables.SetConstant, "constant"}, {nftables.SetInterval, "interval"}, {nftables.SetTimeout, "timeout"}, {nftables.SetEval, "dynamic"}} {
		if f&x.bit != 0 {
			out = append(out, x.name)
		}
	}
	return strings.Join(out, ",")
}

// nft's data types (enum datatypes in nftables' datatype.h), the few this
// program prints by name.
const (
	typeVerdict     = 1
	typeIPAddr      = 7
	typeIP6Addr     = 8
	typeEtherAddr   = 9
	typeInetProto   = 12
	typeInetService = 13
	typeMark        = 19
	typeIfname      = 41
)

func typeName(t uint32) string {
	switch t {
	case typeVerdict, nftables.DataVerdict:
		return "verdict"
	case typeIPAddr:
		return "ipv4_addr"
	case typeIP6Addr:
		return "ip6_addr"
	case typeEtherAddr:
		return "ether_addr"
	case typeInetProto:
		return "inet_proto"
	case typeInetService:
		return "inet_service"
	case typeMark:
		return "mark"
	case typeIfname:
		return "ifname"
	}
	return "type(" + strconv.FormatUint(uint64(t), 10) + ")"
}

// value prints b as a value of nft's type t.
func value(t uint32, b []byte) string {
	switch {
	case t == typeIPAddr && len(b) == 4:
		return fmt.Sprintf("%d.%d.%d.%d", b[0], b[1], b[2], b[3])
	case t == typeIP6Addr && len(b) == 16:
		return ip6(b)
	case t == typeInetService && len(b) == 2:
		return strconv.Itoa(int(b[0])<<8 | int(b[1]))
	case t == typeInetProto && len(b) == 1:
		return protoName(b[0])
	case t == typeMark && len(b) == 4:
		return fmt.Sprintf("0x%08x", uint32(b[0])|uint32(b[1])<<8|uint32(b[2])<<16|uint32(b[3])<<24)
	case t == typeIfname:
		return strconv.Quote(strings.TrimRight(string(b), "\x00"))
	}
	return fmt.Sprintf("0x%x", b)
}

func ip6(b []byte) string {
	var a [16]byte
	copy(a[:], b)
	return netipFrom16(a)
}

// elementTexts writes the elements in the order nft does, by key.
func elementTexts(s *nftables.Set, elems []nftables.Element) []string {
	elems = sortedElements(s, elems)
	var out []string
	interval := s.Flags&nftables.SetInterval != 0
	for i, e := range elems {
		if e.Flags&1 != 0 { // NFT_SET_ELEM_INTERVAL_END
			continue
		}
		k := value(s.KeyType, e.Key)
		if interval {
			end := e.KeyEnd
			// The kernel lists an interval's end element before its start.
			if end == nil && i > 0 && elems[i-1].Flags&1 != 0 {
				end = elems[i-1].Key
			}
			if end != nil {
				if last := minusOne(end); string(last) != string(e.Key) {
					k += "-" + value(s.KeyType, last)
				}
			}
		}
		switch {
		case e.Verdict != nil:
			k += " : " + e.Verdict.String()
		case e.Data != nil:
			k += " : " + value(s.DataType, e.Data)
		case e.Objref != "":
			k += " : " + strconv.Quote(e.Objref)
		}
		out = append(out, k)
	}
	return out
}

// sortedElements orders elems by key, as nft lists them; an interval's
// end element stays before its start, as the kernel lists them.
func sortedElements(s *nftables.Set, elems []nftables.Element) []nftables.Element {
	if s.Flags&nftables.SetInterval != 0 {
		return elems
	}
	elems = slices.Clone(elems)
	slices.SortStableFunc(elems, func(a, b nftables.Element) int { return bytes.Compare(a.Key, b.Key) })
	return elems
}

// minusOne is the big-endian b less one: an interval's end is the first
// value past it.
func minusOne(b []byte) []byte {
	c := append([]byte(nil), b...)
	for i := len(c) - 1; i >= 0; i-- {
		c[i]--
		if c[i] != 0xff {
			break
		}
	}
	return c
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
