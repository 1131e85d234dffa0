// Package nflog receives the packets netfilter logs to user space
// (nfnetlink_log, NETLINK_NETFILTER subsystem NFNL_SUBSYS_ULOG): those an
// nftables "log group N" rule, or iptables' NFLOG target, sends to group
// N. A Conn binds groups, sets how much of each packet to copy, and
// reads the logged packets, typed, with their prefix, hook, mark,
// interfaces, owner, timestamp, hardware header and payload.
//
// It runs on the root package's *netlink.Conn. Packets is an iterator
// whose values alias the receive buffer and are reused from one
// iteration to the next: a stream of packets costs no allocation per
// packet.
//
// Package nflogtest is a fake of the kernel's side for unit tests of code
// that uses this package: its tests log packets to the groups the code under test bound, with no root and on any OS.
//
// # Other platforms
//
// The package builds on every GOOS: the types and parsers work
// everywhere, and Dial fails off Linux with an error wrapping
// errors.ErrUnsupported.
package nflog

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Message numbers and attributes of nfnetlink_log
// (include/uapi/linux/netfilter/nfnetlink_log.h), which x/sys/unix does
// not have.
const (
	nfulnlMsgPacket = 0 // NFULNL_MSG_PACKET
	nfulnlMsgConfig = 1 // NFULNL_MSG_CONFIG

	nfulaCfgCmd      = 1 // NFULA_CFG_CMD
	nfulaCfgMode     = 2 // NFULA_CFG_MODE
	nfulaCfgNlBufSiz = 3 // NFULA_CFG_NLBUFSIZ
	nfulaCfgTimeout  = 4 // NFULA_CFG_TIMEOUT
	nfulaCfgQThresh  = 5 // NFULA_CFG_QTHRESH
	nfulaCfgFlags    = 6 // NFULA_CFG_FLAGS

	cmdBind   = 1 // NFULNL_CFG_CMD_BIND
	cmdUnbind = 2 // NFULNL_CFG_CMD_UNBIND
	cmdPFBind = 3 // NFULNL_CFG_CMD_PF_BIND
)

var (
	msgPacket = netfilter.MessageType(netfilter.SubsysLog, nfulnlMsgPacket)
	msgConfig = netfilter.MessageType(netfilter.SubsysLog, nfulnlMsgConfig)
)

// CopyMode says how much of each packet the kernel copies
// (NFULNL_COPY_*).
type CopyMode uint8

// The copy modes.
const (
	CopyNone   CopyMode = 0 // NFULNL_COPY_NONE: nothing, not even metadata
	CopyMeta   CopyMode = 1 // NFULNL_COPY_META: the metadata, no payload
	CopyPacket CopyMode = 2 // NFULNL_COPY_PACKET: metadata and payload, up to CopyRange bytes
)

// Flags are a group's NFULNL_CFG_F_* options.
type Flags uint16

// The flags.
const (
	FlagSeq       Flags = 1 // NFULNL_CFG_F_SEQ: number the group's packets (Packet.Seq)
	FlagSeqGlobal Flags = 2 // NFULNL_CFG_F_SEQ_GLOBAL: number all groups' packets (Packet.SeqGlobal)
	FlagConntrack Flags = 4 // NFULNL_CFG_F_CONNTRACK: add the packet's conntrack entry (Packet.CT)
)

// Config is how the kernel logs a group's packets. The zero Config
// leaves the kernel's defaults: the whole packet up to 0xffff bytes, a 4
// KiB batch buffer, a flush every second, no flags.
type Config struct {
	// Mode and Range say what to copy (NFULA_CFG_MODE): with
	// CopyPacket, Range bytes of each packet (0: as much as fits). Mode 0
	// leaves the kernel's.
	Mode  CopyMode
	Range uint32
	// BufferSize is how many bytes the kernel batches into one datagram
	// (NFULA_CFG_NLBUFSIZ), 0 for the kernel's.
	BufferSize uint32
	// Timeout is how long, in hundredths of a second, the kernel holds a
	// batch before it sends it (NFULA_CFG_TIMEOUT), 0 for the kernel's.
	Timeout uint32
	// QueueThreshold is how many packets the kernel batches
	// (NFULA_CFG_QTHRESH), 0 for the kernel's.
	QueueThreshold uint32
	// Flags are the group's options (NFULA_CFG_FLAGS), sent when not 0.
	Flags Flags
}

// Conn receives logged packets on a NETLINK_NETFILTER connection.
type Conn struct {
	// NL is the underlying NETLINK_NETFILTER connection.
	NL *netlink.Conn
}

// Dial opens a NETLINK_NETFILTER socket as cfg says (cfg may be nil; its
// NetNS chooses the namespace whose packets are logged to it).
func Dial(cfg *netlink.Config) (*Conn, error) {
	nl, err := netlink.Dial(netfilter.Protocol, cfg)
	if err != nil {
		return nil, err
	}
	return &Conn{NL: nl}, nil
}

