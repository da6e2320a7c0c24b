/**
 * The composition root: {@link moat.server.Main} (the {@code moat} command), {@code moat serve}
 * and {@link moat.server.MoatServer}, which wires store, TLS, audit log and listeners with plain
 * constructors.
 */
package moat.server;
