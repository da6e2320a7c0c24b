package moat.protocol.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.Reason;
import moat.core.Reply;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.protocol.smtp.SessionInfo.TlsInfo;

/**
 * Drives one {@link SmtpSession} the way the I/O layer would, without sockets, and writes every
 * {@link Action} it returns as a short string ({@code "250 2.1.0"}, {@code "close 221 2.0.0"},
 * {@code "tls 220 2.0.0"}, {@code "data 354"}, {@code "chunk"}) so tests read as tables.
 *
 * <p>A step is a command line, where {@code \xNN} stands for one octet (NUL, bare CR, bytes that
 * are not UTF-8), or one of the I/O events: {@code <tls>} (the handshake finished),
 * {@code <too long>} (the line overflowed the limit), {@code <body TEXT>} (the DATA stream or BDAT
 * chunk asked for by the previous step, {@code \r\n} written as such, read to its end).
 */
final class SessionDriver {
    static final TlsInfo TLS = new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256");

    /** The listener the session runs on: its role and whether a certificate is configured. */
    enum Port {
        MX(Listener.MX, true, false),
        MX_NO_CERT(Listener.MX, false, false),
        SUBMISSION(Listener.SUBMISSION, true, false),
        SUBMISSIONS(Listener.SUBMISSIONS, true, true);

        final Listener listener;
        final boolean tlsAvailable;
        final boolean implicitTls;

        Port(Listener listener, boolean tlsAvailable, boolean implicitTls) {
            this.listener = listener;
            this.tlsAvailable = tlsAvailable;
            this.implicitTls = implicitTls;
        }
    }

    /** Where a table row starts: the steps that lead there, each of which must succeed. */
    enum State {
        GREETED(),
        HELO("HELO client.example"),
        EHLO("EHLO client.example"),
        MAIL("EHLO client.example", "MAIL FROM:<s@client.example>"),
        RCPT("EHLO client.example", "MAIL FROM:<s@client.example>", "RCPT TO:<alice@example.org>"),
        /** The handshake finished, the client has not said EHLO again. */
        TLS("EHLO client.example", "STARTTLS", "<tls>"),
        TLS_EHLO("EHLO client.example", "STARTTLS", "<tls>", "EHLO client.example"),
        AUTHED("EHLO client.example", "STARTTLS", "<tls>", "EHLO client.example", "AUTH PLAIN " + SessionDriver.ALICE),
        AUTHED_MAIL("EHLO client.example", "STARTTLS", "<tls>", "EHLO client.example", "AUTH PLAIN " + SessionDriver.ALICE,
                "MAIL FROM:<alice@example.org>");

        final List<String> steps;

        State(String... steps) {
            this.steps = List.of(steps);
        }
    }

    /** AUTH PLAIN responses (RFC 4616: NUL user NUL password, base64). */
    static final String ALICE = "AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA=="; // \0alice@example.org\0secret
    static final String ALICE_WRONG = "AGFsaWNlQGV4YW1wbGUub3JnAHdyb25n"; // \0alice@example.org\0wrong
    static final String TEMPFAIL = "AHRlbXBmYWlsQGV4YW1wbGUub3JnAHNlY3JldA=="; // \0tempfail@example.org\0secret

    final FakeHandler handler = new FakeHandler();
    final SmtpSession session;
    private final Port port;
    private Action last;

    SessionDriver(Port port) {
        this(port, SmtpLimits.defaults());
    }

    SessionDriver(Port port, SmtpLimits limits) {
        this.port = port;
        this.session = new SmtpSession(new SmtpSession.Config("mx.example.org", port.listener, limits, port.tlsAvailable),
                handler, "s1", new InetSocketAddress("192.0.2.1", 40000),
                port.implicitTls ? Optional.of(TLS) : Optional.empty());
    }

    /** Runs the steps of {@code state}; on an implicit-TLS port STARTTLS and the handshake are skipped. */
    SessionDriver reach(State state) {
        for (String step : state.steps) {
            if (port.implicitTls && (step.equals("STARTTLS") || step.equals("<tls>"))) continue;
            String got = step(step);
            assertThat(got).as("setup step '%s' towards %s", step, state).matches("(tls )?[23][0-9][0-9].*|-");
        }
        return this;
    }