// New returns a Conn that runs on nl, a NETLINK_NETFILTER connection.
func New(nl *netlink.Conn) *Conn { return &Conn{NL: nl} }

// Close closes the underlying connection; the kernel unbinds its groups.
func (c *Conn) Close() error { return c.NL.Close() }

// Bind binds group to the Conn, so that the packets logged to it come to
// Packets, and configures it as cfg says: it sends NFULNL_MSG_CONFIG with
// NFULNL_CFG_CMD_BIND and cfg's attributes. A group bound to another
// socket fails with EPERM.
func (c *Conn) Bind(ctx context.Context, group uint16, cfg Config) error {
	if cfg.Mode > CopyPacket {
		return invalid("bind group %d: copy mode %d", group, cfg.Mode)
	}
	e := netlink.NewAttrEncoder(netfilter.Header{Version: netfilter.Version0, ResourceID: group}.Append(nil))
	e.Bytes(nfulaCfgCmd, []byte{cmdBind})
	appendConfig(e, &cfg)
	return c.config(ctx, e, fmt.Sprintf("log group %d", group))
}

// Configure changes the configuration of group, which the Conn bound:
// it sends NFULNL_MSG_CONFIG with cfg's attributes.
func (c *Conn) Configure(ctx context.Context, group uint16, cfg Config) error {
	if cfg.Mode > CopyPacket {
		return invalid("configure group %d: copy mode %d", group, cfg.Mode)
	}
	e := netlink.NewAttrEncoder(netfilter.Header{ResourceID: group}.Append(nil))
	appendConfig(e, &cfg)
	return c.config(ctx, e, fmt.Sprintf("log group %d", group))
}

// Unbind unbinds group: it sends NFULNL_MSG_CONFIG with
// NFULNL_CFG_CMD_UNBIND.
func (c *Conn) Unbind(ctx context.Context, group uint16) error {
	e := netlink.NewAttrEncoder(netfilter.Header{ResourceID: group}.Append(nil))
	e.Bytes(nfulaCfgCmd, []byte{cmdUnbind})
	return c.config(ctx, e, fmt.Sprintf("log group %d", group))
}

// BindFamily sends NFULNL_MSG_CONFIG with NFULNL_CFG_CMD_PF_BIND for
// family, which kernels before 3.17 needed before any group of that
// family logged; later kernels accept it and do nothing.
func (c *Conn) BindFamily(ctx context.Context, family uint8) error {
	e := netlink.NewAttrEncoder(netfilter.Header{Family: family}.Append(nil))
	e.Bytes(nfulaCfgCmd, []byte{cmdPFBind})
	return c.config(ctx, e, fmt.Sprintf("log family %d", family))
}

func appendConfig(e *netlink.AttrEncoder, cfg *Config) {
	if cfg.Mode != 0 {
		// struct nfulnl_msg_config_mode: __be32 copy_range, __u8
		// copy_mode, __u8 _pad, packed into 6 bytes.
		r := cfg.Range
		e.Bytes(nfulaCfgMode, []byte{byte(r >> 24), byte(r >> 16), byte(r >> 8), byte(r), byte(cfg.Mode), 0})
	}
	if cfg.BufferSize != 0 {
		e.Uint32BE(nfulaCfgNlBufSiz, cfg.BufferSize)
	}
	if cfg.Timeout != 0 {
		e.Uint32BE(nfulaCfgTimeout, cfg.Timeout)
	}
	if cfg.QueueThreshold != 0 {
		e.Uint32BE(nfulaCfgQThresh, cfg.QueueThreshold)
	}
	if cfg.Flags != 0 {
		e.Uint16BE(nfulaCfgFlags, uint16(cfg.Flags))
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

// Packets yields the packets logged to the groups the Conn bound, until
// ctx is done. Each Packet aliases a buffer that the next iteration
// reuses (see Packet.Clone). It sends no request: the kernel sends each
// group's NFULNL_MSG_PACKET messages to the socket that bound it.
//
// Two kinds of errors are yielded without ending the stream: one wrapping
// netlink.ErrOverrun, once after the kernel dropped packets because the
// socket's receive queue was full; and one wrapping netlink.ErrMalformed,
// for a message that does not decode. Any other error (ctx done, the
// Conn closed) is yielded last.
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

func invalid(format string, args ...any) error {
	return &netlink.OpError{
		Op: "check", Protocol: netfilter.Protocol, Request: msgConfig,
		Err:    &errInvalid{fmt.Sprintf(format, args...)},
		ExtAck: netlink.ExtAck{Offset: -1, MissingNest: -1},
	}
}
