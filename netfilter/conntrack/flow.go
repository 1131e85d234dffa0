package conntrack

import (
	"bytes"
	"fmt"
	"net/netip"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Flow is one conntrack entry: a connection the kernel tracks, as it lists
// it (IPCTNL_MSG_CT_NEW messages of a dump, a get or an event) or as a
// request creates or changes it.
//
// A Flow decoded by a listing or an event aliases the receive buffer in
// Labels and Unknown; Clone makes a copy that owns its memory.
//
// Set says which fields the message carried, so that a zero that was sent
// (a mark of 0, a timeout of 0) is told from an absent field. When a Flow
// is encoded, a field goes out when it is not zero or its bit is in Set.
type Flow struct {
	// Family is the entry's layer 3 protocol: AF_INET or AF_INET6 (the
	// nfgenmsg family).
	Family uint8
	// Orig and Reply are the tuples of the two directions
	// (CTA_TUPLE_ORIG, CTA_TUPLE_REPLY).
	Orig, Reply Tuple
	// Master is the tuple of the connection this one is expected by
	// (CTA_TUPLE_MASTER), with FieldMaster.
	Master Tuple
	// Status holds the IPS_* bits (CTA_STATUS).
	Status Status
	// Timeout is the seconds left before the entry expires (CTA_TIMEOUT).
	Timeout uint32
	// Mark is the connection mark (CTA_MARK); MarkMask, in an update,
	// says which bits of it to change (CTA_MARK_MASK; 0 changes all).
	Mark, MarkMask uint32
	// Zone is the zone of both directions (CTA_ZONE); a zone of one
	// direction only is in the tuple.
	Zone uint16
	// ID is the kernel's identifier of the entry (CTA_ID).
	ID uint32
	// Use is the entry's reference count (CTA_USE).
	Use uint32
	// CountersOrig and CountersReply are the packets and bytes of each
	// direction (CTA_COUNTERS_ORIG, CTA_COUNTERS_REPLY), when the kernel
	// counts them (sysctl net.netfilter.nf_conntrack_acct).
	CountersOrig, CountersReply Counters
	// Start and Stop are when the connection started and ended, in
	// nanoseconds since the Unix epoch (CTA_TIMESTAMP), when the kernel
	// records them (sysctl net.netfilter.nf_conntrack_timestamp).
	Start, Stop uint64
	// EventTime is when an event happened, in nanoseconds of the kernel's
	// CLOCK_MONOTONIC (CTA_TIMESTAMP_EVENT, Linux 6.2; events only).
	EventTime uint64
	// TCP, SCTP and DCCP are the protocol's state (CTA_PROTOINFO), with
	// FieldTCP, FieldSCTP or FieldDCCP.
	TCP  TCPInfo
	SCTP SCTPInfo
	DCCP DCCPInfo
	// Helper is the name of the connection's helper (CTA_HELP's
	// CTA_HELP_NAME), HelperInfo its private data (CTA_HELP_INFO) as
	// sent.
	Helper     string
	HelperInfo string
	// SecCtx is the security context (CTA_SECCTX's CTA_SECCTX_NAME).
	SecCtx string
	// Labels are the connection's label bits (CTA_LABELS); LabelsMask, in
	// an update, says which of them to change (CTA_LABELS_MASK). The
	// kernel keeps labels only in a namespace where something sets them
	// (an nftables rule with "ct label set", iptables' connlabel match,
	// Open vSwitch; on 6.1 and 6.12 a rule that only matches a label is
	// not enough): elsewhere Create drops them without an error and
	// Update fails with ENOSPC.
	Labels, LabelsMask []byte
	// SeqAdjOrig and SeqAdjReply are the TCP sequence number adjustments
	// of NAT helpers (CTA_SEQ_ADJ_ORIG, CTA_SEQ_ADJ_REPLY).
	SeqAdjOrig, SeqAdjReply SeqAdj
	// Synproxy is the SYN proxy's state (CTA_SYNPROXY).
	Synproxy Synproxy
	// NATSrc and NATDst ask the kernel to set up source or destination
	// NAT for an entry it creates (CTA_NAT_SRC, CTA_NAT_DST).
	NATSrc, NATDst *NAT
	// Unknown holds the attributes this type does not decode, as the
	// kernel sent them and in order; they are sent back as they are.
	Unknown []byte
	// ProtoinfoExtra holds the members of CTA_PROTOINFO this type does
	// not decode, as sent.
	ProtoinfoExtra string
	// Set says which fields the message carried.
	Set Field
}

// Field is a set of a Flow's fields.
type Field uint32

// The fields of Flow whose zero value is meaningful.
const (
	FieldOrig Field = 1 << iota
	FieldReply
	FieldMaster
	FieldStatus
	FieldTimeout
	FieldMark
	FieldMarkMask
	FieldZone
	FieldID
	FieldUse
	FieldCountersOrig
	FieldCountersReply
	FieldTimestamp
	FieldEventTime
	FieldTCP
	FieldSCTP
	FieldDCCP
	FieldHelper
	FieldSecCtx
	FieldLabels
	FieldLabelsMask
	FieldSeqAdjOrig
	FieldSeqAdjReply
	FieldSynproxy
)

// Counters are the packets and bytes a direction of a connection carried.
type Counters struct {
	Packets, Bytes uint64 // CTA_COUNTERS_PACKETS, CTA_COUNTERS_BYTES
}

// TCPInfo is a TCP connection's state (CTA_PROTOINFO_TCP).
type TCPInfo struct {
	State                   TCPState // CTA_PROTOINFO_TCP_STATE
	WScaleOrig, WScaleReply uint8    // CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, _REPLY
	FlagsOrig, FlagsReply   TCPFlags // CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, _REPLY
}

// TCPFlags are the IP_CT_TCP_FLAG_* bits of a direction (struct
// nf_ct_tcp_flags): Flags, and in an update the Mask of those to change.
type TCPFlags struct {
	Flags, Mask uint8
}

// SCTPInfo is an SCTP association's state (CTA_PROTOINFO_SCTP).
type SCTPInfo struct {
	State               SCTPState // CTA_PROTOINFO_SCTP_STATE
	VTagOrig, VTagReply uint32    // CTA_PROTOINFO_SCTP_VTAG_ORIGINAL, _REPLY
}

// DCCPInfo is a DCCP connection's state (CTA_PROTOINFO_DCCP).
type DCCPInfo struct {
	State, Role  uint8  // CTA_PROTOINFO_DCCP_STATE, _ROLE
	HandshakeSeq uint64 // CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ
}

// SeqAdj is a direction's TCP sequence number adjustment (enum
// ctattr_seqadj).
type SeqAdj struct {
	CorrectionPos, OffsetBefore, OffsetAfter uint32
}

// Synproxy is the SYN proxy's state of a connection (enum
// ctattr_synproxy).
type Synproxy struct {
	ISN, ITS, TSOff uint32
}

// NAT is an address and port range for the kernel to translate to
// (CTA_NAT_SRC, CTA_NAT_DST).
type NAT struct {
	MinIP, MaxIP     netip.Addr // CTA_NAT_V4_MINIP/MAXIP or CTA_NAT_V6_MINIP/MAXIP
	MinPort, MaxPort uint16     // CTA_PROTONAT_PORT_MIN, _MAX
}

// StartTime returns Start as a time.Time, the zero Time when it is 0.
func (f *Flow) StartTime() time.Time { return nsTime(f.Start) }

// StopTime returns Stop as a time.Time, the zero Time when it is 0.
func (f *Flow) StopTime() time.Time { return nsTime(f.Stop) }

func nsTime(ns uint64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(ns))
}

