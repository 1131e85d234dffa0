package nltest_test

import (
	"context"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/nltest"
)

// With Config.SkipGetAck, Execute sends an rtnetlink GET without asking
// for an ACK. The kernel always answers one; a Handler that answers with
// nothing gets an ACK sent for it, so that Execute returns, with no
// messages, instead of waiting for ever. A GET the Handler answers is
// done at its reply.
func TestSkipGetAck(t *testing.T) {
	var got []netlink.HeaderFlags
	answer := true
	k := nltest.New(0, func(req netlink.Message) ([]netlink.Message, error) {
		got = append(got, req.Header.Flags)
		if answer {
			return []netlink.Message{entry(3)}, nil
		}
		return nil, nil
	})
	c, err := k.Dial(&netlink.Config{SkipGetAck: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	get := netlink.Message{Header: netlink.Header{Type: 18}, Data: make([]byte, 16)} // RTM_GETLINK
	msgs, err := c.Execute(ctx, get)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("answered GET: %d messages, %v", len(msgs), err)
	}
	answer = false
	msgs, err = c.Execute(ctx, get)
	if err != nil || len(msgs) != 0 {
		t.Fatalf("unanswered GET: %d messages, %v", len(msgs), err)
	}
	if len(got) != 2 || got[0] != netlink.Request || got[1] != netlink.Request {
		t.Errorf("the handler saw flags %v, want REQUEST twice", got)
	}
	if s := c.Stats().Stale; s != 0 {
		t.Errorf("Stats().Stale = %d", s)
	}
}
