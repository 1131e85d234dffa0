package main

import (
	"errors"
	"strings"
	"testing"
)

// badRules are rules this program refuses before anything is sent, each
// with the word its error names: words of nft's rule language this
// program does not know (nftAccepts: nft takes the rule), and rules nft
// refuses too.
var badRules = []struct {
	rule       string // FAMILY CHAIN STATEMENT...
	word       string
	nftAccepts bool
}{
	{"ip c sctp dport 22 accept", "sctp", true},
	{"ip c ip ttl 64 accept", "ttl", true},
	{"ip c tcp dport 22 queue", "queue", true},
	{"ip c meta skuid 0 accept", "skuid", true},
	{"ip c tcp flags syn accept", "flags", true},
	{"ip c tcp dport ssh accept", "ssh", true},
	{"ip c iif lo accept", "lo", true},
	{"ip c meta mark set 1", "set", true},
	{"ip c tcp dport 22 frobnicate", "frobnicate", false},
	{"ip c tcp dport 70000 accept", "70000", false},
	{"ip c ip saddr 198.18.0.300 drop", "198.18.0.300", false},
	{"ip c ip saddr 198.18.0.0/33 drop", "33", false},
	{"ip c tcp dport { 22, 80 accept", "accept", false},
	{"ip c tcp dport { 22, 80", "end of rule", false},
	{"ip c tcp dport vmap { 22 : frob }", "frob", false},
	{"ip c ct state bogus accept", "bogus", false},
	{"ip c log level loud", "loud", false},
	{"ip c limit rate 10/fortnight", "10/fortnight", false},
	{"ip c reject with icmp type bogus", "bogus", false},
	{"ip c jump", "end of rule", false},
	{"ip c accept comment", "end of rule", false},
	{"ip c ip6 saddr ::1 accept", "ip vs. ip6", false},
	{"ip c tcp dport 22 udp dport 53 accept", "tcp vs. udp", false},
	{"ip c meta nfproto ipv4 accept", "inet family", false},
	{"ip p dnat to 198.18.0.2:80", "transport protocol", false},
	{"inet p dnat to 198.18.0.2", "ip or ip6", false},
	{"ip c reject with icmpx type port-unreachable", "abstracted ICMP", false},
	{"inet c ip saddr 198.18.0.1 ip6 saddr ::1 accept", "ip vs. ip6", false},
}

// TestRefusesRules checks that each bad rule fails in parsing, before a
// socket is opened, with an error that names its word, and that the
// program exits as nft does on a syntax error.
func TestRefusesRules(t *testing.T) {
	for _, c := range badRules {
		fs := strings.Fields(c.rule)
		args := append([]string{"add", "rule", fs[0], "t", fs[1]}, fs[2:]...)
		_, err := parse(args)
		if err == nil {
			t.Errorf("%s: no error", c.rule)
			continue
		}
		if !strings.Contains(err.Error(), c.word) {
			t.Errorf("%s: %v, which does not name %q", c.rule, err, c.word)
		}
		// run parses before it dials: a namespace that does not exist
		// is never reached.
		if err2 := run(t.Context(), nil, options{netns: "nftex-none"}, args); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("%s: run: %v", c.rule, err2)
		}
	}
	for _, args := range [][]string{
		{"add", "rule", "ip", "t"},
		{"add", "rule", "ip", "t", "c"},
		{"insert", "chain", "ip", "t", "c"},
		{"replace", "rule", "ip", "t", "c", "accept"},
		{"replace", "rule", "ip", "t", "c", "handle", "0", "accept"},
		{"add", "rule", "ip", "t", "c", "handle", "x", "accept"},
		{"create", "rule", "ip", "t", "c", "accept"},
	} {
		if _, err := parse(args); err == nil {
			t.Errorf("%s: no error", args)
		} else if !errors.As(err, new(usageError)) {
			t.Errorf("%s: %v is not a syntax error", args, err)
		}
	}
}
