// Package nftest is a fake nf_tables for unit tests of code that uses
// package nftables: a *nftables.Conn that talks to an in-memory ruleset,
// with no root and on any OS. It runs on nltest's fake kernel, so
// everything a Conn does above its socket (batches in one datagram,
// sequence numbers, ACKs, dumps, overruns, contexts) runs as with the
// kernel.
//
// # What it models
//
// Tables, chains, rules and sets with their elements, changed only in
// batches (NFNL_MSG_BATCH_BEGIN ... END), as the kernel changes them: a
// batch applies whole or not at all; each message the fake refuses gets
// the kernel's errno (EEXIST for a create of what exists, ENOENT for a
// table, chain, set, rule handle, position or element that is not there,
// EBUSY for a chain a rule jumps to or a set a rule looks up, EINVAL for
// a message that does not decode), and the later messages of a refused
// batch are still answered, as the kernel answers them; a batch whose
// begin message names a generation that is not the current one is
// refused with ERESTART. Each committed batch moves the generation on
// (NFT_MSG_GETGEN) and is notified to the Conns that joined
// nftables.GroupNFTables: its changes, then NFT_MSG_NEWGEN. Handles are
// the kernel's: tables numbered from 1 across families, and chains, sets
// and rules from one counter per table. Rules go where NLM_F_APPEND,
// NLM_F_REPLACE and NFTA_RULE_POSITION put them; a listed rule carries the
// handle of the one before it. Deleting a table deletes all it holds,
// deleting a chain its rules; a delete without a rule handle flushes the
// chain (or the table's chains); one without elements flushes a set.
// Objects are listed as they were sent, with the kernel's handles added.
//
// # What it does not
//
// Notifications are the changed objects as the fake lists them (a table
// deleted with what it holds is one DELTABLE, where the kernel notifies
// each rule, set and chain too), not compared with the kernel's. No
// packets and no counters; no named objects or flowtables (their
// messages get EOPNOTSUPP, their dumps are empty); no hooks (any base
// chain is accepted); no expression checks beyond the chains rules jump
// to and the sets they look up; IDs of objects added in the same batch
// (NFTA_CHAIN_ID, NFTA_SET_ID) resolve, but a rule or element that used
// them is listed with the IDs, where the kernel lists names; an element's
// identity is its key and flags (no interval overlap checks, no
// timeouts). TestSameAsKernel runs one scenario on the fake and on Linux
// and compares what each lists and refuses.
package nftest

import (
	"encoding/binary"
	"os"
	"slices"
	"sync"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/nftables"
	"github.com/nlkit/netlink/nltest"
)

// Attribute numbers x/sys/unix lacks (include/uapi/linux/netfilter/nf_tables.h).
const (
	nftaTableHandle   = 4  // NFTA_TABLE_HANDLE
	nftaTableOwner    = 7  // NFTA_TABLE_OWNER
	nftaChainID       = 11 // NFTA_CHAIN_ID
	nftaRulePosID     = 10 // NFTA_RULE_POSITION_ID
	nftaRuleChainID   = 11 // NFTA_RULE_CHAIN_ID
	nftaSetHandle     = 16 // NFTA_SET_HANDLE
	nfnlBatchGenID    = 1  // NFNL_BATCH_GENID (nfnetlink.h)
	nftMsgDestroyBase = 26 // NFT_MSG_DESTROYTABLE; the other destroys follow as the deletes do
)

// errRestart is ERESTART (include/uapi/asm-generic/errno.h), which
// syscall lacks on some systems.
var errRestart = uapi.ErrnoFromLinux(85)

// Kernel is a fake nf_tables. Its methods are safe for concurrent use.
type Kernel struct {
	nl *nltest.Kernel

	mu      sync.Mutex
	state   state
	gen     uint32
	batches map[uint32]*batch // by the sender's port ID
}

