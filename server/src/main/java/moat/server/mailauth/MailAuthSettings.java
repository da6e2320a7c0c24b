package moat.server.mailauth;

import java.util.List;
import moat.core.Domain;
import moat.core.config.Constraint;
import moat.core.config.Setting;

/**
 * SPF, DKIM, DMARC and ARC on receipt (port 25) and DKIM signing on submission. Why each default
 * is what it is: docs/adr/0009-mail-authentication-actions.md.
 */
public final class MailAuthSettings {
    static final List<String> SPF_ACTIONS = List.of("reject_without_dmarc", "reject", "defer", "score", "off");

    public static final Setting<String> SPF_FAIL_ACTION = Setting.ofString("spf.fail_action", "reject_without_dmarc",
            "What an SPF fail (-all matched) does: reject_without_dmarc (refuse 550 5.7.23 at end of DATA only when the "
                    + "From domain publishes no DMARC policy; else DMARC decides), reject (550 5.7.23 at MAIL FROM), "
                    + "defer (451 4.7.23), score (spf.fail_points), off (results only in Authentication-Results)")
            .withConstraint(Constraint.of(String.join(", ", SPF_ACTIONS), SPF_ACTIONS::contains,
                    "must be one of " + String.join(", ", SPF_ACTIONS)));
    public static final Setting<Integer> SPF_FAIL_POINTS = Setting.ofInt("spf.fail_points", 5, "points", 0, 1000,
            "Points an SPF fail adds when spf.fail_action = \"score\"");
    public static final Setting<Boolean> SPF_DEFER_TEMPERROR = Setting.ofBool("spf.defer_temperror", true,
            "Answer 451 4.7.24 at MAIL FROM when the SPF evaluation meets a DNS failure (temperror); never a 5xx");
    public static final Setting<Boolean> DMARC_ENFORCE = Setting.ofBool("dmarc.enforce", true,
            "Apply the From domain's DMARC policy: p=reject refuses at end of DATA (550 5.7.1), p=quarantine "
                    + "delivers to Junk; false only records the result in Authentication-Results");
    public static final Setting<Boolean> REQUIRE_SINGLE_FROM = Setting.ofBool("dmarc.require_single_from", true,
            "Refuse (550 5.7.1 dmarc.from_invalid) a message with several From fields or From addresses (RFC 5322 "
                    + "section 3.6; RFC 7489 section 6.6.1); a message without From is delivered with dmarc=permerror");
    public static final Setting<String> PUBLIC_SUFFIX_LIST = Setting.ofString("dmarc.public_suffix_list", "",
            "A public_suffix_list.dat file (publicsuffix.org format) for DMARC's organizational domains; empty = the copy "
                    + "bundled with Moat (docs/adr/0008-dmarc-arc-interpretations.md); Moat never downloads it");
    public static final Setting<List<String>> ARC_TRUSTED_SEALERS = Setting.ofStringList("arc.trusted_sealers", List.of(),
            "Domains whose ARC seal (the newest ARC set, chain cv=pass) may override a DMARC fail: forwarders and lists "
                    + "you trust to have checked the original")
            .withConstraint(Constraint.of("domain names", v -> v.stream().allMatch(d -> Domain.parse(d).isPresent()),
                    "must be domain names"));
    public static final Setting<Boolean> DKIM_SIGN = Setting.ofBool("dkim.sign", true,
            "Sign mail submitted on 587/465 whose From domain has keys under data_dir/dkim/<domain>/ (one signature per "
                    + "algorithm: ed25519 and rsa)");
    public static final Setting<String> DKIM_SELECTOR_ED25519 = Setting.ofString("dkim.selector_ed25519", "moat-ed",
            "Selector prefix of new Ed25519 keys; `moat dkim keygen` appends -YYYYMMDD")
            .withConstraint(selector());
    public static final Setting<String> DKIM_SELECTOR_RSA = Setting.ofString("dkim.selector_rsa", "moat-rsa",
            "Selector prefix of new RSA keys; `moat dkim keygen` appends -YYYYMMDD").withConstraint(selector());
    public static final Setting<Integer> DKIM_RSA_BITS = Setting.ofInt("dkim.rsa_bits", 2048, "bits", 2048, 4096,
            "Size of new RSA signing keys (RFC 8301 section 3.2: at least 2048)");

    private MailAuthSettings() {}

    private static Constraint<String> selector() {
        return Constraint.of("a DNS label", s -> s.matches("[A-Za-z0-9](?:[A-Za-z0-9-]{0,40}[A-Za-z0-9])?"),
                "must be letters, digits and inner hyphens, at most 42 characters");
    }
}
