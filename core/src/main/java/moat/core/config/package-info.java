/**
 * Settings as values: {@link moat.core.config.Setting} (type, default, unit, bounds and doc line),
 * {@link moat.core.config.Constraint}, {@link moat.core.config.Units} and the read interface
 * {@link moat.core.config.SettingValues}. Here rather than in the server so that every module can
 * own its settings as constants beside the code that uses them (docs/adr/0025-module-layout.md).
 *
 * <p>No I/O and no TOML: loading, the registry of all settings ({@code moat config defaults}) and
 * the generated file stay in {@code moat.server.config}, the one place that knows every module.
 */
package moat.core.config;
