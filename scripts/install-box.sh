#!/usr/bin/env bash
# Provisions a Vigil gateway box from this tree (a built checkout, after scripts/install-deps.sh,
# or an unpacked release with dist/, node_modules/ and models/ in it). Run as root:
#
#   bash scripts/install-box.sh [--site S] [--gateway G] [--prefix /opt/vigil]
#
# It creates the `vigil` system user and group (no login shell, no home), /etc/vigil (0750
# root:vigil) with secrets/ (0700 vigil) and certs/ (0750 vigil), /var/lib/vigil (0700 vigil),
# copies the package to the prefix, installs /usr/local/bin/vigil and the systemd unit, writes
# /etc/vigil/vigil.yaml from config/vigil.example.yaml if there is none, and runs `vigil init` as
# the vigil user to generate the secrets. Safe to run again, also to upgrade: the package files are
# replaced, the config and every secret are kept, nothing else changes. It does not start the
# service: edit the config first (docs/deployment.md), then `systemctl enable --now vigil`.
#
# --root DIR installs into a scratch root instead of / (tests, image builds). It never touches the
# host's systemd, and needs --no-user: users are created only in the host's own /etc/passwd.
# --no-user skips creating the user and changing owners: everything belongs to whoever runs this.
set -euo pipefail
umask 022

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=""
PREFIX=/opt/vigil
CREATE_USER=1
SITE=""
GATEWAY=""
SERVICE_USER=vigil
MARKER="installed by Vigil's scripts/install-box.sh"

