package moat.core.dns;

import java.util.HexFormat;
import java.util.Locale;

/**
 * One TLSA record (RFC 6698 section 2.1): certificate usage, selector, matching type and the
 * certificate association data as lower-case hex. RFC 7672 (DANE for SMTP) uses usages 2
 * (DANE-TA) and 3 (DANE-EE) only.
 */
public record Tlsa(int usage, int selector, int matchingType, String data) {
    public Tlsa {
        if (usage < 0 || usage > 255 || selector < 0 || selector > 255 || matchingType < 0 || matchingType > 255)
            throw new IllegalArgumentException("TLSA fields are octets");
        data = data.toLowerCase(Locale.ROOT);
        HexFormat.of().parseHex(data); // refuses non-hex
    }

    public byte[] bytes() {
        return HexFormat.of().parseHex(data);
    }
}
