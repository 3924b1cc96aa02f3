package org.medlake.testkit.generate;

import java.util.SplittableRandom;

/**
 * Box-Muller with StrictMath, so that the same seed gives the same bytes on every JVM and platform.
 */
final class Gaussian {
  private Gaussian() {}

  static double next(SplittableRandom random) {
    double radius = StrictMath.sqrt(-2 * StrictMath.log(1 - random.nextDouble()));
    return radius * StrictMath.cos(2 * StrictMath.PI * random.nextDouble());
  }
}
