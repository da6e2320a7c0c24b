package moat.policy;

/** The SMTP stages a {@link Check} can act at, in dialogue order. */
public enum Stage {
    CONNECT, HELO, MAIL, RCPT, DATA
}
