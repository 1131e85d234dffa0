package main

import (
	"bufio"
	"bytes"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// generateConsts returns the source of a constants-only package for a
// spec of any protocol (the raw families' too): attribute numbers, enum
// and flag values, constants, struct sizes and member offsets, and the
// formats of its sub-messages. cNames collects, for the test that checks
// them, each value's C name where the spec gives its prefix.
func generateConsts(s *spec, pkg, header string, cNames map[string]string) ([]byte, error) {
	g := &gen{s: s, names: map[string]string{}, ptrs: map[*attr]bool{}, raw: true}
	g.nameAll()
	g.p("%s", header)
	g.p("")
	g.p("// Package %s has the constants of the %s netlink family as its spec", pkg, s.Name)
	g.p("// says: attribute numbers, enum values, struct layouts, sub-messages.")
	g.p("package %s", pkg)
	g.p("")
	g.p("// FamilyName is the spec's name of the family.")
	g.p("const FamilyName = %q", s.Name)
	cname := func(prefix, name string) string {
		return strings.ToUpper(strings.ReplaceAll(prefix+name, "-", "_"))
	}
	for i := range s.Definitions {
		d := &s.Definitions[i]
		switch d.Type {
		case "const":
			g.p("")
			g.p("// %s is constant %s.", d.goName, d.Name)
			if v, ok := d.Value.(string); ok {
				g.p("const %s = %q", d.goName, v)
			} else {
				g.p("const %s = %v", d.goName, d.Value)
			}
		case "enum", "flags":
			g.p("")
			g.p("// Values of %s %s.", d.Type, d.Name)
			g.p("const (")
			for _, e := range d.Entries {
				n := g.claim(d.goName+g.goName(e.Name), d.goName+g.goName(e.Name)+"Value", "entry "+e.Name+" of "+d.Name)
				g.p("%s = %#x // %s", n, e.value, e.Name)
				if d.NamePrefix != "" {
					cNames[n] = cname(d.NamePrefix, e.Name)
				}
			}
			g.p(")")
		case "struct":
			size := 0
			g.p("")
			g.p("// Layout of struct %s: its size, and each member's offset.", d.Name)
			g.p("const (")
			for _, m := range d.Members {
				_, n := packedMemberType(m)
				if m.Type != "pad" {
					g.p("%s%sOffset = %d // %s, %s", d.goName, g.goName(m.Name), size, m.Name, m.Type)
				}
				size += n
			}
			g.p("%sLen = %d", d.goName, size)
			g.p(")")
		}
	}
	for _, set := range s.AttrSets {
		if set.SubsetOf != "" {
			continue
		}
		g.p("")
		g.p("// Attributes of set %s.", set.Name)
		g.p("const (")
		for _, a := range set.Attributes {
			n := g.claim(attrConst(set, a, s), "", "attribute "+a.Name+" of "+set.Name)
			g.p("%s = %d // %s (%s)", n, a.value, a.Name, a.Type)
			if set.NamePrefix != "" {
				cNames[n] = cname(set.NamePrefix, a.Name)
			}
		}
		g.p(")")
	}
	if len(s.SubMessages) > 0 {
		g.p("")
		g.p("// SubMessages are the spec's sub-messages: for each, the attribute set")
		g.p("// (or, in brackets, the fixed header) that each value of its selector")
		g.p("// picks; \"\" for a value that carries nothing the spec describes.")
		g.p("var SubMessages = map[string]map[string]string{")
		for _, m := range s.SubMessages {
			g.p("%q: {", m.Name)
			for _, f := range m.Formats {
				v := f.AttributeSet
				if f.FixedHeader != "" {
					v = "[" + f.FixedHeader + "]" + v
				}
				g.p("%q: %q,", f.Value, v)
			}
			g.p("},")
		}
		g.p("}")
	}
	return format.Source(g.buf.Bytes())
}

// generateConstsTest returns a test that checks each constant with a C
// name against golang.org/x/sys/unix, for the names unix has; nil if
// there are none (a spec without name-prefixes gives no C names).
func generateConstsTest(pkg, header string, cNames map[string]string, unix map[string]bool) ([]byte, error) {
	var keys []string
	for k, c := range cNames {
		if unix[c] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return nil, nil
	}
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("%s", header)
	p("")
	p("//go:build linux")
	p("")
	p("package %s", pkg)
	p("")
	p("import (")
	p("%q", "testing")
	p("")
	p("%q", "golang.org/x/sys/unix")
	p(")")
	p("")
	p("// TestUnix checks the spec's values against golang.org/x/sys/unix, whose")
	p("// names internal/uapi and the hand-written packages use: %d of the %d", len(keys), len(cNames))
	p("// values with a C name (the spec's name-prefix and name) are there.")
	p("func TestUnix(t *testing.T) {")
	p("for _, c := range []struct {")
	p("name string")
	p("spec, unix int64")
	p("}{")
	for _, k := range keys {
		p("{%q, %s, unix.%s},", cNames[k], k, cNames[k])
	}
	p("} {")
	p("if c.spec != c.unix {")
	p(`t.Errorf("%%s: spec %%d, x/sys/unix %%d", c.name, c.spec, c.unix)`)
	p("}")
	p("}")
	p("}")
	return format.Source(b.Bytes())
}

// unixNames lists the constants golang.org/x/sys/unix defines for Linux,
// from its source in the module cache, found from dir (in the library's
// module).
func unixNames(dir string) (map[string]bool, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/sys")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("finding golang.org/x/sys: %w", err)
	}
	files, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "unix", "z*_linux*.go"))
	names := map[string]bool{}
	re := regexp.MustCompile(`^\s+([A-Z][A-Z0-9_]+)\s+= `)
	for _, f := range files {
		if !strings.HasSuffix(f, "_linux.go") && !strings.HasSuffix(f, "_linux_amd64.go") {
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				names[m[1]] = true
			}
		}
		fh.Close()
	}
	return names, nil
}

// packedMemberType is the Go type and size of a struct member as the
// constants of raw families lay structs out: each member right after the
// one before, with no padding, and a binary member its len bytes (0
// without one, as for a member that is a struct of its own). Generated
// families lay structs out as C does (spec.layout); the constants keep
// this layout until they are checked against the kernel's, which differs
// for rt-link's rtnl-link-ifmap (32 bytes in C, 28 here) and
// ifla-vf-guid (guid at offset 8, 4 here), and for tc's structs that
// hold structs.
func packedMemberType(m member) (string, int) {
	switch m.Type {
	case "u8":
		return "uint8", 1
	case "u16":
		return "uint16", 2
	case "u32":
		return "uint32", 4
	case "u64":
		return "uint64", 8
	case "s8":
		return "int8", 1
	case "s16":
		return "int16", 2
	case "s32":
		return "int32", 4
	case "s64":
		return "int64", 8
	case "binary", "pad":
		n, _ := strconv.Atoi(fmt.Sprint(m.Len))
		return fmt.Sprintf("[%d]byte", n), n
	}
	panic("ynlgen: struct member " + m.Name + " has type " + m.Type)
}
