package wireguard_test

import (
	"fmt"

	"github.com/nlkit/netlink/genetlink/wireguard"
)

// A private key in wg's base64 form, and its public key (wg pubkey).
func ExampleKey_PublicKey() {
	priv, err := wireguard.ParseKey("YAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=")
	if err != nil {
		panic(err)
	}
	fmt.Println(priv.PublicKey())
	// Output: Y2FD6uTgrq+/bbBAXCNOtE+PGk8Papoh7qaWBpQUXn0=
}
