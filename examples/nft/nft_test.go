//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/nstest"
)

// TestMain runs main when the test binary is asked to (NFT_EXAMPLE_MAIN),
// so the tests can check its exit status.
func TestMain(m *testing.M) {
	if os.Getenv("NFT_EXAMPLE_MAIN") == "1" {
		os.Args = append([]string{"nft"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// corpus is a ruleset whose every line this program prints as nft does.
const corpus = `table inet t {
	set s {
		type ipv4_addr
		elements = { 198.18.0.1, 198.18.0.2 }
	}

	map m {
		type inet_service : verdict
		elements = { 22 : accept, 80 : jump d }
	}

	chain c {
		type filter hook input priority filter + 5; policy drop;
		ip saddr 198.18.0.1 counter packets 0 bytes 0 accept
		tcp dport 22 accept
		iifname "lo" accept
		ip saddr @s drop
		ip6 daddr 2001:db8::1 drop
		tcp dport vmap @m
		ct state established,related accept
		meta l4proto udp drop
		jump d
	}

	chain d {
	}

	chain e {
		type nat hook postrouting priority srcnat; policy accept;
		masquerade
	}

	chain f {
		type filter hook forward priority filter - 7; policy accept;
	}
}
table ip x {
	chain y {
		type filter hook prerouting priority raw; policy accept;
		ip daddr 198.18.0.9 tcp sport 1024 log prefix "x " drop
	}
}
table netdev n {
	chain i {
		type filter hook ingress device "lo" priority filter; policy accept;
	}
}
`

func setup(t *testing.T) (ns *nstest.NS, nft func(args ...string) string, ours func(args ...string) (string, error)) {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft is not installed (bash .ci/e2e-deps.sh installs it)")
	}
	ns = nstest.New(t)
	nft = func(args ...string) string {
		t.Helper()
		out, err := runNft(ns.Name, args...)
		if err != nil {
			t.Fatalf("nft %s: %v", strings.Join(args, " "), err)
		}
		return out
	}
	ours = func(args ...string) (string, error) {
		var o options
		for len(args) > 0 && strings.HasPrefix(args[0], "-") {
			switch args[0] {
			case "-j":
				o.json = true
			case "-a":
				o.handles = true
			}
			args = args[1:]
		}
		o.netns = ns.Name
		var out bytes.Buffer
		err := run(context.Background(), &out, o, args)
		return out.String(), err
	}
	return ns, nft, ours
}

// runNft runs nft in the namespace netns, and returns what it printed,
// or an error with what it printed on stderr.
func runNft(netns string, args ...string) (string, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", netns, "nft"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("%w: %s", err, stderr.String())
	}
	return string(out), nil
}

// jsonItems decodes nft -j output, without the metainfo that names the
// program.
func jsonItems(t *testing.T, s string) []any {
	t.Helper()
	var doc struct {
		Nftables []map[string]any `json:"nftables"`
	}
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	var out []any
	for _, it := range doc.Nftables {
		if _, ok := it["metainfo"]; !ok {
			out = append(out, it)
		}
	}
	return out
}

// TestListLikeNft loads the corpus with nft -f, and the rule corpus with
// nft add rule, and checks that list prints what nft list prints, text
// and JSON (compared as parsed JSON), for the ruleset, the tables, one
// table and one chain.
func TestListLikeNft(t *testing.T) {
	_, nft, ours := setup(t)
	// The rules of the corpus, and rules this program lists as nft does
	// but does not read, in one nft -f.
	script := corpus + fmt.Sprintf(ruleSkeleton, "r") + corpusAdds("r") +
		"add rule ip r c meta mark & 0x0f == 0x01 accept\n" +
		"add rule ip r c tcp dport >= 1024 tcp dport < 2000 accept\n" +
		"add rule ip r c ct state invalid,untracked drop\n"
	load(t, nft, script)
	for _, args := range [][]string{
		{"list", "ruleset"},
		{"list", "tables"},
		{"list", "table", "inet", "t"},
		{"list", "table", "x"},
		{"list", "table", "inet", "r"},
		{"list", "chain", "inet", "t", "c"},
		{"list", "chain", "ip", "r", "c"},
		{"-a", "list", "chain", "r", "n"},
		{"-a", "list", "ruleset"},
	} {
		got, err := ours(args...)
		if err != nil {
			t.Fatalf("%s: %v", args, err)
		}
		if want := nft(args...); got != want {
			t.Errorf("%s:\n%s", args, lineDiff(got, want))
		}
	}
	if got, _ := ours("list", "ruleset"); !strings.HasPrefix(got, corpus) {
		t.Errorf("list ruleset does not start with the corpus:\n%s", got)
	}
	for _, args := range [][]string{
		{"-j", "list", "tables"},
		{"-j", "list", "table", "inet", "t"},
		{"-j", "list", "table", "ip", "r"},
		{"-j", "list", "chain", "ip", "r", "c"},
		{"-j", "list", "chain", "inet", "r", "p"},
		{"-j", "list", "ruleset"},
	} {
		got, err := ours(args...)
		if err != nil {
			t.Fatalf("%s: %v", args, err)
		}
		// nft 1.0.6 leaves a netdev chain's device out of its JSON (it
		// writes it in its text): drop ours.
		got = strings.ReplaceAll(got, `"dev":"lo",`, "")
		g, w := jsonItems(t, got), jsonItems(t, nft(args...))
		if len(g) != len(w) {
			t.Errorf("%s: %d items, nft has %d", args, len(g), len(w))
		}
		for i := range min(len(g), len(w)) {
			if !reflect.DeepEqual(g[i], w[i]) {
				gj, _ := json.Marshal(g[i])
				wj, _ := json.Marshal(w[i])
				t.Errorf("%s: item %d:\nours: %s\nnft:  %s", args, i, gj, wj)
			}
		}
	}
}

// lineDiff writes the lines where got and want differ.
func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			fmt.Fprintf(&b, "line %d:\n ours: %s\n  nft: %s\n", i+1, gl, wl)
		}
	}
	return b.String()
}

