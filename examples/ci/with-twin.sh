#!/usr/bin/env bash
# Starts apitwin (memory store, demo data, free ports), exports the vendor variables your tests
# read (SYNQLY_BASE_URL, SYNQLY_TOKEN, CONNXIO_BASE_URL, CONNXIO_API_KEY, CONNXIO_CLIENT_ID,
# CONNXIO_CLIENT_SECRET, CONNXIO_TOKEN_URL, CONNXIO_CUSTOM_BASE_URL), runs the given command,
# then stops the twin. Usage: with-twin.sh <command> [args...]
set -euo pipefail
APITWIN_BIN="${APITWIN_BIN:-npx apitwin}"
ready_file="$(mktemp)"
# the twin runs in a process group of its own (job control on), so stopping it stops every process
# it started: `npx apitwin` is npx with a node child, and killing npx alone would leave the twin running
set -m
$APITWIN_BIN serve --memory --json --synqly-port 0 --connxio-port 0 --custom-port 0 --log-level warn >"$ready_file" &
twin_pid=$!
set +m
stop_twin() {
  kill -TERM -- "-$twin_pid" 2>/dev/null || true
  wait "$twin_pid" 2>/dev/null || true
  rm -f "$ready_file"
}
trap stop_twin EXIT
for _ in $(seq 1 100); do
  [ -s "$ready_file" ] && break
  kill -0 "$twin_pid" 2>/dev/null || { echo "apitwin exited before it was ready" >&2; exit 1; }
  sleep 0.1
done
[ -s "$ready_file" ] || { echo "apitwin did not get ready in 10 s" >&2; exit 1; }
eval "$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]);
  const s = r.tenants.find((t) => t.vendor === "synqly").credentials;
  const c = r.tenants.find((t) => t.vendor === "connxio").credentials;
  const out = {
    SYNQLY_BASE_URL: r.urls.synqly, SYNQLY_TOKEN: s.token,
    CONNXIO_BASE_URL: r.urls.connxio, CONNXIO_API_KEY: c.api_key,
    CONNXIO_CLIENT_ID: c.oauth.client_id, CONNXIO_CLIENT_SECRET: c.oauth.client_secret,
    CONNXIO_TOKEN_URL: r.urls.connxio + "/oauth/token", CONNXIO_CUSTOM_BASE_URL: r.urls.custom,
  };
  for (const [k, v] of Object.entries(out)) console.log(`export ${k}=${JSON.stringify(v)}`);
' "$ready_file")"
"$@"
