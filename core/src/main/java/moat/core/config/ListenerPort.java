package moat.core.config;

/**
 * The value of a {@code listener.*_port} setting: a port number, no listener at all, or a port
 * the operating system picks. In moat.toml: {@code 143}, {@code "off"} or {@code "ephemeral"}.
 *
 * <p>{@code 0} is refused (docs/adr/0028-config-file-format-and-discovery.md): to the socket API
 * it means "any free port", to a Dovecot admin it means "no listener", and our own benchmark
 * meant the second and got the first. Neither reading is silently chosen.
 */
public sealed interface ListenerPort {
    /** No listener for this service: nothing binds, nothing answers. */
    record Off() implements ListenerPort {}

    /** A free port chosen by the operating system at each start (tests, side-by-side benchmarks). */
    record Ephemeral() implements ListenerPort {}

    /** A fixed port, shifted by {@code server.port_offset}. */
    record Fixed(int number) implements ListenerPort {
        public Fixed {
            if (number < 1 || number > 65535) throw new IllegalArgumentException("port " + number + " is not 1 to 65535");
        }
    }

    ListenerPort OFF = new Off();
    ListenerPort EPHEMERAL = new Ephemeral();

    public static ListenerPort of(int number) {
        return new Fixed(number);
    }

    /** How it is written in moat.toml, without TOML quoting: {@code 143}, {@code off}, {@code ephemeral}. */
    default String text() {
        return switch (this) {
            case Off o -> "off";
            case Ephemeral e -> "ephemeral";
            case Fixed f -> Integer.toString(f.number());
        };
    }
}
