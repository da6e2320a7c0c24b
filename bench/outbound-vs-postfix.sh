#!/usr/bin/env bash
# Outbound relay benchmark: Moat vs a private Postfix, both relaying the same load to a local
# smtp-sink (Postfix's test sink) on loopback. smtp-source injects N messages on port 25 from a
# trusted network to a remote domain; each server queues them durably and delivers them to its
# own sink (Moat: delivery.relay_host; Postfix: relayhost). What is compared is the END-TO-END
# relay rate: N / (time from the first injection until the sink holds all N). Both use at most
# 20 outbound connections (Moat delivery.max_connections[_per_domain], Postfix
# default_destination_concurrency_limit), plain text, no TLS on either side.
#
#   bench/outbound-vs-postfix.sh          (root, or a user that may run `postfix -c`)
#
# A second table (DRAIN=0 skips it) measures the sending side alone: DRAIN_N 4 KB messages are
# injected while delivery is held (Moat: restarted with delivery.enabled = false; Postfix:
# defer_transports = smtp), then released; the rate is DRAIN_N over the spread of the sink
# files' modification times (first delivered to last), so JVM start and Postfix's reload do not
# count and the receiving side does not compete for the CPU.
#
# Env: BENCH_QUICK=1 (smoke run), KEEP=1 (keep the temp dir), RUNS (3), WAIT_LIMIT seconds (600),
#      BASE_PORT (43500: Postfix, +1 Moat, +2/+3 the two sinks, +4.. Moat's other listeners),
#      DRAIN (1), DRAIN_N (2000).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-3}"
BASE="${BASE_PORT:-43500}"
PF_PORT=$BASE; MOAT_PORT=$((BASE + 1)); SINK_PF=$((BASE + 2)); SINK_MOAT=$((BASE + 3))
WAIT_LIMIT="${WAIT_LIMIT:-600}"
CASES=("2000 4096 10" "500 102400 10")   # count size sessions
[ -n "${BENCH_QUICK:-}" ] && { CASES=("200 4096 5"); RUNS=1; }

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
now() { date +%s.%N; }

[ -x /usr/sbin/smtp-source ] && [ -x /usr/sbin/smtp-sink ] && command -v postfix >/dev/null \
  || die "Postfix is missing: apt-get install postfix (smtp-source and smtp-sink come with it)"

T="$(mktemp -d /tmp/moat-outbench.XXXXXX)"
chmod 755 "$T"
PF_CONF="$T/postfix-conf"
MOAT_PID=""; SINK_PIDS=()
cleanup() {
  set +e
  [ -n "$MOAT_PID" ] && kill "$MOAT_PID" 2>/dev/null && wait "$MOAT_PID" 2>/dev/null
  for p in "${SINK_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  [ -f "$PF_CONF/main.cf" ] && postfix -c "$PF_CONF" stop >/dev/null 2>&1
  [ -n "${KEEP:-}" ] && { log "kept $T"; return; }
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- the two sinks (one per server)
mkdir -p "$T/sink-pf" "$T/sink-moat"; chown nobody "$T/sink-pf" "$T/sink-moat"
/usr/sbin/smtp-sink -u nobody -d "$T/sink-pf/%H%M%S." "127.0.0.1:$SINK_PF" 256 >"$T/sink-pf.out" 2>&1 &
SINK_PIDS+=($!)
/usr/sbin/smtp-sink -u nobody -d "$T/sink-moat/%H%M%S." "127.0.0.1:$SINK_MOAT" 256 >"$T/sink-moat.out" 2>&1 &
SINK_PIDS+=($!)

# ---------------------------------------------------------------- private Postfix, relaying to its sink
mkdir -p "$PF_CONF" "$T/postfix-queue" "$T/postfix-data"
: > "$PF_CONF/main.cf"; cp /etc/postfix/master.cf "$PF_CONF/"; chown postfix "$T/postfix-data"
postconf -c "$PF_CONF" -e "compatibility_level = 3.6" "queue_directory = $T/postfix-queue" \
  "data_directory = $T/postfix-data" "maillog_file_prefixes = /var, /dev/stdout, $T" \
  "maillog_file = $T/postfix.log" "myhostname = postfix.bench.example" \
  "inet_interfaces = 127.0.0.1" "inet_protocols = ipv4" "mynetworks = 127.0.0.0/8" \
  "mydestination =" "relay_domains =" "relayhost = [127.0.0.1]:$SINK_PF" \
  "default_destination_concurrency_limit = 20" "smtp_tls_security_level = none" \
  "smtpd_tls_security_level = none" "biff = no" "alias_maps =" "alias_database ="
sed -i "s/^smtp\s\+inet\s.*/127.0.0.1:$PF_PORT inet n - n - - smtpd/" "$PF_CONF/master.cf"
postconf -c "$PF_CONF" -F '*/*/chroot = n'
postfix -c "$PF_CONF" start >/dev/null || { cat "$T/postfix.log"; die "postfix start failed"; }

# ---------------------------------------------------------------- Moat, relaying to its sink
cat > "$T/moat.toml" <<TOML
server.hostname = "mx.bench.example"
server.data_dir = "$T/moat-data"
listener.bind_address = ["127.0.0.1"]
listener.smtp_port = $MOAT_PORT
listener.submission_port = $((BASE + 4))
listener.submissions_port = $((BASE + 5))
listener.pop3_port = "off"
listener.pop3s_port = "off"
listener.imap_port = "off"
listener.imaps_port = "off"
smtp.trusted_networks = ["127.0.0.0/8"]
limits.banner_delay = "0s"
limits.connection_rate = 1000000
limits.max_connections_per_ip = 10000
limits.message_rate = 10000000
limits.recipient_rate = 10000000
delivery.relay_host = "127.0.0.1"
delivery.relay_port = $SINK_MOAT
delivery.relay_require_tls = false
delivery.max_connections = 20
delivery.max_connections_per_domain = 20
delivery.scan_interval = "100ms"
# The default 6000 recipients/hour per domain would hold the later runs (all go to one domain).
delivery.domain_rate = 100000000
TOML
cd "$here"
./moat --config "$T/moat.toml" domain add bench.example >/dev/null
./moat --config "$T/moat.toml" serve >"$T/moat.out" 2>&1 &
MOAT_PID=$!

wait_port() {
  local deadline=$(( $(date +%s) + 120 ))
  until python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),1).close()" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$2 did not listen on $1 (see $T)"
    sleep 0.2
  done
}
wait_port "$PF_PORT" postfix; wait_port "$MOAT_PORT" moat; wait_port "$SINK_PF" sink; wait_port "$SINK_MOAT" sink