die() { echo "install-box: $*" >&2; exit 1; }
usage_error() { echo "install-box: $*" >&2; echo "usage: install-box.sh [--root DIR] [--prefix DIR] [--no-user] [--site S] [--gateway G]" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --root) [[ $# -ge 2 ]] || usage_error "--root needs a directory"; ROOT=$2; shift 2 ;;
    --prefix) [[ $# -ge 2 ]] || usage_error "--prefix needs a directory"; PREFIX=$2; shift 2 ;;
    --no-user) CREATE_USER=0; shift ;;
    --site) [[ $# -ge 2 ]] || usage_error "--site needs an id"; SITE=$2; shift 2 ;;
    --gateway) [[ $# -ge 2 ]] || usage_error "--gateway needs an id"; GATEWAY=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) usage_error "unknown option $1" ;;
  esac
done

[[ $PREFIX == /* && $PREFIX != / ]] || usage_error "--prefix must be an absolute directory other than /"
for id in "$SITE" "$GATEWAY"; do
  [[ -z $id || $id =~ ^[a-z0-9_-]{1,64}$ ]] || usage_error "site and gateway ids are [a-z0-9_-]{1,64}: $id"
done
if [[ -n $ROOT ]]; then
  [[ $CREATE_USER -eq 0 ]] || usage_error "--root needs --no-user (the user would be created in the host's /etc/passwd, not in $ROOT)"
  mkdir -p "$ROOT"
  ROOT=$(cd "$ROOT" && pwd)
elif [[ $(id -u) -ne 0 ]]; then
  die "run as root (or, for a scratch install, with --root DIR --no-user)"
fi

# A path on the box as seen from here (under --root, inside the scratch root).
R() { printf '%s%s' "$ROOT" "$1"; }

NODE=$(command -v node) || die "Node.js 20 or newer is needed (scripts/install-deps.sh says how)"
[[ $("$NODE" -p 'process.versions.node.split(".")[0]') -ge 20 ]] || die "Node.js 20 or newer is needed (found $("$NODE" --version))"
[[ -f $SRC/dist/src/cli/main.js && -d $SRC/node_modules && -f $SRC/models/manifest.json ]] ||
  die "$SRC has no build: run scripts/install-deps.sh there first (or unpack a release)"

# Owner arguments for install(1); empty with --no-user, where whoever runs this owns everything.
owner() { if [[ $CREATE_USER -eq 1 ]]; then printf -- '-o %s -g %s' "$1" "$2"; fi; }
as_service_user() { if [[ $CREATE_USER -eq 1 ]]; then runuser -u "$SERVICE_USER" -- "$@"; else "$@"; fi; }

# Writes stdin to a file only when its content differs, so a second run leaves mtimes alone.
install_content() {
  local mode=$1 target=$2 tmp
  tmp=$(mktemp "$target.XXXXXX")
  cat >"$tmp"
  if cmp -s "$tmp" "$target" 2>/dev/null; then
    rm -f "$tmp"
  else
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$target"
    echo "wrote $target"
  fi
}

# 1. The service user: a system account that cannot log in and owns nothing but Vigil's data.
if [[ $CREATE_USER -eq 1 ]]; then
  getent group "$SERVICE_USER" >/dev/null || groupadd --system "$SERVICE_USER"
  if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
    useradd --system --gid "$SERVICE_USER" --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --comment "Vigil gateway daemon" "$SERVICE_USER"
    echo "created user $SERVICE_USER"
  fi
fi

# 2. Directories. The daemon reads /etc/vigil but cannot change it (the unit makes it read-only
# anyway); secrets and the store are the service user's alone. certs/ is the service user's so
# `vigil cert` (run as that user) can write the site CA and certificates the daemon reads.
# shellcheck disable=SC2046 # owner() expands to separate words on purpose
install -d -m 0750 $(owner root "$SERVICE_USER") "$(R /etc/vigil)"
# shellcheck disable=SC2046
install -d -m 0700 $(owner "$SERVICE_USER" "$SERVICE_USER") "$(R /etc/vigil/secrets)"
# shellcheck disable=SC2046
install -d -m 0750 $(owner "$SERVICE_USER" "$SERVICE_USER") "$(R /etc/vigil/certs)"
# shellcheck disable=SC2046
install -d -m 0700 $(owner "$SERVICE_USER" "$SERVICE_USER") "$(R /var/lib/vigil)" "$(R /var/lib/vigil/backups)"

# 3. The package, staged beside the old one and swapped in whole, so that a failed copy never
# leaves half an upgrade. Owned by root and not writable by the service user: the daemon cannot
# change its own code.
PKG=$(R "$PREFIX")
if [[ $(cd "$SRC" && pwd -P) == $(cd "$PKG" 2>/dev/null && pwd -P) ]]; then
  echo "running from the installed package $PKG: package files left as they are"
else
  mkdir -p "$(dirname "$PKG")"
  STAGE="$PKG.new.$$"
  rm -rf "$STAGE"
  mkdir -p "$STAGE/dist" "$STAGE/scripts" "$STAGE/certs"
  # -H: a node_modules that is itself a link (a shared cache) is copied, not linked to; links inside stay links.
  copy() { cp -R -H --preserve=mode,timestamps "$@"; }
  copy "$SRC/dist/src" "$STAGE/dist/src"
  for item in package.json package-lock.json node_modules models config systemd docs README.md; do
    if [[ -e $SRC/$item ]]; then copy "$SRC/$item" "$STAGE/"; fi
  done
  copy "$SRC/scripts/install-box.sh" "$SRC/scripts/uninstall-box.sh" "$STAGE/scripts/"
  if [[ -f $SRC/certs/README.md ]]; then copy "$SRC/certs/README.md" "$STAGE/certs/"; fi
  chmod -R u+rwX,go+rX,go-w "$STAGE"
  chmod 0755 "$STAGE/dist/src/cli/main.js"
  if [[ -e $PKG ]]; then mv "$PKG" "$PKG.old.$$"; fi
  mv "$STAGE" "$PKG"
  rm -rf "$PKG.old.$$"
  echo "installed the package in $PKG"
fi

# 4. The `vigil` command. As root it drops to the service user, so that what the CLI creates (the
# store's files, secrets, certificates) stays readable by the daemon; `diagnose` alone stays root,
# to read the service's journal, and writes nothing the daemon needs.
install -d -m 0755 "$(R /usr/local/bin)"
install_content 0755 "$(R /usr/local/bin/vigil)" <<EOF
#!/bin/sh
# The vigil command, $MARKER.
# As root it runs as $SERVICE_USER (except diagnose), so the daemon can read what it writes.
if [ "\$(id -u)" = 0 ] && [ "\${1:-}" != diagnose ] && id $SERVICE_USER >/dev/null 2>&1; then
  exec runuser -u $SERVICE_USER -- "$NODE" "$PREFIX/dist/src/cli/main.js" "\$@"
fi
exec "$NODE" "$PREFIX/dist/src/cli/main.js" "\$@"
EOF

# 5. The unit, copied as shipped. It runs /usr/bin/node /opt/vigil/...; anything else gets a
# drop-in that replaces ExecStart only.
install -d -m 0755 "$(R /etc/systemd/system)"
install_content 0644 "$(R /etc/systemd/system/vigil.service)" <"$SRC/systemd/vigil.service"
DROPIN_DIR=$(R /etc/systemd/system/vigil.service.d)
DROPIN=$DROPIN_DIR/install-box-paths.conf
if [[ $PREFIX != /opt/vigil || $NODE != /usr/bin/node ]]; then
  install -d -m 0755 "$DROPIN_DIR"
  install_content 0644 "$DROPIN" <<EOF
# $MARKER: this box's node and package prefix.
[Service]
ExecStart=
ExecStart=$NODE $PREFIX/dist/src/cli/main.js run
EOF
elif [[ -f $DROPIN ]]; then
  rm -f "$DROPIN"
  rmdir "$DROPIN_DIR" 2>/dev/null || true
fi

# 6. The config, only if there is none: the example with this box's ids. The service user may read
# it, not change it.
CONFIG=$(R /etc/vigil/vigil.yaml)
if [[ -e $CONFIG ]]; then
  echo "kept $CONFIG"
  [[ -z $SITE && -z $GATEWAY ]] || echo "  (--site/--gateway apply to a new config only; edit the file to change them)"
else
  tmp=$(mktemp "$CONFIG.XXXXXX")
  sed -e "s/^site: .*/site: ${SITE:-site}/" -e "s/^gateway: .*/gateway: ${GATEWAY:-gw-01}/" "$SRC/config/vigil.example.yaml" >"$tmp"
  # shellcheck disable=SC2046
  install -m 0640 $(owner root "$SERVICE_USER") "$tmp" "$CONFIG"
  rm -f "$tmp"
  echo "wrote $CONFIG (site ${SITE:-site}, gateway ${GATEWAY:-gw-01})"
fi

# 7. Secrets: `vigil init` as the service user, which never replaces one that exists. Under
# --root, the config's paths are pointed into the scratch root for this run only.
ROOTED=()
if [[ -n $ROOT ]]; then
  ROOTED=("VIGIL__DATA_DIR=$(R /var/lib/vigil)" "VIGIL__SECRETS_DIR=$(R /etc/vigil/secrets)" "VIGIL__CERTS_DIR=$(R /etc/vigil/certs)")
fi
(cd / && as_service_user env -u CREDENTIALS_DIRECTORY -u VIGIL_CONFIG "${ROOTED[@]}" "$NODE" "$PKG/dist/src/cli/main.js" init --config "$CONFIG")

# 8. Let a running systemd see the unit; never the host's systemd for a scratch root.
if [[ -z $ROOT && -d /run/systemd/system ]]; then
  systemctl daemon-reload
fi

cat <<EOF

Vigil is installed. Next (docs/deployment.md has the whole checklist):
  1. edit $CONFIG: site, gateway, cameras, mqtt brokers and TLS
  2. vigil config check
  3. vigil user add admin --role admin
  4. systemctl enable --now vigil && curl -s 127.0.0.1:8080/readyz
EOF
