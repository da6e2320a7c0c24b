/**
 * Binds the DNS resolver ({@code dns.*}), the perimeter checks ({@code policy.*}, {@code rdns.*},
 * {@code helo.*}, {@code dnsbl.*}, {@code rhsbl.*}) and greylisting ({@code greylist.*}) to the
 * configuration, and builds the port-25 {@link moat.policy.Policy} pipeline
 * ({@link moat.server.policy.Perimeter}). Defaults and their reasons: docs/adr/0006.
 *
 * <p>Greylist state lives in the index database by default ({@code greylist} tables of
 * {@code moat.store.sqlite.Schema}), adapted to the policy SPI here because the store module does
 * not depend on policy.
 *
 * <p>Audit: refusals are logged by the SMTP session with their reason code; findings that only
 * score are logged as {@code policy.score} events with the points and the session total.
 *
 * <p>LIMITATION: the greylist tables are purged only at start-up.
 */
package moat.server.policy;
