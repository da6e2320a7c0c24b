package moat.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import moat.core.Event;
import moat.core.Reason;
import moat.core.Reply;
import moat.core.dns.Resolver;
import moat.policy.Policy;
import moat.server.audit.AuditLog;
import moat.server.audit.AuditSettings;
import moat.server.config.Config;
import moat.server.config.ServerSettings;
import moat.server.imap.ImapSettings;
import moat.server.limits.AuthThrottle;
import moat.server.limits.ConnectionGate;
import moat.server.limits.LimitSettings;
import moat.server.limits.ListenerLimits;
import moat.server.mailauth.MailAuth;
import moat.server.quota.StorageQuota;
import moat.server.tls.TlsContext;
import moat.server.tls.TlsSettings;
import moat.store.Store;
import moat.store.sqlite.SqliteStore;
import moat.store.sqlite.StoreSettings;

/**
 * What every service of one server shares, opened once and handed to each starter
 * ({@link SmtpStarter}, {@link ImapStarter}, {@link Pop3Starter}, {@link DeliveryStarter}): one store,
 * one TLS identity, one audit log, one connection gate and one login throttle for every listener.
 *
 * @param console       start-up messages for the admin (stderr under {@code moat serve})
 * @param contentChecks checks of the embedding program, run after the configured ones at end of DATA
 */
record Foundation(Config config, Clock clock, Consumer<String> console, String hostname, Resolver dns, Store store,
                  TlsContext tls, AuditLog audit, ConnectionGate gate, AuthThrottle throttle, StorageQuota quota,
                  MailAuth mailAuth, List<Policy.Rule> contentChecks) implements AutoCloseable {

    /** Opens the store, TLS and the audit log and builds the shared limits; on failure closes what it opened. */
    static Foundation open(Config config, Clock clock, Consumer<String> console, Resolver dns,
                           List<Policy.Rule> contentChecks) throws IOException {
        String hostname = config.get(ServerSettings.HOSTNAME);
        Path dataDir = config.path(ServerSettings.DATA_DIR);
        // The one place that names the store's implementation (docs: moat.store.Store).
        Store store = SqliteStore.open(dataDir, StoreSettings.defaults(), clock);
        TlsContext tls = null;
        AuditLog audit = null;
        try {
            tls = TlsContext.fromConfig(config, console);
            tls.startReloading(config.get(TlsSettings.RELOAD_INTERVAL));
            tls.reloadOnHangup();
            // Hash-chained with signed checkpoints (docs/adr/0027-tamper-evident-audit-log.md).
            AuditLog log = AuditLog.toChainedFile(config.path(ServerSettings.AUDIT_FILE), dataDir,
                    AuditSettings.options(config), clock);
            audit = log;
            ConnectionGate gate = new ConnectionGate(LimitSettings.gate(config), clock);
            AuthThrottle throttle = new AuthThrottle(LimitSettings.auth(config), clock,
                    l -> log.event(Event.AUTH_LOCKOUT, lockoutFields(l)));
            List<String> keyProblems = new ArrayList<>();
            MailAuth mailAuth = MailAuth.build(config, dns, clock, store, keyProblems);
            keyProblems.forEach(p -> console.accept("dkim: cannot use key " + p));
            if (!moat.store.password.Argon2id.engine().equals("libsodium"))
                console.accept("passwords: libsodium not found, Argon2id runs in Java (about 3x slower per login;"
                        + " apt-get install libsodium23)");
            StorageQuota quota = new StorageQuota(store, store.mailboxes(), config.get(ImapSettings.DEFAULT_QUOTA));
            return new Foundation(config, clock, console, hostname, dns, store, tls, audit, gate, throttle, quota,
                    mailAuth, List.copyOf(contentChecks));
        } catch (IOException | RuntimeException e) {
            if (audit != null) closeQuietly(audit);
            if (tls != null) closeQuietly(tls);
            closeQuietly(store);
            throw e;
        }
    }

    /**
     * A listener's share of the connection limits: the one gate, its banner delay (port 25 and
     * 587 wait before greeting; IMAP, POP3 and 465 do not) and refusals at accept in the audit log.
     */
    ListenerLimits listenerLimits(Duration bannerDelay) {
        return new ListenerLimits(gate, bannerDelay, LimitSettings.dataRate(config), (listener, client, reason) ->
                audit.event(Event.CONNECTION_REFUSED, Map.of(
                        "listener", listener.toLowerCase(Locale.ROOT),
                        "client_ip", client.getAddress().getHostAddress(),
                        "client_port", client.getPort(),
                        "code", Reply.of(reason).code(),
                        "reason", reason.id())));
    }

    /** Where a listener reports a failure inside one connection (it never stops the listener). */
    Consumer<Throwable> serverErrors() {
        return e -> audit.internal(Event.SERVER_ERROR, e);
    }

    private static Map<String, Object> lockoutFields(AuthThrottle.Lockout l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scope", l.scope().name().toLowerCase(Locale.ROOT));
        m.put("ip", l.network().toString());
        l.account().ifPresent(a -> m.put("account", a));
        m.put("until", l.until().toString());
        m.put("reason", Reason.AUTH_LOCKED.id());
        return m;
    }

    /** After every service: TLS (its reload timer), the store (pending commits finish), then the audit log. */
    @Override
    public void close() {
        closeQuietly(tls);
        closeQuietly(store);
        closeQuietly(audit);
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // shutting down: nothing useful to do with a close failure
        }
    }
}
