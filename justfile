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

# Everything CI runs, in order.
ci: fmt-check lint test doc deps-check
