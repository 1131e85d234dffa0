//go:build linux

package sockdiag_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/sockdiag"
)

// ssSocket is one socket of ss's output: the columns, then its key:value
// fields and its bare words.
type ssSocket struct {
	netid, state, rq, sq, local, peer string
	inode, peerInode                  string // unix
	kv                                map[string]string
	words                             map[string]bool
}

// ssSockets runs ss -H with args in the namespace and reads its output.
func ssSockets(t *testing.T, ns *nstest.NS, args ...string) []ssSocket {
	t.Helper()
	out, err := ns.Try(append([]string{"netns", "exec", ns.Name, "ss", "-H"}, args...)...)
	if err != nil {
		t.Fatalf("ss %v: %v: %s", args, err, out)
	}
	var recs []string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "Failed to find cgroup2"):
		case (line[0] == ' ' || line[0] == '\t') && len(recs) > 0:
			recs[len(recs)-1] += " " + line
		default:
			recs = append(recs, line)
		}
	}
	var socks []ssSocket
	for _, r := range recs {
		f := strings.Fields(r)
		if f[0][0] >= 'A' && f[0][0] <= 'Z' {
			// A state (UNCONN, ESTAB, ...): ss leaves out the Netid
			// column when it lists one kind of sockets.
			f = append([]string{""}, f...)
		}
		s := ssSocket{netid: f[0], state: f[1], rq: f[2], sq: f[3], kv: map[string]string{}, words: map[string]bool{}}
		rest := f[6:]
		if strings.HasPrefix(s.netid, "u_") {
			s.local, s.inode, s.peer, s.peerInode = f[4], f[5], f[6], f[7]
			rest = f[8:]
		} else {
			s.local, s.peer = f[4], f[5]
		}
		for i := 0; i < len(rest); i++ {
			k, v, ok := strings.Cut(rest[i], ":")
			switch {
			case ok:
				s.kv[k] = v
			case (rest[i] == "send" || rest[i] == "pacing_rate" || rest[i] == "delivery_rate") && i+1 < len(rest):
				s.kv[rest[i]] = rest[i+1]
				i++
			default:
				s.words[rest[i]] = true
			}
		}
		socks = append(socks, s)
	}
	return socks
}

// ssState is how ss names states.
var ssState = map[sockdiag.State]string{
	sockdiag.StateEstablished: "ESTAB", sockdiag.StateListen: "LISTEN", sockdiag.StateClose: "UNCONN",
	sockdiag.StateTimeWait: "TIME-WAIT", sockdiag.StateSynSent: "SYN-SENT",
}

func skmemString(m sockdiag.SkMemInfo) string {
	return fmt.Sprintf("(r%d,rb%d,t%d,tb%d,f%d,w%d,o%d,bl%d,d%d)", m.RMemAlloc, m.RcvBuf, m.WMemAlloc, m.SndBuf, m.FwdAlloc, m.WMemQueued, m.OptMem, m.Backlog, m.Drops)
}

// hex32 formats v as C's %#x does, as ss prints it: 0 without its 0x.
func hex32(v uint32) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", v)
}

var timerNames = map[uint8]string{1: "on", 2: "keepalive", 3: "timewait", 4: "persist"}

