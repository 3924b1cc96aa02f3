package org.medlake.testkit.generate;

/** Layout C mixes lab rows with other clinical rows that the source mapping filters out. */
enum Category {
  LAB,
  VITAL
}
