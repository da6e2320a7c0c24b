package moat.core.config;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import moat.core.IpPrefix;

/** A check on a setting's value that bounds cannot express, with its description for the docs. */
public interface Constraint<T> {
    /** Why the value is refused, or empty when it is fine. */
    Optional<String> problem(T value);

    /** In words, for {@code moat config defaults} and the commented default file. */
    String describe();

    static <T> Constraint<T> none() {
        return of("-", v -> true, "");
    }

    public static <T> Constraint<T> of(String description, Predicate<T> ok, String problem) {
        return new Constraint<>() {
            @Override
            public Optional<String> problem(T value) {
                return ok.test(value) ? Optional.empty() : Optional.of(problem);
            }

            @Override
            public String describe() {
                return description;
            }
        };
    }

    /** Every list element is one of {@code allowed} (case-sensitive) and the list is not empty. */
    static Constraint<List<String>> nonEmptySubsetOf(List<String> allowed) {
        Set<String> set = Set.copyOf(allowed);
        return of("non-empty subset of " + String.join(", ", allowed),
                v -> !v.isEmpty() && set.containsAll(v), "must be a non-empty list of: " + String.join(", ", allowed));
    }

    /** Every element is a literal IP prefix such as {@code 192.0.2.0/24} or {@code 2001:db8::/32}. */
    static Constraint<List<String>> ipPrefixes() {
        return of("IP prefixes in CIDR form", v -> v.stream().allMatch(Constraint::isPrefix),
                "every element must be an IP address or CIDR prefix such as 192.0.2.0/24 or 2001:db8::/32");
    }

    /** Every element is a literal IP address (no host names: binding must not depend on DNS). */
    static Constraint<List<String>> ipAddresses() {
        return of("non-empty list of IP addresses",
                v -> !v.isEmpty() && v.stream().allMatch(s -> !s.contains("/") && isPrefix(s)),
                "must be a non-empty list of literal IP addresses such as 0.0.0.0 or ::");
    }

    private static boolean isPrefix(String s) {
        try {
            IpPrefix.parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
