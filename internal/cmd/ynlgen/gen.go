package main

import (
	"bytes"
	"fmt"
	"go/format"
	"regexp"
	"strconv"
	"strings"
)

// gen writes one package's Go code for a spec.
type gen struct {
	s     *spec
	buf   bytes.Buffer
	names map[string]string // exported package-level name → what claimed it
	ptrs  map[*attr]bool    // nests held by pointer, to break a cycle of sets
	// header is the struct every message carries before its attributes
	// (the spec's fixed-header), nil for none.
	header *definition
	raw    bool // constants of a raw family (-consts): names by rawName
}

// fixedHeader finds the family's fixed header, if it has one: a struct
// the spec defines. An operation with a fixed header of its own (which
// the schema allows and no spec here has) is an error.
func (g *gen) fixedHeader() error {
	s := g.s
	for _, op := range s.Operations.List {
		if op.FixedHeader != "" && op.FixedHeader != s.Operations.FixedHeader {
			return fmt.Errorf("%s: operation %s has a fixed header of its own, %s: not generated yet", s.Name, op.Name, op.FixedHeader)
		}
	}
	name := s.Operations.FixedHeader
	if name == "" {
		return nil
	}
	d := s.defs[name]
	if d == nil || d.Type != "struct" {
		return fmt.Errorf("%s: fixed header %q is not a struct of the spec", s.Name, name)
	}
	g.header = d
	return nil
}

func (g *gen) p(format string, args ...any) {
	fmt.Fprintf(&g.buf, format, args...)
	g.buf.WriteByte('\n')
}

// claim reserves a package-level name, or the alternative if it is taken.
func (g *gen) claim(name, alt, what string) string {
	if _, taken := g.names[name]; !taken {
		g.names[name] = what
		return name
	}
	if _, taken := g.names[alt]; alt != "" && !taken {
		g.names[alt] = what
		return alt
	}
	panic(fmt.Sprintf("ynlgen: %s: name %s is taken by %s", what, name, g.names[name]))
}

// generate returns the formatted source of package pkg for s.
func generate(s *spec, pkg, header string) ([]byte, error) {
	if s.Protocol == "netlink-raw" {
		return nil, fmt.Errorf("%s: raw netlink families are not generated yet", s.Name)
	}
	g := &gen{s: s, names: map[string]string{}, ptrs: map[*attr]bool{}}
	if err := g.fixedHeader(); err != nil {
		return nil, err
	}
	for _, n := range []string{"Client", "New", "FamilyName", "FamilyVersion", "Spec", "GroupNames", "Parse"} {
		g.names[n] = "the package"
	}
	g.nameAll()
	g.findCycles()

	g.family()
	g.definitions()
	g.sets()
	g.client()
	g.specValue()
	g.p("")
	g.p("// Traces name the family's commands, attributes, enum values and flags")
	g.p("// as the spec does.")
	g.p("func init() { ynl.RegisterNames(Spec) }")
	body := g.buf

	g.buf = bytes.Buffer{}
	g.p("%s", header)
	g.p("")
	g.p("package %s", pkg)
	g.p("")
	g.p("import (")
	for _, imp := range []string{"context", "encoding/binary", "iter", "net", "net/netip", "", "github.com/nlkit/netlink", "github.com/nlkit/netlink/genetlink", "github.com/nlkit/netlink/genetlink/ynl"} {
		switch {
		case imp == "":
			g.p("")
		case regexp.MustCompile(`\b` + pathBase(imp) + `\.[A-Z]`).Match(body.Bytes()):
			g.p("%q", imp)
		}
	}
	g.p(")")
	g.buf.Write(body.Bytes())
	out, err := format.Source(g.buf.Bytes())
	if err != nil {
		return g.buf.Bytes(), fmt.Errorf("formatting %s: %w", s.Name, err)
	}
	return out, nil
}

