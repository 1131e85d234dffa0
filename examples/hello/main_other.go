//go:build !linux

package main

import (
	"fmt"
	"os"
)

// main says that hello needs Linux: it makes raw Linux system calls.
func main() {
	fmt.Fprintln(os.Stderr, "hello: needs Linux")
	os.Exit(1)
}
