package tc

// Constants x/sys/unix lacks, with Linux's values, from the kernel's uapi
// headers (linux/rtnetlink.h, linux/pkt_sched.h, linux/pkt_cls.h,
// linux/gen_stats.h and the linux/tc_act/ headers).

// struct tcmsg's attributes (enum TCA_*, linux/rtnetlink.h).
const (
	tcaKind         = 1  // TCA_KIND
	tcaOptions      = 2  // TCA_OPTIONS
	tcaStats        = 3  // TCA_STATS
	tcaXStats       = 4  // TCA_XSTATS
	tcaRate         = 5  // TCA_RATE
	tcaFcnt         = 6  // TCA_FCNT
	tcaStats2       = 7  // TCA_STATS2
	tcaPad          = 9  // TCA_PAD
	tcaDumpInvis    = 10 // TCA_DUMP_INVISIBLE
	tcaChain        = 11 // TCA_CHAIN
	tcaHWOffload    = 12 // TCA_HW_OFFLOAD
	tcaIngressBlock = 13 // TCA_INGRESS_BLOCK
	tcaEgressBlock  = 14 // TCA_EGRESS_BLOCK
	tcaExtWarnMsg   = 16 // TCA_EXT_WARN_MSG
)

// struct tcamsg's attributes (enum TCA_ROOT_*, linux/rtnetlink.h).
const (
	tcaRootTab     = 1 // TCA_ROOT_TAB (TCA_ACT_TAB)
	tcaRootFlags   = 2 // TCA_ROOT_FLAGS
	tcaRootCount   = 3 // TCA_ROOT_COUNT
	tcaRootExtWarn = 5 // TCA_ROOT_EXT_WARN
)

// An action's attributes (enum TCA_ACT_*, linux/pkt_cls.h).
const (
	tcaActKind    = 1 // TCA_ACT_KIND
	tcaActOptions = 2 // TCA_ACT_OPTIONS
	tcaActIndex   = 3 // TCA_ACT_INDEX
	tcaActStats   = 4 // TCA_ACT_STATS
	tcaActPad     = 5 // TCA_ACT_PAD
	tcaActCookie  = 6 // TCA_ACT_COOKIE
	tcaActInHW    = 10
)

// TCA_STATS2's attributes (enum TCA_STATS_*, linux/gen_stats.h).
const (
	tcaStatsBasic     = 1 // TCA_STATS_BASIC: struct gnet_stats_basic
	tcaStatsRateEst   = 2 // TCA_STATS_RATE_EST: struct gnet_stats_rate_est
	tcaStatsQueue     = 3 // TCA_STATS_QUEUE: struct gnet_stats_queue
	tcaStatsApp       = 4 // TCA_STATS_APP: the kind's xstats
	tcaStatsRateEst64 = 5 // TCA_STATS_RATE_EST64: struct gnet_stats_rate_est64
	tcaStatsBasicHW   = 7 // TCA_STATS_BASIC_HW
	tcaStatsPkt64     = 8 // TCA_STATS_PKT64
)

// Classifier flags (TCA_CLS_FLAGS_*, linux/pkt_cls.h).
const (
	FlagSkipHW    = 1 << 0 // TCA_CLS_FLAGS_SKIP_HW: do not offload to hardware
	FlagSkipSW    = 1 << 1 // TCA_CLS_FLAGS_SKIP_SW: run in hardware only
	FlagInHW      = 1 << 2 // TCA_CLS_FLAGS_IN_HW: the kernel reports the filter offloaded
	FlagNotInHW   = 1 << 3 // TCA_CLS_FLAGS_NOT_IN_HW: the kernel reports the filter not offloaded
	flagsSettable = FlagSkipHW | FlagSkipSW
)

// Verdicts: what an action tells the classifier (TC_ACT_*, linux/pkt_cls.h).
const (
	ActUnspec     int32 = -1      // TC_ACT_UNSPEC
	ActOK         int32 = 0       // TC_ACT_OK ("pass")
	ActReclassify int32 = 1       // TC_ACT_RECLASSIFY
	ActShot       int32 = 2       // TC_ACT_SHOT ("drop")
	ActPipe       int32 = 3       // TC_ACT_PIPE
	ActStolen     int32 = 4       // TC_ACT_STOLEN
	ActQueued     int32 = 5       // TC_ACT_QUEUED
	ActRepeat     int32 = 6       // TC_ACT_REPEAT
	ActRedirect   int32 = 7       // TC_ACT_REDIRECT
	ActTrap       int32 = 8       // TC_ACT_TRAP
	ActJump       int32 = 1 << 28 // TC_ACT_JUMP, ORed with a count
	ActGotoChain  int32 = 2 << 28 // TC_ACT_GOTO_CHAIN, ORed with a chain index
)

// Link layers of a struct tc_ratespec (TC_LINKLAYER_*, linux/pkt_sched.h).
const (
	LinkLayerUnaware  = 0 // TC_LINKLAYER_UNAWARE
	LinkLayerEthernet = 1 // TC_LINKLAYER_ETHERNET
	LinkLayerATM      = 2 // TC_LINKLAYER_ATM
)

// Ethernet protocols for Filter.Protocol (linux/if_ether.h), in host
// byte order as tc takes them.
const (
	ProtoAll    = 0x0003 // ETH_P_ALL
	ProtoIP     = 0x0800 // ETH_P_IP
	ProtoARP    = 0x0806 // ETH_P_ARP
	Proto8021Q  = 0x8100 // ETH_P_8021Q
	Proto8021AD = 0x88A8 // ETH_P_8021AD
	ProtoIPv6   = 0x86DD // ETH_P_IPV6
)

// Sizes of the kernel's structs.
const (
	tcmsgLen    = 20   // struct tcmsg
	tcamsgLen   = 4    // struct tcamsg
	ratespecLen = 12   // struct tc_ratespec
	rtabLen     = 1024 // TC_RTAB_SIZE
	tcGenLen    = 20   // tc_gen: index, capab, action, refcnt, bindcnt
)
