package org.medlake.ingest.watch;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Decides when a file that is being written is complete: when its size and modification time have
 * not changed for the settle time. A writer that pauses longer than that is indistinguishable from
 * a finished one, so the settle time is configuration ({@code watch.settle-seconds}); uploads
 * through the server are written under a temporary name and renamed, so they are complete at once.
 */
public final class SettleTracker {
  /** What a file looked like when it was last observed. */
  public record FileState(long size, long modifiedMillis) {}

  private record Pending(FileState state, Instant since) {}

  private final Duration settle;
  private final Map<Path, Pending> pending = new HashMap<>();
  private final Map<Path, FileState> handedOut = new HashMap<>();

  public SettleTracker(Duration settle) {
    this.settle = settle;
  }

  /**
   * Records what {@code file} looks like at {@code now}; a file handed out in this state is
   * ignored.
   */
  public void observe(Path file, FileState state, Instant now) {
    if (state.equals(handedOut.get(file))) {
      pending.remove(file);
      return;
    }
    Pending previous = pending.get(file);
    if (previous == null || !previous.state().equals(state)) {
      pending.put(file, new Pending(state, now));
    }
  }

  /** The file disappeared (moved away, deleted). */
  public void forget(Path file) {
    pending.remove(file);
    handedOut.remove(file);
  }

  /** Files still waiting to settle. */
  public List<Path> pending() {
    return List.copyOf(pending.keySet());
  }

  /** Files unchanged for the settle time at {@code now}; each is handed out once per state. */
  public List<Path> settled(Instant now) {
    List<Path> ready = new ArrayList<>();
    Iterator<Map.Entry<Path, Pending>> entries = pending.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<Path, Pending> entry = entries.next();
      if (!now.isBefore(entry.getValue().since().plus(settle))) {
        ready.add(entry.getKey());
        handedOut.put(entry.getKey(), entry.getValue().state());
        entries.remove();
      }
    }
    ready.sort(null);
    return ready;
  }
}
