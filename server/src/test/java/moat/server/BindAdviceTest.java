package moat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * What a listener that cannot bind tells the admin (README, "Ports below 1024"): privileges only
 * for "Permission denied", the other mail server for a port in use, whatever the port number.
 */
class BindAdviceTest {
    private static final InetAddress ANY = InetAddress.getLoopbackAddress();

    @Test
    void aPortInUseNamesTheOtherServerNotPrivilegesEvenBelow1024() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, ANY)) {
            // A real clash: the same bind a listener makes, on a port another socket holds.
            BindException clash = catchThrowableOfType(BindException.class, () -> {
                try (ServerSocket again = new ServerSocket()) {
                    again.bind(new InetSocketAddress(ANY, taken.getLocalPort()));
                }
            });
            // Reported as port 25: as root, an exim4 or Postfix on 25 fails exactly like this.
            String advice = Listening.bindAdvice(ANY, 25, "mx", clash, "/jdk/bin/java");
            assertThat(advice).contains("127.0.0.1:25 (mx)", clash.getMessage(), "another mail server",
                    "ss -ltnp 'sport = :25'").doesNotContain("setcap", "privileges");
        }
    }

    @Test
    void permissionDeniedGivesSetcapWithTheLoaderLineAndTheOtherWays() {
        String advice = Listening.bindAdvice(ANY, 587, "submission", new BindException("Permission denied"),
                "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
        assertThat(advice).contains("ports below 1024 need privileges",
                "sudo setcap 'cap_net_bind_service=+ep' /usr/lib/jvm/temurin-25-jdk-amd64/bin/java",
                "echo /usr/lib/jvm/temurin-25-jdk-amd64/lib | sudo tee /etc/ld.so.conf.d/moat-java.conf && sudo ldconfig",
                "moat config set server.port_offset 10000", "moat config set listener.submission_port off");
    }

    @Test
    void theMxRoleIsSwitchedOffByItsSettingName() {
        assertThat(Listening.bindAdvice(ANY, 25, "mx", new BindException("Permission denied"), "/j/bin/java"))
                .contains("moat config set listener.smtp_port off");
    }

    @Test
    void theJdkLibraryDirectoryIsBesideBin() {
        assertThat(Listening.jdkLib("/usr/lib/jvm/jdk-25/bin/java")).isEqualTo("/usr/lib/jvm/jdk-25/lib");
    }
}
