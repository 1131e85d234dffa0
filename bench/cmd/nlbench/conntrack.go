package main

// (9) conntrack: list a table of n entries; delete the n entries a filter
// selects among 2n; count the NEW events of n entries another process
// creates. The tables are made by "-w ctsetup" (this library's batched
// creates), outside the measured runs.

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	nl "github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/conntrack"
	timo "github.com/ti-mo/conntrack"
	timonf "github.com/ti-mo/netfilter"
	vish "github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

var (
	ctBase = flag.Int("ctbase", 0, "-w ctsetup: the number of the first entry (entries are numbered across setups)")
	ctPort = flag.Int("ctport", 9, "-w ctsetup: the entries' destination port")
	ctMark = flag.Int("ctmark", 1, "-w ctsetup: the entries' mark")
)

// ctEntry is the i-th UDP entry of a setup: 198.18.x.y:sport to
// 198.18.200.1:ctPort, with mark ctMark.
func ctEntry(i int) *conntrack.Flow {
	src := netip.AddrFrom4([4]byte{198, 18, byte(i / 60000), byte(i / 240 % 250)})
	dst := netip.MustParseAddr("198.18.200.1")
	sport := uint16(1024 + i%60000)
	return &conntrack.Flow{
		Family:  2,
		Orig:    conntrack.Tuple{Src: src, Dst: dst, Proto: 17, SrcPort: sport, DstPort: uint16(*ctPort)},
		Reply:   conntrack.Tuple{Src: dst, Dst: src, Proto: 17, SrcPort: uint16(*ctPort), DstPort: sport},
		Timeout: 3600,
		Mark:    uint32(*ctMark),
	}
}

// ctCreate creates entries base to base+n-1 with batches of requests.
func ctCreate(c *conntrack.Conn, base, n int) {
	typ := netfilter.MessageType(netfilter.SubsysConntrack, 0) // IPCTNL_MSG_CT_NEW
	for start := base; start < base+n; start += 5000 {
		var reqs []nl.Message
		for i := start; i < min(base+n, start+5000); i++ {
			data, err := ctEntry(i).Append(nil)
			must(err)
			reqs = append(reqs, nl.Message{Header: nl.Header{Type: typ, Flags: nl.Create | nl.Excl}, Data: data})
		}
		errs, err := c.NL.Batch(context.Background(), reqs)
		must(err)
		for _, e := range errs {
			must(e)
		}
	}
}

func ctDial() *conntrack.Conn {
	c, err := conntrack.Dial(nil)
	must(err)
	return c
}

func ctCount(c *conntrack.Conn) int {
	s, err := c.Stats(context.Background())
	must(err)
	return int(s.Entries)
}

// ctSum is the checksum of a listing: every entry's source port, last
// source address byte and mark, which every library decodes.
func ctSum(sport uint16, src []byte, mark uint32) uint64 {
	return uint64(sport)<<16 ^ uint64(src[len(src)-1])<<8 ^ uint64(mark)
}

