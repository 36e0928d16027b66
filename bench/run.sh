#!/usr/bin/env bash
# Load benchmark: wrk against the real dcatlas binary, then against nginx serving the very same
# response bytes from files, for scale. Loopback only. See bench/README.md.
#
#   bench/run.sh                                   # 10 s per endpoint and server
#   DURATION=30s bench/run.sh                      # longer runs
#   EXTRA_PATHS='/tiles/sites/2/3/1.mvt' bench/run.sh
#   MODE=percore bench/run.sh                      # one core each: dcatlas, a bare net/http server, nginx
#
# Environment: DURATION (wrk -d, default 10s; 2s per core), THREADS (wrk -t, default 2; 1 per core),
# CONNECTIONS (wrk -c, default 64), EXTRA_PATHS (space-separated paths to add), SERVER_ARGS (more
# dcatlas flags), DCATLAS_LOG_LEVEL (default info: one JSON log line per request, as in
# production), MODE (percore: each server pinned to CPU 0, wrk to CPU 1), ROUNDS (per core:
# interleaved rounds, default 7).
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${MODE:-}
case $MODE in
  '' | percore) ;;
  *) echo "bench: MODE=$MODE: want percore or nothing" >&2; exit 1 ;;
esac
if [ "$MODE" = percore ]; then
  DURATION=${DURATION:-2s}
  THREADS=${THREADS:-1}
  ROUNDS=${ROUNDS:-7}
  [[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "bench: ROUNDS=$ROUNDS: want a count" >&2; exit 1; }
  # The servers share CPU 0, one at a time; wrk has CPU 1.
  pin_server=(taskset -c 0)
  pin_wrk=(taskset -c 1)
  nginx_workers=1
else
  DURATION=${DURATION:-10s}
  THREADS=${THREADS:-2}
  pin_server=()
  pin_wrk=()
  nginx_workers=2
fi
CONNECTIONS=${CONNECTIONS:-64}
EXTRA_PATHS=${EXTRA_PATHS:-}
read -r -a server_args <<<"${SERVER_ARGS:-}"
PATHS=(
  '/collections/sites/items?limit=1000'
  '/collections/sites/items?at=2018-09-01&status=active'
  '/timeline'
)
if [ "$MODE" = percore ]; then
  PATHS+=(
    '/tiles/sites/0/0/0.mvt'
    '/tiles/basemap/4/8/5.png'
    '/static/map.png'
  )
fi
read -r -a extra <<<"$EXTRA_PATHS"
PATHS+=("${extra[@]}")

die() { echo "bench: $*" >&2; exit 1; }
tools=(go wrk curl)
[ "$MODE" != percore ] || tools+=(taskset)
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install wrk curl; Go from go.dev)"
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx not found (apt-get install nginx-light)"

# wrk runs for DURATION; anything longer than that plus a margin is a hang.
case $DURATION in
  *ms) secs=1 ;;
  *s) secs=${DURATION%s} ;;
  *m) secs=$((${DURATION%m} * 60)) ;;
  *h) die "DURATION=$DURATION is too long" ;;
  *) secs=$DURATION ;;
esac
[[ $secs =~ ^[0-9]+$ ]] || die "DURATION=$DURATION: want e.g. 10s or 1m"
wrk_limit=$((secs + 30))

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dcatlas-bench.XXXXXX")
chmod 755 "$tmp" # nginx workers may run as another user
server_pid=
nginx_pid=
bare_pid=
cleanup() {
  local pid
  for pid in $server_pid $nginx_pid $bare_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $server_pid $nginx_pid $bare_pid; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# free_port prints a loopback port nothing listens on (checked by connecting to it).
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  die "no free port found"
}

echo "building…" >&2
go build -trimpath -ldflags='-s -w' -o "$tmp/dcatlas" .
[ "$MODE" != percore ] || go build -trimpath -ldflags='-s -w' -o "$tmp/bare" ./bench/bare

