package moat.protocol.sasl;

import java.util.Arrays;

/** A decoded user name and password. Call {@link #wipe()} when done. */
public record Credentials(String username, char[] password) {
    public void wipe() {
        Arrays.fill(password, '\0');
    }
}
