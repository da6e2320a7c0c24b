package moat.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;
import moat.delivery.ConnectionCacheSettings;
import moat.server.imap.ImapSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code moat config set}: one line changes, the rest of the file stays as the admin left it. */
class ConfigFileTest {
    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        Path f = dir.resolve("moat.toml");
        Files.writeString(f, text);
        return f;
    }

    /** The lines of {@code after} that differ from {@code before} (same line count expected). */
    private static List<String> changed(String before, String after) {
        List<String> a = before.lines().toList();
        List<String> b = after.lines().toList();
        assertThat(b).hasSameSizeAs(a);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) if (!a.get(i).equals(b.get(i))) out.add(b.get(i));
        return out;
    }

    @Test
    void setOnTheGeneratedFileUncommentsOneLineAndKeepsEveryComment() throws Exception {
        Path f = file(Config.defaultFile());
        assertThat(ConfigFile.set(f, "server.port_offset", "10000")).isEqualTo("10000");
        String once = Files.readString(f);
        assertThat(changed(Config.defaultFile(), once)).containsExactly("server.port_offset = 10000");
        assertThat(Config.load(f).get(ServerSettings.PORT_OFFSET)).isEqualTo(10000);

        ConfigFile.set(f, "server.port_offset", "20000");
        ConfigFile.set(f, "delivery.connection_cache_time", "3s");
        String twice = Files.readString(f);
        assertThat(changed(Config.defaultFile(), twice))
                .containsExactly("server.port_offset = 20000", "delivery.connection_cache_time = \"3s\"");
        Config c = Config.load(f);
        assertThat(c.get(ServerSettings.PORT_OFFSET)).isEqualTo(20000);
        assertThat(c.get(ConnectionCacheSettings.IDLE_TIME)).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.toml(ConnectionCacheSettings.IDLE_TIME)).isEqualTo("\"3s\"");
    }

    @Test
    void everyKeyOfTheGeneratedFileIsSetByUncommentingItsOwnLine() throws Exception {
        String template = Config.defaultFile();
        for (Setting<?> s : Settings.ALL) {
            String line = s.key() + " = " + Config.defaults().toml(s);
            assertThat(changed(template, ConfigFile.withValue(template, s.key(), Config.defaults().toml(s))))
                    .as(s.key()).containsExactly(line);
        }
    }

    @Test
    void aTrailingCommentAndAMultiLineValueAreHandled() throws Exception {
        String text = """
                # mine
                delivery.connection_reuse = true           # false: one message per connection
                content.blocked_extensions = ["exe", "scr",
                  "com"]   # short list
                content.max_parts = 500
                """;
        Path f = file(text);
        ConfigFile.set(f, "delivery.connection_reuse", "false");
        ConfigFile.set(f, "content.blocked_extensions", "[\"exe\", \"js\"]");
        assertThat(Files.readString(f)).isEqualTo("""
                # mine
                delivery.connection_reuse = false           # false: one message per connection
                content.blocked_extensions = ["exe", "js"]   # short list
                content.max_parts = 500
                """);
    }

    @Test
    void aTableStyleFileIsEditedInItsTables() throws Exception {
        Path f = file("""
                # an old moat.toml
                [server]
                hostname = "mx.example.org"

                [delivery]
                enabled = true
                """);
        ConfigFile.set(f, "server.port_offset", "10000");
        ConfigFile.set(f, "server.hostname", "mail.example.org");
        ConfigFile.set(f, "smtp.relay_domains", "[\"example.net\"]");
        assertThat(Files.readString(f)).isEqualTo("""
                # an old moat.toml
                [server]
                hostname = "mail.example.org"
                port_offset = 10000

                [delivery]
                enabled = true

                [smtp]
                relay_domains = ["example.net"]
                """);
        Config c = Config.load(f);
        assertThat(c.get(ServerSettings.PORT_OFFSET)).isEqualTo(10000);
        assertThat(c.get(ServerSettings.RELAY_DOMAINS)).containsExactly("example.net");
    }

    @Test
    void aKeyMissingFromAHandWrittenFileGoesAfterItsSection() throws Exception {
        Path f = file("server.hostname = \"mx.example.org\"\nsmtp.max_recipients = 50\n");
        ConfigFile.set(f, "server.port_offset", "1000");
        ConfigFile.set(f, "tls.reload_interval", "\"10m\"");
        assertThat(Files.readString(f)).isEqualTo("server.hostname = \"mx.example.org\"\nserver.port_offset = 1000\n"
                + "smtp.max_recipients = 50\n\ntls.reload_interval = \"10m\"\n");
    }

    @Test
    void anInvalidValueIsRefusedAndTheFileIsUntouched() throws Exception {
        Path f = file(Config.defaultFile());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        String before = Files.readString(f);
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigFile.set(f, "server.port_offset", "70000"))
                .getMessage()).isEqualTo("server.port_offset = 70000: is out of bounds: must be 0 to 60000");
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigFile.set(f, "listener.imap_port", "0"))
                .getMessage()).contains("0 is ambiguous", "\"off\"", "\"ephemeral\"");
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigFile.set(f, "smtp.relay_domain", "[]"))
                .getMessage()).contains("unknown key smtp.relay_domain", "did you mean smtp.relay_domains?");
        assertThat(catchThrowableOfType(ConfigException.class,
                () -> ConfigFile.set(f, "delivery.connection_cache_time", "soon")).getMessage()).contains("not a duration");
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigFile.set(f, "delivery.enabled", "yes"))
                .getMessage()).contains("true or false");
        assertThat(Files.readString(f)).isEqualTo(before);
        assertThat(dir.toFile().list()).containsExactly("moat.toml"); // no temp file left behind

        ConfigFile.set(f, "listener.imap_port", "off");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(Config.load(f).get(ImapSettings.IMAP_PORT)).isEqualTo(ListenerPort.OFF);
    }

    @Test
    void anEditThatLeavesAnotherErrorInTheFileIsNotWritten() throws Exception {
        Path f = file("server.port_offset = 1\nsmtp.max_recipients = \"many\"\n");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigFile.set(f, "server.port_offset", "2"));
        assertThat(e.errors()).singleElement().asString().startsWith("smtp.max_recipients = \"many\"");
        assertThat(Files.readString(f)).isEqualTo("server.port_offset = 1\nsmtp.max_recipients = \"many\"\n");
        ConfigFile.set(f, "smtp.max_recipients", "50"); // fixing the broken line itself is allowed
        assertThat(Config.load(f).get(moat.server.smtp.SmtpSettings.MAX_RECIPIENTS)).isEqualTo(50);
    }

    @Test
    void valuesAreTomlOrPlainWordsWhereTheTypeIsText() {
        assertThat(ConfigFile.valueText(ConnectionCacheSettings.IDLE_TIME, "\"5s\"")).isEqualTo("\"5s\"");
        assertThat(ConfigFile.valueText(ConnectionCacheSettings.IDLE_TIME, "45s")).isEqualTo("\"45s\"");
        assertThat(ConfigFile.valueText(ServerSettings.PORT_OFFSET, "10000")).isEqualTo("10000");
        assertThat(ConfigFile.valueText(ServerSettings.RELAY_DOMAINS, "[\"a.example\",\"b.example\"]"))
                .isEqualTo("[\"a.example\", \"b.example\"]");
        assertThat(ConfigFile.valueText(ServerSettings.HOSTNAME, "mail.example.org")).isEqualTo("\"mail.example.org\"");
        assertThat(ConfigFile.valueText(ImapSettings.IMAPS_PORT, "off")).isEqualTo("\"off\"");
        assertThat(ConfigFile.valueText(ImapSettings.IMAPS_PORT, "10993")).isEqualTo("10993");
        assertThat(ConfigFile.valueText(moat.server.content.ContentSettings.MAX_SCAN_SIZE, "20MiB")).isEqualTo("\"20MiB\"");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                () -> ConfigFile.valueText(ServerSettings.RELAY_DOMAINS, "a.example"))).hasMessageContaining("[\"a\", \"b\"]");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                () -> ConfigFile.valueText(ServerSettings.PORT_OFFSET, "lots"))).hasMessageContaining("not a TOML value");
    }
}
