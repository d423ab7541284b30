#!/usr/bin/env bash
# Real Redis and Elasticsearch for the services tests (test/services/), on 127.0.0.1 only.
#
#   scripts/services.sh start [redis|elasticsearch]   start (idempotent) and print the env lines
#   scripts/services.sh stop  [redis|elasticsearch]   stop what this script started
#                                                     (AIGW_SERVICES_STOP_SIGNAL=KILL: a crash, for tests)
#   scripts/services.sh env                           print the env lines of the running services
#   scripts/services.sh status                        one line per service on stderr; exit 1 if one is down
#
# stdout carries only `export AIGW_TEST_…=…` lines, so `eval "$(scripts/services.sh start)"` works
# (.ci/run does that); progress and logs go to stderr and to files in the run folder.
#
# Redis: Debian's redis-server (installed with apt-get when missing), a daemon with no persistence.
# Elasticsearch: the Maven Central integ-test-zip (no bundled JDK, few modules: small and quick to
# start), fetched once with mvn into .cache/services/ (CI caches that folder), run with the machine's
# Java 17+ as a non-root user (Elasticsearch refuses root), single node, security off, 512 MB heap.
#
# Settings (environment): AIGW_REDIS_PORT (6390), AIGW_ES_PORT (9250), AIGW_ES_VERSION (8.19.2),
# AIGW_SERVICES_CACHE (<repo>/.cache/services), AIGW_SERVICES_RUN (/tmp/aigw-services-<uid>),
# AIGW_ES_START_TIMEOUT (120 seconds), ES_JAVA_HOME (derived from `java` on PATH).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${AIGW_SERVICES_CACHE:-$ROOT/.cache/services}"
RUN="${AIGW_SERVICES_RUN:-/tmp/aigw-services-$(id -u)}"
REDIS_PORT_DEFAULT="${AIGW_REDIS_PORT:-6390}"
ES_PORT_DEFAULT="${AIGW_ES_PORT:-9250}"
ES_VERSION="${AIGW_ES_VERSION:-8.19.2}"
ES_START_TIMEOUT="${AIGW_ES_START_TIMEOUT:-120}"
ES_USER="aigw-es"
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: ERROR: %s\n' "$*" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# First port from $1 upwards that nothing listens on (10 tries).
free_port() {
  local port="$1" tries=0
  while port_in_use "$port"; do
    port=$((port + 1)); tries=$((tries + 1))
    [ "$tries" -lt 10 ] || die "no free port in $1..$port"
  done
  printf '%s\n' "$port"
}

saved_port() { [ -s "$RUN/$1.port" ] && cat "$RUN/$1.port" || true; }

# ---------------------------------------------------------------------------------------- Redis

redis_cli_ping() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }

redis_healthy() {
  local port; port="$(saved_port redis)"
  [ -n "$port" ] && command -v redis-cli >/dev/null && redis_cli_ping "$port"
}

install_redis() {
  command -v redis-server >/dev/null && return 0
  log "redis-server missing: installing Debian's redis-server"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "redis-server is not installed and this user cannot apt-get install it (no sudo)"
    sudo="sudo -n"
  fi
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server; } >&2 \
    || die "apt-get install redis-server failed"
}

start_redis() {
  if redis_healthy; then log "redis already running on $(saved_port redis)"; return 0; fi
  install_redis
  local port; port="$(saved_port redis)"
  if [ -z "$port" ] || port_in_use "$port"; then port="$(free_port "$REDIS_PORT_DEFAULT")"; fi
  mkdir -p "$RUN/redis"
  # No RDB snapshots, no AOF: test counters only; a restart starts empty.
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --dir "$RUN/redis" --pidfile "$RUN/redis.pid" --logfile "$RUN/redis.log" >&2 \
    || die "redis-server did not start; see $RUN/redis.log"
  printf '%s\n' "$port" >"$RUN/redis.port"
  local waited=0
  until redis_cli_ping "$port"; do
    sleep 0.1; waited=$((waited + 1))
    [ "$waited" -lt 100 ] || { tail -n 30 "$RUN/redis.log" >&2 || true; die "redis did not answer PING within 10 s"; }
  done
  log "redis ready on 127.0.0.1:$port"
}

