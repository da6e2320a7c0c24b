package moat.protocol.smtp;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import moat.core.Reason;
import moat.core.Reply;

/**
 * Parses one command line (without CRLF) into an {@link SmtpCommand}, or a {@link Reply} saying
 * what is wrong. RFC 5321 section 4.1.1: verbs are case-insensitive; arguments follow one space.
 */
public final class CommandParser {
    private CommandParser() {}

    /** Either a command or the reply refusing the line. */
    public sealed interface Result {
        record Ok(SmtpCommand command) implements Result {}

        record Error(Reply reply) implements Result {}
    }

    public static Result parse(String line) {
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        String arg = sp < 0 ? "" : line.substring(sp + 1);
        return switch (verb) {
            case "EHLO" -> arg.isBlank() ? param("EHLO needs a domain or address literal") : ok(new SmtpCommand.Ehlo(arg.strip()));
            case "HELO" -> arg.isBlank() ? param("HELO needs a domain") : ok(new SmtpCommand.Helo(arg.strip()));
            case "MAIL" -> pathCommand(arg, "FROM:", true);
            case "RCPT" -> pathCommand(arg, "TO:", false);
            case "DATA" -> noArg(arg, new SmtpCommand.Data());
            case "RSET" -> noArg(arg, new SmtpCommand.Rset());
            case "QUIT" -> noArg(arg, new SmtpCommand.Quit());
            case "STARTTLS" -> noArg(arg, new SmtpCommand.StartTls());
            case "NOOP" -> ok(new SmtpCommand.Noop()); // RFC 5321 4.1.1.9: a parameter is allowed and ignored
            case "HELP" -> ok(new SmtpCommand.Help());
            case "VRFY" -> ok(new SmtpCommand.Vrfy());
            case "EXPN" -> ok(new SmtpCommand.Expn());
            case "BDAT" -> bdat(arg);
            case "AUTH" -> auth(arg);
            default -> new Result.Error(Reply.of(Reason.SYNTAX_COMMAND));
        };
    }

    private static Result ok(SmtpCommand c) {
        return new Result.Ok(c);
    }

    private static Result param(String text) {
        return new Result.Error(Reply.of(Reason.SYNTAX_PARAMETER, text));
    }

    private static Result noArg(String arg, SmtpCommand c) {
        return arg.isEmpty() ? ok(c) : param("No parameters allowed");
    }

    private static Result bdat(String arg) {
        String[] p = arg.split(" ", -1);
        if (p.length < 1 || p.length > 2 || !p[0].matches("[0-9]{1,18}")) return param("Syntax: BDAT size [LAST]");
        boolean last = false;
        if (p.length == 2) {
            if (!p[1].equalsIgnoreCase("LAST")) return param("Syntax: BDAT size [LAST]");
            last = true;
        }
        return ok(new SmtpCommand.Bdat(Long.parseLong(p[0]), last));
    }

    private static Result auth(String arg) {
        String[] p = arg.split(" ", -1);
        if (arg.isEmpty() || p.length > 2 || p[0].isEmpty()) return param("Syntax: AUTH mechanism [initial-response]");
        Optional<String> initial = p.length == 2 ? Optional.of(p[1]) : Optional.empty();
        return ok(new SmtpCommand.Auth(p[0].toUpperCase(Locale.ROOT), initial));
    }

    /**
     * {@code MAIL FROM:<path> [params]} / {@code RCPT TO:<path> [params]}. RFC 5321 section 4.1.1.2
     * has no space after the colon; many clients send one, so one space is tolerated there.
     */
    private static Result pathCommand(String arg, String keyword, boolean mail) {
        if (arg.length() < keyword.length() || !arg.regionMatches(true, 0, keyword, 0, keyword.length()))
            return param("Syntax: " + (mail ? "MAIL FROM:<address>" : "RCPT TO:<address>"));
        String rest = arg.substring(keyword.length());
        if (rest.startsWith(" ")) rest = rest.substring(1);
        if (!rest.startsWith("<")) return new Result.Error(Reply.of(Reason.SYNTAX_ADDRESS, "Address must be enclosed in <>"));
        int close = closingBracket(rest);
        if (close < 0) return new Result.Error(Reply.of(Reason.SYNTAX_ADDRESS, "Missing closing >"));
        String path = rest.substring(1, close);
        String tail = rest.substring(close + 1);
        Map<String, String> params = new LinkedHashMap<>();
        if (!tail.isEmpty()) {
            if (!tail.startsWith(" ")) return param("Space required before parameters");
            for (String kv : tail.substring(1).split(" ", -1)) {
                if (kv.isEmpty()) return param("Empty parameter");
                int eq = kv.indexOf('=');
                String k = (eq < 0 ? kv : kv.substring(0, eq)).toUpperCase(Locale.ROOT);
                if (!k.matches("[A-Z0-9][A-Z0-9-]*")) return param("Bad parameter keyword");
                if (params.putIfAbsent(k, eq < 0 ? "" : kv.substring(eq + 1)) != null) return param("Duplicate parameter " + k);
            }
        }
        return ok(mail ? new SmtpCommand.Mail(path, params) : new SmtpCommand.Rcpt(path, params));
    }

    /** Index of the '>' closing the path, skipping quoted strings; -1 when absent. */
    private static int closingBracket(String s) {
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '\\') i++;
                else if (c == '"') quoted = false;
            } else if (c == '"') {
                quoted = true;
            } else if (c == '>') {
                return i;
            } else if (c == '<') {
                return -1;
            }
        }
        return -1;
    }
}
