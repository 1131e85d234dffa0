package conntrack

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Group is a conntrack multicast group (enum nfnetlink_groups): the events
// a socket that joins it receives.
type Group uint32

// The conntrack groups.
const (
	GroupNew           Group = 1 // NFNLGRP_CONNTRACK_NEW: entries created
	GroupUpdate        Group = 2 // NFNLGRP_CONNTRACK_UPDATE: entries changed
	GroupDestroy       Group = 3 // NFNLGRP_CONNTRACK_DESTROY: entries removed
	GroupExpectNew     Group = 4 // NFNLGRP_CONNTRACK_EXP_NEW: expectations created
	GroupExpectUpdate  Group = 5 // NFNLGRP_CONNTRACK_EXP_UPDATE
	GroupExpectDestroy Group = 6 // NFNLGRP_CONNTRACK_EXP_DESTROY: expectations removed
)

// EventType says what an Event reports.
type EventType uint8

// The kinds of events.
const (
	EventUnknown       EventType = iota // a message this package does not decode (see Event.Message)
	EventNew                            // IPCTNL_MSG_CT_NEW with NLM_F_CREATE: an entry was created
	EventUpdate                         // IPCTNL_MSG_CT_NEW without it: an entry changed
	EventDestroy                        // IPCTNL_MSG_CT_DELETE: an entry went away
	EventExpectNew                      // IPCTNL_MSG_EXP_NEW: an expectation was created
	EventExpectDestroy                  // IPCTNL_MSG_EXP_DELETE: an expectation went away
)

var eventNames = [...]string{"UNKNOWN", "NEW", "UPDATE", "DESTROY", "EXP_NEW", "EXP_DESTROY"}

// String names the event as conntrack -E prints it: "NEW", "UPDATE",
// "DESTROY".
func (t EventType) String() string {
	if int(t) < len(eventNames) {
		return eventNames[t]
	}
	return fmt.Sprintf("event(%d)", uint8(t))
}

// Event is one conntrack notification. Flow (for entries) or Expect (for
// expectations) holds the object; an update carries only what changed
// (see Flow.Set), a destroy its final counters and timestamps. Flow,
// Expect and Message alias a buffer that the next iteration of Events
// reuses: Clone what must live longer.
type Event struct {
	Type    EventType
	Flow    *Flow
	Expect  *Expect
	Message netlink.Message // the notification as received
}

// eventType classifies the message m.
func eventType(m *netlink.Message) EventType {
	sub, msg := netfilter.SplitType(m.Header.Type)
	switch {
	case sub == netfilter.SubsysConntrack && msg == ipctnlMsgCtNew:
		if m.Header.Flags&(netlink.Create|netlink.Excl) != 0 {
			return EventNew
		}
		return EventUpdate
	case sub == netfilter.SubsysConntrack && msg == ipctnlMsgCtDelete:
		return EventDestroy
	case sub == netfilter.SubsysConntrackExp && msg == ipctnlMsgExpNew:
		return EventExpectNew
	case sub == netfilter.SubsysConntrackExp && msg == ipctnlMsgExpDelete:
		return EventExpectDestroy
	}
	return EventUnknown
}

// Events joins groups (none: GroupNew, GroupUpdate and GroupDestroy) and
// yields the notifications the Conn receives, until ctx is done. The
// groups stay joined when the iteration ends. Events sends no request: it
// joins the groups (NETLINK_ADD_MEMBERSHIP) and reads what the kernel
// multicasts.
//
// Two kinds of errors are yielded without ending the stream, since events
// keep coming after them: one wrapping netlink.ErrOverrun, once after the
// kernel dropped events because the socket's receive queue was full (a
// copy of the table the caller keeps is then stale: list it again, as
// Mirror does); and one wrapping netlink.ErrMalformed, for a message that
// does not decode (its Event has Type and Message). Any other error (ctx
// done, the Conn closed) is yielded last.
//
// Events reads with ReceiveDatagram, without copying: only one goroutine
// at a time may read a Conn that way, so run requests on another Conn.
//
// With sysctl net.netfilter.nf_conntrack_events at its default of 2, the
// kernel gives an entry its events when the entry is made, and only while
// some socket listens to the groups of entries: an entry made before
// that has no events, nor do its expectations.
func (c *Conn) Events(ctx context.Context, groups ...Group) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if len(groups) == 0 {
			groups = []Group{GroupNew, GroupUpdate, GroupDestroy}
		}
		for _, g := range groups {
			if err := c.NL.JoinGroup(uint32(g)); err != nil {
				yield(Event{}, fmt.Errorf("conntrack: join group %d: %w", g, err))
				return
			}
		}
		var f Flow
		var x Expect
		for {
			dg, err := c.NL.ReceiveDatagram(ctx)
			if err != nil {
				if !yield(Event{}, err) || !errors.Is(err, netlink.ErrOverrun) && !errors.Is(err, netlink.ErrMalformed) {
					return
				}
				continue
			}
			md := netlink.NewMessageDecoder(dg.Data)
			for md.Next() {
				m := md.Message()
				ev, err := decodeEvent(&m, &f, &x)
				if !yield(ev, err) {
					return
				}
			}
			if err := md.Err(); err != nil {
				if !yield(Event{}, err) {
					return
				}
			}
		}
	}
}

// decodeEvent decodes m into f or x.
func decodeEvent(m *netlink.Message, f *Flow, x *Expect) (Event, error) {
	ev := Event{Type: eventType(m), Message: *m}
	var err error
	switch ev.Type {
	case EventNew, EventUpdate, EventDestroy:
		err = f.Decode(m.Data)
		ev.Flow = f
	case EventExpectNew, EventExpectDestroy:
		err = x.Decode(m.Data)
		ev.Expect = x
	}
	return ev, err
}

// ParseEvent decodes a notification into an Event that owns its memory.
func ParseEvent(m netlink.Message) (Event, error) {
	var f Flow
	var x Expect
	ev, err := decodeEvent(&m, &f, &x)
	if ev.Flow != nil {
		c := f.Clone()
		ev.Flow = &c
	}
	if ev.Expect != nil {
		c := x.Clone()
		ev.Expect = &c
	}
	return ev, err
}
