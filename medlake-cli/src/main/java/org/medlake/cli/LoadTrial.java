package org.medlake.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

final class LoadTrial {
  private LoadTrial() {}

  static FaultTrials.Report run(Path work, int seconds, int rows) {
    return new FaultTrials.Report("load", 0, List.of(), Map.of());
  }
}
