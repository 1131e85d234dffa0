package main

import (
	"strings"
	"testing"
)

// TestConstant checks how a value is chosen: the shared files' value; a
// per-architecture value only when every architecture agrees on it; and
// an error, never a guess, for one that differs or is not a literal.
func TestConstant(t *testing.T) {
	s := &source{
		common: map[string]string{"RTM_NEWLINK": "0x10", "ENOENT": ""},
		arch: map[string]map[string]string{
			"SAME":   {"386": "0x1", "amd64": "0x1", "mips": "0x1"},
			"DIFFER": {"386": "0x5f", "amd64": "0x5f", "mips": "0x7a"},
		},
	}
	for _, tc := range []struct {
		name, want string
		ok         bool
		err        string
	}{
		{name: "RTM_NEWLINK", want: "0x10", ok: true},
		{name: "SAME", want: "0x1", ok: true},
		{name: "NOSUCH"},
		{name: "DIFFER", err: "0x5f on 386 but 0x7a on mips"},
		{name: "ENOENT", err: "not a literal"},
	} {
		v, ok, err := s.constant(tc.name)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("constant(%s): error %v, want one saying %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || v != tc.want || ok != tc.ok {
			t.Errorf("constant(%s) = %q, %v, %v; want %q, %v, nil", tc.name, v, ok, err, tc.want, tc.ok)
		}
	}
}
