package org.medlake.ingest.watch;

import java.time.Duration;
import java.util.List;

/**
 * A source of landing events: a watched directory, or (later) a queue of object-created
 * notifications. Delivery is at least once: a source may hand out the same file again (a duplicate
 * notification, a rescan, a restart), and the watcher makes that safe because ingest is idempotent
 * by checksum. An event that is never acknowledged may be handed out again.
 */
public interface LandingEvents extends AutoCloseable {
  /** Waits up to {@code timeout} for files that are ready; an empty list when none became ready. */
  List<LandingEvent> poll(Duration timeout) throws InterruptedException;

  /**
   * The event's file was ingested (or recorded as failed): the source need not hand it out again.
   */
  void acknowledge(LandingEvent event);

  @Override
  void close();
}
