package genetlink_test

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/internal/uapi"
	"github.com/nlkit/netlink/nltest"
)

// TestFakeKernel runs the typed layer on nltest's fake kernel, which needs
// neither root nor Linux: this test is built (and runs) on every platform.
// nlctrl knows one family, "fake", whose command 1 echoes its attributes;
// any other name is ENOENT, which must match syscall.ENOENT wherever the
// test runs (the errno crosses as Linux's number).
func TestFakeKernel(t *testing.T) {
	const fakeID = 0x20
	k := nltest.New(uapi.NETLINK_GENERIC, func(req netlink.Message) ([]netlink.Message, error) {
		h, err := genetlink.ParseHeader(req.Data)
		if err != nil {
			return nil, err
		}
		switch {
		case req.Header.Type == uapi.GENL_ID_CTRL && h.Command == uapi.CTRL_CMD_GETFAMILY:
			d := req.AttrDecoder(genetlink.HeaderLen)
			name := ""
			for d.Next() {
				if d.Type() == uapi.CTRL_ATTR_FAMILY_NAME {
					name = d.String()
				}
			}
			if name != "fake" {
				return nil, syscall.ENOENT
			}
			var e netlink.AttrEncoder
			e.Reset(genetlink.AppendHeader(nil, genetlink.Header{Command: uapi.CTRL_CMD_NEWFAMILY, Version: 2}))
			e.String(uapi.CTRL_ATTR_FAMILY_NAME, "fake")
			e.Uint16(uapi.CTRL_ATTR_FAMILY_ID, fakeID)
			e.Uint32(uapi.CTRL_ATTR_VERSION, 1)
			data, err := e.Finish()
			if err != nil {
				return nil, err
			}
			return []netlink.Message{{Header: netlink.Header{Type: uapi.GENL_ID_CTRL}, Data: data}}, nil
		case req.Header.Type == fakeID && h.Command == 1:
			return []netlink.Message{{Header: netlink.Header{Type: fakeID}, Data: req.Data}}, nil
		}
		return nil, syscall.EOPNOTSUPP
	})
	nl, err := k.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	g := genetlink.New(nl)
	defer g.Close()
	ctx := context.Background()

	f, err := g.Family(ctx, "fake")
	if err != nil {
		t.Fatalf("Family(fake): %v", err)
	}
	if f.ID != fakeID || f.Name != "fake" || f.Version != 1 {
		t.Fatalf("Family(fake) = ID %#x, name %q, version %d; want %#x, fake, 1", f.ID, f.Name, f.Version, fakeID)
	}

	var e netlink.AttrEncoder
	e.Uint32(7, 42)
	attrs, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := g.Execute(ctx, &f, 1, attrs)
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if len(msgs) != 1 {
		t.Fatalf("Execute: %d replies, want 1", len(msgs))
	}
	d := msgs[0].AttrDecoder(genetlink.HeaderLen)
	if !d.Next() || d.Type() != 7 || d.Uint32() != 42 {
		t.Errorf("Execute's reply does not echo attribute 7 = 42: % x", msgs[0].Data)
	}

	_, err = g.Family(ctx, "nosuch")
	if !errors.Is(err, syscall.ENOENT) {
		t.Errorf("Family(nosuch): %v, want an error wrapping ENOENT", err)
	}
	if _, err := g.Execute(ctx, &f, 2, nil); !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("Execute(command 2): %v, want an error wrapping EOPNOTSUPP", err)
	}
}
