// Package nfqueuetest is a fake nfnetlink_queue for unit tests of code
// that uses package nfqueue: a *nfqueue.Conn that talks to in-memory
// queues, with no root and on any OS. The test puts packets on a queue
// (Queue) as a rule of the kernel's would, the code under test reads them
// from Packets and gives its verdicts, and the test reads those back
// (Verdict, Verdicts). It runs on nltest's fake kernel, so everything a
// Conn does above its socket runs as with the kernel.
//
// The queues answer as the kernel's do, as far as this package's tests
// compared them (TestSameAsKernel): NFQNL_MSG_CONFIG binds a queue to the
// socket that asks (EBUSY when that socket bound it already, EPERM when
// another did), unbinds it (ENODEV when nobody bound it; the packets it
// held are dropped), and sets its copy mode and range, its length and
// its flags (EPERM from another socket, ENODEV for a queue not bound,
// EINVAL for flags without a mask, EOPNOTSUPP for flags the kernel does
// not know); NFQNL_MSG_VERDICT and NFQNL_MSG_VERDICT_BATCH take the
// packets they name off the queue (ENODEV, EPERM as above, EINVAL for a
// verdict past NF_STOP, ENOENT for a packet the queue does not hold).
// A queue bound copies nothing (CopyNone), and the kernel queues no
// packet to it, until a Config sets a copy mode.
// Packets are numbered from 1 on each queue bound, cut to the copy range
// (with NFQA_CAP_LEN), and sent without the parts the queue's flags did
// not ask for.
//
// What the fake cannot see: a Conn that closes keeps its queues bound
// here (the kernel unbinds them and drops their packets), so a test
// unbinds, or uses a new Kernel.
package nfqueuetest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/nfqueue"
	"github.com/nlkit/netlink/nltest"
)

// The messages and attributes of nfnetlink_queue
// (include/uapi/linux/netfilter/nfnetlink_queue.h).
const (
	msgPacket       = 0 // NFQNL_MSG_PACKET
	msgVerdict      = 1 // NFQNL_MSG_VERDICT
	msgConfig       = 2 // NFQNL_MSG_CONFIG
	msgVerdictBatch = 3 // NFQNL_MSG_VERDICT_BATCH

	cfgCmd    = 1 // NFQA_CFG_CMD
	cfgParams = 2 // NFQA_CFG_PARAMS
	cfgMaxLen = 3 // NFQA_CFG_QUEUE_MAXLEN
	cfgMask   = 4 // NFQA_CFG_MASK
	cfgFlags  = 5 // NFQA_CFG_FLAGS

	cmdBind     = 1 // NFQNL_CFG_CMD_BIND
	cmdUnbind   = 2 // NFQNL_CFG_CMD_UNBIND
	cmdPFBind   = 3 // NFQNL_CFG_CMD_PF_BIND
	cmdPFUnbind = 4 // NFQNL_CFG_CMD_PF_UNBIND

	attrVerdictHdr = 2  // NFQA_VERDICT_HDR
	attrMark       = 3  // NFQA_MARK
	attrPayload    = 10 // NFQA_PAYLOAD
	attrCT         = 11 // NFQA_CT
	ctaMark        = 8  // CTA_MARK

	flagsMax      = 1 << 5             // NFQA_CFG_F_MAX
	maxCopyRange  = 0xffff - 4         // NFQNL_MAX_COPY_RANGE
	defaultMaxLen = 1024               // NFQNL_QMAX_DEFAULT
	verdictMask   = 0xff               // NF_VERDICT_MASK
	maxVerdict    = 5                  // NF_MAX_VERDICT (NF_STOP)
	enotsupp      = syscall.Errno(524) // the kernel's ENOTSUPP, which reaches user space as 524
)

// Errors of Queue: what the kernel does with a packet it cannot queue.
var (
	// ErrNotBound: no socket bound the queue; the kernel drops the
	// packet (or accepts it, when the rule has the bypass flag).
	ErrNotBound = fmt.Errorf("nfqueuetest: queue not bound: %w", syscall.ESRCH)
	// ErrCopyNone: the queue's copy mode is CopyNone, a bound queue's
	// until a Config sets another; the kernel drops the packet.
	ErrCopyNone = fmt.Errorf("nfqueuetest: queue copies nothing (CopyNone): %w", syscall.EINVAL)
	// ErrQueueFull: the queue holds its length of packets; the kernel
	// drops the packet and counts it.
	ErrQueueFull = fmt.Errorf("nfqueuetest: queue full: %w", syscall.ENOSPC)
	// ErrFailOpen: the queue is full and has FlagFailOpen; the kernel
	// accepts the packet without queueing it.
	ErrFailOpen = errors.New("nfqueuetest: queue full, packet accepted (fail-open)")
)