func pathBase(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// nameAll gives Go names to the definitions, sets, attributes and
// operations: types first, so that they keep the plain names.
func (g *gen) nameAll() {
	s := g.s
	for i := range s.Definitions {
		d := &s.Definitions[i]
		d.goName = g.claim(g.goName(d.Name), g.goName(d.Name)+"Value", "definition "+d.Name)
	}
	for _, set := range s.AttrSets {
		set.goName = g.claim(g.goName(set.Name), g.goName(set.Name)+"Attrs", "attribute set "+set.Name)
		if set.ordered {
			g.claim(set.goName+"List", "", "the list of attribute set "+set.Name)
		}
		for _, a := range set.Attributes {
			a.goName = g.goName(a.Name)
			if a.goName == "Unknown" {
				a.goName = "UnknownAttr"
			}
		}
	}
	for _, op := range s.Operations.List {
		op.goName = g.goName(op.Name)
	}
}

// findCycles marks the nests that must be pointers: the ones that close a
// cycle of sets held by value.
func (g *gen) findCycles() {
	const (
		white = iota
		grey
		black
	)
	state := map[string]int{}
	var visit func(set *attrSet)
	visit = func(set *attrSet) {
		state[set.Name] = grey
		for _, a := range set.Attributes {
			if a.Type != "nest" || a.MultiAttr || g.s.sets[a.NestedAttributes].isOrdered() {
				continue // a slice
			}
			next := g.s.sets[a.NestedAttributes]
			if next == nil {
				continue
			}
			switch state[next.Name] {
			case grey:
				g.ptrs[a] = true
			case white:
				visit(next)
			}
		}
		state[set.Name] = black
	}
	for _, set := range g.s.AttrSets {
		if state[set.Name] == white {
			visit(set)
		}
	}
}

func (g *gen) family() {
	s := g.s
	version := 1
	if s.Version != nil {
		version = *s.Version
	}
	g.p("")
	g.p("// FamilyName is the name the family is registered by.")
	g.p("const FamilyName = %q", s.Name)
	g.p("")
	g.p("// FamilyVersion is the version of the family's interface the spec describes.")
	g.p("const FamilyVersion = %d", version)
	if len(s.McastGroups.List) > 0 {
		g.p("")
		g.p("// Multicast groups of the family, by name.")
		g.p("const (")
		for _, m := range s.McastGroups.List {
			n := g.claim("Group"+g.goName(m.Name), "", "group "+m.Name)
			g.p("// %s is multicast group %s.", n, m.Name)
			g.p("%s = %q", n, m.Name)
		}
		g.p(")")
	}
	g.p("")
	g.p("// Commands of the family: each operation's request, and its reply or")
	g.p("// notification where that has a number of its own.")
	g.p("const (")
	for _, op := range s.Operations.List {
		if op.Do != nil || op.Dump != nil {
			if op.req >= 0 {
				n := g.claim("Cmd"+op.goName, "", "operation "+op.Name)
				g.p("// %s is the request of operation %s.", n, op.Name)
				g.p("%s = %d", n, op.req)
			}
			if op.rsp >= 0 && op.rsp != op.req {
				n := g.claim("Cmd"+op.goName+"Reply", "", "operation "+op.Name)
				g.p("// %s is the reply of operation %s.", n, op.Name)
				g.p("%s = %d", n, op.rsp)
			}
		} else if op.rsp >= 0 {
			n := g.claim("Cmd"+op.goName, "", "operation "+op.Name)
			g.p("// %s is notification %s.", n, op.Name)
			g.p("%s = %d", n, op.rsp)
		}
	}
	g.p(")")
	g.p("")
	g.p("// commandNames name the requests in errors.")
	g.p("var commandNames = map[uint8]string{")
	seen := map[int]bool{}
	for _, op := range s.Operations.List {
		if (op.Do != nil || op.Dump != nil) && op.req >= 0 && !seen[op.req] {
			seen[op.req] = true
			g.p("%d: %q,", op.req, op.Name)
		}
	}
	g.p("}")
}

func (g *gen) definitions() {
	for i := range g.s.Definitions {
		d := &g.s.Definitions[i]
		switch d.Type {
		case "const":
			g.p("")
			g.p("// %s is constant %s.", d.goName, d.Name)
			switch v := d.Value.(type) {
			case string:
				g.p("const %s = %q", d.goName, v)
			default:
				g.p("const %s = %v", d.goName, v)
			}
		case "enum", "flags":
			g.enum(d)
		case "struct":
			g.structDef(d)
		}
	}
}

func (d *definition) base() string {
	if d.wide {
		return "uint64"
	}
	return "uint32"
}

func (g *gen) enum(d *definition) {
	kind := "enum"
	if d.Type == "flags" {
		kind = "flags"
	}
	g.p("")
	g.p("// %s is %s %s.", d.goName, kind, d.Name)
	g.p("type %s %s", d.goName, d.base())
	if len(d.Entries) > 0 {
		g.p("")
		g.p("// Values of %s.", d.goName)
		g.p("const (")
		for _, e := range d.Entries {
			n := g.claim(d.goName+g.goName(e.Name), d.goName+g.goName(e.Name)+"Value", "entry "+e.Name+" of "+d.Name)
			g.p("// %s is %s %s.", n, d.Name, e.Name)
			if d.Type == "flags" {
				g.p("%s %s = %#x", n, d.goName, e.value)
			} else {
				g.p("%s %s = %d", n, d.goName, e.value)
			}
		}
		g.p(")")
	}
	names := lowerFirst(d.goName) + "Names"
	g.p("")
	g.p("var %s = []ynl.Name{", names)
	for _, e := range d.Entries {
		g.p("{V: %#x, Name: %q},", e.value, e.Name)
	}
	g.p("}")
	g.p("")
	if d.Type == "flags" {
		g.p("// String lists the flags set in v by their names in the spec, as in \"a|b\".")
		g.p("func (v %s) String() string { return ynl.FlagsString(uint64(v), %s) }", d.goName, names)
	} else {
		g.p("// String returns the spec's name for v.")
		g.p("func (v %s) String() string { return ynl.EnumString(uint64(v), %s, %q) }", d.goName, names, d.Name)
	}
}

// memberType is the Go type and size of a struct member.
func (g *gen) memberType(m member) (string, int) {
	n, _, err := g.s.memberSize(m)
	if err != nil {
		panic("ynlgen: " + err.Error())
	}
	switch m.Type {
	case "u8":
		return "uint8", n
	case "u16":
		return "uint16", n
	case "u32":
		return "uint32", n
	case "u64":
		return "uint64", n
	case "s8":
		return "int8", n
	case "s16":
		return "int16", n
	case "s32":
		return "int32", n
	case "s64":
		return "int64", n
	}
	return fmt.Sprintf("[%d]byte", n), n // binary, pad
}

func (g *gen) structDef(d *definition) {
	sum := 0
	g.p("")
	g.p("// %s is struct %s.", d.goName, d.Name)
	for _, m := range d.Members {
		_, n := g.memberType(m)
		sum += n
	}
	if sum != d.size {
		g.p("// It takes %d bytes, as C lays it out: %d of padding beside its members'", d.size, d.size-sum)
		g.p("// %d, which the spec does not give but the kernel wants.", sum)
	}
	g.p("type %s struct {", d.goName)
	for _, m := range d.Members {
		t, _ := g.memberType(m)
		if m.Type == "pad" {
			continue
		}
		g.p("%s %s // %s", g.goName(m.Name), t, m.Name)
	}
	g.p("}")
	low := lowerFirst(d.goName)
	g.p("")
	g.p("// %sLen is the size of %s in bytes.", low, d.goName)
	g.p("const %sLen = %d", low, d.size)
	g.p("")
	g.p("// decode%s reads a %s from b. A short b reads as zeros where it ends.", d.goName, d.Name)
	g.p("func decode%s(b []byte) (s %s) {", d.goName, d.goName)
	g.p("var w [%sLen]byte", low)
	g.p("copy(w[:], b)")
	for _, m := range d.Members {
		t, n := g.memberType(m)
		off := m.offset
		order := "binary.NativeEndian"
		if m.ByteOrder == "big-endian" {
			order = "binary.BigEndian"
		}
		f := "s." + g.goName(m.Name)
		switch m.Type {
		case "pad":
		case "binary":
			g.p("copy(%s[:], w[%d:%d])", f, off, off+n)
		case "u8":
			g.p("%s = w[%d]", f, off)
		case "s8":
			g.p("%s = int8(w[%d])", f, off)
		default:
			bits := strconv.Itoa(8 * n)
			if strings.HasPrefix(t, "int") {
				g.p("%s = %s(%s.Uint%s(w[%d:]))", f, t, order, bits, off)
			} else {
				g.p("%s = %s.Uint%s(w[%d:])", f, order, bits, off)
			}
		}
	}
	g.p("return s")
	g.p("}")
	g.p("")
	g.p("// append%s appends s to b as a %s.", d.goName, d.Name)
	g.p("func append%s(b []byte, s %s) []byte {", d.goName, d.goName)
	at := 0 // bytes appended so far
	pad := func(to int) {
		if to > at {
			g.p("b = append(b, make([]byte, %d)...) // C's padding", to-at)
		}
	}
	for _, m := range d.Members {
		t, n := g.memberType(m)
		pad(m.offset)
		order := "binary.NativeEndian"
		if m.ByteOrder == "big-endian" {
			order = "binary.BigEndian"
		}
		f := "s." + g.goName(m.Name)
		switch m.Type {
		case "pad":
			g.p("b = append(b, make([]byte, %d)...)", n)
		case "binary":
			g.p("b = append(b, %s[:]...)", f)
		case "u8":
			g.p("b = append(b, %s)", f)
		case "s8":
			g.p("b = append(b, uint8(%s))", f)
		default:
			bits := strconv.Itoa(8 * n)
			if strings.HasPrefix(t, "int") {
				g.p("b = %s.AppendUint%s(b, uint%s(%s))", order, bits, bits, f)
			} else {
				g.p("b = %s.AppendUint%s(b, %s)", order, bits, f)
			}
		}
		at = m.offset + n
	}
	pad(d.size)
	g.p("return b")
	g.p("}")
	if d.array {
		g.p("")
		g.p("// decode%sArray reads an array of %s from b, each %sLen bytes; a", d.goName, d.Name, low)
		g.p("// short last one reads as zeros where b ends.")
		g.p("func decode%sArray(b []byte) []%s {", d.goName, d.goName)
		g.p("s := make([]%s, 0, (len(b)+%sLen-1)/%sLen)", d.goName, low, low)
		g.p("for len(b) > 0 {")
		g.p("s = append(s, decode%s(b))", d.goName)
		g.p("b = b[min(len(b), %sLen):]", low)
		g.p("}")
		g.p("return s")
		g.p("}")
		g.p("")
		g.p("// append%sArray appends s to b as an array of %s.", d.goName, d.Name)
		g.p("func append%sArray(b []byte, s []%s) []byte {", d.goName, d.goName)
		g.p("for _, v := range s {")
		g.p("b = append%s(b, v)", d.goName)
		g.p("}")
		g.p("return b")
		g.p("}")
	}
}
