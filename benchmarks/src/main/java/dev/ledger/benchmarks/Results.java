package dev.ledger.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Where a benchmark's figures go: appended to the results file the run script names, and to stderr. */
final class Results {

    private Results() {
    }

    static void append(String[] args, String figures) throws IOException {
        System.err.println(figures);
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), figures + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
