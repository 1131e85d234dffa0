//go:build linux

package rtnetlink_test

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

var writeCorpus = flag.Bool("corpus", false, "write the kernel's replies to testdata/fuzz as seeds of the fuzz targets")

// TestWriteFuzzCorpus seeds the fuzz targets with real kernel replies:
// with -corpus, it sets up links, addresses, neighbours, FDB entries,
// rules, nexthop objects and routes in a throwaway namespace, dumps them
// with plain netlink requests, and writes each reply's payload to
// testdata/fuzz/<target>/ (go test then runs them as seeds). Without
// -corpus it checks that the seeds are there.
//
//	go test ./rtnetlink -run TestWriteFuzzCorpus -args -corpus
func TestWriteFuzzCorpus(t *testing.T) {
	targets := map[string]struct {
		typ  netlink.HeaderType
		data []byte
	}{
		"FuzzParseLink":          {unix.RTM_GETLINK, make([]byte, unix.SizeofIfInfomsg)},
		"FuzzAddressDecode":      {unix.RTM_GETADDR, make([]byte, unix.SizeofIfAddrmsg)},
		"FuzzRouteDecode":        {unix.RTM_GETROUTE, make([]byte, unix.SizeofRtMsg)},
		"FuzzParseNeighbor":      {unix.RTM_GETNEIGH, make([]byte, unix.SizeofNdMsg)},
		"FuzzParseFDBEntry":      {unix.RTM_GETNEIGH, append([]byte{unix.AF_BRIDGE}, make([]byte, unix.SizeofNdMsg-1)...)},
		"FuzzParseRule":          {unix.RTM_GETRULE, make([]byte, 12)},
		"FuzzParseNextHopObject": {unix.RTM_GETNEXTHOP, make([]byte, 8)},
		"FuzzParseNextHopBucket": {118, make([]byte, 8)}, // RTM_GETNEXTHOPBUCKET
	}
	if !*writeCorpus {
		for name := range targets {
			if m, _ := filepath.Glob(filepath.Join("testdata", "fuzz", name, "kernel-*")); len(m) == 0 {
				t.Errorf("no kernel seeds for %s: run go test ./rtnetlink -run TestWriteFuzzCorpus -args -corpus", name)
			}
		}
		return
	}
	ns := nstest.New(t)
	for _, cmd := range []string{
		"link add br0 type bridge vlan_filtering 1",
		"link add v0 type veth peer name v0p",
		"link set v0 master br0",
		"link add v1 type veth peer name v1p",
		"link add vx0 type vxlan id 42 dstport 4789 local 10.9.0.1 nolearning",
		"link add link v1 name v1.5 type vlan id 5",
		"link add mv0 link v1 type macvlan mode bridge",
		"link set dev v1 alias uplink mtu 1400",
		"link set br0 up", "link set v0 up", "link set v0p up", "link set v1 up", "link set v1p up", "link set vx0 up",
		"addr add 10.9.0.1/24 brd + dev v1 label v1:a",
		"-6 addr add fd00:9::1/64 dev v1 nodad",
		"-6 addr add fd00:9::5/64 dev v1 nodad valid_lft 300 preferred_lft 100",
		"neigh add 10.9.0.2 lladdr 02:00:00:00:00:02 dev v1 nud permanent",
		"neigh add 10.9.0.3 lladdr 02:00:00:00:00:03 dev v1 nud stale",
		"neigh add fd00:9::2 lladdr 02:00:00:00:00:04 dev v1 nud reachable router",
		"neigh add proxy 10.9.0.7 dev v1",
		"rule add from 10.1.0.0/16 table 100 pref 100",
		"-6 rule add to fd00::/8 table 200 pref 200",
		"rule add iif v1 fwmark 0x5/0xff prohibit pref 300",
		"rule add ipproto tcp sport 1000-2000 dport 80 table 10 pref 400",
		"rule add uidrange 1000-2000 not table 11 pref 500",
		"rule add pref 600 goto 700",
		"rule add pref 700 tos 0x10 table 12 suppress_prefixlength 0",
		"nexthop add id 1 via 10.9.0.2 dev v1",
		"nexthop add id 2 via 10.9.0.5 dev v1 onlink",
		"nexthop add id 3 blackhole",
		"nexthop add id 4 via fd00:9::2 dev v1",
		"nexthop add id 10 group 1,3/2,7",
		"nexthop add id 11 group 1/2 type resilient buckets 8 idle_timer 10",
		"nexthop add id 12 encap ip id 5 dst 10.9.0.9 ttl 3 via 10.9.0.2 dev v1",
		"nexthop add id 13 via 10.9.0.9 fdb",
		"nexthop add id 14 group 13 fdb",
		"nexthop add id 15 group 1,200/2 type resilient buckets 2 idle_timer 0 unbalanced_timer 7",
		"neigh add 10.9.0.8 dev v1 managed",
		"neigh add 10.9.0.10 dev v1 nud none",
		"neigh add fd00:9::3 lladdr 02:00:00:00:00:05 dev v1 extern_learn nud stale",
		"link add vx1 type vxlan external dstport 4790 nolearning",
		"route add 10.20.0.0/16 nhid 10",
		"route add 10.21.0.0/16 via 10.9.0.2 metric 5 mtu 1300 congctl reno",
		"route add 10.22.0.0/16 nexthop via 10.9.0.2 weight 2 nexthop via 10.9.0.3 weight 3",
		"route add blackhole 10.23.0.0/16 table 100",
		"-6 route add fd00:20::/48 via fd00:9::2 metric 7",
		"route add 10.24.0.0/16 via inet6 fd00:9::2 dev v1",
	} {
		if _, err := ns.Try(splitFields(cmd)...); err != nil {
			t.Logf("ip %s: %v(seed skipped)", cmd, err)
		}
	}
	for _, cmd := range [][]string{
		{"fdb", "add", "02:00:00:00:00:09", "dev", "v0", "master", "vlan", "1", "static"},
		{"fdb", "add", "02:00:00:00:00:0a", "dev", "v0", "master", "sticky"},
		{"fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", "10.9.0.3", "self", "permanent"},
		{"fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", "10.9.0.4", "port", "5000", "vni", "7", "via", "v1"},
		{"fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", "10.9.0.4", "vni", "0"},
		{"fdb", "add", "02:00:00:00:00:0b", "dev", "vx0", "nhid", "14", "self"},
		{"fdb", "add", "02:00:00:00:00:0c", "dev", "vx1", "dst", "10.9.0.5", "src_vni", "9", "static"},
	} {
		if out, err := exec.Command("bridge", append([]string{"-n", ns.Name}, cmd...)...).CombinedOutput(); err != nil {
			t.Logf("bridge %v: %v: %s (seed skipped)", cmd, err, out)
		}
	}
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for name, req := range targets {
		msgs, err := c.DumpAll(ctx, netlink.Message{Header: netlink.Header{Type: req.typ}, Data: req.data})
		if err != nil {
			t.Fatalf("%s: dump: %v", name, err)
		}
		dir := filepath.Join("testdata", "fuzz", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range msgs {
			if name == "FuzzParseNeighbor" && len(m.Data) > 0 && m.Data[0] == unix.AF_BRIDGE {
				continue // FuzzParseFDBEntry's
			}
			if n == 24 {
				break
			}
			file := filepath.Join(dir, fmt.Sprintf("kernel-%x", sha256.Sum256(m.Data))[:len("kernel-")+16])
			if err := os.WriteFile(file, fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", m.Data), 0o644); err != nil {
				t.Fatal(err)
			}
			n++
		}
		t.Logf("%s: %d seeds from %d replies", name, n, len(msgs))
	}
}

// TestWriteEventCorpus seeds FuzzParseEvent with real notifications: with
// -corpus, a Conn joined to the groups of links, addresses, routes,
// neighbours, rules and nexthop objects watches a throwaway namespace while
// ip adds and deletes one of each, and each notification (its type and
// payload) is written to testdata/fuzz/FuzzParseEvent/. Without -corpus it
// checks that the seeds are there.
//
//	go test ./rtnetlink -run TestWriteEventCorpus -args -corpus
func TestWriteEventCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParseEvent")
	if !*writeCorpus {
		if m, _ := filepath.Glob(filepath.Join(dir, "kernel-*")); len(m) == 0 {
			t.Errorf("no kernel seeds for FuzzParseEvent: run go test ./rtnetlink -run TestWriteEventCorpus -args -corpus")
		}
		return
	}
	ns := nstest.New(t)
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.Path, Groups: []uint32{
		unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_IFADDR, unix.RTNLGRP_IPV6_IFADDR, unix.RTNLGRP_IPV4_ROUTE,
		unix.RTNLGRP_IPV6_ROUTE, unix.RTNLGRP_NEIGH, unix.RTNLGRP_IPV4_RULE, unix.RTNLGRP_IPV6_RULE, unix.RTNLGRP_NEXTHOP,
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, cmd := range []string{
		"link add v0 type veth peer name v0p",
		"link set v0 up", "link set v0p up",
		"addr add 10.8.0.1/24 dev v0",
		"-6 addr add fd00:8::1/64 dev v0 nodad",
		"route add 10.30.0.0/16 via 10.8.0.2 metric 5",
		"-6 route add fd00:30::/48 via fd00:8::2",
		"neigh add 10.8.0.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent",
		"rule add from 10.30.0.0/16 table 100 pref 100",
		"nexthop add id 1 via 10.8.0.2 dev v0",
		"nexthop add id 2 group 1 type resilient buckets 4",
		"nexthop add id 3 via 10.8.0.3 fdb",
		"nexthop del id 2", "nexthop del id 3",
		"nexthop del id 1", "rule del pref 100", "neigh del 10.8.0.2 dev v0",
		"route del 10.30.0.0/16", "addr del 10.8.0.1/24 dev v0", "link del v0",
	} {
		ns.Run(t, splitFields(cmd)...)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	perType := map[netlink.HeaderType]int{}
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		msgs, err := c.Receive(ctx)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				t.Fatal(err)
			}
			break // quiet: every notification is in
		}
		for _, m := range msgs {
			if perType[m.Header.Type] == 4 {
				continue
			}
			perType[m.Header.Type]++
			seed := fmt.Appendf(nil, "go test fuzz v1\nuint16(%d)\n[]byte(%q)\n", uint16(m.Header.Type), m.Data)
			file := filepath.Join(dir, fmt.Sprintf("kernel-%x", sha256.Sum256(seed))[:len("kernel-")+16])
			if err := os.WriteFile(file, seed, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("seeds by message type: %v", perType)
}

// splitFields splits an ip command line at spaces.
func splitFields(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}
