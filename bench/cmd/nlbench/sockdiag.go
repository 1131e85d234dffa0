package main

// (10) socket diagnostics. A holder process (-w sdhold, started by run.sh
// and killed after the measured runs) makes -n TCP connections over
// loopback in the namespace and keeps both ends open: the client ends
// connect from 198.18.0.0/15 to 198.18.0.1, port 443 or 80. One in -sdevery
// is a client end to :443 from 198.18.0.0/16, which sdFilter selects; the
// others are to :80, or from 198.19.0.0/16, or server ends.
//
// (10a) sdlist lists the sockets sdFilter selects, each decoded (inode,
// addresses, ports) and summed. (10b) sddestroy destroys them
// (SOCK_DESTROY), each process in a fresh namespace of its own.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	nl "github.com/nlkit/netlink"
	"github.com/nlkit/netlink/sockdiag"
	vish "github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

var (
	sdEvery = flag.Int("sdevery", 4, "-w sdhold: one connection in `k` is selected by the filter")
	sdBase  = flag.Int("sdbase", 0, "-w sdhold: the number of the first connection")
	sdChild = flag.Bool("sdchild", false, "-w sdhold: a holder another started, its listeners descriptors 3 and 4")
)

// sdExpr is the filter every row applies: the kernel's bytecode for
// nlkit, the floor and ss, Go code for vishvananda and nlkit-gofilter.
const sdExpr = "state established and dport = :443 and src 198.18.0.0/16"

// ssArgs is sdExpr for ss (the state is an option there).
var ssArgs = []string{"-tnHe", "state", "established", "( dport = :443 and src 198.18.0.0/16 )"}

var sdNet = netip.MustParsePrefix("198.18.0.0/16")

// sdSelected is sdExpr in Go.
func sdSelected(state uint8, src netip.Addr, dport uint16) bool {
	return state == 1 && dport == 443 && sdNet.Contains(src)
}

// sdSum is a selected socket's part of the checksum: its inode, source
// address and both ports.
func sdSum(inode uint32, src netip.Addr, sport, dport uint16) uint64 {
	return uint64(inode)<<32 + uint64(addr4(src)&0xffff)<<16 + uint64(sport) + uint64(dport)<<8
}

// sdConn is the i-th connection of the holder: whether it is selected,
// and its client end's source and destination.
func sdConn(i int) (selected bool, src, dst netip.AddrPort) {
	kind := 0
	if i%*sdEvery != 0 {
		kind = 1 + i / *sdEvery % 3
	}
	sub := byte(18) // kinds 0 and 1: from 198.18.0.0/16; 2 and 3: 198.19.0.0/16
	if kind >= 2 {
		sub = 19
	}
	port := uint16(443) // kinds 0 and 2: to :443; 1 and 3: to :80
	if kind%2 == 1 {
		port = 80
	}
	src = netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, sub, 1, byte(1 + i%16)}), 0)
	dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 18, 0, 1}), port)
	return kind == 0, src, dst
}

func sockaddr(a netip.AddrPort) *unix.SockaddrInet4 {
	return &unix.SockaddrInet4{Addr: a.Addr().As4(), Port: int(a.Port())}
}

