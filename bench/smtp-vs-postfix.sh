#!/usr/bin/env bash
# SMTP acceptance benchmark: Moat vs a private Postfix instance, both on loopback, driven by
# Postfix's smtp-source (port-25 role: no TLS, no AUTH, one connection per message).
#
#   bench/smtp-vs-postfix.sh            (root, or a user that may run `postfix -c`)
#
# What is compared is the ACCEPTANCE rate: wall time until smtp-source has finished, i.e. every
# message got its final 250. For both servers a 250 means "stored durably": Postfix has the
# message in its queue (fsynced by cleanup), Moat has committed it to its store (local delivery
# is done at that point). Postfix then still has to deliver from queue to Maildir; that
# time-to-delivered is reported separately.
#
# Moat's group commit (how many messages one fsync round carries) is measured with
# bench/CommitRounds.java, which prints SqliteStore.commitRounds() between smtp-source runs.
#
# Env: BENCH_QUICK=1 (tiny smoke run), BENCH_CASES (subset of cases, see below), KEEP=1 (keep the temp dir), RUNS (3), WARMUP (500), POSTFIX_PORT (42525), MOAT_PORT (42625), WAIT_LIMIT seconds per wait (600).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-3}"
PF_PORT="${POSTFIX_PORT:-42525}"
MOAT_PORT="${MOAT_PORT:-42625}"
WAIT_LIMIT="${WAIT_LIMIT:-600}"
# Messages sent to each server before measuring; the JIT needs more than 500 to settle (the first
# measured run then still costs Moat about twice the CPU per message of the third).
WARMUP="${WARMUP:-500}"
CASES=("5000 4096 10" "5000 4096 50" "1000 102400 10")   # count size sessions
[ -n "${BENCH_QUICK:-}" ] && { CASES=("200 4096 10" "50 102400 5"); RUNS=1; }   # smoke test of the script
# BENCH_CASES="5000 4096 50;1000 102400 10" runs only those cases (count size sessions, ';'-separated)
[ -n "${BENCH_CASES:-}" ] && IFS=';' read -r -a CASES <<<"$BENCH_CASES"

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
now() { date +%s.%N; }

# ---------------------------------------------------------------- prerequisites
if ! command -v postfix >/dev/null || [ ! -x /usr/sbin/smtp-source ]; then
  [ "$(id -u)" = 0 ] || die "Postfix is missing; install it as root: apt-get install postfix"
  log "installing Postfix (no configuration; we run a private instance)"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y postfix >/dev/null
fi
command -v python3 >/dev/null || die "needs python3 (apt-get install python3)"

