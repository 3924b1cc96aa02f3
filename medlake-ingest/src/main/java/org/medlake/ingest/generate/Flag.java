package org.medlake.ingest.generate;

/** Abnormal flags of the data contract; layouts spell them their own way. */
enum Flag {
  NORMAL,
  LOW,
  HIGH,
  CRITICAL_LOW,
  CRITICAL_HIGH,
  ABNORMAL
}