# Start the server on a port of its choosing; it prints "dcatlas serving N sites on http://ADDR".
# DCATLAS_* variables of this shell (a data directory, a rate limit) are not passed on.
unset_env=()
for v in $(compgen -e); do
  if [[ $v == DCATLAS_* ]]; then unset_env+=(-u "$v"); fi
done
start=$(now_ms)
env "${unset_env[@]}" "${pin_server[@]}" "$tmp/dcatlas" --addr 127.0.0.1:0 --log-level "${DCATLAS_LOG_LEVEL:-info}" "${server_args[@]}" >"$tmp/server.out" 2>"$tmp/server.log" &
server_pid=$!
base=
ready_ms=
while [ -z "$ready_ms" ]; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "dcatlas exited at start-up"; }
  [ $(($(now_ms) - start)) -lt 30000 ] || die "dcatlas not ready after 30 s"
  if [ -z "$base" ]; then
    base=$(sed -n 's|^dcatlas serving [0-9]* sites on \(http://[^ ]*\)$|\1|p' "$tmp/server.out")
  fi
  if [ -n "$base" ] && curl -fs -o /dev/null --max-time 1 "$base/readyz"; then
    ready_ms=$(($(now_ms) - start))
  else
    sleep 0.002
  fi
done
load_ms=$(sed -n 's/.*"msg":"listening".*"startup_ms":\([0-9]*\).*/\1/p' "$tmp/server.log")

# Fetch every response once, uncompressed, as nginx's files: this also warms the server's cache.
mkdir -p "$tmp/www" "$tmp/nginx"
chmod 755 "$tmp/www"
locations=
for i in "${!PATHS[@]}"; do
  path=${PATHS[$i]}
  read -r status type < <(curl -sS -D "$tmp/www/e$i.h" -o "$tmp/www/e$i" -w '%{http_code} %{content_type}\n' --max-time 30 "$base$path")
  [ "$status" = 200 ] || die "GET $path answered $status: $(head -c 300 "$tmp/www/e$i")"
  chmod 644 "$tmp/www/e$i"
  echo "$path" >>"$tmp/www/paths"
  locations+="    location = /e$i { types { } default_type \"$type\"; }"$'\n'
done

# nginx, configured to compare like with like: no logging, no compression, keep-alive connections
# kept for the whole run as Go does (nginx's default closes them every 1000 requests).
nginx_port=$(free_port)
cat >"$tmp/nginx.conf" <<EOF
daemon off;
worker_processes $nginx_workers;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000000;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        root $tmp/www;
$locations    }
}
EOF
"${pin_server[@]}" "$NGINX" -e "$tmp/nginx/error.log" -p "$tmp/nginx" -c "$tmp/nginx.conf" &
nginx_pid=$!
nginx_base="http://127.0.0.1:$nginx_port"
for _ in $(seq 500); do
  curl -fs -o /dev/null --max-time 1 "$nginx_base/e0" && break
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$tmp/nginx/error.log" >&2; die "nginx exited at start-up"; }
  sleep 0.01
done
curl -fs -o /dev/null "$nginx_base/e0" || die "nginx not ready"
for i in "${!PATHS[@]}"; do
  cmp -s "$tmp/www/e$i" <(curl -fsS "$nginx_base/e$i") || die "nginx does not serve ${PATHS[$i]} byte for byte"
done

# Per core: the bare net/http server answers every path with dcatlas's headers and body, from memory.
if [ "$MODE" = percore ]; then
  "${pin_server[@]}" "$tmp/bare" -addr 127.0.0.1:0 -dir "$tmp/www" >"$tmp/bare.out" 2>"$tmp/bare.log" &
  bare_pid=$!
  bare_base=
  for _ in $(seq 500); do
    bare_base=$(sed -n 's|^bare serving [0-9]* answers on \(http://[^ ]*\)$|\1|p' "$tmp/bare.out")
    [ -z "$bare_base" ] || break
    kill -0 "$bare_pid" 2>/dev/null || { cat "$tmp/bare.log" >&2; die "the bare server exited at start-up"; }
    sleep 0.01
  done
  [ -n "$bare_base" ] || die "the bare server did not start"
  for i in "${!PATHS[@]}"; do
    curl -fsS -D "$tmp/bare.h" -o "$tmp/bare.body" "$bare_base${PATHS[$i]}"
    cmp -s "$tmp/www/e$i" "$tmp/bare.body" || die "the bare server does not serve ${PATHS[$i]} byte for byte"
    cmp -s <(grep -v '^Date:' "$tmp/www/e$i.h") <(grep -v '^Date:' "$tmp/bare.h") ||
      die "the bare server does not send dcatlas's headers for ${PATHS[$i]}"
  done
