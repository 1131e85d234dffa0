package main

import (
	"fmt"
	"strings"
)

// scalar is how one value of an attribute is held, read and written.
type scalar struct {
	typ string                   // the Go type
	dec string                   // an expression reading it from d
	enc func(t, v string) string // a statement writing v as attribute t to e
	opt bool                     // absent is a separate state (ynl.Opt) rather than the zero value
	is  func(v string) string    // for !opt: an expression saying v is present
	put string                   // the ynl.Put… function that appends the field if present; "" for none
}

// intScalar handles the fixed-size and variable-size integers.
func (g *gen) intScalar(a *attr, kind string) scalar {
	be := a.ByteOrder == "big-endian"
	var goT, dec, encFn, conv string
	switch kind {
	case "u8", "s8":
		goT, dec, encFn, conv = "uint8", "d.Uint8()", "Uint8", "uint8"
	case "u16", "s16":
		goT, dec, encFn, conv = "uint16", "d.Uint16()", "Uint16", "uint16"
	case "u32", "s32":
		goT, dec, encFn, conv = "uint32", "d.Uint32()", "Uint32", "uint32"
	case "u64", "s64":
		goT, dec, encFn, conv = "uint64", "d.Uint64()", "Uint64", "uint64"
	case "uint":
		goT, dec, encFn, conv = "uint64", "d.Uint()", "Uint", "uint64"
	case "sint":
		goT, dec, encFn, conv = "int64", "d.Int()", "Int", "int64"
	}
	if be && kind != "uint" && kind != "sint" && goT != "uint8" {
		dec = strings.Replace(dec, "()", "BE()", 1)
		encFn += "BE"
	}
	if kind[0] == 's' && kind != "sint" {
		goT = "int" + goT[4:]
		dec = goT + "(" + dec + ")"
	}
	put := map[string]string{"Uint8": "PutU8", "Uint16": "PutU16", "Uint32": "PutU32", "Uint64": "PutU64",
		"Uint16BE": "PutU16BE", "Uint32BE": "PutU32BE", "Uint64BE": "PutU64BE", "Uint": "PutUint", "Int": "PutSint"}[encFn]
	s := scalar{typ: goT, dec: dec, opt: true, put: put}
	if kind == "u32" && (a.DisplayHint == "ipv4") {
		return scalar{
			typ: "netip.Addr", dec: "ynl.IPv4(d.Uint32BE())",
			enc: func(t, v string) string { return fmt.Sprintf("ynl.PutIPv4(e, %s, %s)", t, v) },
			is:  func(v string) string { return v + ".IsValid()" },
		}
	}
	if d := g.s.defs[a.Enum]; d != nil && !a.EnumAsFlags && (d.Type == "enum" || d.Type == "flags") {
		s.typ = d.goName
		s.dec = d.goName + "(" + dec + ")"
		s.enc = func(t, v string) string { return fmt.Sprintf("e.%s(%s, %s(%s))", encFn, t, conv, v) }
		return s
	}
	s.enc = func(t, v string) string {
		if goT != conv {
			v = conv + "(" + v + ")"
		}
		return fmt.Sprintf("e.%s(%s, %s)", encFn, t, v)
	}
	return s
}

