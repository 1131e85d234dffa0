package rtnetlink

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Mirror is an in-memory copy of one of the kernel's tables (routes, links
// or addresses) that notifications keep up to date. Make one with
// NewRouteMirror, NewLinkMirror or NewAddressMirror, call Run in a
// goroutine of its own, and read the copy with Snapshot, from any
// goroutine.
//
// A Mirror never misses a change: it joins the table's groups when it is
// made, before it lists the table. Before each listing it sends a NOOP
// request on its notification socket, whose ACK the kernel queues behind
// the notifications already sent; it lists the table once that ACK is
// back, and then applies the notifications that came after the ACK, in
// order, to what it listed. (A notification older than the listing is
// followed by those of the later changes, so the copy ends where the
// kernel's table is.) When the
// kernel dropped notifications (netlink.ErrOverrun), or made a change it
// does not announce, the Mirror lists the table again, the same way; until
// that listing is done, Snapshot returns the copy as it was.
//
// What a route Mirror cannot learn from a notification makes it list the
// routes again: IPv4 routes the kernel flushes silently when their link
// goes down or away, or when the address they prefer as source is
// deleted; the linkdown flag of routes whose link loses or gains its
// carrier; routes through a nexthop object that changes; a route that
// replaces one of several routes of the same table, destination, TOS and
// priority (ip route append), where the notification does not say which;
// and a change during a listing after which the kernel's dump, which
// resumes by position, may have skipped a route (an IPv6 route deleted,
// an IPv4 route deleted among others to the same address, a new table).
//
// A Mirror whose table changes faster than it reads its notifications
// keeps listing the table again (see Stats), and catches up once the
// changes slow down. Snapshot never returns a copy in the middle of that:
// it returns the last copy brought up to date.
type Mirror[T any] struct {
	ev, list *Conn
	kind     *mirrorKind[T]

	mu  sync.RWMutex
	cur mirrorTable[T] // the copy Snapshot reads; nil before the first listing

	ready     chan struct{} // closed once cur is set
	readyOnce sync.Once
	running   atomic.Bool
	listings  atomic.Uint64
	overruns  atomic.Uint64
	events    atomic.Uint64
}

// MirrorStats count what a Mirror did.
type MirrorStats struct {
	// Listings counts the times the Mirror listed the table: once at the
	// start, then once per resync.
	Listings uint64
	// Resyncs counts the listings after the first: after an overrun, an
	// interrupted listing, or a change the kernel does not announce.
	Resyncs uint64
	// Overruns counts the overruns of the Mirror's notification socket
	// (netlink.ErrOverrun), after which the Mirror lists the table again;
	// several during one listing make one resync.
	Overruns uint64
	// Events counts the notifications applied to the copy.
	Events uint64
}

// mirrorKind is what a Mirror needs to know of a table.
type mirrorKind[T any] struct {
	groups   []Group
	newTable func() mirrorTable[T]
	// list fills t from a listing of the kernel's table.
	list func(ctx context.Context, c *Conn, t mirrorTable[T]) error
}

// mirrorTable is a copy of a kernel table.
type mirrorTable[T any] interface {
	// apply applies the notification m to the table, and reports whether
	// it changed the table, and whether the table must be listed again.
	apply(m *netlink.Message) (applied, relist bool, err error)
	// snapshot appends the objects of the table that the Mirror's filter
	// selects to s.
	snapshot(s []T) []T
	// publish is called once the notifications that came during the
	// listing are applied, as the table becomes the Mirror's copy.
	publish()
}

// newMirror dials the Mirror's two sockets: one, as cfg says, that joins
// kind's groups at once and receives notifications, and one in the same
// namespace for the listings.
func newMirror[T any](cfg *netlink.Config, kind *mirrorKind[T]) (*Mirror[T], error) {
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	c.Groups = nil
	for _, g := range kind.groups {
		c.Groups = append(c.Groups, uint32(g))
	}
	ev, err := Dial(&c)
	if err != nil {
		return nil, err
	}
	list, err := Dial(&netlink.Config{NetNS: c.NetNS})
	if err != nil {
		ev.Close()
		return nil, err
	}
	return &Mirror[T]{ev: ev, list: list, kind: kind, ready: make(chan struct{})}, nil
}

// Close closes the Mirror's sockets; Run returns.
func (m *Mirror[T]) Close() error {
	return errors.Join(m.ev.Close(), m.list.Close())
}

// Ready is closed once the first listing, and the notifications that came
// during it, are in the copy.
func (m *Mirror[T]) Ready() <-chan struct{} { return m.ready }

