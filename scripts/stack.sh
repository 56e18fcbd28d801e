#!/usr/bin/env bash
# Local infrastructure for Reverie development: a real Apache Kafka broker and a MongoDB-wire server.
#
#   scripts/stack.sh up              start both (idempotent); prints KAFKA_BROKERS=... and MONGO_URL=...
#   scripts/stack.sh down [--clean]  stop what `up` started; --clean also wipes the data
#   scripts/stack.sh clean           same as `down --clean`
#   scripts/stack.sh status          running or not, pid and address of each (exit 3 if one is down)
#   scripts/stack.sh stop kafka|mongo     stop one service, data kept (fault injection, maintenance)
#   scripts/stack.sh kill kafka|mongo     SIGKILL one service, as a crash would (data kept)
#   scripts/stack.sh start kafka|mongo    start one service again, waits until it answers
#   scripts/stack.sh restart kafka|mongo  stop, then start
# Run them with the same environment as `up` (ports, REVERIE_STACK_DIR): they act on that stack only.
#
# Two ways to run, chosen automatically:
#   docker  when a Docker engine answers (`docker info`): docker compose -f docker/compose.yaml
#           (apache/kafka:3.9.1 single-node KRaft, mongo:7 single-node replica set).
#   local   otherwise: Kafka 3.9.1 and mongo-java-server 1.47.0 fetched once from Maven Central
#           with Maven into $REVERIE_STACK_CACHE (default ~/.cache/reverie-stack) and run on this
#           machine's Java (11+) on 127.0.0.1. Both keep their data in $REVERIE_STACK_DIR across
#           `down`/`up` and restarts until `down --clean` (Mongo: mongo-java-server's H2 backend,
#           one file $REVERIE_STACK_DIR/mongo/data.mv.db; MONGO_BACKEND=memory keeps it in memory).
#
# Environment:
#   REVERIE_STACK_MODE     local | docker (default: docker if an engine answers, else local)
#   KAFKA_PORT             client port (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller port, local mode only (default 9093)
#   KAFKA_SASL_PORT        also a SASL_PLAINTEXT listener on this port, local mode only (default
#                          none): mechanism PLAIN, user `reverie`, password `reverie-local`; to try
#                          KAFKA_SASL_* against a real broker
#   MONGO_PORT             MongoDB port (default 27017)
#   REVERIE_STACK_DIR      pid files, logs and data (default <repo>/.stack)
#   REVERIE_STACK_CACHE    downloaded jars, shared by every clone (default ~/.cache/reverie-stack)
#   REVERIE_STACK_TIMEOUT  seconds to wait for each service to become ready (default 90)
#   MONGO_BACKEND          h2 (default: data on disk, kept across restarts) | memory (faster, gone on stop);
#                          local mode only
#   KAFKA_HEAP_OPTS, MONGO_HEAP_OPTS  JVM heap flags (defaults -Xms256m -Xmx768m / -Xms64m -Xmx3g)
#
# Progress goes to stderr; stdout carries only the two KEY=value lines, so
#   eval "$(scripts/stack.sh up)"
# exports nothing else by accident.
set -euo pipefail

readonly KAFKA_VERSION=3.9.1
readonly MONGO_SERVER_VERSION=1.47.0

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_DIR
readonly STACK_SRC="$SCRIPT_DIR/stack"
readonly COMPOSE_FILE="$REPO_DIR/docker/compose.yaml"

readonly CACHE_DIR="${REVERIE_STACK_CACHE:-$HOME/.cache/reverie-stack}"
readonly STACK_DIR="${REVERIE_STACK_DIR:-$REPO_DIR/.stack}"
readonly KAFKA_PORT="${KAFKA_PORT:-9092}"
readonly KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
readonly KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-}"
readonly MONGO_PORT="${MONGO_PORT:-27017}"
readonly READY_TIMEOUT="${REVERIE_STACK_TIMEOUT:-90}"
readonly MONGO_BACKEND="${MONGO_BACKEND:-h2}"
readonly HOST=127.0.0.1

