package xfrm

import "strconv"

// Constants of <linux/xfrm.h>, <linux/in.h> and <linux/ipsec.h>, kept here
// with their kernel names: golang.org/x/sys/unix does not have them, and
// the package builds on every GOOS.

// Message types (XFRM_MSG_*).
const (
	msgNewSA         = 0x10 // XFRM_MSG_NEWSA
	msgDelSA         = 0x11 // XFRM_MSG_DELSA
	msgGetSA         = 0x12 // XFRM_MSG_GETSA
	msgNewPolicy     = 0x13 // XFRM_MSG_NEWPOLICY
	msgDelPolicy     = 0x14 // XFRM_MSG_DELPOLICY
	msgGetPolicy     = 0x15 // XFRM_MSG_GETPOLICY
	msgAllocSPI      = 0x16 // XFRM_MSG_ALLOCSPI
	msgAcquire       = 0x17 // XFRM_MSG_ACQUIRE
	msgExpire        = 0x18 // XFRM_MSG_EXPIRE
	msgUpdPolicy     = 0x19 // XFRM_MSG_UPDPOLICY
	msgUpdSA         = 0x1a // XFRM_MSG_UPDSA
	msgPolExpire     = 0x1b // XFRM_MSG_POLEXPIRE
	msgFlushSA       = 0x1c // XFRM_MSG_FLUSHSA
	msgFlushPolicy   = 0x1d // XFRM_MSG_FLUSHPOLICY
	msgNewAE         = 0x1e // XFRM_MSG_NEWAE
	msgGetAE         = 0x1f // XFRM_MSG_GETAE
	msgReport        = 0x20 // XFRM_MSG_REPORT
	msgMigrate       = 0x21 // XFRM_MSG_MIGRATE
	msgNewSADInfo    = 0x22 // XFRM_MSG_NEWSADINFO
	msgGetSADInfo    = 0x23 // XFRM_MSG_GETSADINFO
	msgNewSPDInfo    = 0x24 // XFRM_MSG_NEWSPDINFO
	msgGetSPDInfo    = 0x25 // XFRM_MSG_GETSPDINFO
	msgMapping       = 0x26 // XFRM_MSG_MAPPING
	msgSetDefault    = 0x27 // XFRM_MSG_SETDEFAULT
	msgGetDefault    = 0x28 // XFRM_MSG_GETDEFAULT
	netlinkXFRM      = 6    // NETLINK_XFRM
	ipsecProtoAny    = 255  // IPSEC_PROTO_ANY
	maxReplayESNBits = 4096 // XFRMA_REPLAY_ESN_MAX, in bits of the bitmap
)

