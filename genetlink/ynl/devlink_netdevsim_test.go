//go:build linux

package ynl_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/devlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/internal/vmtest"
)

// TestDevlinkNetdevsimKernel makes a netdevsim device with two ports in a
// namespace and compares what the generated devlink package reads of it
// with what the devlink command prints (devlink -j): the instance, its
// ports, info, parameters (their values, which the spec leaves out, as
// the kept attributes carry them), resources, health reporters, traps,
// trap groups and policers, regions and eswitch mode; then it changes a
// parameter, a trap, a policer and a reporter with the generated package
// and reloads the device, and compares again. It runs only inside a VM
// (TestFamiliesVM, or internal/cmd/vmtest -modules netdevsim): Debian's
// kernels have no netdevsim, the harness builds it.
func TestDevlinkNetdevsimKernel(t *testing.T) {
	if _, ok := vmtest.Guest(); !ok {
		t.Skip("runs inside the VMs of TestFamiliesVM: it needs netdevsim, which internal/vmtest builds")
	}
	if _, err := exec.LookPath("devlink"); err != nil {
		t.Fatal("needs iproute2's devlink command")
	}
	ns := nstest.New(t)
	d := ns.NewNetdevsim(t, 2, 0)
	g, err := genetlink.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	c, err := devlink.New(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	n := &nsimDevlink{ns: ns, c: c, d: d, name: "netdevsim/" + d.Dev}
	t.Run("Dev", n.dev)
	t.Run("Ports", n.ports)
	t.Run("Info", n.info)
	t.Run("Params", n.params)
	t.Run("Resources", n.resources)
	t.Run("Health", n.health)
	t.Run("Traps", n.traps)
	t.Run("Regions", n.regions)
	t.Run("Eswitch", n.eswitch)
	t.Run("Set", n.set)
	t.Run("Reload", n.reload)
}

// nsimDevlink is a netdevsim device in a namespace, and a devlink Client
// there.
type nsimDevlink struct {
	ns   *nstest.NS
	c    *devlink.Client
	d    *nstest.Netdevsim
	name string // as devlink names it: netdevsim/netdevsimID
}

// handle is a request naming the device.
func (n *nsimDevlink) handle() *devlink.Devlink {
	return &devlink.Devlink{BusName: "netdevsim", DevName: n.d.Dev}
}

// tool runs devlink -j with args in the namespace and decodes its output
// into v.
func (n *nsimDevlink) tool(t *testing.T, v any, args ...string) {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"netns", "exec", n.ns.Name, "devlink", "-j"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("devlink %s: %v: %s", strings.Join(args, " "), err, out)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("devlink -j %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// same compares what the generated package read (got) with what devlink
// printed (want), both turned into the same Go values.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %#v\nwant %#v (devlink -j)", what, got, want)
	}
}

// dump collects a dump's replies, failing t on an error.
func dump(t *testing.T, seq func(func(devlink.Devlink, error) bool)) []devlink.Devlink {
	t.Helper()
	var out []devlink.Devlink
	for r, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// dev checks the instance dump and get: the namespace has this device
// alone, as devlink dev show lists it.
func (n *nsimDevlink) dev(t *testing.T) {
	ctx := context.Background()
	var got []string
	for _, r := range dump(t, n.c.GetDump(ctx)) {
		got = append(got, r.BusName+"/"+r.DevName)
	}
	var want struct{ Dev map[string]json.RawMessage }
	n.tool(t, &want, "dev", "show")
	same(t, "instances", got, slices.Sorted(maps.Keys(want.Dev)))
	r, err := n.c.Get(ctx, n.handle())
	if err != nil {
		t.Fatal(err)
	}
	if r.BusName+"/"+r.DevName != n.name || r.ReloadFailed.V != 0 {
		t.Errorf("get %s: %s/%s, reload failed %v", n.name, r.BusName, r.DevName, r.ReloadFailed)
	}
}

// ports compares the port dump, and a get of each port, with devlink port
// show, and each port's netdev with the device's links.
func (n *nsimDevlink) ports(t *testing.T) {
	ctx := context.Background()
	type port struct {
		Type, Netdev, Flavour string
		Port                  float64
		Splittable            bool
	}
	got := map[string]port{}
	for _, r := range dump(t, n.c.PortGetDump(ctx, n.handle())) {
		key := fmt.Sprintf("%s/%s/%d", r.BusName, r.DevName, r.PortIndex.V)
		got[key] = port{r.PortType.V.String(), r.PortNetdevName, r.PortFlavour.V.String(), float64(r.PortNumber.V), r.PortSplittable.V != 0}
		if want := ifindex(t, n.ns, r.PortNetdevName); r.PortNetdevIfindex.V != want {
			t.Errorf("port %s: netdev ifindex %v, ip says %s is %d", key, r.PortNetdevIfindex, r.PortNetdevName, want)
		}
		one, err := n.c.PortGet(ctx, &devlink.Devlink{BusName: r.BusName, DevName: r.DevName, PortIndex: r.PortIndex})
		if err != nil {
			t.Fatal(err)
		}
		if one.PortNetdevName != r.PortNetdevName || one.PortNumber != r.PortNumber {
			t.Errorf("port-get %s: %+v, the dump said %+v", key, one, r)
		}
	}
	var want struct{ Port map[string]port }
	n.tool(t, &want, "port", "show")
	same(t, "ports", got, want.Port)
	var netdevs []string
	for _, p := range got {
		netdevs = append(netdevs, p.Netdev)
	}
	same(t, "ports' netdevs", slices.Sorted(slices.Values(netdevs)), slices.Sorted(slices.Values(n.d.Ports)))
}

// info compares the driver name and versions with devlink dev info.
func (n *nsimDevlink) info(t *testing.T) {
	r, err := n.c.InfoGet(context.Background(), n.handle())
	if err != nil {
		t.Fatal(err)
	}
	versions := func(vs []devlink.DlInfoVersion) map[string]string {
		if len(vs) == 0 {
			return nil
		}
		m := map[string]string{}
		for _, v := range vs {
			m[v.InfoVersionName] = v.InfoVersionValue
		}
		return m
	}
	type info struct {
		Driver       string
		SerialNumber string `json:"serial_number"`
		Versions     struct{ Fixed, Running, Stored map[string]string }
	}
	got := info{Driver: r.InfoDriverName, SerialNumber: r.InfoSerialNumber}
	got.Versions.Fixed, got.Versions.Running, got.Versions.Stored =
		versions(r.InfoVersionFixed), versions(r.InfoVersionRunning), versions(r.InfoVersionStored)
	var want struct{ Info map[string]info }
	n.tool(t, &want, "dev", "info", n.name)
	same(t, "info", got, want.Info[n.name])
	if got.Driver != "netdevsim" || len(got.Versions.Running) == 0 {
		t.Errorf("info: %+v, want driver netdevsim with running versions", got)
	}
}

// Attributes of a parameter's values, which the spec leaves out of its
// dl-param set (their type varies), so that Devlink keeps them in
// Unknown (DEVLINK_ATTR_PARAM_VALUES_LIST, _VALUE, _VALUE_DATA).
const (
	attrParamValuesList = 84
	attrParamValue      = 85
	attrParamValueData  = 86
)

// paramValue is one value of a parameter as devlink prints it.
type paramValue struct {
	Cmode string
	Value any
}

// paramValues decodes the values of parameter p from its kept attributes,
// as the parameter's type says to read them.
func paramValues(t *testing.T, p devlink.DlParam) []paramValue {
	t.Helper()
	var out []paramValue
	for _, a := range p.Unknown {
		if a.Type != attrParamValuesList {
			continue
		}
		for v, err := range netlink.Attrs(a.Data) {
			if err != nil || v.Type != attrParamValue {
				t.Fatalf("param %s: values list holds %+v, %v", p.ParamName, v, err)
			}
			pv := paramValue{}
			var set bool
			for f, err := range netlink.Attrs(v.Data) {
				if err != nil {
					t.Fatal(err)
				}
				switch f.Type {
				case devlink.AttrDevlinkParamValueCmode:
					pv.Cmode = devlink.ParamCmode(f.Data[0]).String()
				case attrParamValueData:
					set = true
					switch p.ParamType.V {
					case devlink.VarAttrTypeU8:
						pv.Value = float64(f.Data[0])
					case devlink.VarAttrTypeU16:
						pv.Value = float64(binary.NativeEndian.Uint16(f.Data))
					case devlink.VarAttrTypeU32:
						pv.Value = float64(binary.NativeEndian.Uint32(f.Data))
					case devlink.VarAttrTypeU64:
						pv.Value = float64(binary.NativeEndian.Uint64(f.Data))
					case devlink.VarAttrTypeString:
						pv.Value = strings.TrimRight(string(f.Data), "\x00")
					case devlink.VarAttrTypeFlag:
						pv.Value = true
					}
				}
			}
			if !set && p.ParamType.V == devlink.VarAttrTypeFlag {
				pv.Value = false // a flag that is off has no data
			}
			out = append(out, pv)
		}
	}
	return out
}

// paramCmode returns the configuration mode devlink -j names name
// ("runtime", "driverinit", "permanent").
func paramCmode(name string) (devlink.ParamCmode, bool) {
	for _, c := range []devlink.ParamCmode{devlink.ParamCmodeRuntime, devlink.ParamCmodeDriverinit, devlink.ParamCmodePermanent} {
		if c.String() == name {
			return c, true
		}
	}
	return 0, false
}

// param is a parameter as devlink prints it.
type param struct {
	Name, Type string
	Values     []paramValue
}

// readParams dumps the device's parameters in the form devlink prints.
func (n *nsimDevlink) readParams(t *testing.T) []param {
	t.Helper()
	var got []param
	for _, r := range dump(t, n.c.ParamGetDump(context.Background(), n.handle())) {
		p := r.Param.V
		kind := "driver-specific"
		if p.ParamGeneric {
			kind = "generic"
		}
		got = append(got, param{p.ParamName, kind, paramValues(t, p)})
		one, err := n.c.ParamGet(context.Background(), &devlink.Devlink{BusName: "netdevsim", DevName: n.d.Dev, ParamName: p.ParamName})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(one.Param.V, p) {
			t.Errorf("param-get %s: %+v, the dump said %+v", p.ParamName, one.Param.V, p)
		}
	}
	return got
}

// params compares the parameters and their values with devlink dev param
// show.
func (n *nsimDevlink) params(t *testing.T) {
	got := n.readParams(t)
	var want struct{ Param map[string][]param }
	n.tool(t, &want, "dev", "param", "show")
	same(t, "params", got, want.Param[n.name])
	if len(got) == 0 {
		t.Error("netdevsim has no parameters")
	}
}

// resourceJSON is a resource as devlink -j prints it (less its
// dpipe_tables, which the generated resource lacks).
type resourceJSON struct {
	Name      string
	Size      any
	Occ       any
	Unit      any
	SizeMin   any `json:"size_min"`
	SizeMax   any `json:"size_max"`
	SizeGran  any `json:"size_gran"`
	Resources []resourceJSON
}

// resourceOf turns a generated resource, with the resources nested in
// its kept attributes (the spec's dl-resource lists no resource-list),
// into devlink's form: a size of all ones is "unlimited".
func resourceOf(t *testing.T, r devlink.DlResource) resourceJSON {
	t.Helper()
	size := func(o ynl.Opt[uint64]) any {
		switch {
		case !o.Set:
			return nil
		case o.V == math.MaxUint64:
			return "unlimited"
		}
		return float64(o.V)
	}
	j := resourceJSON{Name: r.ResourceName, Size: size(r.ResourceSize), Occ: size(r.ResourceOcc), Unit: r.ResourceUnit.V.String(),
		SizeMin: size(r.ResourceSizeMin), SizeMax: size(r.ResourceSizeMax), SizeGran: size(r.ResourceSizeGran)}
	for _, a := range r.Unknown {
		if a.Type != devlink.AttrDevlinkResourceList {
			continue
		}
		var list devlink.DlResourceList
		d := netlink.NewAttrDecoder(a.Data)
		list.Decode(&d)
		if err := d.Err(); err != nil {
			t.Fatalf("resource %s: nested list: %v", r.ResourceName, err)
		}
		for _, sub := range list.Resource {
			j.Resources = append(j.Resources, resourceOf(t, sub))
		}
	}
	return j
}

// resources compares the resource tree with devlink resource show (its
// occupancies too: nothing changes the namespace's FIB meanwhile).
func (n *nsimDevlink) resources(t *testing.T) {
	r, err := n.c.ResourceDump(context.Background(), n.handle())
	if err != nil {
		t.Fatal(err)
	}
	var got []resourceJSON
	for _, res := range r.ResourceList.V.Resource {
		got = append(got, resourceOf(t, res))
	}
	var want struct{ Resources map[string][]resourceJSON }
	n.tool(t, &want, "resource", "show", n.name)
	same(t, "resources", got, want.Resources[n.name])
	if len(got) == 0 || len(got[0].Resources) == 0 {
		t.Errorf("resources: %+v, want netdevsim's nested IPv4 and IPv6 resources", got)
	}
}

// reporterJSON is devlink -j's health reporter.
type reporterJSON struct {
	Reporter    string
	State       string
	Error       float64
	Recover     float64
	GracePeriod *float64 `json:"grace_period"`
	AutoRecover *bool    `json:"auto_recover"`
	AutoDump    *bool    `json:"auto_dump"`
}

// readHealth dumps the device's health reporters in devlink's form.
func (n *nsimDevlink) readHealth(t *testing.T) []reporterJSON {
	t.Helper()
	var got []reporterJSON
	for _, r := range dump(t, n.c.HealthReporterGetDump(context.Background(), n.handle())) {
		h := r.HealthReporter.V
		j := reporterJSON{Reporter: h.HealthReporterName, State: map[uint8]string{0: "healthy", 1: "error"}[h.HealthReporterState.V],
			Error: float64(h.HealthReporterErrCount.V), Recover: float64(h.HealthReporterRecoverCount.V)}
		if h.HealthReporterGracefulPeriod.Set {
			v := float64(h.HealthReporterGracefulPeriod.V)
			j.GracePeriod = &v
		}
		if h.HealthReporterAutoRecover.Set {
			v := h.HealthReporterAutoRecover.V != 0
			j.AutoRecover = &v
		}
		if h.HealthReporterAutoDump.Set {
			v := h.HealthReporterAutoDump.V != 0
			j.AutoDump = &v
		}
		got = append(got, j)
	}
	return got
}

// health compares the health reporters with devlink health show.
func (n *nsimDevlink) health(t *testing.T) {
	got := n.readHealth(t)
	var want struct{ Health map[string][]reporterJSON }
	n.tool(t, &want, "health", "show")
	same(t, "health reporters", got, want.Health[n.name])
	if len(got) == 0 {
		t.Error("netdevsim has no health reporters")
	}
}

// trapJSON, trapGroupJSON and policerJSON are devlink -j's traps, trap
// groups and trap policers.
type (
	trapJSON struct {
		Name, Type    string
		Generic       bool
		Action, Group string
	}
	trapGroupJSON struct {
		Name    string
		Generic bool
		Policer float64
	}
	policerJSON struct{ Policer, Rate, Burst float64 }
)

// readTraps dumps the device's traps, trap groups and policers in
// devlink's form.
func (n *nsimDevlink) readTraps(t *testing.T) ([]trapJSON, []trapGroupJSON, []policerJSON) {
	t.Helper()
	ctx := context.Background()
	var traps []trapJSON
	for _, r := range dump(t, n.c.TrapGetDump(ctx, n.handle())) {
		traps = append(traps, trapJSON{r.TrapName, r.TrapType.V.String(), r.TrapGeneric, r.TrapAction.V.String(), r.TrapGroupName})
	}
	var groups []trapGroupJSON
	for _, r := range dump(t, n.c.TrapGroupGetDump(ctx, n.handle())) {
		groups = append(groups, trapGroupJSON{r.TrapGroupName, r.TrapGeneric, float64(r.TrapPolicerID.V)})
	}
	var policers []policerJSON
	for _, r := range dump(t, n.c.TrapPolicerGetDump(ctx, n.handle())) {
		policers = append(policers, policerJSON{float64(r.TrapPolicerID.V), float64(r.TrapPolicerRate.V), float64(r.TrapPolicerBurst.V)})
	}
	return traps, groups, policers
}

// traps compares the traps, trap groups and policers with devlink trap
// show, trap group show and trap policer show.
func (n *nsimDevlink) traps(t *testing.T) {
	traps, groups, policers := n.readTraps(t)
	var wt struct{ Trap map[string][]trapJSON }
	n.tool(t, &wt, "trap", "show")
	same(t, "traps", traps, wt.Trap[n.name])
	var wg struct {
		TrapGroup map[string][]trapGroupJSON `json:"trap_group"`
	}
	n.tool(t, &wg, "trap", "group", "show")
	same(t, "trap groups", groups, wg.TrapGroup[n.name])
	var wp struct {
		TrapPolicer map[string][]policerJSON `json:"trap_policer"`
	}
	n.tool(t, &wp, "trap", "policer", "show")
	same(t, "trap policers", policers, wp.TrapPolicer[n.name])
	if len(traps) == 0 || len(groups) == 0 || len(policers) == 0 {
		t.Errorf("netdevsim has %d traps, %d groups, %d policers; want some of each", len(traps), len(groups), len(policers))
	}
}

// regions compares the regions with devlink region show.
func (n *nsimDevlink) regions(t *testing.T) {
	type region struct {
		Size     float64
		Snapshot []float64
		Max      float64
	}
	got := map[string]region{}
	for _, r := range dump(t, n.c.RegionGetDump(context.Background(), n.handle())) {
		g := region{Size: float64(r.RegionSize.V), Max: float64(r.RegionMaxSnapshots.V), Snapshot: []float64{}}
		if s := r.RegionSnapshots.V.RegionSnapshot; s.Set {
			g.Snapshot = append(g.Snapshot, float64(s.V.RegionSnapshotID.V))
		}
		got[r.BusName+"/"+r.DevName+"/"+r.RegionName] = g
	}
	var want struct{ Regions map[string]region }
	n.tool(t, &want, "region", "show")
	same(t, "regions", got, want.Regions)
	if len(got) == 0 {
		t.Error("netdevsim has no regions")
	}
}

// eswitch compares the eswitch mode with devlink dev eswitch show.
func (n *nsimDevlink) eswitch(t *testing.T) {
	r, err := n.c.EswitchGet(context.Background(), n.handle())
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Dev map[string]struct{ Mode string }
	}
	n.tool(t, &want, "dev", "eswitch", "show", n.name)
	same(t, "eswitch mode", r.EswitchMode.V.String(), want.Dev[n.name].Mode)
}

// set changes a parameter of each type netdevsim has (a u32 and a flag,
// their values passed as kept attributes), each in the configuration
// mode of its first value (the one devlink shows first), a trap's
// action, a policer's
// rate and burst and a health reporter's grace period and auto-recovery,
// and checks that devlink shows each change.
func (n *nsimDevlink) set(t *testing.T) {
	ctx := context.Background()
	before := n.readParams(t)
	for _, r := range dump(t, n.c.ParamGetDump(ctx, n.handle())) {
		p := r.Param.V
		values := paramValues(t, p)
		if len(values) == 0 {
			t.Fatalf("param %s has no value", p.ParamName)
		}
		// The first value's configuration mode, as the parameter reports
		// it (a mode it lacks is refused, EOPNOTSUPP): netdevsim's
		// max_macs and test1 are driverinit, its test2, which 7.2 has
		// and 6.12 has not, is runtime only.
		cmode, ok := paramCmode(values[0].Cmode)
		if !ok {
			t.Fatalf("param %s: configuration mode %q", p.ParamName, values[0].Cmode)
		}
		req := n.handle()
		req.ParamName, req.ParamType = p.ParamName, p.ParamType
		req.ParamValueCmode = ynl.Some(cmode)
		data := func(b []byte) { req.Unknown = []netlink.Attr{{Type: attrParamValueData, Data: b}} }
		switch v := values[0].Value.(type) {
		case float64: // half the value, in the parameter's width
			switch half := uint64(v) / 2; p.ParamType.V {
			case devlink.VarAttrTypeU8:
				data([]byte{uint8(half)})
			case devlink.VarAttrTypeU16:
				data(binary.NativeEndian.AppendUint16(nil, uint16(half)))
			case devlink.VarAttrTypeU32:
				data(binary.NativeEndian.AppendUint32(nil, uint32(half)))
			default:
				data(binary.NativeEndian.AppendUint64(nil, half))
			}
		case bool: // the other value: a flag is on when its data is there
			if !v {
				data(nil)
			}
		default:
			continue
		}
		if err := n.c.ParamSet(ctx, req); err != nil {
			t.Fatalf("param-set %s (%v): %v", p.ParamName, cmode, err)
		}
		t.Logf("param-set %s, cmode %v (its value was %v)", p.ParamName, cmode, values[0].Value)
	}
	after := n.readParams(t)
	if reflect.DeepEqual(before, after) {
		t.Errorf("param-set changed no value: %+v", after)
	}
	var want struct{ Param map[string][]param }
	n.tool(t, &want, "dev", "param", "show")
	same(t, "params after param-set", after, want.Param[n.name])

	traps, _, policers := n.readTraps(t)
	if len(traps) == 0 || len(policers) == 0 {
		t.Fatal("no trap or policer to change")
	}
	action := devlink.TrapActionTrap
	if traps[0].Action == "trap" {
		action = devlink.TrapActionDrop
	}
	if err := n.c.TrapSet(ctx, &devlink.Devlink{BusName: "netdevsim", DevName: n.d.Dev, TrapName: traps[0].Name, TrapAction: ynl.Some(action)}); err != nil {
		t.Fatalf("trap-set %s: %v", traps[0].Name, err)
	}
	p := policers[0]
	req := n.handle()
	req.TrapPolicerID = ynl.Some(uint32(p.Policer))
	req.TrapPolicerRate = ynl.Some(uint64(p.Rate) + 1)
	req.TrapPolicerBurst = ynl.Some(uint64(p.Burst) * 2)
	if err := n.c.TrapPolicerSet(ctx, req); err != nil {
		t.Fatalf("trap-policer-set %v: %v", p.Policer, err)
	}
	traps2, _, policers2 := n.readTraps(t)
	if traps2[0].Action != action.String() || policers2[0].Rate != p.Rate+1 || policers2[0].Burst != p.Burst*2 {
		t.Errorf("after trap-set and trap-policer-set: trap %+v, policer %+v", traps2[0], policers2[0])
	}
	var wt struct{ Trap map[string][]trapJSON }
	n.tool(t, &wt, "trap", "show")
	same(t, "traps after trap-set", traps2, wt.Trap[n.name])
	var wp struct {
		TrapPolicer map[string][]policerJSON `json:"trap_policer"`
	}
	n.tool(t, &wp, "trap", "policer", "show")
	same(t, "trap policers after trap-policer-set", policers2, wp.TrapPolicer[n.name])

	var rep *reporterJSON
	for _, r := range n.readHealth(t) {
		if r.GracePeriod != nil && r.AutoRecover != nil {
			rep = &r
			break
		}
	}
	if rep == nil {
		t.Fatal("no health reporter with a grace period and auto-recovery to change")
	}
	hreq := n.handle()
	hreq.HealthReporterName = rep.Reporter
	hreq.HealthReporterGracefulPeriod = ynl.Some(uint64(*rep.GracePeriod) + 1234)
	hreq.HealthReporterAutoRecover = ynl.Some(uint8(0))
	if *rep.AutoRecover == false {
		hreq.HealthReporterAutoRecover = ynl.Some(uint8(1))
	}
	if err := n.c.HealthReporterSet(context.Background(), hreq); err != nil {
		t.Fatalf("health-reporter-set %s: %v", rep.Reporter, err)
	}
	health := n.readHealth(t)
	var wh struct{ Health map[string][]reporterJSON }
	n.tool(t, &wh, "health", "show")
	same(t, "health reporters after health-reporter-set", health, wh.Health[n.name])
	for _, r := range health {
		if r.Reporter == rep.Reporter && (*r.GracePeriod != *rep.GracePeriod+1234 || *r.AutoRecover == *rep.AutoRecover) {
			t.Errorf("health-reporter-set %s: now %+v", rep.Reporter, r)
		}
	}
}

// reloadLimits are the kernel's names of DEVLINK_RELOAD_LIMIT_*, as
// devlink prints them (the spec has no enum for reload-stats-limit).
var reloadLimits = map[uint8]string{0: "unspecified", 1: "no_reset"}

// reloadStats turns a device's reload statistics into devlink -s's form:
// action → limit → count.
func reloadStats(s devlink.DlReloadStats) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for _, a := range s.ReloadActionInfo {
		m := map[string]float64{}
		for _, st := range a.ReloadActionStats {
			for _, e := range st.ReloadStatsEntry {
				m[reloadLimits[e.ReloadStatsLimit.V]] = float64(e.ReloadStatsValue.V)
			}
		}
		out[strings.ReplaceAll(a.ReloadAction.V.String(), "-", "_")] = m
	}
	return out
}

