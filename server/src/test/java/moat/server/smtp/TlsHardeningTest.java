package moat.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS on the implicit-TLS port: what a hostile or outdated client cannot get. */
class TlsHardeningTest {
    @TempDir
    Path tmp;

    private static SSLSocket connect(int port, String protocol) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
            @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        plain.setSoTimeout(10_000);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "mx.test.example", port, true);
        s.setEnabledProtocols(new String[] {protocol});
        return s;
    }

    @Test
    void refusesClientInitiatedRenegotiation() throws Exception {
        try (TestServer server = TestServer.start(tmp); SSLSocket s = connect(server.port(Listener.SUBMISSIONS), "TLSv1.2")) {
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
            byte[] greeting = new byte[64];
            int n = s.getInputStream().read(greeting);
            assertThat(new String(greeting, 0, n, StandardCharsets.US_ASCII)).startsWith("220 ");
            // A renegotiation request must not be honoured: the server answers with an alert
            // (the read fails) or closes the connection.
            s.startHandshake();
            s.getOutputStream().write("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThatThrownBy(() -> {
                int r = s.getInputStream().read(new byte[64]);
                if (r == -1) throw new IOException("closed by server");
            }).isInstanceOf(IOException.class);
        }
    }

    @Test
    void negotiatesTls13WithAnAeadSuite() throws Exception {
        try (TestServer server = TestServer.start(tmp); SSLSocket s = connect(server.port(Listener.SUBMISSIONS), "TLSv1.3")) {
            s.startHandshake();
            assertThat(s.getSession().getCipherSuite()).matches("TLS_(AES_128_GCM|AES_256_GCM|CHACHA20_POLY1305)_SHA(256|384)");
        }
    }
}
