// Command vminit is PID 1 of the virtual machine that the kmod end-to-end
// test boots. It expects an initramfs holding itself as /init, the netlink
// hello client as /bin/hello and the module as /hello_nl.ko, and checks, in
// order, that:
//
//   - the client fails with "protocol not supported" while the module is not
//     loaded (E2E-MISSING-MODULE-OK);
//   - the module refuses proto=32, proto=-1 (EINVAL) and proto=0, which
//     NETLINK_ROUTE holds (EBUSY) (E2E-PARAM-OK), and loads with proto=30
//     (E2E-LOAD-OK);
//   - the client gets the kernel's reply (E2E-HELLO-OK), and with -ack the
//     reply and then an ACK, NLMSG_ERROR with error 0 (E2E-ACK-OK);
//   - a message type the module does not serve gets -EOPNOTSUPP and an
//     empty message -EINVAL, with the module's extended ACK text
//     (E2E-ERROR-OK);
//   - one datagram holding two requests with NLM_F_ACK and a message without
//     NLM_F_REQUEST gets, in order, reply and ACK for each request and a
//     bare ACK for the last (E2E-MULTI-OK);
//   - a client in another network namespace finds no kernel socket there:
//     sending fails with ECONNREFUSED (E2E-NETNS-OK);
//   - a datagram shorter than a netlink header, and one whose header claims
//     more bytes than were sent, are dropped with a warning in the kernel log
//     and no reply, and the module still answers afterwards (E2E-SHORT-OK,
//     E2E-BADLEN-OK);
//   - the module unloads and the protocol is gone again (E2E-UNLOAD-OK);
//   - the kernel log shows no oops, BUG or WARNING (E2E-KLOG-CLEAN-OK).
//
// Each check prints its marker on success or "E2E-FAIL <check>: <reason>" on
// failure, to the console, which the test reads. The module's kernel log
// lines are echoed with the prefix "kmsg: ". Finally it prints
// "E2E-DONE passed=N failed=M" and powers the machine off.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Paths inside the initramfs and the protocol the module is loaded on; the
// test builds the initramfs to match.
const (
	clientPath = "/bin/hello"
	modulePath = "/hello_nl.ko"
	moduleName = "hello_nl"
	proto      = 30
)

// wantReply is what the client's output must contain once the module answers.
const wantReply = "hello from kernel, got: hello"

// results counts the checks that passed and failed.
type results struct{ passed, failed int }

// ok records a passed check and prints its marker.
func (r *results) ok(marker string) {
	r.passed++
	fmt.Println(marker)
}

// fail records a failed check and prints why.
func (r *results) fail(check, format string, args ...any) {
	r.failed++
	fmt.Printf("E2E-FAIL %s: %s\n", check, fmt.Sprintf(format, args...))
}

func main() {
	fmt.Println("vminit: started")
	var r results
	if err := mountAll(); err != nil {
		r.fail("mount", "%v", err)
	} else {
		runChecks(&r)
	}
	fmt.Printf("E2E-DONE passed=%d failed=%d\n", r.passed, r.failed)
	powerOff()
}

// mountAll mounts /proc, /sys and a devtmpfs on /dev.
func mountAll() error {
	for _, m := range []struct{ fstype, target string }{
		{"proc", "/proc"},
		{"sysfs", "/sys"},
		{"devtmpfs", "/dev"},
	} {
		if err := os.MkdirAll(m.target, 0o755); err != nil {
			return err
		}
		err := unix.Mount(m.fstype, m.target, m.fstype, unix.MS_NOSUID|unix.MS_NOEXEC, "")
		if err != nil && !errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("mount %s on %s: %w", m.fstype, m.target, err)
		}
	}
	return nil
}

