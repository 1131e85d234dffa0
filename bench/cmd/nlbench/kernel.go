package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"time"

	jsrt "github.com/jsimonetti/rtnetlink/v2"
	mdgenl "github.com/mdlayher/genetlink"
	mdnl "github.com/mdlayher/netlink"
	nl "github.com/nlkit/netlink"
	nlgenl "github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/rtnetlink"
	vish "github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

var ctx = context.Background()

func init() {
	// (3) dump and decode the IPv4 routes.
	register("dump", "floor", func() {
		c := floorDial(0)
		repeat(1, func() (int, uint64) { return floorDump(c) })
	})
	register("dump", "nlkit", func() {
		c, err := nl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		repeat(1, func() (int, uint64) { return nlkitDump(c) })
	})
	register("dump", "mdlayher", func() {
		c, err := mdnl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		repeat(1, func() (int, uint64) { return mdlayherDump(c) })
	})

	// (4) RTM_GETLINK round trips for lo.
	register("getlink", "floor", func() {
		c := floorDial(0)
		repeat(*n, func() (int, uint64) {
			ok := 0
			for range *n {
				if floorGetLink(c) {
					ok++
				}
			}
			return ok, 0
		})
	})
	getlink := nl.Message{Header: nl.Header{Type: unix.RTM_GETLINK}, Data: ifinfoLo}
	for _, v := range []struct {
		name string
		cfg  nl.Config
	}{{"nlkit-execute", nl.Config{}}, {"nlkit-execute-skipack", nl.Config{SkipGetAck: true}}} {
		register("getlink", v.name, func() {
			c, err := nl.Dial(unix.NETLINK_ROUTE, &v.cfg)
			must(err)
			repeat(*n, func() (int, uint64) {
				ok := 0
				for range *n {
					msgs, err := c.Execute(ctx, getlink)
					must(err)
					if len(msgs) == 1 && isLo(uint16(msgs[0].Header.Type), msgs[0].Data) {
						ok++
					}
				}
				return ok, 0
			})
		})
	}
	register("getlink", "nlkit-send-receive", func() {
		c, err := nl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		req := getlink
		req.Header.Flags = nl.Request
		repeat(*n, func() (int, uint64) {
			ok := 0
			for range *n {
				h, err := c.Send(ctx, req)
				must(err)
				for {
					d, err := c.ReceiveDatagram(ctx)
					must(err)
					m, _, err := firstMessage(d.Data)
					must(err)
					if m.Header.Sequence == h.Sequence {
						if isLo(uint16(m.Header.Type), m.Data) {
							ok++
						}
						break
					}
				}
			}
			return ok, 0
		})
	})
	register("getlink", "mdlayher", func() {
		c, err := mdnl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		req := mdnl.Message{Header: mdnl.Header{Type: unix.RTM_GETLINK, Flags: mdnl.Request}, Data: ifinfoLo}
		repeat(*n, func() (int, uint64) {
			ok := 0
			for range *n {
				msgs, err := c.Execute(req)
				must(err)
				if len(msgs) == 1 && isLo(uint16(msgs[0].Header.Type), msgs[0].Data) {
					ok++
				}
			}
			return ok, 0
		})
	})
	register("getlink", "jsimonetti", func() {
		c, err := jsrt.Dial(nil)
		must(err)
		repeat(*n, func() (int, uint64) {
			ok := 0
			for range *n {
				l, err := c.Link.Get(1)
				must(err)
				if l.Index == 1 {
					ok++
				}
			}
			return ok, 0
		})
	})
	register("getlink", "vishvananda", func() {
		h, err := vish.NewHandle(unix.NETLINK_ROUTE)
		must(err)
		repeat(*n, func() (int, uint64) {
			ok := 0
			for range *n {
				l, err := h.LinkByIndex(1)
				must(err)
				if l.Attrs().Index == 1 {
					ok++
				}
			}
			return ok, 0
		})
	})

	// (5) install n routes, each acknowledged. One measured run per process:
	// run.sh gives each a fresh namespace.
	once := func(f func() int) func() {
		return func() {
			*workload = "install"
			if *impl == "ip-batch" {
				ipInput = ipBatchInput(*n) // outside the measurement
			}
			var ok int
			s := measure(*n, func() (int, uint64) { ok = f(); return 0, 0 })
			s.cpu += childCPU // ip's CPU time
			s.count, s.check = floorDump(floorDial(0))
			s.extra = fmt.Sprintf(" acked=%d", ok)
			emit(s)
		}
	}
	register("install", "floor", once(func() int { return floorInstall(floorDial(0), *n, 256) }))
	register("install", "nlkit-batch", once(func() int {
		c, err := nl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		reqs := make([]nl.Message, *n)
		for i := range reqs {
			reqs[i] = nl.Message{Header: nl.Header{Type: unix.RTM_NEWROUTE, Flags: nl.Create | nl.Excl},
				Data: routePayload(make([]byte, 0, 28), i)}
		}
		res, err := c.Batch(ctx, reqs)
		must(err)
		ok := 0
		for _, e := range res {
			if e == nil {
				ok++
			}
		}
		return ok
	}))
	register("install", "vishvananda", once(func() int {
		link, err := vish.LinkByName("d0")
		must(err)
		for i := range *n {
			p := routeDst(i)
			must(vish.RouteAdd(&vish.Route{LinkIndex: link.Attrs().Index,
				Dst: &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(24, 32)}, Gw: gateway.AsSlice()}))
		}
		return *n
	}))
	register("install", "ip-batch", once(func() int {
		cmd := exec.Command("ip", "-batch", "-")
		cmd.Stdin = strings.NewReader(ipInput)
		cmd.Stderr = os.Stderr
		must(cmd.Run())
		// ip's CPU time, added by the caller (RUSAGE_SELF does not count it).
		childCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		return *n
	}))

	// (6) heap while listing every route, one run per process.
	heap := func(f func() (int, uint64)) func() {
		return func() {
			var peak atomic.Uint64
			stop := make(chan struct{})
			go func() {
				s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
				for {
					select {
					case <-stop:
						return
					case <-time.After(2 * time.Millisecond):
					}
					metrics.Read(s)
					if v := s[0].Value.Uint64(); v > peak.Load() {
						peak.Store(v)
					}
				}
			}()
			runtime.GC()
			s0 := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			metrics.Read(s0)
			s := measure(1, f)
			close(stop)
			var ru unix.Rusage
			must(unix.Getrusage(unix.RUSAGE_SELF, &ru))
			s.extra = fmt.Sprintf(" heap_peak=%d maxrss_kb=%d", peak.Load()-min(peak.Load(), s0[0].Value.Uint64()), ru.Maxrss)
			emit(s)
		}
	}
	register("heap", "nlkit-dump", heap(func() (int, uint64) {
		c, err := nl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		return nlkitDump(c)
	}))
	register("heap", "nlkit-routes", heap(func() (int, uint64) { return nlkitRoutes() }))
	register("heap", "mdlayher", heap(func() (int, uint64) {
		c, err := mdnl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		return mdlayherDump(c)
	}))
	register("heap", "jsimonetti", heap(jsRoutes))
	register("heap", "vishvananda", heap(vishRoutes))

	// (8) typed route lists.
	register("typed", "nlkit", func() { repeat(1, nlkitRoutes) })
	register("typed", "jsimonetti", func() { repeat(1, jsRoutes) })
	register("typed", "vishvananda", func() { repeat(1, vishRoutes) })

	// (8b) generic netlink family lookups.
	register("genl", "nlkit", func() {
		c, err := nlgenl.Dial(nil)
		must(err)
		repeat(*n, func() (int, uint64) {
			ok := 0
			for range *n {
				f, err := c.Family(ctx, "nlctrl")
				must(err)
				if f.ID == unix.GENL_ID_CTRL && len(f.Ops) > 0 {
					ok++
				}
			}
			return ok, 0
		})
	})
	register("genl", "mdlayher", func() {
		c, err := mdgenl.Dial(nil)
		must(err)
		repeat(*n, func() (int, uint64) {
			ok := 0
			for range *n {
				f, err := c.GetFamily("nlctrl")
				must(err)
				if f.ID == unix.GENL_ID_CTRL {
					ok++
				}
			}
			return ok, 0
		})
	})
}

