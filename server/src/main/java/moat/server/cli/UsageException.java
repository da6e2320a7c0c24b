package moat.server.cli;

/** Bad input from the admin (a short password, mismatched repeats): one line on stderr, exit code 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
