package moat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import moat.protocol.smtp.SessionInfo.Listener;
import moat.server.testing.ListeningSockets;
import moat.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener set to "off" opens no socket at all (issue 11: {@code listener.imap_port = 0} used
 * to open a random free port). The kernel's list of this process's listening sockets is compared
 * before and after the start.
 */
class ListenersOffTest {
    @TempDir
    Path dir;

    private static Set<Integer> opened(Set<Integer> before) throws Exception {
        Set<Integer> now = new HashSet<>(ListeningSockets.ofThisProcess());
        now.removeAll(before);
        return now;
    }

    private static String banner(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void imapAndPop3OffListenNowhereAndSmtpStillServes() throws Exception {
        Set<Integer> before = ListeningSockets.ofThisProcess();
        try (TestServer s = TestServer.start(dir, "listener.imap_port = \"off\"", "listener.imaps_port = \"off\"",
                "listener.pop3_port = \"off\"", "listener.pop3s_port = \"off\"")) {
            assertThat(opened(before)).containsExactlyInAnyOrder(s.port(Listener.MX), s.port(Listener.SUBMISSION),
                    s.port(Listener.SUBMISSIONS));
            assertThat(catchThrowable(() -> s.imapPort(false))).hasMessage("listener.imap_port is off");
            assertThat(catchThrowable(() -> s.pop3Port(true))).hasMessage("listener.pop3s_port is off");
            assertThat(banner(s.port(Listener.MX))).startsWith("220 mx.test.example");
        }
    }

    @Test
    void submissionOffLeavesTheOtherServicesListening() throws Exception {
        Set<Integer> before = ListeningSockets.ofThisProcess();
        try (TestServer s = TestServer.start(dir, "listener.submission_port = \"off\"",
                "listener.submissions_port = \"off\"")) {
            assertThat(opened(before)).containsExactlyInAnyOrder(s.port(Listener.MX), s.imapPort(false),
                    s.imapPort(true), s.pop3Port(false), s.pop3Port(true));
            assertThat(catchThrowable(() -> s.port(Listener.SUBMISSION))).hasMessage("listener.submission_port is off");
            assertThat(banner(s.imapPort(false))).startsWith("* OK");
        }
    }

    @Test
    void thePortOffsetLeavesOffListenersOff() throws Exception {
        Set<Integer> before = ListeningSockets.ofThisProcess();
        try (TestServer s = TestServer.start(dir, "server.port_offset = 10000",
                "listener.submission_port = \"off\"", "listener.submissions_port = \"off\"",
                "listener.imap_port = \"off\"", "listener.imaps_port = \"off\"",
                "listener.pop3_port = \"off\"", "listener.pop3s_port = \"off\"")) {
            assertThat(opened(before)).containsExactly(s.port(Listener.MX));
        }
    }

    @Test
    void zeroIsRefusedAsAmbiguous() {
        assertThat(catchThrowable(() -> TestServer.start(dir, "listener.imap_port = 0")))
                .hasMessageContaining("listener.imap_port = 0: 0 is ambiguous: write \"off\" for no listener");
    }
}
