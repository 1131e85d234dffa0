package rtnetlink

import (
	"context"
	"encoding/binary"
	"strconv"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

func init() { registerPortKind("bridge", func() PortData { return new(BridgePort) }) }

// BridgePort is a bridge port's settings (IFLA_INFO_SLAVE_DATA of a link
// whose master is a bridge; ip's "bridge_slave"): Link.Port of a bridge's
// ports.
//
// SetLinkPort sends every field but State, ID and Number, and the part of
// Other the kernel takes, so change one by reading the port's Link,
// changing its BridgePort and sending that: a BridgePort made from scratch
// turns learning and flooding off. The state is set with
// SetBridgePortState.
type BridgePort struct {
	State          BridgePortState // IFLA_BRPORT_STATE: the STP state; read only here (SetBridgePortState)
	Priority       uint16          // IFLA_BRPORT_PRIORITY: the STP port priority, 0 to 63
	Cost           uint32          // IFLA_BRPORT_COST: the STP path cost, 1 to 65535
	Hairpin        bool            // IFLA_BRPORT_MODE: frames may go back out of the port they came in by
	Guard          bool            // IFLA_BRPORT_GUARD: BPDU guard, STP frames received disable the port
	RootBlock      bool            // IFLA_BRPORT_PROTECT: the port may not become the root port
	FastLeave      bool            // IFLA_BRPORT_FAST_LEAVE: IGMP/MLD leaves take effect at once
	Learning       bool            // IFLA_BRPORT_LEARNING: source addresses are learned
	Flood          bool            // IFLA_BRPORT_UNICAST_FLOOD: unknown unicast is flooded to the port
	MulticastFlood bool            // IFLA_BRPORT_MCAST_FLOOD: unknown multicast is flooded to the port
	BroadcastFlood bool            // IFLA_BRPORT_BCAST_FLOOD: broadcast is flooded to the port
	ProxyARP       bool            // IFLA_BRPORT_PROXYARP
	NeighSuppress  bool            // IFLA_BRPORT_NEIGH_SUPPRESS: ARP and ND suppression
	Isolated       bool            // IFLA_BRPORT_ISOLATED: no traffic to other isolated ports
	ID             uint16          // IFLA_BRPORT_ID: the STP port identifier; read only
	Number         uint16          // IFLA_BRPORT_NO: the port number; read only
	// Other holds the IFLA_BRPORT_* attributes the fields above do not
	// model, as the kernel sent them, in order. SetLinkPort and
	// CreateLink send back those the kernel takes in a request (see
	// bridgePortSetAttr: the multicast router mode, the group forwarding
	// mask, the backup port, the lock, ...), so a listed port's settings
	// are set again as they were; the others are what only the kernel
	// sets (the STP identifiers and timers, the multicast group count,
	// which it refuses in a request), or attributes of kernels newer than
	// the package, which it cannot tell apart from those.
	Other RawAttrs
}

// bridgePortSetAttr reports whether an attribute of BridgePort.Other goes
// back in a request: those the kernel takes and acts on (br_port_policy,
// br_setport). The others are what it reports and does not take, or
// refuses (IFLA_BRPORT_MCAST_N_GROUPS), or, for IFLA_BRPORT_FLUSH, a
// command no listing holds; and those of kernels newer than this list.
func bridgePortSetAttr(typ uint16) bool {
	switch typ {
	case uapi.IFLA_BRPORT_PROXYARP_WIFI, uapi.IFLA_BRPORT_MULTICAST_ROUTER, uapi.IFLA_BRPORT_MCAST_TO_UCAST,
		uapi.IFLA_BRPORT_VLAN_TUNNEL, uapi.IFLA_BRPORT_GROUP_FWD_MASK, uapi.IFLA_BRPORT_BACKUP_PORT,
		uapi.IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT, uapi.IFLA_BRPORT_LOCKED, uapi.IFLA_BRPORT_MAB,
		uapi.IFLA_BRPORT_MCAST_MAX_GROUPS, uapi.IFLA_BRPORT_NEIGH_VLAN_SUPPRESS, uapi.IFLA_BRPORT_BACKUP_NHID:
		return true
	}
	return false
}

// PortKind returns "bridge".
func (*BridgePort) PortKind() string { return "bridge" }

// The range the kernel takes (BR_MAX_PORT_PRIORITY, BR_MIN/MAX_PATH_COST).
const (
	bridgePortMaxPriority = 63
	bridgePortMaxCost     = 65535
)

func (p *BridgePort) encode(r *request) error {
	if p.Priority > bridgePortMaxPriority {
		return invalid(r.typ, "bridge port priority %d is above %d", p.Priority, bridgePortMaxPriority)
	}
	if p.Cost < 1 || p.Cost > bridgePortMaxCost {
		return invalid(r.typ, "bridge port cost %d is not within 1 to %d (read the port's settings first)", p.Cost, bridgePortMaxCost)
	}
	r.Uint16(uapi.IFLA_BRPORT_PRIORITY, p.Priority)
	r.Uint32(uapi.IFLA_BRPORT_COST, p.Cost)
	for _, f := range [...]struct {
		typ uint16
		on  bool
	}{
		{uapi.IFLA_BRPORT_MODE, p.Hairpin},
		{uapi.IFLA_BRPORT_GUARD, p.Guard},
		{uapi.IFLA_BRPORT_PROTECT, p.RootBlock},
		{uapi.IFLA_BRPORT_FAST_LEAVE, p.FastLeave},
		{uapi.IFLA_BRPORT_LEARNING, p.Learning},
		{uapi.IFLA_BRPORT_UNICAST_FLOOD, p.Flood},
		{uapi.IFLA_BRPORT_MCAST_FLOOD, p.MulticastFlood},
		{uapi.IFLA_BRPORT_BCAST_FLOOD, p.BroadcastFlood},
		{uapi.IFLA_BRPORT_PROXYARP, p.ProxyARP},
		{uapi.IFLA_BRPORT_NEIGH_SUPPRESS, p.NeighSuppress},
		{uapi.IFLA_BRPORT_ISOLATED, p.Isolated},
	} {
		r.Uint8(f.typ, boolByte(f.on))
	}
	return putKindOther(r, p.Other, putBridgePortOther)
}

// putBridgePortOther leaves out of a request (by reporting it put) an
// attribute of BridgePort.Other the kernel does not take.
func putBridgePortOther(_ *request, a netlink.Attr) bool {
	return !bridgePortSetAttr(a.Type)
}

func (p *BridgePort) decode(b []byte) error {
	var other []byte
	d := netlink.NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case uapi.IFLA_BRPORT_STATE:
			p.State = BridgePortState(d.Uint8())
		case uapi.IFLA_BRPORT_PRIORITY:
			p.Priority = d.Uint16()
		case uapi.IFLA_BRPORT_COST:
			p.Cost = d.Uint32()
		case uapi.IFLA_BRPORT_MODE:
			p.Hairpin = d.Uint8() != 0
		case uapi.IFLA_BRPORT_GUARD:
			p.Guard = d.Uint8() != 0
		case uapi.IFLA_BRPORT_PROTECT:
			p.RootBlock = d.Uint8() != 0
		case uapi.IFLA_BRPORT_FAST_LEAVE:
			p.FastLeave = d.Uint8() != 0
		case uapi.IFLA_BRPORT_LEARNING:
			p.Learning = d.Uint8() != 0
		case uapi.IFLA_BRPORT_UNICAST_FLOOD:
			p.Flood = d.Uint8() != 0
		case uapi.IFLA_BRPORT_MCAST_FLOOD:
			p.MulticastFlood = d.Uint8() != 0
		case uapi.IFLA_BRPORT_BCAST_FLOOD:
			p.BroadcastFlood = d.Uint8() != 0
		case uapi.IFLA_BRPORT_PROXYARP:
			p.ProxyARP = d.Uint8() != 0
		case uapi.IFLA_BRPORT_NEIGH_SUPPRESS:
			p.NeighSuppress = d.Uint8() != 0
		case uapi.IFLA_BRPORT_ISOLATED:
			p.Isolated = d.Uint8() != 0
		case uapi.IFLA_BRPORT_ID:
			p.ID = d.Uint16()
		case uapi.IFLA_BRPORT_NO:
			p.Number = d.Uint16()
		default:
			other = d.Attr().Append(other)
		}
	}
	if len(other) > 0 {
		p.Other = RawAttrs(other)
	}
	return d.Err()
}