// state is the ruleset: what a batch changes on a copy. tableHandle
// numbers tables across families; a refused batch does not give back
// what it took, as with the kernel: copies share it.
type state struct {
	tables      []*table
	tableHandle *uint64
}

type table struct {
	family nftables.Family
	name   string
	handle uint64
	attrs  []byte // what the request sent, without name and handle
	// hgen numbers its chains, sets and rules; a refused batch does not
	// give back what it took, as with the kernel: copies share it.
	hgen   *uint64
	chains []*chain
	sets   []*set
}

type chain struct {
	name   string
	handle uint64
	attrs  []byte
	rules  []*rule
}

type rule struct {
	handle uint64
	attrs  []byte         // without table, chain, handle and position
	jumps  []string       // chains its verdicts name
	sets   []string       // sets it looks up
	parsed *nftables.Rule // as it decodes
}

type set struct {
	name   string
	handle uint64
	id     uint32
	attrs  []byte
	elems  []elem
}

type elem struct {
	id    string // its key and flags
	attrs []byte // one NFTA_LIST_ELEM's attributes
}

// batch is a transaction under way: the state it changes, the
// notifications of its changes, whether a message failed.
type batch struct {
	st       state
	notes    []netlink.Message
	failed   bool
	skip     bool // refused at its begin: the kernel reads no more of it
	chainIDs map[uint32]string
	setIDs   map[uint32]string
}

// New returns an empty ruleset, at generation 1.
func New() *Kernel {
	k := &Kernel{gen: 1, batches: map[uint32]*batch{}, state: state{tableHandle: new(uint64)}}
	k.nl = nltest.New(netfilter.Protocol, k.handle)
	return k
}

// Dial returns an nftables Conn on the fake, made from cfg (which may be
// nil) as netlink.Dial makes one.
func (k *Kernel) Dial(cfg *netlink.Config) (*nftables.Conn, error) {
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	c.Options = append(slices.Clip(c.Options), netlink.CapAck)
	nl, err := k.nl.Dial(&c)
	if err != nil {
		return nil, err
	}
	return nftables.NewConn(nl), nil
}

// Netlink returns the nltest kernel the fake runs on, for its Overrun and
// Notify.
func (k *Kernel) Netlink() *nltest.Kernel { return k.nl }

// Gen returns the ruleset's generation.
func (k *Kernel) Gen() uint32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.gen
}

func (k *Kernel) handle(req netlink.Message) ([]netlink.Message, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	port := req.Header.PortID
	switch req.Header.Type {
	case netfilter.MsgBatchBegin:
		b := &batch{st: k.state.clone(), chainIDs: map[uint32]string{}, setIDs: map[uint32]string{}}
		k.batches[port] = b
		if len(req.Data) < netfilter.HeaderLen {
			b.skip = true
			return nil, syscall.EINVAL
		}
		if h, _ := netfilter.ParseHeader(req.Data); h.ResourceID != uint16(netfilter.SubsysNFTables) {
			b.skip = true
			return nil, syscall.EINVAL
		}
		for a, err := range netlink.Attrs(req.Data[netfilter.HeaderLen:]) {
			if err == nil && a.Type == nfnlBatchGenID && len(a.Data) == 4 && binary.BigEndian.Uint32(a.Data) != k.gen {
				b.skip = true
				return nil, errRestart
			}
		}
		return nil, nil
	case netfilter.MsgBatchEnd:
		b := k.batches[port]
		delete(k.batches, port)
		if b == nil || b.skip {
			return nil, nltest.ErrNoReply
		}
		if !b.failed && len(b.notes) > 0 {
			k.state = b.st
			k.gen++
			k.nl.Notify(nftables.GroupNFTables, append(b.notes, k.genMessage(uapi.NFT_MSG_NEWGEN, 0))...)
		}
		return nil, nil
	}
	sub, msg := netfilter.SplitType(req.Header.Type)
	if sub != netfilter.SubsysNFTables {
		return nil, syscall.EOPNOTSUPP
	}
	if b := k.batches[port]; b != nil {
		if b.skip {
			return nil, nltest.ErrNoReply
		}
		note, err := b.apply(msg, req)
		if err != nil {
			b.failed = true
			return nil, err
		}
		if note.Header.Type != 0 {
			note.Data = withGen(note.Data, k.gen)
			b.notes = append(b.notes, note)
		}
		return nil, nil
	}
	return k.get(msg, req)
}

