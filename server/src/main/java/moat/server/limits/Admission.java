package moat.server.limits;

import moat.core.Reason;

/**
 * The answer of {@link ConnectionGate#tryAdmit}: go ahead (and release the permit when the
 * connection ends) or refuse with a reason that the listener turns into its own reply
 * (SMTP {@code 421 4.7.0}, POP3 {@code -ERR [SYS/TEMP]}, IMAP {@code * BYE}).
 */
public sealed interface Admission {
    record Admitted(Permit permit) implements Admission {}

    record Refused(Reason reason) implements Admission {}
}