// BridgePortState is a bridge port's spanning tree state (BR_STATE_* in
// <linux/if_bridge.h>).
type BridgePortState uint8

// The port states.
const (
	BridgePortDisabled   BridgePortState = 0 // down, or disabled by STP
	BridgePortListening  BridgePortState = 1 // STP is deciding; no traffic
	BridgePortLearning   BridgePortState = 2 // learning addresses; no traffic
	BridgePortForwarding BridgePortState = 3 // passing traffic
	BridgePortBlocking   BridgePortState = 4 // blocked by STP to break a loop
)

var bridgePortStateNames = [...]string{"disabled", "listening", "learning", "forwarding", "blocking"}

// String names the state as ip and bridge do: "disabled", "listening",
// "learning", "forwarding", "blocking".
func (s BridgePortState) String() string {
	if int(s) < len(bridgePortStateNames) {
		return bridgePortStateNames[s]
	}
	return "BridgePortState(" + strconv.Itoa(int(s)) + ")"
}

// SetLinkPort changes the link's settings as a port of its master (ip
// link set NAME type bridge_slave ...): p's kind must be the master's.
// See BridgePort for what it sends.
//
// SetLinkPort sends RTM_NEWLINK without NLM_F_CREATE: an ifinfomsg with
// the index, then IFLA_LINKINFO holding IFLA_INFO_SLAVE_KIND and
// IFLA_INFO_SLAVE_DATA.
func (c *Conn) SetLinkPort(ctx context.Context, index int, p PortData) error {
	r, _, err := portRequest(index, p)
	if err != nil {
		return named(err, "link %d as a port", index)
	}
	_, err = c.run(ctx, 0, r)
	return named(err, "link %d as a %s port", index, p.PortKind())
}

