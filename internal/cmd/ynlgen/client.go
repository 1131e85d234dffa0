package main

import (
	"fmt"
	"strconv"
	"strings"
)

func (g *gen) client() {
	s := g.s
	g.p("")
	g.p("// Client runs the operations of the %s family on a generic netlink Conn.", s.Name)
	g.p("type Client struct {")
	g.p("G      *genetlink.Conn")
	g.p("Family genetlink.Family // the family, as New resolved it")
	g.p("}")
	g.p("")
	g.p("// New resolves the %s family on g and returns a Client for it.", s.Name)
	g.p("func New(ctx context.Context, g *genetlink.Conn) (*Client, error) {")
	g.p("f, err := g.Family(ctx, FamilyName)")
	g.p("if err != nil {")
	g.p("return nil, err")
	g.p("}")
	g.p("f.CommandNames = commandNames")
	g.p("return &Client{G: g, Family: f}, nil")
	g.p("}")
	if h := g.header; h != nil {
		g.p("")
		g.p("// Parse decodes m, a reply or notification of the family, into its fixed")
		g.p("// header (%s) and its attributes, of set A.", h.Name)
		g.p("func Parse[A any, P interface {")
		g.p("*A")
		g.p("ynl.Set")
		g.p("}](m netlink.Message) (ynl.Fixed[%s, A], error) {", h.goName)
		g.p("return ynl.ParseFixed[%s, A, P](m, %sLen, decode%s)", h.goName, lowerFirst(h.goName), h.goName)
		g.p("}")
	}
	if len(s.McastGroups.List) > 0 {
		parse := "ynl.Parse"
		if g.header != nil {
			parse = "Parse"
		}
		g.p("")
		g.p("// JoinGroup joins the family's multicast group named name (a Group…")
		g.p("// constant) and returns its ID. Decode the notifications it brings with")
		g.p("// %s into the attribute set of their operation.", parse)
		g.p("func (c *Client) JoinGroup(name string) (uint32, error) {")
		g.p("return ynl.JoinGroup(c.G, &c.Family, name)")
		g.p("}")
	}
	for _, op := range s.Operations.List {
		if op.Do != nil {
			g.opMethod(op, op.Do, false)
		}
		if op.Dump != nil {
			g.opMethod(op, op.Dump, true)
		}
	}
}

// opSet returns the attribute set of op, following notify to the
// operation it notifies of.
func (g *gen) opSet(op *operation) string {
	if op.AttributeSet != "" || op.Notify == "" {
		return op.AttributeSet
	}
	for _, o := range g.s.Operations.List {
		if o.Name == op.Notify {
			return o.AttributeSet
		}
	}
	return ""
}

