package conntrack

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nlkit/netlink"
)

// Key identifies an entry in the table: its original tuple and its zone.
type Key struct {
	Orig Tuple
	Zone uint16
}

// Key returns f's key.
func (f *Flow) Key() Key { return Key{Orig: f.Orig, Zone: f.Zone} }

// Mirror is an in-memory copy of the conntrack table that events keep up
// to date, as rtnetlink's Mirror is for routes and links. Make one with
// NewMirror, call Run in a goroutine of its own, and read the copy with
// Snapshot or Len from any goroutine.
//
// A Mirror joins the groups of new, updated and destroyed entries before
// it lists the table. Before each listing it sends a NOOP request on its
// event socket, whose ACK the kernel queues behind the events already
// sent; it lists the table once that ACK is back, then applies the events
// that came after the ACK, in order, to what it listed. When the kernel
// dropped events (netlink.ErrOverrun), the Mirror lists the table again,
// the same way; until that listing is done, Snapshot returns the copy as
// it was. A table that changes faster than the Mirror reads its events
// keeps it listing again (see Stats), until the changes slow down.
//
// An update event carries only what changed; the Mirror merges it into
// the entry it has. Counters and timestamps in the copy are those of the
// last listing or event that carried them.
type Mirror struct {
	ev, list *Conn
	family   uint8

	mu  sync.RWMutex
	cur map[Key]Flow // nil before the first listing

	ready     chan struct{}
	readyOnce sync.Once
	running   atomic.Bool
	listings  atomic.Uint64
	overruns  atomic.Uint64
	events    atomic.Uint64
}

// MirrorStats count what a Mirror did.
type MirrorStats struct {
	Listings uint64 // listings of the table: one at the start, one per resync
	Overruns uint64 // overruns of the event socket, each followed by a listing
	Events   uint64 // events applied to the copy
}

// NewMirror returns a Mirror of the entries of family (0 for all) in the
// namespace cfg says (cfg may be nil). cfg's ReadBuffer sets the event
// socket's receive buffer; its Groups are ignored.
func NewMirror(cfg *netlink.Config, family uint8) (*Mirror, error) {
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	c.Groups = []uint32{uint32(GroupNew), uint32(GroupUpdate), uint32(GroupDestroy)}
	ev, err := Dial(&c)
	if err != nil {
		return nil, err
	}
	list, err := Dial(&netlink.Config{NetNS: c.NetNS})
	if err != nil {
		ev.Close()
		return nil, err
	}
	return &Mirror{ev: ev, list: list, family: family, ready: make(chan struct{})}, nil
}

// NewMirrorOn returns a Mirror that receives events on ev, which it
// makes join the groups of new, updated and destroyed entries, and lists
// the table on list: two Conns of the same namespace, or of a fake kernel
// (conntracktest). The Mirror closes them when it is closed.
func NewMirrorOn(ev, list *Conn, family uint8) (*Mirror, error) {
	for _, g := range []Group{GroupNew, GroupUpdate, GroupDestroy} {
		if err := ev.NL.JoinGroup(uint32(g)); err != nil {
			return nil, err
		}
	}
	return &Mirror{ev: ev, list: list, family: family, ready: make(chan struct{})}, nil
}

// Close closes the Mirror's sockets; Run returns.
func (m *Mirror) Close() error { return errors.Join(m.ev.Close(), m.list.Close()) }

// Ready is closed once the first listing, and the events that came
// during it, are in the copy.
func (m *Mirror) Ready() <-chan struct{} { return m.ready }

// Stats returns the Mirror's counters.
func (m *Mirror) Stats() MirrorStats {
	return MirrorStats{Listings: m.listings.Load(), Overruns: m.overruns.Load(), Events: m.events.Load()}
}

// Snapshot returns a copy of the table, in no particular order, nil
// before Ready. The Flows' Labels and Unknown are shared with the Mirror:
// do not modify them.
func (m *Mirror) Snapshot() []Flow {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.cur == nil {
		return nil
	}
	out := make([]Flow, 0, len(m.cur))
	for _, f := range m.cur {
		out = append(out, f)
	}
	return out
}

// Len returns the number of entries in the copy.
func (m *Mirror) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.cur)
}

// Get returns the copy's entry of key k.
func (m *Mirror) Get(k Key) (Flow, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	f, ok := m.cur[k]
	return f, ok
}

// received is what the Mirror's receiver got from one Receive call.
type received struct {
	msgs []netlink.Message
	err  error
}

// inbox is an unbounded queue of what the receiver got, so that the
// kernel socket is read on while the Mirror lists the table.
type inbox struct {
	mu    sync.Mutex
	items []received
	wake  chan struct{}
}

func (b *inbox) put(r received) {
	b.mu.Lock()
	b.items = append(b.items, r)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *inbox) putFront(items []received) {
	if len(items) == 0 {
		return
	}
	b.mu.Lock()
	b.items = append(slices.Clip(items), b.items...)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *inbox) take() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	items := b.items
	b.items = nil
	return items
}

