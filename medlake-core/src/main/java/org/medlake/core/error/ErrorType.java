package org.medlake.core.error;

/** Who is at fault when an operation fails. */
public enum ErrorType {
  /** The caller sent something invalid: bad input, bad arguments, bad configuration. */
  USER,
  /** A bug or broken invariant inside medlake. */
  INTERNAL,
  /** A system medlake depends on failed: file system, catalog, database. */
  EXTERNAL
}
