package main

import (
	"bytes"
	"slices"
	"strings"
)

// skipScanner is an io.Writer that reads a Go test binary's -test.v
// output and keeps the names of the tests that skipped: the testing
// package ends each one with a line "--- SKIP: NAME (DURATION)", indented
// by four spaces per level for a subtest.
type skipScanner struct {
	line    []byte // the current line, its first maxSkipLine bytes
	skipped []string
}

// maxSkipLine bounds what skipScanner keeps of a line: the name of a test
// is all it needs, and a test may print a line of any length.
const maxSkipLine = 4096

func (s *skipScanner) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.add(p)
			break
		}
		s.add(p[:i])
		if name, ok := skipName(string(s.line)); ok {
			s.skipped = append(s.skipped, name)
		}
		s.line = s.line[:0]
		p = p[i+1:]
	}
	return n, nil
}

func (s *skipScanner) add(p []byte) {
	if room := maxSkipLine - len(s.line); room < len(p) {
		p = p[:max(room, 0)]
	}
	s.line = append(s.line, p...)
}

// skipName returns the name of the test a "--- SKIP: " line of -test.v
// output reports.
func skipName(line string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimLeft(line, " \t"), "--- SKIP: ")
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(strings.TrimRight(rest, "\r"), " ")
	return name, name != ""
}

// disallowedSkips returns the names in skipped that allowed does not
// name, in order and once each.
func disallowedSkips(skipped []string, allowed map[string]string) []string {
	var bad []string
	for _, n := range skipped {
		if _, ok := allowed[n]; !ok && !slices.Contains(bad, n) {
			bad = append(bad, n)
		}
	}
	return bad
}