// Clone returns a copy of f that owns its memory.
func (f *Flow) Clone() Flow {
	c := *f
	c.Labels = bytes.Clone(f.Labels)
	c.LabelsMask = bytes.Clone(f.LabelsMask)
	c.Unknown = bytes.Clone(f.Unknown)
	if f.NATSrc != nil {
		n := *f.NATSrc
		c.NATSrc = &n
	}
	if f.NATDst != nil {
		n := *f.NATDst
		c.NATDst = &n
	}
	return c
}

// ParseFlow decodes a conntrack message (IPCTNL_MSG_CT_NEW or
// IPCTNL_MSG_CT_DELETE: its nfgenmsg and attributes) into a new Flow
// that owns its memory.
func ParseFlow(m netlink.Message) (Flow, error) {
	var f Flow
	err := f.Decode(m.Data)
	return f.Clone(), err
}

// Decode decodes the payload of a conntrack message (its nfgenmsg and
// attributes) into f, reusing f's memory. Labels and Unknown alias data
// afterwards. An error wraps netlink.ErrMalformed.
func (f *Flow) Decode(data []byte) error {
	h, err := netfilter.ParseHeader(data)
	if err != nil {
		return err
	}
	unknown := f.Unknown[:0]
	helper, info, secctx := f.Helper, f.HelperInfo, f.SecCtx
	*f = Flow{Family: h.Family}
	d := netlink.NewAttrDecoder(data[netfilter.HeaderLen:])
	for d.Next() {
		switch d.Type() {
		case ctaTupleOrig:
			decodeTuple(&d, &f.Orig)
			f.Set |= FieldOrig
		case ctaTupleReply:
			decodeTuple(&d, &f.Reply)
			f.Set |= FieldReply
		case ctaTupleMaster:
			decodeTuple(&d, &f.Master)
			f.Set |= FieldMaster
		case ctaStatus:
			f.Status = Status(d.Uint32BE())
			f.Set |= FieldStatus
		case ctaTimeout:
			f.Timeout = d.Uint32BE()
			f.Set |= FieldTimeout
		case ctaMark:
			f.Mark = d.Uint32BE()
			f.Set |= FieldMark
		case ctaMarkMask:
			f.MarkMask = d.Uint32BE()
			f.Set |= FieldMarkMask
		case ctaZone:
			f.Zone = d.Uint16BE()
			f.Set |= FieldZone
		case ctaID:
			f.ID = d.Uint32BE()
			f.Set |= FieldID
		case ctaUse:
			f.Use = d.Uint32BE()
			f.Set |= FieldUse
		case ctaCountersOrig:
			decodeCounters(&d, &f.CountersOrig)
			f.Set |= FieldCountersOrig
		case ctaCountersReply:
			decodeCounters(&d, &f.CountersReply)
			f.Set |= FieldCountersReply
		case ctaTimestamp:
			n := d.Enter()
			for d.Next() {
				switch d.Type() {
				case ctaTimestampStart:
					f.Start = d.Uint64BE()
				case ctaTimestampStop:
					f.Stop = d.Uint64BE()
				}
			}
			d.Exit(n)
			f.Set |= FieldTimestamp
		case ctaTimestampEvent:
			f.EventTime = d.Uint64BE()
			f.Set |= FieldEventTime
		case ctaProtoinfo:
			f.decodeProtoinfo(&d)
		case ctaHelp:
			n := d.Enter()
			for d.Next() {
				switch d.Type() {
				case ctaHelpName:
					f.Helper = reuse(helper, cstring(d.Bytes()))
				case ctaHelpInfo:
					f.HelperInfo = reuse(info, d.Bytes())
				}
			}
			d.Exit(n)
			f.Set |= FieldHelper
		case ctaSecCtx:
			n := d.Enter()
			for d.Next() {
				if d.Type() == ctaSecCtxName {
					f.SecCtx = reuse(secctx, cstring(d.Bytes()))
				}
			}
			d.Exit(n)
			f.Set |= FieldSecCtx
		case ctaLabels:
			f.Labels = d.Bytes()
			f.Set |= FieldLabels
		case ctaLabelsMask:
			f.LabelsMask = d.Bytes()
			f.Set |= FieldLabelsMask
		case ctaSeqAdjOrig:
			decodeSeqAdj(&d, &f.SeqAdjOrig)
			f.Set |= FieldSeqAdjOrig
		case ctaSeqAdjReply:
			decodeSeqAdj(&d, &f.SeqAdjReply)
			f.Set |= FieldSeqAdjReply
		case ctaSynproxy:
			n := d.Enter()
			for d.Next() {
				switch d.Type() {
				case ctaSynproxyISN:
					f.Synproxy.ISN = d.Uint32BE()
				case ctaSynproxyITS:
					f.Synproxy.ITS = d.Uint32BE()
				case ctaSynproxyTSOff:
					f.Synproxy.TSOff = d.Uint32BE()
				}
			}
			d.Exit(n)
			f.Set |= FieldSynproxy
		case ctaNATSrc:
			f.NATSrc = decodeNAT(&d)
		case ctaNATDst:
			f.NATDst = decodeNAT(&d)
		default:
			unknown = appendRaw(unknown, &d)
		}
	}
	if len(unknown) > 0 {
		f.Unknown = unknown
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("conntrack: entry: %w", err)
	}
	return nil
}

