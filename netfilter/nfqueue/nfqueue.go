// Package nfqueue receives the packets netfilter queues to user space
// (nfnetlink_queue, NETLINK_NETFILTER subsystem NFNL_SUBSYS_QUEUE) and
// sends their verdicts: an iptables NFQUEUE target, or an nftables
// "queue" rule, holds each packet until a program bound to its queue
// says to accept it (with a new mark or payload), drop it, or queue it
// again.
//
// It runs on the root package's *netlink.Conn. Packets is an iterator
// whose values alias the receive buffer and are reused from one
// iteration to the next. Verdicts can be sent from the loop's body, or
// from other goroutines.
//
// Package nfqueuetest is a fake of the kernel's side for unit tests of code
// that uses this package: its tests queue packets and read back the verdicts the code under test gave, with no root and on any OS.
//
// # Other platforms
//
// The package builds on every GOOS: the types and parsers work
// everywhere, and Dial fails off Linux with an error wrapping
// errors.ErrUnsupported.
package nfqueue

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"os"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Message numbers and configuration attributes of nfnetlink_queue
// (include/uapi/linux/netfilter/nfnetlink_queue.h), which x/sys/unix does
// not have.
const (
	nfqnlMsgPacket       = 0 // NFQNL_MSG_PACKET
	nfqnlMsgVerdict      = 1 // NFQNL_MSG_VERDICT
	nfqnlMsgConfig       = 2 // NFQNL_MSG_CONFIG
	nfqnlMsgVerdictBatch = 3 // NFQNL_MSG_VERDICT_BATCH

	nfqaCfgCmd         = 1 // NFQA_CFG_CMD
	nfqaCfgParams      = 2 // NFQA_CFG_PARAMS
	nfqaCfgQueueMaxLen = 3 // NFQA_CFG_QUEUE_MAXLEN
	nfqaCfgMask        = 4 // NFQA_CFG_MASK
	nfqaCfgFlags       = 5 // NFQA_CFG_FLAGS

	cmdBind   = 1 // NFQNL_CFG_CMD_BIND
	cmdUnbind = 2 // NFQNL_CFG_CMD_UNBIND
)

var (
	msgPacket       = netfilter.MessageType(netfilter.SubsysQueue, nfqnlMsgPacket)
	msgVerdict      = netfilter.MessageType(netfilter.SubsysQueue, nfqnlMsgVerdict)
	msgConfig       = netfilter.MessageType(netfilter.SubsysQueue, nfqnlMsgConfig)
	msgVerdictBatch = netfilter.MessageType(netfilter.SubsysQueue, nfqnlMsgVerdictBatch)
)

// CopyMode says how much of each packet the kernel copies
// (enum nfqnl_config_mode).
type CopyMode uint8

// The copy modes.
const (
	CopyNone   CopyMode = 0 // NFQNL_COPY_NONE
	CopyMeta   CopyMode = 1 // NFQNL_COPY_META: the metadata, no payload
	CopyPacket CopyMode = 2 // NFQNL_COPY_PACKET: metadata and payload, up to Range bytes
)

// Flags are a queue's NFQA_CFG_F_* options.
type Flags uint32

// The flags.
const (
	FlagFailOpen  Flags = 1 << 0 // NFQA_CFG_F_FAIL_OPEN: accept packets when the queue is full, instead of dropping them
	FlagConntrack Flags = 1 << 1 // NFQA_CFG_F_CONNTRACK: add the packet's conntrack entry (Packet.CT)
	FlagGSO       Flags = 1 << 2 // NFQA_CFG_F_GSO: queue GSO packets whole, unsegmented
	FlagUIDGID    Flags = 1 << 3 // NFQA_CFG_F_UID_GID: add the owner of the packet's socket
	FlagSecCtx    Flags = 1 << 4 // NFQA_CFG_F_SECCTX: add the security context
)

// Config is how the kernel queues a queue's packets. Zero fields leave
// the kernel's settings; a new queue copies nothing (NFQNL_COPY_NONE)
// until Mode says otherwise, and with CopyNone the kernel queues no
// packet to it: it drops them.
type Config struct {
	// Mode and Range say what to copy (NFQA_CFG_PARAMS): with
	// CopyPacket, Range bytes of each packet (0: as much as fits).
	Mode  CopyMode
	Range uint32
	// MaxLen is how many packets the queue holds waiting for verdicts
	// (NFQA_CFG_QUEUE_MAXLEN), 0 for the kernel's 1024.
	MaxLen uint32
	// Flags are set, and the other flags of FlagsMask cleared
	// (NFQA_CFG_FLAGS, NFQA_CFG_MASK), when FlagsMask is not 0.
	Flags, FlagsMask Flags
}

// Verdict is what the kernel does with a queued packet (NF_*).
type Verdict uint32