func (b *inbox) wait(ctx context.Context) ([]received, error) {
	for {
		if items := b.take(); len(items) > 0 {
			return items, nil
		}
		select {
		case <-b.wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Run keeps the copy up to date until ctx is done, the Mirror is closed,
// or an error other than an overrun or an interrupted listing stops it,
// and returns the reason. It lists the table first; Ready says when the
// copy is there. Run may be called once.
func (m *Mirror) Run(ctx context.Context) error {
	if !m.running.CompareAndSwap(false, true) {
		return errors.New("conntrack: Mirror.Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	q := &inbox{wake: make(chan struct{}, 1)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			msgs, err := m.ev.NL.Receive(ctx)
			if ctx.Err() != nil {
				return
			}
			q.put(received{msgs, err})
			if err != nil && !errors.Is(err, netlink.ErrOverrun) && !errors.Is(err, netlink.ErrMalformed) {
				return
			}
		}
	}()
	defer wg.Wait()
	defer cancel()

	for {
		if err := m.fence(ctx, q); err != nil {
			return err
		}
		t := make(map[Key]Flow)
		m.listings.Add(1)
		err := func() error {
			for f, err := range m.list.Flows(ctx, Filter{Family: m.family}) {
				if err != nil {
					return err
				}
				t[f.Key()] = f.Clone()
			}
			return nil
		}()
		if err != nil {
			if errors.Is(err, netlink.ErrDumpInterrupted) || errors.Is(err, netlink.ErrOverrun) {
				continue
			}
			return err
		}
		relist, err := m.applyAll(t, q.take())
		if err != nil {
			return err
		}
		if relist {
			continue
		}
		m.mu.Lock()
		m.cur = t
		m.mu.Unlock()
		m.readyOnce.Do(func() { close(m.ready) })
		for !relist {
			items, err := q.wait(ctx)
			if err != nil {
				return err
			}
			m.mu.Lock()
			relist, err = m.applyAll(t, items)
			m.mu.Unlock()
			if err != nil {
				return err
			}
		}
	}
}

// fence sends a NOOP request on the event socket and drops what the
// receiver got up to its ACK: that was sent before the listing that
// follows, which reflects it. An overrun reported meanwhile may have
// dropped the ACK, or come before it: only a NOOP sent after the last
// report fences.
func (m *Mirror) fence(ctx context.Context, q *inbox) error {
	var sent []uint32
	for {
		h, err := m.ev.NL.Send(ctx, netlink.Message{Header: netlink.Header{Type: netlink.TypeNoop, Flags: netlink.Request | netlink.Acknowledge}})
		if err != nil {
			return err
		}
		sent = append(sent, h.Sequence)
		for resend := false; !resend; {
			items, err := q.wait(ctx)
			if err != nil {
				return err
			}
			for i, it := range items {
				switch {
				case errors.Is(it.err, netlink.ErrOverrun):
					m.overruns.Add(1)
					resend, sent = true, sent[:0]
				case it.err != nil && !errors.Is(it.err, netlink.ErrMalformed):
					return it.err
				case isAckOf(it.msgs, sent):
					q.putFront(items[i+1:])
					return nil
				}
			}
		}
	}
}

func isAckOf(msgs []netlink.Message, seqs []uint32) bool {
	for _, m := range msgs {
		if m.Header.Type == netlink.TypeError && slices.Contains(seqs, m.Header.Sequence) {
			return true
		}
	}
	return false
}

// applyAll applies the events in items to t, in order, and reports
// whether t must be listed again; the error is one that ends Run.
func (m *Mirror) applyAll(t map[Key]Flow, items []received) (relist bool, err error) {
	var f Flow
	for _, it := range items {
		switch {
		case errors.Is(it.err, netlink.ErrOverrun):
			m.overruns.Add(1)
			return true, nil
		case errors.Is(it.err, netlink.ErrMalformed):
			return true, nil
		case it.err != nil:
			return false, it.err
		}
		for i := range it.msgs {
			typ := eventType(&it.msgs[i])
			if typ != EventNew && typ != EventUpdate && typ != EventDestroy {
				continue
			}
			if err := f.Decode(it.msgs[i].Data); err != nil {
				return true, nil // an event not understood: list again
			}
			if m.family != 0 && f.Family != m.family {
				continue
			}
			m.events.Add(1)
			k := f.Key()
			if typ == EventDestroy {
				delete(t, k)
				continue
			}
			old, ok := t[k]
			if !ok {
				t[k] = f.Clone()
				continue
			}
			old.merge(&f)
			t[k] = old
		}
	}
	return false, nil
}

// merge copies into f the fields that u carries.
func (f *Flow) merge(u *Flow) {
	s := u.Set
	if s&FieldReply != 0 {
		f.Reply = u.Reply
	}
	if s&FieldMaster != 0 {
		f.Master = u.Master
	}
	if s&FieldStatus != 0 {
		f.Status = u.Status
	}
	if s&FieldTimeout != 0 {
		f.Timeout = u.Timeout
	}
	if s&FieldMark != 0 {
		f.Mark = u.Mark
	}
	if s&FieldID != 0 {
		f.ID = u.ID
	}
	if s&FieldUse != 0 {
		f.Use = u.Use
	}
	if s&FieldCountersOrig != 0 {
		f.CountersOrig = u.CountersOrig
	}
	if s&FieldCountersReply != 0 {
		f.CountersReply = u.CountersReply
	}
	if s&FieldTimestamp != 0 {
		f.Start, f.Stop = u.Start, u.Stop
	}
	if s&FieldTCP != 0 {
		f.TCP = u.TCP
	}
	if s&FieldSCTP != 0 {
		f.SCTP = u.SCTP
	}
	if s&FieldDCCP != 0 {
		f.DCCP = u.DCCP
	}
	if s&FieldHelper != 0 {
		f.Helper, f.HelperInfo = u.Helper, u.HelperInfo
	}
	if s&FieldSecCtx != 0 {
		f.SecCtx = u.SecCtx
	}
	if s&FieldLabels != 0 {
		f.Labels = slices.Clone(u.Labels)
	}
	if s&FieldSeqAdjOrig != 0 {
		f.SeqAdjOrig = u.SeqAdjOrig
	}
	if s&FieldSeqAdjReply != 0 {
		f.SeqAdjReply = u.SeqAdjReply
	}
	if s&FieldSynproxy != 0 {
		f.Synproxy = u.Synproxy
	}
	f.Set |= s &^ FieldEventTime
}
