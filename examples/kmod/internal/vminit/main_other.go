//go:build !linux

package main

import (
	"fmt"
	"os"
)

// main says that vminit needs Linux: it makes raw Linux system calls.
func main() {
	fmt.Fprintln(os.Stderr, "vminit: needs Linux")
	os.Exit(1)
}