func (g *gen) opMethod(op *operation, mode *opMode, dump bool) {
	set := g.setType(g.opSet(op))
	name := op.goName
	kind := "do"
	if dump {
		name += "Dump"
		kind = "dump"
	}
	hasReq := mode.Request != nil && len(mode.Request.Attributes) > 0
	param, arg := "", "nil"
	if hasReq {
		param, arg = ", req *"+set, "req"
	}
	g.p("")
	g.p("// %s runs operation %s as a %s (command %d).", name, op.Name, kind, op.req)
	if g.header != nil {
		g.p("// The request starts with the fixed header hdr.")
	}
	if hasReq {
		g.p("// The request carries attributes %s of req.", strings.Join(mode.Request.Attributes, ", "))
	}
	if mode.Reply != nil && len(mode.Reply.Attributes) > 0 {
		g.p("// The reply has %s.", strings.Join(mode.Reply.Attributes, ", "))
	}
	if h := g.header; h != nil {
		hdr := fmt.Sprintf("append%s(make([]byte, 0, %sLen), hdr)", h.goName, lowerFirst(h.goName))
		fixed := fmt.Sprintf("ynl.Fixed[%s, %s]", h.goName, set)
		param = ", hdr " + h.goName + param
		switch {
		case dump:
			g.p("func (c *Client) %s(ctx context.Context%s) iter.Seq2[%s, error] {", name, param, fixed)
			g.p("return ynl.DumpFixed[%s, %s](ctx, c.G, &c.Family, Cmd%s, %s, %s, decode%s)", h.goName, set, op.goName, hdr, arg, h.goName)
		case mode.Reply != nil:
			g.p("func (c *Client) %s(ctx context.Context%s) (%s, error) {", name, param, fixed)
			g.p("return ynl.DoFixed[%s, %s](ctx, c.G, &c.Family, Cmd%s, %s, %s, decode%s)", h.goName, set, op.goName, hdr, arg, h.goName)
		default:
			g.p("func (c *Client) %s(ctx context.Context%s) error {", name, param)
			g.p("return ynl.ExecFixed(ctx, c.G, &c.Family, Cmd%s, %s, %s)", op.goName, hdr, arg)
		}
		g.p("}")
		return
	}
	switch {
	case dump:
		g.p("func (c *Client) %s(ctx context.Context%s) iter.Seq2[%s, error] {", name, param, set)
		g.p("return ynl.Dump[%s](ctx, c.G, &c.Family, Cmd%s, %s)", set, op.goName, arg)
	case mode.Reply != nil:
		g.p("func (c *Client) %s(ctx context.Context%s) (%s, error) {", name, param, set)
		g.p("return ynl.Do[%s](ctx, c.G, &c.Family, Cmd%s, %s)", set, op.goName, arg)
	default:
		g.p("func (c *Client) %s(ctx context.Context%s) error {", name, param)
		g.p("return ynl.Exec(ctx, c.G, &c.Family, Cmd%s, %s)", op.goName, arg)
	}
	g.p("}")
}

// specValue writes Spec, the family's description.
func (g *gen) specValue() {
	s := g.s
	version := 1
	if s.Version != nil {
		version = *s.Version
	}
	g.p("")
	g.p("// Spec describes the family as its spec does.")
	g.p("var Spec = &ynl.Family{")
	g.p("Name: %q,", s.Name)
	g.p("Version: %d,", version)
	if h := g.header; h != nil {
		g.p("Header: &ynl.Struct{Name: %q, Len: %d, Members: []ynl.Member{", h.Name, h.size)
		for _, m := range h.Members {
			if m.Type == "pad" {
				continue
			}
			_, n := g.memberType(m)
			be := ""
			if m.ByteOrder == "big-endian" {
				be = ", BigEndian: true"
			}
			g.p("{Name: %q, Kind: %q, Offset: %d, Len: %d%s},", m.Name, m.Type, m.offset, n, be)
		}
		g.p("}},")
	}
	g.p("Ops: []ynl.Op{")
	for _, op := range s.Operations.List {
		var b strings.Builder
		fmt.Fprintf(&b, "{Name: %q, Request: %d, Reply: %d", op.Name, op.req, op.rsp)
		if op.Do != nil {
			b.WriteString(", Do: true")
			if op.Do.Request != nil && len(op.Do.Request.Attributes) > 0 {
				fmt.Fprintf(&b, ", DoRequest: %s", strList(op.Do.Request.Attributes))
			}
		}
		if op.Dump != nil {
			b.WriteString(", Dump: true")
			if op.Dump.Request != nil && len(op.Dump.Request.Attributes) > 0 {
				fmt.Fprintf(&b, ", DumpRequest: %s", strList(op.Dump.Request.Attributes))
			}
		}
		if op.Notify != "" || op.Event != nil {
			b.WriteString(", Notify: true")
		}
		if set := g.opSet(op); set != "" {
			fmt.Fprintf(&b, ", Set: %q", set)
		}
		b.WriteString("},")
		g.p("%s", b.String())
	}
	g.p("},")
	g.p("Sets: []ynl.AttrSet{")
	for _, set := range s.AttrSets {
		ordered := ""
		if set.ordered {
			ordered = "Ordered: true, "
		}
		g.p("{Name: %q, SubsetOf: %q, %sAttrs: []ynl.Attr{", set.Name, set.SubsetOf, ordered)
		for _, a := range set.Attributes {
			var b strings.Builder
			fmt.Fprintf(&b, "{Name: %q, Type: %d, Kind: %q", a.Name, a.value, a.Type)
			if a.NestedAttributes != "" {
				fmt.Fprintf(&b, ", Nested: %q", a.NestedAttributes)
			}
			if a.MultiAttr {
				b.WriteString(", Multi: true")
			}
			if a.ByteOrder == "big-endian" {
				b.WriteString(", BigEndian: true")
			}
			if a.SubType != "" {
				fmt.Fprintf(&b, ", SubType: %q", a.SubType)
			}
			if len(a.TypeValue) > 0 {
				fmt.Fprintf(&b, ", Keys: %d", len(a.TypeValue))
			}
			if d := g.s.defs[a.Enum]; d != nil && (d.Type == "enum" || d.Type == "flags") {
				fmt.Fprintf(&b, ", Enum: %q", a.Enum)
				if a.EnumAsFlags {
					b.WriteString(", EnumAsFlags: true")
				}
			}
			if c := g.checks(a); c != "" {
				fmt.Fprintf(&b, ", Checks: ynl.Checks{%s}", c)
			}
			b.WriteString("},")
			g.p("%s", b.String())
		}
		g.p("}},")
	}
	g.p("},")
	if len(s.McastGroups.List) > 0 {
		var names []string
		for _, m := range s.McastGroups.List {
			names = append(names, m.Name)
		}
		g.p("Groups: %s,", strList(names))
	}
	var enums []string
	for _, d := range s.Definitions {
		if d.Type == "enum" || d.Type == "flags" {
			enums = append(enums, fmt.Sprintf("{Name: %q, Flags: %v, Values: %sNames},", d.Name, d.Type == "flags", lowerFirst(d.goName)))
		}
	}
	if len(enums) > 0 {
		g.p("Enums: []ynl.Enum{")
		for _, e := range enums {
			g.p("%s", e)
		}
		g.p("},")
	}
	g.p("}")
}