stop_redis() {
  local port; port="$(saved_port redis)"
  if [ -n "$port" ] && redis_cli_ping "$port"; then
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    local waited=0
    while redis_cli_ping "$port" && [ "$waited" -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
    redis_cli_ping "$port" || { rm -f "$RUN/redis.pid"; log "redis stopped"; return 0; }
  fi
  stop_pid "$RUN/redis.pid" redis
}

# -------------------------------------------------------------------------------- Elasticsearch

es_url() { printf 'http://127.0.0.1:%s' "$1"; }

es_healthy() {
  local port; port="$(saved_port es)"
  [ -n "$port" ] && curl -fsS --max-time 2 "$(es_url "$port")/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1
}

java_home() {
  if [ -n "${ES_JAVA_HOME:-}" ]; then printf '%s\n' "$ES_JAVA_HOME"; return; fi
  local java; java="$(command -v java)" || die "no java on PATH: Elasticsearch 8 needs Java 17+ (apt-get install openjdk-17-jre-headless)"
  dirname "$(dirname "$(readlink -f "$java")")"
}

check_java() {
  local home="$1" version major
  [ -x "$home/bin/java" ] || die "ES_JAVA_HOME=$home has no bin/java"
  version="$("$home/bin/java" -version 2>&1 | head -n 1 | sed -E 's/.*version "([^"]+)".*/\1/')"
  major="${version%%.*}"
  [ "$major" -ge 17 ] 2>/dev/null || die "Java $version at $home: Elasticsearch 8 needs 17 or newer (set ES_JAVA_HOME)"
}

# Downloads and unzips once; later runs reuse the folder (no repeated unzip).
es_home() {
  local home="$CACHE/elasticsearch-$ES_VERSION"
  if [ -x "$home/bin/elasticsearch" ]; then printf '%s\n' "$home"; return; fi
  command -v mvn >/dev/null || die "mvn is needed once to fetch $ES_ARTIFACT"
  mkdir -p "$CACHE/downloads"
  local zip="$CACHE/downloads/elasticsearch-$ES_VERSION.zip"
  if [ ! -s "$zip" ]; then
    log "fetching $ES_ARTIFACT from Maven Central (once; cached in $CACHE)"
    (cd "$CACHE/downloads" && mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$CACHE/downloads" -Dmdep.overWriteReleases=true) >&2 \
      || die "mvn could not fetch $ES_ARTIFACT"
  fi
  local staging="$CACHE/.unzip-$$"
  rm -rf "$staging" && mkdir -p "$staging"
  unzip -q "$zip" -d "$staging" || die "unzip of $zip failed"
  mv "$staging/elasticsearch-$ES_VERSION" "$home" && rm -rf "$staging"
  printf '%s\n' "$home"
}

# Elasticsearch refuses to run as root: as root, run it as a system user that owns its folders.
ensure_es_user() {
  id "$ES_USER" >/dev/null 2>&1 && return 0
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER" >&2 \
    || die "could not create the system user $ES_USER"
}

as_es_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$ES_USER" -- "$@"; else "$@"; fi
}

start_es() {
  if es_healthy; then log "elasticsearch already running on $(saved_port es)"; return 0; fi
  local java home port state
  java="$(java_home)"; check_java "$java"
  home="$(es_home)"
  port="$(saved_port es)"
  if [ -z "$port" ] || port_in_use "$port"; then port="$(free_port "$ES_PORT_DEFAULT")"; fi
  state="$RUN/es"
  mkdir -p "$state/data" "$state/logs" "$state/tmp"
  # A private config folder keeps the cached distribution pristine (and readable by any user).
  if [ ! -f "$state/config/elasticsearch.yml" ]; then
    rm -rf "$state/config" && cp -R "$home/config" "$state/config"
    : >"$state/config/elasticsearch.yml"
  fi
  if [ "$(id -u)" -eq 0 ]; then
    ensure_es_user
    chown -R "$ES_USER" "$home" "$state"
    chmod 755 "$RUN"
    if ! runuser -u "$ES_USER" -- test -x "$home/bin/elasticsearch"; then
      # A checkout under a private folder (e.g. /root): run a copy from the world-traversable run folder.
      log "$ES_USER cannot reach $home; running a copy from $RUN"
      if [ ! -x "$RUN/elasticsearch-$ES_VERSION/bin/elasticsearch" ]; then
        rm -rf "$RUN/elasticsearch-$ES_VERSION" && cp -R "$home" "$RUN/elasticsearch-$ES_VERSION"
      fi
      home="$RUN/elasticsearch-$ES_VERSION"
      chown -R "$ES_USER" "$home"
      runuser -u "$ES_USER" -- test -x "$home/bin/elasticsearch" || die "$ES_USER cannot run $home/bin/elasticsearch"
    fi
  fi
  printf '%s\n' "$port" >"$RUN/es.port"
  rm -f "$state/es.pid"
  log "starting elasticsearch $ES_VERSION on 127.0.0.1:$port (Java at $java)"
  local started=$SECONDS
  # Loopback binding keeps Elasticsearch in development mode (no production bootstrap checks).
  as_es_user env ES_JAVA_HOME="$java" ES_PATH_CONF="$state/config" ES_TMPDIR="$state/tmp" \
    ES_JAVA_OPTS="-Xms512m -Xmx512m" \
    "$home/bin/elasticsearch" -d -p "$state/es.pid" \
    -Ecluster.name=aigw-test -Enode.name=aigw-test -Ediscovery.type=single-node \
    -Enetwork.host=127.0.0.1 -Ehttp.port="$port" -Etransport.port="$((port + 50))" \
    -Epath.data="$state/data" -Epath.logs="$state/logs" \
    -Expack.security.enabled=false -Ecluster.routing.allocation.disk.threshold_enabled=false \
    -Eaction.destructive_requires_name=false \
    >"$state/startup.log" 2>&1 </dev/null \
    || { tail -n 40 "$state/startup.log" >&2 || true; die "elasticsearch failed to start"; }
  local deadline=$((started + ES_START_TIMEOUT))
  until es_healthy; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "elasticsearch not healthy after ${ES_START_TIMEOUT}s; last log lines:"
      tail -n 40 "$state/logs/aigw-test.log" >&2 2>/dev/null || tail -n 40 "$state/startup.log" >&2 || true
      stop_es
      die "elasticsearch did not become healthy"
    fi
    if [ -s "$state/es.pid" ] && ! kill -0 "$(cat "$state/es.pid")" 2>/dev/null; then
      tail -n 40 "$state/logs/aigw-test.log" >&2 2>/dev/null || tail -n 40 "$state/startup.log" >&2 || true
      die "elasticsearch exited during startup"
    fi
    sleep 1
  done
  log "elasticsearch ready on $(es_url "$port") after $((SECONDS - started))s"
}

stop_es() { stop_pid "$RUN/es/es.pid" elasticsearch; }

# Sends TERM (or AIGW_SERVICES_STOP_SIGNAL, e.g. KILL for crash tests), waits up to 30 s, then
# KILL; the pid file is removed.
stop_pid() {
  local file="$1" name="$2" pid waited=0
  [ -s "$file" ] || { log "$name: not running (no pid file)"; return 0; }
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "-${AIGW_SERVICES_STOP_SIGNAL:-TERM}" "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
      sleep 0.2; waited=$((waited + 1))
      if [ "$waited" -ge 150 ]; then kill -9 "$pid" 2>/dev/null || true; break; fi
    done
    log "$name stopped (pid $pid)"
  fi
  rm -f "$file"
}

# ------------------------------------------------------------------------------------- commands

print_env() {
  local ok=0
  if redis_healthy; then printf 'export AIGW_TEST_REDIS_URL=redis://127.0.0.1:%s\n' "$(saved_port redis)"; else ok=1; fi
  if es_healthy; then printf 'export AIGW_TEST_ES_URL=%s\n' "$(es_url "$(saved_port es)")"; else ok=1; fi
  return "$ok"
}

wants() { [ -z "$2" ] || [ "$2" = "$1" ]; }

main() {
  local command="${1:-}" only="${2:-}"
  case "$only" in ''|redis|elasticsearch) ;; *) die "unknown service '$only' (redis|elasticsearch)";; esac
  mkdir -p "$RUN"
  case "$command" in
    start)
      if wants redis "$only"; then start_redis; fi
      if wants elasticsearch "$only"; then start_es; fi
      print_env || [ -n "$only" ]
      ;;
    stop)
      if wants redis "$only"; then stop_redis; fi
      if wants elasticsearch "$only"; then stop_es; fi
      ;;
    env) print_env ;;
    status)
      local code=0
      if redis_healthy; then log "redis: up on $(saved_port redis)"; else log "redis: down"; code=1; fi
      if es_healthy; then log "elasticsearch: up on $(saved_port es)"; else log "elasticsearch: down"; code=1; fi
      return "$code"
      ;;
    *) die "usage: scripts/services.sh start|stop|env|status [redis|elasticsearch]" ;;
  esac
}

main "$@"
