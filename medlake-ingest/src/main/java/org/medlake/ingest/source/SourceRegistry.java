package org.medlake.ingest.source;

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

  public Path directory() {
    return directory;
  }
}