// runChecks runs every check in order, recording the results in r.
func runChecks(r *results) {
	// 1. Without the module the protocol does not exist.
	out, err := runClient()
	switch {
	case err == nil:
		r.fail("missing-module", "client succeeded before the module was loaded")
	case !strings.Contains(out, "protocol not supported"):
		r.fail("missing-module", "client failed (%v) without \"protocol not supported\"", err)
	default:
		r.ok("E2E-MISSING-MODULE-OK")
	}

	// 2. Bad parameters are refused, then the module loads.
	checkParams(r)
	if err := loadModule(fmt.Sprintf("proto=%d", proto)); err != nil {
		r.fail("load", "%v", err)
		return
	}
	r.ok("E2E-LOAD-OK")

	// 3. The client gets an answer, an ACK when it asks for one, and
	// errors through the same NLMSG_ERROR path.
	if err := expectHello(); err != nil {
		r.fail("hello", "%v", err)
	} else {
		r.ok("E2E-HELLO-OK")
	}
	checkAck(r)
	checkErrors(r)
	checkMulti(r)
	checkNetNS(r)

	// 4. Malformed datagrams are logged and dropped; the module survives.
	// The kernel calls the module's input callback from sendto itself, so
	// the warning is in the log by the time sendto returns.
	checkMalformed(r, "E2E-SHORT-OK", "short", []byte("hello!"),
		"hello_nl: dropping short message (6 bytes)")
	bad := make([]byte, unix.NLMSG_HDRLEN+4)
	binary.NativeEndian.PutUint32(bad, 200) // nlmsg_len larger than the datagram
	copy(bad[unix.NLMSG_HDRLEN:], "oops")
	checkMalformed(r, "E2E-BADLEN-OK", "badlen", bad,
		"hello_nl: dropping bad message")

	// 5. Unload: the protocol disappears again.
	if err := unix.DeleteModule(moduleName, 0); err != nil {
		r.fail("unload", "delete_module: %v", err)
	} else if out, err := runClient(); err == nil || !strings.Contains(out, "protocol not supported") {
		r.fail("unload", "client after unload: err=%v, output %q", err, out)
	} else {
		r.ok("E2E-UNLOAD-OK")
	}

	// 6. Echo the module's log lines and look for kernel trouble.
	log, err := kernelLog()
	if err != nil {
		r.fail("klog", "%v", err)
		return
	}
	var trouble []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, moduleName) {
			fmt.Println("kmsg:", line)
		}
		for _, bad := range []string{"Oops", "BUG:", "WARNING:", "Call Trace"} {
			if strings.Contains(line, bad) {
				trouble = append(trouble, line)
				fmt.Println("kmsg:", line)
				break
			}
		}
	}
	if len(trouble) > 0 {
		r.fail("klog", "kernel log has %d suspicious lines", len(trouble))
	} else {
		r.ok("E2E-KLOG-CLEAN-OK")
	}
}

// runClient runs the hello client against the test protocol with extra
// arguments args and returns its combined output, echoing it to the console.
func runClient(args ...string) (string, error) {
	return runClientAttr(nil, args...)
}

// runClientAttr is runClient with the process attributes attr.
func runClientAttr(attr *syscall.SysProcAttr, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, clientPath, append([]string{"-proto", fmt.Sprint(proto)}, args...)...)
	cmd.SysProcAttr = attr
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		fmt.Println("client:", line)
	}
	if err != nil {
		fmt.Println("client:", "exit:", err)
	}
	return string(out), err
}

// expectHello runs the client and checks that it printed the kernel's reply.
func expectHello() error {
	out, err := runClient()
	if err != nil {
		return fmt.Errorf("client failed: %v", err)
	}
	if !strings.Contains(out, wantReply) {
		return fmt.Errorf("client output lacks %q", wantReply)
	}
	return nil
}

// checkAck checks that a request with NLM_F_ACK gets the reply, then the ACK.
func checkAck(r *results) {
	out, err := runClient("-ack")
	reply, ack := strings.Index(out, wantReply), strings.Index(out, "ACK from kernel (seq 1)")
	switch {
	case err != nil:
		r.fail("ack", "client failed: %v", err)
	case reply < 0 || ack < 0:
		r.fail("ack", "client output lacks the reply or the ACK")
	case ack < reply:
		r.fail("ack", "the ACK came before the reply")
	default:
		r.ok("E2E-ACK-OK")
	}
}

