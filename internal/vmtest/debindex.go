package vmtest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Suite is where a kernel of SuiteKernels comes from.
type Suite struct {
	// Index is the suite whose Packages index has the kernel: "sid",
	// "trixie-backports".
	Index string
	// Root is the suite whose chroot builds the kernel's modules (see
	// suiteRoot): Index itself, or the release a backports suite is for
	// ("trixie"), whose chroot then also has Index's packages.
	Root string
	// Series, if set, narrows the kernel to the newest image of that
	// series ("7.2"); otherwise it is the newest of the suite.
	Series string
}

// SuiteKernels are the Config.Kernel labels that name a Debian suite the
// host's apt does not know: the kernel is the newest generic amd64 image
// of the suite's Packages index (of its series, if it names one), read
// from DebianMirror and downloaded by URL, without apt and without
// touching the host's sources. Their modules (SourceModules) are built in
// a chroot of the suite (see suiteRoot).
//
// "7.2" is trixie-backports' newest 7.2 kernel, which CI runs: it has
// families 6.1 and 6.12 lack (ovpn, net-shaper, lockd), though not psp
// (Debian leaves CONFIG_INET_PSP unset), and changes only with 7.2's
// stable releases. "sid" is the newest kernel Debian builds (7.2 in
// October 2026), for a look at what comes next.
var SuiteKernels = map[string]Suite{
	"sid": {Index: "sid", Root: "sid"},
	"7.2": {Index: "trixie-backports", Root: "trixie", Series: "7.2"},
}

// DebianMirror is where suite kernels come from: $NLKIT_VM_MIRROR, else
// deb.debian.org.
func DebianMirror() string {
	if m := os.Getenv("NLKIT_VM_MIRROR"); m != "" {
		return strings.TrimRight(m, "/")
	}
	return "http://deb.debian.org/debian"
}

// debPackage is one record of a Packages index.
type debPackage struct {
	Name     string
	Version  string
	Depends  string // as written: "a (= 1), b | c"
	Filename string // relative to the mirror: pool/main/l/linux/…
	SHA256   string
	Size     int64
}

// debIndex is a suite's Packages index for amd64, by package name.
type debIndex struct {
	suite string
	pkgs  map[string]*debPackage
}

// indexPath is the Packages file of the Release file's SHA256 list.
const indexPath = "main/binary-amd64/Packages.xz"

// httpClient fetches indexes and packages; a stalled mirror fails the
// run rather than hanging it.
var httpClient = &http.Client{Timeout: 20 * time.Minute}

// loadIndex returns suite's Packages index: the Release file is fetched
// every time (it is small, and says which index is current), the index
// (about 10 MB) only when the cache has no copy with the SHA256 the
// Release file gives. Without network the newest cached index of the
// suite is used, and the log says so.
func loadIndex(suite string, logf func(string, ...any)) (*debIndex, error) {
	dir := filepath.Join(CacheDir(), "debian-index")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	release := DebianMirror() + "/dists/" + suite + "/Release"
	data, err := httpGet(release)
	if err != nil {
		cached, _ := filepath.Glob(filepath.Join(dir, suite+"_*.Packages.xz"))
		if len(cached) == 0 {
			return nil, err
		}
		slices.SortFunc(cached, func(a, b string) int { return modTime(b).Compare(modTime(a)) })
		logf("vmtest: %v; using the cached index %s", err, cached[0])
		return readIndex(suite, cached[0])
	}
	sum, size, err := releaseSum(data, indexPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", release, err)
	}
	p := filepath.Join(dir, suite+"_"+sum+".Packages.xz")
	if _, err := os.Stat(p); err != nil {
		url := DebianMirror() + "/dists/" + suite + "/" + indexPath
		logf("vmtest: downloading %s", url)
		if err := download(url, p, sum, size); err != nil {
			return nil, err
		}
	}
	return readIndex(suite, p)
}

// modTime is p's modification time, zero if it cannot be read.
func modTime(p string) time.Time {
	fi, err := os.Stat(p)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

// httpGet returns the body of url.
func httpGet(url string) ([]byte, error) {
	resp, err := httpClient.Get(url)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", url, err)
	}
	return b, nil
}

