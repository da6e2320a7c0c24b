package moat.core;

import java.util.Map;

/**
 * Where code outside the server records events: the flat-field part of the server's audit stream
 * ({@code moat.server.audit.AuditLog}), so modules such as delivery depend on core and not on the
 * server (docs/adr/0025-module-layout.md). The stream behind it checks the fields against the
 * catalogue ({@link Event}) and hands them to every {@link EventSink}.
 */
public interface Audit {
    /** An event with the fields the catalogue lists for it; callers never put a password in {@code fields}. */
    void event(Event event, Map<String, ?> fields);

    /** A failure inside Moat that the admin must see (its message goes into the {@code error} field). */
    void internal(Event event, Throwable t);
}
