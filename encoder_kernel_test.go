//go:build linux

package netlink

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// inNetns runs f on a goroutine whose OS thread has joined the network
// namespace at path, and then goes back to its own. A thread that cannot
// go back stays locked and exits with the goroutine. (Relying on the exit
// alone is not enough: when the goroutine runs on the main thread, which
// cannot exit, the runtime parks that thread for good, in the namespace.)
func inNetns(path string, f func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			done <- err
			return
		}
		defer unix.Close(orig)
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			done <- err
			return
		}
		err = unix.Setns(fd, unix.CLONE_NEWNET)
		unix.Close(fd)
		if err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("setns: %w", err)
			return
		}
		err = f()
		if unix.Setns(orig, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		done <- err
	}()
	return <-done
}

// execute sends req on a fresh NETLINK_ROUTE socket and returns the errno of
// the kernel's ACK, with x/sys alone so that only the encoder is under test.
func execute(req []byte) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	buf := make([]byte, 1<<16)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return err
	}
	for m, err := range Messages(buf[:n]) {
		if err != nil {
			return err
		}
		if m.Header.Type == TypeError && len(m.Data) >= 4 {
			if code := int32(binary.NativeEndian.Uint32(m.Data)); code != 0 {
				return unix.Errno(-code)
			}
			return nil
		}
	}
	return fmt.Errorf("no ACK in % x", buf[:n])
}

// TestAttrEncoderVethKernel: the kernel accepts a veth pair whose peer's
// struct ifinfomsg was appended with Raw, and iproute2 sees the pair.
func TestAttrEncoderVethKernel(t *testing.T) {
	ns := nstest.New(t)
	ifinfomsg := make([]byte, unix.SizeofIfInfomsg)
	b := AppendHeader(nil, Header{Type: unix.RTM_NEWLINK, Flags: Request | Acknowledge | Create | Excl, Sequence: 1})
	b = append(b, ifinfomsg...)
	e := NewAttrEncoder(b)
	e.String(unix.IFLA_IFNAME, "nlkv0")
	info := e.Nest(unix.IFLA_LINKINFO)
	e.String(unix.IFLA_INFO_KIND, "veth")
	data := e.Nest(unix.IFLA_INFO_DATA)
	peer := e.Nest(1) // VETH_INFO_PEER
	e.Raw(ifinfomsg)
	e.String(unix.IFLA_IFNAME, "nlkv1")
	e.Uint32(unix.IFLA_MTU, 1400)
	e.End(peer)
	e.End(data)
	e.End(info)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if err := inNetns(ns.Path, func() error { return execute(SetLength(b, 0)) }); err != nil {
		t.Fatalf("RTM_NEWLINK veth: %v", err)
	}
	out := ns.Run(t, "-o", "link", "show", "nlkv1")
	if !strings.Contains(out, "nlkv1@nlkv0") || !strings.Contains(out, "mtu 1400") {
		t.Errorf("ip link show nlkv1: %s", out)
	}
}
