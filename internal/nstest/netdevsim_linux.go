//go:build linux

package nstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Netdevsim is a device of the netdevsim driver (drivers/net/netdevsim)
// made in a namespace: a devlink instance, netdevsim/Dev, with ports,
// each a network device of that namespace.
type Netdevsim struct {
	ID    int      // its number on the netdevsim bus
	Dev   string   // its name there and its devlink instance's: netdevsimID
	Ports []string // the names of its ports' network devices, by port index
}

// nsimBus is the netdevsim bus's directory in sysfs.
const nsimBus = "/sys/bus/netdevsim"

// nsimMu keeps this process's tests from picking the same free ID.
var nsimMu sync.Mutex

// NewNetdevsim makes a netdevsim device with ports ports, each with
// queues queues (0: the driver's default, 1), in ns, as writing "ID PORTS
// QUEUES" to /sys/bus/netdevsim/new_device from inside ns does (the
// device's devlink instance and network devices are made in the writer's
// namespace), and deletes it when the test ends. The ID is the
// lowest the bus does not have. It skips t when the netdevsim module is
// not loaded: Debian's kernels lack it, internal/vmtest builds it for its
// VMs (Config.Modules "netdevsim").
func (ns *NS) NewNetdevsim(t testing.TB, ports, queues int) *Netdevsim {
	t.Helper()
	if _, err := os.Stat(nsimBus + "/new_device"); err != nil {
		t.Skipf("needs the netdevsim module (internal/vmtest's VMs build it: Config.Modules netdevsim): %v", err)
	}
	nsimMu.Lock()
	defer nsimMu.Unlock()
	var id int
	for id = 1; ; id++ {
		if _, err := os.Stat(fmt.Sprintf("%s/devices/netdevsim%d", nsimBus, id)); err == nil {
			continue
		}
		err := ns.Do(func() error {
			line := fmt.Sprintf("%d %d", id, ports)
			if queues > 0 {
				line += fmt.Sprintf(" %d", queues)
			}
			return os.WriteFile(nsimBus+"/new_device", []byte(line), 0)
		})
		if errors.Is(err, syscall.EEXIST) {
			continue // another process took it meanwhile
		}
		if err != nil {
			t.Fatalf("netdevsim: new device %d with %d ports in %s: %v", id, ports, ns.Name, err)
		}
		break
	}
	d := &Netdevsim{ID: id, Dev: fmt.Sprintf("netdevsim%d", id)}
	t.Cleanup(func() {
		if err := os.WriteFile(nsimBus+"/del_device", []byte(strconv.Itoa(id)), 0); err != nil {
			t.Errorf("netdevsim: delete device %d: %v", id, err)
		}
	})
	// The ports' network devices, by their parent device (ip -d shows
	// it), in the order of their port names' numbers (p0, p1 …; the
	// driver numbers its ports as it likes).
	out := ns.Run(t, "-j", "-d", "link", "show")
	var links []struct {
		Ifname, Parentbus, Parentdev string
		PhysPortName                 string `json:"phys_port_name"`
	}
	if err := json.Unmarshal([]byte(out), &links); err != nil {
		t.Fatalf("ip -j -d link show: %v: %s", err, out)
	}
	type port struct {
		n    int
		name string
	}
	var found []port
	for _, l := range links {
		if l.Parentbus != "netdevsim" || l.Parentdev != d.Dev {
			continue
		}
		n, err := strconv.Atoi(strings.TrimPrefix(l.PhysPortName, "p"))
		if err != nil {
			t.Fatalf("netdevsim %d: link %s has port name %q", id, l.Ifname, l.PhysPortName)
		}
		found = append(found, port{n, l.Ifname})
	}
	if len(found) != ports {
		t.Fatalf("netdevsim %d: %d of %d ports in ip -j -d link show:\n%s", id, len(found), ports, out)
	}
	slices.SortFunc(found, func(a, b port) int { return a.n - b.n })
	for _, p := range found {
		d.Ports = append(d.Ports, p.name)
	}
	return d
}