// portRequest builds the RTM_NEWLINK request that sets p on the link,
// and says whether p put any attribute in its IFLA_INFO_SLAVE_DATA.
func portRequest(index int, p PortData) (r *request, some bool, err error) {
	const req = uapi.RTM_NEWLINK
	if err := checkIndex(req, index); err != nil {
		return nil, false, err
	}
	if p == nil {
		return nil, false, invalid(req, "no port settings for link %d", index)
	}
	r = newRequest(req, index, 0, 0)
	info := r.Nest(uapi.IFLA_LINKINFO)
	r.String(uapi.IFLA_INFO_SLAVE_KIND, p.PortKind())
	data := r.Nest(uapi.IFLA_INFO_SLAVE_DATA)
	start := r.Len()
	if err := p.encode(r); err != nil {
		r.close()
		return nil, false, err
	}
	some = r.Len() > start
	r.End(data)
	r.End(info)
	return r, some, nil
}

// SetBridgePortState sets the spanning tree state of a bridge's port, as
// bridge link set dev NAME state N does; the kernel refuses while the
// bridge runs STP in the kernel (EBUSY), and any state but disabled while
// the port is down (ENETDOWN). Without STP the bridge works the state out
// again at once: disabled sticks, and any other state becomes forwarding.
//
// SetBridgePortState sends RTM_SETLINK as bridge does: an ifinfomsg of
// family AF_BRIDGE with the index, then IFLA_PROTINFO (nested) holding
// IFLA_BRPORT_STATE. (RTM_NEWLINK with IFLA_INFO_SLAVE_DATA, ip's way,
// would not do: the change notification it ends with has the bridge enable
// a disabled port again.)
func (c *Conn) SetBridgePortState(ctx context.Context, index int, state BridgePortState) error {
	const req = uapi.RTM_SETLINK
	if err := checkIndex(req, index); err != nil {
		return named(err, "link %d as a bridge port", index)
	}
	if state > BridgePortBlocking {
		return named(invalid(req, "bridge port state %d is above %d (blocking)", state, BridgePortBlocking), "link %d as a bridge port", index)
	}
	var h [uapi.SizeofIfInfomsg]byte
	h[0] = uapi.AF_BRIDGE
	binary.NativeEndian.PutUint32(h[4:], uint32(index))
	r := &request{typ: req}
	r.Reset(append(make([]byte, 0, 64), h[:]...))
	info := r.Nest(uapi.IFLA_PROTINFO)
	r.Uint8(uapi.IFLA_BRPORT_STATE, uint8(state))
	r.End(info)
	_, err := c.run(ctx, 0, r)
	return named(err, "link %d as a bridge port", index)
}
