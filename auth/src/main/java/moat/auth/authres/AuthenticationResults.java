package moat.auth.authres;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import moat.auth.arc.ArcResult;
import moat.auth.dkim.DkimResult;
import moat.auth.dmarc.DmarcPolicy;
import moat.auth.dmarc.DmarcResult;
import moat.auth.spf.SpfResult;
import moat.core.PeerText;

/**
 * Builds one Authentication-Results header field (RFC 8601) from the results of this host's
 * checks, and recognises fields that claim to come from it ({@link #claims}).
 *
 * <pre>{@code
 * Authentication-Results: mx.example.org;
 *         spf=pass smtp.mailfrom=example.com;
 *         dkim=pass header.d=example.com header.s=sel header.b=AbCdEfGh;
 *         dmarc=pass (p=reject dis=none) header.from=example.com
 * }</pre>
 *
 * <p>Each result goes on its own line; a line that would pass 78 columns is folded between
 * properties (RFC 5322 section 2.1.1). Property values are written bare when they are a MIME token
 * (RFC 2045 section 5.1) or an address/domain (RFC 8601 section 2.2 pvalue), else as a
 * quoted-string. Text taken from messages (DKIM reasons, names) is reduced to printable ASCII and
 * bounded before it is quoted, so a crafted message cannot inject a header line.
 * Not thread-safe: one builder per message.
 */
public final class AuthenticationResults {
    static final int MAX_COLUMNS = 78;
    static final int MAX_TEXT = 100;
    static final String NAME = "Authentication-Results";

    /** RFC 2045 section 5.1: token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+");
    /** RFC 8601 pvalue: [ [ local-part ] "@" ] domain-name, with a dot-atom local-part. */
    private static final Pattern ADDRESS = Pattern.compile(
            "([!#$%&'*+\\-/=?^_`{|}~0-9A-Za-z]+(\\.[!#$%&'*+\\-/=?^_`{|}~0-9A-Za-z]+)*)?@[0-9A-Za-z_-]+(\\.[0-9A-Za-z_-]+)*");

    private final String authservId;
    private final List<List<String>> results = new ArrayList<>();

    /** @param authservId this host's name (RFC 8601 section 2.5), usually its FQDN */
    public AuthenticationResults(String authservId) {
        Objects.requireNonNull(authservId, "authservId");
        if (authservId.isBlank()) throw new IllegalArgumentException("empty authserv-id");
        this.authservId = value(authservId);
    }

    /** RFC 8601 section 2.7.2: smtp.mailfrom (or smtp.helo when HELO was the identity checked). */
    public AuthenticationResults spf(SpfResult r) {
        List<String> e = method("spf", r.result().token());
        String property = r.identity() == SpfResult.Identity.HELO ? "smtp.helo" : "smtp.mailfrom";
        if (!r.domain().isEmpty()) e.add(property + "=" + value(r.domain()));
        results.add(e);
        return this;
    }

    /**
     * RFC 8601 section 2.7.1 with RFC 6008 header.b: one entry per signature; "dkim=none" when
     * the message has none. A non-pass result carries its reason (section 2.7 "reason").
     */
    public AuthenticationResults dkim(List<DkimResult> rs) {
        if (rs.isEmpty()) {
            results.add(method("dkim", "none"));
            return this;
        }
        for (DkimResult r : rs) {
            List<String> e = method("dkim", r.result().token());
            if (r.result() != DkimResult.Code.PASS && !r.reason().isEmpty()) e.add("reason=" + quoted(r.reason()));
            if (r.testing()) e.add(comment("test mode"));
            if (!r.domain().isEmpty()) e.add("header.d=" + value(r.domain()));
            if (!r.selector().isEmpty()) e.add("header.s=" + value(r.selector()));
            if (!r.bPrefix().isEmpty()) e.add("header.b=" + value(r.bPrefix()));
            results.add(e);
        }
        return this;
    }

    /** RFC 7489 section 11.2: dmarc=... header.from=, the policy and disposition in a comment. */
    public AuthenticationResults dmarc(DmarcResult r) {
        List<String> e = method("dmarc", r.result().token());
        if (r.policy().isPresent()) {
            e.add(comment("p=" + r.policy().map(DmarcPolicy::token).orElse("") + " dis=" + r.disposition().token()));
        }
        if (!r.fromDomain().isEmpty()) e.add("header.from=" + value(r.fromDomain()));
        results.add(e);
        return this;
    }