// reload reloads the device (driver-reinit) with the generated package
// and compares the reload statistics of a get with devlink -s dev show,
// which counts it; the driver makes its ports again, which port show
// lists.
func (n *nsimDevlink) reload(t *testing.T) {
	ctx := context.Background()
	read := func() map[string]map[string]map[string]float64 {
		r, err := n.c.Get(ctx, n.handle())
		if err != nil {
			t.Fatal(err)
		}
		return map[string]map[string]map[string]float64{
			"reload": reloadStats(r.DevStats.V.ReloadStats.V), "remote_reload": reloadStats(r.DevStats.V.RemoteReloadStats.V)}
	}
	before := read()
	req := n.handle()
	req.ReloadAction = ynl.Some(devlink.ReloadActionDriverReinit)
	r, err := n.c.Reload(ctx, req)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if done := r.ReloadActionsPerformed.V; done.Value&(1<<devlink.ReloadActionDriverReinit) == 0 {
		t.Errorf("reload: actions performed %+v, want driver-reinit", done)
	}
	after := read()
	var want struct {
		Dev map[string]struct {
			Stats map[string]map[string]map[string]float64
		}
	}
	n.tool(t, &want, "-s", "dev", "show", n.name)
	same(t, "reload statistics", after, want.Dev[n.name].Stats)
	if after["reload"]["driver_reinit"]["unspecified"] != before["reload"]["driver_reinit"]["unspecified"]+1 {
		t.Errorf("reload statistics before %v, after %v: want one more driver_reinit", before, after)
	}
	var ports struct{ Port map[string]json.RawMessage }
	n.tool(t, &ports, "port", "show")
	if got := len(dump(t, n.c.PortGetDump(ctx, n.handle()))); got != len(ports.Port) || got != len(n.d.Ports) {
		t.Errorf("after reload: %d ports, devlink shows %d, want %d", got, len(ports.Port), len(n.d.Ports))
	}
}
