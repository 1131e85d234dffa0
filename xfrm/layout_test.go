package xfrm

import "testing"

// TestLayout checks the structures' sizes against a C compiler's for the
// kernel's <linux/xfrm.h>: gcc's sizeof on amd64, and on 386 the sizes
// of the kernel's compat structures (net/xfrm/xfrm_compat.c), which are
// those of 32-bit x86.
func TestLayout(t *testing.T) {
	want64 := map[string][2]int{ // name: {amd64, 386}
		"xfrm_usersa_info":     {224, 220},
		"xfrm_userpolicy_info": {168, 164},
		"xfrm_user_expire":     {232, 224},
		"xfrm_user_polexpire":  {176, 168},
		"xfrm_user_acquire":    {280, 276},
		"xfrm_userspi_info":    {232, 228},
	}
	got := map[string]int{
		"xfrm_usersa_info":     usersaInfoLen,
		"xfrm_userpolicy_info": userpolicyLen,
		"xfrm_user_expire":     userExpireLen,
		"xfrm_user_polexpire":  userPolExpireLen,
		"xfrm_user_acquire":    userAcquireLen,
		"xfrm_userspi_info":    userSPIInfoLen,
	}
	col := 0
	if u64Align == 4 {
		col = 1
	}
	for name, w := range want64 {
		if got[name] != w[col] {
			t.Errorf("sizeof(struct %s) = %d, want %d", name, got[name], w[col])
		}
	}
	// The same everywhere: no __u64 in them.
	for name, sz := range map[string][2]int{
		"xfrm_selector": {selectorLen, 56}, "xfrm_id": {idLen, 24}, "xfrm_usersa_id": {usersaIDLen, 24},
		"xfrm_user_tmpl": {userTmplLen, 64}, "xfrm_encap_tmpl": {encapLen, 24}, "xfrm_userpolicy_id": {userpolicyIDLen, 64},
		"xfrm_algo": {algoLen, 68}, "xfrm_algo_auth": {algoAuthLen, 72}, "xfrm_algo_aead": {algoAEADLen, 72},
		"xfrm_replay_state_esn": {replayESNLen, 24}, "xfrm_user_mapping": {userMappingLen, 64},
		"xfrm_address_filter": {addressFilterLen, 36}, "xfrm_user_offload": {offloadLen, 8},
		"xfrm_userpolicy_type": {userpolicyTypeLen, 6}, "xfrm_lifetime_cfg": {lifetimeCfgLen, 64},
		"xfrm_user_migrate": {userMigrateLen, 76}, "xfrm_user_kmaddress": {userKMAddressLen, 40},
		"xfrm_user_report": {userReportLen, 60}, "xfrm_aevent_id": {aeventIDLen, 48},
	} {
		if sz[0] != sz[1] {
			t.Errorf("sizeof(struct %s) = %d, want %d", name, sz[0], sz[1])
		}
	}
}
