#!/usr/bin/env bash
# rewrite.sh FILE...: the mechanical rewrite of x/sys/unix call sites to
# internal/uapi (constants, types) and syscall (errnos), for files that
# must build on every GOOS. Then run go generate ./internal/uapi, so that
# zconst.go has every name the files now use.
set -euo pipefail
for f in "$@"; do
	sed -i -E \
		-e 's#"golang.org/x/sys/unix"#"github.com/nlkit/netlink/internal/uapi"#' \
		-e 's/\bunix\.(E[A-Z0-9]+)\b/syscall.\1/g' \
		-e 's/\bunix\.([A-Za-z_])/uapi.\1/g' \
		"$f"
	# An errno made syscall a new import; and uapi may now be unused.
	if grep -qE '^[^/]*\bsyscall\.' "$f" && ! grep -q '^\s*"syscall"$' "$f"; then
		sed -i -E '0,/^import \(/s//import (\n\t"syscall"/' "$f"
	fi
	if ! grep -q '\buapi\.' "$f"; then
		sed -i '\#^\s*"github.com/nlkit/netlink/internal/uapi"$#d' "$f"
	fi
	gofmt -w "$f"
done