var (
	childCPU time.Duration
	ipInput  string
)

// ipBatchInput is the input of ip -batch that adds routes 0 to n-1.
func ipBatchInput(n int) string {
	var in strings.Builder
	for i := range n {
		fmt.Fprintf(&in, "route add %v via %v\n", routeDst(i), gateway)
	}
	return in.String()
}

func isLo(typ uint16, p []byte) bool {
	return typ == unix.RTM_NEWLINK && len(p) >= 8 && binary.NativeEndian.Uint32(p[4:]) == 1
}

func firstMessage(b []byte) (nl.Message, bool, error) {
	for m, err := range nl.Messages(b) {
		return m, true, err
	}
	return nl.Message{}, false, fmt.Errorf("empty datagram")
}

func nlkitDump(c *nl.Conn) (int, uint64) {
	var acc routeAcc
	req := nl.Message{Header: nl.Header{Type: unix.RTM_GETROUTE}, Data: rtmsgV4}
	for m, err := range c.Dump(ctx, req) {
		must(err)
		if m.Header.Type != unix.RTM_NEWROUTE || len(m.Data) < unix.SizeofRtMsg {
			continue
		}
		table, dst, oif := uint32(m.Data[4]), uint32(0), uint32(0)
		d := m.AttrDecoder(unix.SizeofRtMsg)
		for d.Next() {
			switch d.Type() {
			case unix.RTA_TABLE:
				table = d.Uint32()
			case unix.RTA_DST:
				dst = d.Uint32BE()
			case unix.RTA_OIF:
				oif = d.Uint32()
			}
		}
		must(d.Err())
		acc.add(m.Data[0], m.Data[1], table, dst, oif)
	}
	return acc.count, acc.sum
}

