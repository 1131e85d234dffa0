// Command conntrack is a small conntrack: it lists, counts, deletes and
// flushes connection tracking entries and follows their events through
// package netfilter/conntrack, the kernel running the filter, printing as
// conntrack -o extended,id does:
//
//	go run ./examples/conntrack -L -p tcp --dport 443
//	go run ./examples/conntrack -E
//	go run ./examples/conntrack -D -m 0x10/0xff     # as root
//	go run ./examples/conntrack -N nsname -F
//
// Commands: -L list (the default), -E events, -D delete what the filter
// selects, -F flush, -C count, -S per-CPU statistics. Filters: -f ipv4 or
// ipv6, -p tcp|udp|icmp|icmpv6|sctp|NUMBER, -s and -d the original
// addresses, --sport and --dport the original ports, -m MARK[/MASK], -w
// ZONE, -u a status bit (ASSURED, SEEN_REPLY, ...). -N runs in the
// namespace of that name under /var/run/netns.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter/conntrack"
)

type options struct {
	list, events, del, flush, count, stats bool

	family, proto, src, dst, mark, status string
	sport, dport, zone                    int
	netns                                 string
}

func main() {
	var o options
	fs := flag.NewFlagSet("conntrack", flag.ExitOnError)
	fs.BoolVar(&o.list, "L", false, "list entries")
	fs.BoolVar(&o.events, "E", false, "print events")
	fs.BoolVar(&o.del, "D", false, "delete the entries the filter selects")
	fs.BoolVar(&o.flush, "F", false, "delete every entry (of -f's family)")
	fs.BoolVar(&o.count, "C", false, "count entries")
	fs.BoolVar(&o.stats, "S", false, "per-CPU statistics")
	fs.StringVar(&o.family, "f", "", "`family`: ipv4 or ipv6")
	fs.StringVar(&o.proto, "p", "", "layer 4 `protocol`")
	fs.StringVar(&o.src, "s", "", "original source `address`")
	fs.StringVar(&o.dst, "d", "", "original destination `address`")
	fs.IntVar(&o.sport, "sport", -1, "original source `port`")
	fs.IntVar(&o.dport, "dport", -1, "original destination `port`")
	fs.StringVar(&o.mark, "m", "", "`mark[/mask]`")
	fs.IntVar(&o.zone, "w", -1, "`zone`")
	fs.StringVar(&o.status, "u", "", "`status` bit: ASSURED, SEEN_REPLY, ...")
	fs.StringVar(&o.netns, "N", "", "the network namespace `name` (/var/run/netns/name)")
	fs.Parse(os.Args[1:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "conntrack:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, o options) error {
	f, err := filter(o)
	if err != nil {
		return err
	}
	var cfg netlink.Config
	if o.netns != "" {
		cfg.NetNS = "/var/run/netns/" + o.netns
	}
	c, err := conntrack.Dial(&cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	switch {
	case o.events:
		for ev, err := range c.Events(ctx) {
			if errors.Is(err, netlink.ErrOverrun) {
				fmt.Fprintln(os.Stderr, "conntrack: events lost:", err)
				continue
			}
			if err != nil {
				return err
			}
			if ev.Flow == nil || !matches(f, ev.Flow) {
				continue
			}
			fmt.Fprintf(w, "[%s] %s\n", ev.Type, format(ev.Flow))
		}
		return ctx.Err()
	case o.flush:
		return c.Flush(ctx, f.Family)
	case o.del:
		return c.DeleteMatching(ctx, f)
	case o.count:
		s, err := c.Stats(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, s.Entries)
		return nil
	case o.stats:
		cpus, err := c.CPUStats(ctx)
		if err != nil {
			return err
		}
		for _, s := range cpus {
			fmt.Fprintf(w, "cpu=%-4d found=%d invalid=%d insert=%d insert_failed=%d drop=%d early_drop=%d error=%d search_restart=%d clash_resolve=%d chaintoolong=%d\n",
				s.CPU, s.Found, s.Invalid, s.Insert, s.InsertFailed, s.Drop, s.EarlyDrop, s.Error, s.SearchRestart, s.ClashResolve, s.ChainTooLong)
		}
		return nil
	}
	n := 0
	for fl, err := range c.Flows(ctx, f) {
		if err != nil {
			return err
		}
		fmt.Fprintln(w, format(fl))
		n++
	}
	fmt.Fprintf(os.Stderr, "conntrack: %d flow entries have been shown.\n", n)
	return nil
}

// filter turns the options into a kernel filter.
func filter(o options) (conntrack.Filter, error) {
	var f conntrack.Filter
	switch o.family {
	case "":
	case "ipv4":
		f.Family = 2
	case "ipv6":
		f.Family = 10
	default:
		return f, fmt.Errorf("unknown family %q", o.family)
	}
	if o.mark != "" {
		v, m, hasMask := strings.Cut(o.mark, "/")
		mark, err := strconv.ParseUint(v, 0, 32)
		if err != nil {
			return f, fmt.Errorf("mark %q: %w", o.mark, err)
		}
		mask := uint64(0xffffffff)
		if hasMask {
			if mask, err = strconv.ParseUint(m, 0, 32); err != nil {
				return f, fmt.Errorf("mark %q: %w", o.mark, err)
			}
		}
		f.Mark, f.MarkMask = uint32(mark), uint32(mask)
	}
	if o.zone >= 0 {
		f.Zone, f.HasZone = uint16(o.zone), true
	}
	if o.status != "" {
		s, ok := statusBits[strings.ToUpper(o.status)]
		if !ok {
			return f, fmt.Errorf("unknown status %q", o.status)
		}
		f.Status, f.StatusMask = s, s
	}
	t := &f.Orig
	if o.proto != "" {
		p, ok := protoNumbers[o.proto]
		if !ok {
			n, err := strconv.ParseUint(o.proto, 10, 8)
			if err != nil {
				return f, fmt.Errorf("unknown protocol %q", o.proto)
			}
			p = uint8(n)
		}
		t.Tuple.Proto, t.Match = p, t.Match|conntrack.MatchProto
	}
	for _, a := range []struct {
		s     string
		addr  *netip.Addr
		match conntrack.TupleMatch
	}{{o.src, &t.Tuple.Src, conntrack.MatchSrc}, {o.dst, &t.Tuple.Dst, conntrack.MatchDst}} {
		if a.s == "" {
			continue
		}
		ip, err := netip.ParseAddr(a.s)
		if err != nil {
			return f, err
		}
		*a.addr, t.Match = ip, t.Match|a.match
		if f.Family == 0 {
			f.Family = 2
			if ip.Is6() {
				f.Family = 10
			}
		}
	}
	if o.sport >= 0 {
		t.Tuple.SrcPort, t.Match = uint16(o.sport), t.Match|conntrack.MatchSrcPort
	}
	if o.dport >= 0 {
		t.Tuple.DstPort, t.Match = uint16(o.dport), t.Match|conntrack.MatchDstPort
	}
	if t.Match != 0 && f.Family == 0 {
		f.Family = 2 // the kernel filters tuples of one family: IPv4 unless an address says otherwise
	}
	return f, nil
}

// matches applies f to an event, which the kernel does not filter.
func matches(f conntrack.Filter, fl *conntrack.Flow) bool {
	if f.Family != 0 && fl.Family != f.Family ||
		f.MarkMask != 0 && fl.Mark&f.MarkMask != f.Mark ||
		f.HasZone && fl.Zone != f.Zone ||
		f.StatusMask != 0 && fl.Status&f.StatusMask != f.Status {
		return false
	}
	t, m := f.Orig.Tuple, f.Orig.Match
	o := fl.Orig
	return !(m&conntrack.MatchProto != 0 && o.Proto != t.Proto ||
		m&conntrack.MatchSrc != 0 && o.Src != t.Src ||
		m&conntrack.MatchDst != 0 && o.Dst != t.Dst ||
		m&conntrack.MatchSrcPort != 0 && o.SrcPort != t.SrcPort ||
		m&conntrack.MatchDstPort != 0 && o.DstPort != t.DstPort)
}

var protoNumbers = map[string]uint8{"icmp": 1, "tcp": 6, "udp": 17, "dccp": 33, "icmpv6": 58, "sctp": 132, "udplite": 136}

var statusBits = map[string]conntrack.Status{
	"EXPECTED": conntrack.StatusExpected, "SEEN_REPLY": conntrack.StatusSeenReply,
	"ASSURED": conntrack.StatusAssured, "CONFIRMED": conntrack.StatusConfirmed,
	"SRC_NAT": conntrack.StatusSrcNAT, "DST_NAT": conntrack.StatusDstNAT,
	"FIXED_TIMEOUT": conntrack.StatusFixedTimeout, "OFFLOAD": conntrack.StatusOffload,
}

// format prints an entry as conntrack -o extended,id does.
func format(f *conntrack.Flow) string {
	var b strings.Builder
	fam := map[uint8]string{2: "ipv4", 10: "ipv6"}[f.Family]
	proto := "unknown"
	for name, n := range protoNumbers {
		if n == f.Orig.Proto {
			proto = name
		}
	}
	fmt.Fprintf(&b, "%-8s %d %-8s %d ", fam, f.Family, proto, f.Orig.Proto)
	if f.Set&conntrack.FieldTimeout != 0 {
		fmt.Fprintf(&b, "%d ", f.Timeout)
	}
	switch {
	case f.Set&conntrack.FieldTCP != 0:
		fmt.Fprintf(&b, "%s ", f.TCP.State)
	case f.Set&conntrack.FieldSCTP != 0:
		fmt.Fprintf(&b, "%s ", f.SCTP.State)
	}
	tuple := func(t conntrack.Tuple, c conntrack.Counters, counted bool, zoneKey string) {
		fmt.Fprintf(&b, "%s ", t)
		if t.HasZone {
			fmt.Fprintf(&b, "%s=%d ", zoneKey, t.Zone)
		}
		if counted {
			fmt.Fprintf(&b, "packets=%d bytes=%d ", c.Packets, c.Bytes)
		}
	}
	tuple(f.Orig, f.CountersOrig, f.Set&conntrack.FieldCountersOrig != 0, "zone-orig")
	if f.Status&conntrack.StatusSeenReply == 0 {
		b.WriteString("[UNREPLIED] ")
	}
	tuple(f.Reply, f.CountersReply, f.Set&conntrack.FieldCountersReply != 0, "zone-reply")
	if f.Status&conntrack.StatusAssured != 0 {
		b.WriteString("[ASSURED] ")
	}
	if f.Status&conntrack.StatusOffload != 0 {
		b.WriteString("[OFFLOAD] ")
	}
	if f.Status&conntrack.StatusHWOffload != 0 {
		b.WriteString("[HW_OFFLOAD] ")
	}
	if f.Set&conntrack.FieldMark != 0 {
		fmt.Fprintf(&b, "mark=%d ", f.Mark)
	}
	if f.SecCtx != "" {
		fmt.Fprintf(&b, "secctx=%s ", f.SecCtx)
	}
	if f.Set&conntrack.FieldZone != 0 {
		fmt.Fprintf(&b, "zone=%d ", f.Zone)
	}
	if f.Start != 0 {
		stop := f.StopTime()
		if stop.IsZero() {
			stop = time.Now()
		}
		fmt.Fprintf(&b, "delta-time=%d ", int64(stop.Sub(f.StartTime()).Seconds()))
	}
	if f.Helper != "" {
		fmt.Fprintf(&b, "helper=%s ", f.Helper)
	}
	if f.Set&conntrack.FieldUse != 0 {
		fmt.Fprintf(&b, "use=%d ", f.Use)
	}
	fmt.Fprintf(&b, "id=%d", f.ID)
	return b.String()
}
