package org.medlake.query;

import java.time.YearMonth;
import org.medlake.core.config.MedlakeHome;
import org.medlake.lake.LabResultFiles;
import org.medlake.lake.Lakehouse;

/** A lake with known contents for query tests; see {@link LabResultFiles} for the rows. */
final class LakeFixture {
  static final String[] TESTS = LabResultFiles.TESTS;

  private LakeFixture() {}

  static void append(
      MedlakeHome home,
      Lakehouse lakehouse,
      String hospital,
      YearMonth month,
      int rows,
      int patients)
      throws Exception {
    LabResultFiles.append(home, lakehouse, hospital, month, rows, patients);
  }
}