func init() {
	register("ctsetup", "nlkit", func() {
		c := ctDial()
		defer c.Close()
		ctCreate(c, *ctBase, *n)
	})

	// List: every entry decoded (tuples, mark), summed.
	// Like repeat, with the CPU of the child processes a run waited for
	// (conntrack -L) added.
	list := func(f func() (int, uint64)) func() {
		return func() {
			f()
			ctChildCPU.Store(0)
			for range *reps {
				s := measure(*n, f)
				if c := time.Duration(ctChildCPU.Swap(0)); c > 0 {
					// conntrack's row: its CPU and nothing of ours (the
					// parse that checks its output).
					s.cpu, s.allocs, s.bytes = c, 0, 0
				}
				emit(s)
			}
		}
	}
	register("ctlist", "nlkit", list(func() (int, uint64) {
		c := ctDial()
		defer c.Close()
		var count int
		var sum uint64
		for f, err := range c.Flows(context.Background(), conntrack.Filter{}) {
			must(err)
			count++
			src := f.Orig.Src.As4()
			sum += ctSum(f.Orig.SrcPort, src[:], f.Mark)
		}
		return count, sum
	}))
	register("ctlist", "timo", list(func() (int, uint64) {
		c, err := timo.Dial(nil)
		must(err)
		defer c.Close()
		fs, err := c.Dump(nil)
		must(err)
		var sum uint64
		for _, f := range fs {
			src := f.TupleOrig.IP.SourceAddress.As4()
			sum += ctSum(f.TupleOrig.Proto.SourcePort, src[:], f.Mark)
		}
		return len(fs), sum
	}))
	register("ctlist", "vishvananda", list(func() (int, uint64) {
		fs, err := vish.ConntrackTableList(vish.ConntrackTable, vish.FAMILY_ALL)
		must(err)
		var sum uint64
		for _, f := range fs {
			sum += ctSum(f.Forward.SrcPort, f.Forward.SrcIP.To4(), f.Mark)
		}
		return len(fs), sum
	}))
	register("ctlist", "conntrack-tool", list(func() (int, uint64) {
		// conntrack -L, its CPU counted as the child's: this process
		// only counts the lines.
		var ru0, ru1 unix.Rusage
		must(unix.Getrusage(unix.RUSAGE_CHILDREN, &ru0))
		out, err := exec.Command("conntrack", "-L").Output()
		must(err)
		must(unix.Getrusage(unix.RUSAGE_CHILDREN, &ru1))
		ctChildCPU.Add(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
		// The checksum of what it printed: the first src=, sport= and
		// mark= of each line.
		var count int
		var sum uint64
		for line := range bytes.Lines(out) {
			var src netip.Addr
			var sport, mark uint64
			for _, f := range strings.Fields(string(line)) {
				k, v, _ := strings.Cut(f, "=")
				switch {
				case k == "src" && !src.IsValid():
					src, _ = netip.ParseAddr(v)
				case k == "sport" && sport == 0:
					sport, _ = strconv.ParseUint(v, 10, 16)
				case k == "mark":
					mark, _ = strconv.ParseUint(v, 10, 32)
				}
			}
			if src.Is4() {
				a := src.As4()
				sum += ctSum(uint16(sport), a[:], uint32(mark))
				count++
			}
		}
		return count, sum
	}))

	// Delete the n entries of mark 1 and port 9, among n more of mark 2
	// and port 10. One measured run per process: the runner makes the
	// victims first.
	del := func(f func(c *conntrack.Conn)) func() {
		return func() {
			c := ctDial()
			defer c.Close()
			before := ctCount(c)
			if before < 2**n {
				log.Fatalf("the table has %d entries; -w ctsetup -n %d twice first", before, *n)
			}
			ctChildCPU.Store(0)
			s := measure(*n, func() (int, uint64) { f(c); return 0, 0 })
			if c := time.Duration(ctChildCPU.Swap(0)); c > 0 {
				s.cpu, s.allocs, s.bytes = c, 0, 0 // conntrack's row: its CPU
			}
			after := ctCount(c)
			s.count = before - after
			emit(s)
		}
	}
	register("ctdelete", "nlkit", del(func(c *conntrack.Conn) {
		must(c.DeleteMatching(context.Background(), conntrack.Filter{Mark: 1, MarkMask: 0xffffffff}))
	}))
	register("ctdelete", "nlkit-each", del(func(c *conntrack.Conn) {
		// One request per entry, as vishvananda does, listing with the
		// kernel's filter.
		ctx := context.Background()
		var victims []conntrack.Flow
		f := conntrack.Filter{Family: 2, Orig: conntrack.TupleFilter{Tuple: conntrack.Tuple{Proto: 17, DstPort: 9}, Match: conntrack.MatchProto | conntrack.MatchDstPort}}
		for fl, err := range c.Flows(ctx, f) {
			must(err)
			victims = append(victims, fl.Clone())
		}
		for i := range victims {
			must(c.Delete(ctx, &victims[i]))
		}
	}))
	register("ctdelete", "timo", del(func(*conntrack.Conn) {
		c, err := timo.Dial(nil)
		must(err)
		defer c.Close()
		must(c.FlushFilter(timo.NewFilter().Family(timonf.ProtoIPv4).Mark(1)))
	}))
	register("ctdelete", "vishvananda", del(func(*conntrack.Conn) {
		f := &vish.ConntrackFilter{}
		must(f.AddProtocol(17))
		must(f.AddPort(vish.ConntrackOrigDstPort, 9))
		_, err := vish.ConntrackDeleteFilters(vish.ConntrackTable, vish.FAMILY_V4, f)
		must(err)
	}))
	register("ctdelete", "conntrack-tool", del(func(*conntrack.Conn) {
		var ru0, ru1 unix.Rusage
		must(unix.Getrusage(unix.RUSAGE_CHILDREN, &ru0))
		cmd := exec.Command("conntrack", "-D", "-m", "1")
		cmd.Stdout, cmd.Stderr = nil, nil
		must(cmd.Run())
		must(unix.Getrusage(unix.RUSAGE_CHILDREN, &ru1))
		ctChildCPU.Add(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	}))

	// Events: another process creates n entries; the listener, with its
	// library's defaults, counts the NEW events and the losses it is told
	// of. One run per process.
	ctev := func(listen func(stop <-chan struct{})) func() {
		return func() {
			stop := make(chan struct{})
			listen(stop)
			time.Sleep(100 * time.Millisecond) // the listener's goroutine has joined
			cmd := exec.Command(os.Args[0], "-w", "ctsetup", "-impl", "nlkit", "-n", fmt.Sprint(*n), "-ctbase", "300000")
			cmd.Stderr = os.Stderr
			t0 := time.Now()
			must(cmd.Run())
			wall := time.Since(t0)
			for last := int64(-1); ; {
				time.Sleep(time.Second)
				if v := events.Load(); v == last {
					break
				} else {
					last = v
				}
			}
			close(stop)
			emit(sample{ops: *n, wall: wall, count: int(events.Load()),
				extra: fmt.Sprintf(" losses=%d stopped=%v", lossReports.Load(), listenerStopped.Load())})
		}
	}
	register("ctevents", "nlkit", ctev(func(stop <-chan struct{}) {
		c := ctDial()
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-stop; cancel() }()
		go func() {
			for ev, err := range c.Events(ctx, conntrack.GroupNew) {
				switch {
				case err == nil:
					if ev.Type == conntrack.EventNew {
						events.Add(1)
					}
				case isOverrun(err):
					lossReports.Add(1)
				default:
					listenerStopped.Store(ctx.Err() == nil)
					return
				}
			}
		}()
	}))
	register("ctevents", "timo", ctev(func(stop <-chan struct{}) {
		c, err := timo.Dial(nil)
		must(err)
		evCh := make(chan timo.Event, 1024)
		errCh, err := c.Listen(evCh, 1, []timonf.NetlinkGroup{timonf.GroupCTNew})
		must(err)
		go func() {
			for {
				select {
				case ev := <-evCh:
					if ev.Type == timo.EventNew {
						events.Add(1)
					}
				case err := <-errCh:
					if strings.Contains(err.Error(), "no buffer space") {
						lossReports.Add(1)
					}
					listenerStopped.Store(true) // its worker returns after any error
				case <-stop:
					return
				}
			}
		}()
	}))
}

var (
	listenerStopped atomic.Bool
	ctChildCPU      atomic.Int64
)

func isOverrun(err error) bool { return errors.Is(err, nl.ErrOverrun) }