// TestFieldsMatchSS lists the test's TCP, UDP and raw sockets with every
// extension, and the processes that hold them (Processes), and compares
// each field ss -tuwanpieom --tos prints: exactly, but for
// the times that move between the two listings (rtt, the last send and
// receive, timers), whose presence and plausibility are checked. A field
// ss prints that the test does not compare fails it (everyFieldCompared).
func TestFieldsMatchSS(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	byIno := map[string]ssSocket{}
	for _, s := range ssSockets(t, w.ns, "-tuwanpieom", "--tos") {
		byIno[s.kv["ino"]] = s
	}
	procs := processes(t)
	checked := map[string]int{}
	rawMissing := false
	for _, proto := range []int{sockdiag.ProtoTCP, sockdiag.ProtoUDP, sockdiag.ProtoRaw} {
		for _, fam := range []sockdiag.Family{sockdiag.IPv4, sockdiag.IPv6} {
			req := sockdiag.InetRequest{Family: fam, Protocol: proto, Extensions: sockdiag.AllExtensions}
			for s, err := range c.InetSockets(context.Background(), req) {
				if proto == sockdiag.ProtoRaw && errors.Is(err, syscall.ENOENT) {
					// CONFIG_INET_RAW_DIAG is not set: ss reads /proc/net/raw.
					t.Logf("no raw socket diagnostics in this kernel: %v", err)
					rawMissing = true
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				// ss names the raw sockets it lists by netlink after
				// their protocol, "???" for most: the inode finds them.
				netid := map[int]string{sockdiag.ProtoTCP: "tcp", sockdiag.ProtoUDP: "udp", sockdiag.ProtoRaw: "raw"}[proto]
				ss, ok := byIno[strconv.FormatUint(uint64(s.Inode), 10)]
				if !ok {
					t.Errorf("%s %s (inode %d): ss does not list it", netid, s.ID.Src, s.Inode)
					continue
				}
				checked[netid]++
				compareInet(t, netid, s, ss, procs)
			}
		}
	}
	if rawMissing {
		checked["raw"] = 2
	}
	if checked["tcp"] != 17 || checked["udp"] != 2 || checked["raw"] != 2 {
		t.Errorf("compared %v sockets, want 17 tcp, 2 udp, 2 raw", checked)
	}
}

func compareInet(t *testing.T, netid string, s *sockdiag.InetSocket, ss ssSocket, procs map[uint32][]sockdiag.Process) {
	t.Helper()
	name := netid + " " + s.ID.Src.String() + " " + s.ID.Dst.String()
	eq := func(field, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %s %q, ss %q", name, field, got, want)
		}
	}
	defer everyFieldCompared(t, netid, name, s, ss)
	eq("state", ssState[s.State], ss.state)
	eq("recv-q", fmt.Sprint(s.RQueue), ss.rq)
	eq("send-q", fmt.Sprint(s.WQueue), ss.sq)
	if netid != "raw" { // ss writes a raw socket's addresses otherwise: see TestRawFieldsMatchSS
		eq("local", s.ID.Src.String(), ss.local)
		if s.ID.Dst.Port() != 0 {
			eq("peer", s.ID.Dst.String(), ss.peer)
		}
	}
	eq("ino", fmt.Sprint(s.Inode), ss.kv["ino"])
	eq("cookie", strconv.FormatUint(s.ID.Cookie, 16), ss.kv["sk"])
	uid := ss.kv["uid"]
	if uid == "" {
		uid = "0" // ss leaves out root's
	}
	eq("uid", fmt.Sprint(s.UID), uid)
	if m := ss.kv["fwmark"]; m != "" || s.Mark != 0 {
		eq("fwmark", fmt.Sprintf("0x%x", s.Mark), m)
	}
	eq("skmem", skmemString(s.SkMemInfo), ss.kv["skmem"])
	eqUsers(t, name, procs[s.Inode], ss)
	if cg := ss.kv["cgroup"]; strings.HasPrefix(cg, "unreachable:") {
		eq("cgroup", strconv.FormatUint(s.CgroupID, 16), strings.TrimPrefix(cg, "unreachable:"))
	}
	hex := func(v uint8) string { return hex32(uint32(v)) }
	if v, ok := ss.kv["tos"]; ok || s.TOS != 0 {
		eq("tos", hex(s.TOS), v)
	}
	if v, ok := ss.kv["tclass"]; ok || s.TClass != 0 {
		eq("tclass", hex(s.TClass), v)
	}
	if v, ok := ss.kv["class_id"]; ok {
		// The net_cls class, else the socket's priority (IP_TOS sets it).
		eq("class_id", hex32(s.ClassID), v)
	}
	if s.V6Only {
		eq("v6only", "1", ss.kv["v6only"])
	}
	if s.Timer != 0 {
		timer := ss.kv["timer"]
		if !strings.HasPrefix(timer, "("+timerNames[s.Timer]+",") {
			t.Errorf("%s: timer %d, ss %q", name, s.Timer, timer)
		}
	}
	if netid == "mptcp" {
		compareMPTCP(t, name, s, ss)
	}
	if netid != "tcp" {
		return
	}
	ti := s.TCPInfo
	cong := s.CongName()
	if !ss.words[cong] {
		t.Errorf("%s: congestion control %q, ss words %v", name, cong, ss.words)
	}
	if s.ULP != nil && !ss.words["tcp-ulp-"+string(s.ULP)] {
		t.Errorf("%s: ULP %q, ss words %v", name, s.ULP, ss.words)
	}
	eq("cwnd", fmt.Sprint(ti.SndCwnd), ss.kv["cwnd"])
	if s.State == sockdiag.StateListen {
		return
	}
	eq("wscale", fmt.Sprintf("%d,%d", ti.SndWScale, ti.RcvWScale), ss.kv["wscale"])
	eq("rto", fmt.Sprint(float64(ti.RTO)/1000), ss.kv["rto"])
	eq("mss", fmt.Sprint(ti.SndMSS), ss.kv["mss"])
	eq("pmtu", fmt.Sprint(ti.PMTU), ss.kv["pmtu"])
	eq("rcvmss", fmt.Sprint(ti.RcvMSS), ss.kv["rcvmss"])
	eq("advmss", fmt.Sprint(ti.AdvMSS), ss.kv["advmss"])
	eq("rcv_space", fmt.Sprint(ti.RcvSpace), ss.kv["rcv_space"])
	eq("rcv_ssthresh", fmt.Sprint(ti.RcvSsthresh), ss.kv["rcv_ssthresh"])
	eq("snd_wnd", fmt.Sprint(ti.SndWnd), ss.kv["snd_wnd"])
	eq("delivered", fmt.Sprint(ti.Delivered), ss.kv["delivered"])
	opt := func(field string, v uint64) {
		t.Helper()
		if v != 0 || ss.kv[field] != "" {
			eq(field, fmt.Sprint(v), ss.kv[field])
		}
	}
	opt("bytes_acked", ti.BytesAcked)
	opt("bytes_received", ti.BytesReceived)
	opt("segs_out", uint64(ti.SegsOut))
	opt("segs_in", uint64(ti.SegsIn))
	opt("data_segs_out", uint64(ti.DataSegsOut))
	opt("data_segs_in", uint64(ti.DataSegsIn))
	eq("ts", fmt.Sprint(ti.Options&1 != 0), fmt.Sprint(ss.words["ts"]))
	eq("sack", fmt.Sprint(ti.Options&2 != 0), fmt.Sprint(ss.words["sack"]))
	eq("app_limited", fmt.Sprint(ti.DeliveryRateAppLimited), fmt.Sprint(ss.words["app_limited"]))
	// Times: present on both sides and plausible (under a minute).
	rtt, _, _ := strings.Cut(ss.kv["rtt"], "/")
	if v, err := strconv.ParseFloat(rtt, 64); err != nil || v <= 0 || ti.RTT == 0 || ti.RTT > 60e6 {
		t.Errorf("%s: rtt %dus, ss %q", name, ti.RTT, ss.kv["rtt"])
	}
	if ss.kv["minrtt"] == "" || ti.MinRTT == 0 || ti.MinRTT > 60e6 {
		t.Errorf("%s: minrtt %dus, ss %q", name, ti.MinRTT, ss.kv["minrtt"])
	}
	if _, ok := ss.kv["lastsnd"]; !ok || ti.LastDataSent > 60e3 {
		t.Errorf("%s: lastsnd %dms, ss %q", name, ti.LastDataSent, ss.kv["lastsnd"])
	}
	// ss prints lastrcv and lastack when not 0 (they grow between the
	// listings), pacing_rate when the kernel paces, and send (cwnd × mss
	// / rtt) when all three are known.
	for _, l := range []struct {
		key string
		ms  uint32
	}{{"lastrcv", ti.LastDataRecv}, {"lastack", ti.LastAckRecv}} {
		if _, ok := ss.kv[l.key]; ok && l.ms > 60e3 {
			t.Errorf("%s: %s %dms, ss %q", name, l.key, l.ms, ss.kv[l.key])
		}
	}
	if _, ok := ss.kv["pacing_rate"]; ok != (ti.PacingRate != 0 && ti.PacingRate != ^uint64(0)) {
		t.Errorf("%s: pacing rate %d B/s, ss %q", name, ti.PacingRate, ss.kv["pacing_rate"])
	}
	if _, ok := ss.kv["send"]; ok != (ti.RTT != 0 && ti.SndCwnd != 0 && ti.SndMSS != 0) {
		t.Errorf("%s: send rate from cwnd %d, mss %d, rtt %dus; ss %q", name, ti.SndCwnd, ti.SndMSS, ti.RTT, ss.kv["send"])
	}
	eq("ecn", fmt.Sprint(ti.Options&8 != 0), fmt.Sprint(ss.words["ecn"]))
	eq("ecnseen", fmt.Sprint(ti.Options&16 != 0), fmt.Sprint(ss.words["ecnseen"]))
	eq("fastopen", fmt.Sprint(ti.Options&32 != 0), fmt.Sprint(ss.words["fastopen"]))
	if cong == "bbr" {
		bbr, ok := s.BBR()
		mrtt := ",mrtt:" + strconv.FormatFloat(float64(bbr.MinRTT)/1000, 'g', 6, 64)
		if !ok || !strings.Contains(ss.kv["bbr"], mrtt) {
			t.Errorf("%s: bbr info %+v, ss %q", name, bbr, ss.kv["bbr"])
		}
	}
}

