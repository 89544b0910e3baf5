package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.StreamId;
import dev.ledger.store.HashChain;
import dev.ledger.store.StoredEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/verify_chain.py, the auditors' offline check, as the README tells them to run it: with a
 * file argument, "-" or standard input; it must never pass on nothing, must check an export that
 * starts past version 1 (made with {@code export --from}) from the hash it carries, and must still
 * find a tampered line, a gap, and a stream that starts late with nothing to start from.
 */
class VerifyChainScriptTest {

    private static final Path VERIFIER = Path.of("..", "docs", "verify_chain.py");

    /** Five chained events of a stream, as the log stores them. */
    private static List<StoredEvent> stream(String account, int events) {
        List<StoredEvent> chain = new ArrayList<>();
        String previous = HashChain.GENESIS;
        for (int version = 1; version <= events; version++) {
            StoredEvent draft = new StoredEvent(StreamId.account(account), version, "EntryPosted", 1,
                    Instant.parse("2026-05-01T12:00:00Z").plusSeconds(version), version == 1 ? null : "t-" + version,
                    "req-" + version, "{\"amount\":\"" + version + ".00\",\"currency\":\"EUR\",\"note\":\"caf\u00e9\"}",
                    "");
            String hash = HashChain.next(previous, draft.canonicalBytes());
            chain.add(new StoredEvent(draft.stream(), draft.version(), draft.type(), draft.schemaVersion(),
                    draft.recordedAt(), draft.transferId(), draft.correlationId(), draft.data(), hash));
            previous = hash;
        }
        return chain;
    }

