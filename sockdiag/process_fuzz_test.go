package sockdiag

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzParseSocketLink checks parseSocketLink against strconv: it accepts
// exactly "socket:[N]" with N a canonical decimal uint32.
func FuzzParseSocketLink(f *testing.F) {
	for _, s := range []string{"socket:[4000]", "socket:[0]", "socket:[4294967295]", "socket:[4294967296]",
		"socket:[01]", "socket:[]", "socket:[+1]", "pipe:[12]", "anon_inode:[eventfd]", "/dev/null", "socket:[12", "socket:[-1]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := parseSocketLink(b)
		s := string(b)
		digits, isSocket := strings.CutPrefix(s, "socket:[")
		digits, closed := strings.CutSuffix(digits, "]")
		v, err := strconv.ParseUint(digits, 10, 32)
		want := isSocket && closed && err == nil && strconv.FormatUint(v, 10) == digits
		if ok != want || (ok && uint64(got) != v) {
			t.Fatalf("parseSocketLink(%q) = %d, %v; want %d, %v", b, got, ok, v, want)
		}
	})
}
