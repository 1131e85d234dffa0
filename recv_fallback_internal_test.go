//go:build linux && (amd64 || arm64)

package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"unsafe"

	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// refuseRecvmmsgEnv, set, makes TestRecvmmsgRefused the child: it installs
// a seccomp filter that answers recvmmsg with the errno it names, as a
// container runtime's filter that knows only recvmsg does, and runs the
// exchanges in the namespace named by nsEnv.
const (
	refuseRecvmmsgEnv = "NLKIT_TEST_REFUSE_RECVMMSG"
	refuseNSEnv       = "NLKIT_TEST_REFUSE_NS"
)

// TestRecvmmsgRefused: where recvmmsg is refused (ENOSYS or EPERM from a
// seccomp filter), a Conn reads one datagram at a time from the first
// refusal on, and exchanges, dumps and batches lose nothing. Each errno
// runs in a child process, since a seccomp filter binds the whole process
// for good.
func TestRecvmmsgRefused(t *testing.T) {
	if e := os.Getenv(refuseRecvmmsgEnv); e != "" {
		refusedChild(t, e)
		return
	}
	ns := nstest.New(t)
	for _, e := range []string{"ENOSYS", "EPERM"} {
		t.Run(e, func(t *testing.T) {
			self, err := os.Executable()
			if err != nil {
				t.Fatal(err)
			}
			// The child's own timeout ends it should it hang, even when
			// this process is killed first.
			cmd := exec.Command(self, "-test.run", "^TestRecvmmsgRefused$", "-test.v", "-test.count=1", "-test.timeout=2m")
			cmd.Env = append(os.Environ(), refuseRecvmmsgEnv+"="+e, refuseNSEnv+"="+ns.Path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			t.Logf("child:\n%s", out)
		})
	}
}

// refusedChild is TestRecvmmsgRefused in the child process.
func refusedChild(t *testing.T, name string) {
	errno := map[string]unix.Errno{"ENOSYS": unix.ENOSYS, "EPERM": unix.EPERM}[name]
	if errno == 0 {
		t.Fatalf("%s=%q: not ENOSYS or EPERM", refuseRecvmmsgEnv, name)
	}
	if err := refuseRecvmmsg(errno); err != nil {
		t.Fatalf("installing the seccomp filter: %v", err)
	}
	// The filter works: recvmmsg itself now fails with errno.
	if _, _, e := unix.Syscall6(unix.SYS_RECVMMSG, ^uintptr(0), 0, 0, 0, 0, 0); e != errno {
		t.Fatalf("recvmmsg under the filter: %v; want %v", e, errno)
	}
	c, err := Dial(unix.NETLINK_ROUTE, &Config{NetNS: os.Getenv(refuseNSEnv)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, ok := c.sys.(*sysConn)
	if !ok {
		t.Skip("the socket is traced (NLKIT_DEBUG)")
	}
	ctx := context.Background()
	getLo := Message{Header: Header{Type: unix.RTM_GETLINK}, Data: make([]byte, unix.SizeofIfInfomsg)}
	binary.NativeEndian.PutUint32(getLo.Data[4:], 1)
	// Replies with ACKs come in twos: the Conn tries two at a time, is
	// refused, and reads one at a time from then on.
	for i := range 5 {
		msgs, err := c.Execute(ctx, getLo)
		if err != nil || len(msgs) != 1 || msgs[0].Header.Type != unix.RTM_NEWLINK {
			t.Fatalf("Execute %d: %d messages, %v", i, len(msgs), err)
		}
	}
	if s.maxMsgs != 1 {
		t.Errorf("after refused reads, the Conn reads up to %d datagrams at a time; want 1", s.maxMsgs)
	}
	links := 0
	for _, err := range c.Dump(ctx, Message{Header: Header{Type: unix.RTM_GETLINK}, Data: make([]byte, unix.SizeofIfInfomsg)}) {
		if err != nil {
			t.Fatalf("Dump of links: %v", err)
		}
		links++
	}
	if links == 0 {
		t.Fatal("Dump of links: none")
	}
	// A batch of requests the kernel refuses one by one: each gets its
	// own answer.
	reqs := make([]Message, 20)
	for i := range reqs {
		reqs[i] = Message{Header: Header{Type: unix.RTM_DELLINK}, Data: make([]byte, unix.SizeofIfInfomsg)}
		binary.NativeEndian.PutUint32(reqs[i].Data[4:], uint32(100000+i))
	}
	results, err := c.Batch(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if !errors.Is(r, unix.ENODEV) {
			t.Errorf("Batch request %d: %v; want ENODEV", i, r)
		}
	}
}

// refuseRecvmmsg installs, for every thread of the process, a seccomp
// filter under which recvmmsg fails with errno and every other system
// call runs.
func refuseRecvmmsg(errno unix.Errno) error {
	arch := uint32(0xc000003e) // AUDIT_ARCH_X86_64
	if runtime.GOARCH == "arm64" {
		arch = 0xc00000b7 // AUDIT_ARCH_AARCH64
	}
	const (
		ldAbs  = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq    = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		ret    = unix.BPF_RET | unix.BPF_K
		allow  = 0x7fff0000 // SECCOMP_RET_ALLOW
		fail   = 0x00050000 // SECCOMP_RET_ERRNO
		offNr  = 0          // seccomp_data.nr
		offArc = 4          // seccomp_data.arch
	)
	prog := []unix.SockFilter{
		{Code: ldAbs, K: offArc},
		{Code: jeq, K: arch, Jt: 0, Jf: 2},
		{Code: ldAbs, K: offNr},
		{Code: jeq, K: unix.SYS_RECVMMSG, Jt: 1, Jf: 0},
		{Code: ret, K: allow},
		{Code: ret, K: fail | uint32(errno)},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return os.NewSyscallError("prctl PR_SET_NO_NEW_PRIVS", err)
	}
	const seccompSetModeFilter, seccompFilterFlagTsync = 1, 1
	tid, _, e := unix.Syscall(unix.SYS_SECCOMP, seccompSetModeFilter, seccompFilterFlagTsync, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if e != 0 {
		return os.NewSyscallError("seccomp", e)
	}
	// With TSYNC, a positive result is a thread the filter could not be
	// synchronized to: the filter then binds none of the threads.
	if tid != 0 {
		return fmt.Errorf("seccomp: thread %d could not take the filter", tid)
	}
	return nil
}