    /** RFC 8617 section 10.1 "arc" method; the number of sets and the oldest passing signer in a comment. */
    public AuthenticationResults arc(ArcResult r) {
        List<String> e = method("arc", r.cv().token());
        if (r.cv() == ArcResult.Code.FAIL && !r.reason().isEmpty()) e.add("reason=" + quoted(r.reason()));
        if (r.instances() > 0) {
            e.add(comment("i=" + r.instances() + r.oldestPassDomain().map(d -> " oldest-pass d=" + d).orElse("")));
        }
        results.add(e);
        return this;
    }

    /** RFC 8601 section 3: iprev with policy.iprev= the client address; the name found goes in a comment. */
    public AuthenticationResults iprev(String result, String clientIp, String ptrName) {
        List<String> e = method("iprev", result.toLowerCase(Locale.ROOT));
        if (ptrName != null && !ptrName.isEmpty()) e.add(comment(ptrName));
        if (clientIp != null && !clientIp.isEmpty()) e.add("policy.iprev=" + value(clientIp));
        results.add(e);
        return this;
    }

    /** The whole field, folded, ending with CRLF. With no result added it says "none" (section 2.2). */
    public String header() {
        StringBuilder sb = new StringBuilder(256).append(NAME).append(": ").append(authservId);
        if (results.isEmpty()) return sb.append("; none\r\n").toString();
        for (int i = 0; i < results.size(); i++) {
            sb.append(";\r\n\t");
            int column = 8;
            List<String> e = results.get(i);
            for (int j = 0; j < e.size(); j++) {
                String part = e.get(j);
                if (j > 0) {
                    if (column + 1 + part.length() > MAX_COLUMNS) {
                        sb.append("\r\n\t  ");
                        column = 10;
                    } else {
                        sb.append(' ');
                        column++;
                    }
                }
                sb.append(part);
                column += part.length();
            }
        }
        return sb.append("\r\n").toString();
    }

    @Override
    public String toString() {
        return header();
    }

    /**
     * True when {@code headerLine} ("Name: value", unfolded or not) is an Authentication-Results
     * field whose authserv-id equals {@code authservId} (case-insensitively, a trailing dot
     * ignored). RFC 8601 section 5: such fields arriving from outside are forgeries and must be
     * removed before our own is added. Comments and whitespace around the id are skipped.
     */
    public static boolean claims(String headerLine, String authservId) {
        if (headerLine == null || authservId == null) return false;
        int colon = headerLine.indexOf(':');
        if (colon < 0 || !headerLine.substring(0, colon).stripTrailing().equalsIgnoreCase(NAME)) return false;
        String v = headerLine.substring(colon + 1);
        int i = skipCfws(v, 0);
        if (i >= v.length()) return false;
        String id;
        if (v.charAt(i) == '"') {
            StringBuilder sb = new StringBuilder();
            for (i++; i < v.length() && v.charAt(i) != '"'; i++) {
                if (v.charAt(i) == '\\' && i + 1 < v.length()) i++;
                sb.append(v.charAt(i));
            }
            if (i >= v.length()) return false; // unterminated quoted-string
            id = sb.toString();
        } else {
            int start = i;
            while (i < v.length() && " \t\r\n;(".indexOf(v.charAt(i)) < 0) i++;
            id = v.substring(start, i);
        }
        return !id.isEmpty() && trimDot(id).equalsIgnoreCase(trimDot(authservId.strip()));
    }

    /** Skips whitespace, folding and (nested) comments (RFC 5322 section 3.2.2 CFWS). */
    static int skipCfws(String s, int i) {
        int depth = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (depth > 0) {
                if (c == '\\') i++;
                else if (c == '(') depth++;
                else if (c == ')') depth--;
            } else if (c == '(') {
                depth = 1;
            } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return i;
            }
            i++;
        }
        return i;
    }

    private static String trimDot(String s) {
        return s.endsWith(".") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
    }

    private static List<String> method(String method, String result) {
        List<String> e = new ArrayList<>(6);
        e.add(method + "=" + result);
        return e;
    }

    /** A pvalue: bare when it is a token or an address/domain, else a quoted-string. */
    static String value(String v) {
        String t = printable(v);
        if (TOKEN.matcher(t).matches() || ADDRESS.matcher(t).matches()) return t;
        return quoted(t);
    }

    static String quoted(String v) {
        return "\"" + printable(v).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String comment(String v) {
        return "(" + printable(v).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")";
    }

    /** Printable ASCII and single spaces only, at most 100 characters: no CR/LF can reach the header. */
    private static String printable(String v) {
        return PeerText.asciiLine(v, MAX_TEXT);
    }
}
