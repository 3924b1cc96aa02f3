package org.medlake.testkit.generate;

enum Specimen {
  BLOOD,
  SERUM,
  CITRATE_PLASMA,
  URINE
}
