package vmtest

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// netModuleDirs are the directories of a kernel package's modules that go
// into every VM, with what they depend on, so that the kernel loads any
// networking module on demand as on a full system ("ip link add type
// bond" asks for rtnl-link-bond, opening /dev/net/tun for tun). Hardware
// drivers and protocols no test here uses stay out, to keep the initramfs
// small. kernel/crypto is there for what networking modules ask the
// crypto API for at load time (libcrc32c, which nf_conntrack needs, fails
// with ENOENT without crc32c; xfrm's algorithms).
var netModuleDirs = []string{"kernel/net", "kernel/drivers/net", "kernel/crypto"}

// skipModuleDirs are left out of netModuleDirs.
var skipModuleDirs = []string{
	"kernel/net/wireless", "kernel/net/mac80211", "kernel/net/mac802154",
	"kernel/net/bluetooth", "kernel/net/nfc", "kernel/net/ceph",
	"kernel/net/sunrpc", "kernel/net/9p", "kernel/net/rxrpc",
	"kernel/net/ieee802154", "kernel/net/atm",
	"kernel/drivers/net/ethernet", "kernel/drivers/net/wireless",
	"kernel/drivers/net/usb", "kernel/drivers/net/can", "kernel/drivers/net/wwan",
	"kernel/drivers/net/ieee802154", "kernel/drivers/net/hamradio",
	"kernel/drivers/net/arcnet", "kernel/drivers/net/fddi", "kernel/drivers/net/wan",
	"kernel/drivers/net/hyperv", "kernel/drivers/net/fjes", "kernel/drivers/net/plip",
	"kernel/drivers/net/slip", "kernel/drivers/net/appletalk",
}

// modInfo is what a module's .modinfo section says that matters here.
type modInfo struct {
	Path    string   // relative to /lib/modules/RELEASE
	Depends []string // module names
	Aliases []string
}

// moduleName is the name the kernel knows the module file p by.
func moduleName(p string) string {
	b := filepath.Base(p)
	if i := strings.Index(b, ".ko"); i >= 0 {
		b = b[:i]
	}
	return strings.ReplaceAll(b, "-", "_")
}

// modules is the module index of one kernel package.
type modules struct {
	dir     string              // /lib/modules/RELEASE of the unpacked package
	paths   map[string]string   // name → path relative to dir
	info    map[string]*modInfo // name → parsed .modinfo, cached in infoCache
	builtin []string
}

// infoCache is the file in a kernel's directory that keeps parsed modinfo.
const infoCache = "vmtest-modinfo.json"

// loadModules lists the package's modules and its cached modinfo.
func loadModules(k *kernel) (*modules, error) {
	m := &modules{dir: k.modulesDir(), paths: map[string]string{}, info: map[string]*modInfo{}}
	// kernel/ holds the package's modules, extraDir those the harness
	// built (SourceModules), if any.
	for _, sub := range []string{"kernel", extraDir} {
		err := filepath.WalkDir(filepath.Join(m.dir, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.Contains(d.Name(), ".ko") {
				rel, _ := filepath.Rel(m.dir, p)
				m.paths[moduleName(rel)] = rel
			}
			return nil
		})
		if err != nil && !(sub == extraDir && errors.Is(err, fs.ErrNotExist)) {
			return nil, err
		}
	}
	if b, err := os.ReadFile(filepath.Join(m.dir, "modules.builtin")); err == nil {
		for _, line := range strings.Fields(string(b)) {
			m.builtin = append(m.builtin, moduleName(line))
		}
	}
	if b, err := os.ReadFile(filepath.Join(k.Dir, infoCache)); err == nil {
		_ = json.Unmarshal(b, &m.info) // a bad cache is rebuilt
	}
	return m, nil
}

// saveCache writes the parsed modinfo next to the kernel, through a
// temporary file of its own: runs of the same kernel save it without
// the cache's lock, at the same time.
func (m *modules) saveCache(k *kernel) error {
	b, err := json.Marshal(m.info)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(k.Dir, infoCache+".tmp-")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(k.Dir, infoCache))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// netSet returns the names of the modules under netModuleDirs.
