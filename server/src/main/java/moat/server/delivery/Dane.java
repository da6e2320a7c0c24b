package moat.server.delivery;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import moat.core.dns.DnsResult;
import moat.core.dns.Resolver;
import moat.core.dns.Tlsa;

/**
 * DANE for SMTP (RFC 7672): for an MX host found through validated DNS, the TLSA records at
 * {@code _<port>._tcp.<host>} decide how TLS is used with it.
 *
 * <ul>
 * <li>Validated usable records: TLS is mandatory and the server's certificate must match one
 *     (no PKIX, no name check for DANE-EE, section 3.1.1); a mismatch means "not that host".</li>
 * <li>Validated records that are all unusable: TLS is mandatory, without authentication
 *     (section 2.2).</li>
 * <li>A failed TLSA look-up for a secure host: that host is not used now (section 2.2).</li>
 * <li>Anything insecure or no records: DANE does not apply.</li>
 * </ul>
 *
 * <p>LIMITATION: only DANE-EE (usage 3) authenticates; DANE-TA (usage 2) records count as
 * unusable (mandatory TLS without authentication), since checking a chain up to a TLSA trust
 * anchor with name checks is not built.
 */
final class Dane {
    private Dane() {}

    sealed interface Requirement {
        record None() implements Requirement {}

        record Authenticate(List<Tlsa> records) implements Requirement {}

        record TlsOnly() implements Requirement {}

        record TempFail(String why) implements Requirement {}
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

    /** DANE-EE with a known selector (0 full certificate, 1 SPKI) and matching type (0, 1 SHA-256, 2 SHA-512). */
    static boolean usable(Tlsa t) {
        return t.usage() == 3 && (t.selector() == 0 || t.selector() == 1) && t.matchingType() >= 0 && t.matchingType() <= 2;
    }

    /** True when the leaf certificate matches one of the DANE-EE records. */
    static boolean matches(X509Certificate leaf, List<Tlsa> records) {
        for (Tlsa t : records) {
            try {
                byte[] selected = t.selector() == 0 ? leaf.getEncoded() : leaf.getPublicKey().getEncoded();
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
}