fi

# cpu_idle prints the percentage of CPU time spent idle over the next second, all cores together.
cpu_idle() {
  local a b
  a=$(head -1 /proc/stat)
  sleep 1
  b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    n = split(a, x); split(b, y)
    for (i = 2; i <= n; i++) total += y[i] - x[i]
    idle = (y[5] - x[5]) + (y[6] - x[6]) # idle + iowait
    printf "%d\n", (total > 0 ? 100 * idle / total : 0)
  }'
}

if commit=$(git rev-parse --short HEAD 2>/dev/null); then
  git diff --quiet HEAD 2>/dev/null || commit+=" (with local changes)"
else
  commit='?'
fi
idle=$(cpu_idle)

# bench URL runs wrk and prints "req/s p50 p99 errors requests".
bench() {
  local out
  out=$(timeout --kill-after=5 "$wrk_limit" "${pin_wrk[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$1") ||
    die "wrk $1 failed:"$'\n'"$out"
  echo "$out" >>"$tmp/wrk.txt"
  awk '
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    /Non-2xx or 3xx responses:/ { errs += $NF }
    /Socket errors:/ { gsub(",", ""); errs += $4 + $6 + $8 + $10 }
    / requests in / { n = $1 }
    END { printf "%s %s %s %d %d\n", rps, p50, p99, errs, n }' <<<"$out"
}

{
  echo "dcatlas load benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit $commit, $(go version | cut -d' ' -f3), $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $("$NGINX" -v 2>&1 | cut -d' ' -f3), $(wrk -v 2>&1 | head -1 | cut -d' ' -f2)"
  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, no Accept-Encoding (plain bodies from every server), loopback"
  if [ "$MODE" = percore ]; then
    echo "per core: each server pinned to CPU 0 (taskset; nginx one worker), wrk to CPU 1; $ROUNDS interleaved rounds, medians shown"
  fi
  echo "dcatlas flags: --log-level ${DCATLAS_LOG_LEVEL:-info}${SERVER_ARGS:+ $SERVER_ARGS}; CPU idle before: ${idle}% (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
} >"$tmp/report.txt"
cat "$tmp/report.txt" >&2
if [ "$idle" -lt 90 ]; then
  echo "bench: warning: the CPUs were only ${idle}% idle before the run; other work on the machine skews the numbers" >&2
fi

