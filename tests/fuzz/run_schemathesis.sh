#!/usr/bin/env bash
# Fuzz the REST API from its own OpenAPI schema with schemathesis.
#
# A fresh SQLite database in a temporary directory, migrated and seeded with
# the reference cases and the demo (`seed --demo`, which needs DEBUG on); the
# app served by runserver on 127.0.0.1:8765; a token for demo/demo; then a
# bounded schemathesis run (FUZZ_MAX_EXAMPLES cases per operation, positive
# and negative) that fails on any 5xx, any undocumented status code or
# content type, and any response that does not match the schema. The server
# and the temporary directory are removed on exit, whatever happens.
#
# Usage: tests/fuzz/run_schemathesis.sh   (from anywhere; .ci/run calls it)
# Environment: FUZZ_PORT (8765), FUZZ_MAX_EXAMPLES (20), FUZZ_SEED (random),
# FUZZ_JUNIT (a path: write a JUnit report there, one test per operation).
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT="${FUZZ_PORT:-8765}"
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-20}"
BASE="http://127.0.0.1:$PORT"
PYTHON=.venv/bin/python

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

export DATABASE_URL="sqlite:///$WORK/fuzz.sqlite3"
export DJANGO_DEBUG=true
# The settings refuse to start without a key; a throwaway one if none is set
# (a .env file, read by the settings, would not override it).
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$($PYTHON -c 'import secrets; print(secrets.token_urlsafe(50))')}"

echo "Fuzz database: $WORK/fuzz.sqlite3"
$PYTHON manage.py migrate --no-input -v 0
$PYTHON manage.py seed --demo >/dev/null

# Another server on the port would be fuzzed instead of ours: refuse.
if curl -s -o /dev/null "$BASE/"; then
  echo "Port $PORT is already in use; set FUZZ_PORT to a free port." >&2
  exit 1
fi
$PYTHON manage.py runserver --noreload "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
ready=false
for _ in $(seq 60); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
  if curl -sf -o /dev/null "$BASE/api/v1/schema/"; then ready=true; break; fi
  sleep 0.5
done
if [ "$ready" != true ]; then
  echo "The server did not start:" >&2
  cat "$WORK/server.log" >&2
  exit 1
fi

TOKEN="$(
  curl -sf -X POST "$BASE/api/v1/auth/token/" \
    -H 'Content-Type: application/json' \
    -d '{"username": "demo", "password": "demo"}' |
    $PYTHON -c 'import json, sys; print(json.load(sys.stdin)["token"])'
)"

status=0
.venv/bin/schemathesis run "$BASE/api/v1/schema/" \
  --header "Authorization: Token $TOKEN" \
  --exclude-path-regex '^/api/v1/auth/' \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$MAX_EXAMPLES" \
  ${FUZZ_SEED:+--seed "$FUZZ_SEED"} \
  --workers 1 \
  --request-timeout 30 \
  --generation-database none \
  ${FUZZ_JUNIT:+--report junit --report-junit-path "$FUZZ_JUNIT"} \
  --no-color || status=$?

if [ "$status" -ne 0 ]; then
  echo "schemathesis found failures (exit $status); server errors, if any:" >&2
  grep -A 30 -E "Internal Server Error|Traceback" "$WORK/server.log" | head -200 >&2 || true
fi
exit "$status"
