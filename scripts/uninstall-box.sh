#!/usr/bin/env bash
# Removes what scripts/install-box.sh installed: stops and disables the service, removes the unit,
# the package under the prefix and /usr/local/bin/vigil. The config, secrets, certificates
# (/etc/vigil) and the store (/var/lib/vigil, incidents, outbox, audit chain, backups) are kept, so
# a reinstall carries on where the box left off; --purge deletes them too (take a `vigil backup`
# first: the audit chain and anything not yet sent to central are gone with them). The vigil user
# is kept either way (files elsewhere may still belong to it): `userdel vigil` removes it.
#
#   bash /opt/vigil/scripts/uninstall-box.sh [--purge] [--prefix /opt/vigil] [--root DIR]
set -euo pipefail

ROOT=""
PREFIX=/opt/vigil
PURGE=0
MARKER="installed by Vigil's scripts/install-box.sh"

die() { echo "uninstall-box: $*" >&2; exit 1; }
usage_error() { echo "uninstall-box: $*" >&2; echo "usage: uninstall-box.sh [--purge] [--prefix DIR] [--root DIR]" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --root) [[ $# -ge 2 ]] || usage_error "--root needs a directory"; ROOT=$2; shift 2 ;;
    --prefix) [[ $# -ge 2 ]] || usage_error "--prefix needs a directory"; PREFIX=$2; shift 2 ;;
    --purge) PURGE=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) usage_error "unknown option $1" ;;
  esac
done
[[ $PREFIX == /* && $PREFIX != / ]] || usage_error "--prefix must be an absolute directory other than /"
if [[ -n $ROOT ]]; then
  [[ -d $ROOT ]] || die "no directory $ROOT"
  ROOT=$(cd "$ROOT" && pwd)
elif [[ $(id -u) -ne 0 ]]; then
  die "run as root (or with --root DIR for a scratch install)"
fi

R() { printf '%s%s' "$ROOT" "$1"; }
SYSTEMD=0
if [[ -z $ROOT && -d /run/systemd/system ]]; then SYSTEMD=1; fi

# Stopped first: the daemon flushes its store and tells central it is "stopped", not "offline".
if [[ $SYSTEMD -eq 1 ]]; then
  systemctl disable --now vigil.service 2>/dev/null || true
fi

rm -f "$(R /etc/systemd/system/vigil.service)"
DROPIN_DIR=$(R /etc/systemd/system/vigil.service.d)
rm -f "$DROPIN_DIR/install-box-paths.conf"
rmdir "$DROPIN_DIR" 2>/dev/null || true
if [[ $SYSTEMD -eq 1 ]]; then
  systemctl daemon-reload
  systemctl reset-failed vigil.service 2>/dev/null || true
fi

# Only a directory that is a Vigil package is deleted, whatever --prefix says.
PKG=$(R "$PREFIX")
if [[ -e $PKG ]]; then
  grep -qs '"name": "vigil"' "$PKG/package.json" || die "$PKG does not look like a Vigil package (no package.json naming vigil): left alone"
  rm -rf "$PKG"
  echo "removed $PKG"
fi
WRAPPER=$(R /usr/local/bin/vigil)
if grep -qs "$MARKER" "$WRAPPER"; then rm -f "$WRAPPER"; fi

if [[ $PURGE -eq 1 ]]; then
  rm -rf "$(R /etc/vigil)" "$(R /var/lib/vigil)"
  echo "purged $(R /etc/vigil) and $(R /var/lib/vigil)"
else
  echo "kept $(R /etc/vigil) (config, secrets, certificates) and $(R /var/lib/vigil) (store, backups); --purge removes them"
fi
