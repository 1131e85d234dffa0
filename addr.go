package netlink

import "fmt"

// Addr is a netlink socket address, struct sockaddr_nl: a port ID and a
// bitmask of multicast groups 1 to 32. It implements net.Addr.
type Addr struct {
	PortID uint32 // nl_pid: the socket's port; 0 is the kernel
	Groups uint32 // nl_groups: bit n-1 stands for multicast group n
}

// Network returns "netlink".
func (a Addr) Network() string { return "netlink" }

// String prints the port ID, and the group mask when it is not zero.
func (a Addr) String() string {
	if a.Groups == 0 {
		return fmt.Sprintf("port %d", a.PortID)
	}
	return fmt.Sprintf("port %d groups %#x", a.PortID, a.Groups)
}
