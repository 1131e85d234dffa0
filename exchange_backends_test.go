//go:build linux

package netlink_test

import (
	"errors"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/nltest"
	"golang.org/x/sys/unix"
)

// fakeAddresses is a handler for nltest that keeps an address table the
// way the kernel's IPv4 address requests do, as far as the exchanges below
// see it.
func fakeAddresses() nltest.Handler {
	var mu sync.Mutex
	table := map[netip.Addr][]byte{}
	var order []netip.Addr
	return func(req netlink.Message) ([]netlink.Message, error) {
		mu.Lock()
		defer mu.Unlock()
		a, _ := xcAddrOf(netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWADDR}, Data: req.Data})
		switch req.Header.Type {
		case unix.RTM_NEWADDR:
			if _, ok := table[a]; ok && req.Header.Flags&netlink.Excl != 0 {
				return nil, &nltest.Error{Errno: unix.EEXIST, Message: "ipv4: Address already assigned"}
			}
			table[a] = append([]byte(nil), req.Data...)
			order = append(order, a)
			return nil, nil
		case unix.RTM_DELADDR:
			if _, ok := table[a]; !ok {
				return nil, &nltest.Error{Errno: unix.EADDRNOTAVAIL, Message: "ipv4: Address not found"}
			}
			delete(table, a)
			order = slices.DeleteFunc(order, func(x netip.Addr) bool { return x == a })
			return nil, nil
		case unix.RTM_GETADDR:
			var out []netlink.Message
			for _, x := range order {
				out = append(out, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWADDR}, Data: table[x]})
			}
			return out, nil
		}
		return nil, unix.EOPNOTSUPP
	}
}

// The exchanges behave the same against the kernel and against nltest's
// fake kernel, where the fake plays the kernel's part: Execute, its
// errors with extended ACK, Batch results, dumps, a dump broken off.
func TestExchangeOnBothBackends(t *testing.T) {
	backends := map[string]func(t *testing.T) (*netlink.Conn, int32){
		"kernel": func(t *testing.T) (*netlink.Conn, int32) {
			ns := nstest.New(t)
			return xcDial(t, ns, netlink.Config{}), xcVeth(t, ns, "xc0")
		},
		"nltest": func(t *testing.T) (*netlink.Conn, int32) {
			c, err := nltest.New(unix.NETLINK_ROUTE, fakeAddresses()).Dial(nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			return c, 7
		},
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			c, link := open(t)
			// Host addresses: /24s in one subnet would be secondaries, which
			// the kernel deletes with the primary.
			p := func(i int) netip.Prefix { return netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), 32) }
			subnet := netip.MustParsePrefix("192.0.2.0/24")
			add := func(i int) netlink.Message { return xcAddr(unix.RTM_NEWADDR, netlink.Create|netlink.Excl, p(i), link) }
			ours := func() []netip.Addr {
				var got []netip.Addr
				for m, err := range c.Dump(xcCtx(t), xcAddrDump()) {
					if err != nil {
						t.Fatal(err)
					}
					if a, ok := xcAddrOf(m); ok && subnet.Contains(a) {
						got = append(got, a)
					}
				}
				slices.SortFunc(got, netip.Addr.Compare)
				return got
			}

			if msgs, err := c.Execute(xcCtx(t), add(1)); err != nil || len(msgs) != 0 {
				t.Fatalf("first add: %d messages, %v", len(msgs), err)
			}
			_, err := c.Execute(xcCtx(t), add(1))
			var oe *netlink.OpError
			if !errors.Is(err, unix.EEXIST) || !errors.As(err, &oe) || oe.Message != "ipv4: Address already assigned" || oe.Request != unix.RTM_NEWADDR {
				t.Errorf("second add: %v", err)
			}
			results, err := c.Batch(xcCtx(t), []netlink.Message{add(2), add(3), add(1)})
			if err != nil || results[0] != nil || results[1] != nil || !errors.Is(results[2], unix.EEXIST) {
				t.Errorf("Batch: %v, %v", results, err)
			}
			want := []netip.Addr{p(1).Addr(), p(2).Addr(), p(3).Addr()}
			if got := ours(); !slices.Equal(got, want) {
				t.Errorf("dump: %v, want %v", got, want)
			}
			for range c.Dump(xcCtx(t), xcAddrDump()) {
				break // the rest is read and discarded by the calls after
			}
			if _, err := c.Execute(xcCtx(t), xcAddr(unix.RTM_DELADDR, 0, p(1), link)); err != nil {
				t.Errorf("delete: %v", err)
			}
			if got := ours(); !slices.Equal(got, want[1:]) {
				t.Errorf("dump after delete: %v, want %v", got, want[1:])
			}
		})
	}
}
