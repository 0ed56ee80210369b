#!/usr/bin/env bash
# `rescue-sso ticket` against `curl` doing the same call, from cold processes,
# against a local emulator over TLS. Usage: benches/cli.sh path/to/rescue-sso
set -euo pipefail
bin=${1:?usage: benches/cli.sh path/to/rescue-sso}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl; }

work=$(mktemp -d)
trap 'kill "$emulator" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" emulator --ca-out "$work/ca.pem" > "$work/out" &
emulator=$!
until grep -q '^listening on ' "$work/out" 2>/dev/null; do
    kill -0 "$emulator" # fail fast if the emulator died
    sleep 0.05
done
url=$(sed -n 's/^listening on //p' "$work/out")

export RESCUE_SSO_PASSWORD=secretPassword
hyperfine --warmup 5 --runs "${RUNS:-100}" --export-markdown "${EXPORT:-/dev/null}" \
    -n 'rescue-sso ticket (hyper)' \
    "$bin ticket --ssoid 123456 --company-id 654321 --endpoint $url --ca-file $work/ca.pem" \
    -n 'rescue-sso ticket (blocking)' \
    "$bin ticket --transport blocking --ssoid 123456 --company-id 654321 --endpoint $url --ca-file $work/ca.pem" \
    -n 'curl' \
    "curl -sS --fail --cacert $work/ca.pem --data ssoid=123456 --data Password=secretPassword --data CompanyID=654321 $url/SSO/GetDTCLoginTicket.aspx"