    private static List<String> lines(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::toJsonLine).toList();
    }

    /** Both streams interleaved, from genesis. */
    private static List<String> complete() {
        List<String> a = lines(stream("alice", 5));
        List<String> b = lines(stream("bob", 3));
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(a.get(i));
            if (i < 3) {
                all.add(b.get(i));
            }
        }
        return all;
    }

    @Test
    void checksAFileGivenAsArgumentAndSaysWhatItChecked(@TempDir Path dir) throws Exception {
        Path file = write(dir, complete());

        Run run = run(List.of(file.toString()), null);

        assertThat(run.code()).as(run.output()).isZero();
        assertThat(run.output()).contains("account:alice ok 5 events", "account:bob ok 3 events",
                "OK: 2 streams, 8 events");
    }

    @Test
    void checksEventsWithEffectiveDatesAndFindsOneWhoseDateWasAltered(@TempDir Path dir) throws Exception {
        // Issue 16: only the middle event is dated; the envelope the hash covers has the key only there.
        List<StoredEvent> dated = new ArrayList<>();
        String previous = HashChain.GENESIS;
        for (int version = 1; version <= 3; version++) {
            StoredEvent draft = new StoredEvent(StreamId.account("dora"), version, "EntryPosted", 1,
                    Instant.parse("2026-05-01T12:00:00Z").plusSeconds(version), "t-" + version, "req-" + version,
                    "{\"amount\":\"1.00\",\"currency\":\"EUR\"}", "",
                    version == 2 ? Instant.parse("2026-04-20T00:00:00Z") : null);
            String hash = HashChain.next(previous, draft.canonicalBytes());
            dated.add(new StoredEvent(draft.stream(), draft.version(), draft.type(), draft.schemaVersion(),
                    draft.recordedAt(), draft.transferId(), draft.correlationId(), draft.data(), hash,
                    draft.effectiveAt()));
            previous = hash;
        }
        List<String> lines = lines(dated);
        List<String> altered = new ArrayList<>(lines);
        altered.set(1, altered.get(1).replace("2026-04-20T00:00:00Z", "2026-04-19T00:00:00Z"));

        Run ok = run(List.of(write(dir, lines).toString()), null);
        Run tampered = run(List.of(write(dir, altered).toString()), null);

        assertThat(lines.get(1)).contains("\"effectiveAt\":\"2026-04-20T00:00:00Z\"");
        assertThat(lines.get(0)).doesNotContain("effectiveAt");
        assertThat(ok.code()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("account:dora ok 3 events");
        assertThat(tampered.code()).as(tampered.output()).isNotZero();
        assertThat(tampered.output()).contains("account:dora");
    }

    @Test
    void checksStandardInputRedirectedOrNamedByDash(@TempDir Path dir) throws Exception {
        Path file = write(dir, complete());

        Run redirected = run(List.of(), file);
        Run dash = run(List.of("-"), file);

        assertThat(redirected.code()).as(redirected.output()).isZero();
        assertThat(redirected.output()).contains("OK: 2 streams, 8 events");
        assertThat(dash.code()).as(dash.output()).isZero();
        assertThat(dash.output()).contains("OK: 2 streams, 8 events");
    }

    @Test
    void emptyInputFailsWithASentence(@TempDir Path dir) throws Exception {
        Path empty = write(dir, List.of("", "   "));

        Run fromFile = run(List.of(empty.toString()), null);
        Run fromStdin = run(List.of(), empty);

        assertThat(fromFile.code()).as(fromFile.output()).isNotZero();
        assertThat(fromFile.output()).contains("no events");
        assertThat(fromStdin.code()).as(fromStdin.output()).isNotZero();
        assertThat(fromStdin.output()).contains("no events");
    }

    @Test
    void aMissingFileAndABadLineFailWithASentence(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>(complete());
        lines.add(3, "{\"stream\": \"account:alice\", \"version\": ");
        Path bad = write(dir, lines);

        Run missing = run(List.of(dir.resolve("nope.jsonl").toString()), null);
        Run badLine = run(List.of(bad.toString()), null);

        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.output()).contains("nope.jsonl").doesNotContain("Traceback");
        assertThat(badLine.code()).isEqualTo(2);
        assertThat(badLine.output()).contains("line 4").doesNotContain("Traceback");
    }

    @Test
    void aTamperedLineAndAGapBreakTheirStreamsOnly(@TempDir Path dir) throws Exception {
        List<String> tampered = new ArrayList<>(complete());
        tampered.replaceAll(l -> l.replace("\"3.00\"", "\"30.00\""));
        List<String> gap = new ArrayList<>(complete());
        gap.removeIf(l -> l.contains("\"account:alice\"") && l.endsWith("\"version\":2}"));
        assertThat(gap).hasSize(complete().size() - 1);

        Run t = run(List.of(write(dir, tampered).toString()), null);
        Run g = run(List.of(Files.write(dir.resolve("gap.jsonl"), gap).toString()), null);

        assertThat(t.code()).as(t.output()).isEqualTo(1);
        assertThat(t.output()).contains("account:alice BROKEN at version 3", "account:bob BROKEN at version 3")
                .doesNotContain("OK:");
        assertThat(g.code()).as(g.output()).isEqualTo(1);
        assertThat(g.output()).contains("account:alice BROKEN at version 2", "account:bob ok 3 events");
    }

    @Test
    void anExportStartingPastVersionOneIsCheckedFromThePreviousHashItCarries(@TempDir Path dir) throws Exception {
        List<StoredEvent> alice = stream("alice", 5);
        List<String> fromThree = new ArrayList<>();
        for (StoredEvent event : alice.subList(2, 5)) {
            fromThree.add(ExportCommand.exportLine(event, event.version() == 3 ? alice.get(1).hash() : null));
        }
        fromThree.addAll(lines(stream("bob", 3)));

        Run run = run(List.of(write(dir, fromThree).toString()), null);

        assertThat(run.code()).as(run.output()).isZero();
        assertThat(run.output()).contains("account:alice ok 3 events (versions 3-5, from previousHash "
                + alice.get(1).hash() + ")", "account:bob ok 3 events", "OK: 2 streams, 6 events");

        List<String> wrongStart = new ArrayList<>(fromThree);
        wrongStart.set(0, ExportCommand.exportLine(alice.get(2), alice.get(0).hash()));
        Run wrong = run(List.of(Files.write(dir.resolve("wrong.jsonl"), wrongStart).toString()), null);
        assertThat(wrong.code()).as(wrong.output()).isEqualTo(1);
        assertThat(wrong.output()).contains("account:alice BROKEN at version 3");

        List<String> noStart = new ArrayList<>(fromThree);
        noStart.set(0, alice.get(2).toJsonLine());
        Run none = run(List.of(Files.write(dir.resolve("nostart.jsonl"), noStart).toString()), null);
        assertThat(none.code()).as(none.output()).isEqualTo(1);
        assertThat(none.output()).contains("account:alice starts at version 3 without a previousHash",
                "account:bob ok 3 events");
    }

    @Test
    void anExportLineIsTheStoredLinePlusTheHashItContinuesFrom() throws Exception {
        StoredEvent second = stream("alice", 2).get(1);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();

        assertThat(ExportCommand.exportLine(second, null)).isEqualTo(second.toJsonLine());
        com.fasterxml.jackson.databind.node.ObjectNode line = (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree(ExportCommand.exportLine(second, "ab".repeat(32)));
        assertThat(line.remove("previousHash").asText()).isEqualTo("ab".repeat(32));
        assertThat(line).isEqualTo(json.readTree(second.toJsonLine()));
    }

    private record Run(int code, String output) {
    }

    private static Path write(Path dir, List<String> lines) throws IOException {
        return Files.write(Files.createTempFile(dir, "export", ".jsonl"), lines, StandardCharsets.UTF_8);
    }

    /** Runs the verifier; {@code stdin} null means an empty, closed standard input (not a terminal). */
    private static Run run(List<String> args, Path stdin) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(System.getenv().getOrDefault("LEDGER_PYTHON", "python3"));
        command.add(VERIFIER.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (stdin != null) {
            builder.redirectInput(stdin.toFile());
        }
        Process process = builder.start();
        if (stdin == null) {
            process.getOutputStream().close();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the verifier returns").isTrue();
        return new Run(process.exitValue(), output);
    }
}
