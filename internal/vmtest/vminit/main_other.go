//go:build !linux

package main

import (
	"fmt"
	"os"
)

// main says that vminit needs Linux: it is the init of a Linux VM.
func main() {
	fmt.Fprintln(os.Stderr, "vminit: needs Linux")
	os.Exit(1)
}
