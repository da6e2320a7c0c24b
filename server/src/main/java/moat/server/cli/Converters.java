package moat.server.cli;

import moat.core.Domain;
import moat.core.EmailAddress;
import moat.store.UserLists;
import picocli.CommandLine;

/** picocli converters, so a bad address or domain is a usage error (exit 2) with one clear line. */
final class Converters {
    private Converters() {}

    static void register(CommandLine cli) {
        cli.registerConverter(EmailAddress.class, text -> EmailAddress.parse(text).orElseThrow(
                () -> new CommandLine.TypeConversionException("not a valid address: '" + text + "' (want local-part@domain)")));
        cli.registerConverter(Domain.class, text -> Domain.parse(text).orElseThrow(
                () -> new CommandLine.TypeConversionException("not a valid domain: '" + text + "'")));
        cli.registerConverter(UserLists.Entry.class, text -> {
            try {
                return UserLists.Entry.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("not a valid entry: '" + text
                        + "' (want a sender address, @domain or domain, or an IP address or CIDR network)");
            }
        });
    }
}
