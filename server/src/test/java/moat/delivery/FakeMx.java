package moat.delivery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny in-JVM SMTP server on a real loopback socket, for the failure modes a real MTA will not
 * produce on demand: silence after accept, a dropped connection in the middle of DATA, a missing
 * extension, a scripted RCPT reply. Not an SMTP implementation: it answers a fixed dialogue.
 */
public final class FakeMx implements AutoCloseable {
    public enum Mode { ANSWER, SILENT, DROP_IN_DATA }

    public volatile Mode mode = Mode.ANSWER;
    /** Extensions after the EHLO greeting line. */
    volatile List<String> extensions = List.of("PIPELINING", "8BITMIME", "SMTPUTF8");
    /** Reply to every RCPT. */
    volatile String rcptReply = "250 2.1.5 ok";
    public final List<String> messages = new CopyOnWriteArrayList<>();
    final List<String> commands = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    /** Connections open at once, and the most seen (for connection limits). */
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    /** MAIL commands per accepted connection, in accept order (transactions per connection). */
    final List<AtomicInteger> mailsPerConnection = new CopyOnWriteArrayList<>();
    /** Holds each greeting back this long, so that concurrent deliveries overlap. */
    volatile long greetingDelayMs;
    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    public FakeMx(String ip, int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
        Thread.ofVirtual().start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Closes every open client connection from this side, as a server whose idle timer fired. */
    void dropConnections() throws IOException {
        for (Socket s : open) s.close();
    }

    private void serve(Socket s) {
        AtomicInteger mails = new AtomicInteger();
        mailsPerConnection.add(mails);
        peak.accumulateAndGet(active.incrementAndGet(), Math::max);
        try (s) {
            if (greetingDelayMs > 0) Thread.sleep(greetingDelayMs);
            if (mode == Mode.SILENT) {
                s.getInputStream().read(); // holds the connection open until the client gives up
                return;
            }
            s.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            write(out, "220 fake.remote.example ESMTP");
            String line;
            int accepted = 0;
            while ((line = in.readLine()) != null) {
                commands.add(line);
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO" -> {
                        StringBuilder sb = new StringBuilder();
                        List<String> ext = extensions;
                        sb.append(ext.isEmpty() ? "250 " : "250-").append("fake.remote.example\r\n");
                        for (int i = 0; i < ext.size(); i++)
                            sb.append(i == ext.size() - 1 ? "250 " : "250-").append(ext.get(i)).append("\r\n");
                        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                    case "HELO" -> write(out, "250 fake.remote.example");
                    case "STAR" -> { // STARTTLS offered, then no TLS at all: the client's handshake fails
                        write(out, "220 2.0.0 ready");
                        write(out, "this is not a TLS server hello");
                        return;
                    }
                    case "MAIL" -> {
                        mails.incrementAndGet();
                        accepted = 0;
                        write(out, "250 2.1.0 ok");
                    }
                    case "RSET" -> {
                        accepted = 0;
                        write(out, "250 2.0.0 reset");
                    }
                    case "RCPT" -> {
                        String r = rcptReply;
                        if (r.startsWith("2")) accepted++;
                        write(out, r);
                    }
                    case "DATA" -> {
                        if (accepted == 0) {
                            write(out, "554 5.5.1 no valid recipients"); // RFC 2920 section 3.1
                            continue;
                        }
                        write(out, "354 go ahead");
                        StringBuilder msg = new StringBuilder();
                        String l;
                        int lines = 0;
                        while ((l = in.readLine()) != null && !l.equals(".")) {
                            if (mode == Mode.DROP_IN_DATA && ++lines >= 2) return; // closes mid-DATA
                            msg.append(l.startsWith("..") ? l.substring(1) : l).append("\r\n");
                        }
                        if (l == null) return; // the client went away mid-DATA: no message
                        messages.add(msg.toString());
                        write(out, "250 2.0.0 accepted");
                    }
                    case "QUIT" -> {
                        write(out, "221 bye");
                        return;
                    }
                    default -> write(out, "250 ok");
                }
            }
        } catch (IOException | InterruptedException ignored) {
            // the client went away
        } finally {
            active.decrementAndGet();
        }
    }

    private static void write(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) s.close();
    }
}
