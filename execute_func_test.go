//go:build linux

package netlink_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
)

// ExecuteFunc lends each reply to its function and returns what Execute
// would; an error of the function ends the exchange, and the rest of the
// reply does not reach a later request.
func TestExecuteFunc(t *testing.T) {
	ns := nstest.New(t)
	for _, cfg := range []netlink.Config{{}, {SkipGetAck: true}} {
		c := xcDial(t, ns, cfg)
		var names []string
		collect := func(m netlink.Message) error {
			_, name := xcLink(t, m)
			names = append(names, name)
			return nil
		}
		if err := c.ExecuteFunc(xcCtx(t), xcGetLink(1, 0), collect); err != nil || len(names) != 1 || names[0] != "lo" {
			t.Fatalf("SkipGetAck %v: GETLINK lo: %v, %v", cfg.SkipGetAck, names, err)
		}
		err := c.ExecuteFunc(xcCtx(t), xcGetLink(0x7ffffff0, 0), collect)
		var oe *netlink.OpError
		if !errors.As(err, &oe) || !errors.Is(err, syscall.ENODEV) {
			t.Fatalf("SkipGetAck %v: GETLINK of no link: %v, want an *OpError for ENODEV", cfg.SkipGetAck, err)
		}
		names = names[:0]
		if err := c.ExecuteFunc(xcCtx(t), xcGetLink(0, netlink.Dump), collect); err != nil || len(names) != len(xcLinks(t, ns)) {
			t.Fatalf("SkipGetAck %v: link dump: %v, %v", cfg.SkipGetAck, names, err)
		}
		stop := errors.New("stop")
		for _, req := range []netlink.Message{xcGetLink(1, netlink.Acknowledge), xcGetLink(0, netlink.Dump)} {
			calls := 0
			if err := c.ExecuteFunc(xcCtx(t), req, func(netlink.Message) error { calls++; return stop }); err != stop || calls != 1 {
				t.Fatalf("SkipGetAck %v: %v with a function that fails: %v after %d calls, want its error after 1", cfg.SkipGetAck, req.Header, err, calls)
			}
			msgs, err := c.Execute(xcCtx(t), xcGetLink(1, 0))
			if err != nil {
				t.Fatal(err)
			}
			xcCheckLink(t, msgs, 1, "lo")
		}
	}
}