// Verdict is what the fake received about one packet.
type Verdict struct {
	Queue uint16
	ID    uint32
	// Decision is the verdict with what it changes: Verdict, and Mark
	// (NFQA_MARK), Payload (NFQA_PAYLOAD) and ConnMark (NFQA_CT's
	// CTA_MARK) as the message carried them.
	nfqueue.Decision
	// Batch says it came in an NFQNL_MSG_VERDICT_BATCH; Unbound that the
	// kernel dropped the packet as its queue was unbound.
	Batch, Unbound bool
	// Packet is the packet as Queue was given it, with its Queue and ID.
	Packet nfqueue.Packet
}

// Stats is a queue's state, as the kernel prints it in
// /proc/net/netfilter/nfnetlink_queue.
type Stats struct {
	Port        uint32 // peer_portid: the socket that bound the queue
	Total       uint32 // queue_total: packets waiting for a verdict
	Mode        nfqueue.CopyMode
	Range       uint32 // copy_range
	Dropped     uint32 // queue_dropped: packets dropped as the queue was full
	UserDropped uint32 // queue_user_dropped: always 0 here
	IDSequence  uint32 // id_sequence: the last packet's ID
	MaxLen      uint32 // queue_maxlen
	Flags       nfqueue.Flags
}

type queue struct {
	Stats
	pending []nfqueue.Packet // in ID order
}

// Kernel is a fake nfnetlink_queue. Its methods are safe for concurrent
// use.
type Kernel struct {
	nl *nltest.Kernel

	mu       sync.Mutex
	queues   map[uint16]*queue
	verdicts []Verdict
	changed  chan struct{} // closed and replaced when a verdict comes or a queue changes
}

// New returns a Kernel with no queue bound.
func New() *Kernel {
	k := &Kernel{queues: map[uint16]*queue{}, changed: make(chan struct{})}
	k.nl = nltest.New(netfilter.Protocol, k.handle)
	return k
}

// Dial returns an nfqueue Conn on the fake, made from cfg (which may be
// nil) as netlink.Dial makes one.
func (k *Kernel) Dial(cfg *netlink.Config) (*nfqueue.Conn, error) {
	nl, err := k.nl.Dial(cfg)
	if err != nil {
		return nil, err
	}
	return nfqueue.New(nl), nil
}

// Netlink returns the fake kernel the queues run on, for its Overrun.
func (k *Kernel) Netlink() *nltest.Kernel { return k.nl }

// Queue puts p on queue n, as a rule's NFQUEUE target or queue statement
// does, and sends it to the Conn that bound the queue. p holds what the
// kernel knows of the packet: Family, Hook, HWProtocol, the interfaces,
// Mark, the whole packet from its network header in Payload, and the
// parts that go out only with the queue's flags (UID and GID with
// FlagUIDGID, SecCtx with FlagSecCtx, CT, CTInfo and Exp with
// FlagConntrack). The fake numbers it, cuts its payload to the copy
// range (CopyNone and CopyMeta send none; CapLen gives the whole length
// when it is cut) and leaves out what the flags did not ask for. It
// returns the packet's ID, or an error: ErrNotBound, ErrCopyNone,
// ErrQueueFull or ErrFailOpen.
func (k *Kernel) Queue(n uint16, p nfqueue.Packet) (uint32, error) {
	k.mu.Lock()
	q := k.queues[n]
	if q == nil {
		k.mu.Unlock()
		return 0, ErrNotBound
	}
	if q.Mode == nfqueue.CopyNone {
		k.mu.Unlock()
		return 0, ErrCopyNone
	}
	if q.Total >= q.MaxLen {
		if q.Flags&nfqueue.FlagFailOpen != 0 {
			k.mu.Unlock()
			return 0, ErrFailOpen
		}
		q.Dropped++
		k.mu.Unlock()
		return 0, ErrQueueFull
	}
	p = p.Clone()
	q.IDSequence++
	p.Queue, p.ID = n, q.IDSequence
	q.pending = append(q.pending, p)
	q.Total++
	port := q.Port
	sent := k.sent(q, p)
	k.mu.Unlock()
	data, err := sent.Append(nil)
	if err != nil {
		return 0, err
	}
	// The kernel sends a queued packet to the socket that bound the
	// queue alone, unicast, with sequence number 0. nltest delivers a
	// message to one Conn as the echo of a request of that Conn's: so
	// here (the header's port ID is the Conn's, where the kernel's is 0).
	echo := netlink.Message{Header: netlink.Header{Flags: netlink.Echo, PortID: port}}
	k.nl.Report(echo, 0, netlink.Message{
		Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysQueue, msgPacket)},
		Data:   data,
	})
	return p.ID, nil
}

