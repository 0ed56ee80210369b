#!/usr/bin/env bash
# The gateway under load (docs/performance.md, "The gateway under load").
#
#   benches/gateway.sh [--smoke] DIR
#
# DIR holds the `rescue-sso` and `direct-load` binaries (target/release for
# figures). One emulator process (TLS, as Rescue) serves both sides, in the
# same run:
#
# - the gateway (`rescue-sso gateway`, trusted-header mode) under wrk, which
#   POSTs /launch as the trusted proxy would (benches/gateway.lua), over
#   kept-alive connections, one per concurrent user;
# - the same number of tickets fetched directly by rescue_sso_hyper::Client
#   (`direct-load`), at the same concurrency;
#
# at 1, 16 and 64 concurrent users; then a fresh gateway's peak memory
# (VmHWM) and resident memory (VmRSS) after 10,000 and 100,000 launches.
#
# Every launch must be answered 303 and every direct call must return a
# ticket, or the script fails. `--smoke` proves the recipe works in a few
# seconds (a few hundred launches, debug builds are fine): its timings mean
# nothing and nothing is asserted about them.
#
# Environment: DURATION (seconds of load per concurrency, default 10),
# USERS (default "1 16 64"), CHECKPOINTS (launches, default "10000 100000"),
# PIN=1 to pin the emulator to CPU 0 and the gateway, wrk and direct-load to
# CPU 1 (default: not pinned, see docs/performance.md).
set -euo pipefail

smoke=0
if [ "${1:-}" = --smoke ]; then
    smoke=1
    shift
fi
dir=${1:?usage: benches/gateway.sh [--smoke] DIR-WITH-rescue-sso-AND-direct-load}
bin=$dir/rescue-sso
direct=$dir/direct-load
lua=$(cd "$(dirname "$0")" && pwd)/gateway.lua
for exe in "$bin" "$direct"; do
    [ -x "$exe" ] || { echo "error: $exe is missing: build it first" >&2; exit 2; }
done

if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian's package)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

if [ "$smoke" = 1 ]; then
    duration=1 users=${USERS:-"1 16 64"} checkpoints=${CHECKPOINTS:-"100 400"}
    per_thread=100 # each wrk thread stops after 100 launches
else
    duration=${DURATION:-10} users=${USERS:-"1 16 64"} checkpoints=${CHECKPOINTS:-"10000 100000"}
    per_thread=0
fi
server_cpu=() client_cpu=()
if [ "${PIN:-0}" = 1 ]; then
    server_cpu=(taskset -c 0) client_cpu=(taskset -c 1)
fi

