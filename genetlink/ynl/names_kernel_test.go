//go:build linux

package ynl_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/ethtool"
	"github.com/nlkit/netlink/genetlink/ynl/netdev"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
)

// lockedBuffer is a trace's writer, read after the Conn is closed.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestTraceNames traces an ethtool do and netdev dumps on a veth pair and
// checks that the trace names the families, the commands and the
// attributes, nested ones included, by their names in the specs, and the
// values of enums and flags by their entries' names.
func TestTraceNames(t *testing.T) {
	ns := nstest.New(t)
	ns.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	// Up, so that netdev's queue-get lists the pair's queues.
	ns.Run(t, "link", "set", "va", "up")
	ns.Run(t, "link", "set", "vb", "up")
	var trace lockedBuffer
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path, Trace: &trace})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	et, err := ethtool.New(ctx, g)
	if err != nil {
		g.Close()
		t.Fatal(err)
	}
	hdr := ethtool.Header{DevName: "va", Flags: ynl.Some(ethtool.HeaderFlagsCompactBitsets)}
	if _, err := et.LinkinfoGet(ctx, &ethtool.Linkinfo{Header: ynl.Some(hdr)}); err != nil {
		g.Close()
		t.Fatal(err)
	}
	// A kernel older than the netdev family (Linux 6.3; the VM matrix's
	// 6.1) has the ethtool half alone; queue-get came in Linux 6.8.
	hasNetdev, hasQueues := vmtest.KernelAtLeast(t, 6, 3), vmtest.KernelAtLeast(t, 6, 8)
	var features []netdev.XDPAct
	queues := map[netdev.QueueType]int{}
	if hasNetdev {
		nd, err := netdev.New(ctx, g)
		if err != nil {
			g.Close()
			t.Fatal(err)
		}
		for d, err := range nd.DevGetDump(ctx) {
			if err != nil {
				g.Close()
				t.Fatal(err)
			}
			if d.XDPFeatures.Set {
				features = append(features, d.XDPFeatures.V)
			}
		}
		if len(features) == 0 {
			g.Close()
			t.Fatal("netdev dev-get dumped no device with xdp-features")
		}
		if hasQueues {
			for q, err := range nd.QueueGetDump(ctx, &netdev.Queue{}) {
				if err != nil {
					g.Close()
					t.Fatal(err)
				}
				queues[q.Type.V]++
			}
			if queues[netdev.QueueTypeRx] == 0 || queues[netdev.QueueTypeTx] == 0 {
				g.Close()
				t.Fatalf("netdev queue-get dumped %v queues of each type, want rx and tx ones", queues)
			}
		}
	} else {
		t.Log("this kernel has no netdev family (Linux 6.3): tracing ethtool alone")
	}
	g.Close()
	out := trace.b.String()
	// Each device's XDP features, a set of flags (veth has some, lo none),
	// by the names String gives them, then in hexadecimal.
	for _, f := range features {
		want := fmt.Sprintf(" %s(%#x)\n", f, uint64(f))
		if f == 0 {
			want = " (0x0)\n"
		}
		if !strings.Contains(out, want) {
			t.Errorf("the trace has no xdp-features %q", want)
		}
	}
	wants := []string{
		// The family resolution, named by nlctrl's spec.
		"nlctrl len=",
		"cmd=3 (getfamily) version=2",
		"attr 2 family-name len=12: \"ethtool\"",
		"attr 1 family-id len=6: ",
		// ethtool's request: the header nest and the device's name; its
		// reply (ETHTOOL_MSG_LINKINFO_GET_REPLY) and the ACK.
		"ethtool len=",
		"cmd=2 (linkinfo-get) version=1",
		"attr 1 header len=",
		"attr 2 dev-name len=7: \"va\"",
		// A set of flags (ethtool's header-flags).
		"attr 3 flags len=8: 01 00 00 00 compact-bitsets(0x1)\n",
		"attr 1 dev-index len=8: ",
		"attr 2 port len=5: ",
		"ack of ethtool seq=",
	}
	if hasNetdev {
		wants = append(wants,
			// netdev's dump: request and replies.
			"netdev len=",
			"cmd=1 (dev-get) version=1",
			"attr 1 ifindex len=8: ",
			"attr 3 xdp-features len=12: ",
		)
	}
	if hasQueues {
		wants = append(wants,
			// queue-get's replies: the queue's type, an enum.
			"cmd=10 (queue-get) version=1",
			"attr 3 type len=8: 00 00 00 00 rx(0)\n",
			"attr 3 type len=8: 01 00 00 00 tx(1)\n",
		)
	}
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("the trace has no %q", want)
		}
	}
	// No attribute of ethtool's or netdev's messages goes unnamed.
	family := ""
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && strings.HasPrefix(f[1], "len="):
			family = f[0]
		case len(f) >= 3 && f[0] == "attr" && strings.HasPrefix(f[2], "len=") && (family == "ethtool" || family == "netdev"):
			t.Errorf("unnamed attribute of %s: %q", family, line)
		}
	}
	if t.Failed() {
		t.Logf("the trace:\n%s", out)
	}
}
