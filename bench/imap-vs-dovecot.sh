#!/usr/bin/env bash
# IMAP read-path benchmark: Moat vs a private Dovecot instance, both on loopback over implicit TLS
# (IMAPS), both serving the SAME mailbox of N generated messages (default 10,000).
#
#   bench/imap-vs-dovecot.sh            (root: installs dovecot-imapd if missing, runs Dovecot privately)
#
# The messages are generated once as files. Dovecot gets them as Maildir files (its native
# delivery format, no IMAP involved); Moat gets them through IMAP APPEND (its store has no
# import path that bypasses the protocol). Both are then warmed up once (Dovecot builds its index
# on the first SELECT, Moat parses MIME structure on the first FETCH ENVELOPE) and measured RUNS
# times each, alternating servers:
#   login+SELECT      TLS handshake, LOGIN, SELECT INBOX, on a fresh connection
#   UID FETCH FLAGS   UID FETCH 1:* (FLAGS)
#   FETCH ENVELOPE    FETCH 1:* (ENVELOPE)
#   SEARCH HEADER     SEARCH HEADER Subject "xyz-needle" (no full-text index on either side)
#   IDLE wake-up      a second logged-in client APPENDs; time until the idler reads "* n EXISTS"
# plus the server's memory (Moat: the JVM's RSS; Dovecot: RSS and PSS summed over its processes).
#
# The client is a small raw-socket IMAP client in Python (ssl module), the same code for both
# servers: it sends one command and reads until the tagged reply, so client-side parsing (imaplib
# is slow on 10,000 FETCH lines) does not dominate the numbers. It counts the FETCH responses to
# check both servers answered for every message.
#
# Env: COUNT (10000), RUNS (3), KEEP=1 (keep the temp dir), DOVECOT_PORT (42993), MOAT_PORT (43993),
#      WARM_CONNECTIONS (200: LOGIN+SELECT+LOGOUT connections to each server before the runs),
#      BENCH_QUICK=1 (500 messages, 1 run: smoke test of the script).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNT="${COUNT:-10000}"
RUNS="${RUNS:-3}"
[ -n "${BENCH_QUICK:-}" ] && { COUNT=500; RUNS=1; }
DV_PORT="${DOVECOT_PORT:-42993}"
MOAT_PORT="${MOAT_PORT:-43993}"
WARM_CONNECTIONS="${WARM_CONNECTIONS:-200}"
USER_ADDR="bench@bench.example"
PASS="bench-password-123456"

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

# ---------------------------------------------------------------- prerequisites
if ! command -v dovecot >/dev/null || [ ! -x /usr/lib/dovecot/imap ]; then
  [ "$(id -u)" = 0 ] || die "Dovecot is missing; install it as root: apt-get install dovecot-imapd"
  log "installing Dovecot (its service is not started: we run a private instance)"
  # no init script run on install (PEERS.md: it hangs the caller); we never use the system instance
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd >/dev/null
  command -v systemctl >/dev/null && systemctl disable dovecot >/dev/null 2>&1 || true
fi
command -v python3 >/dev/null || die "needs python3 (apt-get install python3)"
command -v openssl >/dev/null || die "needs openssl (apt-get install openssl)"

