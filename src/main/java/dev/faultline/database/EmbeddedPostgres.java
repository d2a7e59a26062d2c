package dev.faultline.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

/**
 * The PostgreSQL server Faultline starts for itself when no external database is configured.
 * One per JVM: the data directory survives restarts, and a server orphaned by a killed JVM is
 * stopped before a new one takes its data directory.
 */
public final class EmbeddedPostgres {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgres.class);
    static final String DATABASE = "faultline";
    private static final String USER = "postgres";

    private final String jdbcUrl;

    private EmbeddedPostgres(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    /**
     * Starts the server on first call; later calls in the same JVM return the running one. The
     * running server is remembered in a system property, not a static field, because an application
     * restarted in the same JVM (as tests with another profile do) loads this class afresh.
     */
    public static synchronized EmbeddedPostgres start(Path dataDirectory, int port) {
        String runningKey = "faultline.embedded-postgres.running." + dataDirectory.toAbsolutePath().normalize();
        String runningUrl = System.getProperty(runningKey);
        if (runningUrl != null) {
            return new EmbeddedPostgres(runningUrl);
        }
        long started = System.nanoTime();
        try {
            Files.createDirectories(dataDirectory.getParent());
            stopOrphan(dataDirectory);
            var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(dataDirectory.resolveSibling("postgres-binaries").toFile())
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("unix_socket_directories", "")
                    .setPGStartupWait(Duration.ofSeconds(60));
            if (port > 0) {
                builder.setPort(port);
            }
            var server = builder.start();
            createDatabase(server);
            EmbeddedPostgres running = new EmbeddedPostgres(
                    "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/" + DATABASE + "?user=" + USER);
            System.setProperty(runningKey, running.jdbcUrl);
            AtomicBoolean closerDisarmed = disarmLibraryCloser(server);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                awaitApplicationStopped();
                closerDisarmed.set(false);
                stop(server);
            }, "embedded-postgres-stop"));
            LOG.infof("Embedded PostgreSQL ready on 127.0.0.1:%d in %d ms (data: %s)",
                    server.getPort(), Duration.ofNanos(System.nanoTime() - started).toMillis(), dataDirectory);
            return running;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start embedded PostgreSQL in " + dataDirectory
                    + "; set quarkus.datasource.jdbc.url to use an external server", e);
        }
    }

    /**
     * JVM shutdown hooks run at the same time: without waiting, the database would stop while
     * Faultline still ends its runs on the way out. Waits (up to 30 s) only when the application
     * told this class it started, which in tests, where each application has its own copy of
     * this class, never happens.
     */
    private static void awaitApplicationStopped() {
        if (applicationStarted) {
            try {
                APPLICATION_STOPPED.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The library registers its own JVM shutdown hook that stops the postmaster at once, while
     * Faultline's shutdown observers still record how its runs ended. That hook calls
     * {@code close()}, which does nothing once the instance's {@code closed} flag is set; this sets
     * it, and the returned flag is cleared again just before Faultline stops the server itself.
     * Should the library change, the database simply stops as early as before (logged).
     */
    private static AtomicBoolean disarmLibraryCloser(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
        try {
            Field field = server.getClass().getDeclaredField("closed");
            field.setAccessible(true);
            AtomicBoolean closed = (AtomicBoolean) field.get(server);
            closed.set(true);
            return closed;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Embedded PostgreSQL may stop before Faultline records how its runs ended: %s", e);
            return new AtomicBoolean();
        }
    }

    private static final java.util.concurrent.CountDownLatch APPLICATION_STOPPED = new java.util.concurrent.CountDownLatch(1);
    private static volatile boolean applicationStarted;

    static void applicationStarted() {
        applicationStarted = true;
    }

    static void applicationStopped() {
        APPLICATION_STOPPED.countDown();
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    private static void stop(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL did not stop cleanly", e);
        }
    }

    private static void createDatabase(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
        try (var connection = server.getPostgresDatabase().getConnection();
                var exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, DATABASE);
            if (!exists.executeQuery().next()) {
                try (var create = connection.createStatement()) {
                    create.execute("create database " + DATABASE);
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Could not create the " + DATABASE + " database", e);
        }
    }

    /**
     * A JVM killed with SIGKILL leaves its postmaster running and holding the data directory.
     * Ask it to shut down (SIGTERM: its clients died with the JVM) before starting anew.
     */
    private static void stopOrphan(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> orphan = Files.readAllLines(pidFile).stream().findFirst()
                .map(String::strip)
                .filter(line -> line.matches("\\d+"))
                .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
                .filter(ProcessHandle::isAlive)
                .filter(process -> process.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        if (orphan.isEmpty()) {
            return;
        }
        ProcessHandle process = orphan.get();
        LOG.warnf("Stopping an orphaned embedded PostgreSQL (pid %d) left by a previous run", process.pid());
        process.destroy();
        try {
            process.onExit().get(15, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
        }
    }
}