count() { find "$1" -type f | wc -l; }
wait_count() {  # dir target
  local deadline=$(( $(date +%s) + WAIT_LIMIT ))
  until [ "$(count "$1")" -ge "$2" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out: $(count "$1") of $2 in $1"
    sleep 0.05
  done
}
# relay COUNT SIZE SESSIONS PORT SINKDIR -> "accept_seconds relay_seconds"
relay() {
  local before t0 t1 t2
  before=$(count "$5")
  t0=$(now)
  timeout "$WAIT_LIMIT" /usr/sbin/smtp-source -s "$3" -m "$1" -l "$2" -f sender@bench.example \
      -t someone@remote.bench.example "127.0.0.1:$4" >"$T/source.out" 2>&1 || die "smtp-source: $(head -5 "$T/source.out")"
  t1=$(now)
  wait_count "$5" $((before + $1))
  t2=$(now)
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "$t2 - $t0" | bc -l)"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

log "warm-up: 200 x 4 KB through each (not counted)"
relay 200 4096 5 "$MOAT_PORT" "$T/sink-moat" >/dev/null
relay 200 4096 5 "$PF_PORT" "$T/sink-pf" >/dev/null

rows=()
for c in "${CASES[@]}"; do
  read -r n size sessions <<<"$c"
  m=(); p=()
  for run in $(seq "$RUNS"); do
    read -r ma mr <<<"$(relay "$n" "$size" "$sessions" "$MOAT_PORT" "$T/sink-moat")"
    read -r pa pr <<<"$(relay "$n" "$size" "$sessions" "$PF_PORT" "$T/sink-pf")"
    m+=("$(echo "$n / $mr" | bc -l)"); p+=("$(echo "$n / $pr" | bc -l)")
    log "$(printf '%s x %s B, run %s: moat relayed %.0f msg/s (all accepted after %.2f s), postfix %.0f msg/s (accepted after %.2f s)' \
        "$n" "$size" "$run" "${m[-1]}" "$ma" "${p[-1]}" "$pa")"
  done
  mm=$(median "${m[@]}"); pm=$(median "${p[@]}")
  rows+=("$(printf '%-18s | %-20s | %7.0f | %-20s | %7.0f | %5.2f' "$n x $((size / 1024)) KB @ $sessions" \
      "$(printf '%.0f ' "${m[@]}")" "$mm" "$(printf '%.0f ' "${p[@]}")" "$pm" "$(echo "$mm / $pm" | bc -l)")")
done
echo
echo "Outbound relay rate, messages/s: smtp-source -> server (port 25, trusted network) -> smtp-sink,"
echo "from the first injected message until the sink holds all of them. Both: <= 20 outbound connections."
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); postfix $(postconf -c "$PF_CONF" -h mail_version)"
printf '%-18s | %-20s | %7s | %-20s | %7s | %5s\n' case "Moat runs" median "Postfix runs" median "M/P"
printf '%s\n' "${rows[@]}"
echo "moat queue left: $(./moat --config "$T/moat.toml" queue list | tail -1)"

