package sockdiagtest

import (
	"encoding/binary"
	"slices"
	"syscall"

	"github.com/nlkit/netlink"
	"github.com/nlkit/netlink/sockdiag"
)

// UnixSocket is a unix socket of the fake kernel (see
// sockdiag.UnixSocket).
type UnixSocket struct {
	Type   sockdiag.UnixType
	State  sockdiag.State // StateListen, StateEstablished (connected), StateClose, ...
	Inode  uint32         // AddUnix gives one when 0
	Cookie uint64         // AddUnix gives one when 0
	// Name is the bound name: a path, or an abstract name with its
	// leading NUL byte; "" when unbound. A path is sent with the NUL
	// that ends it, as the kernel keeps it.
	Name     string
	VFSInode uint32 // the socket file's inode (UNIX_DIAG_VFS, sent when not 0)
	VFSDev   uint32 // the socket file's device
	// Peer is the peer's inode (UNIX_DIAG_PEER), sent when not 0 and
	// by a connected socket (StateEstablished) whatever it is: 0 for a
	// connection its listener has not accepted yet.
	Peer uint32
	// Pending is a listener's queue of connections not yet accepted: the
	// inodes of their peers (UNIX_DIAG_ICONS).
	Pending []uint32
	// RQueue and WQueue are the queue lengths (UNIX_DIAG_RQLEN); a
	// listener reports len(Pending) and WQueue, its backlog.
	RQueue, WQueue uint32
	SkMemInfo      sockdiag.SkMemInfo
	Shutdown       uint8
	UID            uint32
}

// Clone returns a copy of s that shares no memory with it.
func (s *UnixSocket) Clone() UnixSocket {
	c := *s
	c.Pending = slices.Clone(s.Pending)
	return c
}

func (k *Kernel) unixRequest(b []byte, dump bool) ([]netlink.Message, error) {
	states := sockdiag.States(binary.NativeEndian.Uint32(b[4:]))
	ino := binary.NativeEndian.Uint32(b[8:])
	show := binary.NativeEndian.Uint32(b[12:])
	cookie := uint64(binary.NativeEndian.Uint32(b[16:])) | uint64(binary.NativeEndian.Uint32(b[20:]))<<32
	if dump {
		var out []netlink.Message
		for _, s := range k.unix {
			if states.Has(s.State) && s.Inode != 0 {
				out = append(out, reply(appendUnix(nil, s, show)))
			}
		}
		return out, nil
	}
	if ino == 0 {
		return nil, syscall.EINVAL
	}
	i := slices.IndexFunc(k.unix, func(s *UnixSocket) bool { return s.Inode == ino })
	switch {
	case i < 0:
		return nil, syscall.ENOENT
	case cookie != ^uint64(0) && cookie != k.unix[i].Cookie:
		return nil, syscall.ESTALE
	}
	return []netlink.Message{reply(appendUnix(nil, k.unix[i], show))}, nil
}

// appendUnix appends s's reply as the kernel's sk_diag_fill of
// net/unix/diag.c.
func appendUnix(b []byte, s *UnixSocket, show uint32) []byte {
	b = append(b, afUnix, uint8(s.Type), uint8(s.State), 0)
	b = binary.NativeEndian.AppendUint32(b, s.Inode)
	b = binary.NativeEndian.AppendUint32(b, uint32(s.Cookie))
	b = binary.NativeEndian.AppendUint32(b, uint32(s.Cookie>>32))
	u32 := func(v ...uint32) []byte {
		var d []byte
		for _, x := range v {
			d = binary.NativeEndian.AppendUint32(d, x)
		}
		return d
	}
	if show&sockdiag.UnixShowName != 0 && s.Name != "" {
		name := []byte(s.Name)
		if name[0] != 0 {
			name = append(name, 0)
		}
		b = appendAttr(b, 0, name)
	}
	if show&sockdiag.UnixShowVFS != 0 && (s.VFSInode != 0 || s.VFSDev != 0) {
		b = appendAttr(b, 1, u32(s.VFSInode, s.VFSDev))
	}
	if show&sockdiag.UnixShowPeer != 0 && (s.Peer != 0 || s.State == sockdiag.StateEstablished) {
		b = appendAttr(b, 2, u32(s.Peer))
	}
	listen := s.State == sockdiag.StateListen
	if show&sockdiag.UnixShowIcons != 0 && listen {
		b = appendAttr(b, 3, u32(s.Pending...))
	}
	if show&sockdiag.UnixShowRQLen != 0 {
		rq := s.RQueue
		if listen {
			rq = uint32(len(s.Pending))
		}
		b = appendAttr(b, 4, u32(rq, s.WQueue))
	}
	if show&sockdiag.UnixShowMemInfo != 0 {
		b = appendAttr(b, 5, appendSkMemInfo(nil, s.SkMemInfo))
	}
	b = appendAttr(b, 6, []byte{s.Shutdown})
	if show&sockdiag.UnixShowUID != 0 {
		b = appendAttr(b, 7, u32(s.UID))
	}
	return b
}

// UnixFromListed returns the socket s as a kernel listed it (with
// sockdiag.UnixShowAll), for the fake to report as the kernel did.
func UnixFromListed(s *sockdiag.UnixSocket) UnixSocket {
	f := UnixSocket{
		Type: s.Type, State: s.State, Inode: s.Inode, Cookie: s.Cookie, Name: string(s.Name),
		VFSInode: s.VFSInode, VFSDev: s.VFSDev, Peer: s.Peer, Pending: s.IconsInodes(nil),
		RQueue: s.RQueue, WQueue: s.WQueue, SkMemInfo: s.SkMemInfo, Shutdown: s.Shutdown, UID: s.UID,
	}
	return f
}
