package nftables

import (
	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/internal/uapi"
)

// Hook is where a base chain or a flowtable hooks into the network stack
// (NFTA_CHAIN_HOOK, NFTA_FLOWTABLE_HOOK).
type Hook struct {
	// Num is the hook: NF_INET_PRE_ROUTING (0), LOCAL_IN, FORWARD,
	// LOCAL_OUT, POST_ROUTING (4), NF_INET_INGRESS (5); for netdev,
	// NF_NETDEV_INGRESS (0) and NF_NETDEV_EGRESS (1).
	Num uint32
	// Priority orders the chains on one hook, lowest first.
	Priority int32
	// Device (NFTA_HOOK_DEV) is the one device of a netdev chain, as some
	// kernels send it; Devices (NFTA_HOOK_DEVS) lists them. Both are sent
	// back as they came.
	Device  string
	Devices []string
	// Other keeps the attributes the fields above do not model.
	Other RawAttrs
}

// The hook numbers (enum nf_inet_hooks, enum nf_dev_hooks).
const (
	HookPrerouting    = 0 // NF_INET_PRE_ROUTING
	HookInput         = 1 // NF_INET_LOCAL_IN
	HookForward       = 2 // NF_INET_FORWARD
	HookOutput        = 3 // NF_INET_LOCAL_OUT
	HookPostrouting   = 4 // NF_INET_POST_ROUTING
	HookIngress       = 5 // NF_INET_INGRESS (inet); netdev's ingress is 0
	HookNetdevIngress = 0 // NF_NETDEV_INGRESS
	HookNetdevEgress  = 1 // NF_NETDEV_EGRESS
)

// put appends the hook nest typ; the attribute numbers of chains' and
// flowtables' hooks are the same but for the device list, devs.
func (h *Hook) put(e *netlink.AttrEncoder, typ, devs uint16, flowtable bool) {
	n := e.Nest(typ)
	e.Uint32BE(uapi.NFTA_HOOK_HOOKNUM, h.Num)
	e.Uint32BE(uapi.NFTA_HOOK_PRIORITY, uint32(h.Priority))
	if h.Device != "" && !flowtable {
		e.String(uapi.NFTA_HOOK_DEV, h.Device)
	}
	if h.Devices != nil {
		d := e.Nest(devs)
		for _, name := range h.Devices {
			e.String(nftaDeviceName, name)
		}
		e.End(d)
	}
	e.RawAttrs(h.Other)
	e.End(n)
}

func parseHook(b []byte, devs uint16, flowtable bool) (*Hook, error) {
	h := new(Hook)
	err := walk(b, &h.Other, func(a netlink.Attr) error {
		switch {
		case a.Type == uapi.NFTA_HOOK_HOOKNUM:
			return be32To(a, &h.Num)
		case a.Type == uapi.NFTA_HOOK_PRIORITY:
			return be32To(a, &h.Priority)
		case a.Type == uapi.NFTA_HOOK_DEV && !flowtable:
			h.Device = a.Str()
		case a.Type == devs:
			h.Devices = []string{}
			var rest RawAttrs
			err := walk(a.Data, &rest, func(a netlink.Attr) error {
				if a.Type != nftaDeviceName {
					return errSkip
				}
				h.Devices = append(h.Devices, a.Str())
				return nil
			})
			if err != nil || rest != "" {
				return errSkip
			}
		default:
			return errSkip
		}
		return nil
	})
	return h, err
}
