package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"net"
	"net/netip"
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
	register("dump", "nlkit-receive", func() {
		c, err := nl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		req := nl.Message{Header: nl.Header{Type: unix.RTM_GETROUTE, Flags: nl.Request | nl.Dump}, Data: rtmsgV4}
		repeat(1, func() (int, uint64) {
			h, err := c.Send(ctx, req)
			must(err)
			var acc routeAcc
			for {
				d, err := c.ReceiveDatagram(ctx)
				must(err)
				if handDump(&acc, d.Data, h.Sequence, h.PortID) {
					return acc.count, acc.sum
				}
			}
		})
	})
	register("dump", "mdlayher", func() {
		c, err := mdnl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		repeat(1, func() (int, uint64) { return mdlayherDump(c) })
	})

	// (4) RTM_GETLINK round trips for lo, the reply decoded: index, name
	// (a view of its bytes where the library allows it) and MTU.
	getlinks := func(f func(acc *linkAcc)) func() {
		return func() {
			repeat(*n, func() (int, uint64) {
				var acc linkAcc
				for range *n {
					f(&acc)
				}
				return acc.ok, acc.sum
			})
		}
	}
	register("getlink", "floor", func() {
		c := floorDial(0)
		getlinks(func(acc *linkAcc) { floorGetLink(c, acc) })()
	})
	getlink := nl.Message{Header: nl.Header{Type: unix.RTM_GETLINK}, Data: ifinfoLo}
	for _, v := range []struct {
		name string
		cfg  nl.Config
	}{{"nlkit-execute", nl.Config{}}, {"nlkit-execute-skipack", nl.Config{SkipGetAck: true}}} {
		register("getlink", v.name, func() {
			c, err := nl.Dial(unix.NETLINK_ROUTE, &v.cfg)
			must(err)
			getlinks(func(acc *linkAcc) {
				msgs, err := c.Execute(ctx, getlink)
				must(err)
				if len(msgs) != 1 {
					log.Fatalf("%d replies", len(msgs))
				}
				acc.add(nlkitLink(msgs[0]))
			})()
		})
	}
	// ExecuteFunc, the zero-copy form: the reply is decoded where it was
	// read, as the floor's is, and nothing is copied or allocated.
	for _, v := range []struct {
		name string
		cfg  nl.Config
	}{{"nlkit-executefunc", nl.Config{}}, {"nlkit-executefunc-skipack", nl.Config{SkipGetAck: true}}} {
		register("getlink", v.name, func() {
			c, err := nl.Dial(unix.NETLINK_ROUTE, &v.cfg)
			must(err)
			getlinks(func(acc *linkAcc) {
				n := 0
				must(c.ExecuteFunc(ctx, getlink, func(m nl.Message) error {
					n++
					acc.add(nlkitLink(m))
					return nil
				}))
				if n != 1 {
					log.Fatalf("%d replies", n)
				}
			})()
		})
	}
	register("getlink", "nlkit-send-receive", func() {
		c, err := nl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		req := getlink
		req.Header.Flags = nl.Request
		getlinks(func(acc *linkAcc) {
			h, err := c.Send(ctx, req)
			must(err)
			for {
				d, err := c.ReceiveDatagram(ctx)
				must(err)
				m, _, err := firstMessage(d.Data)
				must(err)
				if m.Header.Sequence == h.Sequence {
					acc.add(nlkitLink(m))
					return
				}
			}
		})()
	})
	register("getlink", "nlkit-rtnetlink", func() {
		c, err := rtnetlink.Dial(nil)
		must(err)
		getlinks(func(acc *linkAcc) {
			l, err := c.Link(ctx, 1)
			must(err)
			acc.addString(int32(l.Index), l.Name, l.MTU)
		})()
	})
	register("getlink", "mdlayher", func() {
		c, err := mdnl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		req := mdnl.Message{Header: mdnl.Header{Type: unix.RTM_GETLINK, Flags: mdnl.Request}, Data: ifinfoLo}
		getlinks(func(acc *linkAcc) {
			msgs, err := c.Execute(req)
			must(err)
			if len(msgs) != 1 || msgs[0].Header.Type != unix.RTM_NEWLINK || len(msgs[0].Data) < unix.SizeofIfInfomsg {
				log.Fatal("unexpected reply")
			}
			p := msgs[0].Data
			var name []byte
			var mtu uint32
			ad, err := mdnl.NewAttributeDecoder(p[unix.SizeofIfInfomsg:])
			must(err)
			for ad.Next() {
				switch ad.Type() {
				case unix.IFLA_IFNAME:
					name = trimNUL(ad.Bytes())
				case unix.IFLA_MTU:
					mtu = ad.Uint32()
				}
			}
			must(ad.Err())
			acc.add(int32(binary.NativeEndian.Uint32(p[4:])), name, mtu)
		})()
	})
	register("getlink", "jsimonetti", func() {
		c, err := jsrt.Dial(nil)
		must(err)
		getlinks(func(acc *linkAcc) {
			l, err := c.Link.Get(1)
			must(err)
			acc.addString(int32(l.Index), l.Attributes.Name, l.Attributes.MTU)
		})()
	})
	register("getlink", "vishvananda", func() {
		h, err := vish.NewHandle(unix.NETLINK_ROUTE)
		must(err)
		getlinks(func(acc *linkAcc) {
			l, err := h.LinkByIndex(1)
			must(err)
			a := l.Attrs()
			acc.addString(int32(a.Index), a.Name, uint32(a.MTU))
		})()
	})

	// (5) install n routes, each acknowledged. One measured run per process:
	// run.sh gives each a fresh namespace. (5a) batched: many requests per
	// datagram, then their ACKs; the floor sends as many per datagram as
	// Batch does (batchPerSend finds out, outside the measurement). (5b) one
	// route per datagram, waiting for its ACK before the next.
	once := func(f func() int) func() {
		return func() {
			if *impl == "ip-batch" {
				ipInput = ipBatchInput(*n) // outside the measurement
			}
			var ok int
			s := measure(*n, func() (int, uint64) { ok = f(); return 0, 0 })
			s.cpu += childCPU // ip's CPU time
			s.count, s.check = floorDump(floorDial(0))
			s.extra = fmt.Sprintf(" acked=%d%s", ok, installExtra)
			emit(s)
		}
	}
	register("install-batch", "floor", func() {
		w := batchPerSend(*n)
		installExtra = fmt.Sprintf(" per_send=%d", w)
		c := floorDial(0)
		once(func() int { return floorInstall(c, *n, w) })()
	})
	register("install-batch", "nlkit-batch", func() {
		installExtra = fmt.Sprintf(" per_send=%d", batchPerSend(*n))
		c, err := nl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		once(func() int {
			// The requests' bytes in one buffer, as a program that
			// builds many requests would: one allocation, not one per
			// route.
			reqs := make([]nl.Message, *n)
			arena := make([]byte, 0, 28**n)
			for i := range reqs {
				start := len(arena)
				arena = routePayload(arena, i)
				reqs[i] = nl.Message{Header: nl.Header{Type: unix.RTM_NEWROUTE, Flags: nl.Create | nl.Excl},
					Data: arena[start:len(arena):len(arena)]}
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
		})()
	})
	register("install-one", "floor", func() {
		c := floorDial(0)
		once(func() int { return floorInstallOne(c, *n) })()
	})
	register("install-one", "nlkit-execute", func() {
		c, err := nl.Dial(unix.NETLINK_ROUTE, nil)
		must(err)
		once(func() int {
			ok := 0
			var p []byte
			for i := range *n {
				p = routePayload(p[:0], i)
				_, err := c.Execute(ctx, nl.Message{Header: nl.Header{Type: unix.RTM_NEWROUTE, Flags: nl.Create | nl.Excl}, Data: p})
				must(err)
				ok++
			}
			return ok
		})()
	})
	register("install-one", "vishvananda", func() {
		// A Handle keeps one socket for every call, as its docs show for
		// repeated calls (the package-level RouteAdd opens one per call).
		h, err := vish.NewHandle(unix.NETLINK_ROUTE)
		must(err)
		link, err := h.LinkByName("d0")
		must(err)
		once(func() int {
			for i := range *n {
				p := routeDst(i)
				must(h.RouteAdd(&vish.Route{LinkIndex: link.Attrs().Index,
					Dst: &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(24, 32)}, Gw: gateway.AsSlice()}))
			}
			return *n
		})()
	})
	register("install-one", "ip-batch", once(func() int {
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
	childCPU     time.Duration
	ipInput      string
	installExtra string
)

// ipBatchInput is the input of ip -batch that adds routes 0 to n-1.
func ipBatchInput(n int) string {
	var in strings.Builder
	for i := range n {
		fmt.Fprintf(&in, "route add %v via %v\n", routeDst(i), gateway)
	}
	return in.String()
}

// linkAcc counts the RTM_GETLINK replies that were lo's, and sums their
// MTU and name length, a checksum equal across implementations.
type linkAcc struct {
	ok  int
	sum uint64
}

func (a *linkAcc) add(index int32, name []byte, mtu uint32) {
	if index == 1 && string(name) == "lo" && mtu > 0 {
		a.ok++
	}
	a.sum += uint64(mtu) + uint64(len(name))
}

func (a *linkAcc) addString(index int32, name string, mtu uint32) {
	if index == 1 && name == "lo" && mtu > 0 {
		a.ok++
	}
	a.sum += uint64(mtu) + uint64(len(name))
}

// nlkitLink decodes an RTM_NEWLINK's index, name and MTU with AttrDecoder;
// the name is a view, as handLink's.
func nlkitLink(m nl.Message) (index int32, name []byte, mtu uint32) {
	if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
		log.Fatal("unexpected reply")
	}
	d := m.AttrDecoder(unix.SizeofIfInfomsg)
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_IFNAME:
			name = trimNUL(d.Bytes())
		case unix.IFLA_MTU:
			mtu = d.Uint32()
		}
	}
	must(d.Err())
	return int32(binary.NativeEndian.Uint32(m.Data[4:])), name, mtu
}

