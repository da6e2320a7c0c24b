package moat.server.mailauth;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import moat.auth.arc.ArcVerifier;
import moat.auth.dkim.DkimSettings;
import moat.auth.dkim.DkimSigningKey;
import moat.auth.dkim.DkimVerifier;
import moat.auth.dmarc.Dmarc;
import moat.auth.psl.PublicSuffixList;
import moat.auth.spf.Spf;
import moat.auth.spf.SpfSettings;
import moat.core.Domain;
import moat.core.dns.Resolver;
import moat.policy.CheckState;
import moat.policy.FailAction;
import moat.policy.Policy;
import moat.protocol.smtp.SessionInfo;
import moat.server.config.Config;
import moat.server.config.ServerSettings;
import moat.server.smtp.SmtpSettings;
import moat.store.Directory;
import moat.store.MailStore;

/**
 * Mail authentication for the SMTP listeners: the SPF rules of the port-25 policy pipeline, the
 * per-message {@link StagedSink} with its treatment (receipt checks on port 25, DKIM signing on
 * submission), built once from the configuration.
 */
public final class MailAuth {
    private final Receipt.Config receipt;
    private final Map<Domain, List<DkimSigningKey>> keys;
    private final boolean sign;
    private final Clock clock;
    private final Directory directory;
    private final int maxHeader;

    private MailAuth(Receipt.Config receipt, Map<Domain, List<DkimSigningKey>> keys, boolean sign, Clock clock,
                     Directory directory, int maxHeader) {
        this.receipt = receipt;
        this.keys = Map.copyOf(keys);
        this.sign = sign;
        this.clock = clock;
        this.directory = directory;
        this.maxHeader = maxHeader;
    }

    /** {@code problems} receives unreadable key files, for the start-up console. */
    public static MailAuth build(Config c, Resolver dns, Clock clock, Directory directory, List<String> problems)
            throws IOException {
        String host = c.get(ServerSettings.HOSTNAME);
        Set<String> sealers = new HashSet<>();
        for (String s : c.get(MailAuthSettings.ARC_TRUSTED_SEALERS)) sealers.add(Domain.of(s).ascii().toLowerCase(Locale.ROOT));
        Receipt.Config rc = new Receipt.Config(host, spf(dns, clock, host),
                new DkimVerifier(dns, DkimSettings.defaults(), clock),
                new Dmarc(dns, publicSuffixList(c), new SecureRandom()), new ArcVerifier(dns, clock),
                switch (c.get(MailAuthSettings.SPF_FAIL_ACTION)) {
                    case "reject_without_dmarc" -> Receipt.SpfAction.REJECT_WITHOUT_DMARC;
                    case "off" -> Receipt.SpfAction.OFF;
                    default -> Receipt.SpfAction.AT_MAIL_FROM;
                },
                c.get(MailAuthSettings.DMARC_ENFORCE), c.get(MailAuthSettings.REQUIRE_SINGLE_FROM), sealers,
                SmtpSettings.limits(c).maxMessageSize());
        Map<Domain, List<DkimSigningKey>> keys = new DkimKeyStore(c.path(ServerSettings.DATA_DIR)).signingKeys(problems);
        return new MailAuth(rc, keys, c.get(MailAuthSettings.DKIM_SIGN), clock, directory,
                SmtpSettings.limits(c).maxHeaderSize());
    }

    static Spf spf(Resolver dns, Clock clock, String host) {
        return new Spf(dns, SpfSettings.defaults().withReceiver(host), clock);
    }

    /**
     * The SPF rules of the port-25 pipeline (MAIL stage): a fail acts per {@code spf.fail_action}
     * when that is reject, defer or score; a temperror defers (451 4.7.24) unless
     * {@code spf.defer_temperror} is false or the action is off or score.
     */
    public static List<Policy.Rule> spfRules(Config c, Resolver dns, Clock clock) {
        Spf spf = spf(dns, clock, c.get(ServerSettings.HOSTNAME));
        String action = c.get(MailAuthSettings.SPF_FAIL_ACTION);
        List<Policy.Rule> rules = new ArrayList<>();
        if (List.of("reject", "defer", "score").contains(action)) {
            rules.add(new Policy.Rule(new SpfCheck(SpfCheck.Rule.FAIL, spf), FailAction.parse(action),
                    c.get(MailAuthSettings.SPF_FAIL_POINTS)));
        }
        if (!action.equals("off") && !action.equals("score") && c.get(MailAuthSettings.SPF_DEFER_TEMPERROR)) {
            rules.add(new Policy.Rule(new SpfCheck(SpfCheck.Rule.TEMPERROR, spf), FailAction.DEFER, 0));
        }
        return rules;
    }

    /** {@code dmarc.public_suffix_list}, else the bundled copy. */
    static PublicSuffixList publicSuffixList(Config c) throws IOException {
        String file = c.get(MailAuthSettings.PUBLIC_SUFFIX_LIST);
        return file.isBlank() ? PublicSuffixList.bundled() : PublicSuffixList.load(java.nio.file.Path.of(file));
    }

    /**
     * The sink for one message. Port 25 without trust relationship gets the receipt checks
     * ({@code perimeter} present); an authenticated submission gets signing; anything else is plain.
     */
    public StagedSink sink(SessionInfo s, MailStore.Draft draft, String received, Optional<CheckState> perimeter) {
        Treatment t;
        if (perimeter.isPresent()) {
            t = new Receipt(receipt, perimeter.get(), received);
        } else if (sign && s.listener().isSubmission() && s.authUser().isPresent() && !keys.isEmpty()) {
            t = new Signing(keys, clock, directory, s.authUser().get(), received);
        } else {
            t = new Plain(received);
        }
        return new StagedSink(draft, t, maxHeader);
    }

    /** The newest DKIM key of each algorithm per domain (also the ARC sealing keys of forwarded mail). */
    public Map<Domain, List<DkimSigningKey>> signingKeys() {
        return keys;
    }

    /** Domains with signing keys, for the start-up message. */
    public Set<Domain> signingDomains() {
        return keys.keySet();
    }
}
