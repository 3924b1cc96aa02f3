package org.medlake.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The process environment is read in one place: {@link Environment}. Everything else gets it passed
 * down.
 */
class TestEnvironmentOnlyHere {
  @Test
  void noProductSourceButEnvironmentCallsSystemGetenv() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    assertThat(root.resolve("pom.xml"))
        .as("the reactor root above " + Path.of("").toAbsolutePath())
        .isRegularFile();
    List<Path> sources;
    try (Stream<Path> modules = Files.list(root)) {
      sources =
          modules
              .map(module -> module.resolve("src/main/java"))
              .filter(Files::isDirectory)
              .flatMap(TestEnvironmentOnlyHere::walk)
              .filter(file -> file.toString().endsWith(".java"))
              .toList();
    }
    Path environment = Path.of("org/medlake/core/config/Environment.java");
    assertThat(sources).as("product sources found").anyMatch(file -> file.endsWith(environment));
    List<String> offenders =
        sources.stream()
            .filter(file -> !file.endsWith(environment))
            .filter(file -> read(file).contains("System.getenv"))
            .map(file -> root.relativize(file).toString())
            .toList();
    assertThat(offenders).isEmpty();
  }

  private static Stream<Path> walk(Path sources) {
    try {
      return Files.walk(sources).toList().stream();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
