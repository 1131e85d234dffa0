package xfrm_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/nlkit/netlink/xfrm"
	"github.com/nlkit/netlink/xfrm/xfrmtest"
)

// A state the kernel would refuse with a bare EINVAL is refused before it
// is sent, naming the request, the state and the reason. (The Conn here is
// xfrmtest's fake kernel; xfrm.Dial(nil) gives the kernel's.)
func Example_checkedBeforeSending() {
	c, _ := xfrmtest.New().Dial(nil)
	defer c.Close()
	s := xfrm.State{
		Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"),
		Proto: xfrm.ProtoESP, SPI: 0x100, Mode: xfrm.ModeTunnel, Lifetime: xfrm.NoLimits(),
		AEAD: &xfrm.AEADAlgorithm{Name: "rfc4106(gcm(aes))", Key: make([]byte, 16), ICVLen: 128},
	}
	err := c.AddState(context.Background(), &s)
	fmt.Println(err)
	fmt.Println(errors.Is(err, os.ErrInvalid))

	s.AEAD.Key = make([]byte, 20) // a 128-bit AES key and the 32-bit salt
	fmt.Println(c.AddState(context.Background(), &s))
	// Output:
	// netlink xfrm XFRM_MSG_NEWSA state esp spi 0x100 198.18.0.1->198.18.0.2: invalid argument: aead rfc4106(gcm(aes)): a 128-bit key, want 160, 224 or 288 bits
	// true
	// <nil>
}
