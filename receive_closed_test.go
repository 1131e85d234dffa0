//go:build linux

package netlink_test

import (
	"errors"
	"testing"

	"github.com/nlkit/netlink"
)

// Receive and ReceiveDatagram after Close return ErrClosed, as the package
// documentation says, even when the Conn keeps datagrams for Receive that
// an exchange read, and a loss (ErrOverrun) to report.
func TestReceiveAfterCloseIgnoresQueue(t *testing.T) {
	xcBackends(t, testReceiveAfterCloseIgnoresQueue)
}

func testReceiveAfterCloseIgnoresQueue(t *testing.T, env *xcEnv) {
	v := env.veth(t, "xc0")
	// queued returns a Conn that keeps for Receive replies to Send that its
	// Execute read first: QueueLimit 1 keeps one of sends, and notes the
	// loss of the others.
	queued := func(t *testing.T, sends int) *netlink.Conn {
		t.Helper()
		c := env.dial(t, netlink.Config{QueueLimit: 1})
		for range sends {
			if _, err := c.Send(xcCtx(t), xcGetLink(v, netlink.Request)); err != nil {
				t.Fatalf("Send: %v", err)
			}
		}
		msgs, err := c.Execute(xcCtx(t), xcGetLink(v, 0))
		if err != nil {
			t.Fatalf("Execute: %v", err)
		}
		xcCheckLink(t, msgs, v, "xc0")
		return c
	}
	for _, sends := range []int{1, 2} {
		// Open, the Conn hands out what it keeps: the setup works.
		c := queued(t, sends)
		msgs, err := c.Receive(xcCtx(t))
		if err != nil {
			t.Fatalf("%d sends, open: Receive: %v", sends, err)
		}
		xcCheckLink(t, msgs, v, "xc0")
		if sends > 1 {
			if _, err := c.Receive(xcCtx(t)); !errors.Is(err, netlink.ErrOverrun) {
				t.Fatalf("%d sends, open: second Receive: %v, want ErrOverrun", sends, err)
			}
		}

		for _, call := range []string{"Receive", "ReceiveDatagram"} {
			c := queued(t, sends)
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			for i := range 2 {
				var err error
				var got []netlink.Message
				switch call {
				case "Receive":
					got, err = c.Receive(xcCtx(t))
				case "ReceiveDatagram":
					var d netlink.Datagram
					d, err = c.ReceiveDatagram(xcCtx(t))
					got, _ = collectMsgs(d.Data)
				}
				if !errors.Is(err, netlink.ErrClosed) || len(got) != 0 {
					t.Errorf("%d sends: %s %d after Close: %d messages, %v; want none, ErrClosed", sends, call, i+1, len(got), err)
				}
			}
		}
	}
}

// collectMsgs parses the messages in b.
func collectMsgs(b []byte) ([]netlink.Message, error) {
	var out []netlink.Message
	for m, err := range netlink.Messages(b) {
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}
