// Package netfilter is the base of the netfilter packages (nftables,
// conntrack, nflog, nfqueue): the nfnetlink header, struct nfgenmsg, that
// follows the netlink header of every NETLINK_NETFILTER message, the
// subsystems that share the protocol, and their message types.
//
// A netfilter message type is the subsystem in its high byte and the
// subsystem's own message number in its low byte: MessageType builds it,
// SplitType takes it apart.
//
// The package builds on every GOOS: it only encodes and decodes.
package netfilter

import (
	"encoding/binary"
	"fmt"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Protocol is NETLINK_NETFILTER, the netlink protocol of every
// netfilter subsystem.
const Protocol = uapi.NETLINK_NETFILTER

// Subsystem is an nfnetlink subsystem (NFNL_SUBSYS_*): the high byte of
// a netfilter message type.
type Subsystem uint8

// The nfnetlink subsystems (include/uapi/linux/netfilter/nfnetlink.h).
const (
	SubsysNone             Subsystem = uapi.NFNL_SUBSYS_NONE
	SubsysConntrack        Subsystem = uapi.NFNL_SUBSYS_CTNETLINK
	SubsysConntrackExp     Subsystem = uapi.NFNL_SUBSYS_CTNETLINK_EXP
	SubsysQueue            Subsystem = uapi.NFNL_SUBSYS_QUEUE
	SubsysLog              Subsystem = uapi.NFNL_SUBSYS_ULOG
	SubsysOSF              Subsystem = uapi.NFNL_SUBSYS_OSF
	SubsysIPSet            Subsystem = uapi.NFNL_SUBSYS_IPSET
	SubsysAcct             Subsystem = uapi.NFNL_SUBSYS_ACCT
	SubsysConntrackTimeout Subsystem = uapi.NFNL_SUBSYS_CTNETLINK_TIMEOUT
	SubsysConntrackHelper  Subsystem = uapi.NFNL_SUBSYS_CTHELPER
	SubsysNFTables         Subsystem = uapi.NFNL_SUBSYS_NFTABLES
	SubsysNFTCompat        Subsystem = uapi.NFNL_SUBSYS_NFT_COMPAT
	SubsysHook             Subsystem = uapi.NFNL_SUBSYS_HOOK
)

var subsysNames = [...]string{
	SubsysNone:             "none",
	SubsysConntrack:        "conntrack",
	SubsysConntrackExp:     "conntrack-exp",
	SubsysQueue:            "queue",
	SubsysLog:              "log",
	SubsysOSF:              "osf",
	SubsysIPSet:            "ipset",
	SubsysAcct:             "acct",
	SubsysConntrackTimeout: "conntrack-timeout",
	SubsysConntrackHelper:  "conntrack-helper",
	SubsysNFTables:         "nftables",
	SubsysNFTCompat:        "nft-compat",
	SubsysHook:             "hook",
}

// String returns the subsystem's name, or its number.
func (s Subsystem) String() string {
	if int(s) < len(subsysNames) {
		return subsysNames[s]
	}
	return fmt.Sprintf("subsystem(%d)", uint8(s))
}

// The message types nfnetlink itself handles, outside every subsystem:
// the bounds of a batch of changes (NFNL_MSG_BATCH_BEGIN and _END), whose
// header's ResourceID names the subsystem that runs the batch.
const (
	MsgBatchBegin netlink.HeaderType = uapi.NFNL_MSG_BATCH_BEGIN
	MsgBatchEnd   netlink.HeaderType = uapi.NFNL_MSG_BATCH_END
)

// MessageType returns the netlink message type of subsystem s's message
// msg.
func MessageType(s Subsystem, msg uint8) netlink.HeaderType {
	return netlink.HeaderType(s)<<8 | netlink.HeaderType(msg)
}

// SplitType returns the subsystem and the subsystem's message number of
// the netlink message type t.
func SplitType(t netlink.HeaderType) (Subsystem, uint8) {
	return Subsystem(t >> 8), uint8(t)
}

// HeaderLen is the length of Header on the wire.
const HeaderLen = 4

// Version0 is NFNETLINK_V0, the only version of the header.
const Version0 = uapi.NFNETLINK_V0

// Header is struct nfgenmsg, the fixed header of every netfilter
// message.
type Header struct {
	// Family is the address family the message is about (AF_INET,
	// AF_INET6, NFPROTO_*), or AF_UNSPEC for all.
	Family uint8
	// Version is NFNETLINK_V0.
	Version uint8
	// ResourceID is the header's res_id, big-endian on the wire: a queue
	// or log group number, a conntrack zone or, in nftables messages,
	// the low 16 bits of the ruleset generation; in a batch's begin
	// message it names the subsystem.
	ResourceID uint16
}

// Append appends h's wire form to b.
func (h Header) Append(b []byte) []byte {
	return append(b, h.Family, h.Version, byte(h.ResourceID>>8), byte(h.ResourceID))
}

// ParseHeader decodes the header at the start of a netfilter message's
// data.
func ParseHeader(data []byte) (Header, error) {
	if len(data) < HeaderLen {
		return Header{}, fmt.Errorf("netfilter: %d-byte message shorter than its %d-byte header: %w",
			len(data), HeaderLen, netlink.ErrMalformed)
	}
	return Header{
		Family:     data[0],
		Version:    data[1],
		ResourceID: binary.BigEndian.Uint16(data[2:4]),
	}, nil
}
