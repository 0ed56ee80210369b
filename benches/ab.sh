#!/usr/bin/env bash
# Throughput of each adapter against its reference, with less noise than a
# shared-process benchmark: the emulator runs as its own process pinned to
# CPU 0, the client to CPU 1 (taskset), and ours and the reference run
# alternately, A B A B..., PAIRS times at each concurrency. Each pair gives a
# ratio; the median ratio and its spread ((max - min) / median) are reported.
#
# Usage: benches/ab.sh BIN_DIR [PAIRS] [TICKETS]
#   BIN_DIR holds rescue-sso and throughput (release builds)
set -euo pipefail

bin=$(realpath "$1")
pairs=${2:-5}
tickets=${3:-20000}
command -v taskset >/dev/null || { echo "error: taskset (util-linux) is needed" >&2; exit 1; }
dir=$(mktemp -d)
cleanup() { [ -n "${emulator:-}" ] && kill "$emulator" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

(exec taskset -c 0 "$bin/rescue-sso" emulator --ca-out "$dir/ca.pem" > "$dir/emulator.out" 2>&1) &
emulator=$!
for _ in $(seq 200); do grep -q '^listening on ' "$dir/emulator.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$dir/emulator.out" | head -1)
[ -n "$url" ] || { echo "error: the emulator did not start" >&2; exit 1; }

rate() { # client concurrency
    taskset -c 1 "$bin/throughput" "$1" "$url" "$dir/ca.pem" "$2" "$tickets" \
        | sed -n 's/^tickets_per_second=//p'
}

compare() { # ours reference
    echo
    echo "| concurrency | $1 (median) | $2 (median) | ratio, median of $pairs pairs | spread |"
    echo "|---|---|---|---|---|"
    for c in 1 16 64; do
        ours=(); refs=(); ratios=()
        for _ in $(seq "$pairs"); do
            a=$(rate "$1" "$c"); b=$(rate "$2" "$c")
            ours+=("$a"); refs+=("$b")
            ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", a / b }')")
        done
        med() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
        spread=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f %%", (v[NR] - v[1]) * 100 / m }')
        printf '| %s | %.0f | %.0f | %.3f | %s |\n' "$c" "$(med "${ours[@]}")" "$(med "${refs[@]}")" "$(med "${ratios[@]}")" "$spread"
    done
}

echo "tickets per second, $tickets tickets per run; emulator on CPU 0, client on CPU 1"
compare rescue-sso-hyper raw-hyper-util
compare rescue-sso-blocking ureq
