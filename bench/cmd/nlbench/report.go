package main

// nlbench report FILE...: reads the RESULT lines run.sh collected and prints
// the markdown tables: medians over every measured run, the spread (min to
// max), ratios to each workload's reference, and the checks.

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

type result map[string]string

func (r result) f(k string) float64 {
	v, _ := strconv.ParseFloat(r[k], 64)
	return v
}

type workloadInfo struct {
	key, title, ref, unit string
}

// order lists the tables; {n} in a title is the count the reference found
// (routes dumped, installed, listed).
var order = []workloadInfo{
	{"dump", "(3) Dump and decode {n} IPv4 routes: prefix, output link, table (one dump; CPU is the process's, user+system)", "floor", "dump"},
	{"getlink", "(4) RTM_GETLINK round trips for lo, reply decoded: index, name, MTU (per round trip; process with a pending timer)", "floor", "op"},
	{"getlink-idle", "(4) RTM_GETLINK round trips for lo, the same, idle process (no timer pending)", "floor", "op"},
	{"decode", "(1) Decode the captured {n}-route dump (testdata/rtm_newroute_100k.bin.gz) into prefix, output link, table; no kernel", "hand", "dump"},
	{"install-batch", "(5a) Install {n} routes, batched: many requests per datagram, then their ACKs (per route; CPU includes the kernel's work in the sender's system calls)", "floor", "route"},
	{"install-one", "(5b) Install {n} routes one by one: send one request, read its ACK (per route)", "floor", "route"},
	{"heap", "(6) Heap while listing every route (one list per process)", "nlkit-dump", "list"},
	{"mcast", "(7) Route notifications received while ip -batch adds routes (default configurations)", "", ""},
	{"encode", "(2) Encode RTM_NEWLINK with 5 attributes, one a nest (per message)", "hand", "op"},
	{"typed", "(8) Typed route list of {n} IPv4 routes", "nlkit", "list"},
	{"genl", "(8) Generic netlink family lookup of nlctrl (per lookup)", "nlkit", "op"},
	{"ctlist", "(9a) List a conntrack table of {n} entries, each decoded: tuples, mark (per entry; conntrack -L's row is its process's CPU)", "nlkit", "entry"},
	{"ctdelete", "(9b) Delete the {n} conntrack entries of mark 1 and UDP port 9 among twice as many (per entry deleted; CPU includes the kernel's work in the system calls)", "nlkit", "entry"},
	{"ctevents", "(9c) Conntrack NEW events received while another process creates entries (default configurations)", "", ""},
	{"sdlist", "(10a) List the {n} TCP sockets \"state established and dport = :443 and src 198.18.0.0/16\" selects among {total}, each decoded: inode, source, ports (one listing; ss's row is its process's CPU)", "floor", "list"},
	{"sddestroy", "(10b) Destroy the {n} TCP sockets the same filter selects among 4 times as many (per socket destroyed; CPU includes the kernel's work in the system calls; ss -K's row is its process's CPU)", "floor", "socket"},
	{"nftload", "(11a) Load an nf_tables ruleset of {n} rules and a set of {elems} elements in one transaction, in a fresh namespace (per transaction; CPU includes the kernel's work in the system calls; nft -f's row is its process's CPU)", "nlkit", "load"},
	{"nftlist", "(11b) Read that ruleset back, decoded: tables, chains, sets, their elements, rules and their expressions (per listing; nft -j list ruleset's row is its process's CPU)", "nlkit", "list"},
	{"ethdump", "(12a) ethtool dumps of link info, link modes and link state, {n} links (per link; compact bit sets)", "nlkit", "link"},
	{"ethget", "(12b) ethtool link info, link modes and link state of each of {n} links by name: 3 requests per link (per link)", "nlkit", "link"},
}

