package sockdiag

import (
	"encoding/binary"
	"fmt"

	"github.com/nlkit/netlink"
)

// unixReqLen is the size of struct unix_diag_req; unixMsgLen of struct
// unix_diag_msg.
const (
	unixReqLen = 24
	unixMsgLen = 16
)

// UnixType is a unix socket's type.
type UnixType uint8

// Unix socket types.
const (
	UnixStream    UnixType = 1 // SOCK_STREAM
	UnixDgram     UnixType = 2 // SOCK_DGRAM
	UnixSeqPacket UnixType = 5 // SOCK_SEQPACKET
)

// String returns the type as ss prints it: "u_str", "u_dgr", "u_seq".
func (t UnixType) String() string {
	switch t {
	case UnixStream:
		return "u_str"
	case UnixDgram:
		return "u_dgr"
	case UnixSeqPacket:
		return "u_seq"
	}
	return "u_type(" + itoa(uint64(t)) + ")"
}

// UnixRequest selects unix sockets (struct unix_diag_req).
type UnixRequest struct {
	States States // the states to report; 0 means AllStates
	Show   uint32 // UnixShow* flags: what to report
	Inode  uint32 // for a request about one socket
	Cookie uint64 // with Inode, the socket's cookie; 0 for any
}

// encode returns the request's payload.
func (r *UnixRequest) encode(b []byte) []byte {
	states := r.States
	if states == 0 {
		states = AllStates
	}
	b = append(b, afUnix, 0, 0, 0)
	b = binary.NativeEndian.AppendUint32(b, uint32(states))
	b = binary.NativeEndian.AppendUint32(b, r.Inode)
	b = binary.NativeEndian.AppendUint32(b, r.Show)
	cookie := r.Cookie
	if cookie == 0 {
		cookie = ^uint64(0)
	}
	b = binary.NativeEndian.AppendUint32(b, uint32(cookie))
	return binary.NativeEndian.AppendUint32(b, uint32(cookie>>32))
}

// UnixSocket is a unix socket as the kernel reports it (struct
// unix_diag_msg and its attributes). A socket yielded by a listing
// aliases the receive buffer (Attrs, Name, Icons, MemInfo): call Clone to
// keep it.
type UnixSocket struct {
	Type   UnixType
	State  State
	Inode  uint32
	Cookie uint64

	// Attrs holds every attribute of the reply in order, known or not.
	Attrs   []byte
	present uint32 // bit n: attribute n came

	// Name is the bound name: a path, or for an abstract name a leading
	// NUL byte then the name. Empty if unbound.
	Name      []byte
	VFSInode  uint32    // UNIX_DIAG_VFS: the socket file's inode
	VFSDev    uint32    // UNIX_DIAG_VFS: the socket file's device
	Peer      uint32    // UNIX_DIAG_PEER: the peer's inode
	Icons     []byte    // UNIX_DIAG_ICONS: the inodes of pending connections, raw (see IconsInodes)
	RQueue    uint32    // UNIX_DIAG_RQLEN: receive queue (listeners: pending connections)
	WQueue    uint32    // UNIX_DIAG_RQLEN: send queue (listeners: the backlog)
	SkMemInfo SkMemInfo // UNIX_DIAG_MEMINFO
	Shutdown  uint8     // UNIX_DIAG_SHUTDOWN
	UID       uint32    // UNIX_DIAG_UID
}

// Has reports whether the kernel sent attribute UNIX_DIAG_* number a.
func (s *UnixSocket) Has(a int) bool { return a >= 0 && a < 32 && s.present&(1<<a) != 0 }

// HasRQLen reports whether the kernel sent the queue lengths.
func (s *UnixSocket) HasRQLen() bool { return s.Has(unixDiagRQLen) }

// HasPeer reports whether the kernel sent the peer's inode.
func (s *UnixSocket) HasPeer() bool { return s.Has(unixDiagPeer) }

// HasUID reports whether the kernel sent the owner's uid.
func (s *UnixSocket) HasUID() bool { return s.Has(unixDiagUID) }

// HasMemInfo reports whether the kernel sent the memory counters.
func (s *UnixSocket) HasMemInfo() bool { return s.Has(unixDiagMemInfo) }

// IconsInodes appends the inodes of the pending connections to dst.
func (s *UnixSocket) IconsInodes(dst []uint32) []uint32 {
	for i := 0; i+4 <= len(s.Icons); i += 4 {
		dst = append(dst, binary.NativeEndian.Uint32(s.Icons[i:]))
	}
	return dst
}

// Clone returns a copy of s that owns its memory.
func (s *UnixSocket) Clone() UnixSocket {
	c := *s
	c.Attrs = clone(s.Attrs)
	c.Name = clone(s.Name)
	c.Icons = clone(s.Icons)
	return c
}

// Parse decodes b, the payload of a SOCK_DIAG_BY_FAMILY reply for a unix
// socket, into s, which then aliases b. Unknown attributes stay in
// Attrs; a known one of a size the package cannot read is an error
// wrapping netlink.ErrMalformed.
func (s *UnixSocket) Parse(b []byte) error {
	if len(b) < unixMsgLen {
		return fmt.Errorf("sockdiag: unix_diag_msg of %d bytes, want %d: %w", len(b), unixMsgLen, netlink.ErrMalformed)
	}
	*s = UnixSocket{
		Type:   UnixType(b[1]),
		State:  State(b[2]),
		Inode:  binary.NativeEndian.Uint32(b[4:]),
		Cookie: uint64(binary.NativeEndian.Uint32(b[8:])) | uint64(binary.NativeEndian.Uint32(b[12:]))<<32,
		Attrs:  b[unixMsgLen:],
	}
	for a, err := range netlink.Attrs(s.Attrs) {
		if err != nil {
			return fmt.Errorf("sockdiag: unix socket attributes: %w", err)
		}
		if a.Type < 32 {
			s.present |= 1 << a.Type
		}
		d := a.Data
		need := 0
		switch a.Type {
		case unixDiagVFS, unixDiagRQLen:
			need = 8
		case unixDiagPeer, unixDiagUID:
			need = 4
		case unixDiagShutdown:
			need = 1
		}
		if len(d) < need {
			return fmt.Errorf("sockdiag: unix socket attribute %d of %d bytes: %w", a.Type, len(d), netlink.ErrMalformed)
		}
		switch a.Type {
		case unixDiagName:
			s.Name = d
			if len(d) > 0 && d[0] != 0 {
				s.Name = cstring(d) // a path, with the NUL its binder may have counted
			}
		case unixDiagVFS:
			s.VFSInode, s.VFSDev = binary.NativeEndian.Uint32(d), binary.NativeEndian.Uint32(d[4:])
		case unixDiagPeer:
			s.Peer = binary.NativeEndian.Uint32(d)
		case unixDiagIcons:
			s.Icons = d
		case unixDiagRQLen:
			s.RQueue, s.WQueue = binary.NativeEndian.Uint32(d), binary.NativeEndian.Uint32(d[4:])
		case unixDiagMemInfo:
			s.SkMemInfo.parse(d)
		case unixDiagShutdown:
			s.Shutdown = d[0]
		case unixDiagUID:
			s.UID = binary.NativeEndian.Uint32(d)
		}
	}
	return nil
}
