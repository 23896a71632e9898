#!/usr/bin/env bash
# Time a cold `make run`: fresh clone, no .venv, no instance folder, until the login page answers.
# Usage: bench/cold_start.sh [port]   (pip's download cache, if any, is used as on any machine)
set -euo pipefail
port=${1:-5099}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill -- -$pid 2>/dev/null || true; rm -rf "$work"' EXIT
git clone -q "$src" "$work/qualirepar"
cd "$work/qualirepar"
start=$(date +%s.%N)
setsid make run PORT="$port" > "$work/run.log" 2>&1 &
pid=$!
until curl -fs -o /dev/null "http://127.0.0.1:$port/connexion"; do
  sleep 0.5
  if ! kill -0 "$pid" 2>/dev/null; then echo "make run stopped:"; tail -20 "$work/run.log"; exit 1; fi
done
end=$(date +%s.%N)
printf 'cold make run -> first page: %.1f s\n' "$(echo "$end - $start" | bc)"
