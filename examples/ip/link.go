package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/nlkit/netlink/rtnetlink"
)

// runLink runs ip link: show, add, set, delete.
func runLink(ctx context.Context, c *rtnetlink.Conn, args []string) error {
	cmd, ok := command(args, "add", "set", "change", "delete", "show", "list", "lst")
	if !ok {
		return unknownCommand(args[0], "link")
	}
	if len(args) > 0 {
		args = args[1:]
	}
	ls, err := readLinks(ctx, c)
	if err != nil {
		return err
	}
	switch cmd {
	case "add":
		return linkAdd(ctx, c, ls, args)
	case "set", "change":
		return linkSet(ctx, c, ls, args)
	case "delete":
		return linkDel(ctx, c, ls, args)
	}
	return linkShow(ls, args)
}

// showDevice reads the NAME of a show command's "[dev] NAME" into dev.
func showDevice(ls *links, dev *int, name string) error {
	if *dev != 0 {
		return garbage("dev", name)
	}
	i, ok := ls.byName[name]
	if !ok {
		return failf(`Device "%s" does not exist.`, name)
	}
	*dev = i
	return nil
}

// linkShow runs ip link show [[dev] NAME] [up] [type KIND] [master NAME].
func linkShow(ls *links, args argv) error {
	var dev, master int
	up, kind := false, ""
	for ; len(args) > 0; args = args[1:] {
		var err error
		switch args[0] {
		case "up":
			up = true
		case "type":
			kind, err = args.next()
		case "master":
			var w string
			if w, err = args.next(); err == nil && ls.byName[w] == 0 {
				err = invarg("Device does not exist\n", w)
			}
			master = ls.byName[w]
		case "dev":
			var w string
			if w, err = args.next(); err == nil {
				err = showDevice(ls, &dev, w)
			}
		default:
			err = showDevice(ls, &dev, args[0])
		}
		if err != nil {
			return err
		}
	}
	var recs []*record
	for _, l := range sortedLinks(ls) {
		if dev != 0 && l.Index != dev || up && l.Flags&rtnetlink.LinkUp == 0 ||
			kind != "" && l.Kind != kind || master != 0 && l.MasterIndex != master {
			continue
		}
		r := newRecord()
		linkRecord(r, l, ls, true)
		r.word("\n")
		recs = append(recs, r)
	}
	return output(recs)
}

// sortedLinks returns the links in index order, as the kernel lists them.
func sortedLinks(ls *links) []rtnetlink.Link {
	var out []rtnetlink.Link
	for i := 1; len(out) < len(ls.byIndex); i++ {
		if l, ok := ls.byIndex[i]; ok {
			out = append(out, l)
		}
	}
	return out
}

// linkFlags names the flags as ip does: NO-CARRIER for a link up without
// carrier, RUNNING left out, M-DOWN when the link's lower link is down.
func linkFlags(f rtnetlink.LinkFlags, mdown bool) []string {
	names := []string{}
	if f&rtnetlink.LinkUp != 0 && f&rtnetlink.LinkRunning == 0 {
		names = append(names, "NO-CARRIER")
	}
	f &^= rtnetlink.LinkRunning
	for _, n := range []struct {
		flag rtnetlink.LinkFlags
		name string
	}{
		{rtnetlink.LinkLoopback, "LOOPBACK"}, {rtnetlink.LinkBroadcast, "BROADCAST"},
		{rtnetlink.LinkPointToPoint, "POINTOPOINT"}, {rtnetlink.LinkMulticast, "MULTICAST"},
		{rtnetlink.LinkNoARP, "NOARP"}, {rtnetlink.LinkAllMulti, "ALLMULTI"},
		{rtnetlink.LinkPromisc, "PROMISC"}, {rtnetlink.LinkMaster, "MASTER"},
		{rtnetlink.LinkSlave, "SLAVE"}, {rtnetlink.LinkDebug, "DEBUG"},
		{rtnetlink.LinkDynamic, "DYNAMIC"}, {rtnetlink.LinkAutoMedia, "AUTOMEDIA"},
		{rtnetlink.LinkPortSel, "PORTSEL"}, {rtnetlink.LinkNoTrailers, "NOTRAILERS"},
		{rtnetlink.LinkUp, "UP"}, {rtnetlink.LinkLowerUp, "LOWER_UP"},
		{rtnetlink.LinkDormant, "DORMANT"}, {rtnetlink.LinkEcho, "ECHO"},
	} {
		if f&n.flag != 0 {
			names = append(names, n.name)
			f &^= n.flag
		}
	}
	if f != 0 {
		names = append(names, strconv.FormatUint(uint64(f), 16))
	}
	if mdown {
		names = append(names, "M-DOWN")
	}
	return names
}

