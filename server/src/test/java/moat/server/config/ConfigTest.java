package moat.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import moat.core.config.ListenerPort;
import moat.core.config.Setting;
import moat.core.config.Units;
import moat.server.tls.TlsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    @TempDir
    Path dir;

    private Config load(String toml) throws Exception {
        Path f = dir.resolve("moat.toml");
        Files.writeString(f, toml);
        return Config.load(f);
    }

    private ConfigException loadFails(String toml) {
        return (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> load(toml));
    }

    @Test
    void defaultsAreTheSecureOnes() {
        Config c = Config.defaults();
        assertThat(c.get(ServerSettings.SMTP_PORT)).isEqualTo(ListenerPort.of(25));
        assertThat(c.get(ServerSettings.PORT_OFFSET)).isZero();
        assertThat(c.get(ServerSettings.TRUSTED_NETWORKS)).isEmpty();
        assertThat(c.get(ServerSettings.RELAY_DOMAINS)).isEmpty();
        assertThat(c.get(TlsSettings.PROTOCOLS)).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(c.get(TlsSettings.RELOAD_INTERVAL)).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.get(ServerSettings.HOSTNAME)).isNotBlank().isNotEqualTo(ServerSettings.DETECTED);
    }

    @Test
    void emptyFileGivesDefaults() throws Exception {
        assertThat(load("").toString()).isEqualTo(Config.defaults().toString());
    }

    @Test
    void fileOverridesTablesAndDottedKeys() throws Exception {
        Config c = load("""
                [server]
                hostname = "mx.example.org"
                port_offset = 10000
                data_dir = "/var/lib/moat"
                [smtp]
                trusted_networks = ["192.0.2.0/24", "2001:db8::/32"]
                [tls]
                reload_interval = "10min"
                protocols = ["TLSv1.3"]
                """);
        assertThat(c.get(ServerSettings.HOSTNAME)).isEqualTo("mx.example.org");
        assertThat(ServerSettings.effectivePort(c, ServerSettings.SUBMISSION_PORT)).hasValue(10587);
        assertThat(c.get(ServerSettings.TRUSTED_NETWORKS)).containsExactly("192.0.2.0/24", "2001:db8::/32");
        assertThat(c.get(TlsSettings.RELOAD_INTERVAL)).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.get(TlsSettings.PROTOCOLS)).containsExactly("TLSv1.3");
        assertThat(c.path(TlsSettings.CERTIFICATE)).isEqualTo(Path.of("/var/lib/moat/tls/cert.pem"));
        assertThat(c.path(ServerSettings.AUDIT_FILE)).isEqualTo(Path.of("/var/lib/moat/audit.log"));
        assertThat(load("server.hostname = \"a.example\"").get(ServerSettings.HOSTNAME)).isEqualTo("a.example");
    }

    @Test
    void unknownKeyIsAnErrorWithASuggestion() {
        ConfigException e = loadFails("[server]\nhostnme = \"x\"\n");
        assertThat(e.errors()).containsExactly("unknown key server.hostnme (did you mean server.hostname?)");
    }

    @Test
    void outOfBoundsNamesKeyValueAndBounds() {
        ConfigException e = loadFails("[server]\nport_offset = 70000\n[tls]\nreload_interval = \"0s\"\n");
        assertThat(e.errors()).containsExactly(
                "server.port_offset = 70000: is out of bounds: must be 0 to 60000",
                "tls.reload_interval = \"0s\": is out of bounds: must be 1s to 1d");
    }

    @Test
    void collectsEveryErrorAtOnce() {
        ConfigException e = loadFails("""
                [listener]
                smtp_port = "25"
                submission_port = 70000
                bind_address = ["mail.example.org"]
                [tls]
                protocols = ["TLSv1.1"]
                nope = 1
                """);
        assertThat(e.errors()).hasSize(5);
        assertThat(e.errors().get(0)).startsWith("listener.smtp_port = \"25\": wrong type: expected a port 1 to 65535");
        assertThat(e.getMessage()).contains("moat.toml: 5 errors");
    }

    @Test
    void badDurationAndBadSizeAreRefused() {
        assertThat(loadFails("tls.reload_interval = \"5 minutes\"").errors().getFirst())
                .contains("not a duration: \"5 minutes\"");
        assertThat(loadFails("tls.reload_interval = 60").errors().getFirst()).contains("needs a unit");
        assertThatThrownBy(() -> Units.parseBytes("25MB")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> Units.parseBytes("99999999999TiB")).hasMessageContaining("too large");
    }

    @Test
    void unitsParseAndFormat() {
        assertThat(Units.parseBytes("25MiB")).isEqualTo(25L << 20);
        assertThat(Units.parseBytes("64KiB")).isEqualTo(65536);
        assertThat(Units.parseBytes("512")).isEqualTo(512);
        assertThat(Units.formatBytes(25L << 20)).isEqualTo("25MiB");
        assertThat(Units.formatBytes(1000)).isEqualTo("1000");
        assertThat(Units.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Units.parseDuration("10min")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Units.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Units.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Units.formatDuration(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Units.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void bytesSettingAcceptsTextAndIntegers() throws Exception {
        Setting<Long> size = Setting.ofBytes("smtp.max_message_size", "25MiB", "1KiB", "1GiB", "Largest message");
        List<Setting<?>> reg = List.of(size);
        assertThat(Config.parse("smtp.max_message_size = \"64KiB\"", "t", reg).get(size)).isEqualTo(65536L);
        assertThat(Config.parse("smtp.max_message_size = 2048", "t", reg).get(size)).isEqualTo(2048L);
        assertThatThrownBy(() -> Config.parse("smtp.max_message_size = \"2GiB\"", "t", reg))
                .hasMessageContaining("smtp.max_message_size = \"2GiB\": is out of bounds: must be 1KiB to 1GiB");
    }

    @Test
    void defaultFileRoundTripsToTheDefaults() throws Exception {
        String file = Config.defaultFile();
        // Every key as a commented-out dotted line, no [table] header (ADR 0028).
        for (Setting<?> s : Settings.ALL) assertThat(file).contains("\n# " + s.key() + " = ");
        assertThat(file.lines().filter(l -> l.startsWith("["))).isEmpty();
        assertThat(file).contains("# ---- server ----", "# ---- listener ----", "# ---- tls ----", "# ---- log ----");
        Config reread = load(file);
        for (Setting<?> s : Settings.ALL) assertThat((Object) reread.get(s)).isEqualTo(Config.defaults().get(s));
    }

    @Test
    void defaultsTableListsEveryKeyWithBounds() {
        String table = Config.defaultsTable();
        for (Setting<?> s : Settings.ALL) assertThat(table).contains(s.key(), s.doc());
        assertThat(table).contains("allowed: 0 to 60000", "allowed: 1s to 1d");
    }

    @Test
    void withOverrideChecksBounds() {
        Config c = Config.defaults().with(ServerSettings.PORT_OFFSET, 10000);
        assertThat(c.get(ServerSettings.PORT_OFFSET)).isEqualTo(10000);
        assertThat(Config.defaults().get(ServerSettings.PORT_OFFSET)).isZero();
        assertThatThrownBy(() -> ListenerPort.of(70000)).hasMessageContaining("port 70000 is not 1 to 65535");
        assertThatThrownBy(() -> ServerSettings.effectivePort(c.with(ServerSettings.SMTP_PORT, ListenerPort.of(65000)),
                ServerSettings.SMTP_PORT)).hasMessageContaining("above 65535");
    }

    @Test
    void numericSettingsMustHaveBoundsAndSnakeCaseKeys() {
        assertThatThrownBy(() -> Setting.ofString("Bad-Key", "x", "doc")).hasMessageContaining("snake_case");
        assertThatThrownBy(() -> Setting.ofInt("a.b", 0, "n", 1, 10, "doc")).hasMessageContaining("out of bounds");
    }

    @Test
    void invalidTomlIsAnErrorNamingTheFile() {
        ConfigException e = loadFails("[server\n");
        assertThat(e.getMessage()).contains("moat.toml").contains("not valid TOML");
    }

    @Test
    void aLineAppendedForAKeySetEarlierNamesTheKeyAndBothLines() {
        // The README's "append a line" after `moat config set` already wrote that key: TOML refuses
        // the second one; the admin is told which key and where, not only "Duplicate key".
        ConfigException e = loadFails("# moat.toml\nserver.port_offset = 20000\nsmtp.max_recipients = 50\n"
                + "server.port_offset = 10000\n");
        assertThat(e.getMessage()).contains("moat.toml", "not valid TOML",
                "server.port_offset is set twice (lines 2 and 4)", "moat config set");
    }
}