// sent returns p as the kernel sends it on q.
func (*Kernel) sent(q *queue, p nfqueue.Packet) nfqueue.Packet {
	pl := p.Payload
	p.Payload, p.CapLen, p.Has = nil, 0, p.Has&^nfqueue.HasCapLen
	if q.Mode == nfqueue.CopyPacket {
		cut := min(len(pl), int(q.Range))
		p.Payload = pl[:cut:cut]
		if whole := len(pl); whole > cut {
			p.CapLen, p.Has = uint32(whole), p.Has|nfqueue.HasCapLen
		}
	}
	if q.Flags&nfqueue.FlagUIDGID == 0 {
		p.UID, p.GID, p.Has = 0, 0, p.Has&^(nfqueue.HasUID|nfqueue.HasGID)
	}
	if q.Flags&nfqueue.FlagSecCtx == 0 {
		p.SecCtx, p.Has = "", p.Has&^nfqueue.HasSecCtx
	}
	if q.Flags&nfqueue.FlagConntrack == 0 {
		p.CT, p.Exp, p.CTInfo, p.Has = nil, nil, 0, p.Has&^nfqueue.HasCTInfo
	}
	return p
}

// Verdict waits until the packet id of queue n has a verdict, and
// returns it; or ctx's error.
func (k *Kernel) Verdict(ctx context.Context, n uint16, id uint32) (Verdict, error) {
	for {
		k.mu.Lock()
		for _, v := range k.verdicts {
			if v.Queue == n && v.ID == id {
				k.mu.Unlock()
				return v, nil
			}
		}
		changed := k.changed
		k.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Verdict{}, fmt.Errorf("nfqueuetest: verdict on queue %d packet %d: %w", n, id, ctx.Err())
		}
	}
}

// WaitReady waits until a Conn bound queue n with a copy mode that
// queues packets (not CopyNone), and returns its state; or ctx's error.
// A test calls it before Queue when the code under test binds the queue
// on a goroutine of its own.
func (k *Kernel) WaitReady(ctx context.Context, n uint16) (Stats, error) {
	for {
		k.mu.Lock()
		q := k.queues[n]
		changed := k.changed
		k.mu.Unlock()
		if q != nil && q.Mode != nfqueue.CopyNone {
			return q.Stats, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Stats{}, fmt.Errorf("nfqueuetest: waiting for queue %d: %w", n, ctx.Err())
		}
	}
}

// Verdicts returns the verdicts received so far, in the order they came.
func (k *Kernel) Verdicts() []Verdict {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.verdicts)
}

