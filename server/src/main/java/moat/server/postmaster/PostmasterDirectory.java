package moat.server.postmaster;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.Directory;

/**
 * The store's directory as the SMTP listeners see it: the same users and aliases, plus
 * {@code postmaster} and {@code abuse} in every local domain and in the host name, for the
 * addresses the admin did not create themselves (see package-info for the order).
 *
 * <p>Everything but {@link #resolve} and {@link #isLocalDomain} is the store's own answer; in
 * particular {@link #owns} is, so the fallback never grants the right to send as postmaster.
 */
public final class PostmasterDirectory implements Directory {
    /** RFC 5321 section 4.5.1 and RFC 2142 section 2; matched case-insensitively. */
    public static final List<String> ROLES = List.of("postmaster", "abuse");

    private final Directory store;
    private final Optional<Domain> hostname;
    private final Optional<EmailAddress> configured;

    /** {@code configured} is {@code server.postmaster} (empty: the first user ever added). */
    public PostmasterDirectory(Directory store, String hostname, Optional<EmailAddress> configured) {
        this.store = store;
        this.hostname = Domain.parse(hostname);
        this.configured = configured;
    }

    /** {@code server.postmaster} as read from the config value ("" = not set). */
    public static Optional<EmailAddress> configured(String value) {
        return value.isBlank() ? Optional.empty() : EmailAddress.parse(value.strip());
    }

    /** True for postmaster@ and abuse@ of any domain, in any case (RFC 5321: "Postmaster" is case-insensitive). */
    public static boolean isRole(EmailAddress address) {
        return ROLES.contains(address.localPart().toLowerCase(Locale.ROOT));
    }

    /** Where a role address without its own user or alias goes. */
    public sealed interface Destination {
        /** {@code server.postmaster}, resolved (a local user, an alias, or a remote address). */
        record Configured(EmailAddress address, Resolution resolution) implements Destination {}

        /** Nothing configured: the first user ever added. */
        record OldestUser(EmailAddress user) implements Destination {}

        /** Nothing to deliver to yet: RCPT is deferred (451 4.3.0 rcpt.postmaster_unset). */
        record Nowhere(String why) implements Destination {}
    }

    /** The current destination (it follows users being added or removed, and the config at start). */
    public Destination destination() {
        if (configured.isPresent()) {
            EmailAddress a = configured.get();
            if (!store.isLocalDomain(a.domain()))
                return new Destination.Configured(a, new Resolution.Deliver(List.of(), List.of(a)));
            // The store's own resolution: server.postmaster = postmaster@local without an alias
            // must not loop back into this fallback.
            return switch (store.resolve(a)) {
                case Resolution.Deliver d -> new Destination.Configured(a, d);
                case Resolution.Unknown u -> new Destination.Nowhere("server.postmaster = \"" + a
                        + "\" is no user nor alias here");
            };
        }
        return store.oldestUser().<Destination>map(Destination.OldestUser::new)
                .orElse(new Destination.Nowhere("there is no user yet and server.postmaster is not set"));
    }

    /** One line for an admin: where postmaster@ and abuse@ of {@code domain} go, and how to change it. */
    public String describe(Domain domain) {
        String d = domain.ascii();
        String roles = "postmaster@" + d + " and abuse@" + d;
        String change = "change with: ./moat config set server.postmaster you@" + d
                + "  (or for this domain only: ./moat alias add postmaster@" + d + " you@" + d + ")";
        return switch (destination()) {
            case Destination.Configured c -> roles + " go to " + c.address() + " (server.postmaster); " + change;
            case Destination.OldestUser u -> roles + " go to " + u.user() + " (the first user added); " + change;
            case Destination.Nowhere n -> roles + " are deferred (451) until they have somewhere to go: " + n.why()
                    + "; " + remedy() + ", or " + change.substring("change with: ".length());
        };
    }

    /** For the start summary: where the role addresses without their own alias go now. */
    public String summary() {
        return switch (destination()) {
            case Destination.Configured c -> "postmaster@ and abuse@ of every local domain go to " + c.address()
                    + " (server.postmaster) unless the domain has its own alias";
            case Destination.OldestUser u -> "postmaster@ and abuse@ of every local domain go to " + u.user()
                    + " (the first user added; set server.postmaster to change) unless the domain has its own alias";
            case Destination.Nowhere n -> "postmaster@ and abuse@ are DEFERRED (451): " + n.why()
                    + "; " + configured.map(a -> "add " + a + " as a user or alias, or change server.postmaster")
                            .orElse("add a user (the first one gets them) or set server.postmaster");
        };
    }

    /** What makes a Nowhere destination somewhere: the first user only counts when server.postmaster is unset. */
    private String remedy() {
        return configured.map(a -> "add " + a + " as a user or alias").orElse("the first user you add gets them");
    }

    @Override
    public Resolution resolve(EmailAddress recipient) {
        Resolution own = store.resolve(recipient);
        if (own instanceof Resolution.Deliver || !isRole(recipient) || !isLocalDomain(recipient.domain())) return own;
        return switch (destination()) {
            case Destination.Configured c -> c.resolution();
            case Destination.OldestUser u -> new Resolution.Deliver(List.of(u.user()), List.of());
            // Nobody behind it: the RCPT is deferred, never accepted into nowhere (Directory.Resolution.Deliver).
            case Destination.Nowhere n -> new Resolution.Deliver(List.of(), List.of());
        };
    }

    /** The local domains, and the host name: postmaster@ the host name is where a bare {@code <Postmaster>} goes. */
    @Override
    public boolean isLocalDomain(Domain domain) {
        return store.isLocalDomain(domain) || hostname.isPresent() && hostname.get().equals(domain);
    }

    // ---- the store's answers

    @Override public boolean addDomain(Domain d) { return store.addDomain(d); }
    @Override public boolean removeDomain(Domain d) { return store.removeDomain(d); }
    @Override public List<Domain> domains() { return store.domains(); }
    @Override public void addUser(EmailAddress u, char[] p) { store.addUser(u, p); }
    @Override public boolean setPassword(EmailAddress u, char[] p) { return store.setPassword(u, p); }
    @Override public boolean removeUser(EmailAddress u) { return store.removeUser(u); }
    @Override public OptionalLong quota(EmailAddress u) { return store.quota(u); }
    @Override public boolean setQuota(EmailAddress u, OptionalLong q) { return store.setQuota(u, q); }
    @Override public List<EmailAddress> users() { return store.users(); }
    @Override public Optional<EmailAddress> oldestUser() { return store.oldestUser(); }
    @Override public void addAlias(EmailAddress a, List<EmailAddress> t) { store.addAlias(a, t); }
    @Override public boolean removeAlias(EmailAddress a) { return store.removeAlias(a); }
    @Override public List<Alias> aliases() { return store.aliases(); }
    @Override public Optional<EmailAddress> authenticate(String u, char[] p) { return store.authenticate(u, p); }
    @Override public boolean owns(EmailAddress u, EmailAddress s) { return store.owns(u, s); }
}
