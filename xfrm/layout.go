package xfrm

// The sizes of the kernel's structures (<linux/xfrm.h>), as a C compiler
// lays them out for the target: the structures holding a __u64 end with
// padding up to the __u64 alignment, 8 bytes on every architecture but
// 386, where it is 4 (the kernel's xfrm_compat translates those for 32-bit
// programs on 64-bit kernels).
const (
	addrLen            = 16 // xfrm_address_t
	selectorLen        = 56 // struct xfrm_selector
	idLen              = 24 // struct xfrm_id
	lifetimeCfgLen     = 64 // struct xfrm_lifetime_cfg
	lifetimeCurLen     = 32 // struct xfrm_lifetime_cur
	statsLen           = 12 // struct xfrm_stats
	usersaIDLen        = 24 // struct xfrm_usersa_id
	userTmplLen        = 64 // struct xfrm_user_tmpl
	encapLen           = 24 // struct xfrm_encap_tmpl
	markLen            = 8  // struct xfrm_mark
	userpolicyIDLen    = 64 // struct xfrm_userpolicy_id
	algoLen            = 68 // struct xfrm_algo, without the key
	algoAuthLen        = 72 // struct xfrm_algo_auth, without the key
	algoAEADLen        = 72 // struct xfrm_algo_aead, without the key
	algoNameLen        = 64 // the alg_name of the three
	replayLen          = 12 // struct xfrm_replay_state
	replayESNLen       = 24 // struct xfrm_replay_state_esn, without the bitmap
	offloadLen         = 8  // struct xfrm_user_offload
	userpolicyTypeLen  = 6  // struct xfrm_userpolicy_type
	userMappingLen     = 64 // struct xfrm_user_mapping
	addressFilterLen   = 36 // struct xfrm_address_filter
	userSecCtxLen      = 8  // struct xfrm_user_sec_ctx, without the context
	usersaFlushLen     = 1  // struct xfrm_usersa_flush
	userReportLen      = 60 // struct xfrm_user_report
	spdInfoLen         = 24 // struct xfrmu_spdinfo
	spdHInfoLen        = 8  // struct xfrmu_spdhinfo
	sadHInfoLen        = 8  // struct xfrmu_sadhinfo
	spdHThreshLen      = 2  // struct xfrmu_spdhthresh
	userpolicyDefLen   = 3  // struct xfrm_userpolicy_default
	aeventIDLen        = 48 // struct xfrm_aevent_id
	userMigrateLen     = 76 // struct xfrm_user_migrate
	userKMAddressLen   = 40 // struct xfrm_user_kmaddress
	userAcquirePolicy  = 96 // offset of policy in struct xfrm_user_acquire
	usersaInfoUnpadded = 217
	userpolicyUnpadded = 164

	usersaInfoLen    = (usersaInfoUnpadded + u64Align - 1) &^ (u64Align - 1)                     // struct xfrm_usersa_info: 224 (386: 220)
	userpolicyLen    = (userpolicyUnpadded + u64Align - 1) &^ (u64Align - 1)                     // struct xfrm_userpolicy_info: 168 (386: 164)
	userExpireLen    = (usersaInfoLen + 1 + u64Align - 1) &^ (u64Align - 1)                      // struct xfrm_user_expire: 232 (386: 224)
	userPolExpireLen = (userpolicyLen + 1 + u64Align - 1) &^ (u64Align - 1)                      // struct xfrm_user_polexpire: 176 (386: 168)
	userAcquireLen   = (userAcquirePolicy + userpolicyLen + 16 + u64Align - 1) &^ (u64Align - 1) // struct xfrm_user_acquire: 280 (386: 276)
	userSPIInfoLen   = usersaInfoLen + 8                                                         // struct xfrm_userspi_info: 232 (386: 228)
)

// Offsets in struct xfrm_usersa_info.
const (
	saSel          = 0
	saID           = 56
	saSaddr        = 80
	saLft          = 96
	saCurLft       = 160
	saStats        = 192
	saSeq          = 204
	saReqID        = 208
	saFamily       = 212
	saMode         = 214
	saReplayWindow = 215
	saFlags        = 216
)

// Offsets in struct xfrm_userpolicy_info.
const (
	polSel      = 0
	polLft      = 56
	polCurLft   = 120
	polPriority = 152
	polIndex    = 156
	polDir      = 160
	polAction   = 161
	polFlags    = 162
	polShare    = 163
)
