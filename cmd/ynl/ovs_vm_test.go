//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
)

// TestRunOVSVM runs TestRunOVS in a VM of Debian's 6.12, which has the
// openvswitch module the host lacks (with NLKIT_VM=1; see
// internal/vmtest).
func TestRunOVSVM(t *testing.T) {
	vmtest.Run(t, vmtest.Config{Kernel: "6.12", Modules: []string{"openvswitch"}}, func(t *testing.T) {
		t.Run("RunOVS", TestRunOVS)
	})
}

// TestRunOVS drives the Open vSwitch families, whose messages carry a
// fixed header (dp-ifindex), from JSON: it makes a datapath, reads its
// ifindex from a get's reply, checked against `ip link`, lists its ports
// by that ifindex, installs a flow whose actions are a list, dumps it,
// and deletes the datapath. It needs the openvswitch module
// (TestRunOVSVM).
func TestRunOVS(t *testing.T) {
	if _, ok := vmtest.Guest(); !ok {
		t.Skip("runs inside the VM of TestRunOVSVM: it needs the openvswitch module")
	}
	ns := nstest.New(t)
	ctx := context.Background()
	ynl := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, append([]string{"-netns", ns.Path}, args...), &out); err != nil {
			t.Fatalf("ynl %s: %v", strings.Join(args, " "), err)
		}
		return out.String()
	}
	ynl("ovs_datapath", "new", `{"name":"ovsdp9","upcall-pid":0}`)
	var dp struct {
		DPIfindex uint32 `json:"dp-ifindex"`
		Name      string `json:"name"`
	}
	out := ynl("ovs_datapath", "get", `{"name":"ovsdp9"}`)
	if err := json.Unmarshal([]byte(out), &dp); err != nil || dp.Name != "ovsdp9" {
		t.Fatalf("get: %s (%v)", out, err)
	}
	var links []struct{ Ifindex uint32 }
	if err := json.Unmarshal([]byte(ns.Run(t, "-j", "link", "show", "ovsdp9")), &links); err != nil || len(links) != 1 || links[0].Ifindex != dp.DPIfindex {
		t.Errorf("get says dp-ifindex %d; ip link shows %+v (%v)", dp.DPIfindex, links, err)
	}
	out = ynl("-dump", "ovs_vport", "get", fmt.Sprintf(`{"dp-ifindex":%d}`, dp.DPIfindex))
	if want := fmt.Sprintf(`{"dp-ifindex":%d,"port-no":0,"type":"internal","name":"ovsdp9",`, dp.DPIfindex); !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
		t.Errorf("vport dump: %s\nwant one line starting %s", out, want)
	}
	actions := `"actions":[{"output":0},{"pop-vlan":true},{"output":0}]`
	ynl("ovs_flow", "new", fmt.Sprintf(`{"dp-ifindex":%d,"key":{"in-port":0,"ethernet":"000000000000000000000000","ethertype":34997},%s}`, dp.DPIfindex, actions))
	out = ynl("-dump", "ovs_flow", "get", fmt.Sprintf(`{"dp-ifindex":%d}`, dp.DPIfindex))
	if !strings.HasPrefix(out, fmt.Sprintf(`{"dp-ifindex":%d,`, dp.DPIfindex)) || !strings.Contains(out, actions) || !strings.Contains(out, `"ethertype":34997`) || strings.Count(out, "\n") != 1 {
		t.Errorf("flow dump: %s\nwant one flow with %s", out, actions)
	}
	ynl("ovs_datapath", "del", `{"name":"ovsdp9"}`)
	if out := ynl("-dump", "ovs_datapath", "get"); out != "" {
		t.Errorf("datapaths after del: %s", out)
	}
}
