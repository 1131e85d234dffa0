package nftables

import "fmt"

// Family is a table's address family (NFPROTO_*).
type Family uint8

// The families of nf_tables (include/uapi/linux/netfilter.h).
const (
	FamilyUnspec Family = 0  // NFPROTO_UNSPEC: every family, in requests that list
	FamilyINet   Family = 1  // NFPROTO_INET: IPv4 and IPv6
	FamilyIPv4   Family = 2  // NFPROTO_IPV4
	FamilyARP    Family = 3  // NFPROTO_ARP
	FamilyNetdev Family = 5  // NFPROTO_NETDEV
	FamilyBridge Family = 7  // NFPROTO_BRIDGE
	FamilyIPv6   Family = 10 // NFPROTO_IPV6
)

// String returns the family's name as nft writes it.
func (f Family) String() string {
	switch f {
	case FamilyUnspec:
		return "unspec"
	case FamilyINet:
		return "inet"
	case FamilyIPv4:
		return "ip"
	case FamilyARP:
		return "arp"
	case FamilyNetdev:
		return "netdev"
	case FamilyBridge:
		return "bridge"
	case FamilyIPv6:
		return "ip6"
	}
	return fmt.Sprintf("family(%d)", uint8(f))
}

// ParseFamily returns the family nft calls name.
func ParseFamily(name string) (Family, error) {
	for _, f := range []Family{FamilyINet, FamilyIPv4, FamilyARP, FamilyNetdev, FamilyBridge, FamilyIPv6} {
		if f.String() == name {
			return f, nil
		}
	}
	return 0, fmt.Errorf("nftables: unknown family %q", name)
}
