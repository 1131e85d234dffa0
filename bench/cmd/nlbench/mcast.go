package main

// (7) multicast: another process (ip -batch) adds n routes; each library,
// with its default configuration, counts the RTM_NEWROUTE notifications it
// receives. One run per process.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"

	jsrt "github.com/jsimonetti/rtnetlink/v2"
	mdnl "github.com/mdlayher/netlink"
	nl "github.com/nlkit/netlink"
	vish "github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

var events, lossReports atomic.Int64

func init() {
	mcast := func(listen func()) func() {
		return func() {
			in := ipBatchInput(*n)
			listen() // subscribes, then receives in a goroutine
			cmd := exec.Command("ip", "-batch", "-")
			cmd.Stdin = strings.NewReader(in)
			cmd.Stderr = os.Stderr
			t0 := time.Now()
			must(cmd.Run())
			wall := time.Since(t0)
			// Done when nothing has arrived for a second.
			for last := int64(-1); ; {
				time.Sleep(time.Second)
				if v := events.Load(); v == last {
					break
				} else {
					last = v
				}
			}
			emit(sample{ops: *n, wall: wall, count: int(events.Load()),
				extra: fmt.Sprintf(" losses=%d", lossReports.Load())})
		}
	}
	isRoute := func(t uint16, p []byte) {
		if t == unix.RTM_NEWROUTE && len(p) >= unix.SizeofRtMsg && p[1] == 24 {
			events.Add(1)
		}
	}
	register("mcast", "floor", mcast(func() {
		c := floorDial(unix.RTMGRP_IPV4_ROUTE)
		go func() {
			for {
				k, err := unix.Read(c.fd, c.buf)
				if errors.Is(err, unix.ENOBUFS) {
					lossReports.Add(1)
					continue
				}
				must(err)
				for m, err := range nl.Messages(c.buf[:k]) {
					must(err)
					isRoute(uint16(m.Header.Type), m.Data)
				}
			}
		}()
	}))
	register("mcast", "nlkit", mcast(func() {
		c, err := nl.Dial(unix.NETLINK_ROUTE, &nl.Config{Groups: []uint32{unix.RTNLGRP_IPV4_ROUTE}})
		must(err)
		go func() {
			for {
				msgs, err := c.Receive(ctx)
				if errors.Is(err, nl.ErrOverrun) {
					lossReports.Add(1)
					continue
				}
				must(err)
				for _, m := range msgs {
					isRoute(uint16(m.Header.Type), m.Data)
				}
			}
		}()
	}))
	register("mcast", "mdlayher", mcast(func() {
		c, err := mdnl.Dial(unix.NETLINK_ROUTE, &mdnl.Config{Groups: unix.RTMGRP_IPV4_ROUTE})
		must(err)
		go func() {
			for {
				msgs, err := c.Receive()
				if errors.Is(err, unix.ENOBUFS) {
					lossReports.Add(1)
					continue
				}
				must(err)
				for _, m := range msgs {
					isRoute(uint16(m.Header.Type), m.Data)
				}
			}
		}()
	}))
	register("mcast", "jsimonetti", mcast(func() {
		c, err := jsrt.Dial(&mdnl.Config{Groups: unix.RTMGRP_IPV4_ROUTE})
		must(err)
		go func() {
			for {
				_, msgs, err := c.Receive()
				if errors.Is(err, unix.ENOBUFS) {
					lossReports.Add(1)
					continue
				}
				must(err)
				for _, m := range msgs {
					isRoute(uint16(m.Header.Type), m.Data)
				}
			}
		}()
	}))
	register("mcast", "vishvananda", mcast(func() {
		ch := make(chan vish.RouteUpdate, 1024)
		must(vish.RouteSubscribeWithOptions(ch, make(chan struct{}), vish.RouteSubscribeOptions{
			ErrorCallback: func(error) { lossReports.Add(1) },
		}))
		go func() {
			for u := range ch {
				if u.Type == unix.RTM_NEWROUTE && u.Dst != nil {
					if ones, _ := u.Dst.Mask.Size(); ones == 24 {
						events.Add(1)
					}
				}
			}
		}()
	}))
}
