/**
 * The composition root: {@link moat.server.Main} (the {@code moat} command), {@code moat serve}
 * and {@link moat.server.MoatServer}, which wires everything with plain constructors, no container.
 *
 * <p>How a server starts: {@code Foundation.open} opens what every service shares (the store,
 * the one place that names its implementation; TLS; the audit log; the connection gate, the
 * login throttle, quotas and mail authentication), then one starter per service takes that
 * record and returns a {@code Service} (its bound ports, and close): {@code SmtpStarter} (25,
 * 587, 465), {@code Pop3Starter} (110, 995), {@code ImapStarter} (143, 993) and, after the
 * listeners, {@code DeliveryStarter} (the outbound queue runner). The three protocols bind the
 * same way ({@code Listening}): each port setting on every bind address, a bind failure turned
 * into advice for the admin. Closing runs the other way: delivery, listeners, then TLS, the
 * store and the audit log.
 */
package moat.server;
