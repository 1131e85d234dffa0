package tc

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Event is one traffic control notification (RTNLGRP_TC): a qdisc, class,
// filter or action added, changed or deleted. Type says which message it
// was (uapi's RTM_NEWQDISC, RTM_DELTFILTER, ...) and one of the pointer
// fields holds the object, decoded; Message is the notification as
// received, for its header's flags.
type Event struct {
	Type    netlink.HeaderType
	Qdisc   *Qdisc   // RTM_NEWQDISC, RTM_DELQDISC
	Class   *Class   // RTM_NEWTCLASS, RTM_DELTCLASS
	Filter  *Filter  // RTM_NEWTFILTER, RTM_DELTFILTER
	Actions []Action // RTM_NEWACTION, RTM_DELACTION
	Message netlink.Message
}

// Deleted reports whether the event is a deletion.
func (e Event) Deleted() bool {
	switch e.Type {
	case uapi.RTM_DELQDISC, uapi.RTM_DELTCLASS, uapi.RTM_DELTFILTER, uapi.RTM_DELACTION:
		return true
	}
	return false
}

// GroupTC is the multicast group of traffic control notifications
// (RTNLGRP_TC).
const GroupTC = uapi.RTNLGRP_TC

// ParseEvent decodes a traffic control notification. It works on the
// Message of an rtnetlink.Event too, so one rtnetlink Watch can serve
// both packages. A message of another type is an Event with Type and
// Message only. The Event owns its memory.
func ParseEvent(m netlink.Message) (Event, error) {
	m.Data = clone(m.Data)
	ev := Event{Type: m.Header.Type, Message: m}
	var o object
	var err error
	switch m.Header.Type {
	case uapi.RTM_NEWQDISC, uapi.RTM_DELQDISC:
		if err = o.decode(m.Data, qdiscKinds); err == nil {
			q := qdiscFrom(&o)
			ev.Qdisc = &q
		}
	case uapi.RTM_NEWTCLASS, uapi.RTM_DELTCLASS:
		if err = o.decode(m.Data, classKinds); err == nil {
			c := classFrom(&o)
			ev.Class = &c
		}
	case uapi.RTM_NEWTFILTER, uapi.RTM_DELTFILTER:
		if err = o.decode(m.Data, filterKinds); err == nil {
			f := filterFrom(&o)
			ev.Filter = &f
		}
	case uapi.RTM_NEWACTION, uapi.RTM_DELACTION:
		ev.Actions, err = parseActionMessage(m.Data)
	}
	if err != nil && !errors.Is(err, netlink.ErrMalformed) {
		err = fmt.Errorf("%w: %v", netlink.ErrMalformed, err)
	}
	return ev, err
}

// Watch joins RTNLGRP_TC and yields the notifications the Conn receives,
// as Events, until ctx is done. An error wrapping netlink.ErrOverrun (the
// kernel dropped notifications: list again) or netlink.ErrMalformed (a
// notification that does not decode; its Event has Type and Message) is
// yielded without ending the stream; any other error ends it. The group
// stays joined when the iteration ends.
//
// Watch sends no request: it joins the group (NETLINK_ADD_MEMBERSHIP) and
// reads the RTM_NEWQDISC, RTM_DELTFILTER, ... the kernel multicasts.
func (c *Conn) Watch(ctx context.Context) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if err := c.NL.JoinGroup(GroupTC); err != nil {
			yield(Event{}, &Error{Op: "watch", Err: err})
			return
		}
		for {
			msgs, err := c.NL.Receive(ctx)
			if err != nil {
				if !yield(Event{}, err) || !errors.Is(err, netlink.ErrOverrun) && !errors.Is(err, netlink.ErrMalformed) {
					return
				}
				continue
			}
			for _, m := range msgs {
				if !yield(ParseEvent(m)) {
					return
				}
			}
		}
	}
}
