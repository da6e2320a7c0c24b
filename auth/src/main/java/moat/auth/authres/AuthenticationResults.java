package moat.auth.authres;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import moat.auth.arc.ArcResult;
import moat.auth.dkim.DkimResult;
import moat.auth.dmarc.DmarcResult;
import moat.auth.spf.SpfResult;

/** PLACEHOLDER (h-authwire, dropped on merge of h-dmarc): a bare RFC 8601 field builder. */
public final class AuthenticationResults {
    private final String authservId;
    private final List<String> methods = new ArrayList<>();

    public AuthenticationResults(String authservId) {
        this.authservId = authservId;
    }

    public AuthenticationResults spf(SpfResult r) {
        methods.add("spf=" + r.result().token() + " smtp." + r.identity().token() + "=" + r.domain());
        return this;
    }

    public AuthenticationResults dkim(List<DkimResult> results) {
        if (results.isEmpty()) methods.add("dkim=none");
        for (DkimResult r : results) {
            methods.add("dkim=" + r.result().token() + " header.d=" + r.domain() + " header.s=" + r.selector()
                    + " header.b=" + r.bPrefix());
        }
        return this;
    }

    public AuthenticationResults dmarc(DmarcResult r) {
        methods.add("dmarc=" + r.result().token() + " header.from=" + r.fromDomain());
        return this;
    }

    public AuthenticationResults arc(ArcResult r) {
        methods.add("arc=" + r.cv().token());
        return this;
    }

    public AuthenticationResults iprev(String result, String clientIp, String ptrName) {
        methods.add("iprev=" + result + " policy.iprev=" + clientIp);
        return this;
    }

    public String header() {
        StringBuilder sb = new StringBuilder("Authentication-Results: ").append(authservId);
        if (methods.isEmpty()) sb.append("; none");
        for (String m : methods) sb.append(";\r\n\t").append(m);
        return sb.append("\r\n").toString();
    }

    public static boolean claims(String headerLine, String authservId) {
        int colon = headerLine.indexOf(':');
        if (colon < 0 || !headerLine.substring(0, colon).trim().equalsIgnoreCase("Authentication-Results")) return false;
        String v = headerLine.substring(colon + 1).replaceAll("\\([^)]*\\)", " ").strip();
        int semi = v.indexOf(';');
        String id = (semi < 0 ? v : v.substring(0, semi)).strip().split("\\s+")[0];
        return id.toLowerCase(Locale.ROOT).equals(authservId.toLowerCase(Locale.ROOT));
    }
}
