#!/usr/bin/env bash
# Installs what vmconform needs and is missing: Debian packages (when root)
# and the npm packages of package-lock.json. Safe to run again: it only acts
# on what is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  qemu-system-x86 qemu-utils          # the backend under test, qemu-img
  genisoimage xorriso                 # config-disk and bootable ISOs
  syslinux syslinux-common isolinux mtools dosfstools fdisk  # bootable disks without loop mounts
  cpio kmod lz4                       # initramfs, depmod/modprobe, vmlinux extraction
  e2fsprogs iproute2
  util-linux                          # setpriv --pdeathsig (QEMU dies with the harness), flock (run-dir locks); Essential in Debian 12
  chromium                            # the HTML report test renders in headless Chromium
)

# One dpkg-query for all (it answers in list order; unknown packages only on stderr).
declare -A installed=()
while read -r name status; do
  [[ $status == "install ok installed" ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${DEBIAN_PACKAGES[@]}" 2>/dev/null || true)
missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  [[ -n ${installed[$p]:-} ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when node_modules is absent or older than the lock file.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

# kubectl for the API server's tests: Debian's kubernetes-client, unpacked into the
# project-local, git-ignored .tools/ (not installed system-wide: it would conflict with
# another kubectl's files). Tests find it through harness/server/kubectl.testkit.ts.
KUBECTL=.tools/kubernetes-client/usr/bin/kubectl
if [[ ! -x $KUBECTL ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  download() { (cd "$tmp" && apt-get download -qq kubernetes-client 2>/dev/null); }
  # a fresh image has no package lists yet: update them once (as root) and try again
  download || { [[ $(id -u) -eq 0 ]] && apt-get update -qq && download; } || { echo "install-deps: apt-get download kubernetes-client failed (run apt-get update as root)" >&2; exit 1; }
  mkdir -p .tools
  dpkg-deb -x "$tmp"/kubernetes-client_*.deb .tools/kubernetes-client
  rm -rf "$tmp"
  trap - EXIT
  "$KUBECTL" version --client >/dev/null
fi
