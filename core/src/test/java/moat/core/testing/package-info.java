/**
 * Test helpers every module's tests share, shipped as the test artifact {@code moat-core:test-jar}
 * (test scope only; never in the server jar): {@link moat.core.testing.MutableClock}, a clock tests
 * move by hand, and {@link moat.core.testing.ChildJvm}, the start and {@code kill -9} of a second
 * JVM that the crash harnesses (store, server) need.
 *
 * <p>They live here, not in a {@code common} module, because core is the one module every other
 * depends on; anything protocol- or store-specific stays in that module's own tests.
 */
package moat.core.testing;
