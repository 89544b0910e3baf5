package dev.ledger.infra.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code .ledger/local.json}: what tools started later (demo, replay, benchmarks) need to reach a
 * running local stack: the emulator's endpoint, the HTTP API's URL, the stack's outputs and the
 * API tokens. Readable by its owner only, since it holds the tokens. Written once the stack
 * serves; deleted when it stops.
 */
public final class StateFile {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StateFile() {
    }

    /** The state of a running local stack, if the file exists and names a live process. */
    public static Optional<JsonNode> readIfRunning(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode state = JSON.readTree(file.toFile());
            long pid = state.path("pid").asLong(-1);
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive ? Optional.of(state) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // unreadable: a stale or half-written file
        }
    }

    static void refuseIfRunning(Path file) {
        readIfRunning(file).ifPresent(state -> {
            throw new IllegalStateException("A local stack is already running (pid " + state.path("pid").asLong()
                    + ", " + state.path("httpUrl").asText() + "); its state is in " + file);
        });
    }

    static void write(Path file, LocalStack stack) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("pid", ProcessHandle.current().pid());
        state.put("startedAt", Instant.now().toString());
        state.put("httpUrl", stack.httpUrl().toString());
        state.put("httpPort", stack.httpPort());
        state.put("emulatorEndpoint", stack.emulatorEndpoint().toString());
        stack.emulatorPid().ifPresent(pid -> state.put("emulatorPid", pid));
        stack.dataDirectory().ifPresent(directory -> state.put("dataDirectory", directory.toString()));
        state.put("stackReused", stack.reusedDeployment());
        state.put("region", LocalStack.REGION);
        state.put("stackName", stack.stackName());
        state.put("outputs", stack.outputs());
        stack.eventSources().ifPresent(runtime -> state.put("eventSourceCheckpointsTable", runtime.checkpoints().table()));
        Map<String, String> tokens = new LinkedHashMap<>();
        stack.tokens().forEach(t -> tokens.putIfAbsent(t.role(), t.token()));
        state.put("tokens", tokens);
        state.put("apiTokens", stack.tokenSpec());
        try {
            Path absolute = file.toAbsolutePath();
            Files.createDirectories(absolute.getParent());
            Path temporary = Files.createTempFile(absolute.getParent(), ".local", ".json.tmp");
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            }
            JSON.writeValue(temporary.toFile(), state);
            try {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the state file " + file, e);
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            System.err.println("[local stack] cannot delete " + file + ": " + e.getMessage());
        }
    }
}
