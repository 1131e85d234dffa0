//go:build linux

package netlink

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestSizeConstants(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"HeaderLen vs NLMSG_HDRLEN", HeaderLen, unix.NLMSG_HDRLEN},
		{"HeaderLen vs sizeof(struct nlmsghdr)", HeaderLen, unix.SizeofNlMsghdr},
		{"HeaderLen", HeaderLen, 16},
		{"AttrHeaderLen vs NLA_HDRLEN", AttrHeaderLen, unix.NLA_HDRLEN},
		{"AttrHeaderLen vs sizeof(struct nlattr)", AttrHeaderLen, unix.SizeofNlAttr},
		{"AttrHeaderLen", AttrHeaderLen, 4},
		{"AlignTo vs NLMSG_ALIGNTO", AlignTo, unix.NLMSG_ALIGNTO},
		{"AlignTo vs NLA_ALIGNTO", AlignTo, unix.NLA_ALIGNTO},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, c.got, c.want)
		}
	}
}

// TestAlignMacros compares the helpers with the C macros. The expected values
// were printed by this program, built with gcc against the kernel's uapi
// headers (nla_attr_size and nla_total_size are kernel-internal, so their
// definitions from include/net/netlink.h are spelled out):
//
//	#include <stdio.h>
//	#include <linux/netlink.h>
//	#define NLA_ATTR_SIZE(p) (NLA_HDRLEN + (p))
//	#define NLA_TOTAL_SIZE(p) NLA_ALIGN(NLA_ATTR_SIZE(p))
//	int main(void) {
//		int ns[] = {0, 1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 20, 255, 256, 65531, 65532};
//		for (int i = 0; i < sizeof ns / sizeof ns[0]; i++) {
//			int n = ns[i];
//			printf("{%d, %d, %d, %d, %d, %d},\n", n, (int)NLMSG_ALIGN(n),
//			       (int)NLMSG_LENGTH(n), (int)NLMSG_SPACE(n),
//			       (int)NLA_ATTR_SIZE(n), (int)NLA_TOTAL_SIZE(n));
//		}
//	}
func TestAlignMacros(t *testing.T) {
	tests := []struct {
		n                       int
		align, msgLen, msgSpace int // NLMSG_ALIGN, NLMSG_LENGTH, NLMSG_SPACE
		attrLen, attrSpace      int // nla_attr_size, nla_total_size
	}{
		{0, 0, 16, 16, 4, 4},
		{1, 4, 17, 20, 5, 8},
		{2, 4, 18, 20, 6, 8},
		{3, 4, 19, 20, 7, 8},
		{4, 4, 20, 20, 8, 8},
		{5, 8, 21, 24, 9, 12},
		{7, 8, 23, 24, 11, 12},
		{8, 8, 24, 24, 12, 12},
		{12, 12, 28, 28, 16, 16},
		{15, 16, 31, 32, 19, 20},
		{16, 16, 32, 32, 20, 20},
		{17, 20, 33, 36, 21, 24},
		{20, 20, 36, 36, 24, 24},
		{255, 256, 271, 272, 259, 260},
		{256, 256, 272, 272, 260, 260},
		{65531, 65532, 65547, 65548, 65535, 65536},
		{65532, 65532, 65548, 65548, 65536, 65536},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			name      string
			got, want int
		}{
			{"Align (NLMSG_ALIGN, NLA_ALIGN)", Align(tt.n), tt.align},
			{"MessageLen (NLMSG_LENGTH)", MessageLen(tt.n), tt.msgLen},
			{"MessageSpace (NLMSG_SPACE)", MessageSpace(tt.n), tt.msgSpace},
			{"AttrLen (nla_attr_size)", AttrLen(tt.n), tt.attrLen},
			{"AttrSpace (nla_total_size)", AttrSpace(tt.n), tt.attrSpace},
		} {
			if c.got != c.want {
				t.Errorf("%s(%d) = %d, want %d", c.name, tt.n, c.got, c.want)
			}
		}
	}
}

// TestAlignExamples pins the values the issue names.
func TestAlignExamples(t *testing.T) {
	if got := MessageSpace(5); got != 24 {
		t.Errorf("NLMSG_SPACE(5) = %d, want 24", got)
	}
	if got := MessageLen(5); got != 21 {
		t.Errorf("NLMSG_LENGTH(5) = %d, want 21", got)
	}
	if got := Align(17); got != 20 {
		t.Errorf("NLMSG_ALIGN(17) = %d, want 20", got)
	}
	if got := AttrSpace(5); got != 12 {
		t.Errorf("nla_total_size(5) = %d, want 12", got)
	}
}

func TestAlignProperties(t *testing.T) {
	for n := 0; n < 1<<12; n++ {
		a := Align(n)
		if a%AlignTo != 0 || a < n || a-n >= AlignTo {
			t.Fatalf("Align(%d) = %d: not the next multiple of %d", n, a, AlignTo)
		}
		if MessageSpace(n) != Align(MessageLen(n)) || AttrSpace(n) != Align(AttrLen(n)) {
			t.Fatalf("Space(%d) is not Align(Len(%d))", n, n)
		}
	}
}
