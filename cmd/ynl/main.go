// Command ynl runs any operation of the generic netlink families generated
// from the kernel's YNL specs (the packages under genetlink/ynl), from
// JSON, and prints the replies as JSON, one object a line, keyed by the
// spec's attribute names, as the kernel's own ynl tool does:
//
//	ynl ethtool rings-get '{"header": {"dev-name": "eth0"}}'
//	ynl -dump netdev dev-get
//	ynl -subscribe mgmt netdev
//	ynl -list ethtool
//	ynl ovs_vport get '{"dp-ifindex": 0, "name": "ovs0"}'
//
// A family whose messages carry a fixed header (the Open vSwitch
// families' dp-ifindex) takes its members from the same object as the
// attributes and prints them there. A request is checked against the
// spec before it is sent (-no-check sends it as it is). A kernel error is printed with its extended ACK
// and the path of the attribute it points at.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
	"github.com/nlkit/netlink/genetlink/ynl"
	"github.com/nlkit/netlink/genetlink/ynl/devlink"
	"github.com/nlkit/netlink/genetlink/ynl/dpll"
	"github.com/nlkit/netlink/genetlink/ynl/ethtool"
	"github.com/nlkit/netlink/genetlink/ynl/fou"
	"github.com/nlkit/netlink/genetlink/ynl/handshake"
	"github.com/nlkit/netlink/genetlink/ynl/lockd"
	"github.com/nlkit/netlink/genetlink/ynl/mptcppm"
	"github.com/nlkit/netlink/genetlink/ynl/netdev"
	"github.com/nlkit/netlink/genetlink/ynl/netshaper"
	"github.com/nlkit/netlink/genetlink/ynl/nfsd"
	"github.com/nlkit/netlink/genetlink/ynl/nl80211"
	"github.com/nlkit/netlink/genetlink/ynl/nlctrl"
	"github.com/nlkit/netlink/genetlink/ynl/ovpn"
	"github.com/nlkit/netlink/genetlink/ynl/ovsdatapath"
	"github.com/nlkit/netlink/genetlink/ynl/ovsflow"
	"github.com/nlkit/netlink/genetlink/ynl/ovsvport"
	"github.com/nlkit/netlink/genetlink/ynl/psp"
	"github.com/nlkit/netlink/genetlink/ynl/tcpmetrics"
	"github.com/nlkit/netlink/genetlink/ynl/team"
	"github.com/nlkit/netlink/genetlink/ynl/wireguard"
)

// families are the specs ynl knows, by family name.
var families = []*ynl.Family{
	devlink.Spec, dpll.Spec, ethtool.Spec, fou.Spec, handshake.Spec, lockd.Spec,
	mptcppm.Spec, netdev.Spec, netshaper.Spec, nfsd.Spec, nl80211.Spec, nlctrl.Spec, ovpn.Spec,
	ovsdatapath.Spec, ovsflow.Spec, ovsvport.Spec, psp.Spec, tcpmetrics.Spec, team.Spec, wireguard.Spec,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ynl:", err)
		os.Exit(1)
	}
}