// The verdicts.
const (
	Drop   Verdict = 0 // NF_DROP
	Accept Verdict = 1 // NF_ACCEPT: on to the next hook
	Stolen Verdict = 2 // NF_STOLEN: the kernel forgets the packet
	Repeat Verdict = 4 // NF_REPEAT: through this hook again
)

// QueueTo returns the verdict that queues a packet again, to queue n
// (NF_QUEUE with the queue number in the high 16 bits).
func QueueTo(n uint16) Verdict { return Verdict(3 | uint32(n)<<16) }

// Conn is bound to queues on a NETLINK_NETFILTER connection.
type Conn struct {
	// NL is the underlying NETLINK_NETFILTER connection.
	NL *netlink.Conn
}

// Dial opens a NETLINK_NETFILTER socket as cfg says (cfg may be nil; its
// NetNS chooses the namespace whose packets are queued to it).
func Dial(cfg *netlink.Config) (*Conn, error) {
	nl, err := netlink.Dial(netfilter.Protocol, cfg)
	if err != nil {
		return nil, err
	}
	return &Conn{NL: nl}, nil
}

// New returns a Conn that runs on nl, a NETLINK_NETFILTER connection.
func New(nl *netlink.Conn) *Conn { return &Conn{NL: nl} }

// Close closes the underlying connection; the kernel unbinds its queues
// and drops the packets waiting in them for a verdict.
func (c *Conn) Close() error { return c.NL.Close() }

// Bind binds queue to the Conn, so that the packets queued to it come to
// Packets, and configures it as cfg says: it sends NFQNL_MSG_CONFIG with
// NFQNL_CFG_CMD_BIND and cfg's attributes. A queue bound to another
// socket fails with EPERM, one this Conn bound already with EBUSY.
func (c *Conn) Bind(ctx context.Context, queue uint16, cfg Config) error {
	if cfg.Mode > CopyPacket {
		return invalid(msgConfig, "bind queue %d: copy mode %d", queue, cfg.Mode)
	}
	e := netlink.NewAttrEncoder(netfilter.Header{ResourceID: queue}.Append(nil))
	e.Bytes(nfqaCfgCmd, []byte{cmdBind, 0, 0, 0})
	appendConfig(e, &cfg)
	return c.config(ctx, e, fmt.Sprintf("queue %d", queue))
}

// Configure changes the configuration of queue, which the Conn bound:
// it sends NFQNL_MSG_CONFIG with cfg's attributes.
func (c *Conn) Configure(ctx context.Context, queue uint16, cfg Config) error {
	if cfg.Mode > CopyPacket {
		return invalid(msgConfig, "configure queue %d: copy mode %d", queue, cfg.Mode)
	}
	e := netlink.NewAttrEncoder(netfilter.Header{ResourceID: queue}.Append(nil))
	appendConfig(e, &cfg)
	return c.config(ctx, e, fmt.Sprintf("queue %d", queue))
}

// Unbind unbinds queue: it sends NFQNL_MSG_CONFIG with
// NFQNL_CFG_CMD_UNBIND. The packets waiting in it are dropped.
func (c *Conn) Unbind(ctx context.Context, queue uint16) error {
	e := netlink.NewAttrEncoder(netfilter.Header{ResourceID: queue}.Append(nil))
	e.Bytes(nfqaCfgCmd, []byte{cmdUnbind, 0, 0, 0})
	return c.config(ctx, e, fmt.Sprintf("queue %d", queue))
}

func appendConfig(e *netlink.AttrEncoder, cfg *Config) {
	if cfg.Mode != 0 || cfg.Range != 0 {
		// struct nfqnl_msg_config_params: __be32 copy_range, __u8
		// copy_mode, packed into 5 bytes.
		var p [5]byte
		binary.BigEndian.PutUint32(p[:], cfg.Range)
		p[4] = byte(cfg.Mode)
		e.Bytes(nfqaCfgParams, p[:])
	}
	if cfg.MaxLen != 0 {
		e.Uint32BE(nfqaCfgQueueMaxLen, cfg.MaxLen)
	}
	if cfg.FlagsMask != 0 {
		e.Uint32BE(nfqaCfgMask, uint32(cfg.FlagsMask))
		e.Uint32BE(nfqaCfgFlags, uint32(cfg.Flags))
	}
}

func (c *Conn) config(ctx context.Context, e *netlink.AttrEncoder, object string) error {
	data, err := e.Finish()
	if err != nil {
		return err
	}
	_, err = c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgConfig}, Data: data})
	return netlink.WithObject(err, object)
}

// Decision is a verdict with what to change in the packet.
type Decision struct {
	Verdict Verdict
	// Mark sets the packet's mark (NFQA_MARK), when SetMark.
	Mark    uint32
	SetMark bool
	// Payload replaces the packet from its network header on
	// (NFQA_PAYLOAD), when not nil: the caller fixes the checksums.
	Payload []byte
	// ConnMark sets the mark of the packet's conntrack entry (NFQA_CT
	// with CTA_MARK), when SetConnMark.
	ConnMark    uint32
	SetConnMark bool
}

