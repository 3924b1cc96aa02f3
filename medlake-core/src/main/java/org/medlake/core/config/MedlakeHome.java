package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The directory that holds one medlake installation: configuration, warehouse, catalog, platform
 * database, link vault, source mappings and the landing zone.
 */
public final class MedlakeHome {
  public static final String ENVIRONMENT_VARIABLE = "MEDLAKE_HOME";
  public static final Path DEFAULT = Path.of("medlake-data");

  private final Path root;
  private final MedlakeConfig config;

  private MedlakeHome(Path root, MedlakeConfig config) {
    this.root = requireNonNull(root, "root is null");
    this.config = requireNonNull(config, "config is null");
  }

  /** Opens (and on first use creates) the home at {@code root}, writing default configuration. */
  public static MedlakeHome open(Path root) {
    Path absolute = root.toAbsolutePath().normalize();
    try {
      Files.createDirectories(absolute);
      for (String directory : new String[] {"warehouse", "sources", "landing", "queries", "tmp"}) {
        Files.createDirectories(absolute.resolve(directory));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create medlake home " + absolute, e);
    }
    MedlakeConfig config = ConfigFile.loadOrCreate(absolute.resolve("medlake.yaml"));
    return new MedlakeHome(absolute, config);
  }

  public Path root() {
    return root;
  }

  public MedlakeConfig config() {
    return config;
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
