//go:build !386

package xfrm

// u64Align is the alignment of a __u64 in a C structure: 8 on every
// 64-bit architecture and on 32-bit arm, mips and ppc.
const u64Align = 8
