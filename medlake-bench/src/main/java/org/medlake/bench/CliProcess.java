package org.medlake.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The medlake CLI in a child JVM on this JVM's class path: the distribution's, or the class path of
 * medlake-cli's tests.
 */
final class CliProcess {
  /**
   * The CLI's entry point, by name: medlake-cli depends on this module, so it cannot be named as a
   * class here.
   */
  static final String MAIN = "org.medlake.cli.Main";

  private CliProcess() {}

  /** {@code java -Xmx<maxHeap> -cp <this class path> org.medlake.cli.Main <arguments>}. */
  static List<String> command(String maxHeap, List<String> arguments) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(java, "-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"), MAIN));
    command.addAll(arguments);
    return command;
  }
}
