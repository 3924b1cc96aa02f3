package org.medlake.query.cost;

import java.util.List;
import org.medlake.core.config.ByteSize;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;
import org.medlake.query.engine.PlannedTable;

/** Prices planned scans and enforces the per-role scan budgets. */
public final class CostEstimator {
  private static final double BYTES_PER_TERABYTE = 1e12;

  private final QueryConfig config;

  public CostEstimator(QueryConfig config) {
    this.config = config;
  }

  public Estimate estimate(List<PlannedTable> planned, Role role) {
    long files = 0;
    long totalFiles = 0;
    long bytes = 0;
    long projected = 0;
    boolean fullScan = false;
    for (PlannedTable table : planned) {
      files += table.files().size();
      totalFiles += table.totalFiles();
      bytes += table.bytes();
      projected += table.projectedBytes();
      fullScan |=
          table.totalFiles() > 0
              && table.files().size() == table.totalFiles()
              && table.bytes() > config.fullScanBytes();
    }
    return new Estimate(
        files,
        totalFiles,
        bytes,
        projected,
        projected / BYTES_PER_TERABYTE * config.pricePerTerabyte(),
        fullScan,
        config.budget(role));
  }

  /** Refuses a query whose estimate exceeds the role's budget, naming both numbers. */
  public void enforceBudget(Estimate estimate, Role role) {
    if (estimate.projectedBytes() > estimate.budgetBytes()) {
      throw new MedlakeException(
          ErrorCode.BUDGET_EXCEEDED,
          "Estimated scan of %s exceeds the %s budget of %s per query; narrow the hospitals or dates"
              .formatted(
                  ByteSize.format(estimate.projectedBytes()),
                  role.key(),
                  ByteSize.format(estimate.budgetBytes())));
    }
  }
}
