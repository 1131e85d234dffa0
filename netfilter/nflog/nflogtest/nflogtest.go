// Package nflogtest is a fake nfnetlink_log for unit tests of code that
// uses package nflog: a *nflog.Conn that talks to in-memory log groups,
// with no root and on any OS. The test logs packets to a group (Log) as
// a rule's "log group" statement or NFLOG target would, and the code
// under test reads them from Packets. It runs on nltest's fake kernel, so
// everything a Conn does above its socket runs as with the kernel (and
// nltest's Overrun loses packets as a full receive queue does).
//
// The groups answer as the kernel's do, as far as this package's tests
// compared them (TestSameAsKernel): NFULNL_MSG_CONFIG binds a group to
// the socket that asks (EBUSY when that socket bound it already, EPERM
// when another did), unbinds it (ENODEV when nobody bound it), and sets
// its copy mode and range, its timeout, buffer size, batch length and
// flags (EPERM from another socket, ENODEV for a group not bound); the
// obsolete NFULNL_CFG_CMD_PF_BIND and _PF_UNBIND succeed. A group bound
// copies whole packets, up to 65531 bytes. Logged packets are cut to the
// copy range, numbered (NFULA_SEQ from 0 per group with FlagSeq,
// NFULA_SEQ_GLOBAL from 1 with FlagSeqGlobal), and sent without the
// conntrack entry unless FlagConntrack asked for it.
//
// Unlike the kernel, the fake sends each packet at once, in a datagram
// of its own, whatever the group's timeout, buffer size and batch length;
// and it cannot see a Conn close (the kernel unbinds its groups), so a
// test unbinds, or uses a new Kernel.
package nflogtest

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
	"github.com/nlkit/netlink/netfilter/nflog"
	"github.com/nlkit/netlink/nltest"
)

// The messages and attributes of nfnetlink_log
// (include/uapi/linux/netfilter/nfnetlink_log.h).
const (
	msgPacket = 0 // NFULNL_MSG_PACKET
	msgConfig = 1 // NFULNL_MSG_CONFIG

	cfgCmd      = 1 // NFULA_CFG_CMD
	cfgMode     = 2 // NFULA_CFG_MODE
	cfgNlBufSiz = 3 // NFULA_CFG_NLBUFSIZ
	cfgTimeout  = 4 // NFULA_CFG_TIMEOUT
	cfgQThresh  = 5 // NFULA_CFG_QTHRESH
	cfgFlags    = 6 // NFULA_CFG_FLAGS

	cmdBind     = 1 // NFULNL_CFG_CMD_BIND
	cmdUnbind   = 2 // NFULNL_CFG_CMD_UNBIND
	cmdPFBind   = 3 // NFULNL_CFG_CMD_PF_BIND
	cmdPFUnbind = 4 // NFULNL_CFG_CMD_PF_UNBIND

	copyRangeMax   = 0xffff - 4         // NFULNL_COPY_RANGE_MAX
	defaultTimeout = 100                // NFULNL_TIMEOUT_DEFAULT: 1 s
	defaultBufSize = 4096 - 16          // NFULNL_NLBUFSIZ_DEFAULT: NLMSG_GOODSIZE less its skb_shared_info, close enough
	defaultQThresh = 100                // NFULNL_QTHRESH_DEFAULT
	enotsupp       = syscall.Errno(524) // the kernel's ENOTSUPP, which reaches user space as 524
)

// ErrNotBound is Log's error for a group no socket bound: the kernel logs
// nothing.
var ErrNotBound = fmt.Errorf("nflogtest: log group not bound")

// Stats is a group's state, as the kernel prints it in
// /proc/net/netfilter/nfnetlink_log, with its other settings.
type Stats struct {
	Port    uint32 // peer_portid: the socket that bound the group
	Mode    nflog.CopyMode
	Range   uint32 // copy_range
	Timeout uint32 // flushtimeout, in hundredths of a second
	// BufferSize and QueueThreshold are the group's settings, which the
	// fake keeps but does not use.
	BufferSize, QueueThreshold uint32
	Flags                      nflog.Flags
	Seq                        uint32 // the next NFULA_SEQ
}

// Kernel is a fake nfnetlink_log. Its methods are safe for concurrent
// use.
type Kernel struct {
	nl *nltest.Kernel

	mu        sync.Mutex
	groups    map[uint16]*Stats
	globalSeq uint32
	changed   chan struct{} // closed and replaced when a group changes
}

// New returns a Kernel with no group bound.
func New() *Kernel {
	k := &Kernel{groups: map[uint16]*Stats{}, changed: make(chan struct{})}
	k.nl = nltest.New(netfilter.Protocol, k.handle)
	return k
}

// Dial returns an nflog Conn on the fake, made from cfg (which may be
// nil) as netlink.Dial makes one.
func (k *Kernel) Dial(cfg *netlink.Config) (*nflog.Conn, error) {
	nl, err := k.nl.Dial(cfg)
	if err != nil {
		return nil, err
	}
	return nflog.New(nl), nil
}

// Netlink returns the fake kernel the groups run on, for its Overrun.
func (k *Kernel) Netlink() *nltest.Kernel { return k.nl }