// checkErrors checks that requests the module refuses get the kernel's
// error message with the errno and the module's extended ACK text.
func checkErrors(r *results) {
	failed := false
	for _, c := range []struct {
		args []string
		want []string
	}{
		// EOPNOTSUPP is ENOTSUP on Linux, and unix.ErrnoName says ENOTSUP.
		{[]string{"-type", "17"}, []string{"(operation not supported)", "hello_nl: unknown message type"}},
		{[]string{"-msg", ""}, []string{"EINVAL (invalid argument)", "hello_nl: empty hello message"}},
	} {
		out, err := runClient(c.args...)
		if err == nil {
			r.fail("error", "client %q succeeded", c.args)
			failed = true
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				r.fail("error", "client %q: output lacks %q", c.args, w)
				failed = true
			}
		}
	}
	if !failed {
		r.ok("E2E-ERROR-OK")
	}
}

// checkMulti sends one datagram holding three messages: two hello requests
// with NLM_F_ACK and a message with NLM_F_ACK but no NLM_F_REQUEST, which the
// kernel does not pass to the module but still acknowledges. The second
// request holds a newline, which the module must log escaped.
func checkMulti(r *results) {
	const ack, req = unix.NLM_F_ACK, unix.NLM_F_REQUEST | unix.NLM_F_ACK
	var b []byte
	b = appendMsg(b, unix.NLMSG_MIN_TYPE, req, 1, "one")
	b = appendMsg(b, unix.NLMSG_MIN_TYPE, req, 2, "two\nlines")
	b = appendMsg(b, unix.NLMSG_MIN_TYPE, ack, 3, "three")
	replies, err := sendRaw(b)
	if err != nil {
		r.fail("multi", "%v", err)
		return
	}
	log, err := kernelLog()
	if err != nil {
		r.fail("multi", "%v", err)
		return
	}
	if want := `hello_nl: received "two\nlines"`; !strings.Contains(log, want) {
		r.fail("multi", "kernel log lacks %s (the newline escaped)", want)
		return
	}
	var got []string
	for _, d := range replies {
		msgs, err := parseMsgs(d)
		if err != nil {
			r.fail("multi", "%v", err)
			return
		}
		got = append(got, msgs...)
	}
	want := []string{
		`seq 1: "hello from kernel, got: one"`, "seq 1: error 0",
		`seq 2: "hello from kernel, got: two\nlines"`, "seq 2: error 0",
		"seq 3: error 0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		r.fail("multi", "got messages %q, want %q", got, want)
		return
	}
	r.ok("E2E-MULTI-OK")
}

// checkNetNS runs the client in a new network namespace, where the module
// has no kernel socket: the socket opens, but sending to the kernel fails.
func checkNetNS(r *results) {
	out, err := runClientAttr(&syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET})
	if err == nil || !strings.Contains(out, "connection refused") {
		r.fail("netns", "client in a new network namespace: err=%v, want \"connection refused\"", err)
		return
	}
	r.ok("E2E-NETNS-OK")
}

// appendMsg appends a netlink message with payload s to b.
func appendMsg(b []byte, typ, flags uint16, seq uint32, s string) []byte {
	n := unix.NLMSG_HDRLEN + len(s)
	b = binary.NativeEndian.AppendUint32(b, uint32(n))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = binary.NativeEndian.AppendUint16(b, flags)
	b = binary.NativeEndian.AppendUint32(b, seq)
	b = binary.NativeEndian.AppendUint32(b, 0) // port ID: the kernel fills it in
	b = append(b, s...)
	return append(b, make([]byte, (4-n%4)%4)...)
}

// parseMsgs describes each message in the datagram d in one line: its
// sequence number and its payload as a string, or the error code of an
// NLMSG_ERROR.
func parseMsgs(d []byte) ([]string, error) {
	var out []string
	for len(d) > 0 {
		if len(d) < unix.NLMSG_HDRLEN {
			return out, fmt.Errorf("%d stray bytes after the last message", len(d))
		}
		n := int(binary.NativeEndian.Uint32(d))
		typ := binary.NativeEndian.Uint16(d[4:])
		seq := binary.NativeEndian.Uint32(d[8:])
		if n < unix.NLMSG_HDRLEN || n > len(d) {
			return out, fmt.Errorf("message length %d with %d bytes left", n, len(d))
		}
		payload := d[unix.NLMSG_HDRLEN:n]
		switch {
		case typ == unix.NLMSG_ERROR && len(payload) >= 4:
			out = append(out, fmt.Sprintf("seq %d: error %d", seq, int32(binary.NativeEndian.Uint32(payload))))
		default:
			out = append(out, fmt.Sprintf("seq %d: %q", seq, payload))
		}
		d = d[min((n+3)&^3, len(d)):]
	}
	return out, nil
}

