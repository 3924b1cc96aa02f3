package org.medlake.ingest.generate;

enum Sex {
  FEMALE,
  MALE,
  UNKNOWN
}