// genMessage is NFT_MSG_NEWGEN with the generation, as a reply or a
// notification.
func (k *Kernel) genMessage(msg uint8, flags netlink.HeaderFlags) netlink.Message {
	e := netlink.NewAttrEncoder(netfilter.Header{Version: netfilter.Version0, ResourceID: uint16(k.gen)}.Append(nil))
	e.Uint32BE(uapi.NFTA_GEN_ID, k.gen)
	e.Uint32BE(uapi.NFTA_GEN_PROC_PID, uint32(os.Getpid()))
	e.String(uapi.NFTA_GEN_PROC_NAME, "nftest")
	b, _ := e.Finish()
	return netlink.Message{Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysNFTables, msg), Flags: flags}, Data: b}
}

func withGen(b []byte, gen uint32) []byte {
	binary.BigEndian.PutUint16(b[2:4], uint16(gen))
	return b
}

func (s state) clone() state {
	c := state{tableHandle: s.tableHandle}
	for _, t := range s.tables {
		nt := *t
		nt.chains = nil
		for _, ch := range t.chains {
			nc := *ch
			nc.rules = slices.Clone(ch.rules)
			nt.chains = append(nt.chains, &nc)
		}
		nt.sets = nil
		for _, st := range t.sets {
			ns := *st
			ns.elems = slices.Clone(st.elems)
			nt.sets = append(nt.sets, &ns)
		}
		c.tables = append(c.tables, &nt)
	}
	return c
}

func (s *state) table(f nftables.Family, name string) *table {
	for _, t := range s.tables {
		if t.family == f && t.name == name {
			return t
		}
	}
	return nil
}

func (t *table) chain(name string) *chain {
	for _, c := range t.chains {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (t *table) set(name string) *set {
	for _, s := range t.sets {
		if s.name == name {
			return s
		}
	}
	return nil
}

// attrs is a request's attributes: the numbers it has, and each one's
// payload.
type attrs map[uint16]netlink.Attr

func parseAttrs(b []byte) (attrs, error) {
	as := attrs{}
	for a, err := range netlink.Attrs(b) {
		if err != nil {
			return nil, err
		}
		as[a.Type] = a
	}
	return as, nil
}

func (as attrs) str(t uint16) (string, bool) {
	a, ok := as[t]
	if !ok {
		return "", false
	}
	return a.Str(), true
}

func (as attrs) be64(t uint16) uint64 {
	if a, ok := as[t]; ok && len(a.Data) == 8 {
		return binary.BigEndian.Uint64(a.Data)
	}
	return 0
}

func (as attrs) be32(t uint16) uint32 {
	if a, ok := as[t]; ok && len(a.Data) == 4 {
		return binary.BigEndian.Uint32(a.Data)
	}
	return 0
}

// without re-encodes b without the attributes drop names.
func without(b []byte, drop ...uint16) []byte {
	e := netlink.NewAttrEncoder(nil)
	for a, err := range netlink.Attrs(b) {
		if err != nil || slices.Contains(drop, a.Type) {
			continue
		}
		putAttr(e, a)
	}
	out, _ := e.Finish()
	return out
}

func putAttr(e *netlink.AttrEncoder, a netlink.Attr) {
	if a.Nested {
		n := e.Nest(a.Type)
		e.Raw(a.Data)
		e.End(n)
		return
	}
	e.Bytes(a.Type, a.Data)
}

// header returns the nfgenmsg of a reply about family f.
func header(f nftables.Family) *netlink.AttrEncoder {
	return netlink.NewAttrEncoder(netfilter.Header{Family: uint8(f), Version: netfilter.Version0}.Append(make([]byte, 0, 256)))
}

func finish(e *netlink.AttrEncoder, msg uint8, flags netlink.HeaderFlags) netlink.Message {
	b, _ := e.Finish()
	return netlink.Message{Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysNFTables, msg), Flags: flags}, Data: b}
}