// corpusAdds is nft's commands that add the rule corpus to the tables
// named table.
func corpusAdds(table string) string {
	var b strings.Builder
	for _, c := range ruleCorpus {
		fs := strings.Fields(c.rule)
		fmt.Fprintf(&b, "add rule %s %s %s %s\n", fs[0], table, fs[1], strings.Join(fs[2:], " "))
	}
	return b.String()
}

func load(t *testing.T, nft func(...string) string, ruleset string) {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "ruleset")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(ruleset)
	f.Close()
	nft("-f", f.Name())
}

// TestChangeLikeNft makes changes with this program and checks with nft
// that they are what nft's own commands make.
func TestChangeLikeNft(t *testing.T) {
	_, nft, ours := setup(t)
	mustOurs := func(args ...string) {
		t.Helper()
		if out, err := ours(args...); err != nil {
			t.Fatalf("%s: %v %s", args, err, out)
		}
	}
	mustOurs("add", "table", "inet", "a")
	mustOurs("add", "chain", "inet", "a", "c", "{ type filter hook input priority 0 ; policy drop ; }")
	mustOurs("add", "chain", "inet", "a", "d")
	mustOurs("add", "table", "b")
	nft("add", "table", "inet", "want")
	nft("add", "chain", "inet", "want", "c", "{ type filter hook input priority 0 ; policy drop ; }")
	nft("add", "chain", "inet", "want", "d")
	nft("add", "table", "wantb")
	got := strings.ReplaceAll(nft("list", "table", "inet", "a"), "table inet a", "table inet want")
	if want := nft("list", "table", "inet", "want"); got != want {
		t.Errorf("add chain: nft lists\n%s\nwant\n%s", got, want)
	}
	if got := nft("list", "table", "ip", "b"); got != "table ip b {\n}\n" {
		t.Errorf("add table b: nft lists %q", got)
	}

	nft("add", "rule", "inet", "a", "d", "counter")
	nft("add", "rule", "inet", "a", "d", "accept")
	out := nft("-a", "list", "chain", "inet", "a", "d")
	i := strings.Index(out, "counter packets 0 bytes 0 # handle ")
	if i < 0 {
		t.Fatalf("no counter rule: %s", out)
	}
	h := strings.Fields(out[i+len("counter packets 0 bytes 0 # handle "):])[0]
	mustOurs("delete", "rule", "inet", "a", "d", "handle", h)
	if out := nft("list", "chain", "inet", "a", "d"); strings.Contains(out, "counter") || !strings.Contains(out, "accept") {
		t.Errorf("delete rule handle %s: nft lists %s", h, out)
	}
	if _, err := ours("delete", "rule", "inet", "a", "d", "handle", h); err == nil {
		t.Errorf("deleting rule %s twice: no error", h)
	}

	mustOurs("delete", "chain", "inet", "a", "c")
	if out := nft("list", "table", "inet", "a"); strings.Contains(out, "chain c") {
		t.Errorf("delete chain: nft lists %s", out)
	}
	mustOurs("flush", "table", "inet", "a")
	if out := nft("list", "chain", "inet", "a", "d"); strings.Contains(out, "accept") {
		t.Errorf("flush table: nft lists %s", out)
	}
	mustOurs("delete", "table", "ip", "b")
	if out := nft("list", "tables"); strings.Contains(out, "table ip b\n") {
		t.Errorf("delete table: nft lists %s", out)
	}
	mustOurs("flush", "ruleset")
	if out := nft("list", "ruleset"); out != "" {
		t.Errorf("flush ruleset: nft lists %s", out)
	}
}

