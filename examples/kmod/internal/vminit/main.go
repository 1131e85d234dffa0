//go:build linux

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
//   - the client gets the kernel's reply (E2E-HELLO-OK);
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

	// 3. The client gets an answer.
	if err := expectHello(); err != nil {
		r.fail("hello", "%v", err)
	} else {
		r.ok("E2E-HELLO-OK")
	}

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

// runClient runs the hello client against the test protocol and returns its
// combined output, echoing it to the console.
func runClient() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, clientPath, "-proto", fmt.Sprint(proto))
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
	reply, err := sendRaw(msg)
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
	case reply != nil:
		r.fail(check, "the module answered a malformed message: %q", reply)
	default:
		if err := expectHello(); err != nil {
			r.fail(check, "module no longer answers: %v", err)
			return
		}
		r.ok(marker)
	}
}

// sendRaw sends msg as one datagram to the kernel on the test protocol and
// returns whatever comes back within half a second (nil when nothing does).
func sendRaw(msg []byte) ([]byte, error) {
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
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if errors.Is(err, unix.EAGAIN) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("recvfrom: %w", err)
	}
	return buf[:n], nil
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
