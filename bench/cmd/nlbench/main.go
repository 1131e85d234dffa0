// Command nlbench runs one workload of the comparative benchmarks with one
// implementation and prints RESULT lines for run.sh; "nlbench report" turns
// the collected lines into the markdown table. See ../../README.md.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

var (
	workload = flag.String("w", "", "workload: decode, encode, dump, getlink, install-batch, install-one, heap, mcast, typed, genl, ctsetup, ctlist, ctdelete, ctevents, sdhold, sdlist, sddestroy, nft, ethdump, ethget (list: every workload and implementation)")
	impl     = flag.String("impl", "", "implementation")
	n        = flag.Int("n", 0, "size of the workload (routes, round trips, ...)")
	reps     = flag.Int("reps", 3, "measured repetitions in this process (after one warm-up)")
	cpuprof  = flag.String("cpuprofile", "", "write a CPU profile of the whole run to `file`")
	data     = flag.String("data", "../testdata/rtm_newroute_100k.bin.gz", "captured route dump for -w decode")
	idle     = flag.Bool("idle", false, "run without the pending timer every other run has; results are reported as workload W-idle")
)

// sample is one measured run.
type sample struct {
	ops           int
	cpu, wall     time.Duration
	allocs, bytes uint64
	count         int    // what the run found (routes, replies, events)
	check         uint64 // a checksum of the decoded values, equal across implementations
	extra         string
}

func cpuTime() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs f once and returns its process CPU time, wall time and the
// heap allocations it made. f returns the count and checksum to verify.
func measure(ops int, f func() (int, uint64)) sample {
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0, t0 := cpuTime(), time.Now()
	count, check := f()
	wall, cpu := time.Since(t0), cpuTime()-c0
	runtime.ReadMemStats(&m1)
	return sample{ops: ops, cpu: cpu, wall: wall, allocs: m1.Mallocs - m0.Mallocs,
		bytes: m1.TotalAlloc - m0.TotalAlloc, count: count, check: check}
}

func emit(s sample) {
	w := *workload
	if *idle {
		w += "-idle"
	}
	emitAs(w, *impl, s)
}

// emitAs prints s as a result of workload w and implementation im.
func emitAs(w, im string, s sample) {
	fmt.Printf("RESULT w=%s impl=%s ops=%d cpu_ns=%d wall_ns=%d allocs=%d bytes=%d count=%d check=%x%s\n",
		w, im, s.ops, s.cpu.Nanoseconds(), s.wall.Nanoseconds(), s.allocs, s.bytes, s.count, s.check, s.extra)
}

// repeat runs f once to warm up and then -reps times measured.
func repeat(ops int, f func() (int, uint64)) {
	f()
	for range *reps {
		emit(measure(ops, f))
	}
}

type runner func()

var workloads = map[string]map[string]runner{}

func register(w, name string, r runner) {
	if workloads[w] == nil {
		workloads[w] = map[string]runner{}
	}
	workloads[w][name] = r
}

func main() {
	log.SetFlags(0)
	if len(os.Args) > 1 && os.Args[1] == "report" {
		report(os.Args[2:])
		return
	}
	flag.Parse()
	log.SetPrefix(fmt.Sprintf("nlbench %s/%s: ", *workload, *impl))
	if *workload == "list" {
		for w, m := range workloads {
			names := make([]string, 0, len(m))
			for k := range m {
				names = append(names, k)
			}
			slices.Sort(names)
			fmt.Println(w, names)
		}
		return
	}
	r, ok := workloads[*workload][*impl]
	if !ok {
		log.Fatalf("no such workload/implementation")
	}
	if !*idle {
		// Every real program has a pending timer somewhere (a ticker, a
		// timeout, a retry): so does every measured process, unless -idle.
		// It changes how the runtime waits: a thread then sleeps in
		// epoll_wait until the timer, and each datagram queued on a socket
		// in the runtime's poller wakes it.
		go time.Sleep(time.Hour)
	}
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		must(err)
		must(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	r()
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
