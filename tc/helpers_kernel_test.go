//go:build linux

package tc_test

import (
	"context"
	"errors"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/tc"
	"golang.org/x/sys/unix"
)

// world is a throwaway namespace with a veth pair v0 (the links tests put
// traffic control on) and v1, both down so that no packet moves counters,
// and a Conn in it.
type world struct {
	ns     *nstest.NS
	c      *tc.Conn
	v0, v1 int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	if _, err := exec.LookPath("tc"); err != nil {
		t.Skip("no tc:", err)
	}
	ns := nstest.New(t)
	ns.Run(t, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	c, err := tc.Dial(&netlink.Config{NetNS: ns.Path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &world{ns: ns, c: c, v0: ifindex(t, "v0"), v1: ifindex(t, "v1")}
}

// ifindex returns the index veth pairs get in a fresh namespace: lo is 1,
// the peer is registered first (2), then the link (3).
func ifindex(t *testing.T, name string) int {
	switch name {
	case "v1":
		return 2
	case "v0":
		return 3
	}
	t.Fatalf("no link %s", name)
	return 0
}

// tc runs tc inside the namespace; a failure fails the test.
func (w *world) tc(t *testing.T, args ...string) string {
	t.Helper()
	out, err := w.tryTC(args...)
	if err != nil {
		t.Fatalf("tc %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func (w *world) tryTC(args ...string) (string, error) {
	out, err := exec.Command("tc", append([]string{"-n", w.ns.Name}, args...)...).CombinedOutput()
	if err != nil {
		return string(out), errors.New(strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// script runs tc commands, one a line.
func (w *world) script(t *testing.T, lines string) {
	t.Helper()
	for l := range strings.Lines(lines) {
		if l = strings.TrimSpace(l); l != "" {
			f := strings.Fields(l)
			for i := range f {
				f[i] = strings.ReplaceAll(f[i], "~", " ")
			}
			w.tc(t, f...)
		}
	}
}

// times matches what tc prints of the clock: when actions were installed
// and used, which a re-created object cannot keep. tc prints such a time
// only when it is not zero, that is when the action is at least one
// USER_HZ tick (10 ms) old, so a time is taken out with its separator:
// present or not, it compares the same.
var times = regexp.MustCompile(`(,?"(installed|last_used|first_used|expires)":\d+)|( (installed|used|firstused|expires) \d+ sec)`)

// show returns what tc -j -s -d prints of v0's qdiscs, classes, filters
// (at the root qdisc, 1:, and clsact's hooks) and standalone actions of
// the given kinds, with the times taken out.
func (w *world) show(t *testing.T, actionKinds ...string) string {
	t.Helper()
	var b strings.Builder
	for _, args := range [][]string{
		{"qdisc", "show", "dev", "v0"},
		{"class", "show", "dev", "v0"},
		{"filter", "show", "dev", "v0"},
		{"filter", "show", "dev", "v0", "parent", "1:"},
		{"filter", "show", "dev", "v0", "ingress"},
		{"filter", "show", "dev", "v0", "egress"},
	} {
		out, err := w.tryTC(append([]string{"-j", "-s", "-d"}, args...)...)
		if err != nil && !strings.Contains(err.Error(), "Cannot find specified qdisc") && !strings.Contains(err.Error(), "No such file") {
			t.Fatalf("tc %s: %v", strings.Join(args, " "), err)
		}
		b.WriteString(strings.Join(args, " ") + ":\n" + out + "\n")
	}
	for _, k := range actionKinds {
		b.WriteString("actions " + k + ":\n" + w.tc(t, "-j", "-s", "-d", "actions", "ls", "action", k) + "\n")
	}
	return times.ReplaceAllString(b.String(), "")
}

// listing is what Conn lists of v0.
type listing struct {
	qdiscs  []tc.Qdisc
	classes []tc.Class
	filters []tc.Filter
	actions []tc.Action
}

func (w *world) list(t *testing.T, actionKinds ...string) listing {
	t.Helper()
	ctx := context.Background()
	var l listing
	for q, err := range w.c.Qdiscs(ctx, w.v0) {
		if err != nil {
			t.Fatal(err)
		}
		l.qdiscs = append(l.qdiscs, q)
	}
	for cl, err := range w.c.Classes(ctx, w.v0, tc.HandleUnspec) {
		if err != nil {
			t.Fatal(err)
		}
		l.classes = append(l.classes, cl)
	}
	for _, q := range l.qdiscs {
		parents := []tc.Handle{q.Handle}
		if q.Kind == "clsact" {
			parents = []tc.Handle{tc.HandleClsactIngress, tc.HandleClsactEgress}
		}
		for _, p := range parents {
			for f, err := range w.c.Filters(ctx, w.v0, p) {
				if err != nil {
					t.Fatal(err)
				}
				l.filters = append(l.filters, f)
			}
		}
	}
	for _, k := range actionKinds {
		for a, err := range w.c.Actions(ctx, k) {
			if err != nil {
				t.Fatal(err)
			}
			l.actions = append(l.actions, a)
		}
	}
	return l
}

// clear deletes v0's root and clsact qdiscs (and with them everything
// below) and the standalone actions of l.
func (w *world) clear(t *testing.T, l listing) {
	t.Helper()
	ctx := context.Background()
	for _, q := range l.qdiscs {
		if q.Parent != tc.HandleRoot && q.Parent != tc.HandleIngress {
			continue
		}
		if err := w.c.DeleteQdisc(ctx, &q); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range l.actions {
		if a.Bindcnt > 0 {
			continue // a filter's, gone with it
		}
		if err := w.c.DeleteAction(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	// The kernel frees the deleted filters' actions after an RCU grace
	// period: wait until they are gone, so that the re-created filters
	// make new ones with the same indexes instead of binding the old.
	kinds := map[string]bool{}
	for _, a := range l.actions {
		kinds[a.Kind] = true
	}
	ctx = testCtx(t)
	for {
		left := 0
		for k := range kinds {
			for a, err := range w.c.Actions(ctx, k) {
				if err != nil {
					t.Fatal(err)
				}
				if a.Bindcnt > 0 {
					left++
				}
			}
		}
		if left == 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d deleted filters' actions still there", left)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// create makes again what l holds: the root and clsact qdiscs, the
// classes (parents first), the other qdiscs, the filters, the actions.
func (w *world) create(t *testing.T, l listing) {
	t.Helper()
	ctx := context.Background()
	top := func(q tc.Qdisc) bool { return q.Parent == tc.HandleRoot || q.Parent == tc.HandleIngress }
	for _, q := range l.qdiscs {
		if top(q) && q.Kind != "noqueue" {
			if err := w.c.AddQdisc(ctx, &q); err != nil {
				t.Fatal(err)
			}
		}
	}
	classes := slices.Clone(l.classes)
	depth := func(cl tc.Class) int {
		n := 0
		for p := cl.Parent; p.Minor() != 0; n++ {
			i := slices.IndexFunc(classes, func(c tc.Class) bool { return c.Handle == p })
			if i < 0 {
				break
			}
			p = classes[i].Parent
		}
		return n
	}
	slices.SortStableFunc(classes, func(a, b tc.Class) int { return depth(a) - depth(b) })
	for _, cl := range classes {
		if cl.Kind == "tbf" || cl.Kind == "prio" {
			continue // made with the qdisc
		}
		if err := w.c.AddClass(ctx, &cl); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range l.qdiscs {
		if !top(q) {
			if err := w.c.AddQdisc(ctx, &q); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, a := range l.actions {
		if a.Bindcnt > 0 {
			continue // a filter's, made with it
		}
		if err := w.c.AddAction(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range l.filters {
		if f.Options == nil {
			continue // the kernel reports each priority once without options
		}
		err := w.c.AddFilter(ctx, &f)
		if u, ok := f.Options.(*tc.U32); ok && u.Divisor == 1 && errors.Is(err, unix.EEXIST) {
			continue // the hash table the kernel made with the priority's first filter
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// ctx returns a context for one test, bounded so that a hang fails.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
