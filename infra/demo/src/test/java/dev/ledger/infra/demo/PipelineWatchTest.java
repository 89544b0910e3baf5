package dev.ledger.infra.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PipelineWatchTest {

    @TempDir
    Path dir;

    @Test
    void sums_each_projection_s_applied_events_and_shows_the_newest_batch_s_largest_lag() throws IOException {
        Path log = dir.resolve("demo-local.log");
        Files.writeString(log, "Starting the local stack\n"
                + "{\"projection\":\"balances\",\"records\":2,\"applied\":2,\"duplicates\":0,\"lagMs\":[900,1200]}\n");
        PipelineWatch watch = PipelineWatch.fromEndOf(log);

        append(log, "{\"route\":\"POST /transfers\",\"status\":201}\n"
                + "{\"projection\":\"balances\",\"records\":3,\"applied\":3,\"duplicates\":0,\"lagMs\":[2100,2500,2300]}\n"
                + "{\"projection\":\"transfers\",\"records\":1,\"applied\":1,\"duplicates\":0,\"lagMs\":[800]}\n"
                + "{\"projection\":\"balances\",\"records\":1,\"appl");
        assertThat(watch.status()).isEqualTo("balances 3 (lag 2.5 s), transfers 1 (lag 0.8 s)");

        append(log, "ied\":1,\"duplicates\":0,\"lagMs\":[400]}\n"
                + "{\"projection\":\"history\",\"records\":4,\"applied\":0,\"duplicates\":4}\n");
        watch.poll();
        assertThat(watch.applied()).containsOnly(entry("balances", 4L), entry("history", 0L), entry("transfers", 1L));
        assertThat(watch.summary()).isEqualTo("balances 4 (lag 0.4 s), history 0, transfers 1 (lag 0.8 s)");
    }

    @Test
    void before_any_batch_it_says_so() {
        assertThat(PipelineWatch.fromEndOf(dir.resolve("missing.log")).status()).isEqualTo("no projection batch yet");
    }

    private static void append(Path log, String text) throws IOException {
        Files.writeString(log, text, StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);
    }
}
