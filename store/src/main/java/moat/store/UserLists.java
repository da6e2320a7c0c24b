package moat.store;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import moat.core.Domain;
import moat.core.EmailAddress;
import moat.core.IpPrefix;

/**
 * Each user's own allow and block lists (docs/adr/0010-per-user-lists.md): entries name a sender
 * address, a sender domain (with its subdomains) or a client network. The policy module reads
 * them at RCPT; the admin CLI ({@code moat user allow|block add|del|list}) writes them.
 *
 * <p>Mutators return {@code false} when nothing changed (entry already there, or absent) and throw
 * {@link StoreException} when the user does not exist. Entries go with their user when it is removed.
 */
public interface UserLists {

    /** Which of a user's two lists. */
    enum Kind {
        ALLOW, BLOCK;

        /** The spelling in the database and the CLI. */
        public String spelling() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    boolean addEntry(EmailAddress user, Kind kind, Entry entry);

    boolean removeEntry(EmailAddress user, Kind kind, Entry entry);

    /** One list of one user, in the order of {@link Entry#text()}; empty for an unknown user. */
    List<Entry> entries(EmailAddress user, Kind kind);

    /** Both lists of one user, in one read (the RCPT-time look-up). */
    Lists lists(EmailAddress user);

    /** Both lists of one user. */
    record Lists(List<Entry> allow, List<Entry> block) {
        public Lists {
            allow = List.copyOf(allow);
            block = List.copyOf(block);
        }

        public static Lists empty() {
            return new Lists(List.of(), List.of());
        }
    }

    /** One list entry: what it names and whether a sender and client match it. */
    sealed interface Entry {
        /** The canonical text, as stored and printed: {@code a@b.example}, {@code @b.example} or a CIDR. */
        String text();

        /** True when the sender (empty for the null reverse-path) or the client IP is what the entry names. */
        boolean matches(Optional<EmailAddress> sender, InetAddress client);

        /**
         * Parses the CLI spelling: an address ({@code someone@example.com}), a domain
         * ({@code @example.com} or {@code example.com}, subdomains included) or an IP address or
         * CIDR network ({@code 192.0.2.0/24}, {@code 2001:db8::/32}). Never resolves a name.
         *
         * @throws IllegalArgumentException for anything else
         */
        static Entry parse(String text) {
            String t = text.trim();
            if (t.isEmpty() || t.length() > 320) throw new IllegalArgumentException("empty or too long entry");
            // Literal addresses only: a digits-and-dots or a colon form. A name such as face.bad is
            // all hex letters and would otherwise reach InetAddress.getByName, i.e. DNS.
            if (t.contains(":") || t.matches("[0-9.]+(/[0-9]{1,3})?")) return new Network(IpPrefix.parse(t));
            int at = t.lastIndexOf('@');
            if (at == 0) return new SenderDomain(domain(t.substring(1), text));
            if (at > 0) {
                return new Sender(EmailAddress.parse(t).orElseThrow(
                        () -> new IllegalArgumentException("not an address: " + text)));
            }
            return new SenderDomain(domain(t, text));
        }

        private static Domain domain(String d, String text) {
            String bare = d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
            Domain domain = Domain.parse(bare).orElseThrow(() -> new IllegalArgumentException("not a domain: " + text));
            if (!domain.ascii().contains(".")) throw new IllegalArgumentException("not a domain with a dot: " + text);
            return domain;
        }
    }

    /** One sender address, compared case-insensitively on the local part ({@link EmailAddress#key()}). */
    record Sender(EmailAddress address) implements Entry {
        public Sender {
            Objects.requireNonNull(address, "address");
        }

        @Override
        public String text() {
            return address.key();
        }

        @Override
        public boolean matches(Optional<EmailAddress> sender, InetAddress client) {
            return sender.isPresent() && sender.get().key().equals(address.key());
        }
    }

    /** A sender domain and every subdomain of it. */
    record SenderDomain(Domain domain) implements Entry {
        public SenderDomain {
            Objects.requireNonNull(domain, "domain");
        }

        @Override
        public String text() {
            return "@" + domain.ascii();
        }

        @Override
        public boolean matches(Optional<EmailAddress> sender, InetAddress client) {
            return sender.isPresent() && sender.get().domain().isWithin(domain);
        }
    }

    /** A client network (a bare address is a host prefix); an IPv4-mapped IPv6 client matches IPv4 entries. */
    record Network(IpPrefix prefix) implements Entry {
        public Network {
            Objects.requireNonNull(prefix, "prefix");
        }

        @Override
        public String text() {
            return prefix.toString();
        }

        @Override
        public boolean matches(Optional<EmailAddress> sender, InetAddress client) {
            return prefix.contains(client);
        }
    }
}