    /** One step (see the class comment); returns the action as a short string. */
    String step(String step) {
        if (step.equals("<tls>")) {
            assertThat(last).as("the handshake follows STARTTLS").isInstanceOf(Action.StartTls.class);
            session.tlsStarted(TLS);
            last = null;
            return "-";
        }
        if (step.equals("<too long>")) return show(session.onLineTooLong());
        if (step.startsWith("<body ") && step.endsWith(">")) return body(step.substring(6, step.length() - 1));
        byte[] line = octets(step);
        return show(session.onLine(line, line.length));
    }

    /** The last reply's text lines (EHLO keywords, for instance). */
    List<String> lines() {
        return switch (last) {
            case Action.Send s -> s.reply().lines();
            case Action.Close c -> c.reply().lines();
            case Action.StartTls t -> t.reply().lines();
            case Action.ReadData d -> d.reply().lines();
            case Action.ReadChunk c -> List.of();
            case null -> List.of();
        };
    }

    /** The reason behind the last reply, if it was a refusal. */
    Optional<Reason> reason() {
        return switch (last) {
            case Action.Send s -> s.reply().reason();
            case Action.Close c -> c.reply().reason();
            default -> Optional.empty();
        };
    }

    private String body(String text) {
        byte[] b = octets(text.replace("\\r", "\r").replace("\\n", "\n"));
        try {
            switch (last) {
                case Action.ReadData d -> {
                    int used = d.decoder().feed(b, 0, b.length, d.sink());
                    assertThat(d.decoder().ended()).as("the body ends with CRLF.CRLF").isTrue();
                    assertThat(used).isEqualTo(b.length);
                    return show(session.dataEnded());
                }
                case Action.ReadChunk c -> {
                    assertThat((long) b.length).as("chunk size").isEqualTo(c.size());
                    c.decoder().feed(b, 0, b.length, c.sink());
                    return show(session.chunkEnded());
                }
                case null, default -> throw new AssertionError("no DATA or BDAT to read a body for, last action " + last);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String show(Action a) {
        last = a;
        return switch (a) {
            case Action.Send s -> code(s.reply());
            case Action.Close c -> "close " + code(c.reply());
            case Action.StartTls t -> "tls " + code(t.reply());
            case Action.ReadData d -> "data " + code(d.reply());
            case Action.ReadChunk c -> "chunk";
        };
    }

    private static String code(Reply r) {
        return r.code() + r.status().map(s -> " " + s).orElse("");
    }

    /** The line as octets: {@code \xNN} is one octet, every other character its UTF-8 encoding. */
    static byte[] octets(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            if (s.startsWith("\\x", i) && i + 4 <= s.length()) {
                out.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                int cp = s.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp) - 1;
            }
        }
        return out.toByteArray();
    }

    /**
     * A handler standing in for policy and store: alice@example.org / secret logs in,
     * tempfail@example.org meets a broken user store, unknown@example.org is no user; every other
     * stage accepts. It records what the session told it.
     */
    static final class FakeHandler implements SmtpHandler {
        final List<AuditEvent> events = new ArrayList<>();
        final List<String> stored = new ArrayList<>();
        int discarded;

        @Override
        public AuthResult authenticate(SessionInfo session, String username, char[] password) {
            if (username.equals("tempfail@example.org")) return new AuthResult.TemporaryFailure();
            return username.equals("alice@example.org") && new String(password).equals("secret")
                    ? new AuthResult.Success(EmailAddress.of(username)) : new AuthResult.Failure();
        }

        @Override
        public Optional<Reply> mailFrom(SessionInfo session, Optional<EmailAddress> sender) {
            return Optional.empty();
        }

        @Override
        public Optional<Reply> rcptTo(SessionInfo session, Optional<EmailAddress> sender, EmailAddress recipient) {
            return recipient.toString().equals("unknown@example.org") ? Optional.of(Reply.of(Reason.RCPT_UNKNOWN)) : Optional.empty();
        }

        @Override
        public MessageSink beginMessage(SessionInfo session, Transaction transaction) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            return new MessageSink() {
                @Override
                public OutputStream out() {
                    return out;
                }

                @Override
                public void discard() {
                    discarded++;
                }

                @Override
                public String toString() {
                    return out.toString(StandardCharsets.UTF_8);
                }
            };
        }

        @Override
        public Outcome endMessage(SessionInfo session, Transaction transaction, MessageSink sink) {
            stored.add(sink.toString());
            String id = "Q" + stored.size();
            return new Outcome(Reply.of(250, "2.0.0", "OK queued as " + id), Optional.of(id));
        }

        @Override
        public void audit(SessionInfo session, AuditEvent event) {
            events.add(event);
        }
    }
}