readonly KAFKA_STOP_TIMEOUT=45
readonly MONGO_STOP_TIMEOUT=15

JAVA=java
KAFKA_LIB=""
MONGO_LIB=""
MONGO_CP=""
MONGO_MAIN=()
KAFKA_START_OFFSET=0 # size of kafka server.log before this start (readiness reads only newer lines)

# ---------------------------------------------------------------------------------------------
# small helpers

usage() {
  echo "usage: scripts/stack.sh up | down [--clean] | clean | status | stop|kill|start|restart kafka|mongo" >&2
}

say() { printf '%s\n' "$*" >&2; }

die() {
  printf 'stack: %s\n' "$*" >&2
  exit 1
}

now_ms() { date +%s%3N; }

# elapsed START_MS -> "4.1s"
elapsed() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1fs", (b - a) / 1000 }'; }

# Last lines of a log file, indented, on stderr.
show_tail() {
  local file=$1 lines=${2:-25}
  if [[ -s $file ]]; then
    say "---- last $lines lines of $file ----"
    tail -n "$lines" "$file" | sed 's/^/  /' >&2
    say "----"
  fi
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  local port=$1
  (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null
}

check_port_number() {
  local name=$1 value=$2
  if ! [[ $value =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
    die "$name must be a TCP port number, got '$value'"
  fi
}

validate_env() {
  check_port_number KAFKA_PORT "$KAFKA_PORT"
  check_port_number KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
  [[ -z $KAFKA_SASL_PORT ]] || check_port_number KAFKA_SASL_PORT "$KAFKA_SASL_PORT"
  check_port_number MONGO_PORT "$MONGO_PORT"
  [[ $READY_TIMEOUT =~ ^[0-9]+$ ]] || die "REVERIE_STACK_TIMEOUT must be a number of seconds, got '$READY_TIMEOUT'"
  [[ $KAFKA_PORT != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
  [[ $MONGO_BACKEND == h2 || $MONGO_BACKEND == memory ]] || die "MONGO_BACKEND must be 'h2' or 'memory', got '$MONGO_BACKEND'"
}

print_endpoints() {
  local kafka_port=$1 mongo_port=$2
  printf 'KAFKA_BROKERS=%s:%s\n' "$HOST" "$kafka_port"
  printf 'MONGO_URL=mongodb://%s:%s\n' "$HOST" "$mongo_port"
}

# ---------------------------------------------------------------------------------------------
# mode selection

docker_engine_up() {
  command -v docker >/dev/null 2>&1 || return 1
  if command -v timeout >/dev/null 2>&1; then
    timeout 15 docker info >/dev/null 2>&1
  else
    docker info >/dev/null 2>&1
  fi
}

stack_mode() {
  case "${REVERIE_STACK_MODE:-}" in
    local) echo local ;;
    docker)
      docker_engine_up || die "REVERIE_STACK_MODE=docker but no Docker engine answers 'docker info'"
      echo docker
      ;;
    "" | auto) if docker_engine_up; then echo docker; else echo local; fi ;;
    *) die "REVERIE_STACK_MODE must be 'local' or 'docker', got '$REVERIE_STACK_MODE'" ;;
  esac
}

# =============================================================================================
# docker mode

compose() {
  KAFKA_PORT=$KAFKA_PORT MONGO_PORT=$MONGO_PORT docker compose -f "$COMPOSE_FILE" "$@"
}

docker_service_running() {
  [[ -n $(compose ps --status running --quiet "$1" 2>/dev/null) ]]
}

docker_up() {
  docker compose version >/dev/null 2>&1 || die "the 'docker compose' plugin is missing (or use REVERIE_STACK_MODE=local)"
  local service port var
  for service in kafka mongo; do
    if [[ $service == kafka ]]; then port=$KAFKA_PORT var=KAFKA_PORT; else port=$MONGO_PORT var=MONGO_PORT; fi
    if ! docker_service_running "$service" && port_open "$port"; then
      die "port $port ($service) is already in use by something else; set $var=<free port> to use another"
    fi
  done
  say "starting kafka and mongo with docker compose ($COMPOSE_FILE)…"
  local start
  start=$(now_ms)
  if ! compose up -d --wait --wait-timeout "$READY_TIMEOUT" >&2; then
    compose logs --tail 30 >&2 || true
    die "docker compose did not get kafka and mongo healthy within ${READY_TIMEOUT}s (see the logs above)"
  fi
  say "kafka ready on $HOST:$KAFKA_PORT, mongo ready on $HOST:$MONGO_PORT ($(elapsed "$start"))"
  print_endpoints "$KAFKA_PORT" "$MONGO_PORT"
}

docker_down() {
  local clean=$1
  if [[ $clean == yes ]]; then
    say "removing the docker stack and its volumes…"
    compose down --volumes --remove-orphans >&2
  else
    say "stopping the docker stack (volumes kept)…"
    compose down --remove-orphans >&2
  fi
  say "stack stopped"
}

# docker_service ACTION SERVICE: stop | kill | start | restart one compose service.
docker_service() {
  local action=$1 service=$2
  case "$action" in
    stop) compose stop "$service" >&2 ;;
    kill) compose kill "$service" >&2 ;;
    start | restart)
      [[ $action == restart ]] && compose stop "$service" >&2
      compose up -d --wait --wait-timeout "$READY_TIMEOUT" "$service" >&2 ||
        die "docker compose did not get $service healthy within ${READY_TIMEOUT}s"
      ;;
  esac
}

