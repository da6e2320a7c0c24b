package moat.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated moat.toml and the README agree: a line the README shows, appended to the file
 * as written, sets that key (issue 11: {@code server.port_offset = 10000} used to land in the
 * last {@code [delivery]} table of the file and fail as {@code delivery.server.port_offset}).
 */
class ConfigTemplateTest {
    @TempDir
    Path dir;

    private Config appendAndLoad(String lines) throws Exception {
        Path f = dir.resolve("moat.toml");
        Files.writeString(f, Config.defaultFile() + lines + "\n");
        return Config.load(f);
    }

    @Test
    void portOffsetAppendedToTheGeneratedFileShiftsEveryPort() throws Exception {
        Config c = appendAndLoad("server.port_offset = 10000");
        assertThat(c.get(ServerSettings.PORT_OFFSET)).isEqualTo(10000);
        assertThat(ServerSettings.effectivePort(c, ServerSettings.SMTP_PORT)).hasValue(10025);
        assertThat(ServerSettings.effectivePort(c, moat.server.imap.ImapSettings.IMAPS_PORT)).hasValue(10993);
    }

    @Test
    void representativeLinesOfEverySectionApplyWhenAppended() throws Exception {
        Config c = appendAndLoad("""
                smtp.relay_domains = ["example.com", "example.net"]
                delivery.transports = ["example.com = 10.0.0.5:25", "example.net = [mail.internal]:2525"]
                delivery.connection_cache_time = "3s"
                content.pattern_action = "quarantine"
                content.max_scan_size = "20MiB"
                listener.imap_port = "off"
                tls.reload_interval = "10min"
                """);
        assertThat(c.get(ServerSettings.RELAY_DOMAINS)).containsExactly("example.com", "example.net");
        assertThat(c.get(moat.delivery.ConnectionCacheSettings.IDLE_TIME)).hasSeconds(3);
        assertThat(c.get(moat.server.content.ContentSettings.MAX_SCAN_SIZE)).isEqualTo(20L << 20);
        assertThat(c.get(moat.server.imap.ImapSettings.IMAP_PORT)).isEqualTo(ListenerPort.OFF);
    }

    /** Every ```toml block of the README, appended on its own to the generated file, loads and applies. */
    @Test
    void everyTomlBlockOfTheReadmeAppliesWhenAppended() throws Exception {
        Path readme = Path.of("").toAbsolutePath().getParent().resolve("README.md");
        assertThat(readme).exists();
        List<String> blocks = tomlBlocks(Files.readString(readme));
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(4);
        int changed = 0;
        for (String block : blocks) {
            Config appended = appendAndLoad(block);
            Config alone = Config.parse(block, "README block", Settings.ALL);
            for (Setting<?> s : Settings.ALL) {
                assertThat((Object) appended.get(s)).as(s.key() + " in\n" + block).isEqualTo(alone.get(s));
                if (!alone.toml(s).equals(Config.defaults().toml(s))) changed++;
            }
        }
        assertThat(changed).as("the README blocks set something other than defaults").isGreaterThan(5);
    }

    @Test
    void aLineAppendedBelowATableOfAnOldFileNamesTheCauseAndTheWayOut() throws Exception {
        Path f = dir.resolve("old.toml");
        Files.writeString(f, "[server]\nhostname = \"mx.example.org\"\n\n[delivery]\nenabled = true\n"
                + "server.port_offset = 10000\n");
        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> Config.load(f));
        assertThat(e.errors()).singleElement().asString().contains("unknown key delivery.server.port_offset",
                "[delivery] table header", "moat config set server.port_offset");
    }

    private static List<String> tomlBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        StringBuilder current = null;
        for (String line : markdown.lines().toList()) {
            if (current == null && line.strip().equals("```toml")) current = new StringBuilder();
            else if (current != null && line.strip().equals("```")) {
                blocks.add(current.toString());
                current = null;
            } else if (current != null) current.append(line).append('\n');
        }
        return blocks;
    }
}
