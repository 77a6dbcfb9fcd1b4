#!/usr/bin/env bash
# The embedded default: a demo camera (real face photos and scenes, looped and served over RTSP by
# a GStreamer server on 127.0.0.1:8554) and the Vigil daemon with config/demo.yaml: data under
# ./var/demo, an embedded MQTT broker on 127.0.0.1:1883, HTTP on 127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VIGIL="node dist/src/cli/main.js"

bash test/fixtures/fetch-test-data.sh
$VIGIL models fetch
$VIGIL init --config config/demo.yaml

# A demo operator and supervisor for the web console, made on the first run with random
# passwords that are shown here once: the box keeps only their argon2id hashes.
demo_user() { # NAME ROLE -> prints the new password, or nothing when the user exists
  if $VIGIL user list --config config/demo.yaml --json | grep -q "\"username\": *\"$1\""; then return 0; fi
  local pw
  pw="Demo-$(node -e 'process.stdout.write(require("node:crypto").randomBytes(12).toString("base64url"))')-7!"
  printf '%s\n' "$pw" | $VIGIL user add "$1" --role "$2" --config config/demo.yaml >/dev/null
  printf '%s' "$pw"
}
OPERATOR_PW=$(demo_user demo-operator operator)
SUPERVISOR_PW=$(demo_user demo-supervisor supervisor)

/usr/bin/python3 test/helpers/rtsp_server.py --port 8554 --mount /demo \
  --frames "test/fixtures/data/sequences/demo/%05d.jpg" --fps 10 > var/demo/rtsp-server.log 2>&1 &
RTSP_PID=$!
DAEMON_PID=""
cleanup() {
  [[ -n "$DAEMON_PID" ]] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  kill -TERM "$RTSP_PID" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
for _ in $(seq 50); do grep -q READY var/demo/rtsp-server.log 2>/dev/null && break; sleep 0.1; done
grep -q READY var/demo/rtsp-server.log || { cat var/demo/rtsp-server.log >&2; exit 1; }

shown_once() { # PASSWORD
  if [[ -n "$1" ]]; then printf 'password %s   (shown once; only its hash is stored)' "$1"; else printf 'password shown when it was created (vigil user reset-password NAME --config config/demo.yaml)'; fi
}
cat <<INFO
Vigil demo
  web console  http://127.0.0.1:8080/
    operator     demo-operator     $(shown_once "$OPERATOR_PW")
    supervisor   demo-supervisor   $(shown_once "$SUPERVISOR_PW")
  demo camera  rtsp://127.0.0.1:8554/demo   (ffplay -rtsp_transport tcp rtsp://127.0.0.1:8554/demo)
  health       http://127.0.0.1:8080/healthz  and  http://127.0.0.1:8080/readyz
  MQTT         mosquitto_sub -h 127.0.0.1 -p 1883 -v -t 'vigil/demo/gw-demo/#'
  data         var/demo/data    secrets  var/demo/secrets
Logs (JSON) follow; Ctrl-C stops.
INFO
$VIGIL run --config config/demo.yaml &
DAEMON_PID=$!
wait "$DAEMON_PID"