// run is ynl with args, printing to out.
func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("ynl", flag.ContinueOnError)
	dump := fs.Bool("dump", false, "run the operation as a dump")
	subscribe := fs.String("subscribe", "", "print the notifications of this multicast group")
	list := fs.Bool("list", false, "list the families, or a family's operations and groups")
	noCheck := fs.Bool("no-check", false, "do not check the request against the spec")
	netns := fs.String("netns", "", "run in the network namespace at this path")
	fs.SetOutput(out)
	if err := fs.Parse(args); err != nil {
		return err
	}
	args = fs.Args()
	if *list {
		return listSpecs(out, args)
	}
	if len(args) < 1 {
		return errors.New("usage: ynl [-dump] FAMILY OP [JSON] | ynl -subscribe GROUP FAMILY | ynl -list [FAMILY]")
	}
	f, err := family(args[0])
	if err != nil {
		return err
	}
	g, err := genetlink.Dial(&netlink.Config{NetNS: *netns})
	if err != nil {
		return err
	}
	defer g.Close()
	fam, err := g.Family(ctx, f.Name)
	if err != nil {
		return err
	}
	fam.CommandNames = map[uint8]string{}
	for _, op := range f.Ops {
		if op.Request >= 0 && (op.Do || op.Dump) {
			fam.CommandNames[uint8(op.Request)] = op.Name
		}
	}
	if *subscribe != "" {
		return notifications(ctx, g, f, &fam, *subscribe, out)
	}
	if len(args) < 2 {
		return errors.New("no operation: ynl -list " + f.Name + " lists them")
	}
	op, ok := f.Op(args[1])
	if !ok || op.Request < 0 || (*dump && !op.Dump) || (!*dump && !op.Do) {
		return fmt.Errorf("%s has no %s %q", f.Name, map[bool]string{false: "do", true: "dump"}[*dump], args[1])
	}
	js := "{}"
	if len(args) > 2 {
		js = args[2]
	}
	// A family's fixed header (ovs_*'s dp-ifindex) comes from the same
	// object as the attributes, and goes before them.
	hdr, attrs, err := f.EncodeRequestJSON(op.Set, []byte(js))
	if err != nil {
		return err
	}
	if !*noCheck {
		if err := f.CheckRequest(uint8(op.Request), *dump, attrs); err != nil {
			return fmt.Errorf("not sent: %w", err)
		}
	}
	payload := append(append(hdr, make([]byte, netlink.Align(len(hdr))-len(hdr))...), attrs...)
	print := func(m netlink.Message) error {
		js, err := f.DecodeMessageJSON(op.Set, m.Data[min(len(m.Data), genetlink.HeaderLen):])
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", js)
		return err
	}
	if *dump {
		for m, err := range g.Dump(ctx, &fam, uint8(op.Request), payload) {
			if err != nil {
				return explain(err, f, op.Set, len(payload)-len(attrs), attrs)
			}
			if err := print(m); err != nil {
				return err
			}
		}
		return nil
	}
	msgs, err := g.Execute(ctx, &fam, uint8(op.Request), payload)
	if err != nil {
		return explain(err, f, op.Set, len(payload)-len(attrs), attrs)
	}
	for _, m := range msgs {
		if err := print(m); err != nil {
			return err
		}
	}
	return nil
}

func family(name string) (*ynl.Family, error) {
	for _, f := range families {
		if f.Name == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("no family %q: ynl -list lists them", name)
}

// explain adds to a kernel error the path of the attribute its extended
// ACK points at, in the request's attributes, which follow a fixed header
// of fixed bytes.
func explain(err error, f *ynl.Family, set string, fixed int, attrs []byte) error {
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Offset <= 0 {
		return err
	}
	off := oe.Offset - netlink.HeaderLen - genetlink.HeaderLen - fixed
	if path := f.AttrPath(set, attrs, off); path != "" {
		return fmt.Errorf("%w [attribute %s.%s]", err, set, path)
	}
	return err
}

// notifications prints the notifications of group until ctx ends.
func notifications(ctx context.Context, g *genetlink.Conn, f *ynl.Family, fam *genetlink.Family, group string, out io.Writer) error {
	if _, err := ynl.JoinGroup(g, fam, group); err != nil {
		return err
	}
	for {
		msgs, err := g.NL.Receive(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		for _, m := range msgs {
			h, err := genetlink.ParseHeader(m.Data)
			if err != nil {
				return err
			}
			name, set := fmt.Sprint(h.Command), ""
			for _, op := range f.Ops {
				if op.Notify && op.Reply == int(h.Command) {
					name, set = op.Name, op.Set
				}
			}
			js := []byte(`{}`)
			if set != "" {
				if js, err = f.DecodeMessageJSON(set, m.Data[genetlink.HeaderLen:]); err != nil {
					return err
				}
			}
			fmt.Fprintf(out, "{\"name\":%q,\"msg\":%s}\n", name, js)
		}
	}
}

// listSpecs prints the families, or one's operations and groups.
func listSpecs(out io.Writer, args []string) error {
	if len(args) == 0 {
		for _, f := range families {
			fmt.Fprintln(out, f.Name)
		}
		return nil
	}
	f, err := family(args[0])
	if err != nil {
		return err
	}
	for _, op := range f.Ops {
		var kinds []string
		if op.Do {
			kinds = append(kinds, "do")
		}
		if op.Dump {
			kinds = append(kinds, "dump")
		}
		if op.Notify {
			kinds = append(kinds, "notification")
		}
		if kinds == nil {
			continue
		}
		req := slices.Concat(op.DoRequest, op.DumpRequest)
		slices.Sort(req)
		fmt.Fprintf(out, "%s (%s) set %s; request: %s\n", op.Name, strings.Join(kinds, ", "), op.Set, strings.Join(slices.Compact(req), " "))
	}
	for _, g := range f.Groups {
		fmt.Fprintf(out, "group %s\n", g)
	}
	return nil
}
