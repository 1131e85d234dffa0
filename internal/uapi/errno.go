package uapi

import "syscall"

// linuxErrnos pairs the errnos a netlink reply carries, by Linux's number
// (asm-generic's, which every architecture Go supports uses but mips*),
// with the host's syscall.Errno of the same name. The numbers are written
// by hand; TestErrnoTable checks them against syscall on Linux. Where two
// host names share a Linux number (EOPNOTSUPP and ENOTSUP are both 95 on
// Linux, but 102 and 45 on macOS), the first is what a reply decodes as.
var linuxErrnos = [...]struct {
	linux uint32
	host  syscall.Errno
}{
	{1, syscall.EPERM},
	{2, syscall.ENOENT},
	{3, syscall.ESRCH},
	{4, syscall.EINTR},
	{5, syscall.EIO},
	{6, syscall.ENXIO},
	{7, syscall.E2BIG},
	{9, syscall.EBADF},
	{11, syscall.EAGAIN},
	{12, syscall.ENOMEM},
	{13, syscall.EACCES},
	{14, syscall.EFAULT},
	{16, syscall.EBUSY},
	{17, syscall.EEXIST},
	{18, syscall.EXDEV},
	{19, syscall.ENODEV},
	{20, syscall.ENOTDIR},
	{21, syscall.EISDIR},
	{22, syscall.EINVAL},
	{23, syscall.ENFILE},
	{24, syscall.EMFILE},
	{25, syscall.ENOTTY},
	{27, syscall.EFBIG},
	{28, syscall.ENOSPC},
	{30, syscall.EROFS},
	{31, syscall.EMLINK},
	{32, syscall.EPIPE},
	{33, syscall.EDOM},
	{34, syscall.ERANGE},
	{35, syscall.EDEADLK},
	{36, syscall.ENAMETOOLONG},
	{38, syscall.ENOSYS},
	{39, syscall.ENOTEMPTY},
	{40, syscall.ELOOP},
	{42, syscall.ENOMSG},
	{43, syscall.EIDRM},
	{71, syscall.EPROTO},
	{74, syscall.EBADMSG},
	{75, syscall.EOVERFLOW},
	{84, syscall.EILSEQ},
	{88, syscall.ENOTSOCK},
	{89, syscall.EDESTADDRREQ},
	{90, syscall.EMSGSIZE},
	{91, syscall.EPROTOTYPE},
	{92, syscall.ENOPROTOOPT},
	{93, syscall.EPROTONOSUPPORT},
	{95, syscall.EOPNOTSUPP},
	{95, syscall.ENOTSUP},
	{97, syscall.EAFNOSUPPORT},
	{98, syscall.EADDRINUSE},
	{99, syscall.EADDRNOTAVAIL},
	{100, syscall.ENETDOWN},
	{101, syscall.ENETUNREACH},
	{103, syscall.ECONNABORTED},
	{104, syscall.ECONNRESET},
	{105, syscall.ENOBUFS},
	{106, syscall.EISCONN},
	{107, syscall.ENOTCONN},
	{110, syscall.ETIMEDOUT},
	{111, syscall.ECONNREFUSED},
	{113, syscall.EHOSTUNREACH},
	{114, syscall.EALREADY},
	{115, syscall.EINPROGRESS},
	{125, syscall.ECANCELED},
}

// errnoFromTable returns the host's errno for Linux's number n, or n
// itself if the table lacks it.
func errnoFromTable(n uint32) syscall.Errno {
	for _, e := range linuxErrnos {
		if e.linux == n {
			return e.host
		}
	}
	return syscall.Errno(n)
}

// errnoToTable returns Linux's number for the host's errno e, or e's own
// number if the table lacks it.
func errnoToTable(e syscall.Errno) uint32 {
	for _, l := range linuxErrnos {
		if l.host == e {
			return l.linux
		}
	}
	return uint32(e)
}
