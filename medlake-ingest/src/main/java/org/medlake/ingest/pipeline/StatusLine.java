package org.medlake.ingest.pipeline;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress on standard error, for the CLI and the benchmarks: rewritten in place on a terminal, a
 * line every few seconds otherwise (logs, CI).
 */
public final class StatusLine implements ProgressListener {
  private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;

  private final PrintStream err;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private long lastLogNanos;
  private String prefix = "";

  public StatusLine(PrintStream err) {
    this.err = err;
    this.terminal = System.console() != null;
  }

  public void prefix(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public synchronized void update(String file, String phase, double fraction) {
    String elapsed = String.format(Locale.ROOT, "%5.1fs", (System.nanoTime() - startNanos) / 1e9);
    String progress = fraction >= 0 ? String.format(Locale.ROOT, " %3.0f%%", fraction * 100) : "";
    String text = elapsed + " " + prefix + file + ": " + phase + progress;
    if (terminal) {
      err.print("\r\033[K" + text);
      err.flush();
    } else if (System.nanoTime() - lastLogNanos > LOG_INTERVAL_NANOS) {
      lastLogNanos = System.nanoTime();
      err.println(text);
    }
  }

  public synchronized void done() {
    if (terminal) {
      err.print("\r\033[K");
      err.flush();
    }
  }
}