# percore runs ROUNDS interleaved rounds (every endpoint, the three servers in a rotating order)
# and prints the medians with their ratios; then the script ends.
percore() {
  local r i k n server url res rps p50 p99 errs reqs pids t0 t1 w0 w1 failed=0
  local servers=(dcatlas bare nginx)
  local nginx_workers
  nginx_workers=$(ps -o pid= --ppid "$(cat "$tmp/nginx/nginx.pid")" | tr -d ' ' | tr '\n' ' ')
  mkdir -p "$tmp/runs"
  for ((r = 1; r <= ROUNDS; r++)); do
    for i in "${!PATHS[@]}"; do
      for ((k = 0; k < 3; k++)); do
        n=$(((r + i + k) % 3))
        server=${servers[$n]}
        case $server in
          dcatlas) url=$base${PATHS[$i]} pids=$server_pid ;;
          bare) url=$bare_base${PATHS[$i]} pids=$bare_pid ;;
          nginx) url=$nginx_base/e$i pids=$nginx_workers ;;
        esac
        echo "round $r/$ROUNDS: $server ${PATHS[$i]} …" >&2
        t0=$(cpu_ticks $pids)
        w0=$(core_ticks 1)
        res=$(bench "$url")
        t1=$(cpu_ticks $pids)
        w1=$(core_ticks 1)
        read -r rps p50 p99 errs reqs <<<"$res"
        [ "$errs" = 0 ] || { echo "bench: $server ${PATHS[$i]}: $errs errors/non-2xx" >&2; failed=1; }
        echo "$rps $(to_ms "$p99") $(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$reqs" 'BEGIN { printf "%.2f", (n > 0 ? t / hz * 1e6 / n : 0) }') $(busy_percent "$w0" "$w1")" >>"$tmp/runs/$server.$i"
      done
    done
  done
  {
    printf '%-53s %7s %10s %10s %6s %18s %6s %16s %6s %10s %6s %9s\n' endpoint bytes "dcatlas r/s" "bare r/s" ratio "p99 dcatlas/bare" ratio "CPU µs/req d/b" ratio "nginx r/s" "/nginx" "CPU1 d/b"
    for i in "${!PATHS[@]}"; do
      local d_rps b_rps n_rps d_p99 b_p99 d_cpu b_cpu d_wrk b_wrk
      d_rps=$(median 1 "$tmp/runs/dcatlas.$i") b_rps=$(median 1 "$tmp/runs/bare.$i") n_rps=$(median 1 "$tmp/runs/nginx.$i")
      d_p99=$(median 2 "$tmp/runs/dcatlas.$i") b_p99=$(median 2 "$tmp/runs/bare.$i")
      d_cpu=$(median 3 "$tmp/runs/dcatlas.$i") b_cpu=$(median 3 "$tmp/runs/bare.$i")
      d_wrk=$(median 4 "$tmp/runs/dcatlas.$i") b_wrk=$(median 4 "$tmp/runs/bare.$i")
      # The ratios are medians of each round's ratio (dcatlas and bare run next to each other in a
      # round), steadier than ratios of medians when the machine's speed drifts between rounds.
      paste -d' ' "$tmp/runs/dcatlas.$i" "$tmp/runs/bare.$i" |
        awk '{ print ($5 > 0 ? $1 / $5 : 0), ($6 > 0 ? $2 / $6 : 0), ($3 > 0 ? $7 / $3 : 0) }' >"$tmp/runs/ratio.$i"
      awk -v path="${PATHS[$i]}" -v bytes="$(stat -c %s "$tmp/www/e$i")" -v d="$d_rps" -v b="$b_rps" -v n="$n_rps" -v dp="$d_p99" -v bp="$b_p99" -v dc="$d_cpu" -v bc="$b_cpu" -v dw="$d_wrk" -v bw="$b_wrk" \
        -v rr="$(median 1 "$tmp/runs/ratio.$i")" -v rp="$(median 2 "$tmp/runs/ratio.$i")" -v rc="$(median 3 "$tmp/runs/ratio.$i")" 'BEGIN {
        printf "%-53s %7d %10.0f %10.0f %6.2f %18s %6.2f %16s %6.2f %10.0f %6.2f %9s\n", path, bytes, d, b, rr,
          sprintf("%.1f / %.1f ms", dp, bp), rp, sprintf("%.1f / %.1f", dc, bc), rc, n, (n > 0 ? d / n : 0),
          sprintf("%d / %d%%", dw, bw)
      }'
    done
    echo
    echo "ratio = dcatlas ÷ bare, the median of the rounds' ratios: req/s, then p99, then requests per CPU-second"
    echo "(bare's CPU per request ÷ dcatlas's); the other columns are medians over the rounds;"
    echo "/nginx = dcatlas req/s ÷ nginx req/s. CPU per request (user + system time of the server's process"
    echo "over the run ÷ requests answered) is what other work on a shared machine disturbs least."
    echo "CPU1 d/b = how busy CPU 1, wrk's core (wrk and whatever else runs there), was against dcatlas and"
    echo "against bare. A load generator near 100 % rarely sleeps, so the server it loads rarely pays to wake"
    echo "it (a wake-up per response otherwise, several µs of kernel time in this VM): a server a little"
    echo "slower than wrk pays more CPU per request than one that keeps wrk busy."
    echo "goal (issue 15): ratio ≥ 0.90 and p99 ratio ≤ 1.25 on every row"
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  } >>"$tmp/report.txt"
  publish_report
}

