package rtnetlink

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/nlkit/netlink/internal/uapi"
)

// TestRuleDSCPZeroWithoutMask: kernels 6.13 to 6.15 (and Debian's 6.12,
// which has FRA_DSCP backported) list a rule of "dscp 0" with FRA_DSCP 0
// and no FRA_DSCP_MASK. It parses as a rule other than the same rule
// without a DSCP, with the attribute in Other, and a request for it (to
// delete it as listed) sends FRA_DSCP 0, without a mask the kernel would
// not know. As 6.16 and later list it, with the mask 0x3f, it is
// DSCPMask 0x3f.
func TestRuleDSCPZeroWithoutMask(t *testing.T) {
	hdr := []byte{
		uapi.AF_INET, 0, 0, 0, // family, dst_len, src_len, tos
		100, 0, 0, uapi.FR_ACT_TO_TBL, // table, res1, res2, action
		0, 0, 0, 0, // flags
		8, 0, uapi.FRA_PRIORITY, 0, 5, 0, 0, 0,
	}
	dscp0 := []byte{5, 0, fraDSCP, 0, 0, 0, 0, 0}
	mask := []byte{5, 0, fraDSCPMask, 0, 0x3f, 0, 0, 0}
	parse := func(attrs ...[]byte) Rule {
		t.Helper()
		r, err := ParseRule(asReply(uapi.RTM_NEWRULE, bytes.Join(append([][]byte{hdr}, attrs...), nil)))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	plain := parse()
	old := parse(dscp0)
	want := plain
	want.Other = RawAttrs(dscp0)
	if !reflect.DeepEqual(old, want) {
		t.Errorf("dscp 0 without a mask parses as %+v, want %+v", old, want)
	}
	req, err := old.encode(uapi.RTM_DELRULE)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(req, dscp0) || bytes.Contains(req, []byte{5, 0, fraDSCPMask, 0}) {
		t.Errorf("its request % x has no FRA_DSCP 0, or a mask", req)
	}
	if again, err := ParseRule(asReply(uapi.RTM_NEWRULE, req)); err != nil || !reflect.DeepEqual(again, old) {
		t.Errorf("its request parses as %+v, %v; want %+v", again, err, old)
	}
	if plainReq, err := plain.encode(uapi.RTM_DELRULE); err != nil || bytes.Contains(plainReq, dscp0) {
		t.Errorf("the rule without a DSCP sends % x, %v", plainReq, err)
	}
	// Changed to DSCP 8, the listed rule sends FRA_DSCP 8 alone: the kept
	// 0 gives way (the kernel would take the last of the two).
	changed := old
	changed.DSCP = 8
	req, err = changed.encode(uapi.RTM_NEWRULE)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(req, dscp0) || !bytes.Contains(req, []byte{5, 0, fraDSCP, 0, 8, 0, 0, 0}) {
		t.Errorf("the listed DSCP 0 rule changed to DSCP 8 sends % x", req)
	}
	if again, err := ParseRule(asReply(uapi.RTM_NEWRULE, req)); err != nil || again.DSCP != 8 || len(again.Other) != 0 {
		t.Errorf("its request parses as %+v, %v", again, err)
	}

	now := parse(dscp0, mask)
	want = plain
	want.DSCPMask = 0x3f
	if !reflect.DeepEqual(now, want) {
		t.Errorf("dscp 0 with the mask 0x3f parses as %+v, want %+v", now, want)
	}
	// A DSCP other than 0 needs no help from Other, with or without a mask.
	eight := parse([]byte{5, 0, fraDSCP, 0, 8, 0, 0, 0})
	want = plain
	want.DSCP = 8
	if !reflect.DeepEqual(eight, want) {
		t.Errorf("dscp 8 without a mask parses as %+v, want %+v", eight, want)
	}
}
