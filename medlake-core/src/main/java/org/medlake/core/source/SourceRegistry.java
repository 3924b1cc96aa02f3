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
    for (String extension : new String[] {".yaml", ".yml"}) {
      Path file = directory.resolve(source + extension);
      if (Files.isRegularFile(file)) {
        return SourceMappingParser.parse(file);
      }
    }
    throw new NotFoundException(
        "No source mapping '" + source + "': expected " + directory.resolve(source + ".yaml") + " (see docs/sources.md)");
  }

  /** The source whose mapping stores rows under {@code hospitalId}. */
  public java.util.Optional<SourceMapping> findByHospital(String hospitalId) {
    if (!Files.isDirectory(directory)) {
      return java.util.Optional.empty();
    }
    try (java.util.stream.Stream<Path> files = Files.list(directory)) {
      return files.filter(file -> file.getFileName().toString().matches(".*\\.ya?ml"))
          .sorted()
          .map(SourceMappingParser::parse)
          .filter(mapping -> mapping.hospitalId().equals(hospitalId))
          .findFirst();
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
      return files.filter(file -> file.getFileName().toString().matches(".*\\.ya?ml")).sorted().map(SourceMappingParser::parse).toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot list " + directory, e);
    }
  }

  public Path directory() {
    return directory;
  }
}
