// Command vmtest runs packages' tests inside VMs booted from Debian kernel
// packages (see internal/vmtest), one VM per package and kernel:
//
//	go run ./internal/cmd/vmtest -kernel 6.1,6.12 -short ./rtnetlink ./genetlink
//
// Flags after the packages, or after "--", go to the test binary
// (-test.bench, -test.count …). It streams each VM's console, prints a
// table of the prepare, boot and run times, and exits 1 if any package
// failed on any kernel. Tests that skip what a kernel lacks pass, unless
// -failskips makes every skip but those -allowskip names a failure, for
// runs whose kernel has everything the tests need.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nlkit/netlink/internal/vmtest"
)

func main() {
	kernels := flag.String("kernel", strings.Join(vmtest.Kernels, ","), "comma-separated Debian kernel series or releases, suite kernels (7.2, sid), built kernels (psp), or local ($NLKIT_VM_VMLINUX)")
	modules := flag.String("modules", "", "comma-separated modules to load before the tests (others load on demand; netdevsim is built, see vmtest.SourceModules)")
	nics := flag.String("nics", "", "comma-separated QEMU network card models the VM gets (virtio-net-pci, e1000e; see vmtest.Config.NICs)")
	tools := flag.String("tools", "", "comma-separated host programs to copy in beside "+strings.Join(vmtest.DefaultTools, ","))
	run := flag.String("run", "", "run only the tests matching this regular expression (go test -run)")
	short := flag.Bool("short", false, "go test -short")
	verbose := flag.Bool("v", false, "go test -v")
	timeout := flag.Duration("timeout", 10*time.Minute, "bound on each package's tests inside a VM")
	quiet := flag.Bool("q", false, "print only the VM's lines from the test binary, not the kernel's boot messages")
	failSkips := flag.Bool("failskips", false, "a test that skips in the VM fails the run, unless -allowskip names it (implies -v)")
	allowed := map[string]string{}
	flag.Func("allowskip", "with -failskips, a test that may skip, as NAME=why (full name: TestX/sub); repeatable", func(s string) error {
		name, why, ok := strings.Cut(s, "=")
		if !ok || name == "" || why == "" {
			return errors.New("want NAME=why")
		}
		allowed[name] = why
		return nil
	})
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: vmtest [flags] packages... [-- test binary flags]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if len(allowed) > 0 && !*failSkips {
		fmt.Fprintln(os.Stderr, "vmtest: -allowskip does nothing without -failskips")
	}
	var pkgs, extra []string
	for i, a := range flag.Args() {
		if strings.HasPrefix(a, "-") {
			extra = flag.Args()[i:]
			if extra[0] == "--" {
				extra = extra[1:]
			}
			break
		}
		pkgs = append(pkgs, a)
	}
	if len(pkgs) == 0 {
		flag.Usage()
		os.Exit(2)
	}
	pkgs, err := testPackages(pkgs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vmtest:", err)
		os.Exit(2)
	}
	args := []string{"-test.timeout", timeout.String()}
	if *run != "" {
		args = append(args, "-test.run", *run)
	}
	if *short {
		args = append(args, "-test.short")
	}
	if *verbose || *failSkips {
		args = append(args, "-test.v")
	}
	args = append(args, extra...)

	type row struct {
		pkg string
		res vmtest.Result
		err error
	}
	var rows []row
	failed := false
	for _, pkg := range pkgs {
		for _, k := range split(*kernels) {
			fmt.Printf("=== vmtest %s on Linux %s\n", pkg, k)
			var out io.Writer = os.Stdout
			if *quiet {
				out = &afterStart{w: os.Stdout}
			}
			res, err := vmtest.RunPackage(context.Background(), vmtest.Options{
				Config: vmtest.Config{
					Kernel:  k,
					Modules: split(*modules),
					Tools:   split(*tools),
					NICs:    split(*nics),
					Timeout: *timeout,
				},
				Package:      pkg,
				Args:         args,
				Output:       out,
				Logf:         func(f string, a ...any) { fmt.Printf(f+"\n", a...) },
				FailSkips:    *failSkips,
				AllowedSkips: allowed,
			})
			if err != nil || res.Exit != 0 {
				failed = true
			}
			if res.Release == "" {
				res.Release = k
			}
			rows = append(rows, row{pkg, res, err})
		}
	}

	w := tabwriter.NewWriter(os.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "\npackage\tkernel\tprepare\tboot\trun\tresult")
	for _, r := range rows {
		result := "ok"
		switch {
		case r.err != nil:
			result = r.err.Error()
		case r.res.Exit != 0:
			result = fmt.Sprintf("FAIL (exit %d)", r.res.Exit)
		}
		if n := len(r.res.KernelTrouble); n > 0 {
			result += fmt.Sprintf("; %d kernel log lines of trouble (@@vmtest klog)", n)
		}
		fmt.Fprintf(w, "%s\t%s\t%v\t%v\t%v\t%s\n", r.pkg, r.res.Release,
			r.res.Prepare.Round(100*time.Millisecond), r.res.Boot.Round(100*time.Millisecond),
			r.res.Run.Round(100*time.Millisecond), result)
	}
	w.Flush()
	if failed {
		os.Exit(1)
	}
}

// split splits a comma-separated list, dropping empty items.
func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// testPackages expands patterns (./...) to the packages that have tests.
func testPackages(patterns []string) ([]string, error) {
	out, err := exec.Command("go", append([]string{"list", "-f",
		"{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}"}, patterns...)...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("go list: %s", ee.Stderr)
		}
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// afterStart passes on what the VM prints once the test binary started.
type afterStart struct {
	w       io.Writer
	started bool
	buf     []byte
}

func (a *afterStart) Write(p []byte) (int, error) {
	if a.started {
		return a.w.Write(p)
	}
	a.buf = append(a.buf, p...)
	for {
		i := strings.IndexByte(string(a.buf), '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(a.buf[:i+1])
		a.buf = a.buf[i+1:]
		if strings.Contains(line, "@@vmtest start") {
			a.started = true
			_, err := a.w.Write(a.buf)
			a.buf = nil
			return len(p), err
		}
		if strings.Contains(line, "@@vmtest fail") {
			a.w.Write([]byte(line))
		}
	}
}
