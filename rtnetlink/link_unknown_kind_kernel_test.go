//go:build linux

package rtnetlink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/nstest"
	"github.com/nlkit/netlink/rtnetlink"
)

// Links of kinds no link_KIND.go file registers, made by ip in a kernel
// that has them (macsec and nlmon are modules of Debian's 6.1 and 6.12;
// this machine's kernel has neither: they run in TestModulesVM).

// The IFLA_MACSEC_* attributes the test reads from the raw data
// (<linux/if_macsec.h>).
const (
	iflaMacsecSCI     = 1
	iflaMacsecEncrypt = 7
)

// TestUnknownKindsListed: a link of a kind the package does not decode
// lists without an error, with its kind's name and its IFLA_INFO_DATA
// kept as it came (*RawLinkData), which says what ip prints of it; it is
// deleted as listed, and created again from its listing as it was.
func TestUnknownKindsListed(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		kind, ip string
		// check, when not nil, checks the raw data against what ip
		// prints of it.
		check func(t *testing.T, data []byte, ip map[string]json.RawMessage)
	}{{
		kind: "macsec", ip: "name u0 link p0 type macsec port 11 encrypt on",
		check: func(t *testing.T, data []byte, ip map[string]json.RawMessage) {
			attrs := map[uint16][]byte{}
			for a, err := range netlink.Attrs(data) {
				if err != nil {
					t.Fatalf("raw data % x: %v", data, err)
				}
				attrs[a.Type] = a.Data
			}
			if sci := fmt.Sprintf(`"%x"`, attrs[iflaMacsecSCI]); sci != string(ip["sci"]) {
				t.Errorf("SCI %s in the raw data, ip says %s", sci, ip["sci"])
			}
			if e := attrs[iflaMacsecEncrypt]; !bytes.Equal(e, []byte{1}) || string(ip["encrypt"]) != "true" {
				t.Errorf("encrypt % x in the raw data, ip says %s", e, ip["encrypt"])
			}
		},
	}, {
		kind: "nlmon", ip: "name u0 type nlmon",
	}} {
		t.Run(c.kind, func(t *testing.T) {
			ns := nstest.New(t)
			rt := dial(t, ns, netlink.Config{})
			ns.Batch(t, []string{"link add p0 type veth peer name p1"})
			if out, err := ns.Try(append([]string{"link", "add"}, strings.Fields(c.ip)...)...); err != nil {
				if strings.Contains(out, "Unknown device type") {
					t.Skipf("the kernel lacks %s: %s", c.kind, out)
				}
				t.Fatal(err)
			}
			var listed rtnetlink.Link
			for l, err := range rt.Links(ctx, rtnetlink.LinkFilter{}) {
				if err != nil {
					t.Fatalf("listing the links: %v", err)
				}
				if l.Name == "u0" {
					listed = l
				}
			}
			ip := ipShow(t, ns, "u0")
			if listed.Kind != c.kind || ip.LinkInfo.Kind != c.kind {
				t.Fatalf("u0 listed of kind %q, ip says %q, want %q", listed.Kind, ip.LinkInfo.Kind, c.kind)
			}
			raw, _ := listed.Data.(*rtnetlink.RawLinkData)
			switch {
			case ip.LinkInfo.Data == nil && listed.Data != nil:
				t.Errorf("ip prints no data, we read %+v", listed.Data)
			case ip.LinkInfo.Data != nil && (raw == nil || raw.KindName != c.kind || len(raw.Data) == 0):
				t.Fatalf("data %#v, want the %s kind's raw data (is %[2]s a registered kind now?)", listed.Data, c.kind)
			}
			if c.check != nil && raw != nil {
				c.check(t, raw.Data, ip.LinkInfo.Data)
			}
			if got, err := rt.Link(ctx, listed.Index); err != nil || !reflect.DeepEqual(got.Data, listed.Data) {
				t.Errorf("Link %d: %+v, %v; listed %+v", listed.Index, got.Data, err, listed.Data)
			}
			before := ipJSON(t, ns, "u0")

			// Deleted as listed.
			if err := rt.DeleteLink(ctx, listed.Index); err != nil {
				t.Fatal(err)
			}
			if out, err := ns.Try("link", "show", "dev", "u0"); err == nil {
				t.Fatalf("u0 after DeleteLink: %s", out)
			}
			// Created again from the listing, as it was (its index too): ip
			// prints the same, and it lists with the same data.
			if _, err := rt.CreateLink(ctx, listed); err != nil {
				t.Fatalf("CreateLink of u0 as listed (%+v): %v", listed.Data, err)
			}
			after := ipJSON(t, ns, "u0")
			for _, k := range append([]string{"linkinfo"}, recreatedKeys...) {
				if b, a := jsonOf(before[k]), jsonOf(after[k]); a != b {
					t.Errorf("ip says %s %s after re-creating, %s before", k, a, b)
				}
			}
			again, err := rt.LinkByName(ctx, "u0")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again.Data, listed.Data) {
				t.Errorf("created again, u0 has %+v, listed %+v", again.Data, listed.Data)
			}
		})
	}
}
