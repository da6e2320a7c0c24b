package moat.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import moat.core.EmailAddress;
import moat.core.dns.DnsName;

/**
 * What the checks know about one SMTP connection and its current transaction, and what they
 * decided so far (Maddy's per-message state object). The connection part (client, HELO, trust
 * from an allow-listed IP or HELO, connection score) lives as long as the connection; the
 * transaction part (sender, trust from an allow-listed sender, transaction score) is cleared by
 * {@link #newTransaction}.
 *
 * <p>Not thread-safe: one SMTP session uses it from one thread at a time.
 */
public final class CheckState {
    /** A typed slot in the memo, for results several checks share (the iprev lookup). */
    public record Key<T>(String name) {}

    /** One scored finding, for the log. */
    public record Finding(String check, Verdict.Score score) {}

    private final InetAddress client;
    private final Map<Key<?>, Object> memo = new HashMap<>();
    private final List<Finding> connectionFindings = new ArrayList<>();
    private final List<Finding> heloFindings = new ArrayList<>();
    private final List<Finding> unreported = new ArrayList<>();
    private final List<Finding> transactionFindings = new ArrayList<>();
    private Optional<String> helo = Optional.empty();
    private Optional<EmailAddress> sender = Optional.empty();
    private boolean authenticated;
    private Optional<String> connectionTrust = Optional.empty();
    private Optional<String> transactionTrust = Optional.empty();
    private Optional<Verdict> connectionRefusal = Optional.empty();
    private Optional<Verdict> heloRefusal = Optional.empty();
    private Optional<Verdict> transactionRefusal = Optional.empty();
    /** The first quarantine verdict of the transaction, with its check's name. */
    private Optional<Quarantined> quarantine = Optional.empty();
    private final List<Verdict.AddHeader> addedHeaders = new ArrayList<>();

    /** A quarantine verdict and the check that gave it. */
    public record Quarantined(String check, Verdict.Quarantine verdict) {}

    public CheckState(InetAddress client) {
        this.client = DnsName.unmap(Objects.requireNonNull(client, "client"));
    }

    /** The connecting IP; an IPv4-mapped IPv6 address is given as IPv4. */
    public InetAddress client() {
        return client;
    }

    public Optional<String> helo() {
        return helo;
    }

    public void helo(String name) {
        this.helo = Optional.of(name);
        // A second EHLO (after STARTTLS) may name something else: HELO-based trust is re-earned.
        this.connectionTrust = connectionTrust.filter(t -> !t.startsWith("helo"));
        this.heloFindings.clear(); // EHLO again after STARTTLS must not count the same findings twice
        this.heloRefusal = Optional.empty(); // judged again for the new name
    }

    /** The MAIL FROM of the current transaction; empty for the null reverse-path or before MAIL. */
    public Optional<EmailAddress> sender() {
        return sender;
    }

    public boolean authenticated() {
        return authenticated;
    }

    public void authenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    /** Starts a transaction (MAIL FROM): sender, sender trust and transaction score reset. */
    public void newTransaction(Optional<EmailAddress> sender) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.transactionTrust = Optional.empty();
        this.transactionRefusal = Optional.empty();
        this.transactionFindings.clear();
        this.quarantine = Optional.empty();
        this.addedHeaders.clear();
    }

    /** Set when a check of this transaction said quarantine (the first one is kept). */
    public Optional<Quarantined> quarantine() {
        return quarantine;
    }

    void quarantine(String check, Verdict.Quarantine q) {
        if (quarantine.isEmpty()) quarantine = Optional.of(new Quarantined(check, q));
    }

    /** Header fields the data stage's checks asked for, in check order. */
    public List<Verdict.AddHeader> addedHeaders() {
        return List.copyOf(addedHeaders);
    }

    void addHeader(Verdict.AddHeader h) {
        // Bounded: a check cannot grow the stored header without limit.
        if (addedHeaders.size() < 32) addedHeaders.add(h);
    }

    /**
     * A reputation refusal found before RCPT and held until then (Postfix's
     * {@code smtpd_delay_reject}), so that a recipient's allow entry can still excuse it; see
     * {@link Policy.ReputationRefusals#AT_RCPT}. The connect stage's comes first, then HELO's, then MAIL's.
     */
    public Optional<Verdict> heldRefusal() {
        return connectionRefusal.or(() -> heloRefusal).or(() -> transactionRefusal);
    }

    void hold(Stage stage, Verdict refusal) {
        switch (stage) {
            case CONNECT -> connectionRefusal = connectionRefusal.or(() -> Optional.of(refusal));
            case HELO -> heloRefusal = heloRefusal.or(() -> Optional.of(refusal));
            case MAIL -> transactionRefusal = transactionRefusal.or(() -> Optional.of(refusal));
            case RCPT, DATA -> throw new IllegalArgumentException("refusals at " + stage + " are not held");
        }
    }

    /** True when an allow list or authentication lets this session skip reputation checks. */
    public boolean trusted() {
        return authenticated || connectionTrust.isPresent() || transactionTrust.isPresent();
    }

    /** Why the session is trusted, for the log. */
    public Optional<String> trustReason() {
        if (authenticated) return Optional.of("authenticated");
        return connectionTrust.or(() -> transactionTrust);
    }

    /** Trusts the whole connection (a trusted network): reputation checks are skipped. */
    public void trustConnection(String why) {
        connectionTrust = Optional.of(why);
    }

    void trust(Stage stage, String why) {
        if (stage == Stage.MAIL || stage == Stage.RCPT || stage == Stage.DATA) transactionTrust = Optional.of(why);
        else connectionTrust = Optional.of((stage == Stage.HELO ? "helo: " : "") + why);
    }

    void add(Stage stage, Finding f) {
        (switch (stage) {
            case CONNECT -> connectionFindings;
            case HELO -> heloFindings;
            case MAIL, RCPT, DATA -> transactionFindings;
        }).add(f);
        unreported.add(f);
    }

    /** The points scored so far in this connection plus the current transaction. */
    public int score() {
        int sum = 0;
        for (Finding f : connectionFindings) sum += f.score().points();
        for (Finding f : heloFindings) sum += f.score().points();
        for (Finding f : transactionFindings) sum += f.score().points();
        return sum;
    }

    /** Every scored finding so far (connection first), for the log. */
    public List<Finding> findings() {
        List<Finding> all = new ArrayList<>(connectionFindings);
        all.addAll(heloFindings);
        all.addAll(transactionFindings);
        return List.copyOf(all);
    }

    /** The findings scored since the last call, for the audit log; each is returned once. */
    public List<Finding> drainNewFindings() {
        List<Finding> out = List.copyOf(unreported);
        unreported.clear();
        return out;
    }

    /** Computes a shared result once per connection (the iprev lookup is needed by two checks). */
    @SuppressWarnings("unchecked")
    public <T> T memo(Key<T> key, Supplier<T> compute) {
        Object v = memo.get(key);
        if (v == null) {
            v = Objects.requireNonNull(compute.get(), "memo value");
            memo.put(key, v);
        }
        return (T) v;
    }
}