// Attribute types (XFRMA_*).
const (
	attrAlgAuth       = 1  // XFRMA_ALG_AUTH: struct xfrm_algo
	attrAlgCrypt      = 2  // XFRMA_ALG_CRYPT: struct xfrm_algo
	attrAlgComp       = 3  // XFRMA_ALG_COMP: struct xfrm_algo
	attrEncap         = 4  // XFRMA_ENCAP: struct xfrm_encap_tmpl
	attrTmpl          = 5  // XFRMA_TMPL: struct xfrm_user_tmpl, one or more
	attrSA            = 6  // XFRMA_SA: struct xfrm_usersa_info
	attrPolicy        = 7  // XFRMA_POLICY: struct xfrm_userpolicy_info
	attrSecCtx        = 8  // XFRMA_SEC_CTX: struct xfrm_user_sec_ctx and the context
	attrLifetimeVal   = 9  // XFRMA_LTIME_VAL: struct xfrm_lifetime_cur
	attrReplayVal     = 10 // XFRMA_REPLAY_VAL: struct xfrm_replay_state
	attrReplayThresh  = 11 // XFRMA_REPLAY_THRESH: u32
	attrETimerThresh  = 12 // XFRMA_ETIMER_THRESH: u32
	attrSrcAddr       = 13 // XFRMA_SRCADDR: xfrm_address_t
	attrCoAddr        = 14 // XFRMA_COADDR: xfrm_address_t
	attrLastUsed      = 15 // XFRMA_LASTUSED: u64
	attrPolicyType    = 16 // XFRMA_POLICY_TYPE: struct xfrm_userpolicy_type
	attrMigrate       = 17 // XFRMA_MIGRATE
	attrAlgAEAD       = 18 // XFRMA_ALG_AEAD: struct xfrm_algo_aead
	attrKMAddress     = 19 // XFRMA_KMADDRESS
	attrAlgAuthTrunc  = 20 // XFRMA_ALG_AUTH_TRUNC: struct xfrm_algo_auth
	attrMark          = 21 // XFRMA_MARK: struct xfrm_mark
	attrTFCPad        = 22 // XFRMA_TFCPAD: u32
	attrReplayESNVal  = 23 // XFRMA_REPLAY_ESN_VAL: struct xfrm_replay_state_esn
	attrSAExtraFlags  = 24 // XFRMA_SA_EXTRA_FLAGS: u32
	attrProto         = 25 // XFRMA_PROTO: u8
	attrAddressFilter = 26 // XFRMA_ADDRESS_FILTER: struct xfrm_address_filter
	attrPad           = 27 // XFRMA_PAD
	attrOffloadDev    = 28 // XFRMA_OFFLOAD_DEV: struct xfrm_user_offload
	attrSetMark       = 29 // XFRMA_SET_MARK (XFRMA_OUTPUT_MARK): u32
	attrSetMarkMask   = 30 // XFRMA_SET_MARK_MASK: u32
	attrIfID          = 31 // XFRMA_IF_ID: u32
	attrMTimerThresh  = 32 // XFRMA_MTIMER_THRESH: u32
	attrSADir         = 33 // XFRMA_SA_DIR: u8 (Linux 6.10)
	attrNATKeepalive  = 34 // XFRMA_NAT_KEEPALIVE_INTERVAL: u32 (Linux 6.10)
	attrSAPCPU        = 35 // XFRMA_SA_PCPU: u32 (Linux 6.13)
)

// Attributes of XFRM_MSG_NEWSADINFO and XFRM_MSG_NEWSPDINFO.
const (
	attrSADCnt         = 1 // XFRMA_SAD_CNT: u32
	attrSADHInfo       = 2 // XFRMA_SAD_HINFO: struct xfrmu_sadhinfo
	attrSPDInfo        = 1 // XFRMA_SPD_INFO: struct xfrmu_spdinfo
	attrSPDHInfo       = 2 // XFRMA_SPD_HINFO: struct xfrmu_spdhinfo
	attrSPDIPv4HThresh = 3 // XFRMA_SPD_IPV4_HTHRESH: struct xfrmu_spdhthresh
	attrSPDIPv6HThresh = 4 // XFRMA_SPD_IPV6_HTHRESH: struct xfrmu_spdhthresh
)

// Group is an xfrm multicast group (XFRMNLGRP_*): the notifications a
// Watch receives.
type Group uint32

// The xfrm groups.
const (
	GroupAcquire Group = 1 // XFRMNLGRP_ACQUIRE: XFRM_MSG_ACQUIRE, the kernel asking a key manager for an SA
	GroupExpire  Group = 2 // XFRMNLGRP_EXPIRE: XFRM_MSG_EXPIRE and XFRM_MSG_POLEXPIRE
	GroupSA      Group = 3 // XFRMNLGRP_SA: SAs added, updated, deleted, flushed
	GroupPolicy  Group = 4 // XFRMNLGRP_POLICY: policies added, updated, deleted, flushed
	GroupAEvents Group = 5 // XFRMNLGRP_AEVENTS: replay and lifetime counters (XFRM_MSG_NEWAE)
	GroupReport  Group = 6 // XFRMNLGRP_REPORT: XFRM_MSG_REPORT
	GroupMigrate Group = 7 // XFRMNLGRP_MIGRATE: XFRM_MSG_MIGRATE
	GroupMapping Group = 8 // XFRMNLGRP_MAPPING: XFRM_MSG_MAPPING, a NAT mapping that changed
)