// TestRefuses checks that a command nft would not parse fails before
// anything is sent, and that the program then exits with status 1.
func TestRefuses(t *testing.T) {
	for _, args := range [][]string{
		{"bogus"},
		{"list"},
		{"list", "sets", "x"},
		{"list", "chain", "t"},
		{"add", "table"},
		{"add", "rule", "inet", "t", "c", "frobnicate"},
		{"add", "chain", "inet", "t", "c", "{ type filter hook nowhere priority 0 ; }"},
		{"add", "chain", "inet", "t", "c", "{ type filter hook input ; }"},
		{"delete", "rule", "inet", "t", "c", "handle", "x"},
		{"flush", "everything"},
		{"monitor", "now"},
	} {
		if _, err := parse(args); err == nil {
			t.Errorf("%s: no error", args)
		}
	}
	cmd := exec.Command(os.Args[0], "frobnicate", "ruleset")
	cmd.Env = append(os.Environ(), "NFT_EXAMPLE_MAIN=1")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1", err)
	}
	if want := "Error: syntax error, unexpected frobnicate\n"; string(out) != want {
		t.Errorf("printed %q, want %q", out, want)
	}
	cmd = exec.Command(os.Args[0], "add", "rule", "ip", "t", "c", "tcp", "dport", "22", "frobnicate")
	cmd.Env = append(os.Environ(), "NFT_EXAMPLE_MAIN=1")
	out, err = cmd.CombinedOutput()
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1", err)
	}
	if want := "Error: syntax error, unexpected frobnicate, expecting a statement this program knows\n"; string(out) != want {
		t.Errorf("printed %q, want %q", out, want)
	}
}

// syncBuffer is a bytes.Buffer that monitor writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestMonitor checks that monitor prints the changes nft makes, with the
// generation that ends them.
func TestMonitor(t *testing.T) {
	ns, nft, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() {
		o := options{netns: ns.Name}
		cmd, _ := parse([]string{"monitor"})
		c, err := dialFor(o)
		if err != nil {
			done <- err
			close(ready)
			return
		}
		defer c.Close()
		close(ready)
		done <- cmd(ctx, c, &out, o)
	}()
	<-ready
	want := []string{"add table inet m", "add chain inet m c", "add rule inet m c handle 2 counter packets 0 bytes 0 accept", "delete table inet m", "# new generation"}
	var got string
	for range 100 {
		// nft runs until monitor has seen it: the group is joined when
		// Watch starts, which the goroutine may not have reached yet.
		nft("add", "table", "inet", "m")
		nft("add", "chain", "inet", "m", "c")
		nft("add", "rule", "inet", "m", "c", "counter", "accept")
		nft("delete", "table", "inet", "m")
		time.Sleep(20 * time.Millisecond)
		if got = out.String(); containsAll(got, want) {
			break
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("monitor ended with %v", err)
	}
	if !containsAll(got, want) {
		t.Errorf("monitor printed\n%s\nwant lines with %q", got, want)
	}
}

func containsAll(s string, subs []string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