// sdHold makes the connections -sdbase to -sdbase + n - 1 with blocking
// system calls (no socket in the runtime's poller, so that the measured
// processes' work wakes nothing here), prints "ready SELECTED", and sleeps
// until killed. It holds two descriptors per connection: when the hard
// limit on them is too low and cannot be raised (no CAP_SYS_RESOURCE, as
// in some containers), it starts holders of its own for the connections it
// cannot hold, which inherit its listeners, and kills them when it gets
// SIGTERM.
func sdHold() {
	need := uint64(2**n + 100)
	var lim unix.Rlimit
	must(unix.Getrlimit(unix.RLIMIT_NOFILE, &lim))
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: need, Max: need}); err == nil {
		lim.Max = need
	} else {
		lim.Cur = lim.Max
		must(unix.Setrlimit(unix.RLIMIT_NOFILE, &lim))
	}
	per := int(lim.Max-100) / 2
	if per < 1 {
		log.Fatalf("a limit of %d descriptors", lim.Max)
	}
	var ls [2]*os.File // :443, :80
	if *sdChild {
		ls[0], ls[1] = os.NewFile(3, "listener 443"), os.NewFile(4, "listener 80")
	} else {
		for i, port := range []uint16{443, 80} {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
			must(err)
			must(unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1))
			must(unix.Bind(fd, sockaddr(netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 18, 0, 1}), port))))
			must(unix.Listen(fd, 4096))
			ls[i] = os.NewFile(uintptr(fd), fmt.Sprintf("listener %d", port))
		}
	}
	// The connections beyond this process's share, to other holders.
	var children []*exec.Cmd
	var readies []*bufio.Reader
	for base := *sdBase + per; base < *sdBase+*n; base += per {
		cmd := exec.Command(os.Args[0], "-w", "sdhold", "-impl", *impl, "-sdchild", "-sdevery", fmt.Sprint(*sdEvery),
			"-sdbase", fmt.Sprint(base), "-n", fmt.Sprint(min(per, *sdBase+*n-base)))
		cmd.ExtraFiles = ls[:]
		cmd.Stderr = os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		out, err := cmd.StdoutPipe()
		must(err)
		must(cmd.Start())
		children = append(children, cmd)
		readies = append(readies, bufio.NewReader(out))
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		for _, c := range children {
			c.Process.Kill()
		}
		os.Exit(0)
	}()
	selected := 0
	for i := *sdBase; i < *sdBase+min(per, *n); i++ {
		sel, src, dst := sdConn(i)
		if sel {
			selected++
		}
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		must(err)
		// The port is chosen at connect, per destination: many more
		// connections than ports per source address.
		must(unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1))
		must(unix.Bind(fd, sockaddr(src)))
		if err := unix.Connect(fd, sockaddr(dst)); err != nil {
			log.Fatalf("connection %d, %v to %v: %v", i, src.Addr(), dst, err)
		}
		l := ls[0]
		if dst.Port() == 80 {
			l = ls[1]
		}
		if _, _, err := unix.Accept4(int(l.Fd()), unix.SOCK_CLOEXEC); err != nil {
			log.Fatalf("accept %d: %v", i, err)
		}
	}
	for i, r := range readies {
		var k int
		if _, err := fmt.Fscanf(r, "ready %d\n", &k); err != nil {
			log.Fatalf("holder %d: %v", i+1, err)
		}
		selected += k
	}
	fmt.Printf("ready %d\n", selected)
	for {
		time.Sleep(time.Hour)
	}
}

// sdRequest is the inet_diag_req_v2 every row but vishvananda sends.
func sdRequest() sockdiag.InetRequest {
	f := sockdiag.MustCompile(sdExpr)
	return sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoTCP, States: f.States, Filter: f}
}

// floorSDRequest is sdRequest's payload, written out by hand.
func floorSDRequest() []byte {
	f := sockdiag.MustCompile(sdExpr)
	ne := binary.NativeEndian
	p := []byte{unix.AF_INET, unix.IPPROTO_TCP, 0, 0}
	p = ne.AppendUint32(p, uint32(f.States))
	p = append(p, make([]byte, 40)...) // ports, addresses, interface
	p = ne.AppendUint32(p, 0xffffffff) // no cookie
	p = ne.AppendUint32(p, 0xffffffff)
	p = ne.AppendUint16(p, uint16(4+len(f.Bytecode)))
	p = ne.AppendUint16(p, 1) // INET_DIAG_REQ_BYTECODE
	p = append(p, f.Bytecode...)
	for len(p)%4 != 0 {
		p = append(p, 0)
	}
	return p
}

// handInetDiag decodes an inet_diag_msg (and checks its attributes'
// lengths) with encoding/binary: state, source, ports and inode; id is
// its struct inet_diag_sockid, a view into p.
func handInetDiag(p []byte) (state uint8, src netip.Addr, sport, dport uint16, inode uint32, id []byte) {
	if len(p) < 72 {
		log.Fatal("short inet_diag_msg")
	}
	if p[0] != unix.AF_INET {
		log.Fatal("inet_diag_msg: not AF_INET")
	}
	state = p[1]
	sport = binary.BigEndian.Uint16(p[4:])
	dport = binary.BigEndian.Uint16(p[6:])
	src = netip.AddrFrom4([4]byte(p[8:12]))
	inode = binary.NativeEndian.Uint32(p[68:])
	for b := p[72:]; len(b) > 0; {
		if len(b) < 4 {
			log.Fatal("malformed attribute")
		}
		l := int(binary.NativeEndian.Uint16(b))
		if l < 4 || l > len(b) {
			log.Fatal("malformed attribute")
		}
		l = (l + 3) &^ 3
		if l >= len(b) {
			break
		}
		b = b[l:]
	}
	return state, src, sport, dport, inode, p[4:52]
}

