package rtnetlink

import (
	"context"

	"github.com/nlkit/netlink/internal/uapi"
)

// SetLinkData changes the kind-specific settings of the link (ip link set
// NAME type KIND ...): d must be of the link's kind. What d sends is its
// kind's to say (see each kind's type): most send only their non-zero
// fields, which the kernel changes, and leave the rest as they are; the
// tunnels send their whole configuration, as ip does, so read the link,
// change its Data, and send it back. The kernel refuses the settings a kind
// cannot change once created (a VLAN's ID, a bond's mode while it has
// ports) with its own error.
//
// SetLinkData sends RTM_NEWLINK without NLM_F_CREATE: an ifinfomsg with the
// index, then IFLA_LINKINFO with IFLA_INFO_KIND and IFLA_INFO_DATA.
func (c *Conn) SetLinkData(ctx context.Context, index int, d LinkData) error {
	if d == nil {
		return named(invalid(uapi.RTM_NEWLINK, "no link data to set"), "link %d", index)
	}
	return c.changeLink(ctx, index, uapi.IFLA_INFO_KIND, d.Kind(), uapi.IFLA_INFO_DATA, d.encode)
}

// changeLink sends an RTM_NEWLINK that changes the link's linkinfo: the
// kind attribute, then the data nest that encode fills.
func (c *Conn) changeLink(ctx context.Context, index int, kindAttr uint16, kind string, dataAttr uint16, encode func(*request) error) error {
	r, err := changeLinkRequest(index, kindAttr, kind, dataAttr, encode)
	if err != nil {
		return named(err, "link %d", index)
	}
	_, err = c.run(ctx, 0, r)
	return named(err, "link %d", index)
}

// changeLinkRequest builds changeLink's request.
func changeLinkRequest(index int, kindAttr uint16, kind string, dataAttr uint16, encode func(*request) error) (*request, error) {
	if err := checkIndex(uapi.RTM_NEWLINK, index); err != nil {
		return nil, err
	}
	r := newRequest(uapi.RTM_NEWLINK, index, 0, 0)
	info := r.Nest(uapi.IFLA_LINKINFO)
	r.String(kindAttr, kind)
	data := r.Nest(dataAttr)
	if err := encode(r); err != nil {
		r.close()
		return nil, err
	}
	r.End(data)
	r.End(info)
	return r, nil
}
