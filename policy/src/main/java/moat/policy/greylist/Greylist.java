package moat.policy.greylist;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import moat.core.EmailAddress;
import moat.core.IpPrefix;
import moat.core.Reason;
import moat.policy.Check;
import moat.policy.CheckState;
import moat.policy.Verdict;

/**
 * Greylisting at RCPT: the first attempt of a (client network, sender, recipient) triplet is
 * deferred with {@code 451 4.7.1}; a retry after {@code delay} and within {@code retryWindow}
 * passes, and the triplet then passes without delay until unused for {@code expiry}. A client
 * network with {@code autoAllowAfter} passed triplets skips greylisting altogether (0 = never).
 * The client network is the IPv4 /24 or IPv6 /64, since large senders retry from another
 * address of the same pool.
 *
 * <p>Bypasses: allow-listed and authenticated sessions never get here (a reputation check, see
 * {@link moat.policy.Policy}). The store may fail: a store error lets the mail through
 * (greylisting is a filter, not a gate, and must not turn a disk problem into refused mail).
 */
public final class Greylist implements Check {
    /** How stale last-seen may get before a passed triplet's row is rewritten (expiry precision). */
    static final Duration REFRESH = Duration.ofHours(1);

    /** The timing and auto-allow parameters. */
    public record Settings(Duration delay, Duration retryWindow, Duration expiry, int autoAllowAfter) {
        public Settings {
            if (delay.isNegative() || retryWindow.compareTo(delay) <= 0 || expiry.compareTo(retryWindow) < 0)
                throw new IllegalArgumentException("need 0 <= delay < retry window <= expiry");
            if (autoAllowAfter < 0) throw new IllegalArgumentException("autoAllowAfter must be >= 0");
        }
    }

    private final Settings settings;
    private final GreylistStore store;
    private final Clock clock;

    public Greylist(Settings settings, GreylistStore store, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "greylist";
    }

    @Override
    public Verdict rcptTo(CheckState s, EmailAddress rcpt) {
        Instant now = clock.instant();
        String net = clientNet(s.client());
        try {
            if (settings.autoAllowAfter() > 0
                    && store.passes(net, now.minus(settings.expiry())) >= settings.autoAllowAfter()) {
                return Verdict.noOpinion();
            }
            GreylistStore.Triplet t = new GreylistStore.Triplet(net, s.sender().map(EmailAddress::key).orElse(""), rcpt.key());
            Optional<GreylistStore.Entry> found = store.find(t);
            if (found.isPresent()) {
                GreylistStore.Entry e = found.get();
                if (e.passed() && now.isBefore(e.lastSeen().plus(settings.expiry()))) {
                    // Refresh last-seen at most hourly: each save is a durable write.
                    if (now.isAfter(e.lastSeen().plus(REFRESH))) store.save(t, new GreylistStore.Entry(e.firstSeen(), now, true));
                    return Verdict.noOpinion();
                }
                Instant earliest = e.firstSeen().plus(settings.delay());
                Instant latest = e.firstSeen().plus(settings.retryWindow());
                if (!e.passed() && now.isBefore(earliest)) return defer(Duration.between(now, earliest));
                if (!e.passed() && !now.isAfter(latest)) {
                    store.save(t, new GreylistStore.Entry(e.firstSeen(), now, true));
                    store.recordPass(net, now);
                    return Verdict.noOpinion();
                }
                // Retried too late, or passed long ago and unused since: start over.
            }
            store.save(t, new GreylistStore.Entry(now, now, false));
            return defer(settings.delay());
        } catch (RuntimeException e) {
            return Verdict.noOpinion(); // see class comment: a store failure does not refuse mail
        }
    }

    private static Verdict defer(Duration wait) {
        long secs = Math.max(1, wait.toSeconds());
        return new Verdict.Defer(Reason.GREYLIST_DEFERRED, "Greylisted, please try again in " + secs + " seconds");
    }

    /** The IPv4 /24 or IPv6 /64 of the client, as text. */
    public static String clientNet(InetAddress ip) {
        return IpPrefix.of(ip, ip.getAddress().length == 4 ? 24 : 64).toString();
    }
}
