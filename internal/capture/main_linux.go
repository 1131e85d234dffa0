// Command capture records raw rtnetlink dump replies for the codec's tests
// and fuzz seeds. It talks to the kernel with golang.org/x/sys/unix alone, so
// the files it writes do not depend on the code they are used to test.
//
// For each dump it opens an AF_NETLINK/NETLINK_ROUTE socket, sends one
// request with NLM_F_REQUEST|NLM_F_DUMP, and receives datagrams until the one
// holding NLMSG_DONE. The datagrams are written back to back, each kept whole
// (the kernel pads every message it sends, so the concatenation is still a
// valid stream of messages):
//
//	rtm_newlink_dump.bin   reply to RTM_GETLINK  (struct ifinfomsg, AF_UNSPEC)
//	rtm_newroute_dump.bin  reply to RTM_GETROUTE (struct rtmsg, AF_UNSPEC)
//
// The files in testdata/ were made as root in a throwaway network namespace,
// so that nothing of the host's links, addresses or routes was touched or
// recorded:
//
//	ip netns add nlcap
//	ip -n nlcap link set lo up
//	ip -n nlcap link add veth0 type veth peer name veth1
//	ip -n nlcap addr add 10.99.0.1/24 dev veth0
//	ip -n nlcap link set veth0 up
//	ip -n nlcap link set veth1 up
//	ip -n nlcap route add 10.99.1.0/24 via 10.99.0.2
//	ip -n nlcap route add 10.99.2.0/24 via 10.99.0.3 metric 50
//	ip -n nlcap -6 addr add fd00:99::1/64 dev veth0 nodad
//	ip -n nlcap -6 route add fd00:99:1::/48 via fd00:99::2
//	ip -n nlcap -6 route add fd00:99:2::/48 dev veth0 metric 200
//	go run ./internal/capture -netns nlcap -out testdata
//	ip netns del nlcap
//
// With -netns the tool enters /run/netns/NAME with setns(2) on a locked OS
// thread before it opens its sockets; without it, it dumps the namespace it
// runs in (for example under `ip netns exec nlcap`).
//
// -dump picks one dump (link or route) instead of both. -bufsize sets the
// receive buffer: 0 (the default) peeks at each datagram's size and reads
// exactly that, so the kernel keeps filling datagrams of about one page
// (NLMSG_GOODSIZE); a larger buffer, such as 32768, lets the kernel grow its
// dump datagrams up to that size after the first, as it does for readers
// that offer big buffers. -gzip compresses the output file. The route dump
// benchmark's capture, testdata/rtm_newroute_100k.bin.gz, was made so (see
// bench_test.go for the routes):
//
//	go run ./internal/capture -netns nlbench -dump route -bufsize 32768 -gzip \
//		-out testdata -name rtm_newroute_100k.bin.gz
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"golang.org/x/sys/unix"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("capture: ")
	netns := flag.String("netns", "", "enter the network namespace `name` (/run/netns/name) first")
	out := flag.String("out", "testdata", "write the captures into `dir`")
	only := flag.String("dump", "", "capture only the `kind` of dump: link or route")
	name := flag.String("name", "", "with -dump, write to `file` in the output directory instead of the default name")
	bufsize := flag.Int("bufsize", 0, "receive into a buffer of `n` bytes instead of peeking at each datagram's size")
	compress := flag.Bool("gzip", false, "gzip the output")
	flag.Parse()

	if *netns != "" {
		if err := enterNetns(*netns); err != nil {
			log.Fatal(err)
		}
	}
	type dumpSpec struct {
		kind    string
		file    string
		typ     uint16
		payload []byte
	}
	dumps := []dumpSpec{
		// struct ifinfomsg, all zero: ifi_family = AF_UNSPEC.
		{"link", "rtm_newlink_dump.bin", unix.RTM_GETLINK, make([]byte, unix.SizeofIfInfomsg)},
		// struct rtmsg, all zero: rtm_family = AF_UNSPEC, every table.
		{"route", "rtm_newroute_dump.bin", unix.RTM_GETROUTE, make([]byte, unix.SizeofRtMsg)},
	}
	if *only != "" {
		i := slices.IndexFunc(dumps, func(d dumpSpec) bool { return d.kind == *only })
		if i < 0 {
			log.Fatalf("-dump %q: want link or route", *only)
		}
		dumps = dumps[i : i+1]
		if *name != "" {
			dumps[0].file = *name
		}
	} else if *name != "" {
		log.Fatal("-name needs -dump")
	}
	for i, d := range dumps {
		data, n, err := dump(d.typ, uint32(i+1), d.payload, *bufsize)
		if err != nil {
			log.Fatalf("%s: %v", d.file, err)
		}
		if *compress {
			var z bytes.Buffer
			w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
			w.Write(data)
			if err := w.Close(); err != nil {
				log.Fatal(err)
			}
			data = z.Bytes()
		}
		path := filepath.Join(*out, d.file)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			log.Fatal(err)
		}
		log.Printf("%s: %d bytes, %d messages", path, len(data), n)
	}
}

