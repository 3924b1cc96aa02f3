package org.medlake.ingest.watch;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A delivered file that is complete and ready to ingest. {@code receipt} identifies the
 * notification to its source, which is told with {@link LandingEvents#acknowledge} once the file
 * is ingested (for a queue: the message's receipt handle; for a directory: the path).
 */
public record LandingEvent(Path file, String receipt) {
  public LandingEvent {
    requireNonNull(file, "file is null");
    requireNonNull(receipt, "receipt is null");
  }
}