// valueOf returns how an attribute's value (one element, for multi-attr
// and arrays) of spec type kind is held. Nests are not scalars.
func (g *gen) valueOf(a *attr, kind string) scalar {
	switch kind {
	case "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "uint", "sint":
		return g.intScalar(a, kind)
	case "flag":
		return scalar{typ: "bool", dec: "d.Flag()", put: "PutFlag",
			enc: func(t, v string) string { return fmt.Sprintf("e.Flag(%s)", t) },
			is:  func(v string) string { return v }}
	case "string":
		return scalar{typ: "string", dec: "d.String()", put: "PutString",
			enc: func(t, v string) string { return fmt.Sprintf("e.String(%s, %s)", t, v) },
			is:  func(v string) string { return v + ` != ""` }}
	case "bitfield32":
		return scalar{typ: "ynl.Bitfield32", dec: "ynl.DecodeBitfield32(d.Bytes())", opt: true,
			enc: func(t, v string) string { return fmt.Sprintf("ynl.PutBitfield32(e, %s, %s)", t, v) }}
	case "binary":
		if d := g.s.defs[a.Struct]; d != nil && d.Type == "struct" && a.structArray {
			return scalar{typ: "[]" + d.goName, dec: "decode" + d.goName + "Array(d.Bytes())",
				enc: func(t, v string) string {
					return fmt.Sprintf("e.Bytes(%s, append%sArray(make([]byte, 0, len(%s)*%sLen), %s))", t, d.goName, v, lowerFirst(d.goName), v)
				},
				is: func(v string) string { return v + " != nil" }}
		}
		if d := g.s.defs[a.Struct]; d != nil && d.Type == "struct" {
			return scalar{typ: d.goName, dec: "decode" + d.goName + "(d.Bytes())", opt: true,
				enc: func(t, v string) string {
					return fmt.Sprintf("{ var b [%sLen]byte; e.Bytes(%s, append%s(b[:0], %s)) }", lowerFirst(d.goName), t, d.goName, v)
				}}
		}
		switch a.DisplayHint {
		case "mac":
			return scalar{typ: "net.HardwareAddr", dec: "net.HardwareAddr(d.Bytes())", put: "PutBytes",
				enc: func(t, v string) string { return fmt.Sprintf("e.Bytes(%s, %s)", t, v) },
				is:  func(v string) string { return v + " != nil" }}
		case "ipv4", "ipv6", "ipv4-or-v6":
			return scalar{typ: "netip.Addr", dec: "d.Addr()", put: "PutAddr",
				enc: func(t, v string) string { return fmt.Sprintf("e.Addr(%s, %s)", t, v) },
				is:  func(v string) string { return v + ".IsValid()" }}
		}
		return scalar{typ: "[]byte", dec: "d.Bytes()", put: "PutBytes",
			enc: func(t, v string) string { return fmt.Sprintf("e.Bytes(%s, %s)", t, v) },
			is:  func(v string) string { return v + " != nil" }}
	}
	// Types this generator does not model (sub-message, …) are kept as
	// their payload.
	return scalar{typ: "[]byte", dec: "d.Bytes()", put: "PutBytes",
		enc: func(t, v string) string { return fmt.Sprintf("e.Bytes(%s, %s)", t, v) },
		is:  func(v string) string { return v + " != nil" }}
}

// skipped says whether an attribute has no field: padding and attributes
// the kernel no longer uses.
func skipped(a *attr) bool { return a.Type == "pad" || a.Type == "unused" }

// attrConst is the Go name of an attribute's number.
func attrConst(set *attrSet, a *attr, s *spec) string {
	if set.SubsetOf != "" {
		set = s.sets[set.SubsetOf]
	}
	return "Attr" + set.goName + a.goName
}

func (g *gen) sets() {
	// Attribute numbers, for the full sets.
	for _, set := range g.s.AttrSets {
		if set.SubsetOf != "" {
			continue
		}
		g.p("")
		g.p("// Attributes of set %s.", set.Name)
		g.p("const (")
		for _, a := range set.Attributes {
			n := g.claim(attrConst(set, a, g.s), "", "attribute "+a.Name+" of "+set.Name)
			typ := a.Type
			if keyedLeaf(a) {
				typ += " of " + a.SubType
			}
			g.p("// %s is attribute %s of set %s (%s).", n, a.Name, set.Name, typ)
			g.p("%s = %d", n, a.value)
		}
		g.p(")")
	}
	for _, set := range g.s.AttrSets {
		g.set(set)
	}
}

// keyedLeaf says whether a is a nest-type-value whose entries are
// scalars of its sub-type rather than nests of a set (see keyedScalar).
func keyedLeaf(a *attr) bool {
	return a.Type == "nest-type-value" && a.NestedAttributes == ""
}