work=$(mktemp -d)
started=()
cleanup() {
    for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# wait_listening FILE PID: the first line of FILE is `listening on URL`.
wait_listening() {
    local tries=0
    until grep -q '^listening on ' "$1" 2>/dev/null; do
        kill -0 "$2" 2>/dev/null || { echo "error: process $2 died:" >&2; cat "$1" "$1.err" >&2; exit 1; }
        tries=$((tries + 1))
        [ "$tries" -lt 600 ] || { echo "error: process $2 did not start" >&2; exit 1; }
        sleep 0.05
    done
    sed -n '1s/^listening on //p' "$1"
}

# field NAME LINE: NAME's value in a `RESULT name=value …` line.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo benchPassword > "$work/password"
"${server_cpu[@]}" "$bin" emulator --company 654321:benchPassword:bench --ca-out "$work/ca.pem" \
    > "$work/emulator" 2> "$work/emulator.err" &
emulator_pid=$!
started+=("$emulator_pid")
endpoint=$(wait_listening "$work/emulator" "$emulator_pid")

# One user, "bench", whose SSO ID is the same; the per-user limit is raised
# out of the way (the default, 10/minute, would refuse all but the first ten).
cat > "$work/gateway.toml" <<EOF
listen = "127.0.0.1:0"

[rescue]
endpoint = "$endpoint"
company_id = "654321"
password_file = "password"
ca_file = "ca.pem"

[identity]
mode = "trusted-header"
header = "Remote-User"
trusted_proxies = ["127.0.0.1/32"]

[limits]
per_user = "1000000/second"

[audit]
file = "/dev/null"
EOF

# start_gateway: sets gateway_pid and gateway_url.
gateways=0
start_gateway() {
    gateways=$((gateways + 1))
    local out=$work/gateway-$gateways
    "${client_cpu[@]}" "$bin" gateway --config "$work/gateway.toml" > "$out" 2> "$out.err" &
    gateway_pid=$!
    started+=("$gateway_pid")
    gateway_url=$(wait_listening "$out" "$gateway_pid")
}

stop_gateway() {
    kill "$gateway_pid"
    wait "$gateway_pid" || { echo "error: the gateway did not stop cleanly" >&2; exit 1; }
}

# cpu_of PID: the user + system CPU seconds a running process has used.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# children_cpu: sets cpu to the user + system CPU seconds of this shell's
# finished children (call it as it is: `times` in a $(…) subshell counts
# that subshell's children, none).
children_cpu() {
    local file=$work/times.$BASHPID
    times > "$file"
    cpu=$(awk 'NR == 2 { gsub(/s/, ""); split($1, u, "m"); split($2, k, "m"); printf "%.3f", u[1] * 60 + u[2] + k[1] * 60 + k[2] }' "$file")
}

# gateway_load USERS SECONDS: wrk's RESULT line and its CPU time; fails on
# any answer but a 303. Run it in a subshell, so that only wrk is counted.
gateway_load() {
    local threads=$(($1 < 2 ? $1 : 2)) out cpu
    out=$(LAUNCHES_PER_THREAD=$per_thread "${client_cpu[@]}" \
        wrk -t"$threads" -c"$1" -d"$2"s --timeout 10s -s "$lua" "$gateway_url/launch")
    children_cpu
    echo "$(check_wrk "$out") cpu=$cpu"
}

# check_wrk OUTPUT: prints its RESULT line if every launch was a 303.
check_wrk() {
    local line
    line=$(grep '^RESULT ' <<<"$1") || { echo "error: wrk printed no result:" >&2; echo "$1" >&2; exit 1; }
    if [ "$(field responses "$line")" -eq 0 ] || [ "$(field failures "$line")" -ne 0 ] \
        || [ "$(field socket_errors "$line")" -ne 0 ]; then
        echo "error: not every launch got a 303 (last other status: $(field other_status "$line")):" >&2
        echo "$line" >&2
        exit 1
    fi
    echo "$line"
}

# direct_load USERS REQUESTS: direct-load's RESULT line and its CPU time
# (its warm-up, 10 calls per user, included); fails on any error. Run it in
# a subshell, so that only direct-load is counted.
direct_load() {
    local out cpu
    out=$("${client_cpu[@]}" "$direct" --endpoint "$endpoint" --ca-file "$work/ca.pem" \
        --company-id 654321 --password-file "$work/password" --sso-id bench \
        --concurrency "$1" --requests "$2" --warm-up "$((10 * $1))")
    children_cpu
    echo "$out cpu=$cpu"
}

# Arithmetic and formatting, in awk.
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
ms() { calc %.2f "$1 / 1000"; }
per_second() { calc %.0f "$1 / $2"; }
us_each() { calc %.0f "($1) * 1e6 / $2"; } # us_each SECONDS COUNT

cat <<EOF
# The gateway under load

wrk $(wrk --version 2>&1 | sed -n 's/^wrk \([^ ]*\).*/\1/p'), $(nproc) CPUs, pinned: ${PIN:-0}, ${duration} s per concurrency$([ "$smoke" = 1 ] && echo ", SMOKE RUN: these timings mean nothing")

| users | gateway launches/s | p50 ms | p99 ms | direct tickets/s | p50 ms | p99 ms | gateway / direct |
|---|---|---|---|---|---|---|---|
EOF

start_gateway
# Warm-up: the gateway's connection to the emulator, the allocator, caches.
gateway_load 16 1 > /dev/null
cpu_rows=()
for n in $users; do
    e0=$(cpu_of "$emulator_pid") g0=$(cpu_of "$gateway_pid")
    g=$(gateway_load "$n" "$duration")
    e1=$(cpu_of "$emulator_pid") g1=$(cpu_of "$gateway_pid")
    count=$(field responses "$g")
    d=$(direct_load "$n" "$count")
    e2=$(cpu_of "$emulator_pid")
    g_rate=$(per_second "$count" "$(field seconds "$g")")
    d_rate=$(per_second "$(field responses "$d")" "$(field seconds "$d")")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" \
        "$g_rate" "$(ms "$(field p50_us "$g")")" "$(ms "$(field p99_us "$g")")" \
        "$d_rate" "$(ms "$(field p50_us "$d")")" "$(ms "$(field p99_us "$d")")" \
        "$(calc %.2f "$g_rate / $d_rate")"
    wrk_cpu=$(field cpu "$g") direct_cpu=$(field cpu "$d")
    cpu_rows+=("$(printf '| %s | %s | %s | %s | **%s** | %s | %s | **%s** |' "$n" \
        "$(us_each "$g1 - $g0" "$count")" "$(us_each "$e1 - $e0" "$count")" \
        "$(us_each "$wrk_cpu" "$count")" "$(us_each "$g1 - $g0 + $e1 - $e0 + $wrk_cpu" "$count")" \
        "$(us_each "$direct_cpu" "$count")" "$(us_each "$e2 - $e1" "$count")" \
        "$(us_each "$direct_cpu + $e2 - $e1" "$count")")")
done
echo "(launches in the gateway rows: $(curl -fsS "$gateway_url/metrics" | awk '/^rescue_sso_gateway_launches_total/ { s += $2 } END { print s + 0 }'), warm-up included)"
stop_gateway

echo
echo "CPU time per launch or ticket, µs (user + system, all threads of each process):"
echo
echo "| users | gateway | emulator | wrk | gateway path | direct-load | emulator | direct path |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${cpu_rows[@]}"

# Memory: a fresh gateway, 64 users, read at each checkpoint.
echo
echo "| launches (64 users, fresh gateway) | VmHWM (peak) | VmRSS |"
echo "|---|---|---|"
start_gateway
launched() {
    curl -fsS "$gateway_url/metrics" \
        | awk '/^rescue_sso_gateway_launches_total\{.*outcome="ok"/ { s += $2 } END { print s + 0 }'
}
kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$gateway_pid/status"; }
memory() { calc "%.1f MiB" "$(kib "$1") / 1024"; }
printf '| %s (started) | %s | %s |\n' 0 "$(memory VmHWM)" "$(memory VmRSS)"
# wrk runs until interrupted at the last checkpoint; the -d bounds it anyway.
LAUNCHES_PER_THREAD=0 "${client_cpu[@]}" \
    wrk -t2 -c64 -d600s --timeout 10s -s "$lua" "$gateway_url/launch" > "$work/wrk-memory" &
wrk_pid=$!
started+=("$wrk_pid")
for checkpoint in $checkpoints; do
    while :; do
        n=$(launched)
        [ "$n" -lt "$checkpoint" ] || break
        kill -0 "$wrk_pid" 2>/dev/null || { echo "error: wrk stopped early" >&2; cat "$work/wrk-memory" >&2; exit 1; }
        sleep 0.02
    done
    printf '| %s | %s | %s |\n' "$n" "$(memory VmHWM)" "$(memory VmRSS)"
    first_n=${first_n:-$n} first_peak=${first_peak:-$(kib VmHWM)}
done
echo "(peak growth from $first_n to $n launches: $(calc %.2f "($(kib VmHWM) - $first_peak) * 1024 / ($n - $first_n)") bytes per launch)"
kill -INT "$wrk_pid"
wait "$wrk_pid" || true
memory_run=$(check_wrk "$(cat "$work/wrk-memory")")
echo "(wrk: $(field responses "$memory_run") launches, all 303, in $(field seconds "$memory_run") s)"
stop_gateway
