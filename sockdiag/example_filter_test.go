package sockdiag_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/nlkit/netlink/sockdiag"
)

// Compile turns an ss-like expression into the request's state mask and
// INET_DIAG bytecode for the kernel to run.
func ExampleCompile() {
	f, err := sockdiag.Compile("state established and dport = :443 and src 198.18.0.0/16", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("states:", f.States)
	fmt.Printf("bytecode: % x\n", f.Bytecode)
	// Output:
	// states: established
	// bytecode: 0c 08 1c 00 00 00 bb 01 07 10 14 00 02 10 00 00 ff ff ff ff c6 12 00 00
}

// A bad expression is refused with the offset of its bad token.
func ExampleSyntaxError() {
	_, err := sockdiag.Compile("dport = :443 and srcc 198.18.0.0/16", nil)
	var se *sockdiag.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Pos, se.Token, errors.Is(err, os.ErrInvalid))
		fmt.Println(err)
	}
	// Output:
	// 17 srcc true
	// sockdiag: filter: unknown term at offset 17 ("srcc")
}

// Or, not and parentheses compile to jumps.
func ExampleCompile_or() {
	f := sockdiag.MustCompile("( sport = :80 or sport = :443 ) and not autobound")
	for b := f.Bytecode; len(b) > 0; b = b[4:] {
		fmt.Printf("% x\n", b[:4])
	}
	// Output:
	// 0b 08 0c 00
	// 00 00 50 00
	// 01 04 0c 00
	// 0b 08 14 00
	// 00 00 bb 01
	// 06 04 08 00
	// 01 04 08 00
}
