package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * Named locks that hold across every process using one platform database, for a look-up and the
 * write it decides (a trigger's "is a run of this month on its way? else queue one").
 *
 * <p>On PostgreSQL a session-level advisory lock on a connection of its own, outside the pool: it
 * ends with that connection, also when the process dies, and the action is free to borrow pooled
 * connections (a pooled one held while waiting could starve the holder of its own). On SQLite,
 * whose processes share one machine, a lock on one byte of a file beside the database ({@code
 * platform.db.locks}), chosen by the name's hash, after a lock within this JVM: Java's file locks
 * are held per JVM, so two threads (or two servers in one JVM) must not both ask for the same byte.
 * Two names of the same hash only wait for each other.
 *
 * <p>Waiting is bounded ({@link #WAIT}): the actions under these locks take milliseconds, so a lock
 * held longer belongs to a process that hangs, and a request waiting for it fails with a one-line
 * 503 instead of holding a server thread for ever.
 */
final class PlatformLocks {
  /** How long a caller waits for a lock another holds. */
  static final Duration WAIT = Duration.ofSeconds(30);

  /** Bytes of the lock file a name maps to; more only spread unrelated names further. */
  private static final long SLOTS = 1 << 16;

  /** Per lock file and slot, so that servers sharing a file in one JVM also wait for each other. */
  private static final ConcurrentMap<String, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

  /** PostgreSQL's SQLSTATE of a lock wait ended by {@code lock_timeout}. */
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  private final PlatformConnections connections;
  private final Duration wait;

  PlatformLocks(PlatformConnections connections) {
    this(connections, WAIT);
  }

  PlatformLocks(PlatformConnections connections, Duration wait) {
    this.connections = requireNonNull(connections, "connections is null");
    this.wait = requireNonNull(wait, "wait is null");
  }

  <T> T exclusively(String name, Supplier<T> action) {
    requireNonNull(name, "name is null");
    requireNonNull(action, "action is null");
    return connections.sqlite() ? onFile(name, action) : onPostgres(name, action);
  }

  private <T> T onPostgres(String name, Supplier<T> action) {
    try (Connection lock = connections.openUnpooled()) {
      try (Statement timeout = lock.createStatement()) {
        // advisory locks wait in the lock manager, so lock_timeout bounds them
        timeout.execute("SET lock_timeout = " + Math.max(1, wait.toMillis()));
      }
      try (PreparedStatement statement =
          lock.prepareStatement("SELECT pg_advisory_lock(hashtext(?))")) {
        statement.setString(1, "medlake lock " + name);
        statement.execute();
      } catch (SQLException e) {
        if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
          throw heldTooLong(name);
        }
        throw e;
      }
      try {
        return action.get();
      } finally {
        try (PreparedStatement statement =
            lock.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
          statement.setString(1, "medlake lock " + name);
          statement.execute();
        }
      }
    } catch (SQLException e) {
      throw connections.storageError("lock '" + name + "'", e);
    }
  }

  private <T> T onFile(String name, Supplier<T> action) {
    Path file = Path.of(connections.name() + ".locks").toAbsolutePath().normalize();
    long slot = slot(name);
    ReentrantLock local = LOCAL.computeIfAbsent(file + "#" + slot, key -> new ReentrantLock());
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      if (!local.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
        throw heldTooLong(name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw heldTooLong(name);
    }
    try (FileChannel channel =
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = lockFile(channel, slot, deadline, name)) {
      return action.get();
    } catch (IOException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Cannot lock '" + name + "' in " + file + ": " + e.getMessage(),
          e);
    } finally {
      local.unlock();
    }
  }

  /** The byte {@code slot} of the lock file, waiting for another process until {@code deadline}. */
  private FileLock lockFile(FileChannel channel, long slot, long deadline, String name)
      throws IOException {
    while (true) {
      FileLock lock = channel.tryLock(slot, 1, false);
      if (lock != null) {
        return lock;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw heldTooLong(name);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw heldTooLong(name);
      }
    }
  }

  private MedlakeException heldTooLong(String name) {
    return new MedlakeException(
        ErrorCode.STORAGE_ERROR,
        "Lock '"
            + name
            + "' is held by another process for more than "
            + wait.toSeconds()
            + " s; try again later");
  }

  private static long slot(String name) {
    CRC32 crc = new CRC32();
    crc.update(name.getBytes(StandardCharsets.UTF_8));
    return crc.getValue() % SLOTS;
  }
}