# ---------------------------------------------------------------- drain: the sending side alone
[ "${DRAIN:-1}" = 0 ] && exit 0
DRAIN_N="${DRAIN_N:-$([ -n "${BENCH_QUICK:-}" ] && echo 200 || echo 2000)}"
spread() {  # dir marker -> "all half": seconds from the first (and from the middle) to the last file after marker
  find "$1" -type f -newer "$2" -printf '%T@\n' | sort -g \
    | awk '{t[NR]=$1} END {printf "%.3f %.3f", t[NR]-t[1], t[NR]-t[int(NR/2)+1]}'
}
moat_restart() {  # delivery.enabled value
  kill "$MOAT_PID"; wait "$MOAT_PID" 2>/dev/null || true
  sed -i '/^delivery.enabled = /d' "$T/moat.toml"; echo "delivery.enabled = $1" >> "$T/moat.toml"
  ./moat --config "$T/moat.toml" serve >>"$T/moat.out" 2>&1 &
  MOAT_PID=$!
  wait_port "$MOAT_PORT" moat
}
inject() {  # port count
  timeout "$WAIT_LIMIT" /usr/sbin/smtp-source -s 10 -m "$2" -l 4096 -f sender@bench.example \
      -t someone@remote.bench.example "127.0.0.1:$1" >"$T/source.out" 2>&1 || die "smtp-source: $(head -5 "$T/source.out")"
}
pf_queued() { find "$T/postfix-queue/deferred" "$T/postfix-queue/active" "$T/postfix-queue/incoming" -type f | wc -l; }
dm=(); dp=(); hm=(); hp=()
for run in $(seq "$RUNS"); do
  moat_restart false
  before=$(count "$T/sink-moat")
  inject "$MOAT_PORT" "$DRAIN_N"
  touch "$T/marker"; sleep 0.1
  moat_restart true
  wait_count "$T/sink-moat" $((before + DRAIN_N))
  read -r sm smh <<<"$(spread "$T/sink-moat" "$T/marker")"
  dm+=("$(echo "$DRAIN_N / $sm" | bc -l)"); hm+=("$(echo "($DRAIN_N - $DRAIN_N / 2 - 1) / $smh" | bc -l)")

  postconf -c "$PF_CONF" -e "defer_transports = smtp"; postfix -c "$PF_CONF" reload >/dev/null 2>&1; sleep 2
  before=$(count "$T/sink-pf")
  inject "$PF_PORT" "$DRAIN_N"
  deadline=$(( $(date +%s) + WAIT_LIMIT ))
  until [ "$(pf_queued)" -ge "$DRAIN_N" ]; do [ "$(date +%s)" -lt "$deadline" ] || die "postfix queue: $(pf_queued)"; sleep 0.1; done
  touch "$T/marker"; sleep 0.1
  postconf -c "$PF_CONF" -e "defer_transports ="; postfix -c "$PF_CONF" reload >/dev/null 2>&1
  sleep 2  # the new qmgr must be up, or the old one defers the flushed mail again (not in the spread: marker above)
  postqueue -c "$PF_CONF" -f
  wait_count "$T/sink-pf" $((before + DRAIN_N))
  read -r sp sph <<<"$(spread "$T/sink-pf" "$T/marker")"
  dp+=("$(echo "$DRAIN_N / $sp" | bc -l)"); hp+=("$(echo "($DRAIN_N - $DRAIN_N / 2 - 1) / $sph" | bc -l)")
  log "$(printf 'drain %s x 4 KB, run %s: moat %.0f msg/s (%.2f s; 2nd half %.0f msg/s), postfix %.0f msg/s (%.2f s; 2nd half %.0f msg/s)' \
      "$DRAIN_N" "$run" "${dm[-1]}" "$sm" "${hm[-1]}" "${dp[-1]}" "$sp" "${hp[-1]}")"
done
mm=$(median "${dm[@]}"); pm=$(median "${dp[@]}"); mh=$(median "${hm[@]}"); ph=$(median "${hp[@]}")
echo
echo "Sending side alone (drain of a held queue), messages/s: first to last file in the sink, and the second half only"
echo "(Moat was just restarted: its JIT warms up during the first half). Load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-18s | %-20s | %7s | %-20s | %7s | %5s\n' case "Moat runs" median "Postfix runs" median "M/P"
printf '%-18s | %-20s | %7.0f | %-20s | %7.0f | %5.2f\n' "drain $DRAIN_N x 4 KB" "$(printf '%.0f ' "${dm[@]}")" "$mm" \
    "$(printf '%.0f ' "${dp[@]}")" "$pm" "$(echo "$mm / $pm" | bc -l)"
printf '%-18s | %-20s | %7.0f | %-20s | %7.0f | %5.2f\n' "  2nd half" "$(printf '%.0f ' "${hm[@]}")" "$mh" \
    "$(printf '%.0f ' "${hp[@]}")" "$ph" "$(echo "$mh / $ph" | bc -l)"
