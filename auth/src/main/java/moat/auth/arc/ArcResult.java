package moat.auth.arc;

import java.util.Locale;
import java.util.Optional;

/** PLACEHOLDER (h-authwire, dropped on merge of h-dmarc). */
public record ArcResult(Code cv, int instances, String reason, Optional<String> oldestPassDomain) {
    public enum Code {
        NONE, PASS, FAIL;

        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
