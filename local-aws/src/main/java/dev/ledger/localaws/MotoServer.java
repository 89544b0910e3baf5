package dev.ledger.localaws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A moto server (every AWS service moto emulates, on one 127.0.0.1 port) running as a child
 * process of this JVM, for tests and the local stack.
 *
 * <p>{@link #start()} runs moto through {@code moto_launcher.py}, which adds DynamoDB and dispatch
 * performance fixes (see the script); {@link #startPlain()} runs moto as it is, for comparisons;
 * {@link #startPersistent(Path, boolean)} runs the launcher with a data directory, whose journal
 * keeps the emulator's state across restarts, kill -9 included (see {@code moto_journal.py}).
 * The Python interpreter is {@code python3}, or the one named by the environment variable
 * {@value #PYTHON_ENV}; it must have {@code moto[server]} 5.2.1 installed. The server's output
 * goes to {@link #logFile()}, not to the console.
 */
public final class MotoServer implements AutoCloseable {

    /** Which moto to run. */
    public enum Variant {
        /** moto with the launcher's fixes: what tests and the local stack use. */
        LAUNCHER,
        /** moto exactly as installed ({@code python3 -m moto.server}): the reference. */
        PLAIN
    }

    public static final String PYTHON_ENV = "LEDGER_PYTHON";
    public static final String INSTALL_HINT = "pip install 'moto[server]==5.2.1'";

    private static final String LAUNCHER_RESOURCE = "moto_launcher.py";
    // Imported by the launcher from its own directory.
    private static final List<String> LAUNCHER_MODULES = List.of("moto_journal.py");
    private static final String HOST = "127.0.0.1";
    // moto imports in 1-2 s here; the margin is for a loaded 2-core CI machine. A hang guard, not a
    // budget: while the launcher keeps writing to its log (a journal's replay reports progress), it
    // starts over, so a long journal can take as long as it needs.
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
    // werkzeug's startup line, which moto (plain or through the launcher) prints once it listens.
    private static final Pattern RUNNING_ON = Pattern.compile("Running on http://" + Pattern.quote(HOST) + ":(\\d+)");

    private final Variant variant;
    private final Process process;
    private final URI endpoint;
    private final Path logFile;
    private final Path launcherCopy; // the directory holding the launcher's files, or null
    private final Thread shutdownHook;

    private MotoServer(Variant variant, Process process, URI endpoint, Path logFile, Path launcherCopy) {
        this.variant = variant;
        this.process = process;
        this.endpoint = endpoint;
        this.logFile = logFile;
        this.launcherCopy = launcherCopy;
        // A test run that ends without close() (a crash, Ctrl-C) must not leave moto running.
        this.shutdownHook = new Thread(this::stopProcess, "moto-server-shutdown-" + endpoint.getPort());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts moto with the launcher's fixes and returns once it answers HTTP requests. */
    public static MotoServer start() {
        return start(Variant.LAUNCHER);
    }

    /** Starts plain moto, without the launcher's fixes. */
    public static MotoServer startPlain() {
        return start(Variant.PLAIN);
    }

    public static MotoServer start(Variant variant) {
        return start(variant, python(), List.of());
    }

    /**
     * Starts the launcher with its state kept in {@code dataDirectory}: the journal there is replayed
     * before it answers (which takes a while for a long one), and every write it acknowledges from
     * then on is journaled. {@code fresh} empties the journal first. Only one emulator may use a
     * data directory at a time.
     */
    public static MotoServer startPersistent(Path dataDirectory, boolean fresh) {
        return startPersistent(dataDirectory, fresh, Durability.PROCESS_KILL);
    }

    /** What an acknowledged write survives, with a data directory. */
    public enum Durability {
        /**
         * A kill of the emulator (kill -9 included): each journal line is written before the answer,
         * into the operating system's page cache. What ./ledger local uses.
         */
        PROCESS_KILL,
        /** Also a power loss or a kernel crash: an fsync after every journaled write (slower; see BENCHMARK.md). */
        POWER_LOSS
    }

    public static MotoServer startPersistent(Path dataDirectory, boolean fresh, Durability durability) {
        List<String> options = new ArrayList<>(List.of("--data-dir", dataDirectory.toAbsolutePath().toString()));
        if (fresh) {
            options.add("--fresh");
        }
        if (durability == Durability.POWER_LOSS) {
            options.add("--journal-fsync");
        }
        return start(Variant.LAUNCHER, python(), options);
    }

    static MotoServer start(Variant variant, String python) {
        return start(variant, python, List.of());
    }

    private static String python() {
        return System.getenv().getOrDefault(PYTHON_ENV, "python3");
    }

    private static MotoServer start(Variant variant, String python, List<String> launcherOptions) {
        Path launcherCopy = variant == Variant.LAUNCHER ? extractLauncher() : null;
        try {
            Path logFile = newLogFile(variant);
            // Port 0: the operating system picks a free port when moto binds it, and moto (werkzeug)
            // logs which one. Choosing a free port here and passing it to moto would leave a window,
            // moto's 1-2 s of imports, in which another process can take it; and if that process
            // answers HTTP, the tests would talk to it instead of to their own emulator.
            Process process = launch(python, command(variant, python, launcherCopy, launcherOptions, 0), logFile);
            OptionalInt port = awaitBoundPort(process, logFile);
            if (port.isEmpty()) {
                if (process.isAlive()) {
                    destroy(process);
                    throw new IllegalStateException(variant + " moto did not start listening within "
                            + START_TIMEOUT.toSeconds() + " s; see " + logFile);
                }
                throw startFailure(variant, python, process, readQuietly(logFile), logFile);
            }
            URI endpoint = URI.create("http://" + HOST + ":" + port.getAsInt());
            if (!awaitAnswer(process, endpoint)) {
                if (process.isAlive()) {
                    destroy(process);
                    throw new IllegalStateException(variant + " moto did not answer within "
                            + START_TIMEOUT.toSeconds() + " s; see " + logFile);
                }
                throw startFailure(variant, python, process, readQuietly(logFile), logFile);
            }
            return new MotoServer(variant, process, endpoint, logFile, launcherCopy);
        } catch (RuntimeException e) {
            deleteDirectoryQuietly(launcherCopy);
            throw e;
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public Variant variant() {
        return variant;
    }

    /** The file that receives the server's stdout and stderr. */
    public Path logFile() {
        return logFile;
    }

    /** The moto process id, e.g. to read its memory use. */
    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmAlreadyShuttingDown) {
            // the hook is running or has run: nothing left to remove
        }
    }

    @Override
    public String toString() {
        return "MotoServer[" + variant + " " + endpoint + ", log " + logFile + "]";
    }

    private static List<String> command(Variant variant, String python, Path launcherCopy, List<String> launcherOptions,
                                        int port) {
        List<String> command = new ArrayList<>();
        command.add(python);
        if (variant == Variant.LAUNCHER) {
            command.add(launcherCopy.resolve(LAUNCHER_RESOURCE).toString());
            command.addAll(launcherOptions);
            // This JVM holds the other end of the launcher's stdin: if it dies (kill -9), the pipe
            // closes and the emulator goes too, instead of living on, orphaned, with the journal's lock.
            command.add("--stop-on-stdin-close");
        } else {
            command.add("-m");
            command.add("moto.server");
        }
        command.addAll(List.of("-H", HOST, "-p", Integer.toString(port)));
        return command;
    }

    private static Process launch(String python, List<String> command, Path logFile) {
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run the Python interpreter '" + python + "' (" + e.getMessage()
                    + "). Install Python 3 with moto (" + INSTALL_HINT + "), or name an interpreter that has it"
                    + " in the environment variable " + PYTHON_ENV + ".", e);
        }
    }

    /**
     * The port moto bound, from werkzeug's startup line in the log ("Running on http://HOST:PORT");
     * empty if the process ends or the time runs out first.
     */
    private static OptionalInt awaitBoundPort(Process process, Path logFile) {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        int logLength = 0;
        while (true) {
            String log = readQuietly(logFile);
            Matcher running = RUNNING_ON.matcher(log);
            if (running.find()) {
                return OptionalInt.of(Integer.parseInt(running.group(1)));
            }
            if (log.length() > logLength) { // progress (e.g. a journal's replay): the hang guard starts over
                logLength = log.length();
                deadline = Instant.now().plus(START_TIMEOUT);
            }
            // Waiting on the process, not sleeping: this returns at once if moto exits (e.g. not installed).
            if (waitFor(process, POLL_INTERVAL) || Instant.now().isAfter(deadline)) {
                return OptionalInt.empty();
            }
        }
    }

    /**
     * Polls until the server answers any HTTP request; false if the process ends or the time runs
     * out first. The port is the one our moto bound, so whoever answers is our moto.
     */
    private static boolean awaitAnswer(Process process, URI endpoint) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        HttpRequest probe = HttpRequest.newBuilder(endpoint.resolve("/moto-api/"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            try {
                http.send(probe, HttpResponse.BodyHandlers.discarding());
                return true;
            } catch (IOException notListeningYet) {
                // keep polling
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                destroy(process);
                throw new IllegalStateException("Interrupted while waiting for moto at " + endpoint, e);
            }
            if (waitFor(process, POLL_INTERVAL)) {
                return false;
            }
        }
        return false;
    }

    private static RuntimeException startFailure(Variant variant, String python, Process process, String log, Path logFile) {
        if (log.contains("No module named") || process.exitValue() == 3) {
            return new IllegalStateException("moto is not installed for the Python interpreter '" + python
                    + "'. Install it with: " + INSTALL_HINT + " (or name an interpreter that has it in the environment"
                    + " variable " + PYTHON_ENV + "). Output: " + tail(log));
        }
        return new IllegalStateException(variant + " moto exited with code " + process.exitValue()
                + " before answering; see " + logFile + ". Output: " + tail(log));
    }

    private void stopProcess() {
        destroy(process);
        deleteDirectoryQuietly(launcherCopy);
    }

    /** Stops the process and anything it started: politely first (moto exits on SIGTERM), then by force. */
    private static void destroy(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        if (!waitFor(process, STOP_TIMEOUT)) {
            process.destroyForcibly();
            waitFor(process, STOP_TIMEOUT);
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /**
     * The launcher and the modules it imports are classpath resources (possibly inside a jar);
     * Python needs them as files in one directory.
     */
    private static Path extractLauncher() {
        Path directory;
        try {
            directory = Files.createTempDirectory("moto_launcher");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory for " + LAUNCHER_RESOURCE, e);
        }
        List<String> files = new ArrayList<>(LAUNCHER_MODULES);
        files.add(LAUNCHER_RESOURCE);
        for (String name : files) {
            try (InputStream in = MotoServer.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("Resource " + name + " is missing next to " + MotoServer.class);
                }
                Files.copy(in, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                deleteDirectoryQuietly(directory);
                throw new UncheckedIOException("Cannot extract " + name, e);
            }
        }
        return directory;
    }

    /** A log file of its own for each server, in {@link #logDirectory()}. */
    private static Path newLogFile(Variant variant) {
        try {
            return Files.createTempFile(logDirectory(), "moto-" + variant.name().toLowerCase(Locale.ROOT) + "-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a log file for moto", e);
        }
    }

    /** Names the directory for the server's log files; {@code ./ledger local} and {@code demo} set it. */
    public static final String LOG_DIR_ENV = "LEDGER_MOTO_LOG_DIR";

    private static Path logDirectory() {
        return logDirectory(System.getenv());
    }

    /**
     * {@value #LOG_DIR_ENV} when set (the ledger script sets .ledger/moto-logs); else target/moto-logs
     * when run from a Maven module (tests, exec:java); else the temp directory's ledger-moto-logs.
     */
    static Path logDirectory(java.util.Map<String, String> environment) {
        String named = environment.get(LOG_DIR_ENV);
        Path target = Path.of("target");
        Path directory = named != null && !named.isBlank() ? Path.of(named)
                : Files.isDirectory(target) ? target.resolve("moto-logs")
                : Path.of(System.getProperty("java.io.tmpdir"), "ledger-moto-logs");
        try {
            return Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + directory, e);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(String log) {
        String trimmed = log.strip();
        return trimmed.length() <= 2000 ? trimmed : "..." + trimmed.substring(trimmed.length() - 2000);
    }

    /** Deletes the launcher's directory: its files, Python's __pycache__ and itself. */
    private static void deleteDirectoryQuietly(Path directory) {
        if (directory == null) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(MotoServer::deleteQuietly);
        } catch (IOException e) {
            deleteQuietly(directory);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            file.toFile().deleteOnExit();
        }
    }
}
