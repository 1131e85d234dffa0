package conntrack

import (
	"strconv"
	"strings"
)

// Status is an entry's status bits (CTA_STATUS, enum ip_conntrack_status
// in include/uapi/linux/netfilter/nf_conntrack_common.h).
type Status uint32

// The status bits.
const (
	StatusExpected     Status = 1 << 0  // IPS_EXPECTED: an expected connection
	StatusSeenReply    Status = 1 << 1  // IPS_SEEN_REPLY: packets went both ways
	StatusAssured      Status = 1 << 2  // IPS_ASSURED: never dropped early
	StatusConfirmed    Status = 1 << 3  // IPS_CONFIRMED: in the table
	StatusSrcNAT       Status = 1 << 4  // IPS_SRC_NAT: source NAT
	StatusDstNAT       Status = 1 << 5  // IPS_DST_NAT: destination NAT
	StatusSeqAdjust    Status = 1 << 6  // IPS_SEQ_ADJUST: sequence numbers adjusted
	StatusSrcNATDone   Status = 1 << 7  // IPS_SRC_NAT_DONE
	StatusDstNATDone   Status = 1 << 8  // IPS_DST_NAT_DONE
	StatusDying        Status = 1 << 9  // IPS_DYING: being removed
	StatusFixedTimeout Status = 1 << 10 // IPS_FIXED_TIMEOUT
	StatusTemplate     Status = 1 << 11 // IPS_TEMPLATE
	StatusUntracked    Status = 1 << 12 // IPS_UNTRACKED
	StatusHelper       Status = 1 << 13 // IPS_HELPER: a helper was set explicitly
	StatusOffload      Status = 1 << 14 // IPS_OFFLOAD: in a flowtable
	StatusHWOffload    Status = 1 << 15 // IPS_HW_OFFLOAD: offloaded to hardware
)

var statusNames = [...]string{
	"EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED", "SRC_NAT", "DST_NAT",
	"SEQ_ADJUST", "SRC_NAT_DONE", "DST_NAT_DONE", "DYING", "FIXED_TIMEOUT",
	"TEMPLATE", "UNTRACKED", "HELPER", "OFFLOAD", "HW_OFFLOAD",
}

// String prints the bits joined by "|", as "SEEN_REPLY|ASSURED|CONFIRMED";
// bits without a name print as numbers.
func (s Status) String() string {
	if s == 0 {
		return "0"
	}
	var b strings.Builder
	for i := range 32 {
		if s&(1<<i) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		if i < len(statusNames) {
			b.WriteString(statusNames[i])
		} else {
			b.WriteString("0x" + strconv.FormatUint(1<<i, 16))
		}
	}
	return b.String()
}

// TCPState is the TCP connection tracking state
// (CTA_PROTOINFO_TCP_STATE, enum tcp_conntrack).
type TCPState uint8

// The TCP states.
const (
	TCPNone        TCPState = iota // TCP_CONNTRACK_NONE
	TCPSynSent                     // TCP_CONNTRACK_SYN_SENT
	TCPSynRecv                     // TCP_CONNTRACK_SYN_RECV
	TCPEstablished                 // TCP_CONNTRACK_ESTABLISHED
	TCPFinWait                     // TCP_CONNTRACK_FIN_WAIT
	TCPCloseWait                   // TCP_CONNTRACK_CLOSE_WAIT
	TCPLastAck                     // TCP_CONNTRACK_LAST_ACK
	TCPTimeWait                    // TCP_CONNTRACK_TIME_WAIT
	TCPClose                       // TCP_CONNTRACK_CLOSE
	TCPSynSent2                    // TCP_CONNTRACK_SYN_SENT2
)

var tcpStateNames = [...]string{
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
	"LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
}

// String names the state as conntrack prints it: "ESTABLISHED".
func (s TCPState) String() string {
	if int(s) < len(tcpStateNames) {
		return tcpStateNames[s]
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// SCTPState is the SCTP connection tracking state
// (CTA_PROTOINFO_SCTP_STATE, enum sctp_conntrack).
type SCTPState uint8

// The SCTP states.
const (
	SCTPNone            SCTPState = iota // SCTP_CONNTRACK_NONE
	SCTPClosed                           // SCTP_CONNTRACK_CLOSED
	SCTPCookieWait                       // SCTP_CONNTRACK_COOKIE_WAIT
	SCTPCookieEchoed                     // SCTP_CONNTRACK_COOKIE_ECHOED
	SCTPEstablished                      // SCTP_CONNTRACK_ESTABLISHED
	SCTPShutdownSent                     // SCTP_CONNTRACK_SHUTDOWN_SENT
	SCTPShutdownRecd                     // SCTP_CONNTRACK_SHUTDOWN_RECD
	SCTPShutdownAckSent                  // SCTP_CONNTRACK_SHUTDOWN_ACK_SENT
	SCTPHeartbeatSent                    // SCTP_CONNTRACK_HEARTBEAT_SENT
	SCTPHeartbeatAcked                   // SCTP_CONNTRACK_HEARTBEAT_ACKED (no longer used)
)

var sctpStateNames = [...]string{
	"NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED",
	"SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT",
	"HEARTBEAT_ACKED",
}

// String names the state as conntrack prints it: "ESTABLISHED".
func (s SCTPState) String() string {
	if int(s) < len(sctpStateNames) {
		return sctpStateNames[s]
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}
