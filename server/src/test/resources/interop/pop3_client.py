"""POP3 interop with Python's poplib (Debian: python3). Usage: pop3_client.py MODE PORT CAFILE USER PASSWORD
MODE: ssl (POP3_SSL, implicit TLS) or stls (POP3 + stls()). Prints one result per line; exits non-zero on error."""
import poplib
import ssl
import sys

mode, port, cafile, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=cafile)
ctx.check_hostname = False  # the test certificate names mx.test.example, we connect to 127.0.0.1
if mode == "ssl":
    p = poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=15)
else:
    p = poplib.POP3("127.0.0.1", port, timeout=15)
    caps = p.capa()
    print("capa-before-tls", " ".join(sorted(caps)))
    p.stls(context=ctx)
print("welcome", p.getwelcome().decode())
print("capa", " ".join(sorted(p.capa())))
p.user(user)
p.pass_(password)
count, size = p.stat()
print("stat", count, size)
resp, listing, _ = p.list()
print("list", " ".join(l.decode() for l in listing))
resp, uidls, _ = p.uidl()
print("uidl", " ".join(l.decode() for l in uidls))
resp, lines, octets = p.retr(1)
body = b"\r\n".join(lines) + b"\r\n"
print("retr", octets, "subject" if any(l.startswith(b"Subject: ") for l in lines) else "nosubject",
      "dotline" if b".a line starting with a dot" in lines else "nodot")
resp, lines, octets = p.top(1, 1)
print("top", len(lines), lines[-1].decode())
print("dele", p.dele(1).decode())
print("quit", p.quit().decode())
