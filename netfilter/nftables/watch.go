package nftables

import (
	"context"
	"errors"
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"
	"iter"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// GroupNFTables is NFNLGRP_NFTABLES, the multicast group of nf_tables'
// notifications.
const GroupNFTables = 7

// Event is one nf_tables notification: an object added or deleted, or a
// new generation, which ends each committed transaction's notifications.
// At most one of the pointer fields is set, for the message's kind; a
// message the package does not decode (NFT_MSG_TRACE) has none. An Event
// owns its memory.
type Event struct {
	// Msg is the message (NFT_MSG_NEWTABLE, NFT_MSG_DELRULE, ...), Deleted
	// whether it deletes.
	Msg     uint8
	Deleted bool
	Family  Family
	// Object is a *Table, *Chain, *Rule, *Set, *NamedObject or *Flowtable.
	Object   Object
	Elements *ElementList // NFT_MSG_NEWSETELEM, DELSETELEM
	Gen      *Gen         // NFT_MSG_NEWGEN
	Message  netlink.Message
}

// ParseEvent decodes an nf_tables notification.
func ParseEvent(m netlink.Message) (Event, error) {
	ev := Event{Message: m}
	sub, msg := netfilter.SplitType(m.Header.Type)
	if sub != netfilter.SubsysNFTables {
		return ev, fmt.Errorf("nftables: message of subsystem %v: %w", sub, netlink.ErrMalformed)
	}
	ev.Msg = msg
	h, b, err := payload(m)
	if err != nil {
		return ev, err
	}
	ev.Family = Family(h.Family)
	switch msg {
	case uapi.NFT_MSG_DELTABLE, uapi.NFT_MSG_DELCHAIN, uapi.NFT_MSG_DELRULE, uapi.NFT_MSG_DELSET, uapi.NFT_MSG_DELSETELEM, uapi.NFT_MSG_DELOBJ, uapi.NFT_MSG_DELFLOWTABLE:
		ev.Deleted = true
	}
	switch msg {
	case uapi.NFT_MSG_NEWTABLE, uapi.NFT_MSG_DELTABLE:
		ev.Object, err = decodeTable(h, b)
	case uapi.NFT_MSG_NEWCHAIN, uapi.NFT_MSG_DELCHAIN:
		ev.Object, err = decodeChain(h, b)
	case uapi.NFT_MSG_NEWRULE, uapi.NFT_MSG_DELRULE:
		ev.Object, err = decodeRule(h, b)
	case uapi.NFT_MSG_NEWSET, uapi.NFT_MSG_DELSET:
		ev.Object, err = decodeSet(h, b)
	case uapi.NFT_MSG_NEWOBJ, uapi.NFT_MSG_DELOBJ:
		ev.Object, err = decodeObject(h, b)
	case uapi.NFT_MSG_NEWFLOWTABLE, uapi.NFT_MSG_DELFLOWTABLE:
		ev.Object, err = decodeFlowtable(h, b)
	case uapi.NFT_MSG_NEWSETELEM, uapi.NFT_MSG_DELSETELEM:
		ev.Elements, err = decodeElementList(h, b)
	case uapi.NFT_MSG_NEWGEN:
		var g Gen
		g, err = parseGen(m)
		ev.Gen = &g
	}
	if err != nil {
		return ev, fmt.Errorf("nftables: notification %d: %w", msg, err)
	}
	return ev, nil
}

// Watch joins GroupNFTables and yields nf_tables' notifications as Events
// until ctx is done. It sends no request: it reads what the kernel
// multicasts.
//
// Two kinds of errors are yielded without ending the stream: one wrapping
// netlink.ErrOverrun, once after the kernel dropped notifications because
// the Conn's receive queue was full (a copy of the ruleset the caller
// keeps is then stale: list it again), and one for a notification that
// does not decode (its Event has Message), or a datagram that does not
// parse as netlink messages (wrapping netlink.ErrMalformed). Any other
// error (ctx done, the Conn closed) is yielded last.
func (c *Conn) Watch(ctx context.Context) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if err := c.c.JoinGroup(GroupNFTables); err != nil {
			yield(Event{}, fmt.Errorf("nftables: watch: %w", err))
			return
		}
		for {
			msgs, err := c.c.Receive(ctx)
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
