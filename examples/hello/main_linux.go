// Command hello is the user-space half of the classic netlink tutorial,
// written with this library: it binds a netlink socket, sends "hello" and
// prints the reply.
//
// With -proto N it talks to the kernel on netlink protocol N, which the
// module in examples/kmod serves (protocol 30 by default):
//
//	sudo insmod examples/kmod/hello_nl.ko proto=30
//	go run ./examples/hello -proto 30
//
// Without -proto there is no kernel module to talk to, so it shows the same
// exchange over NETLINK_USERSOCK, with a second socket in this process
// playing the module's part.
//
// With -ack the request asks for an ACK (NLM_F_ACK), which arrives after the
// reply. -type sends another message type than NLMSG_MIN_TYPE, which the
// module refuses: an error from the kernel (an NLMSG_ERROR message with a
// negative errno) makes hello print it and exit with status 1.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// Flags that shape the request.
var (
	msgType = flag.Uint("type", uint(netlink.TypeMinType), "the request's message type")
	ack     = flag.Bool("ack", false, "ask for an ACK (NLM_F_ACK) and wait for it after the reply")
)

func main() {
	proto := flag.Int("proto", -1, "netlink protocol of the kernel module to talk to (the module in examples/kmod uses 30); without it, an in-process peer plays the module on NETLINK_USERSOCK")
	msg := flag.String("msg", "hello", "the message to send")
	timeout := flag.Duration("timeout", 5*time.Second, "how long to wait for the reply")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var err error
	if *proto >= 0 {
		err = toKernel(ctx, *proto, *msg)
	} else {
		err = toPeer(ctx, *msg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}

// toKernel sends msg to the kernel on protocol proto and prints the reply.
func toKernel(ctx context.Context, proto int, msg string) error {
	c, err := netlink.Dial(proto, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Printf("bound %v on protocol %d\n", c.LocalAddr(), proto)
	return exchange(ctx, c, netlink.Addr{}, msg, "kernel")
}

// toPeer shows the exchange between two user-space sockets: one plays the
// kernel module and answers whatever it receives.
func toPeer(ctx context.Context, msg string) error {
	fmt.Println("no -proto given: no kernel module to talk to, so a second socket in this")
	fmt.Println("process plays the module's part over NETLINK_USERSOCK")
	module, err := netlink.Dial(unix.NETLINK_USERSOCK, &netlink.Config{AcceptPeers: true})
	if err != nil {
		return err
	}
	defer module.Close()
	go serve(ctx, module)

	c, err := netlink.Dial(unix.NETLINK_USERSOCK, &netlink.Config{AcceptPeers: true})
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Printf("bound %v; the peer is at %v\n", c.LocalAddr(), module.LocalAddr())
	return exchange(ctx, c, module.LocalAddr(), msg, "peer")
}

// serve answers each message as the tutorial's module does: to the port it
// came from, with the same sequence number.
func serve(ctx context.Context, c *netlink.Conn) {
	for {
		d, err := c.ReceiveDatagram(ctx)
		if err != nil {
			return
		}
		for m, err := range d.Messages() {
			if err != nil {
				break
			}
			reply := netlink.Message{
				Header: netlink.Header{Type: m.Header.Type, Sequence: m.Header.Sequence},
				Data:   fmt.Appendf(nil, "hello from the peer, got: %s", m.Data),
			}
			if _, err := c.SendTo(ctx, reply, netlink.Addr{PortID: d.From.PortID}); err != nil {
				fmt.Fprintln(os.Stderr, "peer:", err)
			}
			if m.Header.Flags&netlink.Acknowledge != 0 {
				// An ACK is NLMSG_ERROR with error 0 and the request's header.
				ack := netlink.Message{
					Header: netlink.Header{Type: netlink.TypeError, Flags: netlink.Capped, Sequence: m.Header.Sequence},
					Data:   netlink.AppendHeader(make([]byte, 4), m.Header),
				}
				if _, err := c.SendTo(ctx, ack, netlink.Addr{PortID: d.From.PortID}); err != nil {
					fmt.Fprintln(os.Stderr, "peer:", err)
				}
			}
		}
	}
}

// exchange sends msg to the socket at to and prints the reply to it, and
// the ACK with -ack.
func exchange(ctx context.Context, c *netlink.Conn, to netlink.Addr, msg, who string) error {
	flags := netlink.Request // the kernel ignores messages without it
	if *ack {
		flags |= netlink.Acknowledge
	}
	h, err := c.SendTo(ctx, netlink.Message{
		Header: netlink.Header{Type: netlink.HeaderType(*msgType), Flags: flags},
		Data:   []byte(msg),
	}, to)
	if err != nil {
		return err
	}
	fmt.Printf("sent %q to %s %v, seq %d\n", msg, who, to, h.Sequence)
	for {
		msgs, err := c.Receive(ctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("no reply from %s %v: %w", who, to, err)
			}
			return err
		}
		for _, m := range msgs {
			if m.Header.Sequence != h.Sequence {
				continue // not the reply to our message
			}
			if m.Header.Type == netlink.TypeError {
				errno, text := parseError(m)
				if errno != 0 {
					err := fmt.Errorf("error from %s (seq %d): %s (%w)", who, m.Header.Sequence, unix.ErrnoName(errno), errno)
					if text != "" {
						err = fmt.Errorf("%w: %s", err, text)
					}
					return err
				}
				fmt.Printf("ACK from %s (seq %d)\n", who, m.Header.Sequence)
				return nil
			}
			fmt.Printf("reply from %s (port %d, seq %d): %q\n", who, m.Header.PortID, m.Header.Sequence, bytes.TrimRight(m.Data, "\x00"))
			if !*ack {
				return nil
			}
		}
	}
}

// parseError reads an NLMSG_ERROR message: the error code (0 in an ACK) and
// the kernel's extended ACK text, if any. Its payload is a negative errno,
// the request's header, the request's payload unless the kernel capped it,
// then extended ACK attributes.
func parseError(m netlink.Message) (unix.Errno, string) {
	if len(m.Data) < 4+netlink.HeaderLen {
		return unix.EBADMSG, "(truncated NLMSG_ERROR)"
	}
	errno := unix.Errno(-int32(binary.NativeEndian.Uint32(m.Data)))
	skip := 4 + netlink.HeaderLen
	if m.Header.Flags&netlink.Capped == 0 {
		skip = 4 + netlink.Align(int(binary.NativeEndian.Uint32(m.Data[4:])))
	}
	if m.Header.Flags&netlink.AckTLVs == 0 || skip > len(m.Data) {
		return errno, ""
	}
	for a, err := range netlink.Attrs(m.Data[skip:]) {
		if err != nil {
			break
		}
		if a.Type == unix.NLMSGERR_ATTR_MSG {
			return errno, a.Str()
		}
	}
	return errno, ""
}
