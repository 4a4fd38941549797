#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the test guest of tests/e2e/test_vms.sh from Debian packages only:
# the kernel of linux-image-cloud-amd64 (fetched with apt-get download,
# unpacked with dpkg -x) and an initramfs of busybox-static (unpacked, not
# installed: it conflicts with busybox), the virtio-net modules and
# tests/vm/init. Prints the directory that holds vmlinuz and initrd.gz.
# The result is cached (VSWITCH_GUEST_CACHE, default
# /var/cache/vswitch/guest) and rebuilt only when the kernel package or
# the init script changes.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${VSWITCH_GUEST_CACHE:-/var/cache/vswitch/guest}
KPKG=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$KPKG" ]; then
	echo "build-guest: cannot resolve linux-image-cloud-amd64 (apt-get update?)" >&2
	exit 1
fi
STAMP="$KPKG $(sha256sum tests/vm/init | cut -d' ' -f1) $(sha256sum "$0" | cut -d' ' -f1)"
if [ -f "$CACHE/stamp" ] && [ "$(cat "$CACHE/stamp")" = "$STAMP" ] &&
	[ -f "$CACHE/vmlinuz" ] && [ -f "$CACHE/initrd.gz" ]; then
	echo "$CACHE"
	exit 0
fi
W=$(mktemp -d /tmp/vs-guest.XXXXXX)
trap 'rm -rf "$W"' EXIT
(cd "$W" && apt-get download "$KPKG" busybox-static >/dev/null 2>&1) || {
	echo "build-guest: apt-get download $KPKG busybox-static failed" >&2
	exit 1
}
dpkg -x "$W"/linux-image-*.deb "$W/k"
dpkg -x "$W"/busybox-static_*.deb "$W/bb"
KVER=${KPKG#linux-image-}
R="$W/root"
mkdir -p "$R"/{bin,dev,proc,sys,lib/modules,tmp}
cp "$W/bb/bin/busybox" "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$R/bin/$a"
done
for m in virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
	failover net_failover virtio_net; do
	f=$(find "$W/k/lib/modules/$KVER" -name "$m.ko" | head -1)
	[ -n "$f" ] || { echo "build-guest: module $m not in $KPKG" >&2; exit 1; }
	cp "$f" "$R/lib/modules/"
done
cp tests/vm/init "$R/init"
chmod 755 "$R/init"
mkdir -p "$CACHE"
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -9) >"$CACHE/initrd.gz.new"
cp "$W/k/boot/vmlinuz-$KVER" "$CACHE/vmlinuz.new"
mv "$CACHE/initrd.gz.new" "$CACHE/initrd.gz"
mv "$CACHE/vmlinuz.new" "$CACHE/vmlinuz"
echo "$STAMP" >"$CACHE/stamp"
echo "$CACHE"
