//go:build linux

package main

import (
	"bytes"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
)

// TestTshark decodes a capture of a link dump, an address change and a
// family lookup with Wireshark's dissectors. It skips without tshark
// (Debian's tshark package) unless NLKIT_E2E=1.
func TestTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("NLKIT_E2E") == "1" {
			t.Fatal("NLKIT_E2E=1 and no tshark: apt-get install tshark")
		}
		t.Skip("needs tshark (apt-get install tshark)")
	}
	ns := nstest.New(t)
	var b bytes.Buffer
	if err := capture(&b, ns.Path, "nlctrl", netip.MustParsePrefix("192.0.2.7/32")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "nl.pcap")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tshark, "-r", file, "-V").CombinedOutput()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{
		"Linux netlink (cooked header)",
		"Family: Route (0x0000)",
		"Family: Generic (0x0010)",
		// Header fields, in tshark 4.0's words.
		"Message type: Get network interface info (18)",
		"Message type: Create network interface (16)",
		"Message type: Add IP address (20)",
		"Message type: Delete IP address (21)",
		"Message type: End of a dump (0x0003)",
		"Flags: 0x0305", // REQUEST|ACK|DUMP
		"Sequence: 2147483649",
		// rtnetlink and genetlink attributes.
		"Device name: lo",
		"Address: 192.0.2.7",
		"Command: CTRL_CMD_GETFAMILY (3)",
		"Family Name: nlctrl",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("tshark's decoding lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("tshark -V:\n%s", text)
	}
}