// Stats returns the Mirror's counters.
func (m *Mirror[T]) Stats() MirrorStats {
	n := m.listings.Load()
	return MirrorStats{Listings: n, Resyncs: max(n, 1) - 1, Overruns: m.overruns.Load(), Events: m.events.Load()}
}

// Snapshot returns a copy of the table: the objects the Mirror's filter
// selects, in no particular order, nil before Ready. The slice is the
// caller's, but a Route's MultiPath and a Link's hardware addresses and
// Data are shared with the Mirror: do not modify them.
func (m *Mirror[T]) Snapshot() []T {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.cur == nil {
		return nil
	}
	return m.cur.snapshot(nil)
}

// received is what the Mirror's receiver got from one Receive call.
type received struct {
	msgs []netlink.Message
	err  error
}

// inbox is an unbounded queue of what the receiver got, so that the kernel
// socket is read on while the Mirror lists the table.
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

// putFront puts items back at the head of the queue.
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

// take returns what is queued, and empties the queue.
func (b *inbox) take() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	items := b.items
	b.items = nil
	return items
}

// wait returns what is queued, waiting for something when nothing is.
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
func (m *Mirror[T]) Run(ctx context.Context) error {
	if !m.running.CompareAndSwap(false, true) {
		return errors.New("rtnetlink: Mirror.Run called twice")
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
		// What comes before the fence was sent before the listing starts,
		// so the listing reflects it.
		if err := m.fence(ctx, q); err != nil {
			return err
		}
		t := m.kind.newTable()
		m.listings.Add(1)
		if err := m.kind.list(ctx, m.list, t); err != nil {
			if errors.Is(err, netlink.ErrDumpInterrupted) || errors.Is(err, netlink.ErrOverrun) {
				continue
			}
			return err
		}
		// Bring the new copy up to date, then publish it.
		relist, err := m.applyAll(t, q.take())
		if err != nil {
			return err
		}
		if relist {
			continue
		}
		t.publish()
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

// fence sends a NOOP request on the notification socket and drops what
// the receiver got up to its ACK. The kernel queues the ACK behind every
// notification queued before it, so what is dropped was sent before the
// listing that follows, and what comes after the ACK is applied to the
// listing in order.
//
// Without the fence, notifications that were queued before an overrun
// (the kernel reports ENOBUFS before the datagrams it still holds) would
// reach the receiver only after the listing, older than it, with the
// changes that followed them lost: the copy would go back to their state
// and stay there.
//
// An overrun reported while the fence is on its way may have dropped its
// ACK, or come before it: another NOOP goes out, and only a NOOP sent
// after the last report fences.
func (m *Mirror[T]) fence(ctx context.Context, q *inbox) error {
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
					// The kernel reports ENOBUFS before the datagrams it
					// still holds: an ACK read after the report may have
					// been queued before the loss, and what follows it
					// may be older than what was lost. Only a NOOP sent
					// from now on can fence.
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

// isAckOf reports whether msgs hold the ACK of one of the requests
// numbered seqs.
func isAckOf(msgs []netlink.Message, seqs []uint32) bool {
	for _, m := range msgs {
		if m.Header.Type == netlink.TypeError && slices.Contains(seqs, m.Header.Sequence) {
			return true
		}
	}
	return false
}

// applyAll applies what the receiver got to t, in order, and reports
// whether t must be listed again; the error is one that ends Run.
func (m *Mirror[T]) applyAll(t mirrorTable[T], items []received) (relist bool, err error) {
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
			applied, relist, err := t.apply(&it.msgs[i])
			if applied {
				m.events.Add(1)
			}
			if relist || err != nil {
				return true, nil // a notification not understood: list again
			}
		}
	}
	return false, nil
}

// listInto adds what seq yields to t with add.
func listInto[T any](seq func(yield func(T, error) bool), add func(T)) error {
	var err error
	seq(func(v T, e error) bool {
		if e != nil {
			err = e
			return false
		}
		add(v)
		return true
	})
	return err
}

// NewLinkMirror returns a Mirror of the links of the namespace cfg says
// (cfg may be nil), whose Snapshot returns the links f selects. cfg's
// ReadBuffer sets the notification socket's receive buffer; its Groups are
// ignored. A link's Stats are those of its last notification.
func NewLinkMirror(cfg *netlink.Config, f LinkFilter) (*Mirror[Link], error) {
	return newMirror(cfg, &mirrorKind[Link]{
		groups:   []Group{GroupLink},
		newTable: func() mirrorTable[Link] { return &linkTable{f: f, links: make(map[int]Link)} },
		list: func(ctx context.Context, c *Conn, t mirrorTable[Link]) error {
			lt := t.(*linkTable)
			return listInto(c.Links(ctx, LinkFilter{}), func(l Link) { lt.links[l.Index] = l })
		},
	})
}

// linkTable is a copy of the link table, by index.
type linkTable struct {
	f     LinkFilter
	links map[int]Link
}

func (t *linkTable) apply(m *netlink.Message) (bool, bool, error) {
	if m.Header.Type != uapi.RTM_NEWLINK && m.Header.Type != uapi.RTM_DELLINK ||
		len(m.Data) > 0 && m.Data[0] != uapi.AF_UNSPEC {
		return false, false, nil // not a link, or a bridge port's part of one
	}
	l, err := ParseLink(*m)
	if err != nil {
		return false, false, err
	}
	if m.Header.Type == uapi.RTM_DELLINK {
		delete(t.links, l.Index)
	} else {
		t.links[l.Index] = l
	}
	return true, false, nil
}

func (t *linkTable) publish() {}

func (t *linkTable) snapshot(s []Link) []Link {
	for _, l := range t.links {
		if t.f.match(&l) {
			s = append(s, l)
		}
	}
	return s
}

// NewAddressMirror returns a Mirror of the IPv4 and IPv6 addresses of the
// namespace cfg says (cfg may be nil), whose Snapshot returns the
// addresses f selects. cfg's ReadBuffer sets the notification socket's
// receive buffer; its Groups are ignored. An address's lifetimes are those
// of its last notification.
func NewAddressMirror(cfg *netlink.Config, f AddressFilter) (*Mirror[Address], error) {
	groups := []Group{GroupLink, GroupIPv4Addr, GroupIPv6Addr}
	switch f.Family {
	case uapi.AF_INET:
		groups = groups[:2]
	case uapi.AF_INET6:
		groups = []Group{GroupLink, GroupIPv6Addr}
	case 0:
	default:
		return nil, invalid(uapi.RTM_GETADDR, "family %d is neither AF_INET nor AF_INET6", f.Family)
	}
	return newMirror(cfg, &mirrorKind[Address]{
		groups:   groups,
		newTable: func() mirrorTable[Address] { return &addressTable{f: f, addrs: make(map[addressKey]Address)} },
		list: func(ctx context.Context, c *Conn, t mirrorTable[Address]) error {
			at := t.(*addressTable)
			return listInto(c.Addresses(ctx, AddressFilter{Family: f.Family}), func(a Address) { at.addrs[keyOfAddress(&a)] = a })
		},
	})
}

// addressKey identifies an address: its link, prefix and peer.
type addressKey struct {
	index  int
	prefix netip.Prefix
	peer   netip.Addr
}

func keyOfAddress(a *Address) addressKey { return addressKey{a.Index, a.Prefix, a.Peer} }

// addressTable is a copy of the address table.
type addressTable struct {
	f     AddressFilter
	addrs map[addressKey]Address
}

func (t *addressTable) apply(m *netlink.Message) (bool, bool, error) {
	switch m.Header.Type {
	case uapi.RTM_DELLINK:
		// The link's addresses went with it.
		if len(m.Data) < uapi.SizeofIfInfomsg || m.Data[0] != uapi.AF_UNSPEC {
			return false, false, nil
		}
		l, err := ParseLink(*m)
		if err != nil {
			return false, false, err
		}
		applied := false
		for k := range t.addrs {
			if k.index == l.Index {
				delete(t.addrs, k)
				applied = true
			}
		}
		return applied, false, nil
	case uapi.RTM_NEWADDR, uapi.RTM_DELADDR:
		a, err := ParseAddress(*m)
		if errors.Is(err, errors.ErrUnsupported) {
			return false, false, nil
		}
		if err != nil {
			return false, false, err
		}
		if t.f.Family == uapi.AF_INET && !a.Prefix.Addr().Is4() || t.f.Family == uapi.AF_INET6 && !a.Prefix.Addr().Is6() {
			return false, false, nil
		}
		if m.Header.Type == uapi.RTM_DELADDR {
			delete(t.addrs, keyOfAddress(&a))
		} else {
			t.addrs[keyOfAddress(&a)] = a
		}
		return true, false, nil
	}
	return false, false, nil
}

func (t *addressTable) publish() {}

func (t *addressTable) snapshot(s []Address) []Address {
	for _, a := range t.addrs {
		if t.f.Index == 0 || a.Index == t.f.Index {
			s = append(s, a)
		}
	}
	return s
}
