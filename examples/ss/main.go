// Command ss is a small ss: it lists TCP, UDP, raw, MPTCP and unix
// sockets through NETLINK_SOCK_DIAG with package sockdiag, the kernel
// running the filter expression, and with -K destroys what it lists:
//
//	go run ./examples/ss -tn state established dport = :443
//	go run ./examples/ss -tuxaeim
//	go run ./examples/ss -N nsname -tK dport = :80   # as root
//
// Flags: -t TCP, -u UDP, -w raw, -M MPTCP, -x unix (TCP when none is
// given); -a all states, -l listening ones (default: connected ones);
// -e uid, inode, cookie, mark, cgroup; -i TCP info; -m socket memory;
// -p the processes that hold each socket (sockdiag.Processes); -K
// destroy the inet sockets listed; -N a namespace's name under
// /var/run/netns; -4/-6 one family. Addresses are always numeric (-n is
// accepted for habit). The rest of the command line is a filter
// expression, as sockdiag.Compile reads it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/sockdiag"
)

type options struct {
	tcp, udp, raw, mptcp, unix bool
	all, listening             bool
	ext, info, mem, kill       bool
	procs                      bool
	v4, v6                     bool
	netns                      string
	owners                     map[uint32][]sockdiag.Process // with -p
}

func main() {
	var o options
	fs := flag.NewFlagSet("ss", flag.ExitOnError)
	fs.BoolVar(&o.tcp, "t", false, "TCP sockets")
	fs.BoolVar(&o.udp, "u", false, "UDP sockets")
	fs.BoolVar(&o.raw, "w", false, "raw sockets")
	fs.BoolVar(&o.mptcp, "M", false, "MPTCP sockets")
	fs.BoolVar(&o.unix, "x", false, "unix sockets")
	fs.BoolVar(&o.all, "a", false, "sockets in every state")
	fs.BoolVar(&o.listening, "l", false, "listening sockets only")
	fs.BoolVar(&o.ext, "e", false, "extended information: uid, inode, cookie, mark, cgroup")
	fs.BoolVar(&o.info, "i", false, "TCP information")
	fs.BoolVar(&o.mem, "m", false, "socket memory")
	fs.BoolVar(&o.procs, "p", false, "the processes that hold each socket")
	fs.BoolVar(&o.kill, "K", false, "destroy the inet sockets listed")
	fs.BoolVar(&o.v4, "4", false, "IPv4 only")
	fs.BoolVar(&o.v6, "6", false, "IPv6 only")
	fs.Bool("n", true, "numeric (always)")
	fs.StringVar(&o.netns, "N", "", "the network namespace `name` (/var/run/netns/name)")
	fs.Parse(combined(os.Args[1:]))
	if err := run(os.Stdout, o, strings.Join(fs.Args(), " ")); err != nil {
		fmt.Fprintln(os.Stderr, "ss:", err)
		os.Exit(1)
	}
}

