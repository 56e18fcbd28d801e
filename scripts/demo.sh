#!/usr/bin/env bash
# `npm start`: Reverie end to end on this machine, in one command.
#
#   npm start               stack up, build, start the four services, send a sample session
#                           through the API, print it back as stored, then stop everything
#   npm start -- --keep     the same, but leave the services (and the stack) running
#
# 1. Starts Kafka and MongoDB with scripts/stack.sh (left alone if already running; stopped at the
#    end only if this script started it).
# 2. Builds session-gateway, orchestrator, outcome-grader, dreamer and the console (served by the
#    gateway at /console), starts each service as a background
#    node process on its port with the database `reverie_demo`, and waits for /health/ready.
# 3. Creates an API key (tenant `demo`), an agent, a session with a dozen events and feedback
#    (scripts/demo/sample-session.ts), waits until all is stored and prints it; then lands a craft
#    on the Moon with the builtin lunar team (touchdown report and ASCII plot); then the learning
#    story (scripts/demo/learning-cycles.ts): for the lunar team, a day of landings over every
#    bundled scenario family, the grades, a dream, the next day, … for REVERIE_DEMO_CYCLES dreams,
#    printing the held-out success rate, touchdown speed and fuel per day, what each dream found
#    and changed, and the playbook entries learned; then the same for the CI-log triage agent (held-out F1).
#    Then the external agent's story (about 1.5 minutes): the support-desk team of
#    examples/support-desk reports its tickets over REST only, the grader grades them, a dream
#    learns entries without a simulator, a canary trial decides; test-split success per day, what
#    was learned and each trial's decision.
# 4. Stops the services (SIGTERM, graceful) and the stack if it started it; also on error or CTRL-C.
#
# Environment:
#   REVERIE_DEMO_PORT_BASE      first service port (default 3000): gateway, orchestrator,
#                               outcome-grader, dreamer get BASE, BASE+1, BASE+2, BASE+3
#   REVERIE_DEMO_HOST           address the services listen on (default 127.0.0.1)
#   REVERIE_DEMO_READY_TIMEOUT  seconds to wait for each service's /health/ready (default 60)
#   REVERIE_DEMO_STOP_TIMEOUT   seconds to wait for each service to exit after SIGTERM (default 20)
#   REVERIE_DEMO_DB             MongoDB database (default reverie_demo)
#   REVERIE_DEMO_FAMILY         scenario family of the demo landing (default downrange)
#   REVERIE_DEMO_SCENARIO       its index in the family (default 0)
#   REVERIE_DEMO_CYCLES         dreams in the learning story (default 3: four days)
#   REVERIE_DEMO_FAMILIES       scenario families a lunar day lands, comma-separated (default: all
#                               nine bundled: the four day-one and the five stress families)
#   REVERIE_DEMO_STORY          all (default: lunar, triage, external), lunar, triage, external,
#                               both (lunar and triage) or none
#   LOG_LEVEL                   service log level (default info)
#   and everything scripts/stack.sh reads (KAFKA_PORT, MONGO_PORT, REVERIE_STACK_DIR, ...).
# Logs: .stack/demo/logs/<service>.log and build.log.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_DIR
readonly DEMO_DIR="$REPO_DIR/.stack/demo"
readonly LOG_DIR="$DEMO_DIR/logs"
readonly PIDS_FILE="$DEMO_DIR/pids"

readonly SERVICES=(session-gateway orchestrator outcome-grader dreamer)
readonly PORT_BASE="${REVERIE_DEMO_PORT_BASE:-3000}"
readonly SVC_HOST="${REVERIE_DEMO_HOST:-127.0.0.1}"
readonly READY_TIMEOUT="${REVERIE_DEMO_READY_TIMEOUT:-60}"
readonly STOP_TIMEOUT="${REVERIE_DEMO_STOP_TIMEOUT:-20}"
readonly DEMO_DB="${REVERIE_DEMO_DB:-reverie_demo}"

KEEP=no
STACK_STARTED=no   # this run started the stack, so it stops it
KAFKA_BROKERS=""
MONGO_URL=""
declare -A PIDS=()  # service -> pid, only processes this run started
declare -A PORTS=()
STARTED_ORDER=()
FINISHED=no        # the demo ran to its end (with --keep: leave things running)
CLEANED=no