// Pending returns the IDs of the packets queue n holds, waiting for a
// verdict.
func (k *Kernel) Pending(n uint16) []uint32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	var ids []uint32
	if q := k.queues[n]; q != nil {
		for _, p := range q.pending {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// Stats returns the state of queue n, and whether a socket bound it.
func (k *Kernel) Stats(n uint16) (Stats, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if q := k.queues[n]; q != nil {
		return q.Stats, true
	}
	return Stats{}, false
}

func (k *Kernel) handle(req netlink.Message) ([]netlink.Message, error) {
	h, err := netfilter.ParseHeader(req.Data)
	if err != nil || netfilter.Subsystem(req.Header.Type>>8) != netfilter.SubsysQueue {
		return nil, syscall.EINVAL
	}
	attrs := map[uint16][]byte{}
	d := netlink.NewAttrDecoder(req.Data[netfilter.HeaderLen:])
	for d.Next() {
		attrs[d.Type()] = d.Bytes()
	}
	if d.Err() != nil {
		return nil, syscall.EINVAL
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	port := req.Header.PortID
	switch req.Header.Type & 0xff {
	case msgConfig:
		err := k.config(h.ResourceID, port, attrs)
		k.signal()
		return nil, err
	case msgVerdict, msgVerdictBatch:
		return nil, k.verdict(h.ResourceID, port, attrs, req.Header.Type&0xff == msgVerdictBatch)
	}
	return nil, syscall.EINVAL
}

// config runs an NFQNL_MSG_CONFIG as nfqnl_recv_config does.
func (k *Kernel) config(n uint16, port uint32, attrs map[uint16][]byte) error {
	for typ, size := range map[uint16]int{cfgCmd: 4, cfgParams: 5, cfgMaxLen: 4, cfgMask: 4, cfgFlags: 4} {
		if b, ok := attrs[typ]; ok && len(b) < size {
			return syscall.EINVAL
		}
	}
	cmd, hasCmd := attrs[cfgCmd]
	if hasCmd && (cmd[0] == cmdPFBind || cmd[0] == cmdPFUnbind) {
		return nil // obsolete: the kernel does nothing
	}
	var flags, mask uint32
	if b, ok := attrs[cfgFlags]; ok {
		m, ok := attrs[cfgMask]
		if !ok {
			return syscall.EINVAL
		}
		flags, mask = binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(m)
		if flags >= flagsMax {
			return syscall.EOPNOTSUPP
		}
	}
	q := k.queues[n]
	if q != nil && q.Port != port {
		return syscall.EPERM
	}
	if hasCmd {
		switch cmd[0] {
		case cmdBind:
			if q != nil {
				return syscall.EBUSY
			}
			q = &queue{Stats: Stats{Port: port, Mode: nfqueue.CopyNone, Range: maxCopyRange, MaxLen: defaultMaxLen}}
			k.queues[n] = q
		case cmdUnbind:
			if q == nil {
				return syscall.ENODEV
			}
			for _, p := range q.pending {
				k.verdicts = append(k.verdicts, Verdict{Queue: n, ID: p.ID, Decision: nfqueue.Decision{Verdict: nfqueue.Drop}, Unbound: true, Packet: p})
			}
			delete(k.queues, n)
			k.signal()
			return nil
		default:
			return enotsupp
		}
	}
	if q == nil {
		return syscall.ENODEV
	}
	if b, ok := attrs[cfgParams]; ok {
		rng, mode := binary.BigEndian.Uint32(b), nfqueue.CopyMode(b[4])
		switch mode {
		case nfqueue.CopyNone, nfqueue.CopyMeta:
			q.Mode, q.Range = mode, 0
		case nfqueue.CopyPacket:
			q.Mode, q.Range = mode, rng
			if rng == 0 || rng > maxCopyRange {
				q.Range = maxCopyRange
			}
		}
	}
	if b, ok := attrs[cfgMaxLen]; ok {
		q.MaxLen = binary.BigEndian.Uint32(b)
	}
	if _, ok := attrs[cfgFlags]; ok {
		q.Flags = q.Flags&^nfqueue.Flags(mask) | nfqueue.Flags(flags&mask)
	}
	return nil
}

// verdict runs an NFQNL_MSG_VERDICT (or, with batch, _BATCH) as
// nfqnl_recv_verdict and nfqnl_recv_verdict_batch do.
func (k *Kernel) verdict(n uint16, port uint32, attrs map[uint16][]byte, batch bool) error {
	q := k.queues[n]
	switch {
	case q == nil:
		return syscall.ENODEV
	case q.Port != port:
		return syscall.EPERM
	}
	hdr := attrs[attrVerdictHdr]
	if len(hdr) < 8 {
		return syscall.EINVAL
	}
	v, id := binary.BigEndian.Uint32(hdr), binary.BigEndian.Uint32(hdr[4:])
	if v&verdictMask > maxVerdict {
		return syscall.EINVAL
	}
	d := nfqueue.Decision{Verdict: nfqueue.Verdict(v)}
	if b := attrs[attrMark]; len(b) >= 4 {
		d.Mark, d.SetMark = binary.BigEndian.Uint32(b), true
	}
	var taken []nfqueue.Packet
	if batch {
		i := 0
		for i < len(q.pending) && int32(q.pending[i].ID-id) <= 0 {
			i++
		}
		taken = slices.Clone(q.pending[:i])
		q.pending = slices.Delete(q.pending, 0, i)
	} else {
		i := slices.IndexFunc(q.pending, func(p nfqueue.Packet) bool { return p.ID == id })
		if i >= 0 {
			taken = []nfqueue.Packet{q.pending[i]}
			q.pending = slices.Delete(q.pending, i, i+1)
		}
		if b, ok := attrs[attrPayload]; ok {
			d.Payload = slices.Clone(b)
		}
		if b, ok := attrs[attrCT]; ok {
			cd := netlink.NewAttrDecoder(b)
			for cd.Next() {
				if cd.Type() == ctaMark {
					d.ConnMark, d.SetConnMark = cd.Uint32BE(), true
				}
			}
		}
	}
	if len(taken) == 0 {
		return syscall.ENOENT
	}
	q.Total -= uint32(len(taken))
	for _, p := range taken {
		k.verdicts = append(k.verdicts, Verdict{Queue: n, ID: p.ID, Decision: d, Batch: batch, Packet: p})
	}
	k.signal()
	return nil
}

func (k *Kernel) signal() {
	close(k.changed)
	k.changed = make(chan struct{})
}
