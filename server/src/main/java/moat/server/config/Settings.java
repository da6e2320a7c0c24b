package moat.server.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import moat.core.config.Setting;
import moat.server.tls.TlsSettings;

/**
 * The registry of every setting Moat knows. A key that is not here is an error in the file, so a
 * new holder must be added below (one line). Order here is the order of the docs.
 */
public final class Settings {
    public static final List<Setting<?>> ALL = collect(
            ServerSettings.class,
            moat.server.postmaster.PostmasterSettings.class,
            TlsSettings.class,
            moat.server.limits.LimitSettings.class,
            moat.server.smtp.SmtpSettings.class,
            moat.server.pop3.Pop3Settings.class,
            moat.server.policy.DnsSettings.class,
            moat.server.policy.PolicySettings.class,
            moat.server.policy.GreylistSettings.class,
            moat.server.content.ContentSettings.class,
            moat.server.imap.ImapSettings.class,
            moat.server.mailauth.MailAuthSettings.class,
            moat.delivery.DeliverySettings.class,
            moat.delivery.ConnectionCacheSettings.class,
            moat.server.audit.AuditSettings.class);

    private Settings() {}

    /**
     * The {@code public static final Setting} constants of each holder, in declaration order.
     * Reflection here means a constant cannot be declared and then forgotten in a hand-kept list.
     */
    public static List<Setting<?>> collect(Class<?>... holders) {
        List<Setting<?>> all = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (Class<?> holder : holders) {
            for (Field f : holder.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (!Modifier.isStatic(mod) || !Modifier.isPublic(mod) || f.getType() != Setting.class) continue;
                try {
                    Setting<?> s = (Setting<?>) f.get(null);
                    if (!keys.add(s.key())) throw new IllegalStateException("duplicate setting key " + s.key());
                    all.add(s);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return List.copyOf(all);
    }
}
