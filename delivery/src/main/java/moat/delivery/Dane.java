package moat.delivery;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;
import moat.core.dns.Tlsa;

/**
 * DANE for SMTP (RFC 7672): for an MX host found through validated DNS, the TLSA records at
 * {@code _<port>._tcp.<host>} decide how TLS is used with it.
 *
 * <ul>
 * <li>Validated usable records (DANE-TA, usage 2, and DANE-EE, usage 3; section 3.1): TLS is
 *     mandatory and the server's certificate must pass {@link #verify}; a failure means "not
 *     that host".</li>
 * <li>Validated records that are all unusable (PKIX-TA/PKIX-EE, unknown selector or matching
 *     type): TLS is mandatory, without authentication (section 2.2).</li>
 * <li>A failed TLSA look-up for a secure host: that host is not used now (section 2.2).</li>
 * <li>Anything insecure or no records: DANE does not apply.</li>
 * </ul>
 *
 * <p>DANE-EE (section 3.1.1): the leaf matches, nothing else is checked (no name, no dates).
 * DANE-TA (section 3.1.2, RFC 7671 section 5.2.2): a certificate of the presented chain above the
 * leaf matches a record, the chain from the leaf up to it validates as a PKIX path with that
 * certificate as the trust anchor (signatures, validity at the injected clock's time, CA basic
 * constraints and key usage; no revocation), and the leaf names the MX host (section 3.2.3, with
 * the wildcard rules of RFC 6125 section 6.4.3).
 *
 * <p>LIMITATION: a DANE-TA record must match a certificate the server sends (RFC 7671 section
 * 5.2.2 lets a {@code 2 1 0} record stand for a trust anchor key the server leaves out; not
 * supported: servers SHOULD send it). The reference identifier is the MX host name only: CNAMEs
 * of the MX host are not followed, so the TLSA base domain is always the MX host name.
 */
final class Dane {
    private Dane() {}

    sealed interface Requirement {
        record None() implements Requirement {}

        record Authenticate(List<Tlsa> records) implements Requirement {}

        record TlsOnly() implements Requirement {}

        record TempFail(String why) implements Requirement {}
    }

    /** Why a chain did not authenticate; the kinds map onto TLS-RPT result types (RFC 8460 section 4.3). */
    enum Failure {
        /** No record matches any presented certificate ("tlsa-invalid"). */
        NO_MATCH,
        /** The path up to a matched trust anchor does not validate ("validation-failure"). */
        CHAIN_INVALID,
        /** A certificate of the path is outside its validity dates ("certificate-expired"). */
        EXPIRED,
        /** The path validates, the leaf does not name the MX host ("certificate-host-mismatch"). */
        HOST_MISMATCH
    }

    /** The outcome of {@link #verify}. */
    sealed interface Outcome {
        record Authenticated(int usage) implements Outcome {}

        record Refused(Failure failure, String why) implements Outcome {}
    }

    static Requirement lookup(Resolver dns, MxResolver.Host host, int port) {
        if (!host.dnssec()) return new Requirement.None();
        return switch (dns.tlsa("_" + port + "._tcp." + host.name())) {
            case DnsResult.Answer<List<Tlsa>> a -> {
                if (!a.dnssecAuthenticated()) yield new Requirement.None();
                List<Tlsa> usable = a.records().stream().filter(Dane::usable).toList();
                yield usable.isEmpty() ? new Requirement.TlsOnly() : new Requirement.Authenticate(usable);
            }
            case DnsResult.TempFail<List<Tlsa>> t -> new Requirement.TempFail("TLSA " + host.name() + ": " + t.why());
            case DnsResult.NxDomain<List<Tlsa>> n -> new Requirement.None();
            case DnsResult.NoData<List<Tlsa>> n -> new Requirement.None();
        };
    }

    /**
     * RFC 7672 section 3.1: DANE-TA (2) or DANE-EE (3) with a known selector (0 full certificate,
     * 1 SPKI) and matching type (0 exact, 1 SHA-256, 2 SHA-512). PKIX-TA/EE (0, 1) are unusable
     * for SMTP (section 3.1.3).
     */
    static boolean usable(Tlsa t) {
        return (t.usage() == 2 || t.usage() == 3) && (t.selector() == 0 || t.selector() == 1)
                && t.matchingType() >= 0 && t.matchingType() <= 2;
    }

