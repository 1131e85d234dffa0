package vmtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// KernelConfig returns the value of option (such as "CONFIG_INET_PSP")
// in the build configuration of the running kernel: "y", "m", or the
// string or number the configuration gives it, without quotes; "" when
// the option is not set. Tests call it to tell a kernel that lacks a
// feature because it was built without it (Debian's kernels leave
// options off) from one that should have it. In a VM it reads the
// configuration the harness copied in from the kernel's package; on the
// host, /boot/config-RELEASE. The error says why the configuration could
// not be read.
func KernelConfig(option string) (string, error) {
	path := guestConfig
	if _, ok := Guest(); !ok {
		rel, err := os.ReadFile("/proc/sys/kernel/osrelease")
		if err != nil {
			return "", fmt.Errorf("vmtest: kernel configuration: %w", err)
		}
		path = "/boot/config-" + strings.TrimSpace(string(rel))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("vmtest: kernel configuration: %w", err)
	}
	return configValue(b, option), nil
}

// configValue returns option's value in the Kconfig file data ("" when
// it is not set, or absent), with a string's quotes removed.
func configValue(data []byte, option string) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || name != option {
			continue
		}
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		return v
	}
	return ""
}
