package org.medlake.ingest.generate;

enum Specimen {
  BLOOD,
  SERUM,
  CITRATE_PLASMA,
  URINE
}
