#!/usr/bin/env bash
# The real servers the test suite runs against, on loopback:
#   FerretDB (a MongoDB wire-protocol server in Go, over SQLite), built once from the Go module
#   proxy and kept in the Go build cache, so a second run starts at once;
#   Redis (Debian's redis-server), for the job queue's Redis mode.
#
#   scripts/test_servers.sh start DIR   start both, data under DIR; prints the variables to export
#   scripts/test_servers.sh stop DIR    stop them
#
# TEST_MONGODB_URI makes every store-parametrised test run over the wire as well; TEST_REDIS_URL
# makes the job tests run on Redis as well as on the SQLite queue.
set -euo pipefail

FERRETDB_VERSION=v1.24.2
FERRETDB_PORT=${FERRETDB_PORT:-27117}
REDIS_PORT=${REDIS_PORT:-6390}

ferretdb_binary() {
  local cache bin src
  cache="$(go env GOCACHE)/igot-ferretdb-$FERRETDB_VERSION"
  bin="$cache/ferretdb"
  if [ ! -x "$bin" ]; then
    mkdir -p "$cache"
    # The module's source, from the proxy. `go install ...@version` builds a binary that
    # refuses to start: FerretDB reads its version from build/version/version.txt, which its
    # release process writes and the module does not carry. So: the source, that one file, go build.
    src=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
    rm -rf "$cache/src"
    cp -r "$src" "$cache/src"
    chmod -R u+w "$cache/src"
    echo "$FERRETDB_VERSION" > "$cache/src/build/version/version.txt"
    (cd "$cache/src" && GOFLAGS=-buildvcs=false go build -o "$bin" ./cmd/ferretdb) >&2
    rm -rf "$cache/src"
  fi
  echo "$bin"
}

wait_for_port() {
  python3 - "$1" "$2" <<'PY'
import socket, sys, time
port, name = int(sys.argv[1]), sys.argv[2]
deadline = time.time() + 60
while time.time() < deadline:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(f"{name} did not start on port {port}")
PY
}

start() {
  local dir=$1 bin
  mkdir -p "$dir/ferretdb/data" "$dir/ferretdb/state"
  bin=$(ferretdb_binary)
  "$bin" --handler=sqlite --sqlite-url="file:$dir/ferretdb/data/" --listen-addr="127.0.0.1:$FERRETDB_PORT" \
    --state-dir="$dir/ferretdb/state" --debug-addr=- --telemetry=disable --log-level=warn \
    > "$dir/ferretdb/log" 2>&1 &
  echo $! > "$dir/ferretdb.pid"
  wait_for_port "$FERRETDB_PORT" FerretDB
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" > /dev/null
  wait_for_port "$REDIS_PORT" Redis
  echo "export TEST_MONGODB_URI=mongodb://127.0.0.1:$FERRETDB_PORT/"
  echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

stop() {
  local dir=$1 pidfile
  for pidfile in "$dir/ferretdb.pid" "$dir/redis.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2> /dev/null || true
  done
}

"$@"
