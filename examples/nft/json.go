package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/nlkit/netlink/netfilter/nftables"
)

// obj is one JSON object with its keys in the order nft writes them.
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteString(", ")
		}
		k, _ := json.Marshal(f.k)
		v, err := json.Marshal(f.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteString(": ")
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// writeJSON prints rs as nft -j does: tables, sets, chains and rules in
// nft's schema, except for an expression this program has no words for,
// which it writes as {"kind": {its fields}}.
func writeJSON(w io.Writer, rs *nftables.Ruleset, sc scope) error {
	items := []any{obj{{"metainfo", obj{{"version", "nlkit"}, {"json_schema_version", 1}}}}}
	for _, t := range rs.Tables {
		if sc != scopeChain {
			to := obj{{"family", t.Family.String()}, {"name", t.Name}, {"handle", t.Handle}}
			if c := t.Comment(); c != "" {
				to = append(to, kv{"comment", c})
			}
			items = append(items, obj{{"table", to}})
		}
		for i, s := range rs.Sets {
			if s.Family == t.Family && s.Table == t.Name && s.Flags&nftables.SetAnonymous == 0 && sc != scopeChain {
				items = append(items, setJSON(s, rs.Elements[i]))
			}
		}
		for _, ch := range rs.Chains {
			if ch.Family == t.Family && ch.Table == t.Name {
				items = append(items, obj{{"chain", chainJSON(ch)}})
			}
		}
		for _, r := range rs.Rules {
			if r.Family == t.Family && r.Table == t.Name {
				items = append(items, obj{{"rule", ruleJSON(r, rs)}})
			}
		}
	}
	b, err := json.Marshal(obj{{"nftables", items}})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func chainJSON(ch *nftables.Chain) obj {
	o := obj{{"family", ch.Family.String()}, {"table", ch.Table}, {"name", ch.Name}, {"handle", ch.Handle}}
	if ch.Hook == nil {
		return o
	}
	o = append(o, kv{"type", ch.Type}, kv{"hook", hookName(ch.Family, ch.Hook.Num)})
	if ds := devices(ch.Hook); len(ds) == 1 {
		o = append(o, kv{"dev", ds[0]})
	} else if len(ds) > 1 {
		o = append(o, kv{"dev", ds})
	}
	o = append(o, kv{"prio", ch.Hook.Priority})
	if ch.Policy != nil {
		o = append(o, kv{"policy", ch.Policy.String()})
	}
	return o
}

func setJSON(s *nftables.Set, elems []nftables.Element) obj {
	kind := "set"
	if s.Flags&nftables.SetMap != 0 {
		kind = "map"
	}
	o := obj{{"family", s.Family.String()}, {"name", s.Name}, {"table", s.Table}, {"type", typeJSON(s.KeyType)}, {"handle", s.Handle}}
	if kind == "map" {
		o = append(o, kv{"map", typeJSON(s.DataType)})
	}
	if f := setFlags(s.Flags); f != "" {
		o = append(o, kv{"flags", strings.Split(f, ",")})
	}
	if len(elems) > 0 {
		o = append(o, kv{"elem", elemsJSON(setElems(s, elems))})
	}
	return obj{{kind, o}}
}

// elemsJSON is a set's elements in nft's JSON: a key, or [key, data].
func elemsJSON(es setExpr) []any {
	out := make([]any, len(es))
	for i, e := range es {
		out[i] = valueJSON(e.key)
		if e.data != nil {
			out[i] = []any{out[i], valueJSON(e.data)}
		}
	}
	return out
}

func ruleJSON(r *nftables.Rule, rs *nftables.Ruleset) obj {
	ss := decodeRule(r, rs)
	xs := make([]any, len(ss))
	for i, s := range ss {
		xs[i] = stmtJSON(s)
	}
	o := obj{{"family", r.Family.String()}, {"table", r.Table}, {"chain", r.Chain}, {"handle", r.Handle}, {"expr", xs}}
	if c := r.Comment(); c != "" {
		o = append(o, kv{"comment", c})
	}
	return o
}

// stmtJSON is a statement in nft's JSON.
func stmtJSON(s stmt) any {
	switch s := s.(type) {
	case *match:
		return obj{{"match", obj{{"op", opJSON(s.op, s.right)}, {"left", valueJSON(s.left)}, {"right", valueJSON(s.right)}}}}
	case *vmap:
		return obj{{"vmap", obj{{"key", valueJSON(s.key)}, {"data", valueJSON(s.data)}}}}
	case *nftables.Verdict:
		return verdictJSON(s)
	case *nftables.Counter:
		return obj{{"counter", obj{{"packets", s.Packets}, {"bytes", s.Bytes}}}}
	case *nftables.Log:
		return obj{{"log", logJSON(s)}}
	case *nftables.Limit:
		return obj{{"limit", limitJSON(s)}}
	case *reject:
		if s.proto == "" {
			return obj{{"reject", obj{{"type", "tcp reset"}}}}
		}
		return obj{{"reject", obj{{"type", s.proto}, {"expr", symName(rejectCodes[s.proto], uint64(s.code))}}}}
	case *nat:
		return obj{{s.kind, natJSON(s)}}
	case *raw:
		return rawJSON(s.x)
	}
	return nil
}

// opJSON is a match's relation in nft's JSON, where a match of flags is
// "in".
func opJSON(o op, right expr) string {
	if o == opImplicit {
		if isBitmask(right) {
			return "in"
		}
		return "=="
	}
	return opNames[o]
}

// valueJSON is an operand in nft's JSON: {"payload": {...}}, "198.18.0.1",
// 22, {"prefix": {...}}, {"range": [...]}, {"set": [...]}, "@s".
func valueJSON(e expr) any {
	switch e := e.(type) {
	case *field:
		if e.isPayload() {
			return obj{{"payload", obj{{"protocol", e.proto}, {"field", e.key}}}}
		}
		return obj{{e.proto, obj{{"key", e.key}}}}
	case concat:
		out := make([]any, len(e))
		for i, x := range e {
			out[i] = valueJSON(x)
		}
		return obj{{"concat", out}}
	case value:
		return e.json()
	case prefix:
		if e.v.t == typeIfname {
			return string(e.v.b[:e.bits/8]) + "*"
		}
		return obj{{"prefix", obj{{"addr", e.v.json()}, {"len", e.bits}}}}
	case rangeExpr:
		return obj{{"range", []any{e.lo.json(), e.hi.json()}}}
	case setExpr:
		return obj{{"set", elemsJSON(e)}}
	case setRef:
		return "@" + string(e)
	case objRef:
		return string(e)
	case catchall:
		return "*"
	case *nftables.Verdict:
		return verdictJSON(e)
	case masked:
		return obj{{"&", []any{valueJSON(e.left), e.mask.json()}}}
	}
	return nil
}

func verdictJSON(v *nftables.Verdict) obj {
	if v.Chain != "" {
		return obj{{v.Code.String(), obj{{"target", v.Chain}}}}
	}
	return obj{{v.Code.String(), nil}}
}

// logJSON is a log statement's fields, or null for none.
func logJSON(l *nftables.Log) any {
	var o obj
	if l.Prefix != "" {
		o = append(o, kv{"prefix", l.Prefix})
	}
	if l.Group != nil {
		o = append(o, kv{"group", *l.Group})
	}
	if l.Snaplen != 0 {
		o = append(o, kv{"snaplen", l.Snaplen})
	}
	if l.QThreshold != 0 {
		o = append(o, kv{"queue-threshold", l.QThreshold})
	}
	if l.Level != nil && *l.Level != nftables.LogLevelWarning {
		o = append(o, kv{"level", l.Level.String()})
	}
	if l.Flags == nftables.LogAll {
		o = append(o, kv{"flags", "all"})
	}
	if o == nil {
		return nil
	}
	return o
}

func limitJSON(l *nftables.Limit) obj {
	per := symName(limitUnits, l.Unit)
	if l.Type != nftables.LimitTypePktBytes {
		o := obj{{"rate", l.Rate}, {"burst", l.Burst}, {"per", per}}
		if l.Flags&nftables.LimitInvert != 0 {
			o = append(o, kv{"inv", true})
		}
		return o
	}
	rate, rateUnit := byteRate(l.Rate)
	burst, burstUnit := byteRate(uint64(l.Burst))
	o := obj{{"rate", rate}, {"burst", burst}, {"per", per}}
	if l.Flags&nftables.LimitInvert != 0 {
		o = append(o, kv{"inv", true})
	}
	return append(o, kv{"rate_unit", rateUnit}, kv{"burst_unit", burstUnit})
}

// natJSON is a NAT statement's fields, or null for none: flags are a
// list, or a string when there is one.
func natJSON(n *nat) any {
	var o obj
	if n.family != 0 {
		o = append(o, kv{"family", n.family.String()})
	}
	if n.addr != nil {
		o = append(o, kv{"addr", valueJSON(n.addr)})
	}
	if n.port != nil {
		o = append(o, kv{"port", valueJSON(n.port)})
	}
	switch f := natFlagNames(n.flags); len(f) {
	case 0:
	case 1:
		o = append(o, kv{"flags", f[0]})
	default:
		o = append(o, kv{"flags", f})
	}
	if o == nil {
		return nil
	}
	return o
}

// rawJSON is {"kind": {field: value}} of the fields x sets: this
// program's, not nft's, for an expression it has no words for.
func rawJSON(x nftables.Expr) obj {
	if r, ok := x.(*nftables.RawExpr); ok {
		return obj{{r.Name, obj{{"data", fmt.Sprintf("0x%x", r.Data)}}}}
	}
	var fields obj
	for _, f := range setFields(x) {
		switch v := f.v.(type) {
		case []byte:
			f.v = fmt.Sprintf("0x%x", v)
		case nftables.RawAttrs:
			f.v = fmt.Sprintf("0x%x", string(v))
		}
		fields = append(fields, f)
	}
	return obj{{x.Kind(), fields}}
}