// comparedKeys are the key:value fields of ss's inet lines that
// compareInet compares, or checks where they move between two listings.
var comparedKeys = map[string]bool{
	"ino": true, "sk": true, "uid": true, "fwmark": true, "skmem": true, "cgroup": true, "tos": true,
	"tclass": true, "class_id": true, "v6only": true, "timer": true, "cwnd": true, "wscale": true,
	"rto": true, "mss": true, "pmtu": true, "rcvmss": true, "advmss": true, "rcv_space": true,
	"rcv_ssthresh": true, "snd_wnd": true, "delivered": true, "bytes_acked": true,
	"bytes_received": true, "segs_out": true, "segs_in": true, "data_segs_out": true,
	"data_segs_in": true, "rtt": true, "minrtt": true, "lastsnd": true, "lastrcv": true, "lastack": true,
	"pacing_rate": true, "send": true, "bbr": true, "users": true,
}

// everyFieldCompared fails the test for a field ss printed of s that
// compareInet does not compare: a field this test, and perhaps the
// package, does not know.
func everyFieldCompared(t *testing.T, netid, name string, s *sockdiag.InetSocket, ss ssSocket) {
	t.Helper()
	for k := range ss.kv {
		if !comparedKeys[k] && !(netid == "mptcp" && mptcpKeys[k]) {
			t.Errorf("%s: ss prints %s:%s, which the test does not compare", name, k, ss.kv[k])
		}
	}
	for w := range ss.words {
		switch {
		case w == "<->" || w == "ts" || w == "sack" || w == "ecn" || w == "ecnseen" || w == "fastopen" || w == "app_limited":
		case w == s.CongName() || strings.HasPrefix(w, "tcp-ulp-"):
		case netid == "mptcp" && (w == "fallback" || w == "remote_key"):
		default:
			t.Errorf("%s: ss prints %q, which the test does not compare", name, w)
		}
	}
	// The shutdown state: "<->" open both ways, "--" for a side shut.
	sd := fmt.Sprintf("%c-%c", "<-"[s.Shutdown&1], ">-"[s.Shutdown>>1&1])
	if !ss.words[sd] {
		t.Errorf("%s: shutdown %d, ss words %v", name, s.Shutdown, ss.words)
	}
}

