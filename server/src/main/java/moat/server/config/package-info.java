/**
 * Configuration: the typed settings registry ({@link moat.server.config.Settings#ALL}) and the
 * TOML file that overrides it.
 *
 * <p>Each setting is a {@link moat.core.config.Setting} constant owned by the package that uses
 * it, with a default, a unit, bounds and a doc line; the defaults are the secure choices. Adding a
 * package's holder to the registry is one line in {@code Settings.ALL}.
 *
 * <p>{@link moat.server.config.ConfigLocator} finds the file the same way for every command
 * (--config, MOAT_CONFIG, ./moat.toml, /etc/moat/moat.toml); {@link moat.server.config.ConfigFile}
 * changes one key of it in place for {@code moat config set}, keeping comments and layout, and
 * never writes a file the loader would refuse. The generated file holds every key commented out,
 * as dotted {@code section.name} lines without tables (docs/adr/0028).
 *
 * <p>Standards: TOML 1.0 (parsed by jackson-dataformat-toml). Sizes use IEC binary units (KiB,
 * MiB, GiB); durations use ms, s, m/min, h, d.
 *
 * <p>SECURITY: loading is strict. Unknown keys, wrong types and out-of-bounds values are errors
 * (all reported at once), so a typo never silently leaves a default in place. {@code 0} never
 * means "unlimited": numeric settings have explicit bounds, and a listener port of 0 is refused
 * as ambiguous ({@link moat.core.config.ListenerPort}: a number, "off" or "ephemeral").
 *
 * <p>LIMITATION: no reload of the config file while running (TLS files reload on their own).
 * LIMITATION: error messages name the key but not the line number (the TOML tree loses it).
 * LIMITATION: cross-key checks are done where the values are used (e.g.
 * {@link moat.server.config.ServerSettings#effectivePort}), not at load time.
 */
package moat.server.config;