// loadModule loads the module with the given parameters.
func loadModule(params string) error {
	f, err := os.Open(modulePath)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.FinitModule(int(f.Fd()), params, 0); err != nil {
		return fmt.Errorf("finit_module %s %q: %w", modulePath, params, err)
	}
	return nil
}

// checkParams checks that the module refuses protocols out of range with
// EINVAL and one that the kernel already serves (NETLINK_ROUTE) with EBUSY.
func checkParams(r *results) {
	failed := false
	for _, c := range []struct {
		params string
		want   error
	}{
		{"proto=32", unix.EINVAL},
		{"proto=-1", unix.EINVAL},
		{"proto=0", unix.EBUSY},
	} {
		if err := loadModule(c.params); !errors.Is(err, c.want) {
			r.fail("params", "loading with %s: got %v, want %v", c.params, err, c.want)
			failed = true
			if err == nil {
				// It loaded after all: unload it so that the real load works.
				_ = unix.DeleteModule(moduleName, 0)
			}
		}
	}
	if !failed {
		r.ok("E2E-PARAM-OK")
	}
}

// checkMalformed sends msg to the module on a raw netlink socket and checks
// that the kernel log gained a line containing wantLog, that no reply came
// back, and that the module still answers the client afterwards.
func checkMalformed(r *results, marker, check string, msg []byte, wantLog string) {
	before, err := kernelLog()
	if err != nil {
		r.fail(check, "%v", err)
		return
	}
	replies, err := sendRaw(msg)
	if err != nil {
		r.fail(check, "%v", err)
		return
	}
	after, err := kernelLog()
	if err != nil {
		r.fail(check, "%v", err)
		return
	}
	switch {
	case strings.Count(after, wantLog) <= strings.Count(before, wantLog):
		r.fail(check, "no new kernel log line containing %q", wantLog)
	case len(replies) > 0:
		r.fail(check, "the module answered a malformed message: %q", replies)
	default:
		if err := expectHello(); err != nil {
			r.fail(check, "module no longer answers: %v", err)
			return
		}
		r.ok(marker)
	}
}

// sendRaw sends msg as one datagram to the kernel on the test protocol and
// returns the datagrams that come back until none has for half a second.
func sendRaw(msg []byte) ([][]byte, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("bind: %w", err)
	}
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("sendto: %w", err)
	}
	tv := unix.NsecToTimeval((500 * time.Millisecond).Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, fmt.Errorf("SO_RCVTIMEO: %w", err)
	}
	var out [][]byte
	for {
		buf := make([]byte, 4096)
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if errors.Is(err, unix.EAGAIN) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("recvfrom: %w", err)
		}
		out = append(out, buf[:n])
	}
}

// kernelLog returns the whole kernel log buffer.
func kernelLog() (string, error) {
	size, err := unix.Klogctl(unix.SYSLOG_ACTION_SIZE_BUFFER, nil)
	if err != nil {
		return "", fmt.Errorf("syslog size: %w", err)
	}
	buf := make([]byte, size)
	n, err := unix.Klogctl(unix.SYSLOG_ACTION_READ_ALL, buf)
	if err != nil {
		return "", fmt.Errorf("syslog read: %w", err)
	}
	return string(bytes.TrimRight(buf[:n], "\x00")), nil
}

// powerOff flushes the console and turns the machine off. Should that fail,
// PID 1 exits, the kernel panics, and QEMU (run with -no-reboot and the
// kernel with panic=-1) stops anyway.
func powerOff() {
	unix.Sync()
	if err := unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF); err != nil {
		fmt.Println("vminit: power off:", err)
	}
	os.Exit(1)
}