// mayFail names the rows (workload/implementation) whose failure is the
// library's result, not the harness's: reported as such, the run does not
// fail for them. google/nftables v0.3.0 sends a transaction in one
// sendmsg, which its default buffers refuse (EMSGSIZE) for large ones,
// and puts all of a set's elements in one attribute whose 16-bit length
// wraps (issue 26).
var mayFail = map[string]bool{
	"nftload/google": true, "nftlist/google": true,
	"nftload/google-bigbuf": true, "nftlist/google-bigbuf": true,
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func dur(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func num(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 100 || v == float64(int64(v)):
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func report(files []string) {
	byW := map[string]map[string][]result{}
	var impls = map[string][]string{}
	for _, name := range files {
		f, err := os.Open(name)
		must(err)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line, ok := strings.CutPrefix(sc.Text(), "RESULT ")
			if !ok {
				continue
			}
			r := result{}
			// err=, the error of a row that failed, is the rest of the line.
			if i := strings.Index(line, " err="); i >= 0 {
				r["err"] = line[i+len(" err="):]
				line = line[:i]
			}
			for _, kv := range strings.Fields(line) {
				k, v, _ := strings.Cut(kv, "=")
				r[k] = v
			}
			w, im := r["w"], r["impl"]
			if byW[w] == nil {
				byW[w] = map[string][]result{}
			}
			if byW[w][im] == nil {
				impls[w] = append(impls[w], im)
			}
			byW[w][im] = append(byW[w][im], r)
		}
		f.Close()
	}
	failed := false
	for _, wi := range order {
		rs := byW[wi.key]
		if rs == nil {
			continue
		}
		title := wi.title
		if ref := rs[wi.ref]; ref != nil {
			k := "count"
			if strings.HasPrefix(wi.key, "install") {
				k = "ops"
			}
			title = strings.ReplaceAll(title, "{n}", num(ref[0].f(k)))
			title = strings.ReplaceAll(title, "{elems}", num(ref[0].f("elems")))
			title = strings.ReplaceAll(title, "{total}", num(ref[0].f("total")))
		}
		fmt.Printf("\n### %s\n\n", title)
		if ps := rs["nlkit-batch"]; wi.key == "install-batch" && ps != nil {
			fmt.Printf("Batch sent %s requests per datagram (found by batchPerSend); the floor sent as many.\n\n", ps[0]["per_send"])
		}
		if ps := rs["nlkit"]; wi.key == "sddestroy" && ps != nil {
			fmt.Printf("DestroyMatching's Batch sent %s SOCK_DESTROY requests per datagram (found by destroyPerSend); the floor sent as many.\n\n", ps[0]["per_send"])
		}
		col := func(im, k string) []float64 {
			var v []float64
			for _, r := range rs[im] {
				d := r.f("ops")
				if k == "heap_peak" || k == "maxrss_kb" || k == "count" || k == "losses" {
					d = 1
				}
				v = append(v, r.f(k)/d)
			}
			return v
		}
		// Checks: every run of every implementation found the same count
		// and checksum (for mcast, counts are the result itself).
		check := func(im string) string {
			if wi.key == "mcast" || wi.key == "ctevents" {
				return "n/a"
			}
			want := rs[wi.ref]
			if want == nil {
				want = rs[impls[wi.key][0]]
			}
			for _, r := range rs[im] {
				if e := r["err"]; e != "" || r["count"] != want[0]["count"] || r["check"] != want[0]["check"] || r["elems"] != want[0]["elems"] {
					what := fmt.Sprintf("count %s", r["count"])
					if r["check"] != want[0]["check"] {
						what += fmt.Sprintf(", check %s, not %s", r["check"], want[0]["check"])
					}
					if r["elems"] != "" {
						what += fmt.Sprintf(", %s elements", r["elems"])
					}
					if e != "" {
						what = "error: " + e
					}
					if mayFail[wi.key+"/"+im] {
						return "fails (the library's result): " + what
					}
					failed = true
					return "**FAIL** " + what
				}
				if wi.key == "sddestroy" && (r["count"] != r["ops"] || r["acked"] != r["count"]) {
					failed = true
					return fmt.Sprintf("**FAIL** destroyed %s of %s, acked %s", r["count"], r["ops"], r["acked"])
				}
				if (strings.HasPrefix(wi.key, "getlink") || wi.key == "genl") && r["count"] != r["ops"] {
					failed = true
					return "**FAIL**"
				}
				if strings.HasPrefix(wi.key, "install") && r["acked"] != r["ops"] {
					failed = true
					return fmt.Sprintf("**FAIL** acked %s", r["acked"])
				}
				if r["per_send"] != "" && r["per_send"] != want[0]["per_send"] {
					failed = true
					return fmt.Sprintf("**FAIL** per_send %s", r["per_send"])
				}
			}
			return "ok " + want[0]["count"]
		}
		switch wi.key {
		case "mcast":
			fmt.Println("| library | routes added | received (median) | min–max | loss reports (median) | runs |")
			fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: |")
			for _, im := range impls[wi.key] {
				c := col(im, "count")
				fmt.Printf("| %s | %s | %s | %s–%s | %s | %d |\n", im, rs[im][0]["ops"], num(median(c)),
					num(slices.Min(c)), num(slices.Max(c)), num(median(col(im, "losses"))), len(c))
			}
		case "ctevents":
			fmt.Println("| library | entries created | received (median) | min–max | loss reports (median) | listener stopped | runs |")
			fmt.Println("| --- | ---: | ---: | ---: | ---: | --- | ---: |")
			for _, im := range impls[wi.key] {
				c := col(im, "count")
				stopped := 0
				for _, r := range rs[im] {
					if r["stopped"] == "true" {
						stopped++
					}
				}
				fmt.Printf("| %s | %s | %s | %s–%s | %s | %d of %d runs | %d |\n", im, rs[im][0]["ops"], num(median(c)),
					num(slices.Min(c)), num(slices.Max(c)), num(median(col(im, "losses"))), stopped, len(c), len(c))
			}
		case "heap":
			fmt.Println("| implementation | peak live heap (median) | max RSS | allocs | bytes allocated | CPU | runs | check (routes) |")
			fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
			for _, im := range impls[wi.key] {
				fmt.Printf("| %s | %.1f MiB | %.1f MiB | %s | %.1f MiB | %s | %d | %s |\n", im,
					median(col(im, "heap_peak"))/(1<<20), median(col(im, "maxrss_kb"))/1024,
					num(median(col(im, "allocs"))), median(col(im, "bytes"))/(1<<20),
					dur(median(col(im, "cpu_ns"))), len(rs[im]), check(im))
			}
		default:
			ref := median(col(wi.ref, "cpu_ns"))
			fmt.Printf("| implementation | CPU/%s (median) | spread (min–max) | ×%s | wall/%s | allocs/%s | bytes/%s | runs | check |\n",
				wi.unit, wi.ref, wi.unit, wi.unit, wi.unit)
			fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
			for _, im := range impls[wi.key] {
				c := col(im, "cpu_ns")
				chk := check(im)
				ratio := "–" // none for a row that did not do the work
				if ref > 0 && strings.HasPrefix(chk, "ok") {
					ratio = fmt.Sprintf("%.2f", median(c)/ref)
				}
				fmt.Printf("| %s | %s | %s–%s | %s | %s | %s | %s | %d | %s |\n", im, dur(median(c)),
					dur(slices.Min(c)), dur(slices.Max(c)), ratio, dur(median(col(im, "wall_ns"))),
					num(median(col(im, "allocs"))), num(median(col(im, "bytes"))), len(c), chk)
			}
		}
	}
	if failed {
		fmt.Println("\nSOME CHECKS FAILED")
		os.Exit(1)
	}
	_ = time.Now
}
