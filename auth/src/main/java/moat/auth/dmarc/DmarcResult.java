package moat.auth.dmarc;

import java.util.Locale;
import java.util.Optional;

/** PLACEHOLDER (h-authwire, dropped on merge of h-dmarc). */
public record DmarcResult(Code result, String fromDomain, Optional<DmarcPolicy> policy, DmarcPolicy disposition,
                          boolean spfAligned, boolean dkimAligned, String reason) {
    public enum Code {
        PASS, FAIL, NONE, TEMPERROR, PERMERROR;

        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