// keyedType is the Go type of the innermost entries of a nest-type-value.
func (g *gen) keyedType(a *attr) string {
	if keyedLeaf(a) {
		return g.valueOf(a, a.SubType).typ
	}
	return g.setType(a.NestedAttributes)
}

// setType is the Go type of a nested set: its struct, or for an ordered
// set the list of them.
func (g *gen) setType(name string) string {
	set := g.s.sets[name]
	if set == nil {
		panic("ynlgen: no attribute set " + name)
	}
	if set.ordered {
		return set.goName + "List"
	}
	return set.goName
}

// isOrdered says whether set (nil for none) is an ordered set: a list of
// attributes, each of which may come more than once (orderedSets).
func (set *attrSet) isOrdered() bool { return set != nil && set.ordered }

func (g *gen) set(set *attrSet) {
	g.p("")
	if set.SubsetOf != "" {
		g.p("// %s is attribute set %s, a subset of %s.", set.goName, set.Name, set.SubsetOf)
	} else {
		g.p("// %s is attribute set %s.", set.goName, set.Name)
	}
	g.p("type %s struct {", set.goName)
	for _, a := range set.Attributes {
		if skipped(a) {
			continue
		}
		g.p("%s %s // %s", a.goName, g.fieldType(a), a.Name)
	}
	g.p("// Unknown holds the attributes the spec does not name, in order.")
	g.p("Unknown []netlink.Attr")
	g.p("}")

	// Decode.
	g.p("")
	g.p("// Decode reads the attributes at d's current level into s, replacing")
	g.p("// what s held. Errors are d's.")
	g.p("func (s *%s) Decode(d *netlink.AttrDecoder) {", set.goName)
	g.p("*s = %s{}", set.goName)
	g.p("for d.Next() {")
	if set.ordered {
		g.p("s.decodeAttr(d)")
		g.p("}")
		g.p("}")
		g.p("")
		g.p("// decodeAttr reads the attribute d is at into s.")
		g.p("func (s *%s) decodeAttr(d *netlink.AttrDecoder) {", set.goName)
	}
	g.p("switch d.Type() {")
	for _, a := range set.Attributes {
		if skipped(a) {
			continue
		}
		g.p("case %s:", attrConst(set, a, g.s))
		g.decodeAttr(a)
	}
	g.p("default:")
	g.p("s.Unknown = append(s.Unknown, d.Attr())")
	g.p("}")
	if !set.ordered {
		g.p("}")
	}
	g.p("}")

	// Encode.
	g.p("")
	g.p("// Encode appends the attributes s holds to e.")
	g.p("func (s *%s) Encode(e *netlink.AttrEncoder) {", set.goName)
	g.p("if s == nil {")
	g.p("return")
	g.p("}")
	for _, a := range set.Attributes {
		if skipped(a) {
			continue
		}
		g.encodeAttr(set, a)
	}
	g.p("ynl.PutUnknowns(e, s.Unknown)")
	g.p("}")
	if set.ordered {
		g.list(set)
	}
}

// list writes the list type of an ordered set: a slice of its struct, one
// element per attribute, in order.
func (g *gen) list(set *attrSet) {
	l := set.goName + "List"
	g.p("")
	g.p("// %s is attribute set %s as the list it is: its attributes in", l, set.Name)
	g.p("// order, each of which may come more than once, one an element. An")
	g.p("// element with more than one field present encodes them all, in the")
	g.p("// order of %s's fields.", set.goName)
	g.p("type %s []%s", l, set.goName)
	g.p("")
	g.p("// Decode reads the attributes at d's current level into l, one element")
	g.p("// each, replacing what l held. Errors are d's.")
	g.p("func (l *%s) Decode(d *netlink.AttrDecoder) {", l)
	g.p("*l = nil")
	g.p("for d.Next() {")
	g.p("*l = append(*l, %s{})", set.goName)
	g.p("(*l)[len(*l)-1].decodeAttr(d)")
	g.p("}")
	g.p("}")
	g.p("")
	g.p("// Encode appends the attributes of l's elements to e, in order.")
	g.p("func (l *%s) Encode(e *netlink.AttrEncoder) {", l)
	g.p("if l == nil {")
	g.p("return")
	g.p("}")
	g.p("for i := range *l {")
	g.p("(*l)[i].Encode(e)")
	g.p("}")
	g.p("}")
}