T="$(mktemp -d /tmp/moat-imapbench.XXXXXX)"
chmod 755 "$T"
MOAT_PID=""
DV_CONF="$T/dovecot/dovecot.conf"
cleanup() {
  set +e
  if [ -n "$MOAT_PID" ] && kill -0 "$MOAT_PID" 2>/dev/null; then
    kill "$MOAT_PID"; for _ in $(seq 50); do kill -0 "$MOAT_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$MOAT_PID" 2>/dev/null
  fi
  if [ -f "$T/dovecot/run/master.pid" ]; then
    doveadm -c "$DV_CONF" stop >/dev/null 2>&1 || kill "$(cat "$T/dovecot/run/master.pid")" 2>/dev/null
  fi
  [ -n "${KEEP:-}" ] && { log "kept $T"; return; }
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'log "failed at line $LINENO: $BASH_COMMAND (temp dir $T)"' ERR

# one certificate for both servers (RSA 2048, self-signed): same handshake cost
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=imap.bench.example" \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
chmod 644 "$T/key.pem" "$T/cert.pem"

# ---------------------------------------------------------------- the messages, once, as files
log "generating $COUNT messages in $T/msgs"
python3 - "$T/msgs" "$COUNT" <<'PY'
import os, random, sys, email.utils
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
rnd = random.Random(20261125)
words = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november "
         "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()
names = ["Alice Example", "Bob Builder", "Carol Jones", "Dave O'Neil", "Eve Müller", "Frank Li"]
t0 = 1764000000
for i in range(1, n + 1):
    who = rnd.choice(names)
    frm = email.utils.formataddr((who, who.split()[0].lower() + "@sender%d.example" % (i % 7)))
    subj = " ".join(rnd.choice(words) for _ in range(rnd.randint(2, 8)))
    if i % 1000 == 500:
        subj = "quarterly xyz-needle report " + subj   # the SEARCH HEADER target: COUNT/1000 hits
    date = email.utils.formatdate(t0 + i * 60, localtime=False)
    body = "\r\n".join(" ".join(rnd.choice(words) for _ in range(12)) for _ in range(rnd.randint(5, 60)))
    hdr = ("Return-Path: <bounce@sender.example>\r\n"
           "Received: from mx.sender.example (mx.sender.example [192.0.2.%d]) by mx.bench.example with ESMTPS; %s\r\n"
           "Message-ID: <%d.%d@sender.example>\r\nDate: %s\r\nFrom: %s\r\nTo: Bench <bench@bench.example>\r\n"
           "Cc: team@bench.example, other@bench.example\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"
           % (i % 250, date, i, t0, date, frm, subj))
    if i % 4 == 0:   # every fourth: multipart/alternative with an attachment
        b = "b%08d" % i
        msg = (hdr + 'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n' % b
               + "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n" % (b, body)
               + "--%s\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n"
                 "Content-Disposition: attachment; filename=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" % b
               + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n" * 20 + "--%s--\r\n" % b)
    else:
        msg = hdr + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
    with open(os.path.join(out, "%06d.eml" % i), "wb") as f:
        f.write(msg.encode("utf-8"))
PY
du -sh "$T/msgs" | sed 's/^/[msgs] /' >&2

# ---------------------------------------------------------------- private Dovecot
log "configuring private Dovecot in $T/dovecot (imaps on $DV_PORT)"
mkdir -p "$T/dovecot/run" "$T/dovecot/state" "$T/dovecot/home"
# the passwd file is written once Moat's user exists (below): Dovecot gets the same Argon2id hash
cat >"$DV_CONF" <<CONF
# private instance: nothing from /etc/dovecot, everything under $T/dovecot
base_dir = $T/dovecot/run
state_dir = $T/dovecot/state
log_path = $T/dovecot/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <$T/cert.pem
ssl_key = <$T/key.pem
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = $T/dovecot/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$T/dovecot/home/%u
}
mail_location = maildir:~/Maildir
mail_fsync = optimized
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DV_PORT
    ssl = yes
  }
}
service anvil {
  # the bench logs in over and over from one address
}
CONF
# Maildir load: one file per message in cur/, named as Dovecot itself names them, mtime = arrival
md="$T/dovecot/home/$USER_ADDR/Maildir"
mkdir -p "$md/cur" "$md/new" "$md/tmp"
python3 - "$T/msgs" "$md/cur" <<'PY'
import os, sys, shutil
src, dst = sys.argv[1], sys.argv[2]
for i, name in enumerate(sorted(os.listdir(src)), 1):
    size = os.path.getsize(os.path.join(src, name))
    target = os.path.join(dst, "%d.M%dP1.bench,S=%d:2," % (1764000000 + i, i, size))
    shutil.copyfile(os.path.join(src, name), target)
    os.utime(target, (1764000000 + i * 60, 1764000000 + i * 60))
PY
chown -R nobody:nogroup "$T/dovecot/home"

