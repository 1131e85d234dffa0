#!/usr/bin/env bash
# Installs what the kernel-module end-to-end test (examples/kmod, TestE2E)
# needs on a Debian machine: QEMU for x86-64, the Debian cloud kernel headers
# (which pull in the matching kbuild tools and compiler), make and gcc;
# ethtool, the oracle of the genetlink/ethtool tests; nft, the oracle of the
# netfilter/nftables tests; conntrack, nftables and iptables, the oracle and
# the rules of the netfilter/conntrack, nflog and nfqueue tests; wg
# (wireguard-tools), the oracle of genetlink/wireguard's VM tests; and
# tshark, which decodes examples/pcap's capture; iproute2's ip and tc (with
# JSON output), the oracles of the rtnetlink and tc tests. The VM tests
# (internal/vmtest) need QEMU,
# iproute2, procps (sysctl) and ethtool (copied into the VM), xz (Debian's
# 6.12 compresses its modules) and apt-get download of the kernel images
# (linux-image-6.1.0-*-amd64 from bookworm, linux-image-6.12.*+deb12-amd64
# from bookworm-security); devlink (iproute2) is the oracle of the VM's
# devlink tests, and the netdevsim module those VMs build
# (vmtest.SourceModules) needs make and gcc (gcc-12, which both kernels
# were built with) and apt-get download of each kernel's linux-headers,
# linux-kbuild and linux-source packages; for the opt-in sid kernel
# (-kernel sid, built with a newer gcc than the host's) it is built in a
# sid chroot that debootstrap makes.
#
# Idempotent: when everything is already there it does nothing, and it only
# refreshes the package lists when something has to be installed or when the
# kernel image matching the installed headers can no longer be downloaded.
# Must run as root (or with sudo available).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo -E bash "$0" "$@"
	fi
	echo "e2e-deps: must run as root" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
packages=(qemu-system-x86 linux-headers-cloud-amd64 make gcc ethtool tshark iproute2 procps xz-utils nftables wireguard-tools conntrack iptables debootstrap)

# installed NAME: true when the Debian package NAME is fully installed.
installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

# headers_pkg prints the concrete headers package the meta package points at,
# e.g. linux-headers-6.1.0-56-cloud-amd64, followed by its version.
headers_pkg() {
	dpkg-query -W -f='${Depends}\n' linux-headers-cloud-amd64 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*-cloud-amd64\).*/\1/p' | head -n1
}

# image_available: true when apt can fetch the kernel image that matches the
# installed headers (the e2e test downloads it with apt-get download).
image_available() {
	local hdr ver
	hdr=$(headers_pkg)
	[ -n "$hdr" ] || return 1
	ver=$(dpkg-query -W -f='${Version}' "$hdr" 2>/dev/null) || return 1
	apt-cache show "linux-image-${hdr#linux-headers-}=${ver}" >/dev/null 2>&1
}

# vm_images_available: true when apt knows the kernel images of the VM
# tests' matrix (internal/vmtest.Kernels).
vm_images_available() {
	[ -n "$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]*-amd64$')" ] &&
		[ -n "$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]*[+]deb12-amd64$')" ]
}

missing=()
for p in "${packages[@]}"; do
	installed "$p" || missing+=("$p")
done
if ! command -v qemu-system-x86_64 >/dev/null 2>&1 && [ "${#missing[@]}" -eq 0 ]; then
	missing+=(qemu-system-x86_64)
fi

if [ "${#missing[@]}" -eq 0 ] && image_available && vm_images_available; then
	echo "e2e-deps: all dependencies present"
	exit 0
fi

echo "e2e-deps: installing ${packages[*]} (missing: ${missing[*]:-none})"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

if ! image_available; then
	echo "e2e-deps: kernel image matching $(headers_pkg) is not downloadable" >&2
	exit 1
fi
if ! vm_images_available; then
	echo "e2e-deps: apt offers no linux-image-6.1.0-*-amd64 or linux-image-6.12.*+deb12-amd64 (bookworm and bookworm-security)" >&2
	exit 1
fi
echo "e2e-deps: done ($(headers_pkg))"
