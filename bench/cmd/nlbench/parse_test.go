package main

import (
	"net/netip"
	"testing"
)

// TestParseSS reads ss -tnHe's lines as run.sh's ss rows do.
func TestParseSS(t *testing.T) {
	out := []byte("0      0      198.18.1.1:38658 198.18.0.1:443 ino:155098 sk:37c4 cgroup:unreachable:1 <->\n" +
		"0      0      198.18.1.5:34418 198.18.0.1:443 ino:155106 sk:37c5 cgroup:unreachable:1 <->\n")
	k, sum := parseSS(out)
	want := sdSum(155098, netip.MustParseAddr("198.18.1.1"), 38658, 443) +
		sdSum(155106, netip.MustParseAddr("198.18.1.5"), 34418, 443)
	if k != 2 || sum != want {
		t.Errorf("parseSS: %d sockets, sum %x; want 2, %x", k, sum, want)
	}
}

// TestNftJSON reads nft -j list ruleset's output of a small ruleset of
// nft.go's shape: two port rules and the lookup, three elements.
func TestNftJSON(t *testing.T) {
	out := []byte(`{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
{"table": {"family": "inet", "name": "bench", "handle": 1}},
{"set": {"family": "inet", "name": "blocked", "table": "bench", "type": "ipv4_addr", "handle": 2, "elem": ["198.18.0.0", "198.18.0.1", "198.18.0.2"]}},
{"chain": {"family": "inet", "table": "bench", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
{"rule": {"family": "inet", "table": "bench", "chain": "input", "handle": 3, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@blocked"}}, {"drop": null}]}},
{"rule": {"family": "inet", "table": "bench", "chain": "input", "handle": 4, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 1}}, {"accept": null}]}},
{"rule": {"family": "inet", "table": "bench", "chain": "input", "handle": 5, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 2}}, {"accept": null}]}}]}`)
	rules, sum := nftJSON(out)
	var acc nftAcc
	acc.rules = 3
	acc.lookup()
	acc.port(1)
	acc.port(2)
	for i := range 3 {
		acc.key(nftKey(i))
	}
	wantRules, want := acc.result()
	if rules != wantRules || sum != want || nftElemsRead != 3 {
		t.Errorf("nftJSON: %d rules, sum %x, %d elements; want %d, %x, 3", rules, sum, nftElemsRead, wantRules, want)
	}
}