// Family is an address family: AFInet or AFInet6 (or 0, unspecified).
type Family uint16

// The address families of xfrm objects.
const (
	AFUnspec Family = 0  // AF_UNSPEC
	AFInet   Family = 2  // AF_INET
	AFInet6  Family = 10 // AF_INET6
)

// String returns "inet", "inet6", "unspec" or the number.
func (f Family) String() string {
	switch f {
	case AFUnspec:
		return "unspec"
	case AFInet:
		return "inet"
	case AFInet6:
		return "inet6"
	}
	return "family " + strconv.Itoa(int(f))
}

// Proto is the protocol of an SA (the IPPROTO_* number of struct xfrm_id).
type Proto uint8

// The protocols of xfrm states.
const (
	ProtoAny    Proto = 0   // any protocol, in flushes and filters
	ProtoRoute2 Proto = 43  // IPPROTO_ROUTING: Mobile IPv6 type 2 routing header ("route2")
	ProtoESP    Proto = 50  // IPPROTO_ESP
	ProtoAH     Proto = 51  // IPPROTO_AH
	ProtoHAO    Proto = 60  // IPPROTO_DSTOPTS: Mobile IPv6 home address option ("hao")
	ProtoComp   Proto = 108 // IPPROTO_COMP: IP payload compression
	ProtoIPsec  Proto = 255 // IPSEC_PROTO_ANY: ESP, AH or IPcomp, in templates
)

// String names p as ip xfrm does: "esp", "ah", "comp", "route2", "hao",
// "ipsec-any", or the number.
func (p Proto) String() string {
	switch p {
	case ProtoESP:
		return "esp"
	case ProtoAH:
		return "ah"
	case ProtoComp:
		return "comp"
	case ProtoRoute2:
		return "route2"
	case ProtoHAO:
		return "hao"
	case ProtoIPsec:
		return "ipsec-any"
	}
	return strconv.Itoa(int(p))
}

// Mode is an SA's or a template's mode (XFRM_MODE_*).
type Mode uint8

// The modes.
const (
	ModeTransport Mode = 0 // XFRM_MODE_TRANSPORT
	ModeTunnel    Mode = 1 // XFRM_MODE_TUNNEL
	ModeRO        Mode = 2 // XFRM_MODE_ROUTEOPTIMIZATION
	ModeInTrigger Mode = 3 // XFRM_MODE_IN_TRIGGER
	ModeBEET      Mode = 4 // XFRM_MODE_BEET
	ModeIPTFS     Mode = 5 // XFRM_MODE_IPTFS (Linux 6.14)
)

// String names m as ip xfrm does: "transport", "tunnel", "ro",
// "in_trigger", "beet", "iptfs", or the number.
func (m Mode) String() string {
	switch m {
	case ModeTransport:
		return "transport"
	case ModeTunnel:
		return "tunnel"
	case ModeRO:
		return "ro"
	case ModeInTrigger:
		return "in_trigger"
	case ModeBEET:
		return "beet"
	case ModeIPTFS:
		return "iptfs"
	}
	return strconv.Itoa(int(m))
}

// Dir is a policy's direction (XFRM_POLICY_IN, _OUT, _FWD).
type Dir uint8

// The directions.
const (
	DirIn  Dir = 0 // XFRM_POLICY_IN
	DirOut Dir = 1 // XFRM_POLICY_OUT
	DirFwd Dir = 2 // XFRM_POLICY_FWD
)

// String returns "in", "out", "fwd" or the number.
func (d Dir) String() string {
	switch d {
	case DirIn:
		return "in"
	case DirOut:
		return "out"
	case DirFwd:
		return "fwd"
	}
	return strconv.Itoa(int(d))
}

// Action is what a policy does with the packets it selects.
type Action uint8

// The actions.
const (
	ActionAllow Action = 0 // XFRM_POLICY_ALLOW
	ActionBlock Action = 1 // XFRM_POLICY_BLOCK
)

