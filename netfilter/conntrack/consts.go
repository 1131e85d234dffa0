package conntrack

import (
	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/netfilter"
)

// Message numbers of the conntrack subsystems
// (include/uapi/linux/netfilter/nfnetlink_conntrack.h: enum cntl_msg_types
// and enum ctnl_exp_msg_types), which x/sys/unix does not have.
const (
	ipctnlMsgCtNew         = 0 // IPCTNL_MSG_CT_NEW
	ipctnlMsgCtGet         = 1 // IPCTNL_MSG_CT_GET
	ipctnlMsgCtDelete      = 2 // IPCTNL_MSG_CT_DELETE
	ipctnlMsgCtGetStatsCPU = 4 // IPCTNL_MSG_CT_GET_STATS_CPU
	ipctnlMsgCtGetStats    = 5 // IPCTNL_MSG_CT_GET_STATS

	ipctnlMsgExpNew    = 0 // IPCTNL_MSG_EXP_NEW
	ipctnlMsgExpGet    = 1 // IPCTNL_MSG_EXP_GET
	ipctnlMsgExpDelete = 2 // IPCTNL_MSG_EXP_DELETE
)

// The netlink message types this package sends and receives.
var (
	msgNew         = netfilter.MessageType(netfilter.SubsysConntrack, ipctnlMsgCtNew)
	msgGet         = netfilter.MessageType(netfilter.SubsysConntrack, ipctnlMsgCtGet)
	msgDelete      = netfilter.MessageType(netfilter.SubsysConntrack, ipctnlMsgCtDelete)
	msgGetStatsCPU = netfilter.MessageType(netfilter.SubsysConntrack, ipctnlMsgCtGetStatsCPU)
	msgGetStats    = netfilter.MessageType(netfilter.SubsysConntrack, ipctnlMsgCtGetStats)
	msgExpNew      = netfilter.MessageType(netfilter.SubsysConntrackExp, ipctnlMsgExpNew)
	msgExpGet      = netfilter.MessageType(netfilter.SubsysConntrackExp, ipctnlMsgExpGet)
	msgExpDelete   = netfilter.MessageType(netfilter.SubsysConntrackExp, ipctnlMsgExpDelete)
)

var _ netlink.HeaderType = msgNew

// Attributes of a conntrack entry (enum ctattr_type).
const (
	ctaTupleOrig      = 1
	ctaTupleReply     = 2
	ctaStatus         = 3
	ctaProtoinfo      = 4
	ctaHelp           = 5
	ctaNATSrc         = 6
	ctaTimeout        = 7
	ctaMark           = 8
	ctaCountersOrig   = 9
	ctaCountersReply  = 10
	ctaUse            = 11
	ctaID             = 12
	ctaNATDst         = 13
	ctaTupleMaster    = 14
	ctaSeqAdjOrig     = 15
	ctaSeqAdjReply    = 16
	ctaSecmark        = 17 // obsolete; kept raw
	ctaZone           = 18
	ctaSecCtx         = 19
	ctaTimestamp      = 20
	ctaMarkMask       = 21
	ctaLabels         = 22
	ctaLabelsMask     = 23
	ctaSynproxy       = 24
	ctaFilter         = 25
	ctaStatusMask     = 26
	ctaTimestampEvent = 27 // CTA_TIMESTAMP_EVENT (Linux 6.2)
)

// Attributes of a tuple (enum ctattr_tuple), its addresses (enum
// ctattr_ip) and its layer 4 part (enum ctattr_l4proto).
const (
	ctaTupleIP    = 1
	ctaTupleProto = 2
	ctaTupleZone  = 3

	ctaIPv4Src = 1
	ctaIPv4Dst = 2
	ctaIPv6Src = 3
	ctaIPv6Dst = 4

	ctaProtoNum        = 1
	ctaProtoSrcPort    = 2
	ctaProtoDstPort    = 3
	ctaProtoICMPID     = 4
	ctaProtoICMPType   = 5
	ctaProtoICMPCode   = 6
	ctaProtoICMPv6ID   = 7
	ctaProtoICMPv6Type = 8
	ctaProtoICMPv6Code = 9
)

