package main

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
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

// writeJSON prints rs as nft -j does: tables, sets and chains in nft's
// schema; rules with verdicts and counters in nft's schema, and every other
// expression as {"kind": {its fields}}, which is this program's, not nft's.
func writeJSON(w io.Writer, rs *nftables.Ruleset) error {
	items := []any{obj{{"metainfo", obj{{"version", "nlkit"}, {"json_schema_version", 1}}}}}
	for _, t := range rs.Tables {
		to := obj{{"family", t.Family.String()}, {"name", t.Name}, {"handle", t.Handle}}
		if c := t.Comment(); c != "" {
			to = append(to, kv{"comment", c})
		}
		items = append(items, obj{{"table", to}})
		for i, s := range rs.Sets {
			if s.Family == t.Family && s.Table == t.Name && s.Flags&nftables.SetAnonymous == 0 {
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
				items = append(items, obj{{"rule", ruleJSON(r)}})
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
	o := obj{{"family", s.Family.String()}, {"name", s.Name}, {"table", s.Table}, {"type", typeName(s.KeyType)}, {"handle", s.Handle}}
	if kind == "map" {
		o = append(o, kv{"map", typeName(s.DataType)})
	}
	if f := setFlags(s.Flags); f != "" {
		o = append(o, kv{"flags", strings.Split(f, ",")})
	}
	if len(elems) > 0 {
		var es []any
		for _, e := range sortedElements(s, elems) {
			if e.Flags&1 != 0 {
				continue
			}
			k := jsonValue(s.KeyType, e.Key)
			switch {
			case e.Verdict != nil:
				es = append(es, []any{k, verdictJSON(e.Verdict)})
			case e.Data != nil:
				es = append(es, []any{k, jsonValue(s.DataType, e.Data)})
			default:
				es = append(es, k)
			}
		}
		o = append(o, kv{"elem", es})
	}
	return obj{{kind, o}}
}

// jsonValue is a value as nft -j writes it: numbers as numbers.
func jsonValue(t uint32, b []byte) any {
	s := value(t, b)
	if t == typeInetService {
		n, _ := strconv.Atoi(s)
		return n
	}
	if t == typeIfname {
		u, _ := strconv.Unquote(s)
		return u
	}
	return s
}

func verdictJSON(v *nftables.Verdict) obj {
	if v.Chain != "" {
		return obj{{v.Code.String(), obj{{"target", v.Chain}}}}
	}
	return obj{{v.Code.String(), nil}}
}

func ruleJSON(r *nftables.Rule) obj {
	var xs []any
	for _, x := range r.Exprs {
		switch x := x.(type) {
		case *nftables.Immediate:
			if x.Verdict != nil && x.Dreg == nftables.RegVerdict {
				xs = append(xs, verdictJSON(x.Verdict))
				continue
			}
		case *nftables.Counter:
			xs = append(xs, obj{{"counter", obj{{"packets", x.Packets}, {"bytes", x.Bytes}}}})
			continue
		}
		xs = append(xs, exprJSON(x))
	}
	o := obj{{"family", r.Family.String()}, {"table", r.Table}, {"chain", r.Chain}, {"handle", r.Handle}, {"expr", xs}}
	if c := r.Comment(); c != "" {
		o = append(o, kv{"comment", c})
	}
	return o
}

// exprJSON is {"kind": {field: value}} of the fields x sets.
func exprJSON(x nftables.Expr) obj {
	if r, ok := x.(*nftables.RawExpr); ok {
		return obj{{r.Name, obj{{"data", fmt.Sprintf("0x%x", r.Data)}}}}
	}
	var fields obj
	v := reflect.ValueOf(x).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.IsZero() || !v.Type().Field(i).IsExported() {
			continue
		}
		if f.Kind() == reflect.Pointer {
			f = f.Elem()
		}
		name := strings.ToLower(v.Type().Field(i).Name)
		switch val := f.Interface().(type) {
		case []byte:
			fields = append(fields, kv{name, fmt.Sprintf("0x%x", val)})
		case nftables.RawAttrs:
			fields = append(fields, kv{name, fmt.Sprintf("0x%x", string(val))})
		default:
			fields = append(fields, kv{name, val})
		}
	}
	return obj{{x.Kind(), fields}}
}