// releaseSum returns the SHA256 and size a Release file gives for path.
func releaseSum(release []byte, path string) (sum string, size int64, err error) {
	in := false
	for _, line := range strings.Split(string(release), "\n") {
		if !strings.HasPrefix(line, " ") {
			in = strings.TrimSpace(line) == "SHA256:"
			continue
		}
		f := strings.Fields(line)
		if !in || len(f) != 3 || f[2] != path {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || len(f[0]) != 64 {
			return "", 0, fmt.Errorf("bad SHA256 line %q", line)
		}
		return f[0], n, nil
	}
	return "", 0, fmt.Errorf("no SHA256 of %s", path)
}

// download fetches url into dst, checking its size and SHA256; dst
// appears only when both match.
func download(url, dst, sum string, size int64) error {
	resp, err := httpClient.Get(url)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching %s: %s", url, resp.Status)
	}
	f, err := os.CreateTemp(filepath.Dir(dst), ".download-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after the rename, nothing
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("fetching %s: %w", url, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != size || got != sum {
		return fmt.Errorf("fetching %s: got %d bytes with SHA256 %s, the index says %d bytes with %s", url, n, got, size, sum)
	}
	return os.Rename(f.Name(), dst)
}

// readIndex decompresses and parses the Packages.xz file p.
func readIndex(suite, p string) (*debIndex, error) {
	data, err := exec.Command("xz", "-dc", p).Output()
	if err != nil {
		return nil, fmt.Errorf("xz -dc %s: %w", p, exitText(err))
	}
	idx, err := parseIndex(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	idx.suite = suite
	return idx, nil
}

// parseIndex parses a Packages file; of a package listed twice the
// newer version is kept.
func parseIndex(data []byte) (*debIndex, error) {
	idx := &debIndex{pkgs: map[string]*debPackage{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	var cur *debPackage
	end := func() {
		if cur != nil && cur.Name != "" {
			if old := idx.pkgs[cur.Name]; old == nil || less(numbers(old.Version), numbers(cur.Version)) {
				idx.pkgs[cur.Name] = cur
			}
		}
		cur = nil
	}
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			end()
			continue
		}
		if cur == nil {
			cur = &debPackage{}
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok || strings.HasPrefix(line, " ") {
			continue
		}
		switch k {
		case "Package":
			cur.Name = v
		case "Version":
			cur.Version = v
		case "Depends":
			cur.Depends = v
		case "Filename":
			cur.Filename = v
		case "SHA256":
			cur.SHA256 = v
		case "Size":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("package %s: bad Size %q", cur.Name, v)
			}
			cur.Size = n
		}
	}
	end()
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(idx.pkgs) == 0 {
		return nil, errors.New("no packages")
	}
	return idx, nil
}

// newestImage returns the newest generic amd64 kernel image package, of
// series if it is not empty.
func (idx *debIndex) newestImage(series string) (*debPackage, string, error) {
	var best *debPackage
	var bestRel string
	for name, p := range idx.pkgs {
		m := releaseRE.FindStringSubmatch(name)
		if m == nil || series != "" && !inSeries(m[1], series) {
			continue
		}
		if best == nil || less(numbers(bestRel), numbers(m[1])) {
			best, bestRel = p, m[1]
		}
	}
	if best == nil && series != "" {
		return nil, "", fmt.Errorf("suite %s has no linux-image-%s.…-amd64 package", idx.suite, series)
	}
	if best == nil {
		return nil, "", fmt.Errorf("suite %s has no linux-image-…-amd64 package", idx.suite)
	}
	return best, bestRel, nil
}

// closure returns pkg and the packages of its Depends, transitively, whose
// names hold release: Debian's kernel image package holds only links and
// depends on linux-binary-RELEASE (the image), linux-modules-RELEASE and
// linux-base-RELEASE (modules.builtin, config); older ones hold it all.
// Of alternatives the first such package is taken.
func (idx *debIndex) closure(pkg *debPackage, release string) ([]*debPackage, error) {
	out := []*debPackage{pkg}
	seen := map[string]bool{pkg.Name: true}
	for i := 0; i < len(out); i++ {
		for _, dep := range strings.Split(out[i].Depends, ",") {
			for _, alt := range strings.Split(dep, "|") {
				f := strings.Fields(alt)
				if len(f) == 0 || !strings.Contains(f[0], release) {
					continue
				}
				if !seen[f[0]] {
					p := idx.pkgs[f[0]]
					if p == nil {
						return nil, fmt.Errorf("%s depends on %s, which suite %s lacks", out[i].Name, f[0], idx.suite)
					}
					seen[f[0]] = true
					out = append(out, p)
				}
				break
			}
		}
	}
	return out, nil
}

// resolveSuiteKernel finds the newest generic amd64 kernel of suite.
func resolveSuiteKernel(label string, suite Suite, logf func(string, ...any)) (*kernel, error) {
	idx, err := loadIndex(suite.Index, logf)
	if err != nil {
		return nil, err
	}
	img, release, err := idx.newestImage(suite.Series)
	if err != nil {
		return nil, err
	}
	debs, err := idx.closure(img, release)
	if err != nil {
		return nil, err
	}
	return &kernel{
		Label:   label,
		Release: release,
		Package: img.Name,
		Version: img.Version,
		suite:   suite,
		index:   idx,
		debs:    debs,
	}, nil
}

// downloadDebs fetches pkgs from the mirror into dir, each checked
// against the index's size and SHA256, and returns their paths.
func downloadDebs(pkgs []*debPackage, dir string) ([]string, error) {
	var paths []string
	for _, p := range pkgs {
		if p.Filename == "" || p.SHA256 == "" {
			return nil, fmt.Errorf("package %s has no Filename or SHA256 in the index", p.Name)
		}
		dst := filepath.Join(dir, filepath.Base(p.Filename))
		if err := download(DebianMirror()+"/"+p.Filename, dst, p.SHA256, p.Size); err != nil {
			return nil, err
		}
		paths = append(paths, dst)
	}
	return paths, nil
}
