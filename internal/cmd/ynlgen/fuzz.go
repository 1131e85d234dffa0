package main

import (
	"bytes"
	"fmt"
	"go/format"
)

// generateFuzz returns the source of the package's round-trip fuzz target:
// for each attribute set, bytes that decode are encoded and decoded again,
// and must give the same value.
func generateFuzz(s *spec, pkg, header string) ([]byte, error) {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("%s", header)
	p("")
	p("package %s", pkg)
	p("")
	p("import (")
	p("%q", "testing")
	p("")
	p("%q", "github.com/nlkit/netlink/genetlink/ynl/ynltest")
	p(")")
	p("")
	p("// fuzzSets are the attribute sets FuzzRoundTrip checks; its first argument")
	p("// picks one.")
	p("var fuzzSets = []struct {")
	p("name string")
	p("check func(*testing.T, []byte)")
	p("}{")
	for _, set := range s.AttrSets {
		p("{%q, ynltest.RoundTrip[%s]},", set.Name, set.goName)
	}
	for _, set := range s.AttrSets {
		if set.ordered {
			p("{%q, ynltest.RoundTrip[%sList]},", set.Name+" list", set.goName)
		}
	}
	p("}")
	p("")
	p("// FuzzRoundTrip decodes attributes into one of the sets, encodes what it")
	p("// decoded, decodes that again and compares. Seeds: each set empty, and the")
	p("// kernel's replies in testdata/fuzz.")
	p("func FuzzRoundTrip(f *testing.F) {")
	p("for i := range fuzzSets {")
	p("f.Add(uint8(i), []byte{})")
	p("}")
	p("f.Fuzz(func(t *testing.T, which uint8, b []byte) {")
	p("fuzzSets[int(which)%%len(fuzzSets)].check(t, b)")
	p("})")
	p("}")
	return format.Source(b.Bytes())
}