// fieldType is the Go type of an attribute's field.
func (g *gen) fieldType(a *attr) string {
	switch a.Type {
	case "nest":
		t := g.setType(a.NestedAttributes)
		switch {
		case a.MultiAttr:
			return "[]" + t
		case g.ptrs[a]:
			return "*" + t
		}
		return "ynl.Opt[" + t + "]"
	case "indexed-array":
		if a.SubType == "nest" {
			return "[]" + g.setType(a.NestedAttributes)
		}
		return "[]" + g.valueOf(a, a.SubType).typ
	case "nest-type-value":
		t := g.keyedType(a)
		for range a.TypeValue {
			t = "[]ynl.Keyed[" + t + "]"
		}
		return t
	}
	v := g.valueOf(a, a.Type)
	if a.MultiAttr {
		return "[]" + v.typ
	}
	if v.opt {
		return "ynl.Opt[" + v.typ + "]"
	}
	return v.typ
}

func (g *gen) decodeAttr(a *attr) {
	f := "s." + a.goName
	switch a.Type {
	case "nest":
		t := g.setType(a.NestedAttributes)
		g.p("n := d.Enter()")
		switch {
		case a.MultiAttr:
			g.p("%s = append(%s, %s{})", f, f, t)
			g.p("%s[len(%s)-1].Decode(d)", f, f)
		case g.ptrs[a]:
			g.p("%s = new(%s)", f, t)
			g.p("%s.Decode(d)", f)
		default:
			g.p("%s.Set = true", f)
			g.p("%s.V.Decode(d)", f)
		}
		g.p("d.Exit(n)")
		return
	case "indexed-array":
		g.p("n := d.Enter()")
		g.p("for d.Next() {")
		if a.SubType == "nest" {
			t := g.setType(a.NestedAttributes)
			g.p("m := d.Enter()")
			g.p("%s = append(%s, %s{})", f, f, t)
			g.p("%s[len(%s)-1].Decode(d)", f, f)
			g.p("d.Exit(m)")
		} else {
			g.p("%s = append(%s, %s)", f, f, g.valueOf(a, a.SubType).dec)
		}
		g.p("}")
		g.p("d.Exit(n)")
		return
	case "nest-type-value":
		g.decodeTypeValue(f, a, len(a.TypeValue), 0)
		return
	}
	v := g.valueOf(a, a.Type)
	switch {
	case a.MultiAttr:
		g.p("%s = append(%s, %s)", f, f, v.dec)
	case v.opt:
		g.p("%s = ynl.Some(%s)", f, v.dec)
	default:
		g.p("%s = %s", f, v.dec)
	}
}

// decodeTypeValue decodes the levels of a nest-type-value attribute into
// the slice expression f.
func (g *gen) decodeTypeValue(f string, a *attr, levels, depth int) {
	n := fmt.Sprintf("n%d", depth)
	g.p("%s := d.Enter()", n)
	g.p("for d.Next() {")
	switch {
	case levels == 1 && keyedLeaf(a):
		v := g.valueOf(a, a.SubType)
		g.p("%s = append(%s, ynl.Keyed[%s]{Key: d.Type(), V: %s})", f, f, v.typ, v.dec)
	case levels == 1:
		g.p("%s = append(%s, ynl.Keyed[%s]{Key: d.Type()})", f, f, g.setType(a.NestedAttributes))
		g.p("m := d.Enter()")
		g.p("%s[len(%s)-1].V.Decode(d)", f, f)
		g.p("d.Exit(m)")
	default:
		inner := g.keyedType(a)
		for range levels - 1 {
			inner = "[]ynl.Keyed[" + inner + "]"
		}
		g.p("%s = append(%s, ynl.Keyed[%s]{Key: d.Type()})", f, f, inner)
		g.p("{")
		g.decodeTypeValue(fmt.Sprintf("%s[len(%s)-1].V", f, f), a, levels-1, depth+1)
		g.p("}")
	}
	g.p("}")
	g.p("d.Exit(%s)", n)
}

