package dev.ledger.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.LongSupplier;
import picocli.CommandLine.Option;

/** Options every command shares: output form, progress, parallelism. */
final class CommonOptions {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--json", description = "print a machine-readable summary (JSON) instead of text")
    boolean json;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "AUTO",
            description = "auto (a bar on a terminal, plain lines otherwise), tty, plain or none; default ${DEFAULT-VALUE}")
    Progress.Mode progress;

    @Option(names = "--progress-every", paramLabel = "SECONDS", defaultValue = "10",
            description = "seconds between plain progress lines; default ${DEFAULT-VALUE}")
    long progressEverySeconds;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "8",
            description = "streams read at once, each by a Query (verify, rebuild --accounts, the catch-up of a swap); "
                    + "default ${DEFAULT-VALUE}")
    int threads;

    @Option(names = "--segments", paramLabel = "N", defaultValue = "4",
            description = "parallel Scan segments for finding streams (a whole-projection rebuild folds them from the "
                    + "Scan, a segment per thread); default ${DEFAULT-VALUE}")
    int segments;

    Progress progress(String label, PrintWriter err, LongSupplier total) {
        return new Progress(label, err, progress, Duration.ofSeconds(progressEverySeconds), total);
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static void print(PrintWriter out, ObjectNode node) {
        try {
            out.println(JSON.writeValueAsString(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
        out.flush();
    }
}
