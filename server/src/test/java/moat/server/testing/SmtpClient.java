package moat.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A minimal line-level SMTP client for tests: send raw text, read reply lines. */
public final class SmtpClient implements AutoCloseable {
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    public SmtpClient(String host, int port) throws IOException {
        this(host, port, null);
    }

    /** Connects from {@code local} (e.g. 127.0.0.7: Linux routes all of 127/8 to lo); null = any. */
    public SmtpClient(String host, int port, String local) throws IOException {
        socket = new Socket();
        if (local != null) socket.bind(new InetSocketAddress(local, 0));
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(15_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public void startTls() throws Exception {
        socket = TestServer.clientTls(socket);
        socket.setSoTimeout(15_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public void sendBytes(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** One reply line without CRLF, or null at end of stream. */
    public String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') break;
            if (c != '\r') b.write(c);
        }
        if (c == -1 && b.size() == 0) return null;
        return b.toString(StandardCharsets.UTF_8);
    }

    /** All lines of one (possibly multi-line) reply. */
    public List<String> reply() throws IOException {
        List<String> lines = new ArrayList<>();
        String l;
        do {
            l = readLine();
            if (l == null) break;
            lines.add(l);
        } while (l.length() > 3 && l.charAt(3) == '-');
        return lines;
    }

    /** Sends a command and returns the last line of its reply. */
    public String cmd(String line) throws IOException {
        send(line + "\r\n");
        List<String> r = reply();
        return r.isEmpty() ? null : r.getLast();
    }

    /**
     * One transaction, each step asserted to be accepted (MAIL 250, RCPT 250, DATA 354); returns
     * the reply to the end of data. {@code message} ends with CRLF; the final "." is added here.
     */
    public String transaction(String from, String to, String message) throws IOException {
        assertThat(cmd("MAIL FROM:<" + from + ">")).startsWith("250");
        assertThat(cmd("RCPT TO:<" + to + ">")).startsWith("250");
        assertThat(cmd("DATA")).startsWith("354");
        return cmd(message + ".");
    }

    /** Bytes readable without blocking (a reply the server already sent). */
    public int available() throws IOException {
        return in.available();
    }

    /** True when the server closed the connection (EOF). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
