package vmtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// bootResult is what one boot reported on its console.
type bootResult struct {
	exit     int           // the command's exit status; -1 if it did not run
	reported bool          // init printed its exit line
	boot     time.Duration // QEMU's start to the command's start
	run      time.Duration // the command's start to its end
	fails    []string      // init's "@@vmtest fail:" reasons
	klog     []string      // kernel log lines that show trouble
	started  bool          // init printed its start line: the command ran
	early    []string      // the console's last lines before that (earlyLines at most)
}

// earlyLines bounds bootResult.early.
const earlyLines = 40

// boot runs QEMU on kernel and initrd (TCG, no display, the network cards
// of cfg.NICs and no other, the console on the serial line), copies every console line to out as it
// comes, and returns what init reported. QEMU is killed when ctx ends.
func boot(ctx context.Context, cfg *Config, kernel, initrd string, out io.Writer) (bootResult, error) {
	res := bootResult{exit: -1}
	args := []string{
		"-accel", cfg.accel(),
		"-m", cfg.memory(),
		"-smp", strconv.Itoa(cfg.cpus()),
		"-nographic",
		"-no-reboot",
	}
	args = append(args, nicArgs(cfg.NICs)...)
	args = append(args,
		"-kernel", kernel,
		"-initrd", initrd,
		// no_timer_check: under TCG on a busy host the kernel's check
		// that the IO-APIC routes the timer can miss its ticks and panic
		// the boot ("IO-APIC + timer doesn't work!"), as it did for 6.1.
		"-append", "console=ttyS0 quiet panic=-1 no_timer_check rdinit=/init",
	)
	cmd := exec.CommandContext(ctx, "qemu-system-x86_64", args...)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return res, err
	}
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("starting qemu: %w", err)
	}
	var started time.Time
	sc := bufio.NewScanner(pipe)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		fmt.Fprintln(out, line)
		if !res.started {
			if len(res.early) == earlyLines {
				res.early = res.early[1:]
			}
			res.early = append(res.early, line)
		}
		_, marker, ok := strings.Cut(line, "@@vmtest ")
		if !ok {
			continue
		}
		switch {
		case marker == "start":
			started = time.Now()
			res.boot = started.Sub(start)
			res.started, res.early = true, nil
		case strings.HasPrefix(marker, "exit "):
			if n, err := strconv.Atoi(strings.TrimPrefix(marker, "exit ")); err == nil {
				res.exit, res.reported = n, true
				if !started.IsZero() {
					res.run = time.Since(started)
				}
			}
		case strings.HasPrefix(marker, "klog: "):
			res.klog = append(res.klog, strings.TrimPrefix(marker, "klog: "))
		case strings.HasPrefix(marker, "fail: "):
			res.fails = append(res.fails, strings.TrimPrefix(marker, "fail: "))
		}
	}
	err = cmd.Wait()
	switch {
	case ctx.Err() != nil && !res.reported:
		return res, fmt.Errorf("the VM did not finish in time (%v); QEMU killed", ctx.Err())
	case !res.reported:
		return res, fmt.Errorf("the VM stopped without reporting an exit status (qemu: %v)", err)
	}
	return res, nil
}

// nicArgs returns QEMU's arguments for the network cards models: none
// ("-nic none") when there are none, else each card on a user-mode
// network of its own, restricted so that the guest reaches neither the
// host nor beyond.
func nicArgs(models []string) []string {
	if len(models) == 0 {
		return []string{"-nic", "none"}
	}
	var args []string
	for i, m := range models {
		args = append(args,
			"-netdev", fmt.Sprintf("user,id=n%d,restrict=on", i),
			"-device", fmt.Sprintf("%s,netdev=n%d", m, i))
	}
	return args
}
