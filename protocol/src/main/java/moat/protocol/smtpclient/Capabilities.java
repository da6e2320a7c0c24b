package moat.protocol.smtpclient;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import moat.core.Reply;

/**
 * What the peer's EHLO reply offers (RFC 5321 section 4.1.1.1: one keyword per line after the
 * first). Only the extensions the client uses are kept. A HELO-only peer has {@link #NONE}.
 */
public record Capabilities(boolean pipelining, OptionalLong size, boolean eightBitMime, boolean smtpUtf8,
                           boolean chunking, boolean startTls, boolean enhancedStatusCodes, List<String> auth) {
    public static final Capabilities NONE = new Capabilities(false, OptionalLong.empty(), false, false, false, false,
            false, List.of());

    public Capabilities {
        auth = List.copyOf(auth);
    }

    public static Capabilities parse(Reply ehlo) {
        boolean pipelining = false, eight = false, utf8 = false, chunking = false, tls = false, enhanced = false;
        OptionalLong size = OptionalLong.empty();
        List<String> auth = List.of();
        List<String> lines = ehlo.lines();
        for (int i = 1; i < lines.size(); i++) {
            String[] words = lines.get(i).trim().split("\\s+");
            switch (words[0].toUpperCase(Locale.ROOT)) {
                case "PIPELINING" -> pipelining = true;
                case "8BITMIME" -> eight = true;
                case "SMTPUTF8" -> utf8 = true;
                case "CHUNKING" -> chunking = true;
                case "STARTTLS" -> tls = true;
                case "ENHANCEDSTATUSCODES" -> enhanced = true;
                case "AUTH" -> auth = List.of(words).subList(1, words.length).stream()
                        .map(w -> w.toUpperCase(Locale.ROOT)).toList();
                case "SIZE" -> size = parseSize(words);
                default -> { } // extensions this client does not use
            }
        }
        return new Capabilities(pipelining, size, eight, utf8, chunking, tls, enhanced, auth);
    }

    /** RFC 1870 section 4: "SIZE" alone or "SIZE 0" means no fixed limit. */
    private static OptionalLong parseSize(String[] words) {
        if (words.length < 2 || !words[1].matches("\\d{1,18}")) return OptionalLong.empty();
        long v = Long.parseLong(words[1]);
        return v == 0 ? OptionalLong.empty() : OptionalLong.of(v);
    }

    public Optional<Long> sizeLimit() {
        return size.isPresent() ? Optional.of(size.getAsLong()) : Optional.empty();
    }
}