docker_status() {
  compose ps >&2
  docker_service_running kafka && docker_service_running mongo
}

# =============================================================================================
# local mode: Java, jars from Maven Central

pid_file() { echo "$STACK_DIR/$1.pid"; }
port_file() { echo "$STACK_DIR/$1.port"; }

# pid of our running NAME (kafka|mongo), or nothing. A pid file whose process is gone, or whose
# pid now belongs to an unrelated process, is treated as stale.
running_pid() {
  local name=$1 file pid cmdline
  file=$(pid_file "$name")
  [[ -f $file ]] || return 0
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  if [[ -r /proc/$pid/cmdline ]]; then
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  else
    cmdline=$(ps -o args= -p "$pid" 2>/dev/null || true)
  fi
  # Every JVM we start carries -Dreverie.stack=<name>@<stack dir>.
  [[ $cmdline == *"-Dreverie.stack=$name@$STACK_DIR "* ]] && echo "$pid"
  return 0
}

recorded_port() {
  local file
  file=$(port_file "$1")
  if [[ -f $file ]]; then cat "$file"; else echo "$2"; fi
}

find_java() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    JAVA=$JAVA_HOME/bin/java
  elif command -v java >/dev/null 2>&1; then
    JAVA=java
  else
    die "Java 11+ is needed for the local stack (none found on PATH or in JAVA_HOME)"
  fi
  local version major
  version=$("$JAVA" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
  major=${version%%.*}
  [[ $major == 1 ]] && major=$(echo "$version" | cut -d. -f2)
  if ! [[ $major =~ ^[0-9]+$ ]] || ((major < 11)); then
    die "Java 11+ is needed for the local stack, found '$version' ($JAVA)"
  fi
}

# Short content hash of one file (independent of where the file lives).
hash_of() { sha256sum <"$1" | cut -c1-10; }

