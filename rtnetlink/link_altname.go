package rtnetlink

import (
	"context"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Alternative names: a link answers to up to 127-byte names besides its
// 15-byte one (ip link property add dev NAME altname ALT).

// altNameMax is the longest alternative name, ALTIFNAMSIZ-1.
const altNameMax = 127

// checkAltName checks an alternative name as the kernel's dev_valid_name
// does, with ALTIFNAMSIZ's bound.
func checkAltName(req netlink.HeaderType, name string) error {
	switch {
	case name == "":
		return invalid(req, "alternative name is empty")
	case len(name) > altNameMax:
		return invalid(req, "alternative name %q is %d bytes, longer than %d", name, len(name), altNameMax)
	case name == "." || name == "..":
		return invalid(req, "alternative name %q is not allowed", name)
	case strings.ContainsAny(name, "/: \t\n\v\f\r\x00"):
		return invalid(req, "alternative name %q has a '/', ':', space or NUL", name)
	}
	return nil
}

// AddLinkAltName gives the link another name it answers to: LinkByAltName
// finds it by that name, and so do the kernel's lookups by name (ip link
// show dev ALT). The kernel refuses a name in use (EEXIST).
//
// AddLinkAltName sends RTM_NEWLINKPROP: an ifinfomsg with the index, then
// IFLA_PROP_LIST holding IFLA_ALT_IFNAME.
func (c *Conn) AddLinkAltName(ctx context.Context, index int, name string) error {
	return c.linkProp(ctx, uapi.RTM_NEWLINKPROP, index, name)
}

// DeleteLinkAltName removes one of the link's alternative names.
//
// DeleteLinkAltName sends RTM_DELLINKPROP: an ifinfomsg with the index,
// then IFLA_PROP_LIST holding IFLA_ALT_IFNAME.
func (c *Conn) DeleteLinkAltName(ctx context.Context, index int, name string) error {
	return c.linkProp(ctx, uapi.RTM_DELLINKPROP, index, name)
}

func (c *Conn) linkProp(ctx context.Context, typ netlink.HeaderType, index int, name string) error {
	r, err := altNameRequest(typ, index, name)
	if err != nil {
		return named(err, "link %d altname %q", index, name)
	}
	_, err = c.run(ctx, 0, r)
	return named(err, "link %d altname %q", index, name)
}

// altNameRequest builds the request of type typ (RTM_NEWLINKPROP or
// RTM_DELLINKPROP) that adds or removes an alternative name.
func altNameRequest(typ netlink.HeaderType, index int, name string) (*request, error) {
	if err := checkIndex(typ, index); err != nil {
		return nil, err
	}
	if err := checkAltName(typ, name); err != nil {
		return nil, err
	}
	r := newRequest(typ, index, 0, 0)
	list := r.Nest(uapi.IFLA_PROP_LIST)
	r.String(uapi.IFLA_ALT_IFNAME, name)
	r.End(list)
	return r, nil
}

// LinkByAltName returns the link that has the given alternative name (or
// name); ENODEV if there is none.
//
// LinkByAltName sends RTM_GETLINK: an ifinfomsg with index 0, then
// IFLA_ALT_IFNAME. The reply is one RTM_NEWLINK.
func (c *Conn) LinkByAltName(ctx context.Context, name string) (Link, error) {
	if err := checkAltName(uapi.RTM_GETLINK, name); err != nil {
		return Link{}, named(err, "link altname %q", name)
	}
	r := newRequest(uapi.RTM_GETLINK, 0, 0, 0)
	r.String(uapi.IFLA_ALT_IFNAME, name)
	r.Uint32(uapi.IFLA_EXT_MASK, rtextFilterVF)
	return c.getLinkReply(ctx, r, "link altname %q", name)
}
