package org.medlake.ingest.watch;

import org.medlake.core.ledger.IngestRun;

/** Told about every run the watcher finished (succeeded or failed); webhooks and metrics listen. */
public interface RunListener {
  RunListener NONE = run -> {};

  void finished(IngestRun run);

  /** Calls {@code this}, then {@code next}; a listener that throws does not stop the next one. */
  default RunListener andThen(RunListener next) {
    return run -> {
      try {
        finished(run);
      } finally {
        next.finished(run);
      }
    };
  }
}
