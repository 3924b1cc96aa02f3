package org.medlake.ingest.pipeline;

/** Receives progress of long ingestion work; the CLI prints it as a status line. */
public interface ProgressListener {
  ProgressListener NONE = (file, phase, fraction) -> {};

  /**
   * @param file the file being ingested
   * @param phase what is happening, e.g. "scanning", "validating", "writing"
   * @param fraction 0..1 when known, negative when not
   */
  void update(String file, String phase, double fraction);
}