// floorSDDump sends a dump request and walks every datagram of its
// reply, checking what a library checks (lengths, sequence number and
// port, NLMSG_ERROR, NLM_F_DUMP_INTR), calling f with each socket.
func floorSDDump(c *floorConn, req []byte, f func(p []byte)) {
	c.send(c.request(sockDiagByFamily, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, req))
	for {
		b := c.read()
		for len(b) > 0 {
			if len(b) < unix.NLMSG_HDRLEN {
				log.Fatal("malformed message")
			}
			l := int(binary.NativeEndian.Uint32(b))
			if l < unix.NLMSG_HDRLEN || l > len(b) {
				log.Fatal("malformed message")
			}
			if binary.NativeEndian.Uint32(b[8:]) != c.seq || binary.NativeEndian.Uint32(b[12:]) != c.port {
				log.Fatal("dump: a message of another exchange")
			}
			if binary.NativeEndian.Uint16(b[6:])&unix.NLM_F_DUMP_INTR != 0 {
				log.Fatal("dump interrupted")
			}
			switch binary.NativeEndian.Uint16(b[4:]) {
			case unix.NLMSG_DONE:
				return
			case unix.NLMSG_ERROR:
				if l < unix.NLMSG_HDRLEN+4 {
					log.Fatal("malformed NLMSG_ERROR")
				}
				log.Fatalf("dump: %v", unix.Errno(-int32(binary.NativeEndian.Uint32(b[16:]))))
			case sockDiagByFamily:
				f(b[unix.NLMSG_HDRLEN:l])
			}
			l = (l + 3) &^ 3
			if l >= len(b) {
				break
			}
			b = b[l:]
		}
	}
}

const (
	sockDiagByFamily = 20 // SOCK_DIAG_BY_FAMILY
	sockDestroy      = 21 // SOCK_DESTROY
)

// floorSDDestroy dumps what req selects, then destroys each socket: its
// SOCK_DESTROY requests (the socket's id, cookie included, as nlkit
// sends) window to a datagram, each with an ACK, and every ACK of a
// datagram read, its sequence number checked, before the next is sent,
// as Batch does. It returns how many succeeded.
func floorSDDestroy(c *floorConn, req []byte, window int) int {
	var ids []byte // the sockets' ids, 48 bytes each
	floorSDDump(c, req, func(p []byte) {
		_, _, _, _, _, id := handInetDiag(p)
		ids = append(ids, id...)
	})
	ok := 0
	var out, p []byte
	for len(ids) > 0 {
		out = out[:0]
		first := c.seq + 1
		for j := 0; j < window && len(ids) > 0; j++ {
			p = append(p[:0], unix.AF_INET, unix.IPPROTO_TCP, 0, 0, 0xff, 0xff, 0xff, 0xff)
			p = append(p, ids[:48]...)
			ids = ids[48:]
			out = append(out, c.request(sockDestroy, unix.NLM_F_REQUEST|unix.NLM_F_ACK, p)...)
		}
		c.send(out)
		for left := c.seq - first + 1; left > 0; {
			b := c.read()
			for len(b) > 0 {
				if len(b) < unix.NLMSG_HDRLEN {
					log.Fatal("malformed message")
				}
				l := int(binary.NativeEndian.Uint32(b))
				if l < unix.NLMSG_HDRLEN || l > len(b) {
					log.Fatal("malformed message")
				}
				seq := binary.NativeEndian.Uint32(b[8:])
				if binary.NativeEndian.Uint16(b[4:]) == unix.NLMSG_ERROR && seq-first < uint32(window) {
					if l < unix.NLMSG_HDRLEN+4 {
						log.Fatal("malformed NLMSG_ERROR")
					}
					switch e := int32(binary.NativeEndian.Uint32(b[16:])); e {
					case 0:
						ok++
					case -int32(unix.ENOENT): // gone on its own: not counted
					default:
						log.Fatalf("destroy: %v", unix.Errno(-e))
					}
					left--
				}
				l = (l + 3) &^ 3
				if l >= len(b) {
					break
				}
				b = b[l:]
			}
		}
	}
	return ok
}

