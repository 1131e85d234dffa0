package rtnetlink

import "os"

// openNetNS opens the network namespace file at path (NetNSPath), whose
// descriptor a request sends as IFLA_NET_NS_FD.
func openNetNS(path string) (*os.File, error) { return os.Open(path) }
