//go:build linux

package genetlink_test

import (
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/genltest"
	"github.com/nlkit/netlink/internal/nstest"
)

// backend is what a test's Conns talk to: the kernel, or genltest's fake.
// Tests that need nothing else of the kernel than families, groups and
// requests run on both (onBackends), so that the fake is held to what the
// kernel does.
type backend interface {
	// dial returns a Conn, closed when the test ends.
	dial(t *testing.T, cfg *netlink.Config) *genetlink.Conn
	// addDevice makes the netdev family notify its "mgmt" group of a new
	// device (NETDEV_CMD_DEV_ADD_NTF).
	addDevice(t *testing.T)
}

// onBackends runs test on the kernel, in a network namespace of its own
// (skipped without root), and on the fake.
func onBackends(t *testing.T, test func(*testing.T, backend)) {
	t.Run("kernel", func(t *testing.T) { test(t, &kernelBackend{}) })
	t.Run("fake", func(t *testing.T) { test(t, newFakeBackend(t)) })
}

// kernelBackend is the kernel, in one network namespace for all the Conns
// of a test.
type kernelBackend struct{ ns *nstest.NS }

func (b *kernelBackend) dial(t *testing.T, cfg *netlink.Config) *genetlink.Conn {
	t.Helper()
	if b.ns == nil {
		b.ns = nstest.New(t)
	}
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	c.NetNS = b.ns.Path
	gc, err := genetlink.Dial(&c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gc.Close() })
	return gc
}

func (b *kernelBackend) addDevice(t *testing.T) {
	b.ns.Run(t, "link", "add", "vx", "type", "veth", "peer", "name", "vy")
}

// fakeBackend is a genltest kernel with a netdev family that has the
// kernel's groups and a DEV_GET that knows the loopback device.
type fakeBackend struct {
	k      *genltest.Kernel
	netdev *genltest.Family
}

const (
	netdevDevGet    = 1 // NETDEV_CMD_DEV_GET
	netdevDevAddNtf = 2 // NETDEV_CMD_DEV_ADD_NTF
	netdevIfindex   = 1 // NETDEV_A_DEV_IFINDEX
)

func newFakeBackend(t *testing.T) *fakeBackend {
	t.Helper()
	dev := func(ifindex uint32) genltest.Message {
		var e netlink.AttrEncoder
		e.Uint32(netdevIfindex, ifindex)
		b, _ := e.Finish()
		return genltest.Message{Command: netdevDevGet, Data: b}
	}
	b := &fakeBackend{k: genltest.New()}
	b.netdev = &genltest.Family{
		Name: "netdev", Version: 1, Groups: []string{"mgmt", "page-pool"},
		Ops: []genltest.Op{{
			Command: netdevDevGet,
			Do:      func(*genltest.Request) ([]genltest.Message, error) { return []genltest.Message{dev(1)}, nil },
			Dump:    func(*genltest.Request) ([]genltest.Message, error) { return []genltest.Message{dev(1)}, nil },
		}},
	}
	if err := b.k.Register(b.netdev); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *fakeBackend) dial(t *testing.T, cfg *netlink.Config) *genetlink.Conn {
	t.Helper()
	c, err := b.k.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (b *fakeBackend) addDevice(t *testing.T) {
	var e netlink.AttrEncoder
	e.Uint32(netdevIfindex, 2)
	attrs, _ := e.Finish()
	if err := b.netdev.Notify("mgmt", genltest.Message{Command: netdevDevAddNtf, Data: attrs}); err != nil {
		t.Fatal(err)
	}
}
