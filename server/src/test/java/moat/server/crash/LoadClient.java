package moat.server.crash;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One load thread: SMTP sessions on the MX port, one after the other, each with 1-8 messages to
 * 1-3 random local users. A message is acknowledged only when the final "250" after DATA was read;
 * any error or non-250 leaves it unacknowledged ("maybe delivered"). Reconnects across restarts.
 */
final class LoadClient implements Runnable {
    /** One message as sent, before dot-stuffing. {@code queueId} is set when the 250 was read. */
    static final class Sent {
        final String messageId;
        final List<String> recipients;
        final byte[] content;
        volatile String queueId;

        Sent(String messageId, List<String> recipients, byte[] content) {
            this.messageId = messageId;
            this.recipients = List.copyOf(recipients);
            this.content = content;
        }

        boolean acked() {
            return queueId != null;
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
    /** Printable ASCII with '.' over-represented: lines that start with a dot need stuffing. */
    private static final byte[] ALPHABET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-_=+/()<>[]{}@#$%^&*'\"~|.....".getBytes(StandardCharsets.US_ASCII);

    private final int id;
    private final int smtpPort;
    private final int users;
    private final SplittableRandom random;
    private final AtomicBoolean stop;
    private final Map<String, Sent> ledger;
    private final AtomicLong sessions;
    private final AtomicLong acked;
    private long sequence;

    LoadClient(int id, int smtpPort, int users, long seed, AtomicBoolean stop, Map<String, Sent> ledger,
               AtomicLong sessions, AtomicLong acked) {
        this.id = id;
        this.smtpPort = smtpPort;
        this.users = users;
        this.random = new SplittableRandom(seed);
        this.stop = stop;
        this.ledger = ledger;
        this.sessions = sessions;
        this.acked = acked;
    }

    @Override
    public void run() {
        // Bounded by the stop flag; each session by socket timeouts and at most 8 messages.
        while (!stop.get()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", smtpPort), 2000);
                socket.setSoTimeout(20_000);
                sessions.incrementAndGet();
                session(new BufferedInputStream(socket.getInputStream()), new BufferedOutputStream(socket.getOutputStream(), 32 * 1024));
            } catch (IOException | RuntimeException e) {
                // server down or killed mid-session: whatever was in flight stays unacknowledged
                pause(20 + random.nextInt(60));
            }
        }
    }

    private void session(InputStream in, OutputStream out) throws IOException {
        if (!reply(in).startsWith("220")) return;
        if (!cmd(in, out, "EHLO client" + id + ".remote.example").startsWith("250")) return;
        int messages = 1 + random.nextInt(8);
        for (int m = 0; m < messages && !stop.get(); m++) {
            if (!sendOne(in, out)) return;
        }
        cmd(in, out, "QUIT");
    }

    /** False when the session should end (a refusal we do not expect). */
    private boolean sendOne(InputStream in, OutputStream out) throws IOException {
        List<String> rcpts = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        while (rcpts.size() < n) {
            String u = "u" + random.nextInt(users) + "@example.org";
            if (!rcpts.contains(u)) rcpts.add(u);
        }
        String messageId = "c" + id + "." + (sequence++) + "." + Long.toHexString(random.nextLong()) + "@crash.test";
        Sent sent = new Sent(messageId, rcpts, content(messageId, rcpts));
        if (!cmd(in, out, "MAIL FROM:<sender@remote.example>").startsWith("250")) return false;
        for (String r : rcpts) {
            if (!cmd(in, out, "RCPT TO:<" + r + ">").startsWith("250")) return false;
        }
        if (!cmd(in, out, "DATA").startsWith("354")) return false;
        // from here on the server may commit it: it is in the ledger as "maybe"
        ledger.put(messageId, sent);
        out.write(stuff(sent.content));
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String last = reply(in);
        if (!last.startsWith("250")) return false;
        int at = last.indexOf("queued as ");
        sent.queueId = at < 0 ? "?" : last.substring(at + "queued as ".length()).strip();
        acked.incrementAndGet();
        return true;
    }

    /** A unique message of 1-20 KB: headers, then random CRLF lines, some starting with '.'. */
    private byte[] content(String messageId, List<String> rcpts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(21 * 1024);
        String headers = "From: <sender@remote.example>\r\n"
                + "To: " + String.join(", ", rcpts.stream().map(r -> "<" + r + ">").toList()) + "\r\n"
                + "Subject: crash harness " + messageId + "\r\n"
                + "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
                + "Message-ID: <" + messageId + ">\r\n"
                + "\r\n";
        b.writeBytes(headers.getBytes(StandardCharsets.US_ASCII));
        int target = 1024 + random.nextInt(19 * 1024 + 1);
        byte[] line = new byte[200];
        while (b.size() < target) {
            int kind = random.nextInt(20);
            int len;
            if (kind == 0) {
                line[0] = '.';
                len = 1; // a lone "." line: must be stuffed or it would end the DATA
            } else if (kind == 1) {
                line[0] = '.';
                line[1] = '.';
                len = 2;
            } else if (kind == 2) {
                len = 0; // empty line
            } else {
                len = 1 + random.nextInt(line.length);
                for (int i = 0; i < len; i++) line[i] = ALPHABET[random.nextInt(ALPHABET.length)];
                if (kind == 3) line[0] = '.';
            }
            b.write(line, 0, len);
            b.writeBytes(CRLF);
        }
        return b.toByteArray();
    }

    /** RFC 5321 section 4.5.2: a line that starts with '.' gets one more '.'. */
    static byte[] stuff(byte[] content) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(content.length + 256);
        boolean lineStart = true;
        for (byte c : content) {
            if (lineStart && c == '.') b.write('.');
            b.write(c);
            lineStart = c == '\n';
        }
        return b.toByteArray();
    }

    private static String cmd(InputStream in, OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply(in);
    }

    /** The last line of a (possibly multi-line) reply; EOF is an IOException. */
    private static String reply(InputStream in) throws IOException {
        String l;
        do {
            l = readLine(in);
        } while (l.length() > 3 && l.charAt(3) == '-');
        return l;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') return sb.toString();
            if (c != '\r') sb.append((char) c);
            if (sb.length() > 4096) throw new IOException("reply line too long");
        }
        throw new IOException("connection closed by server");
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
