//go:build !linux

package main

import (
	"fmt"
	"os"
)

// main says that capture needs Linux: it makes raw Linux system calls.
func main() {
	fmt.Fprintln(os.Stderr, "capture: needs Linux")
	os.Exit(1)
}
