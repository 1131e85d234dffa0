package nftables

import (
	"errors"
	"fmt"
	"github.com/nlkit/netlink/internal/uapi"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Tx is a transaction: changes that Conn.Commit sends as one nfnetlink
// batch, which the kernel applies whole or not at all. The zero Tx is
// empty. Its methods encode each change at once; the first error (an
// object that does not encode, such as a rule whose expressions pass the
// 64 KiB of an attribute) is kept, and Commit returns it without sending
// anything.
type Tx struct {
	msgs  []netlink.Message
	descs []string
	err   error
	ids   uint32 // the last set ID given
	// GenID, when not 0, makes the kernel refuse the transaction (with
	// ERESTART) unless the ruleset's generation is still GenID (see
	// Conn.GenID): an optimistic lock over what was read.
	GenID uint32
}

// Len returns the number of messages in the transaction.
func (tx *Tx) Len() int { return len(tx.msgs) }

// Err returns the first error of the transaction's changes.
func (tx *Tx) Err() error { return tx.err }

func (tx *Tx) add(verb string, o Object, msg uint8, flags netlink.HeaderFlags, op op) {
	if tx.err != nil {
		return
	}
	if s, ok := o.(*Set); ok && op == opNew && s.ID == 0 {
		// The kernel wants every new set to have an ID.
		c := *s
		tx.ids++
		c.ID = tx.ids
		o = &c
	}
	m, err := message(msg, flags, o, op)
	if err != nil {
		tx.err = err
		return
	}
	tx.msgs = append(tx.msgs, m)
	tx.descs = append(tx.descs, verb+" "+o.String())
}

// Add adds o (NFT_MSG_NEWTABLE, NEWCHAIN, NEWRULE, ...), as nft's add: an
// object that exists already is left as it is, or updated where the
// kernel can (a table's flags, a base chain's policy). A rule goes after
// the rule whose handle is its Position, or at the end of the chain.
func (tx *Tx) Add(o Object) {
	flags := netlink.Create
	if _, ok := o.(*Rule); ok {
		flags |= netlink.Append
	}
	tx.add("add", o, o.kind().newMsg, flags, opNew)
}

// Create adds o as nft's create: an object that exists already fails the
// transaction with EEXIST.
func (tx *Tx) Create(o Object) {
	flags := netlink.Create | netlink.Excl
	if _, ok := o.(*Rule); ok {
		flags = netlink.Create | netlink.Append
	}
	tx.add("create", o, o.kind().newMsg, flags, opNew)
}

// Insert adds rule r before the rule whose handle is its Position, or at
// the start of the chain (NFT_MSG_NEWRULE without NLM_F_APPEND).
func (tx *Tx) Insert(r *Rule) {
	tx.add("insert", r, uapi.NFT_MSG_NEWRULE, netlink.Create, opNew)
}

// Replace replaces the rule whose handle is r.Handle with r
// (NFT_MSG_NEWRULE with NLM_F_REPLACE).
func (tx *Tx) Replace(r *Rule) {
	if r.Handle == 0 && tx.err == nil {
		tx.err = fmt.Errorf("nftables: replace %s: a rule is replaced by its handle, and it has none", r)
		return
	}
	tx.add("replace", r, uapi.NFT_MSG_NEWRULE, netlink.Replace, opReplace)
}

// Delete deletes o (NFT_MSG_DELTABLE, DELCHAIN, DELRULE, ...), named by
// its handle when it has one, by its name otherwise. A table is deleted
// with all it holds; a chain, set or object only when nothing refers to
// it.
func (tx *Tx) Delete(o Object) {
	tx.add("delete", o, o.kind().delMsg, 0, opDel)
}

// Destroy deletes o as Delete does, but an object that does not exist is
// not an error (NFT_MSG_DESTROY*, Linux 6.3 and later: older kernels know
// no such message and refuse it, and so the batch, with EINVAL).
func (tx *Tx) Destroy(o Object) {
	tx.add("destroy", o, o.kind().destroyMsg, 0, opDel)
}

// Flush empties o: a table's chains or a chain of their rules
// (NFT_MSG_DELRULE naming the table, or the chain), a set of its elements
// (NFT_MSG_DELSETELEM without elements).
func (tx *Tx) Flush(o Object) {
	switch o := o.(type) {
	case *Table:
		tx.add("flush", o, uapi.NFT_MSG_DELRULE, 0, opDel)
		tx.msgs[len(tx.msgs)-1] = flushRules(o.Family, o.Name, "")
	case *Chain:
		tx.add("flush", o, uapi.NFT_MSG_DELRULE, 0, opDel)
		tx.msgs[len(tx.msgs)-1] = flushRules(o.Family, o.Table, o.Name)
	case *Set:
		tx.elements("flush", o, nil, uapi.NFT_MSG_DELSETELEM, 0, opDel)
	default:
		if tx.err == nil {
			tx.err = fmt.Errorf("nftables: flush %s: only tables, chains and sets are flushed", o)
		}
	}
}

// flushRules is NFT_MSG_DELRULE for every rule of a table, or of one of
// its chains.
func flushRules(f Family, table, chain string) netlink.Message {
	m, _ := message(uapi.NFT_MSG_DELRULE, 0, &Rule{Family: f, Table: table, Chain: chain}, opDel)
	return m
}

// AddElements adds elems to set s (NFT_MSG_NEWSETELEM), in as many
// messages as the 16-bit attribute lengths require: they are still one
// transaction. s needs its Family, Table and Name (or an ID of a set added
// earlier in the transaction).
func (tx *Tx) AddElements(s *Set, elems ...Element) {
	if len(elems) > 0 {
		tx.elements("add", s, elems, uapi.NFT_MSG_NEWSETELEM, netlink.Create, opNew)
	}
}

// DeleteElements deletes elems from set s (NFT_MSG_DELSETELEM), by key.
func (tx *Tx) DeleteElements(s *Set, elems ...Element) {
	if len(elems) > 0 {
		tx.elements("delete", s, elems, uapi.NFT_MSG_DELSETELEM, 0, opDel)
	}
}

func (tx *Tx) elements(verb string, s *Set, elems []Element, msg uint8, flags netlink.HeaderFlags, op op) {
	if tx.err != nil {
		return
	}
	msgs, err := elementMessages(s, elems, op, msg, flags)
	if err != nil {
		tx.err = err
		return
	}
	what := "elements of " + s.String()
	if verb == "flush" {
		what = s.String()
	}
	for range msgs {
		tx.descs = append(tx.descs, verb+" "+what)
	}
	tx.msgs = append(tx.msgs, msgs...)
}

// TxError is the error of a transaction the kernel refused: nothing of it
// was applied.
type TxError struct {
	// Index is the position of the message the kernel refused first, in
	// the order of the transaction's changes (one change can be several
	// messages: see AddElements), or -1 when it refused the transaction
	// as a whole.
	Index int
	// Change names it: "add rule inet t c".
	Change string
	// Err is the kernel's answer, an *netlink.OpError with the errno and
	// the extended ACK.
	Err error
}

// Error names the message, the change and the kernel's answer.
func (e *TxError) Error() string {
	msg := e.Err.Error()
	var oe *netlink.OpError
	if errors.As(e.Err, &oe) {
		msg = oe.Err.Error()
		if oe.ExtAck.Message != "" {
			msg += ": " + oe.ExtAck.Message
		}
		if oe.ExtAck.AttrType != 0 {
			msg += fmt.Sprintf(" (attribute %d)", oe.ExtAck.AttrType)
		}
	}
	if e.Index < 0 {
		return "nftables: batch: " + msg
	}
	return fmt.Sprintf("nftables: batch message %d (%s): %s", e.Index, e.Change, msg)
}

// Unwrap returns the kernel's answer.
func (e *TxError) Unwrap() error { return e.Err }

// txError turns netfilter.ExecuteBatch's error into a *TxError, or, for
// an error of the exchange (ctx done, an overrun, a batch past the
// socket's limits), names the commit and wraps it.
func (tx *Tx) txError(err error) error {
	var be *netfilter.BatchError
	if !errors.As(err, &be) {
		s := "s"
		if len(tx.msgs) == 1 {
			s = ""
		}
		return fmt.Errorf("nftables: commit of %d message%s: %w", len(tx.msgs), s, err)
	}
	te := &TxError{Index: be.Index, Err: be.Err}
	if be.Index >= 0 && be.Index < len(tx.descs) {
		te.Change = tx.descs[be.Index]
	}
	return te
}
