// Package xfrm is the typed layer for NETLINK_XFRM, the kernel's IPsec
// configuration that ip xfrm shows: SAs (State: algorithms, encapsulation,
// replay windows with or without extended sequence numbers, lifetimes,
// marks, interface IDs), policies (Policy: selectors, directions,
// priorities, actions, templates), their counts (SAInfo, SPDInfo), and
// the notifications of key managers (Watch: acquire, expire, changes,
// flushes, NAT mapping changes).
//
// It runs on the root package's *netlink.Conn. Each call's doc names the
// message it sends. Objects listed keep the attributes the package does
// not decode and send them back, so a listed SA or policy can be deleted,
// updated or re-added exactly.
//
// The kernel's structures are written field by field at the offsets C
// gives them (struct xfrm_usersa_info is 224 bytes on 64-bit targets, 220
// on 386; addresses are 16-byte xfrm_address_t; SPIs and ports are
// big-endian), and each request is checked before it is sent for what
// the kernel would refuse with a bare EINVAL: a key of the wrong length
// for its cipher, a missing SPI, addresses of mixed families.
//
// # Other platforms
//
// The package builds on every GOOS: the types and parsers work
// everywhere, and Dial fails off Linux with an error wrapping
// errors.ErrUnsupported. Package xfrmtest is a fake kernel for tests of
// code that uses this package, with no root and no Linux.
package xfrm
