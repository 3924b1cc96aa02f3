package org.medlake.platform.store;

import java.util.ArrayList;
import java.util.List;

/** Keeps the lines instead of logging them; safe for concurrent writers. */
final class CollectingLineWriter implements AuditLineWriter {
  private final List<String> lines = new ArrayList<>();

  @Override
  public synchronized void write(String line) {
    lines.add(line);
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }
}