// Log logs p to group, as a rule's log statement does, and sends it to
// the Conn that bound the group. p holds what the kernel knows of the
// packet: Family, HWProtocol and Hook, Prefix, Mark, the interfaces, the
// hardware fields, the whole packet from its network header in Payload,
// the owner's UID and GID, and the conntrack entry (CT, CTInfo). The fake
// sets Group, cuts the payload to the copy range (CopyMeta and CopyNone
// send none), numbers the packet as the group's flags ask and leaves the
// conntrack entry out without FlagConntrack. It returns the packet as
// sent, or ErrNotBound.
func (k *Kernel) Log(group uint16, p nflog.Packet) (nflog.Packet, error) {
	k.mu.Lock()
	g := k.groups[group]
	if g == nil {
		k.mu.Unlock()
		return nflog.Packet{}, ErrNotBound
	}
	p = p.Clone()
	p.Group = group
	p.Has |= nflog.HasHeader
	if p.Prefix != "" {
		p.Has |= nflog.HasPrefix
	}
	if g.Mode == nflog.CopyPacket {
		if cut := int(g.Range); len(p.Payload) > cut {
			p.Payload = p.Payload[:cut:cut]
		}
	} else {
		p.Payload = nil
	}
	p.Seq, p.SeqGlobal, p.Has = 0, 0, p.Has&^(nflog.HasSeq|nflog.HasSeqGlobal)
	if g.Flags&nflog.FlagSeq != 0 {
		p.Seq, p.Has = g.Seq, p.Has|nflog.HasSeq
		g.Seq++
	}
	if g.Flags&nflog.FlagSeqGlobal != 0 {
		k.globalSeq++
		p.SeqGlobal, p.Has = k.globalSeq, p.Has|nflog.HasSeqGlobal
	}
	if g.Flags&nflog.FlagConntrack == 0 {
		p.CT, p.CTInfo, p.Has = nil, 0, p.Has&^nflog.HasCTInfo
	}
	port := g.Port
	k.mu.Unlock()
	data, err := p.Append(nil)
	if err != nil {
		return nflog.Packet{}, err
	}
	// The kernel sends logged packets to the socket that bound the group
	// alone, unicast, with sequence number 0. nltest delivers a message to
	// one Conn as the echo of a request of that Conn's: so here (the
	// header's port ID is the Conn's, where the kernel's is 0).
	echo := netlink.Message{Header: netlink.Header{Flags: netlink.Echo, PortID: port}}
	k.nl.Report(echo, 0, netlink.Message{
		Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysLog, msgPacket)},
		Data:   data,
	})
	return p, nil
}

// WaitBound waits until a Conn bound group, and returns its state; or
// ctx's error. A test calls it before Log when the code under test binds
// the group on a goroutine of its own.
func (k *Kernel) WaitBound(ctx context.Context, group uint16) (Stats, error) {
	for {
		k.mu.Lock()
		g := k.groups[group]
		changed := k.changed
		k.mu.Unlock()
		if g != nil {
			return *g, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Stats{}, fmt.Errorf("nflogtest: waiting for log group %d: %w", group, ctx.Err())
		}
	}
}

// Stats returns the state of group, and whether a socket bound it.
func (k *Kernel) Stats(group uint16) (Stats, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if g := k.groups[group]; g != nil {
		return *g, true
	}
	return Stats{}, false
}

func (k *Kernel) handle(req netlink.Message) ([]netlink.Message, error) {
	h, err := netfilter.ParseHeader(req.Data)
	if err != nil || netfilter.Subsystem(req.Header.Type>>8) != netfilter.SubsysLog || req.Header.Type&0xff != msgConfig {
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
	for typ, size := range map[uint16]int{cfgCmd: 1, cfgMode: 6, cfgNlBufSiz: 4, cfgTimeout: 4, cfgQThresh: 4, cfgFlags: 2} {
		if b, ok := attrs[typ]; ok && len(b) < size {
			return nil, syscall.EINVAL
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	err = k.config(h.ResourceID, req.Header.PortID, attrs)
	close(k.changed)
	k.changed = make(chan struct{})
	return nil, err
}

// config runs an NFULNL_MSG_CONFIG as nfulnl_recv_config does.
func (k *Kernel) config(group uint16, port uint32, attrs map[uint16][]byte) error {
	cmd, hasCmd := attrs[cfgCmd]
	if hasCmd && (cmd[0] == cmdPFBind || cmd[0] == cmdPFUnbind) {
		return nil // obsolete, without a group: the kernel does nothing
	}
	g := k.groups[group]
	if g != nil && g.Port != port {
		return syscall.EPERM
	}
	if hasCmd {
		switch cmd[0] {
		case cmdBind:
			if g != nil {
				return syscall.EBUSY
			}
			g = &Stats{Port: port, Mode: nflog.CopyPacket, Range: copyRangeMax, Timeout: defaultTimeout,
				BufferSize: defaultBufSize, QueueThreshold: defaultQThresh}
			k.groups[group] = g
		case cmdUnbind:
			if g == nil {
				return syscall.ENODEV
			}
			delete(k.groups, group)
			return nil
		default:
			return enotsupp
		}
	} else if g == nil {
		return syscall.ENODEV
	}
	if b, ok := attrs[cfgMode]; ok {
		rng, mode := binary.BigEndian.Uint32(b), nflog.CopyMode(b[4])
		switch mode {
		case nflog.CopyNone, nflog.CopyMeta:
			g.Mode, g.Range = mode, 0
		case nflog.CopyPacket:
			if rng == 0 {
				rng = copyRangeMax
			}
			g.Mode, g.Range = mode, min(rng, copyRangeMax)
		}
	}
	if b, ok := attrs[cfgTimeout]; ok {
		g.Timeout = binary.BigEndian.Uint32(b)
	}
	if b, ok := attrs[cfgNlBufSiz]; ok {
		g.BufferSize = binary.BigEndian.Uint32(b)
	}
	if b, ok := attrs[cfgQThresh]; ok {
		g.QueueThreshold = binary.BigEndian.Uint32(b)
	}
	if b, ok := attrs[cfgFlags]; ok {
		g.Flags = nflog.Flags(binary.BigEndian.Uint16(b))
	}
	return nil
}
