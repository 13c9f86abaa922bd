#!/usr/bin/env bash
# Finds or builds the local tools the stack needs, once per user, and writes their paths to .tools.json.
#
#   temporal            Temporal CLI v1.5.1 (dev server + UI)    override: TEMPORAL_CLI_PATH
#   temporal-test-server Java time-skipping test server          override: TEMPORAL_TEST_SERVER_PATH
#   stripe-mock         stripe-mock v0.197.0                      override: STRIPE_MOCK_PATH
#   temporal-ui-server  Temporal UI server v2.56.4 (read-only UI) override: TEMPORAL_UI_SERVER_PATH
#
# Order for each: the override variable, then the PATH, then the per-user cache (MI_TOOLS_DIR, default
# ~/.cache/microinternships), then a build from the Go module proxy / Maven Central into that cache.
# For the two Temporal servers the SDK's own download is the last fallback (it needs the internet).
# The UI server is optional: without it `npm start` falls back to the dev server's own UI, and says so.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${MI_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/microinternships}
bin="$cache/bin"
mkdir -p "$bin"

TEMPORAL_CLI_VERSION=v1.5.1
STRIPE_MOCK_VERSION=v0.197.0
# v2.58.x needs go.temporal.io/api v1.64.0, which the Go module proxy does not serve (403), so
# `go install` fails there; v2.56.4 is the newest that builds as published.
TEMPORAL_UI_SERVER_VERSION=v2.56.4
TEST_SERVER_VERSION=${TEMPORAL_TEST_SERVER_VERSION:-1.39.0}

say() { printf '[tools] %s\n' "$*" >&2; }
die() { printf '[tools] ERROR: %s\n' "$*" >&2; exit 1; }

# Runs a long build, printing elapsed time every 15 s so nobody thinks it hung; the log is kept on failure.
run_with_progress() {
  local label=$1 log=$2; shift 2
  local start=$SECONDS
  say "$label (first run only; output in $log)"
  "$@" >"$log" 2>&1 &
  local pid=$! next=15
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (( SECONDS - start >= next )); then say "  ... $label: $((SECONDS - start)) s"; next=$((next + 15)); fi
  done
  if ! wait "$pid"; then tail -n 30 "$log" >&2; return 1; fi
  say "  $label done in $((SECONDS - start)) s"
}