# ---------------------------------------------------------------- Moat
log "configuring Moat in $T (imaps on $MOAT_PORT)"
cat >"$T/moat.toml" <<TOML
server.hostname = "imap.bench.example"
server.data_dir = "$T/moat-data"
tls.certificate = "$T/cert.pem"
tls.private_key = "$T/key.pem"
listener.bind_address = ["127.0.0.1"]
listener.smtp_port = "off"
listener.submission_port = "off"
listener.submissions_port = "off"
listener.pop3_port = "off"
listener.pop3s_port = "off"
listener.imap_port = "off"
listener.imaps_port = $MOAT_PORT
# Dovecot runs here with its defaults; Moat's per-client limits (made for Internet traffic, not
# one benchmark client logging in over and over) are opened up to compare the same work.
limits.banner_delay = "0s"
limits.connection_rate = 1000000
limits.max_connections_per_ip = 10000
TOML
cd "$here"
./moat --config "$T/moat.toml" domain add bench.example >/dev/null
printf '%s\n' "$PASS" | ./moat --config "$T/moat.toml" user add "$USER_ADDR" >/dev/null

# LOGIN does the same work on both sides: Dovecot's passwd-file gets Moat's own Argon2id hash
# (PHC string: same m=19456 KiB, t=2, p=1 and salt) under its ARGON2ID scheme (libsodium);
# a Dovecot built without that scheme gets {PLAIN}, and the report says so.
if doveadm pw -l | tr ' ' '\n' | grep -qx ARGON2ID; then
  DV_SCHEME=ARGON2ID
  phc="$(python3 - "$T/moat-data/index.db" "$USER_ADDR" <<'PY'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(c.execute("SELECT password FROM users WHERE address_key = ?", (sys.argv[2].lower(),)).fetchone()[0])
PY
)"
  case "$phc" in '$argon2id$v=19$m=19456,t=2,p=1$'*) ;; *) die "unexpected Moat password hash: ${phc:0:30}";; esac
  printf '%s:{ARGON2ID}%s\n' "$USER_ADDR" "$phc" >"$T/dovecot/passwd"
else
  DV_SCHEME=PLAIN
  log "this Dovecot has no ARGON2ID scheme: its users get {PLAIN} (footnoted in the report)"
  printf '%s:{PLAIN}%s\n' "$USER_ADDR" "$PASS" >"$T/dovecot/passwd"
fi
chmod 644 "$T/dovecot/passwd"
dovecot -c "$DV_CONF" </dev/null >"$T/dovecot/out" 2>&1 || { cat "$T/dovecot/out" "$T/dovecot/dovecot.log" 2>/dev/null; die "dovecot did not start"; }
./moat --config "$T/moat.toml" serve >"$T/moat.out" 2>&1 &
MOAT_PID=$!

wait_port() {  # port what
  local deadline=$(( $(date +%s) + 120 ))
  until python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),1).close()" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$2 did not listen on $1 within 120 s (see $T)"
    sleep 0.2
  done
}
wait_port "$DV_PORT" dovecot
wait_port "$MOAT_PORT" moat
kill -0 "$MOAT_PID" || die "moat exited: $(cat "$T/moat.out")"
log "both listening; moat java pid $MOAT_PID, dovecot master $(cat "$T/dovecot/run/master.pid")"

# memory probes, kB on stdout
cat >"$T/rss-moat.sh" <<SH
#!/bin/sh
ps -o rss= -p $MOAT_PID | tr -d ' '
SH
cat >"$T/rss-dovecot.sh" <<SH
#!/bin/sh
# master + every child (imap-login, imap, auth, config, anvil, log, stats): RSS sum and PSS sum
m=\$(cat $T/dovecot/run/master.pid)
r=0; p=0
# a child may exit between the listing and the reading (an imap process after LOGOUT): 0 then
for pid in \$m \$(ps -o pid= --ppid \$m); do
  v=\$(ps -o rss= -p \$pid | tr -d ' '); r=\$((r + \${v:-0}))
  v=\$(awk '/^Pss:/ {print \$2}' /proc/\$pid/smaps_rollup 2>/dev/null); p=\$((p + \${v:-0}))
done
echo "\$r \$p \$(ps -o pid= --ppid \$m | wc -l)"
SH
chmod +x "$T/rss-moat.sh" "$T/rss-dovecot.sh"