# ---------------------------------------------------------------------------------------------
# small helpers

say() { printf '%s\n' "$*"; }
err() { printf '%s\n' "$*" >&2; }
die() {
  err "demo: $*"
  exit 1
}

now_ms() { date +%s%3N; }
elapsed() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1fs", (b - a) / 1000 }'; }

# Last lines of a log, indented on stderr; the services' JSON lines as "time level [context] msg"
# (stack traces left out: they are in the file).
show_tail() {
  local file=$1 lines=${2:-20}
  if [[ -s $file ]]; then
    err "---- last $lines lines of ${file#"$REPO_DIR"/} ----"
    tail -n "$lines" "$file" |
      sed -E 's/^\{"time":"[^"]*T([0-9:.]+)Z","level":"([a-z]+)",("service":"[^"]*",)?("context":"([^"]*)",)?"msg":"(([^"\\]|\\.)*)".*$/\1 \2 [\5] \6/; s/ \[\] / /; s/^/  /' >&2
    err "----"
  fi
}

# The last error a service logged ("... failed to start: <reason>"), for the one-line message; a
# configuration error is a plain line ("<service>: invalid configuration: ...").
last_error() {
  local line
  line=$(grep -E '^[a-z][a-z-]*: ' "$1" 2>/dev/null | tail -n 1 || true)
  if [[ -z $line ]]; then
    line=$(grep -o '"level":"error".*"msg":"\([^"\\]\|\\.\)*"' "$1" 2>/dev/null | tail -n 1 |
      sed -E 's/.*"msg":"(([^"\\]|\\.)*)"$/\1/' || true)
  fi
  printf '%s' "${line:0:300}"
}

# Runs a command with its stderr indented (progress of a sub-tool), stdout untouched.
indented_stderr() {
  { "$@" 2>&1 1>&3 3>&- | sed 's/^/  /' >&2; } 3>&1
}

