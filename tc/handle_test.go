package tc_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/nlkit/netlink/tc"
)

func TestHandleText(t *testing.T) {
	for _, c := range []struct {
		h    tc.Handle
		text string
	}{
		{tc.MakeHandle(1, 0), "1:"},
		{tc.MakeHandle(1, 0x10), "1:10"},
		{tc.MakeHandle(0, 5), ":5"},
		{tc.HandleIngress, "ffff:fff1"},
		{tc.HandleClsactEgress, "ffff:fff3"},
		{tc.HandleIngressQdisc, "ffff:"},
		{tc.HandleRoot, "root"},
		{tc.HandleUnspec, "none"},
	} {
		if s := c.h.String(); s != c.text {
			t.Errorf("%#x.String() = %q, want %q", uint32(c.h), s, c.text)
		}
		h, err := tc.ParseHandle(c.text)
		if err != nil || h != c.h {
			t.Errorf("ParseHandle(%q) = %#x, %v; want %#x", c.text, uint32(h), err, uint32(c.h))
		}
	}
	for _, s := range []string{"ingress", "clsact"} {
		if h, err := tc.ParseHandle(s); h != tc.HandleIngress || err != nil {
			t.Errorf("ParseHandle(%q) = %v, %v", s, h, err)
		}
	}
}

func TestParseHandleErrors(t *testing.T) {
	for _, c := range []struct{ in, msg string }{
		{"10000:", `tc: invalid handle "10000:": major number 0x10000 is out of range (at most ffff)`},
		{"1:12345", `tc: invalid handle "1:12345": minor number 0x12345 is out of range (at most ffff)`},
		{"1", `tc: invalid handle "1": want major:minor in hexadecimal, "root", "ingress" or "clsact"`},
		{":", `tc: invalid handle ":": no major or minor number`},
		{"x:1", `tc: invalid handle "x:1": major number "x" is not hexadecimal`},
		{"1:-1", `tc: invalid handle "1:-1": minor number "-1" is not hexadecimal`},
	} {
		_, err := tc.ParseHandle(c.in)
		if err == nil || err.Error() != c.msg {
			t.Errorf("ParseHandle(%q): %v, want %s", c.in, err, c.msg)
		}
		if !errors.Is(err, os.ErrInvalid) {
			t.Errorf("ParseHandle(%q): %v is not os.ErrInvalid", c.in, err)
		}
	}
}

func FuzzHandle(f *testing.F) {
	for _, s := range []string{"1:", "ffff:fff1", "root", ":a", "1:2", "10000:", "none"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := tc.ParseHandle(s)
		if err != nil {
			return
		}
		h2, err := tc.ParseHandle(h.String())
		if err != nil || h2 != h {
			t.Fatalf("%q -> %#x -> %q -> %#x, %v", s, uint32(h), h.String(), uint32(h2), err)
		}
	})
}

func ExampleParseHandle() {
	h, _ := tc.ParseHandle("1:10")
	fmt.Println(h.Major(), h.Minor(), h)
	_, err := tc.ParseHandle("1:10000")
	fmt.Println(err)
	// Output:
	// 1 16 1:10
	// tc: invalid handle "1:10000": minor number 0x10000 is out of range (at most ffff)
}