T="$(mktemp -d /tmp/moat-bench.XXXXXX)"
chmod 755 "$T"            # Postfix's virtual(8) runs as nobody and must traverse into vmail
MOAT_PID=""
PF_CONF="$T/postfix-conf"
cleanup() {
  set +e
  if [ -n "$MOAT_PID" ] && kill -0 "$MOAT_PID" 2>/dev/null; then
    kill "$MOAT_PID"; for _ in $(seq 50); do kill -0 "$MOAT_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$MOAT_PID" 2>/dev/null
  fi
  [ -f "$PF_CONF/main.cf" ] && postfix -c "$PF_CONF" stop >/dev/null 2>&1
  [ -n "${KEEP:-}" ] && { log "kept $T"; return; }
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'log "failed at line $LINENO: $BASH_COMMAND (temp dir $T)"' ERR

# ---------------------------------------------------------------- private Postfix
log "configuring private Postfix in $T (port $PF_PORT)"
mkdir -p "$PF_CONF" "$T/postfix-queue" "$T/postfix-data" "$T/vmail"
if [ -f /etc/postfix/main.cf ]; then cp /etc/postfix/main.cf "$PF_CONF/"; else : > "$PF_CONF/main.cf"; fi
cp /etc/postfix/master.cf "$PF_CONF/"
chown nobody:nogroup "$T/vmail"
chown postfix "$T/postfix-data"
pc() { postconf -c "$PF_CONF" -e "$@"; }
pc "compatibility_level = 3.6" \
   "queue_directory = $T/postfix-queue" \
   "data_directory = $T/postfix-data" \
   "maillog_file_prefixes = /var, /dev/stdout, $T" "maillog_file = $T/postfix.log" \
   "myhostname = postfix.bench.example" \
   "inet_interfaces = 127.0.0.1" "inet_protocols = ipv4" \
   "mynetworks = 127.0.0.0/8" \
   "mydestination =" \
   "relayhost =" "relay_domains =" \
   "virtual_mailbox_domains = bench.example" \
   "virtual_mailbox_base = $T/vmail" \
   "virtual_mailbox_maps = static:bench/" \
   "virtual_uid_maps = static:$(id -u nobody)" \
   "virtual_gid_maps = static:$(id -g nobody)" \
   "smtpd_forbid_bare_newline = yes" \
   "smtpd_tls_security_level = none" "smtp_tls_security_level = none" \
   "biff = no" "alias_maps =" "alias_database =" "smtputf8_enable = yes"
# the smtp listener moves to a high loopback port; no daemon is chrooted (the queue dir is private)
python3 - "$PF_CONF/master.cf" "$PF_PORT" <<'PY'
import re, sys
path, port = sys.argv[1], sys.argv[2]
out = []
for line in open(path):
    if re.match(r"^smtp\s+inet\s", line):
        line = "127.0.0.1:%s inet n - n - - smtpd\n" % port
    out.append(line)
open(path, "w").write("".join(out))
PY
postconf -c "$PF_CONF" -F '*/*/chroot = n'
# postfix(1) logs its own fatal errors only to maillog_file (the prefixes above allow $T)
postfix -c "$PF_CONF" check || { cat "$T/postfix.log" 2>/dev/null; die "postfix check failed"; }
postfix -c "$PF_CONF" start || { cat "$T/postfix.log" 2>/dev/null; die "postfix start failed"; }

# ---------------------------------------------------------------- Moat
log "configuring Moat in $T (port $MOAT_PORT)"
cat > "$T/moat.toml" <<TOML
server.hostname = "mx.bench.example"
server.data_dir = "$T/moat-data"
listener.bind_address = ["127.0.0.1"]
listener.smtp_port = $MOAT_PORT
listener.submission_port = $((MOAT_PORT + 1))
listener.submissions_port = $((MOAT_PORT + 2))
listener.pop3_port = "off"
listener.pop3s_port = "off"
listener.imap_port = "off"
listener.imaps_port = "off"
# Postfix runs without postscreen/anvil limits here, so Moat's per-client limits (made for
# Internet traffic, not one benchmark client) are opened up to compare the same work.
limits.banner_delay = "0s"
limits.connection_rate = 1000000
limits.max_connections_per_ip = 10000
limits.message_rate = 10000000
limits.recipient_rate = 10000000
TOML
cd "$here"
./moat --config "$T/moat.toml" domain add bench.example >/dev/null
printf 'bench-password-123456\n' | ./moat --config "$T/moat.toml" user add bench@bench.example >/dev/null
./moat --config "$T/moat.toml" serve >"$T/moat.out" 2>&1 &
MOAT_PID=$!
AUDIT="$T/moat-data/audit.log"

wait_port() {  # port what
  local deadline=$(( $(date +%s) + 120 ))
  until python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),1).close()" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$2 did not listen on $1 within 120 s (see $T)"
    sleep 0.2
  done
}
wait_port "$PF_PORT" postfix
wait_port "$MOAT_PORT" moat
kill -0 "$MOAT_PID" || die "moat exited: $(cat "$T/moat.out")"
log "both listening; moat java pid $MOAT_PID"

