package moat.server.postmaster;

import moat.core.EmailAddress;
import moat.core.config.Constraint;
import moat.core.config.Setting;

/** Where postmaster@ and abuse@ of every local domain go (docs/adr/0024-postmaster-and-abuse.md). */
public final class PostmasterSettings {
    public static final Setting<String> POSTMASTER = Setting.ofString("server.postmaster", "",
            "Address that receives postmaster@ and abuse@ of every local domain and of server.hostname, unless the"
                    + " domain has its own user or alias of that name; a local user, an alias or a remote address;"
                    + " \"\" = the first user ever added")
            .withConstraint(Constraint.of("empty or an address", v -> v.isEmpty() || EmailAddress.parse(v).isPresent(),
                    "must be an address such as admin@example.org, or \"\""));

    private PostmasterSettings() {}
}
