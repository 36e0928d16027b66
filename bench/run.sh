#!/usr/bin/env bash
# Load benchmark: wrk against the real dcatlas binary, then against nginx serving the very same
# response bytes from files, for scale. Loopback only. See bench/README.md.
#
#   bench/run.sh                                   # 10 s per endpoint and server
#   DURATION=30s bench/run.sh                      # longer runs
#   EXTRA_PATHS='/tiles/sites/2/3/1.mvt' bench/run.sh
#
# Environment: DURATION (wrk -d, default 10s), THREADS (wrk -t, default 2), CONNECTIONS (wrk -c,
# default 64), EXTRA_PATHS (space-separated paths to add), SERVER_ARGS (more dcatlas flags),
# DCATLAS_LOG_LEVEL (default info: one JSON log line per request, as in production).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
EXTRA_PATHS=${EXTRA_PATHS:-}
read -r -a server_args <<<"${SERVER_ARGS:-}"
PATHS=(
  '/collections/sites/items?limit=1000'
  '/collections/sites/items?at=2018-09-01&status=active'
  '/timeline'
)
read -r -a extra <<<"$EXTRA_PATHS"
PATHS+=("${extra[@]}")

die() { echo "bench: $*" >&2; exit 1; }
for tool in go wrk curl; do
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
cleanup() {
  local pid
  for pid in $server_pid $nginx_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $server_pid $nginx_pid; do
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

# Start the server on a port of its choosing; it prints "dcatlas serving N sites on http://ADDR".
# DCATLAS_* variables of this shell (a data directory, a rate limit) are not passed on.
unset_env=()
for v in $(compgen -e); do
  if [[ $v == DCATLAS_* ]]; then unset_env+=(-u "$v"); fi
done
start=$(now_ms)
env "${unset_env[@]}" "$tmp/dcatlas" --addr 127.0.0.1:0 --log-level "${DCATLAS_LOG_LEVEL:-info}" "${server_args[@]}" >"$tmp/server.out" 2>"$tmp/server.log" &
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
  read -r status type < <(curl -sS -o "$tmp/www/e$i" -w '%{http_code} %{content_type}\n' --max-time 30 "$base$path")
  [ "$status" = 200 ] || die "GET $path answered $status: $(head -c 300 "$tmp/www/e$i")"
  chmod 644 "$tmp/www/e$i"
  locations+="    location = /e$i { types { } default_type \"$type\"; }"$'\n'
done

# nginx, configured to compare like with like: no logging, no compression, keep-alive connections
# kept for the whole run as Go does (nginx's default closes them every 1000 requests).
nginx_port=$(free_port)
cat >"$tmp/nginx.conf" <<EOF
daemon off;
worker_processes 2;
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
"$NGINX" -e "$tmp/nginx/error.log" -p "$tmp/nginx" -c "$tmp/nginx.conf" &
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

# bench URL runs wrk and prints "req/s p50 p99 errors".
bench() {
  local out
  out=$(timeout --kill-after=5 "$wrk_limit" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$1") ||
    die "wrk $1 failed:"$'\n'"$out"
  echo "$out" >>"$tmp/wrk.txt"
  awk '
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    /Non-2xx or 3xx responses:/ { errs += $NF }
    /Socket errors:/ { gsub(",", ""); errs += $4 + $6 + $8 + $10 }
    END { printf "%s %s %s %d\n", rps, p50, p99, errs }' <<<"$out"
}

{
  echo "dcatlas load benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit $commit, $(go version | cut -d' ' -f3), $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $("$NGINX" -v 2>&1 | cut -d' ' -f3), $(wrk -v 2>&1 | head -1 | cut -d' ' -f2)"
  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, no Accept-Encoding (plain bodies from both servers), loopback"
  echo "dcatlas flags: --log-level ${DCATLAS_LOG_LEVEL:-info}${SERVER_ARGS:+ $SERVER_ARGS}; CPU idle before: ${idle}% (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
} >"$tmp/report.txt"
cat "$tmp/report.txt" >&2
if [ "$idle" -lt 90 ]; then
  echo "bench: warning: the CPUs were only ${idle}% idle before the run; other work on the machine skews the numbers" >&2
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

mkdir -p bench/results
cp "$tmp/report.txt" bench/results/latest.txt
cp "$tmp/wrk.txt" bench/results/latest-wrk.txt
echo
cat "$tmp/report.txt"
echo
echo "written to bench/results/latest.txt (raw wrk output in bench/results/latest-wrk.txt)"
[ "$failed" = 0 ] || die "some requests failed; see bench/results/latest-wrk.txt"
