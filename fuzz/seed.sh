#!/usr/bin/env bash
# Seed each fuzz target's corpus from fixtures/ (run from anywhere; idempotent).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fx="$root/fixtures"
corpus="$root/fuzz/corpus"
seed() { # seed TARGET FILE...
    local target="$1"; shift
    mkdir -p "$corpus/$target"
    for f in "$@"; do [ -f "$f" ] && cp "$f" "$corpus/$target/$(basename "$f")"; done
}
seed token "$fx"/tokens/*.jwt "$fx"/tokens/token-response.json "$fx"/tokens/garbage.txt
seed www_authenticate "$fx"/wire/www-authenticate.txt
seed sse "$fx"/wire/sse-*.txt
seed entra_error "$fx"/wire/entra-error-*.json
seed policy "$fx"/policy/*
seed config "$root"/fuzz/seeds/*.toml
echo "seeded: $(ls "$corpus" | tr '\n' ' ')"