# True when something accepts TCP connections on HOST:PORT.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# HTTP status of GET http://HOST:PORT/PATH (000 when nothing answers). Bash only: no curl needed.
http_status() {
  local host=$1 port=$2 path=$3 line=""
  {
    exec 3<>"/dev/tcp/$host/$port" || return 0
    printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$path" "$host" "$port" >&3
    IFS= read -r -t 5 line <&3 || true
    exec 3>&-
  } 2>/dev/null
  line=${line#HTTP/1.? }
  printf '%s' "${line:0:3}"
}

usage() {
  err "usage: npm start [-- --keep]   (or: bash scripts/demo.sh [--keep])"
}

# ---------------------------------------------------------------------------------------------
# cleanup: always runs (normal end, error, CTRL-C), stops only what this run started

stop_services() {
  ((${#STARTED_ORDER[@]})) || return 0
  local start name pid i
  start=$(now_ms)
  say "stopping services…"
  for ((i = ${#STARTED_ORDER[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[${STARTED_ORDER[i]}]}
    kill -TERM "$pid" 2>/dev/null || true
  done
  for ((i = ${#STARTED_ORDER[@]} - 1; i >= 0; i--)); do
    name=${STARTED_ORDER[i]}
    pid=${PIDS[$name]}
    local deadline=$((SECONDS + STOP_TIMEOUT)) how=""
    while kill -0 "$pid" 2>/dev/null; do
      if ((SECONDS >= deadline)); then
        kill -KILL "$pid" 2>/dev/null || true
        how=" — did not exit within ${STOP_TIMEOUT}s, killed"
        break
      fi
      sleep 0.1
    done
    wait "$pid" 2>/dev/null || true
    say "  $name stopped ($(elapsed "$start"))$how"
  done
  STARTED_ORDER=()
  rm -f "$PIDS_FILE"
}

stop_stack() {
  [[ $STACK_STARTED == yes ]] || return 0
  say "stopping the stack (this run started it)…"
  indented_stderr bash "$SCRIPT_DIR/stack.sh" down || err "demo: could not stop the stack; try: npm run stack -- down"
  STACK_STARTED=no
}

cleanup() {
  local code=$?
  [[ $CLEANED == no ]] || return 0
  CLEANED=yes
  trap "" INT TERM HUP # a second CTRL-C must not leave children behind (stopping is bounded)
  if [[ $KEEP == yes && $FINISHED == yes ]]; then
    exit "$code"
  fi
  stop_services
  stop_stack
  exit "$code"
}

on_signal() {
  err ""
  err "demo: interrupted (SIG$1), cleaning up…"
  exit 130
}

trap cleanup EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

# ---------------------------------------------------------------------------------------------

parse_args() {
  while (($#)); do
    case "$1" in
      --keep) KEEP=yes ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        err "demo: unknown argument '$1'"
        usage
        exit 2
        ;;
    esac
    shift
  done
}

check_env() {
  [[ $PORT_BASE =~ ^[0-9]+$ ]] && ((PORT_BASE >= 1 && PORT_BASE + 3 <= 65535)) ||
    die "REVERIE_DEMO_PORT_BASE must be a port number (1-65532), got '$PORT_BASE'"
  [[ $READY_TIMEOUT =~ ^[0-9]+$ ]] || die "REVERIE_DEMO_READY_TIMEOUT must be seconds, got '$READY_TIMEOUT'"
  [[ $STOP_TIMEOUT =~ ^[0-9]+$ ]] || die "REVERIE_DEMO_STOP_TIMEOUT must be seconds, got '$STOP_TIMEOUT'"
  [[ -d $REPO_DIR/node_modules/nx && -d $REPO_DIR/node_modules/@swc-node/register ]] ||
    die "dependencies are not installed; run 'npm ci' first"
  local i
  for i in "${!SERVICES[@]}"; do PORTS[${SERVICES[i]}]=$((PORT_BASE + i)); done
}

# Fails with one line when a service port is taken (checked before anything is started).
check_ports() {
  local name port hint=""
  if [[ -s $PIDS_FILE ]]; then
    local alive=() pid
    for pid in $(awk '{ print $2 }' "$PIDS_FILE"); do
      kill -0 "$pid" 2>/dev/null && alive+=("$pid")
    done
    if ((${#alive[@]})); then
      hint="; an earlier 'npm start -- --keep' left services running: kill ${alive[*]}"
    else
      rm -f "$PIDS_FILE"
    fi
  fi
  for name in "${SERVICES[@]}"; do
    port=${PORTS[$name]}
    if port_open "$SVC_HOST" "$port" || { [[ $SVC_HOST != 127.0.0.1 ]] && port_open 127.0.0.1 "$port"; }; then
      die "port $port ($name) is already in use${hint:-; stop what uses it or set REVERIE_DEMO_PORT_BASE=<free port>}"
    fi
  done
}

stack_up() {
  if bash "$SCRIPT_DIR/stack.sh" status >/dev/null 2>&1; then
    say "stack: already running (it will be left running)"
  else
    say "stack: starting Kafka and MongoDB (it will be stopped at the end)…"
    STACK_STARTED=yes
  fi
  local out line
  out=$(indented_stderr bash "$SCRIPT_DIR/stack.sh" up) || die "the stack did not start (see above)"
  while IFS= read -r line; do
    case "$line" in
      KAFKA_BROKERS=*) KAFKA_BROKERS=${line#KAFKA_BROKERS=} ;;
      MONGO_URL=*) MONGO_URL=${line#MONGO_URL=} ;;
    esac
  done <<<"$out"
  [[ -n $KAFKA_BROKERS && -n $MONGO_URL ]] || die "scripts/stack.sh up did not print KAFKA_BROKERS and MONGO_URL"
  say "stack: kafka $KAFKA_BROKERS, mongo $MONGO_URL"
}

# A Mongo that accepts connections but does not answer (the local in-memory one can run out of
# heap) would make each service retry for ~30s before giving up: find out in 5s instead.
check_mongo() {
  local out
  # shellcheck disable=SC2016 # JavaScript, not shell
  if ! out=$(cd "$REPO_DIR" && MONGO_URL=$MONGO_URL node -e '
    require("mongoose")
      .createConnection(process.env.MONGO_URL, { serverSelectionTimeoutMS: 5000 })
      .asPromise()
      .then((c) => c.db.admin().ping().then(() => c.close()))
      .then(() => process.exit(0), (e) => { process.stdout.write(e.message); process.exit(1); });
  ' 2>&1); then
    die "MongoDB at $MONGO_URL does not answer (${out:0:200}); restart the stack: npm run stack -- down; npm run stack -- up"
  fi
}

build() {
  local start log="$LOG_DIR/build.log"
  start=$(now_ms)
  printf 'building services… '
  if ! (cd "$REPO_DIR" && NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false \
    npx nx run-many -t build -p "${SERVICES[@]}" console --outputStyle=static) >"$log" 2>&1; then
    say "failed"
    show_tail "$log" 30
    die "the build failed (full output: ${log#"$REPO_DIR"/})"
  fi
  local name
  for name in "${SERVICES[@]}"; do
    [[ -f $(main_js "$name") ]] || die "the build did not produce $(main_js "$name")"
  done
  say "done ($(elapsed "$start"))"
}

main_js() { echo "$REPO_DIR/dist/apps/$1/apps/$1/src/main.js"; }

# The demo's services consume as their own groups: never as a developer's services on the same
# stack (they would share, and commit, each other's messages and store them in another database).
group_id() { echo "reverie-demo-$1"; }

# Services that consume Kafka today (the others only produce or have no topics yet). Their demo
# groups are moved to the end of the topic first, so the demo reads only what it sends.
readonly CONSUMERS=(session-gateway orchestrator outcome-grader dreamer)

skip_backlog() {
  local groups=() name
  for name in "${CONSUMERS[@]}"; do groups+=("$(group_id "$name")"); done
  (cd "$REPO_DIR" && KAFKA_BROKERS=$KAFKA_BROKERS \
    node -r @swc-node/register scripts/demo/skip-backlog.ts "${groups[@]}") || exit 1
}

start_service() {
  local name=$1 port=${PORTS[$1]} log="$LOG_DIR/$1.log" start pid code
  printf 'starting %s on :%s… ' "$name" "$port"
  start=$(now_ms)
  : >"$log"
  PORT=$port HOST=$SVC_HOST MONGO_URL=$MONGO_URL MONGO_DB=$DEMO_DB KAFKA_BROKERS=$KAFKA_BROKERS \
    KAFKA_GROUP_ID=$(group_id "$name") LOG_LEVEL=${LOG_LEVEL:-info} CONSOLE_DIR="$REPO_DIR/dist/apps/console" \
    node "$(main_js "$name")" </dev/null >>"$log" 2>&1 &
  pid=$!
  PIDS[$name]=$pid
  STARTED_ORDER+=("$name")
  local deadline=$((SECONDS + READY_TIMEOUT))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null && code=0 || code=$?
      say "failed"
      show_tail "$log"
      local reason
      reason=$(last_error "$log")
      [[ $reason == *"Server selection timed out"* ]] &&
        reason+=" — MongoDB at $MONGO_URL accepts connections but does not answer; restart the stack (npm run stack -- down; npm run stack -- up)"
      die "$name exited during start-up (exit code $code${reason:+: $reason}; log: ${log#"$REPO_DIR"/})"
    fi
    code=$(http_status "$SVC_HOST" "$port" /health/ready)
    [[ $code == 200 ]] && break
    if ((SECONDS >= deadline)); then
      say "failed"
      show_tail "$log"
      die "$name was not ready within ${READY_TIMEOUT}s (last /health/ready: ${code:-no answer}; log: ${log#"$REPO_DIR"/})"
    fi
    sleep 0.2
  done
  say "ready ($(elapsed "$start"), pid $pid)"
}

create_api_key() {
  local out
  out=$(cd "$REPO_DIR" && MONGO_URL=$MONGO_URL MONGO_DB=$DEMO_DB \
    npm run --silent api-key -- create --tenant demo --name "demo-$(date +%Y%m%d-%H%M%S)" --json) ||
    die "could not create an API key (see above)"
  API_KEY=$(printf '%s' "$out" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  [[ -n $API_KEY ]] || die "npm run api-key printed no token"
  say "api key: created for tenant 'demo' (${API_KEY:0:16}…)"
}

# A lunar landing by the builtin Commander/Detector/Navigator team through the orchestrator: the
# touchdown report and an ASCII plot of altitude, speeds and throttle.
run_lunar_landing() {
  local gw=$1 agent_json agent_id
  agent_json=$(cd "$REPO_DIR" && node bin/reverie.js agent create --name "lunar-team-$(date +%H%M%S)" \
    --url "$gw" --key "$API_KEY" --json) || die "could not create the lunar agent"
  agent_id=$(printf '%s' "$agent_json" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | head -1)
  [[ -n $agent_id ]] || die "the agent was created but its id was not printed"
  # A landing that is not safe exits 1: that is a result to show, not a demo failure.
  local code=0
  (cd "$REPO_DIR" && node bin/reverie.js land --agent "$agent_id" --family "${REVERIE_DEMO_FAMILY:-downrange}" \
    --index "${REVERIE_DEMO_SCENARIO:-0}" --url "$gw" --key "$API_KEY" --timeout 120) || code=$?
  ((code <= 1)) || die "the landing did not run (logs: ${LOG_DIR#"$REPO_DIR"/})"
  if ((code == 1)); then
    say ""
    say "The day-one team did not land this scenario safely: that is the kind of failure the learning"
    say "story below reviews in its dreams (compare the held-out rates before and after each dream)."
  fi
}

# Days of work and dreams, through the stack (scripts/demo/learning-cycles.ts).
run_learning_story() {
  local gw=$1 which=${REVERIE_DEMO_STORY:-all}
  [[ $which == none ]] && return 0
  (cd "$REPO_DIR" && REVERIE_API_URL=$gw REVERIE_API_KEY=$API_KEY node -r @swc-node/register scripts/demo/learning-cycles.ts "$which") ||
    die "the learning story did not finish (logs: ${LOG_DIR#"$REPO_DIR"/})"
}

main() {
  parse_args "$@"
  check_env
  check_ports
  mkdir -p "$LOG_DIR"
  local t0
  t0=$(now_ms)

  stack_up
  check_mongo
  build
  skip_backlog
  local name
  for name in "${SERVICES[@]}"; do start_service "$name"; done

  local gw="http://$SVC_HOST:${PORTS[session-gateway]}"
  [[ $SVC_HOST == 0.0.0.0 ]] && gw="http://127.0.0.1:${PORTS[session-gateway]}"
  say ""
  say "sending a sample session through $gw…"
  create_api_key
  (cd "$REPO_DIR" && REVERIE_API_URL=$gw REVERIE_API_KEY=$API_KEY \
    node -r @swc-node/register scripts/demo/sample-session.ts) || die "the sample session did not go through (logs: ${LOG_DIR#"$REPO_DIR"/})"

  say ""
  say "landing a craft on the Moon (the builtin day-one Commander, Detector and Navigator)…"
  run_lunar_landing "$gw"

  say ""
  say "the learning story: days of work, each followed by a dream…"
  run_learning_story "$gw"

  say ""
  if [[ $KEEP == yes ]]; then
    say "API          $gw/v1   (x-api-key: $API_KEY)"
  else
    say "API          $gw/v1   (while running; keep it up with: npm start -- --keep)"
  fi
  say "OpenAPI docs $gw/docs"
  if [[ $KEEP == yes ]]; then
    say "Console      $gw/console/   (sign in with the API key above)"
  else
    say "Console      $gw/console/   (while running; keep it up with: npm start -- --keep)"
  fi
  say "logs         ${LOG_DIR#"$REPO_DIR"/}/"
  say ""
  FINISHED=yes
  if [[ $KEEP == yes ]]; then
    : >"$PIDS_FILE"
    for name in "${SERVICES[@]}"; do printf '%s %s %s\n' "$name" "${PIDS[$name]}" "${PORTS[$name]}" >>"$PIDS_FILE"; done
    say "done in $(elapsed "$t0"); --keep: everything is left running"
    for name in "${SERVICES[@]}"; do
      say "  $(printf '%-16s' "$name") pid ${PIDS[$name]}  http://$SVC_HOST:${PORTS[$name]}"
    done
    local pids=()
    for name in "${SERVICES[@]}"; do pids+=("${PIDS[$name]}"); done
    say "stop the services: kill ${pids[*]}"
    if [[ $STACK_STARTED == yes ]]; then
      say "stop the stack:    npm run stack -- down"
    else
      say "stop the stack:    npm run stack -- down   (it was already running before this demo)"
    fi
    STARTED_ORDER=()
    exit 0
  fi
  stop_services
  stop_stack
  say "done in $(elapsed "$t0")"
}

main "$@"
