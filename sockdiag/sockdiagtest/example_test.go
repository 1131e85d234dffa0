package sockdiagtest_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/nlkit/netlink/sockdiag"
	"github.com/nlkit/netlink/sockdiag/sockdiagtest"
)

// httpsClients is the code under test: it counts the established
// connections to port 443 of both families, with a filter the kernel
// runs.
func httpsClients(ctx context.Context, c *sockdiag.Conn) (int, error) {
	f, err := sockdiag.Compile("state established and dport = :443", nil)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, fam := range []sockdiag.Family{sockdiag.IPv4, sockdiag.IPv6} {
		req := sockdiag.InetRequest{Family: fam, Protocol: sockdiag.ProtoTCP, States: f.States, Filter: f}
		for _, err := range c.InetSockets(ctx, req) {
			if err != nil {
				return 0, err
			}
			n++
		}
	}
	return n, nil
}

// A unit test of httpsClients on the fake kernel: no root, no Linux.
func ExampleNew() {
	k := sockdiagtest.New()
	tcp := func(fam sockdiag.Family, st sockdiag.State, src, dst string) {
		k.AddInet(sockdiagtest.InetSocket{
			Protocol: sockdiag.ProtoTCP, Family: fam, State: st,
			Src: netip.MustParseAddrPort(src), Dst: netip.MustParseAddrPort(dst),
		})
	}
	tcp(sockdiag.IPv4, sockdiag.StateEstablished, "198.18.0.2:40000", "198.18.0.1:443")
	tcp(sockdiag.IPv6, sockdiag.StateEstablished, "[2001:db8::2]:40001", "[2001:db8::1]:443")
	tcp(sockdiag.IPv4, sockdiag.StateSynSent, "198.18.0.2:40002", "198.18.0.1:443")
	tcp(sockdiag.IPv4, sockdiag.StateEstablished, "198.18.0.2:40003", "198.18.0.1:80")
	tcp(sockdiag.IPv4, sockdiag.StateListen, "0.0.0.0:443", "0.0.0.0:0")

	c, err := k.Dial(nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	n, err := httpsClients(context.Background(), c)
	fmt.Println(n, err)
	// Output:
	// 2 <nil>
}
