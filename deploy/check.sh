#!/usr/bin/env bash
# Checks the files in deploy/ as far as this machine can: the systemd unit
# with systemd-analyze (verify, and its sandboxing score), and the nginx
# example by running it, with a throwaway certificate, in front of a real
# gateway (the demo) and fetching a page through it over TLS.
#
# Usage: deploy/check.sh path/to/rescue-sso
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$dir"
}
trap cleanup EXIT

# The unit, its ExecStart pointed at the binary under test. systemd only warns
# about unknown keys, so any remark at all is a failure.
sed "s#/usr/local/bin/rescue-sso#$bin#" "$here/rescue-sso-gateway.service" > "$dir/rescue-sso-gateway.service"
out=$(systemd-analyze verify "$dir/rescue-sso-gateway.service" 2>&1) || { echo "$out" >&2; exit 1; }
if [ -n "$out" ]; then echo "$out" >&2; echo "error: systemd-analyze verify has remarks" >&2; exit 1; fi
systemd-analyze security --offline=true --threshold=20 "$dir/rescue-sso-gateway.service" | tail -1

# The nginx example in front of the demo gateway.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
"$bin" gateway --demo > "$dir/gateway.out" &
pids+=($!)
for _ in $(seq 200); do
    grep -q '^listening on ' "$dir/gateway.out" 2>/dev/null && break
    sleep 0.05
done
gateway=$(sed -n 's#^listening on http://##p' "$dir/gateway.out" | head -1)
[ -n "$gateway" ] || { echo "error: the demo gateway did not start" >&2; cat "$dir/gateway.out" >&2; exit 1; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=rescue-sso.corp.example -addext subjectAltName=DNS:rescue-sso.corp.example \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
http_port=$(free_port)
https_port=$(free_port)
sed -e "s#/etc/nginx/tls/rescue-sso.corp.example.crt#$dir/cert.pem#" \
    -e "s#/etc/nginx/tls/rescue-sso.corp.example.key#$dir/key.pem#" \
    -e "s#listen 80;#listen 127.0.0.1:$http_port;#" \
    -e "s#listen 443 ssl#listen 127.0.0.1:$https_port ssl#" \
    -e "s#proxy_pass http://127.0.0.1:8080;#proxy_pass http://$gateway;#" \
    "$here/nginx-tls.conf" > "$dir/site.conf"
printf 'daemon off;\npid %s/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path %s;\n  proxy_temp_path %s;\n  include %s/site.conf;\n}\n' \
    "$dir" "$dir" "$dir" "$dir" > "$dir/nginx.conf"
nginx -t -q -p "$dir" -c "$dir/nginx.conf"
nginx -p "$dir" -c "$dir/nginx.conf" &
pids+=($!)
url="https://rescue-sso.corp.example:$https_port"
curl_tls() { curl -sS --max-time 5 --cacert "$dir/cert.pem" --resolve "rescue-sso.corp.example:$https_port:127.0.0.1" "$@"; }
for _ in $(seq 200); do curl_tls -o /dev/null "$url/healthz" 2>/dev/null && break; sleep 0.05; done
[ "$(curl_tls "$url/healthz")" = ok ] || { echo "error: /healthz through nginx" >&2; exit 1; }
page=$(curl_tls "$url/")
grep -q 'id="user">demo<' <<<"$page" || { echo "error: the start page through nginx: $page" >&2; exit 1; }
headers=$(curl_tls -o /dev/null -D - "$url/")
grep -qi '^content-security-policy: ' <<<"$headers" || { echo "error: the gateway's headers did not come through" >&2; exit 1; }
redirect=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$http_port/x")
[ "$redirect" = "308 https://127.0.0.1/x" ] || { echo "error: http is not redirected to https: $redirect" >&2; exit 1; }
echo "deploy/nginx-tls.conf ok: TLS in front of the gateway at $url"
echo "deploy/ ok"