// linkTypes names the hardware types (ARPHRD_*) of the links this program
// makes or finds in a fresh namespace.
var linkTypes = map[uint16]string{1: "ether", 772: "loopback", 65534: "none"}

// linkRecord prints l's lines (without the last newline) as ip link does.
// The queue length is printed in listings, not by monitor.
func linkRecord(r *record, l rtnetlink.Link, ls *links, queue bool) {
	r.add("ifindex", "%d: ", l.Index)
	r.add("ifname", "%s", l.Name)
	mdown := false
	if l.ParentIndex != 0 {
		if l.LinkNetNSID >= 0 {
			r.add("link_index", "@if%d", l.ParentIndex)
		} else {
			r.add("link", "@%s", ls.name(l.ParentIndex))
			mdown = ls.byIndex[l.ParentIndex].Flags&rtnetlink.LinkUp == 0
		}
		r.json.moveBefore("link", "ifname") // ip -j's order; the text's is name@link
		r.json.moveBefore("link_index", "ifname")
	}
	r.word(": ")
	flags := linkFlags(l.Flags, mdown)
	r.add("flags", "", flags)
	r.word("<" + strings.Join(flags, ",") + "> ")
	r.add("mtu", "mtu %d ", l.MTU)
	if l.MasterIndex != 0 {
		r.add("master", "master %s ", ls.name(l.MasterIndex))
	}
	r.add("operstate", "state %s ", l.OperState.String())
	if queue && l.TxQueueLen != 0 {
		r.add("txqlen", "qlen %d", l.TxQueueLen)
	}
	typ, ok := linkTypes[l.HardwareType]
	if !ok {
		typ = fmt.Sprintf("[%d]", l.HardwareType)
	}
	if opt.family == 0 || opt.details {
		r.add("link_type", "\n    link/%s ", typ)
		if len(l.HardwareAddr) > 0 {
			r.add("address", "%s", l.HardwareAddr.String())
		}
		if len(l.Broadcast) > 0 {
			if l.Flags&rtnetlink.LinkPointToPoint != 0 {
				r.word(" peer ")
				r.json.set("link_pointtopoint", true)
			} else {
				r.word(" brd ")
			}
			r.add("broadcast", "%s", l.Broadcast.String())
		}
	}
	if l.LinkNetNSID >= 0 {
		r.add("link_netnsid", " link-netnsid %d", l.LinkNetNSID)
	}
	if opt.details {
		linkDetails(r, l, ls)
	}
}

