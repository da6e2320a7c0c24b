package moat.protocol.pop3;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Parses one command line (without CRLF) into a {@link Command} or an error response. Keywords
 * are case-insensitive (RFC 1939 section 3); arguments are separated by single spaces, but runs
 * of spaces are tolerated since clients differ.
 */
public final class CommandParser {
    /** Longest message number we parse; anything longer cannot name a message. */
    private static final int MAX_NUMBER_DIGITS = 18;

    private CommandParser() {}

    public sealed interface Result {
        record Ok(Command command) implements Result {}

        record Error(Response response) implements Result {}
    }

    public static Result parse(String line) {
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        String rest = sp < 0 ? "" : line.substring(sp + 1);
        String[] args = rest.isBlank() ? new String[0] : rest.strip().split(" +");
        return switch (verb) {
            case "CAPA" -> none(args, new Command.Capa());
            case "STLS" -> none(args, new Command.Stls());
            case "STAT" -> none(args, new Command.Stat());
            case "NOOP" -> none(args, new Command.Noop());
            case "RSET" -> none(args, new Command.Rset());
            case "QUIT" -> none(args, new Command.Quit());
            case "USER" -> args.length == 1 ? ok(new Command.User(args[0])) : syntax("USER needs one argument");
            case "PASS" -> rest.isEmpty() ? syntax("PASS needs a password") : ok(new Command.Pass(rest));
            case "AUTH" -> switch (args.length) {
                case 0 -> ok(new Command.Auth(Optional.empty(), Optional.empty()));
                case 1 -> ok(new Command.Auth(Optional.of(args[0].toUpperCase(Locale.ROOT)), Optional.empty()));
                case 2 -> ok(new Command.Auth(Optional.of(args[0].toUpperCase(Locale.ROOT)), Optional.of(args[1])));
                default -> syntax("AUTH takes a mechanism and an optional initial response");
            };
            case "LIST" -> optionalNumber(args).map(n -> ok(new Command.List(n))).orElseGet(() -> syntax("LIST [msg]"));
            case "UIDL" -> optionalNumber(args).map(n -> ok(new Command.Uidl(n))).orElseGet(() -> syntax("UIDL [msg]"));
            case "RETR" -> one(args).map(n -> ok(new Command.Retr(n))).orElseGet(() -> syntax("RETR msg"));
            case "DELE" -> one(args).map(n -> ok(new Command.Dele(n))).orElseGet(() -> syntax("DELE msg"));
            case "TOP" -> {
                if (args.length != 2) yield syntax("TOP msg lines");
                OptionalLong msg = number(args[0]);
                OptionalLong n = number(args[1]);
                yield msg.isPresent() && n.isPresent() ? ok(new Command.Top(msg.getAsLong(), n.getAsLong()))
                        : syntax("TOP msg lines: both non-negative numbers");
            }
            default -> new Result.Error(Response.err("Unknown command"));
        };
    }

    private static Result none(String[] args, Command c) {
        return args.length == 0 ? ok(c) : syntax("This command takes no argument");
    }

    private static Optional<OptionalLong> optionalNumber(String[] args) {
        if (args.length == 0) return Optional.of(OptionalLong.empty());
        if (args.length > 1) return Optional.empty();
        OptionalLong n = number(args[0]);
        return n.isPresent() ? Optional.of(n) : Optional.empty();
    }

    private static Optional<Long> one(String[] args) {
        if (args.length != 1) return Optional.empty();
        OptionalLong n = number(args[0]);
        return n.isPresent() ? Optional.of(n.getAsLong()) : Optional.empty();
    }

    /** Decimal digits only: no sign, no "+1", no "0x". */
    static OptionalLong number(String s) {
        if (s.isEmpty() || s.length() > MAX_NUMBER_DIGITS || !s.chars().allMatch(c -> c >= '0' && c <= '9'))
            return OptionalLong.empty();
        return OptionalLong.of(Long.parseLong(s));
    }

    private static Result ok(Command c) {
        return new Result.Ok(c);
    }

    private static Result syntax(String text) {
        return new Result.Error(Response.err("Syntax: " + text));
    }
}