func mdlayherDump(c *mdnl.Conn) (int, uint64) {
	msgs, err := c.Execute(mdnl.Message{
		Header: mdnl.Header{Type: unix.RTM_GETROUTE, Flags: mdnl.Request | mdnl.Dump},
		Data:   rtmsgV4,
	})
	must(err)
	var acc routeAcc
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWROUTE || len(m.Data) < unix.SizeofRtMsg {
			continue
		}
		table, dst, oif := uint32(m.Data[4]), uint32(0), uint32(0)
		ad, err := mdnl.NewAttributeDecoder(m.Data[unix.SizeofRtMsg:])
		must(err)
		for ad.Next() {
			switch ad.Type() {
			case unix.RTA_TABLE:
				table = ad.Uint32()
			case unix.RTA_DST:
				if b := ad.Bytes(); len(b) == 4 {
					dst = binary.BigEndian.Uint32(b)
				}
			case unix.RTA_OIF:
				oif = ad.Uint32()
			}
		}
		must(ad.Err())
		acc.add(m.Data[0], m.Data[1], table, dst, oif)
	}
	return acc.count, acc.sum
}

func nlkitRoutes() (int, uint64) {
	c, err := rtnetlink.Dial(nil)
	must(err)
	defer c.Close()
	var acc routeAcc
	for r, err := range c.Routes(ctx, rtnetlink.RouteFilter{Family: unix.AF_INET}) {
		must(err)
		var dst uint32
		if r.Dst.Addr().Is4() {
			dst = addr4(r.Dst.Addr())
		}
		acc.add(unix.AF_INET, uint8(r.Dst.Bits()), r.Table, dst, uint32(r.Index))
	}
	return acc.count, acc.sum
}

func jsRoutes() (int, uint64) {
	c, err := jsrt.Dial(nil)
	must(err)
	defer c.Close()
	rs, err := c.Route.List()
	must(err)
	var acc routeAcc
	for _, r := range rs {
		var dst uint32
		if ip := r.Attributes.Dst.To4(); ip != nil {
			dst = binary.BigEndian.Uint32(ip)
		}
		acc.add(r.Family, r.DstLength, r.Attributes.Table, dst, r.Attributes.OutIface)
	}
	return acc.count, acc.sum
}

func vishRoutes() (int, uint64) {
	rs, err := vish.RouteListFiltered(vish.FAMILY_V4, &vish.Route{Table: unix.RT_TABLE_MAIN}, vish.RT_FILTER_TABLE)
	must(err)
	var acc routeAcc
	for _, r := range rs {
		var dst uint32
		bits := 0
		if r.Dst != nil {
			dst = binary.BigEndian.Uint32(r.Dst.IP.To4())
			bits, _ = r.Dst.Mask.Size()
		}
		acc.add(unix.AF_INET, uint8(bits), uint32(r.Table), dst, uint32(r.LinkIndex))
	}
	return acc.count, acc.sum
}

var _ = log.Fatal
