package xfrm

import (
	"errors"
	"fmt"
	"math/bits"
	"syscall"

	"github.com/nlkit/netlink"
)

// ErrCompat is wrapped, with the kernel's EOPNOTSUPP, by the errors of a
// 32-bit program's requests that a 64-bit kernel refuses: xfrm's structures
// differ between 32- and 64-bit programs, and a kernel built without
// CONFIG_XFRM_USER_COMPAT refuses every xfrm request of a 32-bit program.
var ErrCompat = errors.New("the kernel refuses xfrm requests from 32-bit programs (it was built without CONFIG_XFRM_USER_COMPAT)")

// kernelError names the object in err, the error of a request to the
// kernel, and says why when it is a 32-bit program's EOPNOTSUPP.
func kernelError(err error, object string) error {
	if err == nil {
		return nil
	}
	err = netlink.WithObject(err, object)
	if bits.UintSize == 32 && errors.Is(err, syscall.EOPNOTSUPP) {
		err = fmt.Errorf("%w: %w", err, ErrCompat)
	}
	return err
}