    /**
     * Checks the chain the server presented ({@code chain[0]} the leaf) against usable records
     * for MX host {@code host} at time {@code now}.
     */
    static Outcome verify(X509Certificate[] chain, List<Tlsa> records, String host, Instant now) {
        if (chain.length == 0) return new Outcome.Refused(Failure.NO_MATCH, "no certificate");
        List<Tlsa> ee = records.stream().filter(t -> t.usage() == 3).toList();
        List<Tlsa> ta = records.stream().filter(t -> t.usage() == 2).toList();
        if (matches(chain[0], ee)) return new Outcome.Authenticated(3);
        Outcome.Refused refused = new Outcome.Refused(Failure.NO_MATCH, "certificate matches no DANE TLSA record");
        // Section 3.1.2: the trust anchor is a certificate the server sends, above the leaf.
        for (int i = 1; i < chain.length && !ta.isEmpty(); i++) {
            if (!matches(chain[i], ta)) continue;
            Outcome.Refused r = validatePath(Arrays.copyOfRange(chain, 0, i), chain[i], now);
            if (r == null) {
                if (nameMatches(chain[0], host)) return new Outcome.Authenticated(2);
                return new Outcome.Refused(Failure.HOST_MISMATCH, "DANE-TA: certificate does not name " + host);
            }
            refused = r;
        }
        return refused;
    }

    /** A PKIX path from {@code path[0]} (the leaf) up to {@code anchor}; null when it validates. */
    private static Outcome.Refused validatePath(X509Certificate[] path, X509Certificate anchor, Instant now) {
        try {
            PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            p.setRevocationEnabled(false); // RFC 7672 section 3.1.2 does not ask for revocation checks
            p.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(List.of(path)), p);
            return null;
        } catch (CertPathValidatorException e) {
            boolean dates = e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                    || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID;
            return new Outcome.Refused(dates ? Failure.EXPIRED : Failure.CHAIN_INVALID,
                    "DANE-TA: chain does not validate: " + e.getMessage());
        } catch (GeneralSecurityException | RuntimeException e) {
            return new Outcome.Refused(Failure.CHAIN_INVALID, "DANE-TA: chain does not validate: " + e.getMessage());
        }
    }

    /** True when {@code cert} matches one of {@code records} (selector and matching type of each). */
    static boolean matches(X509Certificate cert, List<Tlsa> records) {
        for (Tlsa t : records) {
            try {
                byte[] selected = t.selector() == 0 ? cert.getEncoded() : cert.getPublicKey().getEncoded();
                byte[] value = switch (t.matchingType()) {
                    case 0 -> selected;
                    case 1 -> MessageDigest.getInstance("SHA-256").digest(selected);
                    case 2 -> MessageDigest.getInstance("SHA-512").digest(selected);
                    default -> null;
                };
                if (value != null && MessageDigest.isEqual(value, t.bytes())) return true;
            } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
                // this record cannot match
            }
        }
        return false;
    }

    /**
     * RFC 7672 section 3.2.3 with RFC 6125 section 6.4: the DNS-ID subject alternative names, or
     * the subject CN only when there is no DNS-ID. A wildcard is the whole leftmost label and
     * stands for exactly one label, never for a public suffix-like single label
     * ({@code *.com}).
     */
    static boolean nameMatches(X509Certificate leaf, String host) {
        String h = normalise(host);
        List<String> names = new ArrayList<>();
        try {
            if (leaf.getSubjectAlternativeNames() != null) {
                for (List<?> san : leaf.getSubjectAlternativeNames()) {
                    if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String s) names.add(s);
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        if (names.isEmpty()) {
            try {
                for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String s) names.add(s);
                }
            } catch (InvalidNameException e) {
                return false;
            }
        }
        for (String n : names) {
            String p = normalise(n);
            if (p.equals(h)) return true;
            if (p.startsWith("*.") && p.indexOf('.', 2) > 0) {
                int dot = h.indexOf('.');
                if (dot > 0 && h.substring(dot + 1).equals(p.substring(2))) return true;
            }
        }
        return false;
    }

    private static String normalise(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