# fetch_jars NAME PROFILE LABEL VERSION_PROPERTY VERSION -> sets FETCHED_LIB
# Copies the runtime jars of Maven profile PROFILE of scripts/stack/pom.xml into
# $CACHE_DIR/NAME-VERSION-<pom hash>/lib, once: a later run (from any clone with the same pom) finds
# the .complete marker and does not run Maven at all. Fetches go to a temp dir that is renamed into
# place, so an interrupted or concurrent fetch never leaves a half-filled lib dir behind.
FETCHED_LIB=""
fetch_jars() {
  local name=$1 profile=$2 label=$3 prop=$4 version=$5
  local dest
  dest="$CACHE_DIR/$name-$version-$(hash_of "$STACK_SRC/pom.xml")"
  FETCHED_LIB="$dest/lib"
  [[ -f $dest/.complete ]] && return 0

  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed once to fetch the $label jars from Maven Central"
  say "fetching $label jars (first run only)…"
  mkdir -p "$CACHE_DIR"
  local tmp start
  tmp=$(mktemp -d "$CACHE_DIR/.fetch-$name.XXXXXX")
  start=$(now_ms)
  if ! mvn -q -B -f "$STACK_SRC/pom.xml" -P "$profile" "-D$prop=$version" \
    dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$tmp/lib" >"$tmp/mvn.log" 2>&1; then
    show_tail "$tmp/mvn.log" 30
    rm -rf "$tmp"
    die "could not fetch the $label jars with Maven (see above)"
  fi
  ls "$tmp"/lib/*.jar >/dev/null 2>&1 || { rm -rf "$tmp"; die "Maven copied no $label jars"; }
  date -u +%FT%TZ >"$tmp/.complete"
  [[ -d $dest && ! -f $dest/.complete ]] && rm -rf "$dest"
  mv -T "$tmp" "$dest" 2>/dev/null || rm -rf "$tmp" # a concurrent run may have won the race: fine
  [[ -f $dest/.complete ]] || die "could not install the $label jars into $dest"
  say "fetched $label jars into $dest ($(elapsed "$start"))"
}

prepare_local() {
  find_java
  fetch_jars kafka kafka "Kafka $KAFKA_VERSION" kafka.version "$KAFKA_VERSION"
  KAFKA_LIB=$FETCHED_LIB
  fetch_jars mongo-java-server mongo "mongo-java-server $MONGO_SERVER_VERSION" mongo.server.version "$MONGO_SERVER_VERSION"
  MONGO_LIB=$FETCHED_LIB

  # The launcher is compiled once per source version into the cache (falls back to Java's
  # single-file source launcher when there is no javac, i.e. a JRE only).
  local src="$STACK_SRC/MongoLauncher.java" javac classes
  javac=javac
  [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/javac ]] && javac=$JAVA_HOME/bin/javac
  if command -v "$javac" >/dev/null 2>&1; then
    classes="$CACHE_DIR/mongo-launcher-$(hash_of "$src")"
    if [[ ! -f $classes/MongoLauncher.class ]]; then
      local tmp
      tmp=$(mktemp -d "$CACHE_DIR/.launcher.XXXXXX")
      "$javac" -nowarn -d "$tmp" -cp "$MONGO_LIB/*" "$src" >&2 || { rm -rf "$tmp"; die "could not compile $src"; }
      mv -T "$tmp" "$classes" 2>/dev/null || rm -rf "$tmp"
    fi
    MONGO_CP="$MONGO_LIB/*:$classes"
    MONGO_MAIN=(MongoLauncher)
  else
    MONGO_CP="$MONGO_LIB/*"
    MONGO_MAIN=("$src")
  fi
}

# ---------------------------------------------------------------------------------------------
# local mode: starting

# Fails with one clear line when PORT is taken by something that is not ours.
require_free_port() {
  local port=$1 what=$2 var=$3
  if port_open "$port"; then
    die "port $port ($what) is already in use by another process, not by this stack; set $var=<free port> to use another (e.g. $var=$((port + 10000)) scripts/stack.sh up)"
  fi
}

render_kafka_config() {
  local out=$1 tpl
  tpl=$(<"$STACK_SRC/kafka/server.properties")
  tpl=${tpl//@KAFKA_PORT@/$KAFKA_PORT}
  tpl=${tpl//@KAFKA_CONTROLLER_PORT@/$KAFKA_CONTROLLER_PORT}
  tpl=${tpl//@KAFKA_LOG_DIR@/$STACK_DIR/kafka/data}
  printf '%s\n' "$tpl" >"$out"
  [[ -n $KAFKA_SASL_PORT ]] || return 0
  # A second client listener with SASL PLAIN (the inter-broker and controller ones stay as they are).
  sed -i \
    -e "s|^listeners=PLAINTEXT://\(.*\)$|listeners=PLAINTEXT://\1,SASL_PLAINTEXT://$HOST:$KAFKA_SASL_PORT|" \
    -e "s|^advertised.listeners=\(.*\)$|advertised.listeners=\1,SASL_PLAINTEXT://$HOST:$KAFKA_SASL_PORT|" \
    -e "s|^listener.security.protocol.map=\(.*\)$|listener.security.protocol.map=\1,SASL_PLAINTEXT:SASL_PLAINTEXT|" \
    "$out"
  cat >>"$out" <<'PROPS'

# --- SASL PLAIN on the second listener (KAFKA_SASL_PORT): local trials only ---
sasl.enabled.mechanisms=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_reverie="reverie-local";
PROPS
}

new_cluster_id() {
  # A Kafka cluster id is 16 random bytes in URL-safe base64 without padding (22 characters).
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ $id != -* ]] && break # would look like an option on a command line
  done
  echo "$id"
}

kafka_java_opts() {
  local dir=$1
  # shellcheck disable=SC2206 # KAFKA_HEAP_OPTS is a list of flags on purpose
  KAFKA_OPTS_ARRAY=(
    ${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -Djava.awt.headless=true
    -Dlog4j.configuration="file:$dir/log4j.properties"
    -Dkafka.logs.dir="$dir/logs"
  )
}

# Starts a background process detached from this shell (new session when setsid exists, so a
# Ctrl-C in the terminal that ran `up` does not reach it); prints its pid.
spawn() {
  local log=$1
  shift
  if command -v setsid >/dev/null 2>&1; then
    nohup setsid "$@" >"$log" 2>&1 </dev/null &
  else
    nohup "$@" >"$log" 2>&1 </dev/null &
  fi
  echo $!
}

start_kafka() {
  local dir="$STACK_DIR/kafka"
  mkdir -p "$dir/data" "$dir/logs"

  render_kafka_config "$dir/server.properties"
  cp "$STACK_SRC/kafka/log4j.properties" "$dir/log4j.properties"
  local -a KAFKA_OPTS_ARRAY
  kafka_java_opts "$dir"

  if [[ ! -f $dir/data/meta.properties ]]; then
    [[ -s $dir/cluster.id ]] || new_cluster_id >"$dir/cluster.id"
    say "formatting kafka storage in $dir/data (first start only)…"
    if ! "$JAVA" -Xmx256m -Dlog4j.configuration="file:$dir/log4j.properties" -Dkafka.logs.dir="$dir/logs" \
      -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format --ignore-formatted \
      -t "$(<"$dir/cluster.id")" -c "$dir/server.properties" >"$dir/logs/format.log" 2>&1; then
      show_tail "$dir/logs/format.log"
      die "kafka storage format failed (log: $dir/logs/format.log)"
    fi
  fi

  # Remember how far server.log had got, so the readiness check only reads this start's lines.
  local log="$dir/logs/server.log" offset=0
  [[ -f $log ]] && offset=$(stat -c %s "$log")

  say "starting kafka $KAFKA_VERSION…"
  local pid
  pid=$(spawn "$dir/logs/stdout.log" "$JAVA" "-Dreverie.stack=kafka@$STACK_DIR" "${KAFKA_OPTS_ARRAY[@]}" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$dir/server.properties")
  echo "$pid" >"$(pid_file kafka)"
  echo "$KAFKA_PORT" >"$(port_file kafka)"
  KAFKA_START_OFFSET=$offset
}

kafka_started() {
  local log="$STACK_DIR/kafka/logs/server.log" size
  [[ -f $log ]] || return 1
  size=$(stat -c %s "$log")
  ((size >= KAFKA_START_OFFSET)) || KAFKA_START_OFFSET=0 # the log was rolled over meanwhile
  tail -c +"$((KAFKA_START_OFFSET + 1))" "$log" | grep 'Kafka Server started' >/dev/null # no -q: an early exit would SIGPIPE tail under pipefail
}

start_mongo() {
  local dir="$STACK_DIR/mongo"
  mkdir -p "$dir"
  local -a data=()
  [[ $MONGO_BACKEND == h2 ]] && data=("$dir/data.mv.db")
  say "starting mongo (mongo-java-server $MONGO_SERVER_VERSION, $MONGO_BACKEND backend)…"
  local pid
  # The server keeps every database in this heap: tests and benchmarks fill it, and a full heap
  # leaves the port open but unanswered.
  # shellcheck disable=SC2086 # MONGO_HEAP_OPTS is a list of flags on purpose
  pid=$(spawn "$dir/mongo.log" "$JAVA" "-Dreverie.stack=mongo@$STACK_DIR" ${MONGO_HEAP_OPTS:--Xms64m -Xmx3g} \
    -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dorg.slf4j.simpleLogger.showDateTime=true "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS" \
    -Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire=warn \
    -Dorg.slf4j.simpleLogger.log.io.netty=warn \
    -cp "$MONGO_CP" "${MONGO_MAIN[@]}" "$HOST" "$MONGO_PORT" "${data[@]}")
  echo "$pid" >"$(pid_file mongo)"
  echo "$MONGO_PORT" >"$(port_file mongo)"
}

mongo_started() {
  grep -q 'mongo-java-server ready on' "$STACK_DIR/mongo/mongo.log" 2>/dev/null
}

# wait_ready NAME PORT CHECK START_MS LOG [MORE_LOGS...]: the tails of all logs are shown on failure.
# Whether PID (a child this script spawned) still runs: alive and not a zombie.
spawned_alive() {
  local pid=$1 state
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)
  [[ $state != Z ]]
}

wait_ready() {
  local name=$1 port=$2 check=$3 start=$4 log=$5
  shift 4
  local -a logs=("$@")
  local f
  local deadline=$((SECONDS + READY_TIMEOUT))
  # The pid we just spawned, judged by being alive: until nohup/setsid have exec'd into java its
  # command line is still this script's, which running_pid would take for a stale pid file (a
  # loaded machine once failed a restart that way with an empty log).
  local spawned
  spawned=$(<"$(pid_file "$name")")
  while :; do
    if ! spawned_alive "$spawned"; then
      rm -f "$(pid_file "$name")" "$(port_file "$name")"
      for f in "${logs[@]}"; do show_tail "$f"; done
      die "$name exited during startup (log: $log)"
    fi
    if port_open "$port" && "$check"; then
      say "$name ready on $HOST:$port ($(elapsed "$start"))"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      for f in "${logs[@]}"; do show_tail "$f"; done
      die "$name did not become ready on $HOST:$port within ${READY_TIMEOUT}s (still running as pid $(running_pid "$name"); log: $log; 'scripts/stack.sh down' stops it)"
    fi
    sleep 0.25
  done
}

local_up() {
  validate_env
  mkdir -p "$STACK_DIR"
  local kafka_pid mongo_pid
  kafka_pid=$(running_pid kafka)
  mongo_pid=$(running_pid mongo)
  if [[ -n $kafka_pid && -n $mongo_pid ]]; then
    say "stack already running (kafka pid $kafka_pid, mongo pid $mongo_pid)"
    print_endpoints "$(recorded_port kafka "$KAFKA_PORT")" "$(recorded_port mongo "$MONGO_PORT")"
    return 0
  fi

  # Check every port before starting anything, so a conflict leaves nothing half-started.
  if [[ -z $kafka_pid ]]; then
    require_free_port "$KAFKA_PORT" "kafka" KAFKA_PORT
    require_free_port "$KAFKA_CONTROLLER_PORT" "kafka controller" KAFKA_CONTROLLER_PORT
  fi
  [[ -n $mongo_pid ]] || require_free_port "$MONGO_PORT" "mongo" MONGO_PORT

  prepare_local
  local start kafka_start=0 mongo_start=0
  start=$(now_ms)
  KAFKA_START_OFFSET=0
  # Start both, then wait for both: the two JVMs boot in parallel.
  if [[ -n $kafka_pid ]]; then
    say "kafka already running (pid $kafka_pid)"
  else
    rm -f "$(pid_file kafka)" "$(port_file kafka)"
    kafka_start=$(now_ms)
    start_kafka
  fi
  if [[ -n $mongo_pid ]]; then
    say "mongo already running (pid $mongo_pid)"
  else
    rm -f "$(pid_file mongo)" "$(port_file mongo)"
    mongo_start=$(now_ms)
    start_mongo
  fi
  [[ -n $mongo_pid ]] || wait_ready mongo "$MONGO_PORT" mongo_started "$mongo_start" "$STACK_DIR/mongo/mongo.log"
  [[ -n $kafka_pid ]] || wait_ready kafka "$KAFKA_PORT" kafka_started "$kafka_start" \
    "$STACK_DIR/kafka/logs/stdout.log" "$STACK_DIR/kafka/logs/server.log"
  say "stack up ($(elapsed "$start")); logs and data in $STACK_DIR"
  print_endpoints "$(recorded_port kafka "$KAFKA_PORT")" "$(recorded_port mongo "$MONGO_PORT")"
}

# ---------------------------------------------------------------------------------------------
# local mode: stopping and status

# signal_stop NAME: sends SIGTERM to our running NAME; prints its pid (nothing if not running).
signal_stop() {
  local name=$1 pid
  pid=$(running_pid "$name")
  if [[ -z $pid ]]; then
    if [[ -f $(pid_file "$name") ]]; then
      say "$name: not running (removing stale pid file)"
    else
      say "$name: not running"
    fi
    rm -f "$(pid_file "$name")" "$(port_file "$name")"
    return 0
  fi
  say "stopping $name (pid $pid)…"
  kill -TERM "$pid" 2>/dev/null || true
  echo "$pid"
}

# await_stop NAME PID TIMEOUT START_MS: waits for PID to exit, SIGKILL after TIMEOUT seconds.
await_stop() {
  local name=$1 pid=$2 timeout=$3 start=$4
  [[ -n $pid ]] || return 0
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "$name did not stop within ${timeout}s, killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$(pid_file "$name")" "$(port_file "$name")"
  say "$name stopped ($(elapsed "$start"))"
}

local_down() {
  local clean=$1 start mongo_pid kafka_pid
  start=$(now_ms)
  # Both get SIGTERM first, then both are waited for: they shut down in parallel.
  mongo_pid=$(signal_stop mongo)
  kafka_pid=$(signal_stop kafka)
  await_stop mongo "$mongo_pid" "$MONGO_STOP_TIMEOUT" "$start"
  await_stop kafka "$kafka_pid" "$KAFKA_STOP_TIMEOUT" "$start"
  if [[ $clean == yes ]]; then
    # Only what this script creates: REVERIE_STACK_DIR may point anywhere.
    rm -rf "$STACK_DIR/kafka" "$STACK_DIR/mongo"
    rmdir "$STACK_DIR" 2>/dev/null || true
    say "data wiped ($STACK_DIR)"
  fi
}

# local_service ACTION NAME: stop | kill | start | restart one of kafka, mongo; data is kept.
local_service() {
  local action=$1 name=$2 start pid
  validate_env
  start=$(now_ms)
  case "$action" in
    stop | restart)
      pid=$(signal_stop "$name")
      if [[ $name == kafka ]]; then
        await_stop kafka "$pid" "$KAFKA_STOP_TIMEOUT" "$start"
      else
        await_stop mongo "$pid" "$MONGO_STOP_TIMEOUT" "$start"
      fi
      ;;
    kill)
      pid=$(running_pid "$name")
      if [[ -z $pid ]]; then
        say "$name: not running"
      else
        say "killing $name (pid $pid, SIGKILL)…"
        kill -KILL "$pid" 2>/dev/null || true
        await_stop "$name" "$pid" 5 "$start"
      fi
      ;;
  esac
  [[ $action == start || $action == restart ]] || return 0

  mkdir -p "$STACK_DIR"
  pid=$(running_pid "$name")
  if [[ -n $pid ]]; then
    say "$name already running (pid $pid)"
    return 0
  fi
  if [[ $name == kafka ]]; then
    require_free_port "$KAFKA_PORT" "kafka" KAFKA_PORT
    require_free_port "$KAFKA_CONTROLLER_PORT" "kafka controller" KAFKA_CONTROLLER_PORT
  else
    require_free_port "$MONGO_PORT" "mongo" MONGO_PORT
  fi
  prepare_local
  rm -f "$(pid_file "$name")" "$(port_file "$name")"
  start=$(now_ms)
  if [[ $name == kafka ]]; then
    KAFKA_START_OFFSET=0
    start_kafka
    wait_ready kafka "$KAFKA_PORT" kafka_started "$start" \
      "$STACK_DIR/kafka/logs/stdout.log" "$STACK_DIR/kafka/logs/server.log"
  else
    start_mongo
    wait_ready mongo "$MONGO_PORT" mongo_started "$start" "$STACK_DIR/mongo/mongo.log"
  fi
}

local_status() {
  local name pid port all=0
  for name in kafka mongo; do
    pid=$(running_pid "$name")
    if [[ $name == kafka ]]; then port=$(recorded_port kafka "$KAFKA_PORT"); else port=$(recorded_port mongo "$MONGO_PORT"); fi
    if [[ -n $pid ]]; then
      if port_open "$port"; then
        printf '%-6s running  pid %-8s %s:%s\n' "$name" "$pid" "$HOST" "$port"
      else
        printf '%-6s starting pid %-8s %s:%s (not answering yet)\n' "$name" "$pid" "$HOST" "$port"
        all=3
      fi
    else
      printf '%-6s stopped\n' "$name"
      all=3
    fi
  done
  return "$all"
}

# =============================================================================================

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  local clean=no service=""
  case "$cmd" in
    up | status)
      [[ $# -eq 0 ]] || { usage; exit 2; }
      ;;
    down)
      case "${1:-}" in
        "") ;;
        --clean) clean=yes ;;
        *) usage; exit 2 ;;
      esac
      [[ $# -le 1 ]] || { usage; exit 2; }
      ;;
    clean)
      [[ $# -eq 0 ]] || { usage; exit 2; }
      cmd=down clean=yes
      ;;
    stop | kill | start | restart)
      [[ $# -eq 1 && ( $1 == kafka || $1 == mongo ) ]] || { usage; exit 2; }
      service=$1
      ;;
    -h | --help | help)
      usage
      exit 0
      ;;
    *)
      usage
      exit 2
      ;;
  esac

  local mode
  mode=$(stack_mode)
  case "$mode:$cmd" in
    docker:up) docker_up ;;
    docker:down) docker_down "$clean" ;;
    docker:status) docker_status || exit 3 ;;
    local:up) local_up ;;
    local:down) local_down "$clean" ;;
    local:status) local_status || exit 3 ;;
    docker:stop | docker:kill | docker:start | docker:restart) docker_service "$cmd" "$service" ;;
    local:stop | local:kill | local:start | local:restart) local_service "$cmd" "$service" ;;
  esac
}

main "$@"
