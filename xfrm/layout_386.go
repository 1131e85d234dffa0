package xfrm

// u64Align is the alignment of a __u64 in a C structure: 4 on 386.
const u64Align = 4