// destroyPerSend is how many SOCK_DESTROY requests Batch puts in one
// datagram: it sends as many as there are sockets to destroy, of sockets
// that do not exist (ENOENT: nothing changes), through a Conn that
// captures (see perSend). Outside the measurement.
func destroyPerSend(n int) int {
	reqs := make([]nl.Message, n)
	for i := range reqs {
		p := []byte{unix.AF_INET, unix.IPPROTO_TCP, 0, 0, 0xff, 0xff, 0xff, 0xff}
		p = binary.BigEndian.AppendUint16(p, uint16(1+i%60000))
		p = binary.BigEndian.AppendUint16(p, 9)
		p = append(p, 192, 0, 2, 1)
		p = append(p, make([]byte, 12)...)
		p = append(p, 192, 0, 2, 2)
		p = append(p, make([]byte, 12)...)
		p = append(p, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
		reqs[i] = nl.Message{Header: nl.Header{Type: sockDestroy}, Data: p}
	}
	return perSend(sockdiag.NetlinkSockDiag, reqs, unix.ENOENT)
}

// sdCount counts the sockets sdFilter selects, outside the measurement.
func sdCount() int {
	c, err := sockdiag.Dial(nil)
	must(err)
	defer c.Close()
	k := 0
	for _, err := range c.InetSockets(ctx, sdRequest()) {
		must(err)
		k++
	}
	return k
}

// childCPUOf runs cmd and returns its CPU time, user and system. Its
// standard error is shown only if it fails (ss -e says "Failed to find
// cgroup2 mount" where there is none).
func childCPUOf(cmd *exec.Cmd) time.Duration {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		log.Fatalf("%s: %v: %s", cmd, err, stderr.Bytes())
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// vishSelect lists every TCP socket with vishvananda's
// SocketDiagTCPInfo (all states, tcp_info decoded) and calls f with those
// sdExpr selects.
func vishSelect(h *vish.Handle, f func(s *vish.Socket)) {
	all, err := h.SocketDiagTCPInfo(unix.AF_INET)
	must(err)
	for _, s := range all {
		m := s.InetDiagMsg
		src, _ := netip.AddrFromSlice(m.ID.Source.To4())
		if sdSelected(m.State, src, m.ID.DestinationPort) {
			f(m)
		}
	}
}

// sdRepeat is repeat for sdlist: each result also names the number of
// TCP sockets in the namespace (total=), counted outside the measurement;
// post, if not nil, amends each sample after its measurement.
func sdRepeat(f func() (int, uint64), post func(*sample)) {
	c, err := sockdiag.Dial(nil)
	must(err)
	total := 0
	for _, err := range c.InetSockets(ctx, sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoTCP}) {
		must(err)
		total++
	}
	c.Close()
	f()
	for range *reps {
		s := measure(1, f)
		s.extra = fmt.Sprintf(" total=%d", total)
		if post != nil {
			post(&s)
		}
		emit(s)
	}
}

func init() {
	register("sdhold", "holder", sdHold)

	// (10a) the filtered listing.
	register("sdlist", "floor", func() {
		c := floorDialProto(sockdiag.NetlinkSockDiag, 0)
		req := floorSDRequest()
		sdRepeat(func() (int, uint64) {
			var k int
			var sum uint64
			floorSDDump(c, req, func(p []byte) {
				_, src, sport, dport, inode, _ := handInetDiag(p)
				k++
				sum += sdSum(inode, src, sport, dport)
			})
			return k, sum
		}, nil)
	})
	register("sdlist", "nlkit", func() {
		c, err := sockdiag.Dial(nil)
		must(err)
		req := sdRequest()
		sdRepeat(func() (int, uint64) {
			var k int
			var sum uint64
			for s, err := range c.InetSockets(ctx, req) {
				must(err)
				k++
				sum += sdSum(s.Inode, s.ID.Src.Addr(), s.ID.Src.Port(), s.ID.Dst.Port())
			}
			return k, sum
		}, nil)
	})
	register("sdlist", "nlkit-gofilter", func() {
		// Every TCP socket of every state, the filter in Go.
		c, err := sockdiag.Dial(nil)
		must(err)
		req := sockdiag.InetRequest{Family: sockdiag.IPv4, Protocol: sockdiag.ProtoTCP}
		sdRepeat(func() (int, uint64) {
			var k int
			var sum uint64
			for s, err := range c.InetSockets(ctx, req) {
				must(err)
				if sdSelected(uint8(s.State), s.ID.Src.Addr(), s.ID.Dst.Port()) {
					k++
					sum += sdSum(s.Inode, s.ID.Src.Addr(), s.ID.Src.Port(), s.ID.Dst.Port())
				}
			}
			return k, sum
		}, nil)
	})
	register("sdlist", "vishvananda", func() {
		h, err := vish.NewHandle(unix.NETLINK_INET_DIAG)
		must(err)
		sdRepeat(func() (int, uint64) {
			var k int
			var sum uint64
			vishSelect(h, func(s *vish.Socket) {
				src, _ := netip.AddrFromSlice(s.ID.Source.To4())
				k++
				sum += sdSum(s.INode, src, s.ID.SourcePort, s.ID.DestinationPort)
			})
			return k, sum
		}, nil)
	})
	register("sdlist", "ss", func() {
		// ss with the same filter, its CPU counted as the child's: the
		// parse that checks its output is not counted.
		var out bytes.Buffer
		var cpu time.Duration
		sdRepeat(func() (int, uint64) {
			cmd := exec.Command("ss", ssArgs...)
			out.Reset()
			cmd.Stdout = &out
			cpu = childCPUOf(cmd)
			return 0, 0
		}, func(s *sample) {
			// ss's CPU and nothing of ours; the parse that checks its
			// output comes after the measurement.
			s.cpu, s.allocs, s.bytes = cpu, 0, 0
			s.count, s.check = parseSS(out.Bytes())
		})
	})

	// (10b) destroy what the filter selects. One measured run per
	// process, in a namespace of its own.
	destroy := func(f func() int) func() {
		return func() {
			before := sdCount()
			if before == 0 {
				log.Fatal("no socket to destroy: -w sdhold first")
			}
			var destroyed int
			var child time.Duration
			s := measure(before, func() (int, uint64) {
				if *impl == "ss" {
					child = childCPUOf(exec.Command("ss", append([]string{"-K"}, ssArgs...)...))
					return 0, 0
				}
				destroyed = f()
				return 0, 0
			})
			if child > 0 {
				s.cpu, s.allocs, s.bytes = child, 0, 0 // ss's row: its CPU
			}
			after := sdCount()
			s.count = before - after
			s.extra = fmt.Sprintf(" acked=%d%s", destroyed, sdExtra)
			if *impl == "ss" {
				s.extra = fmt.Sprintf(" acked=%d", s.count)
			}
			emit(s)
		}
	}
	register("sddestroy", "floor", func() {
		w := destroyPerSend(sdCount())
		sdExtra = fmt.Sprintf(" per_send=%d", w)
		c := floorDialProto(sockdiag.NetlinkSockDiag, 0)
		req := floorSDRequest()
		destroy(func() int { return floorSDDestroy(c, req, w) })()
	})
	register("sddestroy", "nlkit", func() {
		w := destroyPerSend(sdCount())
		sdExtra = fmt.Sprintf(" per_send=%d", w)
		c, err := sockdiag.Dial(nil)
		must(err)
		req := sdRequest()
		destroy(func() int {
			k, err := c.DestroyMatching(ctx, req)
			must(err)
			return k
		})()
	})
	register("sddestroy", "vishvananda", func() {
		// The listing filtered in Go, then SocketDestroy for each: it
		// opens a socket per call.
		h, err := vish.NewHandle(unix.NETLINK_INET_DIAG)
		must(err)
		destroy(func() int {
			k := 0
			vishSelect(h, func(s *vish.Socket) {
				local := &net.TCPAddr{IP: s.ID.Source, Port: int(s.ID.SourcePort)}
				remote := &net.TCPAddr{IP: s.ID.Destination, Port: int(s.ID.DestinationPort)}
				must(h.SocketDestroy(local, remote))
				k++
			})
			return k
		})()
	})
	register("sddestroy", "ss", destroy(nil)) // ss -K
}

var sdExtra string

// parseSS reads ss -tnHe's lines: local and peer address:port, and the
// inode (ino:N).
func parseSS(out []byte) (int, uint64) {
	var k int
	var sum uint64
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 {
			continue
		}
		// State is omitted with a state filter: Recv-Q Send-Q Local Peer ...
		local, err1 := netip.ParseAddrPort(f[2])
		peer, err2 := netip.ParseAddrPort(f[3])
		var inode uint64
		for _, x := range f[4:] {
			if v, ok := strings.CutPrefix(x, "ino:"); ok {
				inode, _ = strconv.ParseUint(v, 10, 32)
			}
		}
		if err1 != nil || err2 != nil || inode == 0 {
			fmt.Fprintf(os.Stderr, "ss: unexpected line %q\n", sc.Text())
			continue
		}
		k++
		sum += sdSum(uint32(inode), local.Addr(), local.Port(), peer.Port())
	}
	return k, sum
}