// reuse returns old when it holds b already, so that decoding the same
// name again does not allocate, and string(b) otherwise.
func reuse(old string, b []byte) string {
	if old == string(b) {
		return old
	}
	return string(b)
}

// cstring returns b up to its first NUL.
func cstring(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

func decodeCounters(d *netlink.AttrDecoder, c *Counters) {
	n := d.Enter()
	for d.Next() {
		switch d.Type() {
		case ctaCountersPackets:
			c.Packets = d.Uint64BE()
		case ctaCountersBytes:
			c.Bytes = d.Uint64BE()
		}
	}
	d.Exit(n)
}

func decodeSeqAdj(d *netlink.AttrDecoder, s *SeqAdj) {
	n := d.Enter()
	for d.Next() {
		switch d.Type() {
		case ctaSeqAdjCorrectionPos:
			s.CorrectionPos = d.Uint32BE()
		case ctaSeqAdjOffsetBefore:
			s.OffsetBefore = d.Uint32BE()
		case ctaSeqAdjOffsetAfter:
			s.OffsetAfter = d.Uint32BE()
		}
	}
	d.Exit(n)
}

func decodeNAT(d *netlink.AttrDecoder) *NAT {
	var nat NAT
	n := d.Enter()
	for d.Next() {
		switch d.Type() {
		case ctaNATv4MinIP, ctaNATv6MinIP:
			nat.MinIP = d.Addr()
		case ctaNATv4MaxIP, ctaNATv6MaxIP:
			nat.MaxIP = d.Addr()
		case ctaNATProto:
			p := d.Enter()
			for d.Next() {
				switch d.Type() {
				case ctaProtoNATPortMin:
					nat.MinPort = d.Uint16BE()
				case ctaProtoNATPortMax:
					nat.MaxPort = d.Uint16BE()
				}
			}
			d.Exit(p)
		}
	}
	d.Exit(n)
	return &nat
}

func (f *Flow) decodeProtoinfo(d *netlink.AttrDecoder) {
	var extra []byte
	n := d.Enter()
	for d.Next() {
		switch d.Type() {
		case ctaProtoinfoTCP:
			t := d.Enter()
			for d.Next() {
				switch d.Type() {
				case ctaProtoinfoTCPState:
					f.TCP.State = TCPState(d.Uint8())
				case ctaProtoinfoTCPWScaleOrig:
					f.TCP.WScaleOrig = d.Uint8()
				case ctaProtoinfoTCPWScaleReply:
					f.TCP.WScaleReply = d.Uint8()
				case ctaProtoinfoTCPFlagsOrig:
					f.TCP.FlagsOrig = decodeTCPFlags(d)
				case ctaProtoinfoTCPFlagsReply:
					f.TCP.FlagsReply = decodeTCPFlags(d)
				}
			}
			d.Exit(t)
			f.Set |= FieldTCP
		case ctaProtoinfoSCTP:
			s := d.Enter()
			for d.Next() {
				switch d.Type() {
				case ctaProtoinfoSCTPState:
					f.SCTP.State = SCTPState(d.Uint8())
				case ctaProtoinfoSCTPVTagOrig:
					f.SCTP.VTagOrig = d.Uint32BE()
				case ctaProtoinfoSCTPVTagReply:
					f.SCTP.VTagReply = d.Uint32BE()
				}
			}
			d.Exit(s)
			f.Set |= FieldSCTP
		case ctaProtoinfoDCCP:
			s := d.Enter()
			for d.Next() {
				switch d.Type() {
				case ctaProtoinfoDCCPState:
					f.DCCP.State = d.Uint8()
				case ctaProtoinfoDCCPRole:
					f.DCCP.Role = d.Uint8()
				case ctaProtoinfoDCCPHandshakeSeq:
					f.DCCP.HandshakeSeq = d.Uint64BE()
				}
			}
			d.Exit(s)
			f.Set |= FieldDCCP
		default:
			extra = appendRaw(extra, d)
		}
	}
	d.Exit(n)
	if len(extra) > 0 {
		f.ProtoinfoExtra = string(extra)
	}
}

func decodeTCPFlags(d *netlink.AttrDecoder) TCPFlags {
	b := d.Bytes()
	if len(b) != 2 {
		d.Uint16() // fails the decoder with the size error
		return TCPFlags{}
	}
	return TCPFlags{Flags: b[0], Mask: b[1]}
}

// has reports whether field x goes out: its bit is set or it is not zero.
func (f *Flow) has(x Field, nonzero bool) bool { return nonzero || f.Set&x != 0 }

// Append appends f as the payload of a conntrack message: the nfgenmsg
// (f.Family, version 0) and every field f has, including the ones the
// kernel only reports (ID, Use, counters, timestamps, the security
// context), then Unknown. It is the inverse of Decode.
func (f *Flow) Append(b []byte) ([]byte, error) {
	return f.append(b, true)
}

// append encodes f; full adds the fields the kernel reports but does not
// take in requests.
func (f *Flow) append(b []byte, full bool) ([]byte, error) {
	b = netfilter.Header{Family: f.Family}.Append(b)
	e := netlink.NewAttrEncoder(b)
	if f.has(FieldOrig, f.Orig != Tuple{}) {
		encodeTuple(e, ctaTupleOrig, &f.Orig)
	}
	if f.has(FieldReply, f.Reply != Tuple{}) {
		encodeTuple(e, ctaTupleReply, &f.Reply)
	}
	if f.has(FieldMaster, f.Master != Tuple{}) {
		encodeTuple(e, ctaTupleMaster, &f.Master)
	}
	if f.has(FieldZone, f.Zone != 0) {
		e.Uint16BE(ctaZone, f.Zone)
	}
	if f.has(FieldStatus, f.Status != 0) {
		e.Uint32BE(ctaStatus, uint32(f.Status))
	}
	if f.has(FieldTimeout, f.Timeout != 0) {
		e.Uint32BE(ctaTimeout, f.Timeout)
	}
	if f.has(FieldMark, f.Mark != 0) {
		e.Uint32BE(ctaMark, f.Mark)
	}
	if f.has(FieldMarkMask, f.MarkMask != 0) {
		e.Uint32BE(ctaMarkMask, f.MarkMask)
	}
	if f.has(FieldTCP, f.TCP != TCPInfo{}) || f.has(FieldSCTP, f.SCTP != SCTPInfo{}) ||
		f.has(FieldDCCP, f.DCCP != DCCPInfo{}) || f.ProtoinfoExtra != "" {
		f.encodeProtoinfo(e)
	}
	if f.has(FieldHelper, f.Helper != "" || f.HelperInfo != "") {
		n := e.Nest(ctaHelp)
		e.String(ctaHelpName, f.Helper)
		if f.HelperInfo != "" {
			e.Bytes(ctaHelpInfo, []byte(f.HelperInfo))
		}
		e.End(n)
	}
	if f.has(FieldLabels, len(f.Labels) > 0) {
		e.Bytes(ctaLabels, f.Labels)
	}
	if f.has(FieldLabelsMask, len(f.LabelsMask) > 0) {
		e.Bytes(ctaLabelsMask, f.LabelsMask)
	}
	if f.has(FieldSeqAdjOrig, f.SeqAdjOrig != SeqAdj{}) {
		encodeSeqAdj(e, ctaSeqAdjOrig, f.SeqAdjOrig)
	}
	if f.has(FieldSeqAdjReply, f.SeqAdjReply != SeqAdj{}) {
		encodeSeqAdj(e, ctaSeqAdjReply, f.SeqAdjReply)
	}
	if f.has(FieldSynproxy, f.Synproxy != Synproxy{}) {
		n := e.Nest(ctaSynproxy)
		e.Uint32BE(ctaSynproxyISN, f.Synproxy.ISN)
		e.Uint32BE(ctaSynproxyITS, f.Synproxy.ITS)
		e.Uint32BE(ctaSynproxyTSOff, f.Synproxy.TSOff)
		e.End(n)
	}
	if f.NATSrc != nil {
		encodeNAT(e, ctaNATSrc, f.NATSrc)
	}
	if f.NATDst != nil {
		encodeNAT(e, ctaNATDst, f.NATDst)
	}
	if full {
		if f.has(FieldID, f.ID != 0) {
			e.Uint32BE(ctaID, f.ID)
		}
		if f.has(FieldUse, f.Use != 0) {
			e.Uint32BE(ctaUse, f.Use)
		}
		if f.has(FieldCountersOrig, f.CountersOrig != Counters{}) {
			encodeCounters(e, ctaCountersOrig, f.CountersOrig)
		}
		if f.has(FieldCountersReply, f.CountersReply != Counters{}) {
			encodeCounters(e, ctaCountersReply, f.CountersReply)
		}
		if f.has(FieldTimestamp, f.Start != 0 || f.Stop != 0) {
			n := e.Nest(ctaTimestamp)
			e.Uint64BE(ctaTimestampStart, f.Start)
			if f.Stop != 0 {
				e.Uint64BE(ctaTimestampStop, f.Stop)
			}
			e.End(n)
		}
		if f.has(FieldEventTime, f.EventTime != 0) {
			e.Uint64BE(ctaTimestampEvent, f.EventTime)
		}
		if f.has(FieldSecCtx, f.SecCtx != "") {
			n := e.Nest(ctaSecCtx)
			e.String(ctaSecCtxName, f.SecCtx)
			e.End(n)
		}
	}
	e.Raw(f.Unknown)
	return e.Finish()
}

func (f *Flow) encodeProtoinfo(e *netlink.AttrEncoder) {
	n := e.Nest(ctaProtoinfo)
	if f.has(FieldTCP, f.TCP != TCPInfo{}) {
		t := e.Nest(ctaProtoinfoTCP)
		e.Uint8(ctaProtoinfoTCPState, uint8(f.TCP.State))
		e.Uint8(ctaProtoinfoTCPWScaleOrig, f.TCP.WScaleOrig)
		e.Uint8(ctaProtoinfoTCPWScaleReply, f.TCP.WScaleReply)
		e.Bytes(ctaProtoinfoTCPFlagsOrig, []byte{f.TCP.FlagsOrig.Flags, f.TCP.FlagsOrig.Mask})
		e.Bytes(ctaProtoinfoTCPFlagsReply, []byte{f.TCP.FlagsReply.Flags, f.TCP.FlagsReply.Mask})
		e.End(t)
	}
	if f.has(FieldSCTP, f.SCTP != SCTPInfo{}) {
		s := e.Nest(ctaProtoinfoSCTP)
		e.Uint8(ctaProtoinfoSCTPState, uint8(f.SCTP.State))
		e.Uint32BE(ctaProtoinfoSCTPVTagOrig, f.SCTP.VTagOrig)
		e.Uint32BE(ctaProtoinfoSCTPVTagReply, f.SCTP.VTagReply)
		e.End(s)
	}
	if f.has(FieldDCCP, f.DCCP != DCCPInfo{}) {
		s := e.Nest(ctaProtoinfoDCCP)
		e.Uint8(ctaProtoinfoDCCPState, f.DCCP.State)
		e.Uint8(ctaProtoinfoDCCPRole, f.DCCP.Role)
		e.Uint64BE(ctaProtoinfoDCCPHandshakeSeq, f.DCCP.HandshakeSeq)
		e.End(s)
	}
	e.Raw([]byte(f.ProtoinfoExtra))
	e.End(n)
}

func encodeCounters(e *netlink.AttrEncoder, typ uint16, c Counters) {
	n := e.Nest(typ)
	e.Uint64BE(ctaCountersPackets, c.Packets)
	e.Uint64BE(ctaCountersBytes, c.Bytes)
	e.End(n)
}

func encodeSeqAdj(e *netlink.AttrEncoder, typ uint16, s SeqAdj) {
	n := e.Nest(typ)
	e.Uint32BE(ctaSeqAdjCorrectionPos, s.CorrectionPos)
	e.Uint32BE(ctaSeqAdjOffsetBefore, s.OffsetBefore)
	e.Uint32BE(ctaSeqAdjOffsetAfter, s.OffsetAfter)
	e.End(n)
}

func encodeNAT(e *netlink.AttrEncoder, typ uint16, nat *NAT) {
	n := e.Nest(typ)
	v6 := nat.MinIP.Is6() || nat.MaxIP.Is6()
	if nat.MinIP.IsValid() {
		e.Addr(pick(v6, ctaNATv6MinIP, ctaNATv4MinIP), nat.MinIP)
	}
	if nat.MaxIP.IsValid() {
		e.Addr(pick(v6, ctaNATv6MaxIP, ctaNATv4MaxIP), nat.MaxIP)
	}
	if nat.MinPort != 0 || nat.MaxPort != 0 {
		p := e.Nest(ctaNATProto)
		e.Uint16BE(ctaProtoNATPortMin, nat.MinPort)
		e.Uint16BE(ctaProtoNATPortMax, nat.MaxPort)
		e.End(p)
	}
	e.End(n)
}

func pick(c bool, a, b uint16) uint16 {
	if c {
		return a
	}
	return b
}
