package moat.protocol.imap;

import java.util.Locale;
import java.util.Optional;

/**
 * One command as the client sent it, parsed once (RFC 9051 section 2.2.1): its tag, the
 * {@link ImapCommand} it names, whether UID prefixed it, and the cursor over its arguments,
 * which the command's handler reads.
 */
record ImapRequest(String tag, ImapCommand command, boolean uid, Args args) {
    /** The command's name on the wire, for replies that repeat it ("NOOP completed"). */
    String verb() {
        return command.name();
    }

    /** Either a request, or the BAD the line earns before any command runs. */
    sealed interface Parsed {
        record Ok(ImapRequest request) implements Parsed {}

        /** Tagged when the tag could be read, else untagged. */
        record Bad(Optional<String> tag, String text) implements Parsed {}
    }

    static Parsed parse(byte[] line, int maxNesting) {
        Args a = new Args(line, maxNesting);
        String tag;
        try {
            tag = a.tag();
        } catch (SyntaxError e) {
            return new Parsed.Bad(Optional.empty(), "Missing or invalid tag");
        }
        String verb;
        try {
            a.sp();
            verb = a.atom();
        } catch (SyntaxError e) {
            return bad(tag, "Missing command");
        }
        boolean uid = verb.toUpperCase(Locale.ROOT).equals("UID");
        if (uid) {
            try {
                a.sp();
                verb = a.atom();
            } catch (SyntaxError e) {
                return bad(tag, "UID needs a command");
            }
        }
        Optional<ImapCommand> command = ImapCommand.named(verb);
        if (uid && !command.map(ImapCommand::takesUid).orElse(false)) return bad(tag, "Unknown UID command");
        if (command.isEmpty()) return bad(tag, "Unknown command");
        return new Parsed.Ok(new ImapRequest(tag, command.get(), uid, a));
    }

    private static Parsed bad(String tag, String text) {
        return new Parsed.Bad(Optional.of(tag), text);
    }
}
