package dev.ledger.infra.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The replay tool ({@code dev.ledger.replay.ReplayCli}, what {@code ./ledger replay} runs) as an
 * operator runs it: a process of its own, pointed at a local stack by its state file, with a
 * machine-readable summary ({@code --json}) and plain progress lines. Its exit code is the
 * verdict: 0 all holds, 1 something does not hold, 2 it could not do its work.
 */
public final class ReplayTool {

    static final String MAIN_CLASS = "dev.ledger.replay.ReplayCli";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path stateFile;
    private final Duration deadline;

    public ReplayTool(Path stateFile, Duration deadline) {
        this.stateFile = stateFile;
        this.deadline = deadline;
    }

    /** What one run said: its exit code and its JSON summary (a missing node if it printed none). */
    public record Run(int exitCode, JsonNode summary, String stdout) {
    }

    /**
     * {@code rebuild --projection NAME --swap}: builds a new table from the log and points the read
     * path at it (blue/green), as an operator replaces a lost or damaged projection.
     */
    public Run rebuildAndSwap(String projection, Consumer<String> progress) {
        return run(List.of("rebuild", "--projection", projection, "--swap"), progress);
    }

    /** {@code verify}: the log's chains and conservation, and every projection against the folds. */
    public Run verify(Consumer<String> progress) {
        return run(List.of("verify"), progress);
    }

    Run run(List<String> command, Consumer<String> progress) {
        List<String> arguments = new ArrayList<>(command);
        arguments.addAll(List.of("--state-file", stateFile.toString(), "--json", "--progress", "plain",
                "--progress-every", "2"));
        Process process;
        try {
            process = new ProcessBuilder(ChildJvm.command(MAIN_CLASS, arguments)).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the replay tool", e);
        }
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<Void> stderr = CompletableFuture.runAsync(() -> forEachLine(process.getErrorStream(), progress));
        try {
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("replay " + String.join(" ", command) + " did not finish in "
                        + deadline.toSeconds() + " s");
            }
            String out = stdout.join();
            stderr.join();
            return new Run(process.exitValue(), summary(out), out);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the replay tool ran", e);
        }
    }

    /** With --json the tool prints one JSON object and nothing else on stdout. */
    private static JsonNode summary(String stdout) {
        try {
            JsonNode node = JSON.readTree(stdout);
            return node == null ? JSON.missingNode() : node;
        } catch (IOException e) {
            return JSON.missingNode(); // no summary: the exit code and stderr say why
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void forEachLine(InputStream in, Consumer<String> lines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.accept(line);
            }
        } catch (IOException e) {
            lines.accept("(replay tool output lost: " + e + ")");
        }
    }
}