func (m *modules) netSet() []string {
	var names []string
	for name, rel := range m.paths {
		in := false
		for _, d := range netModuleDirs {
			in = in || strings.HasPrefix(rel, d+"/")
		}
		for _, d := range skipModuleDirs {
			in = in && !strings.HasPrefix(rel, d+"/")
		}
		if in {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// closure returns roots and every module they depend on, parsing modinfo
// where it is not cached. A root that is neither a module nor built in is
// an error.
func (m *modules) closure(roots []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	todo := slices.Clone(roots)
	for len(todo) > 0 {
		var added, parse []string
		for _, n := range todo {
			n = strings.ReplaceAll(n, "-", "_")
			if seen[n] {
				continue
			}
			seen[n] = true
			if slices.Contains(m.builtin, n) {
				continue
			}
			if _, ok := m.paths[n]; !ok {
				return nil, fmt.Errorf("kernel has no module %s", n)
			}
			out = append(out, n)
			added = append(added, n)
			if m.info[n] == nil {
				parse = append(parse, n)
			}
		}
		if err := m.parse(parse); err != nil {
			return nil, err
		}
		todo = todo[:0]
		for _, n := range added {
			for _, d := range m.info[n].Depends {
				if !seen[d] {
					todo = append(todo, d)
				}
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// parse reads the .modinfo of the named modules, a few at a time.
func (m *modules) parse(names []string) error {
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
		sem   = make(chan struct{}, 4)
	)
	for _, n := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			info, err := readModInfo(m.dir, m.paths[n])
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				first = cmpErr(first, err)
				return
			}
			m.info[n] = info
		}()
	}
	wg.Wait()
	return first
}

// cmpErr keeps the first error.
func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// readModInfo parses the .modinfo section of the module at rel under dir,
// decompressing it with xz or zstd when it is compressed.
func readModInfo(dir, rel string) (*modInfo, error) {
	p := filepath.Join(dir, rel)
	var data []byte
	var err error
	switch {
	case strings.HasSuffix(p, ".ko"):
		data, err = os.ReadFile(p)
	case strings.HasSuffix(p, ".ko.xz"):
		data, err = exec.Command("xz", "-dc", p).Output()
	case strings.HasSuffix(p, ".ko.zst"):
		data, err = exec.Command("zstd", "-dcq", p).Output()
	default:
		err = fmt.Errorf("unknown module compression")
	}
	if err != nil {
		return nil, fmt.Errorf("reading module %s: %w", p, err)
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", p, err)
	}
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("module %s has no .modinfo", p)
	}
	b, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", p, err)
	}
	info := &modInfo{Path: rel}
	for _, kv := range bytes.Split(b, []byte{0}) {
		k, v, ok := strings.Cut(string(kv), "=")
		switch {
		case !ok:
		case k == "depends" && v != "":
			info.Depends = strings.Split(v, ",")
		case k == "alias":
			info.Aliases = append(info.Aliases, v)
		}
	}
	return info, nil
}

// guestIndex writes the index vminit reads for the modules names (see
// vminit's readIndex).
func (m *modules) guestIndex(names []string) []byte {
	var b bytes.Buffer
	for _, n := range m.builtin {
		fmt.Fprintf(&b, "builtin %s\n", n)
	}
	for _, n := range names {
		info := m.info[n]
		fmt.Fprintf(&b, "mod %s %s", n, info.Path)
		if len(info.Depends) > 0 {
			fmt.Fprintf(&b, " %s", strings.Join(info.Depends, ","))
		}
		b.WriteByte('\n')
		var devname, major string
		for _, a := range info.Aliases {
			if strings.ContainsAny(a, " \t\n") {
				continue
			}
			fmt.Fprintf(&b, "alias %s %s\n", a, n)
			if v, ok := strings.CutPrefix(a, "devname:"); ok {
				devname = v
			}
			if v, ok := strings.CutPrefix(a, "char-major-"); ok {
				major = "c " + strings.Replace(v, "-", " ", 1)
			}
			if v, ok := strings.CutPrefix(a, "block-major-"); ok {
				major = "b " + strings.Replace(v, "-", " ", 1)
			}
		}
		if devname != "" && strings.Count(major, " ") == 2 {
			fmt.Fprintf(&b, "node %s %s\n", devname, major)
		}
	}
	return b.Bytes()
}