// Protocol information (enum ctattr_protoinfo and its members).
const (
	ctaProtoinfoTCP  = 1
	ctaProtoinfoDCCP = 2
	ctaProtoinfoSCTP = 3

	ctaProtoinfoTCPState       = 1
	ctaProtoinfoTCPWScaleOrig  = 2
	ctaProtoinfoTCPWScaleReply = 3
	ctaProtoinfoTCPFlagsOrig   = 4
	ctaProtoinfoTCPFlagsReply  = 5

	ctaProtoinfoDCCPState        = 1
	ctaProtoinfoDCCPRole         = 2
	ctaProtoinfoDCCPHandshakeSeq = 3
	ctaProtoinfoDCCPPad          = 4

	ctaProtoinfoSCTPState     = 1
	ctaProtoinfoSCTPVTagOrig  = 2
	ctaProtoinfoSCTPVTagReply = 3
)

// Counters, timestamps, NAT, sequence adjustment, synproxy, helper and
// security context (enum ctattr_counters, ctattr_tstamp, ctattr_nat,
// ctattr_protonat, ctattr_seqadj, ctattr_synproxy, ctattr_help,
// ctattr_secctx).
const (
	ctaCountersPackets = 1
	ctaCountersBytes   = 2
	ctaCountersPad     = 5

	ctaTimestampStart = 1
	ctaTimestampStop  = 2
	ctaTimestampPad   = 3

	ctaNATv4MinIP = 1
	ctaNATv4MaxIP = 2
	ctaNATProto   = 3
	ctaNATv6MinIP = 4
	ctaNATv6MaxIP = 5

	ctaProtoNATPortMin = 1
	ctaProtoNATPortMax = 2

	ctaSeqAdjCorrectionPos = 1
	ctaSeqAdjOffsetBefore  = 2
	ctaSeqAdjOffsetAfter   = 3

	ctaSynproxyISN   = 1
	ctaSynproxyITS   = 2
	ctaSynproxyTSOff = 3

	ctaHelpName = 1
	ctaHelpInfo = 2

	ctaSecCtxName = 1
)

// Filter attributes (enum ctattr_filter).
const (
	ctaFilterOrigFlags  = 1
	ctaFilterReplyFlags = 2
)

// Statistics (enum ctattr_stats_cpu, ctattr_stats_global,
// ctattr_expect_stats).
const (
	ctaStatsFound            = 2
	ctaStatsInvalid          = 4
	ctaStatsInsert           = 8
	ctaStatsInsertFailed     = 9
	ctaStatsDrop             = 10
	ctaStatsEarlyDrop        = 11
	ctaStatsError            = 12
	ctaStatsSearchRestart    = 13
	ctaStatsClashResolve     = 14
	ctaStatsChainTooLong     = 15
	ctaStatsGlobalEntries    = 1
	ctaStatsGlobalMaxEntries = 2
)

// Expectation attributes (enum ctattr_expect, ctattr_expect_nat).
const (
	ctaExpectMaster   = 1
	ctaExpectTuple    = 2
	ctaExpectMask     = 3
	ctaExpectTimeout  = 4
	ctaExpectID       = 5
	ctaExpectHelpName = 6
	ctaExpectZone     = 7
	ctaExpectFlags    = 8
	ctaExpectClass    = 9
	ctaExpectNAT      = 10
	ctaExpectFN       = 11

	ctaExpectNATDir   = 1
	ctaExpectNATTuple = 2
)

// Layer 4 protocol numbers the tuple code tells apart.
const (
	protoICMP    = 1
	protoTCP     = 6
	protoUDP     = 17
	protoDCCP    = 33
	protoICMPv6  = 58
	protoSCTP    = 132
	protoUDPLite = 136
	protoGRE     = 47
)
