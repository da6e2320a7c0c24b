package moat.protocol.pop3;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The POP3 commands Moat understands (RFC 1939 sections 4-7, RFC 2449 CAPA, RFC 2595 STLS,
 * RFC 5034 AUTH). Message numbers are parsed as {@code long} and checked against the maildrop by
 * the session, so {@code RETR 999999999999} is an ordinary "no such message".
 */
public sealed interface Command {
    record Capa() implements Command {}

    record Stls() implements Command {}

    record User(String name) implements Command {}

    /** The rest of the line after "PASS ": a password may contain spaces (RFC 1939 section 7). */
    record Pass(String password) implements Command {}

    record Auth(Optional<String> mechanism, Optional<String> initialResponse) implements Command {}

    record Stat() implements Command {}

    record List(OptionalLong msg) implements Command {}

    record Retr(long msg) implements Command {}

    record Dele(long msg) implements Command {}

    record Noop() implements Command {}

    record Rset() implements Command {}

    record Top(long msg, long lines) implements Command {}

    record Uidl(OptionalLong msg) implements Command {}

    record Quit() implements Command {}
}