// String returns "allow", "block" or the number.
func (a Action) String() string {
	switch a {
	case ActionAllow:
		return "allow"
	case ActionBlock:
		return "block"
	}
	return strconv.Itoa(int(a))
}

// PolicyType is a policy's type (XFRM_POLICY_TYPE_*): main or sub.
type PolicyType uint8

// The policy types.
const (
	PolicyMain PolicyType = 0   // XFRM_POLICY_TYPE_MAIN
	PolicySub  PolicyType = 1   // XFRM_POLICY_TYPE_SUB (CONFIG_XFRM_SUB_POLICY)
	PolicyAny  PolicyType = 255 // XFRM_POLICY_TYPE_ANY
)

// String returns "main", "sub", "any" or the number.
func (t PolicyType) String() string {
	switch t {
	case PolicyMain:
		return "main"
	case PolicySub:
		return "sub"
	case PolicyAny:
		return "any"
	}
	return strconv.Itoa(int(t))
}

// Share says who may use an SA a template or policy makes (XFRM_SHARE_*).
type Share uint8

// The share values.
const (
	ShareAny     Share = 0 // XFRM_SHARE_ANY
	ShareSession Share = 1 // XFRM_SHARE_SESSION
	ShareUser    Share = 2 // XFRM_SHARE_USER
	ShareUnique  Share = 3 // XFRM_SHARE_UNIQUE
)

// String returns "any", "session", "user", "unique" or the number.
func (s Share) String() string {
	switch s {
	case ShareAny:
		return "any"
	case ShareSession:
		return "session"
	case ShareUser:
		return "user"
	case ShareUnique:
		return "unique"
	}
	return strconv.Itoa(int(s))
}

// StateFlags are the flags of struct xfrm_usersa_info (XFRM_STATE_*).
type StateFlags uint8

// The state flags.
const (
	StateNoECN      StateFlags = 1   // XFRM_STATE_NOECN
	StateDecapDSCP  StateFlags = 2   // XFRM_STATE_DECAP_DSCP
	StateNoPMTUDisc StateFlags = 4   // XFRM_STATE_NOPMTUDISC
	StateWildRecv   StateFlags = 8   // XFRM_STATE_WILDRECV
	StateICMP       StateFlags = 16  // XFRM_STATE_ICMP
	StateAFUnspec   StateFlags = 32  // XFRM_STATE_AF_UNSPEC
	StateAlign4     StateFlags = 64  // XFRM_STATE_ALIGN4
	StateESN        StateFlags = 128 // XFRM_STATE_ESN
)

// The extra flags of XFRMA_SA_EXTRA_FLAGS.
const (
	ExtraDontEncapDSCP uint32 = 1 // XFRM_SA_XFLAG_DONT_ENCAP_DSCP
	ExtraOSeqMayWrap   uint32 = 2 // XFRM_SA_XFLAG_OSEQ_MAY_WRAP
)

// PolicyFlags are the flags of struct xfrm_userpolicy_info.
type PolicyFlags uint8

// The policy flags.
const (
	PolicyLocalOK PolicyFlags = 1 // XFRM_POLICY_LOCALOK
	PolicyICMP    PolicyFlags = 2 // XFRM_POLICY_ICMP
)

// The flags of struct xfrm_user_offload.
const (
	OffloadIPv6    uint8 = 1 // XFRM_OFFLOAD_IPV6
	OffloadInbound uint8 = 2 // XFRM_OFFLOAD_INBOUND
	OffloadPacket  uint8 = 4 // XFRM_OFFLOAD_PACKET
)

// SADir is the direction of an SA (XFRMA_SA_DIR, Linux 6.10), 0 when it
// has none.
type SADir uint8

// The SA directions.
const (
	SAIn  SADir = 1 // XFRM_SA_DIR_IN
	SAOut SADir = 2 // XFRM_SA_DIR_OUT
)

// Inf is XFRM_INF, a lifetime limit that never runs out.
const Inf = ^uint64(0)