func (g *gen) encodeAttr(set *attrSet, a *attr) {
	f := "s." + a.goName
	t := attrConst(set, a, g.s)
	switch a.Type {
	case "nest":
		switch {
		case a.MultiAttr:
			g.p("for i := range %s {", f)
			g.p("n := e.Nest(%s)", t)
			g.p("%s[i].Encode(e)", f)
			g.p("e.End(n)")
			g.p("}")
		case g.ptrs[a]:
			g.p("if %s != nil {", f)
			g.p("n := e.Nest(%s)", t)
			g.p("%s.Encode(e)", f)
			g.p("e.End(n)")
			g.p("}")
		default:
			g.p("if %s.Set {", f)
			g.p("n := e.Nest(%s)", t)
			g.p("%s.V.Encode(e)", f)
			g.p("e.End(n)")
			g.p("}")
		}
		return
	case "indexed-array":
		g.p("if %s != nil {", f)
		g.p("n := e.Nest(%s)", t)
		g.p("for i := range %s {", f)
		if a.SubType == "nest" {
			g.p("m := e.Nest(uint16(i + 1))")
			g.p("%s[i].Encode(e)", f)
			g.p("e.End(m)")
		} else {
			g.p("%s", g.valueOf(a, a.SubType).enc("uint16(i + 1)", f+"[i]"))
		}
		g.p("}")
		g.p("e.End(n)")
		g.p("}")
		return
	case "nest-type-value":
		if a.MultiAttr {
			// One nest per entry, as the kernel sends a keyed scalar.
			g.p("for _, k0 := range %s {", f)
			g.p("n := e.Nest(%s)", t)
			g.encodeKeyed(a, "k0", len(a.TypeValue), 0)
			g.p("e.End(n)")
			g.p("}")
			return
		}
		g.p("if %s != nil {", f)
		g.p("n := e.Nest(%s)", t)
		g.encodeTypeValue(a, f, len(a.TypeValue), 0)
		g.p("e.End(n)")
		g.p("}")
		return
	}
	v := g.valueOf(a, a.Type)
	switch {
	case a.MultiAttr:
		g.p("for _, v := range %s {", f)
		g.p("%s", v.enc(t, "v"))
		g.p("}")
	case v.put != "":
		g.p("ynl.%s(e, %s, %s)", v.put, t, f)
	case v.opt:
		g.p("if %s.Set {", f)
		g.p("%s", v.enc(t, f+".V"))
		g.p("}")
	default:
		g.p("if %s {", v.is(f))
		g.p("%s", v.enc(t, f))
		g.p("}")
	}
}

// encodeTypeValue encodes the levels of a nest-type-value attribute
// held in the slice expression f.
func (g *gen) encodeTypeValue(a *attr, f string, levels, depth int) {
	k := fmt.Sprintf("k%d", depth)
	g.p("for _, %s := range %s {", k, f)
	g.encodeKeyed(a, k, levels, depth)
	g.p("}")
}

// encodeKeyed encodes the entry k of a level of a nest-type-value: a
// scalar whose attribute type is k.Key, or a nest of that type holding
// k.V (the set, or the next level).
func (g *gen) encodeKeyed(a *attr, k string, levels, depth int) {
	if levels == 1 && keyedLeaf(a) {
		g.p("%s", g.valueOf(a, a.SubType).enc(k+".Key", k+".V"))
		return
	}
	m := fmt.Sprintf("m%d", depth)
	g.p("%s := e.Nest(%s.Key)", m, k)
	if levels == 1 {
		g.p("%s.V.Encode(e)", k)
	} else {
		g.encodeTypeValue(a, k+".V", levels-1, depth+1)
	}
	g.p("e.End(%s)", m)
}