# publish_report keeps the report and wrk's raw output under bench/results and prints the report;
# it fails when any request failed.
publish_report() {
  mkdir -p bench/results
  cp "$tmp/report.txt" bench/results/latest.txt
  cp "$tmp/wrk.txt" bench/results/latest-wrk.txt
  echo
  cat "$tmp/report.txt"
  echo
  echo "written to bench/results/latest.txt (raw wrk output in bench/results/latest-wrk.txt)"
  [ "$failed" = 0 ] || die "some requests failed; see bench/results/latest-wrk.txt"
}

# core_ticks CPU prints the clock ticks the core has spent busy and in all, from /proc/stat.
core_ticks() {
  awk -v cpu="cpu$1" '$1 == cpu { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

# busy_percent "BUSY0 ALL0" "BUSY1 ALL1" prints how busy a core was between two core_ticks.
busy_percent() {
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); d = y[2] - x[2]; printf "%.0f", (d > 0 ? 100 * (y[1] - x[1]) / d : 0) }'
}

# cpu_ticks PID... prints the CPU time (user + system, in clock ticks) the processes have used.
cpu_ticks() {
  local pid sum=0 f
  for pid in "$@"; do
    read -r -a f <"/proc/$pid/stat"
    # Fields 14 and 15 (utime, stime); the command name (field 2) has no spaces here.
    sum=$((sum + f[13] + f[14]))
  done
  echo "$sum"
}

# to_ms converts a wrk latency (650.00us, 8.51ms, 1.02s) to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
    else if (v ~ /m$/) { sub(/m$/, "", v); print v * 60000 }
    else { sub(/s$/, "", v); print v * 1000 }
  }'
}

# median COLUMN FILE prints the median of a column of numbers.
median() {
  awk -v c="$1" '{ print $c }' "$2" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

if [ "$MODE" = percore ]; then
  percore
  exit
fi

rows=()
failed=0
for i in "${!PATHS[@]}"; do
  path=${PATHS[$i]}
  echo "wrk $path …" >&2
  res=$(bench "$base$path")
  read -r d_rps d_p50 d_p99 d_err <<<"$res"
  res=$(bench "$nginx_base/e$i")
  read -r n_rps n_p50 n_p99 n_err <<<"$res"
  ratio=$(awk -v a="$d_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  note=
  [ "$d_err" = 0 ] || note+=" dcatlas: $d_err errors/non-2xx;"
  [ "$n_err" = 0 ] || note+=" nginx: $n_err errors/non-2xx;"
  [ -z "$note" ] || failed=1
  rows+=("$(printf '%-55s %9s %12.0f %8s %8s %12.0f %8s %8s %7s%s' "$path" "$(stat -c %s "$tmp/www/e$i")" "$d_rps" "$d_p50" "$d_p99" "$n_rps" "$n_p50" "$n_p99" "$ratio" "$note")")
done

rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")
nginx_rss_kb=$(ps -o rss= -p "$(cat "$tmp/nginx/nginx.pid")" --ppid "$(cat "$tmp/nginx/nginx.pid")" | awk '{ s += $1 } END { print s }')
{
  printf '%-55s %9s %12s %8s %8s %12s %8s %8s %7s\n' endpoint bytes "dcatlas r/s" p50 p99 "nginx r/s" p50 p99 ratio
  printf '%s\n' "${rows[@]}"
  echo
  echo "ratio = dcatlas req/s ÷ nginx req/s"
  echo "dcatlas RSS after the run: $((rss_kb / 1024)) MiB (VmRSS ${rss_kb} kB); nginx (master + 2 workers): $((nginx_rss_kb / 1024)) MiB"
  echo "dcatlas start-up, exec to first 200 on /readyz: ${ready_ms} ms (data load and index, as logged: ${load_ms:-?} ms)"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$tmp/report.txt"

publish_report