# ---------------------------------------------------------------- the client
cat >"$T/client.py" <<'PY'
"""Raw IMAP-over-TLS client: one command at a time, read until the tagged reply."""
import json, os, re, socket, ssl, subprocess, sys, threading, time

CTX = ssl.create_default_context()
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE

class Conn:
    def __init__(self, port):
        raw = socket.create_connection(("127.0.0.1", port), 30)
        self.s = CTX.wrap_socket(raw)
        self.buf = b""
        self.n = 0
        self.readline()                                  # greeting

    def readline(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(1 << 16)
            if not d: raise EOFError("server closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def cmd(self, text, literal=None):
        """Sends one command; returns (tagged line, untagged bytes); a literal is sent synchronising."""
        self.n += 1
        tag = b"b%05d" % self.n
        if literal is None:
            self.s.sendall(tag + b" " + text + b"\r\n")
        else:
            self.s.sendall(tag + b" " + text + b" {%d}\r\n" % len(literal))
            l = self.readline()
            if not l.startswith(b"+"): raise RuntimeError("no continuation: %r" % l)
            self.s.sendall(literal + b"\r\n")
        end = b"\r\n" + tag + b" "
        data = bytearray(b"\r\n" + self.buf)
        self.buf = b""
        pos = 0   # searched up to here: linear in the response size however the server chunks it
        while True:
            i = data.find(end, pos)
            if i >= 0:
                j = data.find(b"\r\n", i + len(end))
                if j >= 0:
                    tagged = bytes(data[i + 2:j])
                    self.buf = bytes(data[j + 2:])
                    if not tagged.split(b" ")[1] == b"OK":
                        raise RuntimeError("%r -> %r" % (text[:60], tagged))
                    return tagged, bytes(data[2:i])
            else:
                pos = max(0, len(data) - len(end))
            d = self.s.recv(1 << 20)
            if not d: raise EOFError("server closed")
            data += d

def login_select(port, user, pw, res):
    t0 = time.perf_counter()
    c = Conn(port)
    t1 = time.perf_counter()
    c.cmd(b'LOGIN "%s" "%s"' % (user.encode(), pw.encode()))
    t2 = time.perf_counter()
    _, u = c.cmd(b"SELECT INBOX")
    t3 = time.perf_counter()
    res["connect_tls"], res["login"], res["select"] = t1 - t0, t2 - t1, t3 - t2
    exists = int(re.search(rb"\* (\d+) EXISTS", u).group(1))
    return c, exists

def timed(f):
    t = time.perf_counter(); r = f(); return time.perf_counter() - t, r

def main():
    mode, port, user, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if mode == "warm":   # N fresh connections: TLS handshake, LOGIN, SELECT, LOGOUT (warms both servers alike)
        for _ in range(int(sys.argv[5])):
            c = Conn(port)
            c.cmd(b'LOGIN "%s" "%s"' % (user.encode(), pw.encode()))
            c.cmd(b"SELECT INBOX")
            c.cmd(b"LOGOUT")
            c.s.close()
        return
    if mode == "load":   # APPEND every file of a directory, in name order, over W connections
        src, workers = sys.argv[5], 4
        names = sorted(os.listdir(src))
        # 4 workers, interleaved: the UID order differs from Dovecot's, which no measurement depends on
        chunks = [names[i::workers] for i in range(workers)]
        errs = []
        def run(chunk):
            try:
                c = Conn(port)
                c.cmd(b'LOGIN "%s" "%s"' % (user.encode(), pw.encode()))
                for n in chunk:
                    with open(os.path.join(src, n), "rb") as f:
                        c.cmd(b"APPEND INBOX (\\Seen)", f.read())
                c.cmd(b"LOGOUT")
            except Exception as e:
                errs.append(e)
        ts = [threading.Thread(target=run, args=(ch,)) for ch in chunks]
        t = time.perf_counter()
        for th in ts: th.start()
        for th in ts: th.join()
        if errs: raise errs[0]
        print(json.dumps({"load_s": time.perf_counter() - t, "messages": len(names)}))
        return
    # mode == "measure": one round of every measurement; prints JSON
    res = {}
    res["login_select"], (c, exists) = timed(lambda: login_select(port, user, pw, res))
    res["exists"] = exists
    res["fetch_flags"], (_, u) = timed(lambda: c.cmd(b"UID FETCH 1:* (FLAGS)"))
    res["fetch_flags_n"] = u.count(b" FETCH (")
    res["fetch_envelope"], (_, u) = timed(lambda: c.cmd(b"FETCH 1:* (ENVELOPE)"))
    res["fetch_envelope_n"] = u.count(b" FETCH (")
    res["search_header"], (_, u) = timed(lambda: c.cmd(b'SEARCH HEADER Subject "xyz-needle"'))
    res["search_hits"] = len(re.findall(rb"\d+", u.split(b"\r\n")[0].split(b"SEARCH", 1)[1])) if b"SEARCH" in u else -1
    if mode == "measure-idle":
        # the idler: c, selected; the appender: a second logged-in connection
        a = Conn(port)
        a.cmd(b'LOGIN "%s" "%s"' % (user.encode(), pw.encode()))
        c.n += 1
        tag = b"b%05d" % c.n
        c.s.sendall(tag + b" IDLE\r\n")
        while not c.readline().startswith(b"+"): pass
        time.sleep(0.2)   # let the server settle into IDLE
        msg = b"From: idle@bench.example\r\nSubject: wake up\r\n\r\nhello\r\n"
        t = time.perf_counter()
        sender = threading.Thread(target=lambda: a.cmd(b"APPEND INBOX", msg))
        sender.start()
        while True:
            line = c.readline()
            if line.endswith(b"EXISTS"): break
        res["idle_wakeup"] = time.perf_counter() - t
        sender.join()
        c.s.sendall(b"DONE\r\n")
        while not c.readline().startswith(tag): pass
        a.cmd(b"LOGOUT")
    res["rss"] = subprocess.run([sys.argv[5]], capture_output=True, text=True).stdout.split()
    c.cmd(b"LOGOUT")
    print(json.dumps(res))

main()
PY

log "loading Moat: APPEND $COUNT messages over 4 connections"
python3 "$T/client.py" load "$MOAT_PORT" "$USER_ADDR" "$PASS" "$T/msgs" | tee "$T/moat-load.json" >&2

# ---------------------------------------------------------------- measuring
log "cold round (not counted): Dovecot indexes its Maildir on the first SELECT"
python3 "$T/client.py" measure "$DV_PORT" "$USER_ADDR" "$PASS" "$T/rss-dovecot.sh" >"$T/dovecot-cold.json"
python3 "$T/client.py" measure "$MOAT_PORT" "$USER_ADDR" "$PASS" "$T/rss-moat.sh" >"$T/moat-cold.json"
# Warm caches for both: the JVM compiles Moat's TLS handshake and login paths only after some
# connections (the load used 4), Dovecot forks a fresh imap process per connection anyway.
log "warm-up (not counted): $WARM_CONNECTIONS connections with LOGIN + SELECT + LOGOUT to each server"
python3 "$T/client.py" warm "$MOAT_PORT" "$USER_ADDR" "$PASS" "$WARM_CONNECTIONS"
python3 "$T/client.py" warm "$DV_PORT" "$USER_ADDR" "$PASS" "$WARM_CONNECTIONS"
for run in $(seq "$RUNS"); do
  log "run $run (load $(cut -d' ' -f1-3 /proc/loadavg))"
  python3 "$T/client.py" measure "$MOAT_PORT" "$USER_ADDR" "$PASS" "$T/rss-moat.sh" >"$T/moat-$run.json"
  python3 "$T/client.py" measure "$DV_PORT" "$USER_ADDR" "$PASS" "$T/rss-dovecot.sh" >"$T/dovecot-$run.json"
done
# IDLE last: each round appends one message
for run in $(seq "$RUNS"); do
  python3 "$T/client.py" measure-idle "$MOAT_PORT" "$USER_ADDR" "$PASS" "$T/rss-moat.sh" >"$T/moat-idle-$run.json"
  python3 "$T/client.py" measure-idle "$DV_PORT" "$USER_ADDR" "$PASS" "$T/rss-dovecot.sh" >"$T/dovecot-idle-$run.json"
done

# ---------------------------------------------------------------- report
python3 - "$T" "$RUNS" "$COUNT" "$DV_SCHEME" <<'PY'
import json, sys, statistics
T, runs, count, scheme = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def load(name): return json.load(open("%s/%s.json" % (T, name)))
m = [load("moat-%d" % r) for r in range(1, runs + 1)]
d = [load("dovecot-%d" % r) for r in range(1, runs + 1)]
mi = [load("moat-idle-%d" % r) for r in range(1, runs + 1)]
di = [load("dovecot-idle-%d" % r) for r in range(1, runs + 1)]
mc, dc, ml = load("moat-cold"), load("dovecot-cold"), load("moat-load")
for x in m + d:
    assert x["exists"] == count and x["fetch_flags_n"] == count and x["fetch_envelope_n"] == count, x
    assert x["search_hits"] == (count + 500) // 1000, x
def ms(v): return "%.1f" % (v * 1000)
print("IMAP over TLS on loopback, %d-message INBOX, %d runs each (milliseconds; median; Moat/Dovecot ratio: < 1 = Moat faster)" % (count, runs))
W = max(24, 7 * runs)
print("%-24s | %-*s | %8s | %-*s | %8s | %6s" % ("operation", W, "Moat runs", "median", W, "Dovecot runs", "median", "M/D"))
for key, label, mm, dd in [("login_select", "login + SELECT", m, d), ("connect_tls", "  of which TLS connect", m, d),
                           ("login", "  of which LOGIN (*)", m, d), ("select", "  of which SELECT", m, d), ("fetch_flags", "UID FETCH 1:* (FLAGS)", m, d),
                           ("fetch_envelope", "FETCH 1:* (ENVELOPE)", m, d), ("search_header", "SEARCH HEADER Subject", m, d),
                           ("idle_wakeup", "IDLE wake-up (APPEND)", mi, di)]:
    a = [x[key] for x in mm]; b = [x[key] for x in dd]
    ma, mb = statistics.median(a), statistics.median(b)
    print("%-24s | %-*s | %8s | %-*s | %8s | %6.2f" % (label, W, " ".join(ms(v) for v in a), ms(ma),
          W, " ".join(ms(v) for v in b), ms(mb), ma / mb))
print()
if scheme == "ARGON2ID":
    print("(*) both verify Argon2id on every LOGIN, m=19456 KiB, t=2, p=1: Dovecot's passwd-file holds Moat's own hash"
          " as {ARGON2ID} (libsodium), Moat libsodium too when libsodium23 is installed (else Bouncy Castle, about 3x slower; ADR 0023)")
else:
    print("(*) Moat's LOGIN verifies an Argon2id hash (m=19456 KiB, t=2, p=1; its only password storage);"
          " this Dovecot build has no ARGON2ID scheme: its passwd-file holds {PLAIN}, no hashing")
print("cold round (first after loading; not in the table): Moat login+SELECT %s, FETCH ENVELOPE %s, SEARCH %s;"
      % (ms(mc["login_select"]), ms(mc["fetch_envelope"]), ms(mc["search_header"])))
print("  Dovecot (indexes the Maildir now) login+SELECT %s, FETCH ENVELOPE %s, SEARCH %s"
      % (ms(dc["login_select"]), ms(dc["fetch_envelope"]), ms(dc["search_header"])))
print("Moat loaded by APPEND over 4 connections: %d messages in %.1f s (%.0f msg/s); Dovecot loaded by writing Maildir files"
      % (ml["messages"], ml["load_s"], ml["messages"] / ml["load_s"]))
mr = max(int(x["rss"][0]) for x in m + mi)
dr = max(int(x["rss"][0]) for x in d + di); dp = max(int(x["rss"][1]) for x in d + di)
procs = max(int(x["rss"][2]) for x in d + di)
print("memory, sampled at the end of each round, peak: Moat JVM RSS %d MiB; Dovecot master + %d children RSS sum %d MiB, PSS sum %d MiB"
      % (mr // 1024, procs, dr // 1024, dp // 1024))
PY
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; above that other work shared them)"
echo "host: $(uname -r); dovecot $(dovecot --version); java $(readlink -f /proc/$MOAT_PID/exe 2>/dev/null)"