func (t *table) message(msg uint8, flags netlink.HeaderFlags) netlink.Message {
	e := header(t.family)
	e.String(uapi.NFTA_TABLE_NAME, t.name)
	e.Raw(t.attrs)
	e.Uint32BE(uapi.NFTA_TABLE_USE, uint32(len(t.chains)+len(t.sets)))
	e.Uint64BE(nftaTableHandle, t.handle)
	return finish(e, msg, flags)
}

func (c *chain) message(t *table, msg uint8, flags netlink.HeaderFlags) netlink.Message {
	e := header(t.family)
	e.String(uapi.NFTA_CHAIN_TABLE, t.name)
	e.String(uapi.NFTA_CHAIN_NAME, c.name)
	e.Uint64BE(uapi.NFTA_CHAIN_HANDLE, c.handle)
	e.Raw(c.attrs)
	return finish(e, msg, flags)
}

func (r *rule) message(t *table, c *chain, prev uint64, msg uint8, flags netlink.HeaderFlags) netlink.Message {
	e := header(t.family)
	e.String(uapi.NFTA_RULE_TABLE, t.name)
	e.String(uapi.NFTA_RULE_CHAIN, c.name)
	e.Uint64BE(uapi.NFTA_RULE_HANDLE, r.handle)
	e.Raw(r.attrs)
	if prev != 0 {
		e.Uint64BE(uapi.NFTA_RULE_POSITION, prev)
	}
	return finish(e, msg, flags)
}

func (s *set) message(t *table, msg uint8, flags netlink.HeaderFlags) netlink.Message {
	e := header(t.family)
	e.String(uapi.NFTA_SET_TABLE, t.name)
	e.String(uapi.NFTA_SET_NAME, s.name)
	e.Uint64BE(nftaSetHandle, s.handle)
	e.Raw(s.attrs)
	return finish(e, msg, flags)
}

// elemMessages lists elems of s in messages of at most 256 elements, as
// a dump or a notification does.
func (s *set) elemMessages(t *table, elems []elem, msg uint8, flags netlink.HeaderFlags) []netlink.Message {
	var out []netlink.Message
	for len(elems) > 0 {
		n := min(len(elems), 256)
		e := header(t.family)
		e.String(uapi.NFTA_SET_ELEM_LIST_TABLE, t.name)
		e.String(uapi.NFTA_SET_ELEM_LIST_SET, s.name)
		l := e.Nest(uapi.NFTA_SET_ELEM_LIST_ELEMENTS)
		for _, el := range elems[:n] {
			x := e.Nest(uapi.NFTA_LIST_ELEM)
			e.Raw(el.attrs)
			e.End(x)
		}
		e.End(l)
		out = append(out, finish(e, msg, flags))
		elems = elems[n:]
	}
	return out
}

// isDelete says whether msg deletes (NFT_MSG_DEL*, DESTROY*), and whether
// a missing object is fine (DESTROY*).
func isDestroy(msg uint8) bool { return msg >= nftMsgDestroyBase && msg <= nftMsgDestroyBase+6 }

// delOf is the NFT_MSG_DEL* of a NFT_MSG_DESTROY*.
func delOf(msg uint8) uint8 {
	return [...]uint8{uapi.NFT_MSG_DELTABLE, uapi.NFT_MSG_DELCHAIN, uapi.NFT_MSG_DELRULE, uapi.NFT_MSG_DELSET,
		uapi.NFT_MSG_DELSETELEM, uapi.NFT_MSG_DELOBJ, uapi.NFT_MSG_DELFLOWTABLE}[msg-nftMsgDestroyBase]
}
