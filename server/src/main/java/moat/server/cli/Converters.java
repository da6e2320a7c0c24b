package moat.server.cli;

import moat.core.Domain;
import moat.core.EmailAddress;
import picocli.CommandLine;

/** picocli converters, so a bad address or domain is a usage error (exit 2) with one clear line. */
final class Converters {
    private Converters() {}

    static void register(CommandLine cli) {
        cli.registerConverter(EmailAddress.class, text -> EmailAddress.parse(text).orElseThrow(
                () -> new CommandLine.TypeConversionException("not a valid address: '" + text + "' (want local-part@domain)")));
        cli.registerConverter(Domain.class, text -> Domain.parse(text).orElseThrow(
                () -> new CommandLine.TypeConversionException("not a valid domain: '" + text + "'")));
    }
}
