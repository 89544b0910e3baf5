package dev.ledger.infra.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.infra.local.LocalStackMain;
import dev.ledger.infra.local.StateFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ./ledger local} in a child JVM ({@link LocalStackMain}, the same main class with the same
 * options), its output in a log file. Started means: its state file names the child's pid, which
 * the stack writes only once it serves; everything a client needs is read from that file.
 * {@link #close()} stops it as Ctrl-C does (SIGTERM: the shutdown hook stops the emulator it started).
 */
final class LocalStackProcess implements AutoCloseable {

    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    private final Process process;
    private final Path stateFile;
    private final Path log;
    private final JsonNode state;

    private LocalStackProcess(Process process, Path stateFile, Path log, JsonNode state) {
        this.process = process;
        this.stateFile = stateFile;
        this.log = log;
        this.state = state;
    }

    static LocalStackProcess start(List<String> localArguments, Path stateFile, Path log, Duration timeout)
            throws InterruptedException {
        Process process;
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            process = new ProcessBuilder(ChildJvm.command(LocalStackMain.class.getName(), localArguments))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the local stack", e);
        }
        AtomicReference<JsonNode> state = new AtomicReference<>();
        boolean serving = Deadline.in(timeout).await(() -> {
            Optional<JsonNode> written = StateFile.readIfRunning(stateFile)
                    .filter(s -> s.path("pid").asLong() == process.pid());
            written.ifPresent(state::set);
            return written.isPresent() || !process.isAlive();
        }, Duration.ofMillis(100));
        if (!serving || state.get() == null) {
            process.destroyForcibly();
            throw new IllegalStateException("The local stack " + (process.isAlive() || !serving
                    ? "did not start within " + timeout.toSeconds() + " s" : "exited with code " + process.exitValue())
                    + "; its output (" + log + "):\n" + tail(log));
        }
        return new LocalStackProcess(process, stateFile, log, state.get());
    }

    /** What the stack wrote to its state file (endpoint, HTTP URL, outputs, tokens). */
    JsonNode state() {
        return state;
    }

    Path stateFile() {
        return stateFile;
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    URI httpUrl() {
        return URI.create(state.path("httpUrl").asText());
    }

    URI emulatorEndpoint() {
        return URI.create(state.path("emulatorEndpoint").asText());
    }

    String output(String name) {
        String value = state.path("outputs").path(name).asText(null);
        if (value == null) {
            throw new IllegalStateException("The state file " + stateFile + " has no output " + name);
        }
        return value;
    }

    String token(String role) {
        String token = state.path("tokens").path(role).asText(null);
        if (token == null) {
            throw new IllegalStateException("The state file " + stateFile + " has no " + role + " token");
        }
        return token;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // The stack is told not to print its tokens; should anything else have, the log keeps none.
        List<String> tokens = new java.util.ArrayList<>();
        state.path("tokens").forEach(token -> tokens.add(token.asText()));
        redact(log, tokens);
    }

    /** Replaces every occurrence of the secrets in the file with {@code <redacted>}. */
    static void redact(Path file, java.util.Collection<String> secrets) {
        try {
            if (!Files.isRegularFile(file)) {
                return;
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String redacted = text;
            for (String secret : secrets) {
                if (secret != null && !secret.isEmpty()) {
                    redacted = redacted.replace(secret, "<redacted>");
                }
            }
            if (!redacted.equals(text)) {
                Files.writeString(file, redacted, StandardCharsets.UTF_8);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            System.err.println("demo: could not redact the tokens from " + file + ": " + e.getMessage());
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