// enterNetns moves the calling goroutine's thread into the named network
// namespace. The thread stays locked and the program never leaves the
// namespace, so every socket it opens belongs there.
func enterNetns(name string) error {
	runtime.LockOSThread()
	fd, err := unix.Open(filepath.Join("/run/netns", name), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open netns %s: %w", name, err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("setns %s: %w", name, err)
	}
	return nil
}

// dump sends one dump request and returns the reply datagrams concatenated,
// with the number of messages before NLMSG_DONE. With bufsize 0 it reads each
// datagram into a buffer of exactly its size; otherwise into one of bufsize
// bytes.
func dump(typ uint16, seq uint32, payload []byte, bufsize int) ([]byte, int, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, 0, fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, 0, fmt.Errorf("bind: %w", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return nil, 0, fmt.Errorf("getsockname: %w", err)
	}
	port := sa.(*unix.SockaddrNetlink).Pid

	req := make([]byte, unix.NLMSG_HDRLEN, unix.NLMSG_HDRLEN+len(payload))
	binary.NativeEndian.PutUint32(req[0:], uint32(unix.NLMSG_HDRLEN+len(payload)))
	binary.NativeEndian.PutUint16(req[4:], typ)
	binary.NativeEndian.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(req[8:], seq)
	binary.NativeEndian.PutUint32(req[12:], port)
	req = append(req, payload...)
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, 0, fmt.Errorf("sendto: %w", err)
	}

	var all []byte
	count := 0
	for {
		n := bufsize
		if n == 0 {
			// Peek with MSG_TRUNC to learn the datagram's size.
			if n, _, err = unix.Recvfrom(fd, nil, unix.MSG_PEEK|unix.MSG_TRUNC); err != nil {
				return nil, 0, fmt.Errorf("recvfrom: %w", err)
			}
		}
		buf := make([]byte, n)
		n, _, flags, from, err := unix.Recvmsg(fd, buf, nil, 0)
		if err != nil {
			return nil, 0, fmt.Errorf("recvmsg: %w", err)
		}
		if flags&unix.MSG_TRUNC != 0 {
			return nil, 0, fmt.Errorf("datagram larger than the %d-byte buffer", len(buf))
		}
		if nl, ok := from.(*unix.SockaddrNetlink); !ok || nl.Pid != 0 {
			return nil, 0, fmt.Errorf("datagram from %v, not the kernel", from)
		}
		buf = buf[:n]
		done, msgs, err := check(buf, seq, port)
		if err != nil {
			return nil, 0, err
		}
		all = append(all, buf...)
		count += msgs
		if done {
			return all, count, nil
		}
	}
}

// check walks one datagram's messages. It reports whether NLMSG_DONE was
// among them and how many came before it, and fails on NLMSG_ERROR, a
// malformed message or a reply to some other request.
func check(b []byte, seq, port uint32) (done bool, n int, err error) {
	for len(b) > 0 {
		if len(b) < unix.NLMSG_HDRLEN {
			return false, n, errors.New("short message header")
		}
		l := int(binary.NativeEndian.Uint32(b[0:]))
		typ := binary.NativeEndian.Uint16(b[4:])
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			return false, n, fmt.Errorf("bad message length %d with %d bytes left", l, len(b))
		}
		if s, p := binary.NativeEndian.Uint32(b[8:]), binary.NativeEndian.Uint32(b[12:]); s != seq || p != port {
			return false, n, fmt.Errorf("reply seq=%d port=%d, want seq=%d port=%d", s, p, seq, port)
		}
		switch typ {
		case unix.NLMSG_DONE:
			if l-unix.NLMSG_HDRLEN >= 4 {
				if e := int32(binary.NativeEndian.Uint32(b[unix.NLMSG_HDRLEN:])); e != 0 {
					return false, n, fmt.Errorf("dump ended with error %v", unix.Errno(-e))
				}
			}
			return true, n, nil
		case unix.NLMSG_ERROR:
			e := int32(binary.NativeEndian.Uint32(b[unix.NLMSG_HDRLEN:]))
			return false, n, fmt.Errorf("kernel error %v", unix.Errno(-e))
		}
		n++
		b = b[min((l+unix.NLMSG_ALIGNTO-1)&^(unix.NLMSG_ALIGNTO-1), len(b)):]
	}
	return false, n, nil
}
