package org.medlake.ingest.ledger;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;
import org.medlake.core.config.HoldConfig;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.platform.store.RunLedger;

/**
 * The fail-safe both pipelines (embedded and Spark) apply between writing a file's rows and
 * committing them: a run that would shrink or wipe stored data is held ({@link RunStatus#HELD})
 * instead. Held are a run that accepts no row of a file that has rows (or that would replace stored
 * rows with none), one that rejects more than {@link HoldConfig#maxRejectedShare()} of the rows it
 * read, and one that would replace the hospital-month's stored rows by fewer than {@link
 * HoldConfig#minKeptShare()} of them.
 */
public final class RunHold {
  private final HoldConfig config;

  public RunHold(HoldConfig config) {
    this.config = requireNonNull(config, "config is null");
  }

  /**
   * Why {@code candidate} (a run with its counts, about to commit) is held, given the rows its
   * hospital-month holds now according to {@code ledger}; empty when it may commit.
   */
  public Optional<String> check(RunLedger ledger, IngestRun candidate) {
    if (!config.enabled()) {
      return Optional.empty();
    }
    long stored =
        ledger
            .latestSucceeded(candidate.hospitalId(), candidate.month())
            .filter(run -> !run.id().equals(candidate.id()))
            .map(IngestRun::rowsAccepted)
            .orElse(0L);
    return reason(candidate, stored);
  }

  /**
   * Why {@code candidate} is held when its hospital-month holds {@code storedRows} rows now, as one
   * line ending with what to do; empty when it may commit.
   */
  public Optional<String> reason(IngestRun candidate, long storedRows) {
    if (!config.enabled()) {
      return Optional.empty();
    }
    String hospitalMonth = candidate.hospitalId() + "/" + candidate.month();
    String replaces =
        storedRows > 0
            ? " (would replace " + count(storedRows) + " stored rows of " + hospitalMonth + ")"
            : "";
    String reason = null;
    if (candidate.rowsAccepted() == 0 && candidate.rowsRead() > 0) {
      reason = "0 of " + count(candidate.rowsRead()) + " rows accepted" + replaces;
    } else if (candidate.rowsAccepted() == 0 && candidate.rowsFiltered() > 0) {
      reason =
          "0 rows accepted: the row filter dropped all "
              + count(candidate.rowsFiltered())
              + " rows"
              + replaces;
    } else if (candidate.rowsAccepted() == 0 && storedRows > 0) {
      reason = "the file has no rows" + replaces;
    } else if (candidate.rowsRead() > 0
        && candidate.rowsRejected() > config.maxRejectedShare() * candidate.rowsRead()) {
      reason =
          count(candidate.rowsRejected())
              + " of "
              + count(candidate.rowsRead())
              + " rows rejected ("
              + percent((double) candidate.rowsRejected() / candidate.rowsRead())
              + ", more than ingest.hold.max-rejected-share "
              + percent(config.maxRejectedShare())
              + ")"
              + replaces;
    } else if (storedRows > 0 && candidate.rowsAccepted() < config.minKeptShare() * storedRows) {
      reason =
          count(candidate.rowsAccepted())
              + " rows accepted would replace "
              + count(storedRows)
              + " stored rows of "
              + hospitalMonth
              + " ("
              + percent((double) candidate.rowsAccepted() / storedRows)
              + ", less than ingest.hold.min-kept-share "
              + percent(config.minKeptShare())
              + ")";
    }
    if (reason == null) {
      return Optional.empty();
    }
    return Optional.of(
        "held: "
            + reason
            + "; fix the mapping and re-run, or medlake runs approve "
            + candidate.id());
  }

  /**
   * Records a held run and closes the earlier open holds of the same file (the same SHA-256): a
   * file has at most one open hold, the latest.
   */
  public static void record(RunLedger ledger, IngestRun held) {
    if (held.status() != RunStatus.HELD) {
      throw new IllegalArgumentException(
          "run " + held.id() + " is " + held.status() + ", not HELD");
    }
    ledger.record(held);
    for (IngestRun open : ledger.openHolds()) {
      if (!open.id().equals(held.id()) && open.sha256().equals(held.sha256())) {
        ledger.record(open.superseded(held.id(), "held again as " + held.id()));
      }
    }
  }

  /**
   * Closes the open holds a commit settles: those of the same file (a re-run after the mapping was
   * fixed committed it) and those of the same hospital-month (a later delivery replaced what they
   * would have committed).
   */
  public static void settle(RunLedger ledger, IngestRun committed) {
    for (IngestRun open : ledger.openHolds()) {
      if (open.sha256().equals(committed.sha256())) {
        ledger.record(open.superseded(committed.id(), "committed by " + committed.id()));
      } else if (open.hospitalId().equals(committed.hospitalId())
          && open.month().equals(committed.month())) {
        ledger.record(
            open.superseded(
                committed.id(),
                "superseded by "
                    + committed.id()
                    + ", a later delivery for "
                    + committed.hospitalId()
                    + "/"
                    + committed.month()));
      }
    }
  }

  private static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f %%", 100 * share);
  }
}
