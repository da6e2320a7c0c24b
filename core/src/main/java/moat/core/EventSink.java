package moat.core;

import java.time.Instant;
import java.util.Map;

/**
 * One consumer of the event stream: the audit log file today; metrics and a syslog shipper are
 * further sinks (DESIGN: the audit module holds them). A sink must not throw and must not block
 * for long: it runs on the thread that recorded the event (an SMTP session, the queue runner).
 */
@FunctionalInterface
public interface EventSink {
    /**
     * {@code fields} are the ones the catalogue lists for the event ({@link Event#fields()}); they never hold
     * a password. The map is not modified afterwards; a sink that keeps it need not copy it.
     */
    void accept(Instant at, Event event, Map<String, Object> fields);
}
