package moat.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import moat.server.config.ConfigLocator.Location;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --config, else MOAT_CONFIG, else ./moat.toml, else /etc/moat/moat.toml; one case per line. */
class ConfigLocatorTest {
    @TempDir
    Path dir;
    Path work;
    Path etc;
    Path option;
    Path env;

    @BeforeEach
    void places() throws Exception {
        work = Files.createDirectories(dir.resolve("work"));
        etc = dir.resolve("etc/moat.toml");
        option = dir.resolve("option.toml");
        env = dir.resolve("env.toml");
    }

    private Location locate(Optional<Path> opt, Map<String, String> environment) {
        return new ConfigLocator(environment, work, etc).locate(opt);
    }

    private void create(Path... files) throws Exception {
        for (Path f : files) {
            Files.createDirectories(f.getParent());
            Files.writeString(f, "");
        }
    }

    @Test
    void theOrderIsOptionEnvironmentWorkingDirectoryEtc() throws Exception {
        create(option, env, work.resolve("moat.toml"), etc);
        Map<String, String> withEnv = Map.of("MOAT_CONFIG", env.toString());
        assertThat(locate(Optional.of(option), withEnv)).isEqualTo(new Location.Named(option, "--config"));
        assertThat(locate(Optional.empty(), withEnv)).isEqualTo(new Location.Named(env, "MOAT_CONFIG"));
        assertThat(locate(Optional.empty(), Map.of())).isEqualTo(new Location.Found(work.resolve("moat.toml")));
        Files.delete(work.resolve("moat.toml"));
        assertThat(locate(Optional.empty(), Map.of())).isEqualTo(new Location.Found(etc));
        assertThat(locate(Optional.empty(), Map.of("MOAT_CONFIG", ""))).isEqualTo(new Location.Found(etc));
        Files.delete(etc);
        assertThat(locate(Optional.empty(), Map.of()))
                .isEqualTo(new Location.Missing(List.of(work.resolve("moat.toml"), etc)));
    }

    @Test
    void aNamedFileIsTakenAsNamedEvenWhenMissing() throws Exception {
        create(work.resolve("moat.toml"));
        assertThat(locate(Optional.of(Path.of("nope.toml")), Map.of()))
                .isEqualTo(new Location.Named(work.resolve("nope.toml"), "--config"));
        assertThat(locate(Optional.empty(), Map.of("MOAT_CONFIG", "rel/moat.toml")))
                .isEqualTo(new Location.Named(work.resolve("rel/moat.toml"), "MOAT_CONFIG"));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> ConfigLocator.load(
                locate(Optional.of(Path.of("nope.toml")), Map.of())))).hasMessageContaining("no such file");
    }

    @Test
    void noFileAnywhereIsAnErrorNamingThePlaces() {
        Location missing = locate(Optional.empty(), Map.of());
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> ConfigLocator.load(missing)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(work.resolve("moat.toml").toString()).hasMessageContaining(etc.toString())
                .hasMessageContaining("--config").hasMessageContaining("MOAT_CONFIG");
    }

    @Test
    void aRelativeDataDirIsTheConfigFilesNeighbourWhereverTheCommandRuns() throws Exception {
        Path f = dir.resolve("srv/moat.toml");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "server.data_dir = \"./moat-data\"\n");
        Config c = ConfigLocator.load(locate(Optional.empty(), Map.of("MOAT_CONFIG", f.toString())));
        assertThat(c.path(ServerSettings.DATA_DIR)).isEqualTo(dir.resolve("srv/moat-data"));
        assertThat(c.path(moat.server.tls.TlsSettings.CERTIFICATE).startsWith(dir.resolve("srv/moat-data"))).isTrue();
    }
}
