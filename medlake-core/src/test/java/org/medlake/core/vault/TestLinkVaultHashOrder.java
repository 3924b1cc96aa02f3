package org.medlake.core.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The vault's batches go to the store in unsigned hash order, also when hashes share their leading
 * bytes.
 */
class TestLinkVaultHashOrder {
  @Test
  void hashesAreOrderedUnsignedAndInFullWhenTheirLeadingBytesAreEqual() {
    Random random = new Random(16);
    for (int count : new int[] {0, 1, 2, 3, 1000, 70_000}) {
      byte[][] hashes = new byte[count][];
      for (int i = 0; i < count; i++) {
        hashes[i] = new byte[16];
        random.nextBytes(hashes[i]);
        if (i % 3 == 0 && i > 0) {
          // the leading 8 bytes of an earlier hash (sign bits included), differing only after them
          System.arraycopy(hashes[random.nextInt(i)], 0, hashes[i], 0, 8);
        }
        if (i % 7 == 0) {
          hashes[i][0] = (byte) (random.nextBoolean() ? 0x80 : 0x7F);
        }
      }
      int[] order = LinkVault.hashOrder(hashes);
      Integer[] expected = IntStream.range(0, count).boxed().toArray(Integer[]::new);
      Arrays.sort(expected, (a, b) -> Arrays.compareUnsigned(hashes[a], hashes[b]));
      assertThat(Arrays.stream(order).mapToObj(i -> hashes[i]).toList())
          .as("%d hashes", count)
          .containsExactlyElementsOf(Arrays.stream(expected).map(i -> hashes[i]).toList());
    }
  }
}
