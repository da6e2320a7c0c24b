package moat.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import moat.core.Domain;
import moat.core.config.ListenerPort;
import moat.server.config.Config;
import moat.dns.testserver.TestDnsServer;
import moat.server.config.ConfigLocator;
import moat.server.config.ServerSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MoatCommandTest {
    @TempDir
    Path dir;

    final InMemoryDirectory directory = new InMemoryDirectory();
    final List<Config> opened = new ArrayList<>();
    StringWriter out;
    StringWriter err;

    record Result(int exit, String out, String err) {}

    /** Runs {@code moat args...} with {@code stdin} as standard input (for the password). */
    Result piped(String stdin, String... args) {
        CommandLine cli = MoatCommand.commandLine(config -> {
            opened.add(config);
            return directory;
        }, PasswordSource.stream(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))), locator);
        out = new StringWriter();
        err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    Result run(String... args) {
        return piped("", args);
    }

    /** The commands run "in" {@code dir}, which holds a moat.toml, with an empty environment. */
    ConfigLocator locator;

    @BeforeEach
    void exampleDomainAndConfig() throws Exception {
        directory.addDomain(Domain.of("example.org"));
        Files.writeString(dir.resolve("moat.toml"), Config.defaultFile());
        locator = new ConfigLocator(Map.of(), dir, dir.resolve("etc/moat/moat.toml"));
    }

    @Test
    void addsListsAndRemovesDomains() {
        assertThat(run("domain", "add", "Example.NET")).isEqualTo(new Result(0, "added domain example.net\n"
                + "postmaster@example.net and abuse@example.net are deferred (451) until they have somewhere to go: there is"
                + " no user yet and server.postmaster is not set; the first user you add gets them, or"
                + " ./moat config set server.postmaster you@example.net  (or for this domain only:"
                + " ./moat alias add postmaster@example.net you@example.net)\n", ""));
        assertThat(run("domain", "add", "bücher.example").exit()).isZero();
        assertThat(run("domain", "list").out()).isEqualTo(
                "example.net\nexample.org\nxn--bcher-kva.example (bücher.example)\n");
        assertThat(run("domain", "add", "example.net")).isEqualTo(
                new Result(1, "", "moat: domain example.net already exists\n"));
        assertThat(run("domain", "del", "example.net").exit()).isZero();
        assertThat(run("domain", "del", "example.net").err()).isEqualTo("moat: no such domain: example.net\n");
    }

    @Test
    void domainAddSaysWherePostmasterAndAbuseGo() throws Exception {
        piped("pw-of-the-admin\n", "user", "add", "admin@example.org");
        piped("pw-of-the-user\n", "user", "add", "aaron@example.org");
        assertThat(run("domain", "add", "example.net").out()).endsWith("postmaster@example.net and abuse@example.net go to"
                + " admin@example.org (the first user added); change with: ./moat config set server.postmaster you@example.net"
                + "  (or for this domain only: ./moat alias add postmaster@example.net you@example.net)\n");
        Path config = dir.resolve("moat.toml");
        Files.writeString(config, "server.postmaster = \"ops@remote.example\"\n");
        assertThat(run("--config", config.toString(), "domain", "add", "example.com").out())
                .contains("postmaster@example.com and abuse@example.com go to ops@remote.example (server.postmaster)");
        // server.postmaster naming a local address nobody has: adding "the first user" would not help.
        Files.writeString(config, "server.postmaster = \"admin@example.com\"\n");
        assertThat(run("--config", config.toString(), "domain", "add", "example.info").out())
                .contains("are deferred (451) until they have somewhere to go: server.postmaster = \"admin@example.com\""
                        + " is no user nor alias here; add admin@example.com as a user or alias, or ./moat config set")
                .doesNotContain("first user");
    }

    @Test
    void userAddReadsThePasswordFromStdin() {
        Result r = piped("correct horse battery\n", "user", "add", "Bob@example.org");
        assertThat(r).isEqualTo(new Result(0, "added user Bob@example.org\n", ""));
        assertThat(directory.passwords).containsEntry("bob@example.org", "correct horse battery");
        assertThat(run("user", "list").out()).isEqualTo("Bob@example.org\n");
    }

    @Test
    void stdinPasswordMayEndInCrLf() {
        assertThat(piped("s3cret-pw\r\n", "user", "add", "bob@example.org").exit()).isZero();
        assertThat(directory.passwords).containsEntry("bob@example.org", "s3cret-pw");
    }

    @Test
    void shortOrMissingPasswordIsAUsageError() {
        assertThat(piped("short\n", "user", "add", "bob@example.org"))
                .isEqualTo(new Result(2, "", "moat: password too short: at least 8 characters\n"));
        assertThat(piped("", "user", "add", "bob@example.org").err()).contains("no password on standard input");
        assertThat(directory.users).isEmpty();
    }

    @Test
    void thereIsNoWayToPassAPasswordInArgv() {
        Result option = piped("", "user", "add", "bob@example.org", "--password", "hunter2hunter2");
        assertThat(option.exit()).isEqualTo(2);
        assertThat(option.err()).startsWith("moat: unknown option").contains("never taken from the command line")
                .doesNotContain("hunter2");
        Result positional = piped("", "user", "add", "bob@example.org", "hunter2hunter2");
        assertThat(positional.exit()).isEqualTo(2);
        assertThat(positional.err()).contains("unknown option or extra argument").doesNotContain("hunter2")
                .doesNotContain("\tat ");
        assertThat(directory.users).isEmpty();
    }

    @Test
    void badAddressIsOneLineAndExitTwo() {
        Result r = piped("secret-password\n", "user", "add", "not-an-address");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("not a valid address: 'not-an-address'").doesNotContain("Exception");
        assertThat(r.err().lines()).hasSize(1);
        assertThat(run("domain", "add", "bad_domain!").exit()).isEqualTo(2);
        assertThat(directory.users).isEmpty();
    }

    @Test
    void userInAnUnknownDomainIsRefusedBeforeAskingForAPassword() {
        Result r = piped("secret-password\n", "user", "add", "bob@elsewhere.example");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("domain elsewhere.example is not local", "moat domain add elsewhere.example");
    }

    @Test
    void passwdChangesAnExistingUserOnly() {
        piped("first-password\n", "user", "add", "bob@example.org");
        assertThat(piped("second-password\n", "user", "passwd", "BOB@example.org").exit()).isZero();
        assertThat(directory.passwords).containsEntry("bob@example.org", "second-password");
        assertThat(piped("whatever-pw\n", "user", "passwd", "eve@example.org"))
                .isEqualTo(new Result(1, "", "moat: no such user: eve@example.org\n"));
        assertThat(run("user", "del", "bob@example.org").exit()).isZero();
        assertThat(run("user", "del", "bob@example.org").exit()).isEqualTo(1);
    }

    @Test
    void quotaIsShownSetAndResetToTheDefault() {
        piped("first-password\n", "user", "add", "bob@example.org");
        assertThat(run("user", "quota", "bob@example.org").out())
                .isEqualTo("bob@example.org quota 1073741824 bytes (default, imap.default_quota)\n");
        assertThat(run("user", "quota", "bob@example.org", "2GiB"))
                .isEqualTo(new Result(0, "bob@example.org quota 2147483648 bytes\n", ""));
        assertThat(directory.quotas).containsEntry("bob@example.org", 2147483648L);
        assertThat(run("user", "quota", "bob@example.org", "0").err()).contains("at least 1 byte");
        assertThat(run("user", "quota", "bob@example.org", "lots").err()).contains("not a size");
        assertThat(run("user", "quota", "eve@example.org", "1GiB"))
                .isEqualTo(new Result(1, "", "moat: no such user: eve@example.org\n"));
        assertThat(run("user", "quota", "bob@example.org", "default").out()).contains("(default");
        assertThat(directory.quotas).isEmpty();
    }

    @Test
    void duplicateUserIsRefused() {
        piped("first-password\n", "user", "add", "bob@example.org");
        assertThat(piped("other-password\n", "user", "add", "bob@example.org").err()).contains("already exists");
    }

    @Test
    void aliasesAddListDelete() {
        Result r = run("alias", "add", "postmaster@example.org", "bob@example.org", "ops@remote.example");
        assertThat(r).isEqualTo(new Result(0, "alias postmaster@example.org -> bob@example.org, ops@remote.example\n", ""));
        assertThat(run("alias", "list").out()).isEqualTo("postmaster@example.org -> bob@example.org, ops@remote.example\n");
        assertThat(run("alias", "add", "postmaster@example.org").exit()).isEqualTo(2); // a target is required
        assertThat(run("alias", "add", "x@other.example", "bob@example.org").exit()).isEqualTo(1);
        assertThat(run("alias", "del", "postmaster@example.org").exit()).isZero();
        assertThat(run("alias", "del", "postmaster@example.org").exit()).isEqualTo(1);
    }

    @Test
    void theDirectoryIsOpenedWithTheGivenConfig() throws Exception {
        Path file = dir.resolve("moat.toml");
        Files.writeString(file, "[server]\ndata_dir = \"" + dir.resolve("data") + "\"\n");
        assertThat(run("--config", file.toString(), "domain", "list").exit()).isZero();
        assertThat(opened).singleElement().satisfies(c ->
                assertThat(c.path(ServerSettings.DATA_DIR)).isEqualTo(dir.resolve("data")));
    }

    @Test
    void brokenConfigStopsTheCommandWithEveryError() throws Exception {
        Path file = dir.resolve("moat.toml");
        Files.writeString(file, "[server]\nport_offset = -1\nnope = 1\n");
        Result r = run("--config", file.toString(), "domain", "list");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("server.port_offset = -1", "unknown key server.nope");
        assertThat(opened).isEmpty();
    }

    @Test
    void configCheckPrintsOkOrEveryError() throws Exception {
        Path good = dir.resolve("good.toml");
        // The host name check asks DNS: the test's own server on loopback, where the name is this host.
        try (TestDnsServer dns = TestDnsServer.builder().records("mx.test.example. 300 IN A 127.0.0.1").start()) {
            Files.writeString(good, hostAndDns(Config.defaultFile(), "mx.test.example", dns));
            assertThat(run("config", "check", "--config", good.toString())).isEqualTo(new Result(0, "OK: " + good + "\n", ""));
        }
        assertThat(run("--config", good.toString(), "config", "check").exit()).isZero();
        Path bad = dir.resolve("bad.toml");
        Files.writeString(bad, "[tls]\nprotocols = [\"TLSv1\"]\nreload_interval = \"soon\"\n");
        Result r = run("config", "check", "--config", bad.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("2 errors", "tls.protocols", "tls.reload_interval");
        assertThat(run("config", "check", "--config", dir.resolve("missing.toml").toString()).err()).contains("no such file");
    }

    /** The default file with server.hostname and dns.resolvers replaced. */
    private static String hostAndDns(String file, String hostname, TestDnsServer dns) {
        // The generated file has every key commented out as a dotted line (ADR 0028).
        assertThat(file).contains("\n# server.hostname = \"detected\"\n", "\n# dns.resolvers = []\n");
        return file.replace("\n# server.hostname = \"detected\"\n", "\nserver.hostname = \"" + hostname + "\"\n")
                .replace("\n# dns.resolvers = []\n", "\ndns.resolvers = [\"127.0.0.1:" + dns.address().getPort() + "\"]\n");
    }

    @Test
    void configCheckWarnsLoudlyAboutAHostNameOtherServersCannotUse() throws Exception {
        Path file = dir.resolve("moat.toml");
        try (TestDnsServer dns = TestDnsServer.builder().records("other.test.example. 300 IN A 127.0.0.1").start()) {
            Files.writeString(file, hostAndDns(Config.defaultFile(), "mx.test.example", dns));
            Result notInDns = run("config", "check", "--config", file.toString());
            assertThat(notInDns.exit()).as("valid config: the warning does not fail the check").isZero();
            assertThat(notInDns.err()).startsWith("WARNING: the host name mx.test.example (server.hostname) has no A or"
                    + " AAAA record in DNS.").contains("    server.hostname = \"mail.example.org\"",
                    "    ./moat config set server.hostname mail.example.org");
            Files.writeString(file, hostAndDns(Config.defaultFile(), "localhost", dns));
            assertThat(run("config", "check", "--config", file.toString()).err()).contains("is a loopback name");
            Files.writeString(file, hostAndDns(Config.defaultFile(), "mx", dns));
            assertThat(run("config", "check", "--config", file.toString()).err()).contains("has no dot");
        }
    }

    @Test
    void configDefaultsAndTemplatePrintEveryKey() {
        assertThat(run("config", "defaults").out()).isEqualTo(Config.defaultsTable()).contains("tls.reload_interval");
        assertThat(run("config", "template").out()).isEqualTo(Config.defaultFile());
    }

    @Test
    void anAdminCommandWithoutAConfigurationSaysWhereItLookedAndFails() throws Exception {
        Files.delete(dir.resolve("moat.toml"));
        Result r = run("dns", "records", "example.org");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("moat: no configuration file").contains(dir.resolve("moat.toml").toString(),
                dir.resolve("etc/moat/moat.toml").toString(), "--config", "MOAT_CONFIG");
        assertThat(run("domain", "list").exit()).isEqualTo(1);
        assertThat(run("config", "get", "server.port_offset").exit()).isEqualTo(1);
        assertThat(run("config", "set", "server.port_offset", "1").exit()).isEqualTo(1);
        assertThat(run("config", "check").err()).contains("no configuration file");
        assertThat(opened).isEmpty();
        assertThat(dir.resolve("moat.toml")).doesNotExist();
        // Documentation needs no file.
        assertThat(run("config", "defaults").exit()).isZero();
    }

    @Test
    void everyCommandFindsTheFileNamedByMoatConfig() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere")).resolve("moat.toml");
        Files.writeString(elsewhere, "server.port_offset = 123\n");
        locator = new ConfigLocator(Map.of("MOAT_CONFIG", elsewhere.toString()), dir, dir.resolve("etc/moat/moat.toml"));
        assertThat(run("config", "get", "server.port_offset")).isEqualTo(new Result(0, "123\n", ""));
        assertThat(run("domain", "list").exit()).isZero();
        assertThat(opened).singleElement().satisfies(c ->
                assertThat(c.path(ServerSettings.DATA_DIR)).isEqualTo(dir.resolve("elsewhere/moat-data")));
        assertThat(run("--config", dir.resolve("moat.toml").toString(), "config", "get", "server.port_offset").out())
                .isEqualTo("0\n");
    }

    @Test
    void configSetAndGetRoundTripKeepingComments() throws Exception {
        String before = Files.readString(dir.resolve("moat.toml"));
        assertThat(run("config", "get", "delivery.connection_cache_time")).isEqualTo(new Result(0, "\"2s\"\n", ""));
        assertThat(run("config", "get", "listener.imap_port").out()).isEqualTo("143\n");
        Result set = run("config", "set", "delivery.connection_cache_time", "5s");
        assertThat(set.exit()).isZero();
        assertThat(set.out()).startsWith("delivery.connection_cache_time = \"5s\" (" + dir.resolve("moat.toml"));
        assertThat(run("config", "set", "listener.imap_port", "off").exit()).isZero();
        assertThat(run("config", "get", "delivery.connection_cache_time").out()).isEqualTo("\"5s\"\n");
        assertThat(run("config", "get", "listener.imap_port").out()).isEqualTo("\"off\"\n");
        String after = Files.readString(dir.resolve("moat.toml"));
        assertThat(after.lines().filter(l -> !before.contains(l + "\n")))
                .containsExactly("listener.imap_port = \"off\"", "delivery.connection_cache_time = \"5s\"");
        assertThat(after.lines().count()).isEqualTo(before.lines().count());

        Result bad = run("config", "set", "delivery.connection_cache_time", "2h");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("delivery.connection_cache_time = \"2h\": is out of bounds");
        Result unknown = run("config", "get", "server.port_ofset");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("unknown key server.port_ofset (did you mean server.port_offset?)");
        assertThat(Files.readString(dir.resolve("moat.toml"))).isEqualTo(after);
    }

    @Test
    void serveCanBeAddedByMain() {
        CommandLine cli = MoatCommand.commandLine(c -> directory, PasswordSource.stream(InputStreamOfNothing.INSTANCE),
                locator);
        @CommandLine.Command(name = "serve")
        class Serve implements java.util.concurrent.Callable<Integer> {
            @CommandLine.ParentCommand
            MoatCommand moat;

            @Override
            public Integer call() throws Exception {
                return moat.config().get(ServerSettings.SMTP_PORT).equals(ListenerPort.of(25)) ? 0 : 3;
            }
        }
        cli.addSubcommand("serve", new Serve());
        assertThat(cli.execute("serve")).isZero();
    }

    static final class InputStreamOfNothing {
        static final java.io.InputStream INSTANCE = java.io.InputStream.nullInputStream();
    }
}