// processes returns Processes(), which the test's sockets must be in.
func processes(t *testing.T) map[uint32][]sockdiag.Process {
	t.Helper()
	procs, err := sockdiag.Processes()
	if err != nil {
		t.Fatal(err)
	}
	return procs
}

// eqUsers compares the processes that hold a socket with what ss -p
// prints of them, users:(("name",pid=N,fd=M),...), in any order (ss
// writes the processes in the reverse of the order it found them), and
// checks that they are this test's: it holds every socket it opened.
func eqUsers(t *testing.T, name string, procs []sockdiag.Process, ss ssSocket) {
	t.Helper()
	var got, want []string
	for _, p := range procs {
		got = append(got, p.String())
	}
	if v, ok := ss.kv["users"]; ok {
		v = strings.TrimSuffix(strings.TrimPrefix(v, "("), ")")
		for _, p := range strings.Split(v, "),(") {
			want = append(want, "("+strings.TrimSuffix(strings.TrimPrefix(p, "("), ")")+")")
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: processes %s, ss users:%s", name, sockdiag.Users(procs), ss.kv["users"])
	}
	if len(procs) == 0 {
		return // a socket no descriptor holds (a listener's unaccepted connection)
	}
	if !slices.ContainsFunc(procs, func(p sockdiag.Process) bool { return p.PID == os.Getpid() }) {
		t.Errorf("%s: processes %s, not this test's (pid %d)", name, sockdiag.Users(procs), os.Getpid())
	}
}

// TestUnixFieldsMatchSS compares the test's unix sockets, and the
// processes that hold them, with ss -xanpeom.
func TestUnixFieldsMatchSS(t *testing.T) {
	w := newWorld(t)
	c := dialDiag(t, w.ns)
	byIno := map[string]ssSocket{}
	for _, s := range ssSockets(t, w.ns, "-xanpeom") {
		byIno[s.inode] = s
	}
	procs := processes(t)
	n := 0
	for s, err := range c.UnixSockets(context.Background(), sockdiag.UnixRequest{Show: sockdiag.UnixShowAll}) {
		if err != nil {
			t.Fatal(err)
		}
		ss, ok := byIno[fmt.Sprint(s.Inode)]
		if !ok {
			t.Errorf("unix socket %d: ss does not list it", s.Inode)
			continue
		}
		n++
		name := fmt.Sprintf("unix %d", s.Inode)
		eq := func(field, got, want string) {
			t.Helper()
			if got != want {
				t.Errorf("%s: %s %q, ss %q", name, field, got, want)
			}
		}
		eq("type", s.Type.String(), ss.netid)
		eq("state", ssState[s.State], ss.state)
		eq("recv-q", fmt.Sprint(s.RQueue), ss.rq)
		eq("send-q", fmt.Sprint(s.WQueue), ss.sq)
		local := string(s.Name)
		switch {
		case local == "":
			local = "*"
		case local[0] == 0:
			local = "@" + local[1:]
		}
		eq("name", local, ss.local)
		eq("peer", fmt.Sprint(s.Peer), ss.peerInode)
		eq("skmem", skmemString(s.SkMemInfo), ss.kv["skmem"])
		eqUsers(t, name, procs[s.Inode], ss)
		if s.VFSInode != 0 {
			eq("vfs ino", fmt.Sprint(s.VFSInode), ss.kv["ino"])
			// ss reads the kernel's dev_t as glibc's: major<<8 | minor.
			dev := uint64(s.VFSDev)
			eq("vfs dev", fmt.Sprintf("%d/%d", dev>>8&0xfff, dev&0xff|dev>>12&^0xff), ss.kv["dev"])
		}
		// A listener's pending connections: "peers:" then their inodes,
		// which the line's parsing leaves as bare words.
		var peers []string
		for _, ino := range s.IconsInodes(nil) {
			peers = append(peers, fmt.Sprint(ino))
		}
		if _, ok := ss.kv["peers"]; ok != (s.State == sockdiag.StateListen) {
			t.Errorf("%s: ss shows peers: %v, the socket is a listener: %v", name, ok, s.State == sockdiag.StateListen)
		}
		// Every other field ss printed is compared above.
		sd := fmt.Sprintf("%c-%c", "<-"[s.Shutdown&1], ">-"[s.Shutdown>>1&1])
		if !ss.words[sd] {
			t.Errorf("%s: shutdown %d, ss words %v", name, s.Shutdown, ss.words)
		}
		for k := range ss.kv {
			if k != "skmem" && k != "ino" && k != "dev" && k != "peers" && k != "users" {
				t.Errorf("%s: ss prints %s:%s, which the test does not compare", name, k, ss.kv[k])
			}
		}
		var words []string
		for w := range ss.words {
			if w != sd {
				words = append(words, w)
			}
		}
		slices.Sort(words)
		slices.Sort(peers)
		if !slices.Equal(words, peers) {
			t.Errorf("%s: pending connections %v, ss prints %v", name, peers, words)
		}
		if !s.HasUID() {
			t.Errorf("%s: no uid", name)
		}
	}
	if n != 6 {
		t.Errorf("compared %d unix sockets, want 6", n)
	}
}