// batchPerSend is how many of n route requests Batch puts in one datagram:
// it sends them (as RTM_DELROUTE of routes that do not exist, so nothing
// changes; the same sizes as the install's) through a Conn that captures,
// and counts the messages of the largest datagram sent. It runs outside
// the measurement, so that the floor can send as many per datagram.
func batchPerSend(n int) int {
	reqs := make([]nl.Message, min(n, 20000))
	for i := range reqs {
		reqs[i] = nl.Message{Header: nl.Header{Type: unix.RTM_DELROUTE},
			Data: routePayload(make([]byte, 0, 28), i)}
	}
	most := perSend(unix.NETLINK_ROUTE, reqs, unix.ESRCH)
	if most == len(reqs) && len(reqs) < n {
		log.Printf("batchPerSend: all %d requests in one datagram; the floor sends as many", most)
	}
	return most
}

// perSend sends reqs, requests that all fail with want (so that nothing
// changes), with Batch on a Conn of protocol proto that captures, and
// returns the number of them in the largest datagram sent.
func perSend(proto int, reqs []nl.Message, want error) int {
	var pcap bytes.Buffer
	c, err := nl.Dial(proto, &nl.Config{Capture: &pcap})
	must(err)
	defer c.Close()
	res, err := c.Batch(ctx, reqs)
	must(err)
	for _, e := range res {
		if !errors.Is(e, want) {
			log.Fatalf("perSend: %v, want %v", e, want)
		}
	}
	// pcap: a 24-byte file header, then records of a 16-byte header and
	// the datagram behind a 16-byte cooked header whose first field is the
	// direction (4: sent), big-endian.
	most := 0
	for b := pcap.Bytes()[24:]; len(b) >= 32; {
		l := int(binary.NativeEndian.Uint32(b[8:]))
		rec := b[16 : 16+l]
		b = b[16+l:]
		if binary.BigEndian.Uint16(rec) != 4 {
			continue
		}
		k := 0
		for m, err := range nl.Messages(rec[16:]) {
			must(err)
			if m.Header.Type == reqs[0].Header.Type {
				k++
			}
		}
		most = max(most, k)
	}
	if most == 0 {
		log.Fatal("perSend: nothing sent")
	}
	return most
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
		table, oif := uint32(m.Data[4]), uint32(0)
		var dst netip.Addr
		d := m.AttrDecoder(unix.SizeofRtMsg)
		for d.Next() {
			switch d.Type() {
			case unix.RTA_TABLE:
				table = d.Uint32()
			case unix.RTA_DST:
				dst = d.Addr()
			case unix.RTA_OIF:
				oif = d.Uint32()
			}
		}
		must(d.Err())
		acc.add(routePrefix(m.Data[0], dst, m.Data[1]), oif, table)
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
		table, oif := uint32(m.Data[4]), uint32(0)
		var dst netip.Addr
		ad, err := mdnl.NewAttributeDecoder(m.Data[unix.SizeofRtMsg:])
		must(err)
		for ad.Next() {
			switch ad.Type() {
			case unix.RTA_TABLE:
				table = ad.Uint32()
			case unix.RTA_DST:
				var ok bool
				if dst, ok = netip.AddrFromSlice(ad.Bytes()); !ok {
					log.Fatal("malformed RTA_DST")
				}
			case unix.RTA_OIF:
				oif = ad.Uint32()
			}
		}
		must(ad.Err())
		acc.add(routePrefix(m.Data[0], dst, m.Data[1]), oif, table)
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
		acc.add(r.Dst, uint32(r.Index), r.Table)
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
		acc.add(routePrefix(r.Family, netIPAddr(r.Family, r.Attributes.Dst), r.DstLength), r.Attributes.OutIface, r.Attributes.Table)
	}
	return acc.count, acc.sum
}

func vishRoutes() (int, uint64) {
	rs, err := vish.RouteListFiltered(vish.FAMILY_V4, &vish.Route{Table: unix.RT_TABLE_MAIN}, vish.RT_FILTER_TABLE)
	must(err)
	var acc routeAcc
	for _, r := range rs {
		var dst netip.Addr
		bits := 0
		if r.Dst != nil {
			dst = netIPAddr(unix.AF_INET, r.Dst.IP)
			bits, _ = r.Dst.Mask.Size()
		}
		acc.add(routePrefix(unix.AF_INET, dst, uint8(bits)), uint32(r.LinkIndex), uint32(r.Table))
	}
	return acc.count, acc.sum
}

// netIPAddr converts a peer library's net.IP (16 bytes even for IPv4) of
// the given family; nil is the zero Addr.
func netIPAddr(family uint8, ip net.IP) netip.Addr {
	if ip == nil {
		return netip.Addr{}
	}
	if family == unix.AF_INET {
		ip = ip.To4()
	}
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		log.Fatalf("malformed address %v", ip)
	}
	return a
}