// linkDetails prints what ip -d adds and this program knows: the MTU
// bounds and the kind with its options.
func linkDetails(r *record, l rtnetlink.Link, ls *links) {
	r.add("min_mtu", " minmtu %d ", l.MinMTU)
	r.add("max_mtu", "maxmtu %d ", l.MaxMTU)
	if l.Kind == "" {
		return
	}
	info := newObject()
	info.set("info_kind", l.Kind)
	r.json.set("linkinfo", info)
	r.word("\n    " + l.Kind + " ")
	data := newRecord()
	switch d := l.Data.(type) {
	case *rtnetlink.Macvlan:
		data.add("mode", "mode %s ", d.Mode.String())
	case *rtnetlink.Vxlan:
		data.add("id", "id %d ", d.ID)
		if d.Remote.IsValid() {
			data.add("remote", "remote %s ", d.Remote.String())
		}
		if d.Group.IsValid() {
			data.add("group", "group %s ", d.Group.String())
		}
		if d.Local.IsValid() {
			data.add("local", "local %s ", d.Local.String())
		}
		if d.DevIndex != 0 {
			data.add("link", "dev %s ", ls.name(d.DevIndex))
		}
		data.add("port", "dstport %d ", d.Port)
	case *rtnetlink.Bridge:
		data.add("forward_delay", "forward_delay %d ", d.ForwardDelay.Milliseconds()/10)
		data.add("hello_time", "hello_time %d ", d.HelloTime.Milliseconds()/10)
		data.add("max_age", "max_age %d ", d.MaxAge.Milliseconds()/10)
		data.add("ageing_time", "ageing_time %d ", d.AgeingTime.Milliseconds()/10)
		data.add("stp_state", "stp_state %d ", boolInt(d.STP))
		data.add("priority", "priority %d ", d.Priority)
		data.add("vlan_filtering", "vlan_filtering %d ", boolInt(d.VLANFiltering))
	}
	if len(data.json.keys) > 0 {
		info.set("info_data", data.json)
		r.word(data.text.String())
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// macvlanModes are the modes ip link add ... type macvlan mode takes.
var macvlanModes = map[string]rtnetlink.MacvlanMode{
	"private": rtnetlink.MacvlanPrivate, "vepa": rtnetlink.MacvlanVEPA, "bridge": rtnetlink.MacvlanBridge,
	"passthru": rtnetlink.MacvlanPassthru, "source": rtnetlink.MacvlanSource,
}

// linkAdd runs ip link add [link DEV] [name] NAME [address MAC] [mtu N]
// type KIND [ARGS], for the kinds veth, bridge, macvlan and vxlan (and
// others without options).
func linkAdd(ctx context.Context, c *rtnetlink.Conn, ls *links, args argv) error {
	var l rtnetlink.Link
	kind := ""
	for ; len(args) > 0 && kind == ""; args = args[1:] {
		var err error
		switch w := args[0]; w {
		case "link":
			if w, err = args.next(); err == nil {
				l.ParentIndex, err = ls.device(w)
			}
		case "address":
			if w, err = args.next(); err == nil {
				l.HardwareAddr, err = lladdr(w)
			}
		case "mtu":
			if w, err = args.next(); err == nil {
				l.MTU, err = mtu(w)
			}
		case "type":
			kind, err = args.next()
		case "name", "dev":
			w, err = args.next()
			fallthrough
		default:
			if l.Name != "" {
				return garbage("dev", w)
			}
			l.Name = w
		}
		if err != nil {
			return err
		}
	}
	if kind == "" {
		return failf(`Not enough information: "type" argument is required`)
	}
	l.Kind = kind
	var err error
	switch kind {
	case "veth":
		l.Data, err = vethArgs(args)
	case "macvlan":
		l.Data, err = macvlanArgs(args)
	case "vxlan":
		l.Data, err = vxlanArgs(ls, args)
	default:
		if len(args) > 0 {
			return failf(`%s: unknown command "%s"?`, kind, args[0])
		}
	}
	if err != nil {
		return err
	}
	_, err = c.CreateLink(ctx, l)
	return kernelError(err)
}

// vethArgs reads veth's [peer [name] NAME]. Without a NAME, ip lets the
// kernel name the peer; rtnetlink.Veth refuses.
func vethArgs(args argv) (rtnetlink.LinkData, error) {
	v := &rtnetlink.Veth{}
	if len(args) > 0 && args[0] == "peer" {
		args = args[1:]
		if len(args) > 0 && args[0] == "name" {
			if _, err := args.next(); err != nil { // args[0] is the name now
				return nil, err
			}
		}
		if len(args) > 0 {
			v.PeerName, args = args[0], args[1:]
		}
	}
	if len(args) > 0 {
		return nil, garbage("peer", args[0])
	}
	return v, nil
}

func macvlanArgs(args argv) (rtnetlink.LinkData, error) {
	m := &rtnetlink.Macvlan{}
	for ; len(args) > 0; args = args[1:] {
		if args[0] != "mode" {
			return nil, failf(`macvlan: unknown option "%s"?`, args[0])
		}
		w, err := args.next()
		if err != nil {
			return nil, err
		}
		mode, ok := macvlanModes[w]
		if !ok {
			return nil, failf(`Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "%s"`, w)
		}
		m.Mode = mode
	}
	return m, nil
}

func vxlanArgs(ls *links, args argv) (rtnetlink.LinkData, error) {
	v := &rtnetlink.Vxlan{}
	for ; len(args) > 0; args = args[1:] {
		key := args[0]
		w, err := args.next()
		if err != nil {
			return nil, err
		}
		switch key {
		case "id", "vni":
			n, perr := strconv.ParseUint(w, 0, 32)
			if perr != nil || n >= 1<<24 {
				return nil, invarg("invalid id", w)
			}
			v.ID = uint32(n)
		case "dstport":
			n, perr := strconv.ParseUint(w, 0, 16)
			if perr != nil {
				return nil, invarg("dst port", w)
			}
			v.Port = uint16(n)
		case "dev":
			if v.DevIndex, err = ls.device(w); err != nil {
				return nil, usage("%s", err) // ip exits 255 here
			}
		case "remote", "group", "local":
			a, err := address(w, 0)
			if err != nil {
				return nil, err
			}
			switch {
			case key == "local":
				v.Local = a
			case key == "remote" || !a.IsMulticast():
				v.Remote = a
			default:
				v.Group = a
			}
		default:
			return nil, failf(`vxlan: unknown command "%s"?`, key)
		}
		if err != nil {
			return nil, err
		}
	}
	if v.ID == 0 {
		return nil, failf("vxlan: missing virtual network identifier")
	}
	return v, nil
}

// linkSet runs ip link set [dev] NAME with up, down, mtu, name, master,
// nomaster and address, one call each, in the order given.
func linkSet(ctx context.Context, c *rtnetlink.Conn, ls *links, args argv) error {
	var changes []func(index int) error
	name := ""
	for ; len(args) > 0; args = args[1:] {
		var err error
		switch w := args[0]; w {
		case "up":
			changes = append(changes, func(i int) error { return c.SetLinkUp(ctx, i) })
		case "down":
			changes = append(changes, func(i int) error { return c.SetLinkDown(ctx, i) })
		case "mtu":
			var m uint32
			if w, err = args.next(); err == nil {
				m, err = mtu(w)
			}
			changes = append(changes, func(i int) error { return c.SetLinkMTU(ctx, i, m) })
		case "name":
			if w, err = args.next(); err == nil {
				changes = append(changes, func(i int) error { return c.SetLinkName(ctx, i, w) })
			}
		case "address":
			var mac net.HardwareAddr
			if w, err = args.next(); err == nil {
				mac, err = lladdr(w)
			}
			changes = append(changes, func(i int) error { return c.SetLinkHardwareAddr(ctx, i, mac) })
		case "master":
			var m int
			if w, err = args.next(); err == nil && ls.byName[w] == 0 {
				err = invarg("Device does not exist\n", w)
			}
			m = ls.byName[w]
			changes = append(changes, func(i int) error { return c.SetLinkMaster(ctx, i, m) })
		case "nomaster":
			changes = append(changes, func(i int) error { return c.SetLinkMaster(ctx, i, 0) })
		case "dev":
			w, err = args.next()
			fallthrough
		default:
			if name != "" {
				return garbage("dev", w)
			}
			name = w
		}
		if err != nil {
			return err
		}
	}
	if name == "" {
		return usage(`Not enough information: "dev" argument is required.`)
	}
	index, err := ls.device(name)
	if err != nil {
		return err
	}
	for _, change := range changes {
		if err := change(index); err != nil {
			return kernelError(err)
		}
	}
	return nil
}

func linkDel(ctx context.Context, c *rtnetlink.Conn, ls *links, args argv) error {
	name := ""
	for ; len(args) > 0; args = args[1:] {
		w := args[0]
		if w == "dev" {
			var err error
			if w, err = args.next(); err != nil {
				return err
			}
		}
		if name != "" {
			return garbage("dev", w)
		}
		name = w
	}
	if name == "" {
		return usage(`Not enough information: "dev" argument is required.`)
	}
	index, err := ls.device(name)
	if err != nil {
		return err
	}
	return kernelError(c.DeleteLink(ctx, index))
}

// mtu reads an MTU as ip does.
func mtu(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, invarg("Invalid \"mtu\" value\n", s)
	}
	return uint32(n), nil
}

// lladdr reads a hardware address.
func lladdr(s string) (net.HardwareAddr, error) {
	mac, err := net.ParseMAC(s)
	if err != nil {
		return nil, failf(`"%s" is invalid lladdr.`, s)
	}
	return mac, nil
}
