//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
)

// TestRun dumps netdev's devices as JSON and compares them with `ip -j
// link`, reads a veth's channels, and shows a kernel error with the path
// of the attribute its extended ACK points at and a request the spec
// refuses before it is sent.
func TestRun(t *testing.T) {
	ns := nstest.New(t)
	ns.Run(t, "link", "add", "va", "type", "veth", "peer", "name", "vb")
	ctx := context.Background()
	ynl := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"-netns", ns.Path}, args...), &out)
		return out.String(), err
	}

	out, err := ynl("-dump", "netdev", "dev-get")
	if err != nil {
		t.Fatal(err)
	}
	var links []struct{ Ifindex int }
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "link", "show")), &links); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(links) {
		t.Fatalf("%d devices:\n%s\nip link has %d", len(lines), out, len(links))
	}
	for i, line := range lines {
		var d struct{ Ifindex int }
		if err := json.Unmarshal([]byte(line), &d); err != nil || d.Ifindex != links[i].Ifindex {
			t.Errorf("line %q (%v), want ifindex %d", line, err, links[i].Ifindex)
		}
	}

	out, err = ynl("ethtool", "channels-get", `{"header":{"dev-name":"va"}}`)
	if err != nil || !strings.Contains(out, `"dev-name":"va"`) || !strings.Contains(out, `"rx-max":2`) {
		t.Errorf("channels-get: %s, %v", out, err)
	}

	_, err = ynl("ethtool", "linkinfo-get", `{"header":{"dev-name":"nosuch0"}}`)
	if err == nil || !strings.Contains(err.Error(), "no such device") || !strings.Contains(err.Error(), "[attribute linkinfo.header.dev-name]") {
		t.Errorf("linkinfo-get of a missing device: %v", err)
	}
	_, err = ynl("netdev", "dev-get", `{"ifindex":1,"xdp-features":3}`)
	if err == nil || !strings.Contains(err.Error(), "not sent") {
		t.Errorf("dev-get with xdp-features: %v, want refused before sending", err)
	}
	if out, err := ynl("-list", "netdev"); err != nil || !strings.Contains(out, "dev-get (do, dump) set dev") {
		t.Errorf("-list netdev: %s, %v", out, err)
	}
}