// combined splits combined short flags ("-tuan" into -t -u -a -n), as
// ss takes them.
func combined(args []string) []string {
	var out []string
	for i, a := range args {
		if a == "-N" || a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			for _, c := range a[1:] {
				out = append(out, "-"+string(c))
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

func run(w io.Writer, o options, expr string) error {
	f, err := sockdiag.Compile(expr, nil)
	if err != nil {
		return err
	}
	if !o.tcp && !o.udp && !o.raw && !o.mptcp && !o.unix {
		o.tcp = true
	}
	states := sockdiag.Connected &^ sockdiag.Bucket
	switch {
	case f.States != 0:
		states = f.States
	case o.all:
		states = sockdiag.AllStates
	case o.listening:
		states = sockdiag.StatesOf(sockdiag.StateListen, sockdiag.StateClose)
	}
	if o.procs {
		if o.owners, err = sockdiag.Processes(); err != nil {
			return err
		}
	}
	var cfg netlink.Config
	if o.netns != "" {
		cfg.NetNS = "/var/run/netns/" + o.netns
	}
	c, err := sockdiag.Dial(&cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	tw := tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)
	fmt.Fprintln(tw, "Netid\tState\tRecv-Q\tSend-Q\tLocal Address:Port\tPeer Address:Port\t")
	ctx := context.Background()
	protos := []struct {
		on    bool
		name  string
		proto int
	}{{o.tcp, "tcp", sockdiag.ProtoTCP}, {o.mptcp, "mptcp", sockdiag.ProtoMPTCP}, {o.udp, "udp", sockdiag.ProtoUDP}, {o.raw, "raw", sockdiag.ProtoRaw}}
	ext := sockdiag.Extensions(0)
	if o.info {
		ext |= sockdiag.Ext(sockdiag.AttrInfo) | sockdiag.Ext(sockdiag.AttrCong) | sockdiag.Ext(sockdiag.AttrVegasInfo)
	}
	if o.mem {
		ext |= sockdiag.Ext(sockdiag.AttrSkMemInfo)
	}
	for _, p := range protos {
		if !p.on {
			continue
		}
		for _, fam := range []sockdiag.Family{sockdiag.IPv4, sockdiag.IPv6} {
			if o.v4 && fam != sockdiag.IPv4 || o.v6 && fam != sockdiag.IPv6 {
				continue
			}
			req := sockdiag.InetRequest{Family: fam, Protocol: p.proto, States: states, Filter: f, Extensions: ext}
			for s, err := range c.InetSockets(ctx, req) {
				if err != nil {
					return err
				}
				printInet(tw, o, p.name, s)
			}
			if o.kill {
				if _, err := c.DestroyMatching(ctx, req); err != nil {
					return err
				}
			}
		}
	}
	if o.unix {
		show := uint32(sockdiag.UnixShowName | sockdiag.UnixShowPeer | sockdiag.UnixShowRQLen)
		if o.ext {
			show |= sockdiag.UnixShowUID | sockdiag.UnixShowVFS
		}
		if o.mem {
			show |= sockdiag.UnixShowMemInfo
		}
		for s, err := range c.UnixSockets(ctx, sockdiag.UnixRequest{States: states, Show: show}) {
			if err != nil {
				return err
			}
			printUnix(tw, o, s)
		}
	}
	return tw.Flush()
}

// stateNames are ss's short names.
var stateNames = map[sockdiag.State]string{
	sockdiag.StateEstablished: "ESTAB", sockdiag.StateSynSent: "SYN-SENT", sockdiag.StateSynRecv: "SYN-RECV",
	sockdiag.StateFinWait1: "FIN-WAIT-1", sockdiag.StateFinWait2: "FIN-WAIT-2", sockdiag.StateTimeWait: "TIME-WAIT",
	sockdiag.StateClose: "UNCONN", sockdiag.StateCloseWait: "CLOSE-WAIT", sockdiag.StateLastAck: "LAST-ACK",
	sockdiag.StateListen: "LISTEN", sockdiag.StateClosing: "CLOSING", sockdiag.StateNewSynRecv: "NEW-SYN-RECV",
}

func printInet(w io.Writer, o options, netid string, s *sockdiag.InetSocket) {
	peer := s.ID.Dst.String()
	if s.ID.Dst.Port() == 0 {
		peer = s.ID.Dst.Addr().String() + ":*"
		if s.ID.Dst.Addr().Is6() {
			peer = "[" + s.ID.Dst.Addr().String() + "]:*"
		}
	}
	local := s.ID.Src.String()
	if netid == "raw" {
		local = fmt.Sprintf("%s:%d", s.ID.Src.Addr(), s.Protocol)
	}
	fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%s\t", netid, stateNames[s.State], s.RQueue, s.WQueue, local, peer)
	printUsers(w, o, s.Inode)
	if o.ext {
		if s.UID != 0 {
			fmt.Fprintf(w, " uid:%d", s.UID)
		}
		fmt.Fprintf(w, " ino:%d sk:%x", s.Inode, s.ID.Cookie)
		if s.Mark != 0 {
			fmt.Fprintf(w, " fwmark:0x%x", s.Mark)
		}
		if s.Has(sockdiag.AttrCgroupID) {
			fmt.Fprintf(w, " cgroup:%d", s.CgroupID)
		}
	}
	if o.mem && s.Has(sockdiag.AttrSkMemInfo) {
		m := s.SkMemInfo
		fmt.Fprintf(w, " skmem:(r%d,rb%d,t%d,tb%d,f%d,w%d,o%d,bl%d,d%d)", m.RMemAlloc, m.RcvBuf, m.WMemAlloc, m.SndBuf, m.FwdAlloc, m.WMemQueued, m.OptMem, m.Backlog, m.Drops)
	}
	if o.info && s.Has(sockdiag.AttrInfo) && netid == "mptcp" {
		printMPTCP(w, &s.MPTCPInfo)
	}
	if o.info && s.Has(sockdiag.AttrInfo) && netid == "tcp" {
		t := s.TCPInfo
		fmt.Fprintf(w, " %s", s.CongName())
		if len(s.ULP) > 0 {
			fmt.Fprintf(w, " tcp-ulp-%s", s.ULP)
		}
		if s.State != sockdiag.StateListen {
			fmt.Fprintf(w, " wscale:%d,%d rto:%s rtt:%s/%s mss:%d pmtu:%d rcvmss:%d advmss:%d",
				t.SndWScale, t.RcvWScale, ms(t.RTO), ms(t.RTT), ms(t.RTTVar), t.SndMSS, t.PMTU, t.RcvMSS, t.AdvMSS)
		}
		fmt.Fprintf(w, " cwnd:%d", t.SndCwnd)
		if t.SndSsthresh != 0 && t.SndSsthresh < 0xffff {
			fmt.Fprintf(w, " ssthresh:%d", t.SndSsthresh)
		}
		if t.BytesAcked != 0 {
			fmt.Fprintf(w, " bytes_acked:%d", t.BytesAcked)
		}
		if t.BytesReceived != 0 {
			fmt.Fprintf(w, " bytes_received:%d", t.BytesReceived)
		}
		if t.SegsOut != 0 {
			fmt.Fprintf(w, " segs_out:%d", t.SegsOut)
		}
		if t.SegsIn != 0 {
			fmt.Fprintf(w, " segs_in:%d", t.SegsIn)
		}
		if t.MinRTT != 0 {
			fmt.Fprintf(w, " minrtt:%s", ms(t.MinRTT))
		}
	}
	fmt.Fprintln(w)
}

// ms writes microseconds as milliseconds, as ss does.
func ms(us uint32) string { return strconv.FormatFloat(float64(us)/1000, 'g', 6, 64) }

func printUnix(w io.Writer, o options, s *sockdiag.UnixSocket) {
	name := string(s.Name)
	switch {
	case name == "":
		name = "*"
	case name[0] == 0:
		name = "@" + name[1:]
	}
	fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s %d\t* %d\t", s.Type, stateNames[s.State], s.RQueue, s.WQueue, name, s.Inode, s.Peer)
	printUsers(w, o, s.Inode)
	if o.ext && s.HasUID() && s.UID != 0 {
		fmt.Fprintf(w, " uid:%d", s.UID)
	}
	if o.mem && s.HasMemInfo() {
		m := s.SkMemInfo
		fmt.Fprintf(w, " skmem:(r%d,rb%d,t%d,tb%d,f%d,w%d,o%d,bl%d,d%d)", m.RMemAlloc, m.RcvBuf, m.WMemAlloc, m.SndBuf, m.FwdAlloc, m.WMemQueued, m.OptMem, m.Backlog, m.Drops)
	}
	fmt.Fprintln(w)
}

// printUsers writes, with -p, the processes that hold socket inode, as ss
// -p does.
func printUsers(w io.Writer, o options, inode uint32) {
	if u := sockdiag.Users(o.owners[inode]); u != "" {
		fmt.Fprintf(w, " users:%s", u)
	}
}

// printMPTCP writes mptcp_info as ss -Mi does: each field when not zero.
func printMPTCP(w io.Writer, m *sockdiag.MPTCPInfo) {
	for _, f := range []struct {
		name string
		v    uint64
	}{{"subflows", uint64(m.Subflows)}, {"add_addr_signal", uint64(m.AddAddrSignal)},
		{"add_addr_accepted", uint64(m.AddAddrAccepted)}, {"subflows_max", uint64(m.SubflowsMax)},
		{"add_addr_signal_max", uint64(m.AddAddrSignalMax)}, {"add_addr_accepted_max", uint64(m.AddAddrAcceptedMax)}} {
		if f.v != 0 {
			fmt.Fprintf(w, " %s:%d", f.name, f.v)
		}
	}
	if m.Flags&sockdiag.MPTCPFallback != 0 {
		fmt.Fprint(w, " fallback")
	}
	if m.Flags&sockdiag.MPTCPRemoteKey != 0 {
		fmt.Fprint(w, " remote_key")
	}
	if m.Token != 0 {
		fmt.Fprintf(w, " token:%x", m.Token)
	}
	for _, f := range []struct {
		name string
		v    uint64
	}{{"write_seq", m.WriteSeq}, {"snd_una", m.SndUna}, {"rcv_nxt", m.RcvNxt}} {
		if f.v != 0 {
			fmt.Fprintf(w, " %s:%x", f.name, f.v)
		}
	}
	if m.BytesSent != 0 {
		fmt.Fprintf(w, " bytes_sent:%d", m.BytesSent)
	}
	if m.BytesReceived != 0 {
		fmt.Fprintf(w, " bytes_received:%d", m.BytesReceived)
	}
}