// SetVerdict gives the verdict d on the packet id of queue: it sends
// NFQNL_MSG_VERDICT and waits for the kernel's ACK. A packet the queue
// does not hold (never queued, or given a verdict already) fails with
// ENOENT.
func (c *Conn) SetVerdict(ctx context.Context, queue uint16, id uint32, d Decision) error {
	e := netlink.NewAttrEncoder(netfilter.Header{ResourceID: queue}.Append(nil))
	var h [8]byte
	binary.BigEndian.PutUint32(h[:], uint32(d.Verdict))
	binary.BigEndian.PutUint32(h[4:], id)
	e.Bytes(nfqaVerdictHdr, h[:])
	if d.SetMark {
		e.Uint32BE(nfqaMark, d.Mark)
	}
	if d.SetConnMark {
		n := e.Nest(nfqaCT)
		e.Uint32BE(ctaMark, d.ConnMark)
		e.End(n)
	}
	if d.Payload != nil {
		e.Bytes(nfqaPayload, d.Payload)
	}
	data, err := e.Finish()
	if err != nil {
		return err
	}
	_, err = c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgVerdict}, Data: data})
	return netlink.WithObject(err, fmt.Sprintf("queue %d packet %d", queue, id))
}

// SetVerdictBatch gives the verdict v (and, with setMark, the mark) on
// every packet of queue whose id is id or lower: it sends
// NFQNL_MSG_VERDICT_BATCH and waits for the kernel's ACK. When the queue
// holds no such packet it fails with ENOENT.
func (c *Conn) SetVerdictBatch(ctx context.Context, queue uint16, id uint32, v Verdict, mark uint32, setMark bool) error {
	e := netlink.NewAttrEncoder(netfilter.Header{ResourceID: queue}.Append(nil))
	var h [8]byte
	binary.BigEndian.PutUint32(h[:], uint32(v))
	binary.BigEndian.PutUint32(h[4:], id)
	e.Bytes(nfqaVerdictHdr, h[:])
	if setMark {
		e.Uint32BE(nfqaMark, mark)
	}
	data, err := e.Finish()
	if err != nil {
		return err
	}
	_, err = c.NL.Execute(ctx, netlink.Message{Header: netlink.Header{Type: msgVerdictBatch}, Data: data})
	return netlink.WithObject(err, fmt.Sprintf("queue %d packets up to %d", queue, id))
}

// Packets yields the packets queued to the queues the Conn bound, until
// ctx is done. Each Packet aliases a buffer that the next iteration
// reuses (see Packet.Clone). Each needs a verdict (SetVerdict), which the
// loop's body may send. It sends no request: the kernel sends each
// queue's NFQNL_MSG_PACKET messages to the socket that bound it.
//
// Two kinds of errors are yielded without ending the stream: one wrapping
// netlink.ErrOverrun, once after the kernel dropped packets because the
// socket's receive queue was full (those packets are dropped, or accepted
// with FlagFailOpen); and one wrapping netlink.ErrMalformed, for a
// message that does not decode. Any other error is yielded last.
//
// Packets reads with ReceiveDatagram: only one goroutine at a time may
// read a Conn that way.
func (c *Conn) Packets(ctx context.Context) iter.Seq2[*Packet, error] {
	return func(yield func(*Packet, error) bool) {
		var p Packet
		for {
			dg, err := c.NL.ReceiveDatagram(ctx)
			if err != nil {
				if !yield(nil, err) || !errors.Is(err, netlink.ErrOverrun) && !errors.Is(err, netlink.ErrMalformed) {
					return
				}
				continue
			}
			md := netlink.NewMessageDecoder(dg.Data)
			for md.Next() {
				if md.Type() != msgPacket {
					continue
				}
				if err := p.Decode(md.Data()); err != nil {
					if !yield(nil, err) {
						return
					}
					continue
				}
				if !yield(&p, nil) {
					return
				}
			}
			if err := md.Err(); err != nil && !yield(nil, err) {
				return
			}
		}
	}
}

// errInvalid is the cause of a request refused before it was sent; it
// matches syscall.EINVAL and os.ErrInvalid.
type errInvalid struct{ msg string }

// Error says what was invalid.
func (e *errInvalid) Error() string { return "invalid argument: " + e.msg }

// Is reports whether target is syscall.EINVAL or os.ErrInvalid.
func (e *errInvalid) Is(target error) bool {
	return target == syscall.EINVAL || target == os.ErrInvalid
}

func invalid(req netlink.HeaderType, format string, args ...any) error {
	return &netlink.OpError{
		Op: "check", Protocol: netfilter.Protocol, Request: req,
		Err:    &errInvalid{fmt.Sprintf(format, args...)},
		ExtAck: netlink.ExtAck{Offset: -1, MissingNest: -1},
	}
}
