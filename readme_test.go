package netlink_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeExample is a marker before a Go block of README.md, naming the
// Example whose body the block is: the package's directory ("netlink" for
// the root) and the function, as in
//
//	<!-- example: rtnetlink.Example_addAddress -->
var readmeExample = regexp.MustCompile("(?s)<!-- example: ([a-z/]+)\\.(Example\\w*) -->\n```go\n(.*?)```")

// TestREADMEExamples checks that every Go block of README.md is, line for
// line and but for indentation, the body of the Example its marker names,
// so that the README's code compiles (go test builds the Examples) and
// cannot drift from it.
func TestREADMEExamples(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	blocks := strings.Count(readme, "```go\n")
	found := readmeExample.FindAllStringSubmatch(readme, -1)
	if blocks == 0 || len(found) != blocks {
		t.Fatalf("README.md has %d Go blocks and %d of them follow an <!-- example: pkg.ExampleName --> marker; want all", blocks, len(found))
	}
	for _, m := range found {
		pkg, name, snippet := m[1], m[2], m[3]
		dir := pkg
		if pkg == "netlink" {
			dir = "."
		}
		body, ok := exampleBody(t, dir, name)
		if !ok {
			t.Errorf("README.md names %s.%s, which %s/*_test.go does not have", pkg, name, dir)
			continue
		}
		if got, want := unindent(snippet), unindent(body); got != want {
			t.Errorf("README.md's block for %s.%s differs from the Example's body; the body is:\n%s", pkg, name, want)
		}
	}
}

// exampleBody returns the source between the braces of the function name
// in the test files of dir.
func exampleBody(t *testing.T, dir, name string) (string, bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == name && fn.Body != nil {
				return string(src[fset.Position(fn.Body.Lbrace).Offset+1 : fset.Position(fn.Body.Rbrace).Offset]), true
			}
		}
	}
	return "", false
}

// unindent trims the white space around each line of s, and the blank lines
// around s.
func unindent(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}
