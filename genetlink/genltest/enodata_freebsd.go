package genltest

import "syscall"

// errNoData stands for Linux's ENODATA, which FreeBSD lacks: ENOATTR is
// its nearest errno.
const errNoData = syscall.ENOATTR
