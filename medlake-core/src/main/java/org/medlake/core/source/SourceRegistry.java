package org.medlake.core.source;

import java.nio.file.Files;
import java.nio.file.Path;
import org.medlake.core.error.NotFoundException;

/** The source mappings of a medlake home: {@code sources/<source>.yaml}. */
public final class SourceRegistry {
  private final Path directory;

  public SourceRegistry(Path directory) {
    this.directory = directory;
  }

  public SourceMapping load(String source) {
    return SourceMappingParser.parse(file(source));
  }

  /**
   * The files that make up the source's mapping: its YAML file and, when it has a code look-up, the
   * dictionary. A held run is retried when their {@link #fingerprint} changes.
   */
  public java.util.List<Path> files(String source) {
    Path file = file(source);
    java.util.List<Path> files = new java.util.ArrayList<>(java.util.List.of(file));
    SourceMappingParser.parse(file)
        .codeLookup()
        .ifPresent(lookup -> files.add(directory.resolve(lookup.dictionary())));
    return java.util.List.copyOf(files);
  }

  /** SHA-256 over the source's mapping {@link #files} (a missing dictionary counts as empty). */
  public String fingerprint(String source) {
    java.security.MessageDigest digest;
    try {
      digest = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
    for (Path file : files(source)) {
      digest.update(
          file.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      digest.update((byte) 0);
      if (Files.isRegularFile(file)) {
        digest.update(
            org.medlake.core.file.FilePreparer.checksum(file)
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
      digest.update((byte) 0);
    }
    return java.util.HexFormat.of().formatHex(digest.digest());
  }

  private Path file(String source) {
    for (String extension : new String[] {".yaml", ".yml"}) {
      Path file = directory.resolve(source + extension);
      if (Files.isRegularFile(file)) {
        return file;
      }
    }
    throw new NotFoundException(
        "No source mapping '"
            + source
            + "': expected "
            + directory.resolve(source + ".yaml")
            + " (see docs/sources.md)");
  }

  /**
   * The source whose mapping stores rows under {@code hospitalId}: the one that delivers monthly
   * when the hospital has several (a backfill or study extract beside its monthly feed), else the
   * first by file name.
   */
  public java.util.Optional<SourceMapping> findByHospital(String hospitalId) {
    if (!Files.isDirectory(directory)) {
      return java.util.Optional.empty();
    }
    try (java.util.stream.Stream<Path> files = Files.list(directory)) {
      return files
          .filter(file -> file.getFileName().toString().matches(".*\\.ya?ml"))
          .sorted()
          .map(SourceMappingParser::parse)
          .filter(mapping -> mapping.hospitalId().equals(hospitalId))
          .min(
              java.util.Comparator.comparing(
                  (SourceMapping mapping) -> mapping.cadence() != SourceMapping.Cadence.MONTHLY));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot list " + directory, e);
    }
  }

  /** Every source mapping, by file name. */
  public java.util.List<SourceMapping> all() {
    if (!Files.isDirectory(directory)) {
      return java.util.List.of();
    }
    try (java.util.stream.Stream<Path> files = Files.list(directory)) {
      return files
          .filter(file -> file.getFileName().toString().matches(".*\\.ya?ml"))
          .sorted()
          .map(SourceMappingParser::parse)
          .toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot list " + directory, e);
    }
  }

  public Path directory() {
    return directory;
  }
}