func strList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}

// checks returns the fields of a ynl.Checks literal for what a's checks
// say, where they resolve to numbers.
func (g *gen) checks(a *attr) string {
	var has, fields []string
	add := func(v any, flag, field string) {
		n, ok := g.number(v)
		if !ok {
			return
		}
		has = append(has, "ynl."+flag)
		fields = append(fields, fmt.Sprintf("%s: %d", field, n))
	}
	c := a.Checks
	add(c.Min, "HasMin", "Min")
	add(c.Max, "HasMax", "Max")
	add(c.MinLen, "HasMinLen", "MinLen")
	add(c.MaxLen, "HasMaxLen", "MaxLen")
	if n, ok := g.number(c.ExactLen); ok {
		has = append(has, "ynl.HasMinLen", "ynl.HasMaxLen")
		fields = append(fields, fmt.Sprintf("MinLen: %d", n), fmt.Sprintf("MaxLen: %d", n))
	}
	if len(has) == 0 {
		return ""
	}
	return "Has: " + strings.Join(has, "|") + ", " + strings.Join(fields, ", ")
}

// number resolves a check's value: a number, a constant of the spec, or
// one of the limits the schema names (u32-max, s16-min, …).
func (g *gen) number(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int64:
		return v, true
	case uint64:
		if v > 1<<63-1 {
			return 0, false
		}
		return int64(v), true
	case string:
		if d := g.s.defs[v]; d != nil && d.Type == "const" {
			return g.number(d.Value)
		}
		limits := map[string]int64{
			"u8-max": 1<<8 - 1, "u16-max": 1<<16 - 1, "u32-max": 1<<32 - 1,
			"s8-min": -1 << 7, "s8-max": 1<<7 - 1, "s16-min": -1 << 15, "s16-max": 1<<15 - 1,
			"s32-min": -1 << 31, "s32-max": 1<<31 - 1,
		}
		n, ok := limits[v]
		return n, ok
	}
	return 0, false
}