# ---------------------------------------------------------------- measuring
maildir_count() { { find "$T/vmail/bench/new" "$T/vmail/bench/cur" -type f 2>/dev/null || true; } | wc -l; }
moat_count() { [ -f "$AUDIT" ] || { echo 0; return; }; awk '/"event":"smtp.transaction"/ && /"queue_id":"[^"]*","code":250/ {n++} END {print n+0}' "$AUDIT"; }
moat_rss() { ps -o rss= -p "$MOAT_PID" | tr -d ' '; }
# user + system CPU of the Moat JVM in clock ticks: per message, it is far less sensitive to other
# load on a shared host than the rate is
moat_cpu() { awk '{print $14 + $15}' "/proc/$MOAT_PID/stat"; }
TICKS=$(getconf CLK_TCK)
postfix_rss() {  # master + all its children (smtpd, cleanup, qmgr, trivial-rewrite, virtual, ...)
  local master; master="$(head -1 "$T/postfix-queue/pid/master.pid" | tr -d ' ')"
  { ps -o rss= -p "$master"; ps -o rss= --ppid "$master"; } | awk '{s+=$1} END {print s+0}'
}
# PSS splits shared pages (libc, Postfix's shared libs) between processes; summed RSS counts them per process
postfix_pss() {
  local master p s=0; master="$(head -1 "$T/postfix-queue/pid/master.pid" | tr -d ' ')"
  for p in "$master" $(ps -o pid= --ppid "$master"); do
    s=$(( s + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0) ))
  done
  echo "$s"
}
postfix_queue_empty() { [ -z "$(find "$T/postfix-queue/incoming" "$T/postfix-queue/active" "$T/postfix-queue/deferred" "$T/postfix-queue/maildrop" -type f 2>/dev/null | head -1 || true)" ]; }

# smtp-source COUNT SIZE SESSIONS PORT -> seconds on stdout; fails on any smtp-source error
source_run() {
  local count=$1 size=$2 sessions=$3 port=$4 t0 t1 rc=0
  t0=$(now)
  timeout "$WAIT_LIMIT" /usr/sbin/smtp-source -s "$sessions" -m "$count" -l "$size" \
      -f sender@remote.example -t bench@bench.example "127.0.0.1:$port" >"$T/source.out" 2>&1 || rc=$?
  t1=$(now)
  if [ "$rc" != 0 ] || [ -s "$T/source.out" ]; then
    log "smtp-source against port $port: exit $rc"; head -20 "$T/source.out" >&2
    [ "$rc" = 0 ] || die "smtp-source failed"
  fi
  echo "$t1 - $t0" | bc -l
}

wait_until() {  # description command...
  local what=$1; shift
  local deadline=$(( $(date +%s) + WAIT_LIMIT ))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out after ${WAIT_LIMIT}s waiting for $what"
    sleep 0.1
  done
}
ge() { [ "$("$1")" -ge "$2" ]; }

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
rate() { echo "$1 / $2" | bc -l; }

log "warm-up: $WARMUP x 4 KB at 10 sessions against each (not counted)"
mbefore=$(moat_count); pbefore=$(maildir_count)
source_run "$WARMUP" 4096 10 "$MOAT_PORT" >/dev/null
source_run "$WARMUP" 4096 10 "$PF_PORT" >/dev/null
wait_until "postfix warm-up delivery" ge maildir_count $((pbefore + WARMUP))
[ "$(moat_count)" -eq $((mbefore + WARMUP)) ] || die "moat accepted $(( $(moat_count) - mbefore )) of $WARMUP warm-up messages"

