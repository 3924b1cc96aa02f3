package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The directory that holds one medlake installation: configuration, warehouse, catalog, platform
 * database, link vault, source mappings and the landing zone.
 */
public final class MedlakeHome {
  public static final String ENVIRONMENT_VARIABLE = "MEDLAKE_HOME";
  public static final Path DEFAULT = Path.of("medlake-data");

  private final Path root;
  private final MedlakeConfig config;
  private final Environment environment;
  private final List<ConfigFile.Setting> settings;

  private MedlakeHome(Path root, ConfigFile.Loaded loaded, Environment environment) {
    this.root = requireNonNull(root, "root is null");
    this.config = requireNonNull(loaded.config(), "config is null");
    this.settings = List.copyOf(loaded.settings());
    this.environment = requireNonNull(environment, "environment is null");
  }

  /**
   * Opens (and on first use creates) the home at {@code root}, writing default configuration; the
   * process environment overrides its keys ({@code MEDLAKE_SERVER_PORT}) and supplies the secrets.
   */
  public static MedlakeHome open(Path root) {
    return open(root, Environment.system(), Map.of());
  }

  /**
   * Opens the home with the given environment and command-line overrides ({@code server.port} from
   * {@code medlake serve --port}), which win over medlake.yaml and the environment.
   */
  public static MedlakeHome open(
      Path root, Environment environment, Map<String, String> commandLine) {
    Path absolute = root.toAbsolutePath().normalize();
    try {
      Files.createDirectories(absolute);
      for (String directory : new String[] {"warehouse", "sources", "landing", "queries", "tmp"}) {
        Files.createDirectories(absolute.resolve(directory));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create medlake home " + absolute, e);
    }
    return new MedlakeHome(
        absolute,
        ConfigFile.load(absolute.resolve("medlake.yaml"), environment, commandLine),
        environment);
  }

  public Path root() {
    return root;
  }

  public MedlakeConfig config() {
    return config;
  }

  /**
   * The environment this home was opened with: where secrets such as {@code MEDLAKE_PSEUDONYM_KEY}
   * come from.
   */
  public Environment environment() {
    return environment;
  }

  /** Every configuration key's effective value and where it came from ({@code medlake config}). */
  public List<ConfigFile.Setting> settings() {
    return settings;
  }

  public Path configFile() {
    return root.resolve("medlake.yaml");
  }

  public Path warehouse() {
    return root.resolve("warehouse");
  }

  public Path catalogDatabase() {
    return root.resolve("catalog.db");
  }

  public Path platformDatabase() {
    return root.resolve("platform.db");
  }

  public Path vaultDatabase() {
    return root.resolve("vault.db");
  }

  public Path pseudonymKeyFile() {
    return root.resolve("pseudonym.key");
  }

  public Path sources() {
    return root.resolve("sources");
  }

  public Path landing() {
    return root.resolve("landing");
  }

  public Path queries() {
    return root.resolve("queries");
  }

  public Path temporary() {
    return root.resolve("tmp");
  }
}
