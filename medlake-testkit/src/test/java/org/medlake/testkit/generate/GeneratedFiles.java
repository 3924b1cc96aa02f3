package org.medlake.testkit.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Fixtures shared by the generator tests. */
final class GeneratedFiles {
  private GeneratedFiles() {}

  static GeneratorOptions.Builder options(Path root) {
    return GeneratorOptions.builder(root.resolve("landing"), root.resolve("sources"))
        .rowsPerFile(2_000);
  }

  static GenerationReport generate(GeneratorOptions options) {
    return LabDataGenerator.generate(options, rows -> {});
  }

  /** Every file under the directory by its relative path, with its bytes. */
  static Map<String, byte[]> contents(Path root) {
    Map<String, byte[]> contents = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        contents.put(ManifestWriter.relativePath(root, file), Files.readAllBytes(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return contents;
  }

  static Path mappingOf(GeneratorOptions options, GeneratedFile file) {
    return options.sourcesDir().resolve(file.source() + ".yaml");
  }
}