results=()
peak_moat_rss=0; peak_pf_rss=0; peak_pf_pss=0; peak_pf_procs=0
for c in "${CASES[@]}"; do
  read -r count size sessions <<<"$c"
  m_rates=(); p_rates=(); d_rates=(); m_cpu=()
  for run in $(seq "$RUNS"); do
    before=$(moat_count)
    cpu0=$(moat_cpu)
    secs=$(source_run "$count" "$size" "$sessions" "$MOAT_PORT")
    m_cpu+=("$(echo "($(moat_cpu) - $cpu0) * 1000 / $TICKS / $count" | bc -l)")
    got=$(( $(moat_count) - before ))
    [ "$got" -eq "$count" ] || die "moat: $got of $count messages have a smtp.transaction line with a queue_id"
    m_rates+=("$(rate "$count" "$secs")")
    r=$(moat_rss); [ "$r" -gt "$peak_moat_rss" ] && peak_moat_rss=$r

    before=$(maildir_count)
    t0=$(now)
    secs=$(source_run "$count" "$size" "$sessions" "$PF_PORT")
    r=$(postfix_rss); [ "$r" -gt "$peak_pf_rss" ] && peak_pf_rss=$r
    r=$(postfix_pss); [ "$r" -gt "$peak_pf_pss" ] && peak_pf_pss=$r
    n=$(ps -o pid= --ppid "$(head -1 "$T/postfix-queue/pid/master.pid" | tr -d ' ')" | wc -l); [ "$n" -gt "$peak_pf_procs" ] && peak_pf_procs=$n
    wait_until "postfix to deliver $count messages to Maildir" ge maildir_count $((before + count))
    wait_until "postfix queue to drain" postfix_queue_empty
    t1=$(now)
    p_rates+=("$(rate "$count" "$secs")")
    d_rates+=("$(rate "$count" "$(echo "$t1 - $t0" | bc -l)")")
    log "$count x $size B @ $sessions sessions, run $run: moat ${m_rates[-1]%.*} msg/s ($(printf '%.2f' "${m_cpu[-1]}") CPU ms/msg), postfix ${p_rates[-1]%.*} msg/s accepted, ${d_rates[-1]%.*} msg/s delivered (load $(cut -d' ' -f1-3 /proc/loadavg))"
  done
  mm=$(median "${m_rates[@]}"); pm=$(median "${p_rates[@]}"); dm=$(median "${d_rates[@]}")
  results+=("$(printf '%-22s | %-26s | %7.0f | %-26s | %7.0f | %9.0f | %5.2f | %s' \
      "$count x $((size / 1024)) KB @ $sessions" \
      "$(printf '%.0f ' "${m_rates[@]}")" "$mm" \
      "$(printf '%.0f ' "${p_rates[@]}")" "$pm" "$dm" "$(echo "$mm / $pm" | bc -l)" \
      "$(printf '%.2f ' "${m_cpu[@]}")")")
done

echo
echo "SMTP acceptance rate, messages/s (smtp-source, port-25 role, plain text, one connection per message)"
echo "'accepted' = until smtp-source got every final 250; Moat's 250 = committed to its store (delivered),"
echo "Postfix's 250 = queued durably; 'PF delivered' = until every message is in the Maildir and the queue is empty."
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (anything above $(nproc) means other work shared the cores)"
echo "host: $(nproc) cores, $(uname -r); postfix $(postconf -c "$PF_CONF" -h mail_version); java $(readlink -f /proc/$MOAT_PID/exe 2>/dev/null)"
printf '%-22s | %-26s | %7s | %-26s | %7s | %9s | %5s | %s\n' "case" "Moat runs" "median" "Postfix runs (accepted)" "median" "PF deliv." "M/P" "Moat CPU ms/msg (user+sys)"
printf '%s\n' "${results[@]}"
echo
echo "Memory, sampled right after each run, peak: Moat JVM RSS $((peak_moat_rss / 1024)) MiB;"
echo "  Postfix master + $peak_pf_procs children (smtpd, cleanup, qmgr, trivial-rewrite, virtual, ...): RSS sum $((peak_pf_rss / 1024)) MiB, PSS sum $((peak_pf_pss / 1024)) MiB"
echo "Moat accepted $(moat_count) messages (audit lines), Postfix delivered $(maildir_count) files to Maildir"
grep -c '"event":"smtp.transaction"' "$AUDIT" | sed 's/^/moat smtp.transaction lines: /'
grep -v '"event":"smtp\.' "$AUDIT" | head -5 | sed 's/^/moat non-smtp audit line: /' || true
