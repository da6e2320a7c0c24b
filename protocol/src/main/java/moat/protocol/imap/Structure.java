package moat.protocol.imap;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.LenientAddressParser;

/**
 * ENVELOPE and BODY/BODYSTRUCTURE (RFC 9051 section 7.5.2) written from a {@link MimePart}.
 * Address parsing is mime4j's lenient parser, so a broken header gives NIL, not an error.
 *
 * <p>LIMITATION: BODYSTRUCTURE extension data carries the parameters but NIL for MD5,
 * disposition, language and location.
 */
final class Structure {
    private Structure() {}

    static void envelope(Out o, MimePart m) {
        o.text("(");
        o.nstring(m.header("Date").orElse(null)).text(" ");
        o.nstring(m.header("Subject").orElse(null)).text(" ");
        Optional<String> from = m.header("From");
        addresses(o, from);
        o.text(" ");
        addresses(o, m.header("Sender").or(() -> from));
        o.text(" ");
        addresses(o, m.header("Reply-To").or(() -> from));
        for (String h : new String[] {"To", "Cc", "Bcc"}) {
            o.text(" ");
            addresses(o, m.header(h));
        }
        o.text(" ");
        o.nstring(m.header("In-Reply-To").orElse(null)).text(" ");
        o.nstring(m.header("Message-ID").orElse(null));
        o.text(")");
    }

    private static void addresses(Out o, Optional<String> header) {
        if (header.isEmpty() || header.get().isBlank()) {
            o.text("NIL");
            return;
        }
        AddressList list;
        try {
            list = LenientAddressParser.DEFAULT.parseAddressList(header.get());
        } catch (RuntimeException e) {
            o.text("NIL");
            return;
        }
        if (list == null || list.isEmpty()) {
            o.text("NIL");
            return;
        }
        o.text("(");
        int n = 0;
        for (Address a : list) {
            if (n++ >= 200) break;
            if (a instanceof Mailbox mb) {
                address(o, mb);
            } else if (a instanceof Group g) {
                o.text("(NIL NIL ").nstring(g.getName()).text(" NIL)"); // RFC 9051: group start
                for (Mailbox mb : g.getMailboxes()) address(o, mb);
                o.text("(NIL NIL NIL NIL)");
            }
        }
        o.text(")");
    }

    private static void address(Out o, Mailbox mb) {
        o.text("(").nstring(mb.getName()).text(" NIL ").nstring(mb.getLocalPart()).text(" ")
                .nstring(mb.getDomain()).text(")");
    }

    static void body(Out o, MimePart p, boolean extensible) {
        if (!p.children().isEmpty()) {
            o.text("(");
            for (MimePart c : p.children()) body(o, c, extensible);
            o.text(" ").string(p.subtype().toUpperCase(Locale.ROOT));
            if (extensible) {
                o.text(" ");
                params(o, p.params());
                o.text(" NIL NIL NIL");
            }
            o.text(")");
            return;
        }
        o.text("(").string(p.type().toUpperCase(Locale.ROOT)).text(" ").string(p.subtype().toUpperCase(Locale.ROOT))
                .text(" ");
        params(o, p.params());
        o.text(" ").nstring(p.header("Content-ID").orElse(null));
        o.text(" ").nstring(p.header("Content-Description").orElse(null));
        o.text(" ").string(p.header("Content-Transfer-Encoding").map(s -> s.toUpperCase(Locale.ROOT)).orElse("7BIT"));
        o.text(" " + p.bodySize());
        if (p.type().equals("message") && p.message().isPresent()) {
            o.text(" ");
            envelope(o, p.message().get());
            o.text(" ");
            body(o, p.message().get(), extensible);
            o.text(" " + p.bodyLines());
        } else if (p.type().equals("text")) {
            o.text(" " + p.bodyLines());
        }
        if (extensible) o.text(" NIL NIL NIL NIL");
        o.text(")");
    }

    private static void params(Out o, Map<String, String> params) {
        if (params.isEmpty()) {
            o.text("NIL");
            return;
        }
        o.text("(");
        int n = 0;
        for (var e : params.entrySet()) {
            if (n++ > 0) o.text(" ");
            o.string(e.getKey().toUpperCase(Locale.ROOT)).text(" ").string(e.getValue());
        }
        o.text(")");
    }
}