has_internet() { curl -fsS -m 5 -o /dev/null https://temporal.download 2>/dev/null; }

# GOTOOLCHAIN=auto (unless set): a module that asks for a newer Go than the installed one (the UI
# server wants 1.26.10) gets that toolchain from the Go module proxy; Go's own go.env says "local".
go_build() { # name module version [gobin]
  local name=$1 module=$2 version=$3 gobin=${4:-$bin}
  command -v go >/dev/null || return 1
  run_with_progress "building $name $version with go install" "$cache/build-$name.log" \
    env GOBIN="$gobin" GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" \
    go install "$module@$version"
}

resolve_temporal() {
  if [[ -n ${TEMPORAL_CLI_PATH:-} ]]; then
    [[ -x $TEMPORAL_CLI_PATH ]] || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable"
    echo "$TEMPORAL_CLI_PATH"; return
  fi
  local found
  if found=$(command -v temporal 2>/dev/null) && "$found" --version 2>/dev/null | grep -q 'Server 1\.'; then
    echo "$found"; return
  fi
  if [[ ! -x $bin/temporal ]]; then
    if ! go_build temporal github.com/temporalio/cli/cmd/temporal "$TEMPORAL_CLI_VERSION"; then
      if has_internet; then say "temporal: no Go toolchain; the SDK will download the dev server"; echo sdk-download; return; fi
      die "cannot get the Temporal CLI: install Go >= 1.23 (it builds github.com/temporalio/cli $TEMPORAL_CLI_VERSION), or put 'temporal' on the PATH, or set TEMPORAL_CLI_PATH"
    fi
  fi
  echo "$bin/temporal"
}

resolve_stripe_mock() {
  if [[ -n ${STRIPE_MOCK_PATH:-} ]]; then
    [[ -x $STRIPE_MOCK_PATH ]] || die "STRIPE_MOCK_PATH=$STRIPE_MOCK_PATH is not an executable"
    echo "$STRIPE_MOCK_PATH"; return
  fi
  local found
  if found=$(command -v stripe-mock 2>/dev/null); then echo "$found"; return; fi
  if [[ ! -x $bin/stripe-mock ]]; then
    go_build stripe-mock github.com/stripe/stripe-mock "$STRIPE_MOCK_VERSION" ||
      die "cannot get stripe-mock: install Go >= 1.21 (it builds github.com/stripe/stripe-mock $STRIPE_MOCK_VERSION), or put 'stripe-mock' on the PATH, or set STRIPE_MOCK_PATH"
  fi
  echo "$bin/stripe-mock"
}

# Prints nothing when the UI server cannot be had: it is not worth stopping `npm start` for.
resolve_temporal_ui_server() {
  if [[ -n ${TEMPORAL_UI_SERVER_PATH:-} ]]; then
    [[ -x $TEMPORAL_UI_SERVER_PATH ]] || die "TEMPORAL_UI_SERVER_PATH=$TEMPORAL_UI_SERVER_PATH is not an executable"
    echo "$TEMPORAL_UI_SERVER_PATH"; return
  fi
  local found
  if found=$(command -v temporal-ui-server 2>/dev/null) && "$found" --version 2>/dev/null | grep -q 'Temporal UI'; then
    echo "$found"; return
  fi
  # Rebuilt when the pinned version moves, so every clone serves the UI whose config it writes.
  if ! "$bin/temporal-ui-server" --version 2>/dev/null | grep -qx "Temporal UI version ${TEMPORAL_UI_SERVER_VERSION#v}"; then
    # go install names the binary after its package directory (`server`): build aside, then rename.
    local staging="$cache/gobin-temporal-ui-server"
    rm -rf "$staging"
    if ! go_build temporal-ui-server github.com/temporalio/ui-server/v2/cmd/server "$TEMPORAL_UI_SERVER_VERSION" "$staging"; then
      say "WARNING: could not build the Temporal UI server (needs Go and the Go module proxy; see $cache/build-temporal-ui-server.log)"
      say "         npm start falls back to the dev server's own UI, whose write actions are ON; or set TEMPORAL_UI_SERVER_PATH"
      return
    fi
    mv "$staging/server" "$bin/temporal-ui-server" && rm -rf "$staging"
  fi
  echo "$bin/temporal-ui-server"
}

resolve_test_server() {
  if [[ -n ${TEMPORAL_TEST_SERVER_PATH:-} ]]; then
    [[ -x $TEMPORAL_TEST_SERVER_PATH ]] || die "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not an executable"
    echo "$TEMPORAL_TEST_SERVER_PATH"; return
  fi
  local found
  if found=$(command -v temporal-test-server 2>/dev/null); then echo "$found"; return; fi
  local dir="$cache/test-server-$TEST_SERVER_VERSION"
  local wrapper="$dir/temporal-test-server"
  if [[ ! -x $wrapper ]]; then
    if command -v java >/dev/null && command -v mvn >/dev/null; then
      run_with_progress "fetching io.temporal:temporal-test-server:$TEST_SERVER_VERSION from Maven Central" \
        "$cache/build-test-server.log" \
        mvn -B -q -f "$repo/scripts/tools/test-server.pom.xml" -DtestServerVersion="$TEST_SERVER_VERSION" \
        dependency:copy-dependencies -DoutputDirectory="$dir/lib" ||
        die "could not fetch the time-skipping test server with Maven (see $cache/build-test-server.log)"
      # exec: the SDK stops the server by signalling its direct child, so the JVM must be that child.
      cat >"$wrapper.tmp" <<WRAP
#!/bin/sh
exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$dir/lib/*" io.temporal.testserver.TestServer "\$@"
WRAP
      chmod +x "$wrapper.tmp" && mv "$wrapper.tmp" "$wrapper"
    elif has_internet; then
      say "temporal-test-server: no JDK + Maven; the SDK will download the test server"; echo sdk-download; return
    else
      die "cannot get the time-skipping test server: install a JDK >= 11 and Maven, or set TEMPORAL_TEST_SERVER_PATH"
    fi
  fi
  echo "$wrapper"
}

temporal=$(resolve_temporal)
stripe_mock=$(resolve_stripe_mock)
test_server=$(resolve_test_server)
temporal_ui_server=$(resolve_temporal_ui_server)
ui_server_json=null
[[ -z $temporal_ui_server ]] || ui_server_json="\"$temporal_ui_server\""

cat >"$repo/.tools.json.tmp" <<JSON
{
  "temporal": "$temporal",
  "temporalTestServer": "$test_server",
  "stripeMock": "$stripe_mock",
  "temporalUiServer": $ui_server_json
}
JSON
mv "$repo/.tools.json.tmp" "$repo/.tools.json"
say "temporal: $temporal"
say "temporal-test-server: $test_server"
say "stripe-mock: $stripe_mock"
say "temporal-ui-server: ${temporal_ui_server:-none (the dev server UI, with write actions, stands in)}"
