package ynl

import (
	"context"
	"fmt"
	"iter"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/genetlink"
)

// Fixed is a message of a family whose messages carry a fixed header
// between the generic netlink header and the attributes (a
// genetlink-legacy spec's fixed-header, such as Open vSwitch's struct
// ovs_header): the header, and the attributes decoded into an A. The
// generated clients of such families take the request's header beside its
// attributes and return their replies as a Fixed.
type Fixed[H, A any] struct {
	Header H
	Attrs  A
}

// encodeFixed returns the payload of a request after the generic netlink
// header: hdr, padded to the attributes' alignment, then the attributes of
// req (none for a nil req).
func encodeFixed(hdr []byte, req Set) ([]byte, error) {
	b := make([]byte, netlink.Align(len(hdr)), netlink.Align(len(hdr))+64)
	copy(b, hdr)
	if req == nil {
		return b, nil
	}
	e := netlink.NewAttrEncoder(b)
	req.Encode(e)
	return e.Finish()
}

// ParseFixed decodes m, a reply or notification of a family whose messages
// start with a fixed header of hlen bytes, into that header (read by
// header) and the attributes after it. A message too short for the header
// is an error wrapping netlink.ErrMalformed.
func ParseFixed[H, A any, P setPtr[A]](m netlink.Message, hlen int, header func([]byte) H) (Fixed[H, A], error) {
	var v Fixed[H, A]
	if _, err := genetlink.ParseHeader(m.Data); err != nil {
		return v, err
	}
	d := m.AttrDecoder(genetlink.HeaderLen + hlen)
	v.Header = header(m.Data[genetlink.HeaderLen:min(genetlink.HeaderLen+hlen, len(m.Data))])
	P(&v.Attrs).Decode(&d)
	if err := d.Err(); err != nil {
		return Fixed[H, A]{}, err
	}
	return v, nil
}

// DoFixed is Do for a family with a fixed header: hdr is the request's
// header as it is sent (its length is the header's), header reads the
// reply's.
func DoFixed[H, A any, P setPtr[A]](ctx context.Context, c *genetlink.Conn, f *genetlink.Family, cmd uint8, hdr []byte, req Set, header func([]byte) H) (Fixed[H, A], error) {
	var zero Fixed[H, A]
	payload, err := encodeFixed(hdr, req)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", f.Name, err)
	}
	msgs, err := c.Execute(ctx, f, cmd, payload)
	if err != nil {
		return zero, err
	}
	if len(msgs) != 1 {
		return zero, fmt.Errorf("%s: command %d: %d replies, want 1: %w", f.Name, cmd, len(msgs), netlink.ErrMalformed)
	}
	v, err := ParseFixed[H, A, P](msgs[0], len(hdr), header)
	if err != nil {
		return zero, fmt.Errorf("%s: command %d reply: %w", f.Name, cmd, err)
	}
	return v, nil
}

// ExecFixed is Exec for a family with a fixed header: hdr is the
// request's header as it is sent.
func ExecFixed(ctx context.Context, c *genetlink.Conn, f *genetlink.Family, cmd uint8, hdr []byte, req Set) error {
	payload, err := encodeFixed(hdr, req)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	_, err = c.Execute(ctx, f, cmd, payload)
	return err
}

// DumpFixed is Dump for a family with a fixed header: hdr is the
// request's header as it is sent (its length is the header's), header
// reads each reply's. Byte slices in the attributes alias a buffer the
// next iteration reuses.
func DumpFixed[H, A any, P setPtr[A]](ctx context.Context, c *genetlink.Conn, f *genetlink.Family, cmd uint8, hdr []byte, req Set, header func([]byte) H) iter.Seq2[Fixed[H, A], error] {
	return func(yield func(Fixed[H, A], error) bool) {
		var zero Fixed[H, A]
		payload, err := encodeFixed(hdr, req)
		if err != nil {
			yield(zero, fmt.Errorf("%s: %w", f.Name, err))
			return
		}
		for m, err := range c.Dump(ctx, f, cmd, payload) {
			v := zero
			if err == nil {
				v, err = ParseFixed[H, A, P](m, len(hdr), header)
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}
