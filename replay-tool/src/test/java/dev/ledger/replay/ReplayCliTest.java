package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The command line itself (help, option parsing): no emulator, nothing is read. */
class ReplayCliTest {

    private record Run(int code, String out, String err) {
    }

    private static Run replay(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ReplayCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    /** The option names of a usage text's option list ("  -h, --help ..." or "      --name ..."). */
    private static List<String> listedOptions(String usage) {
        Matcher m = Pattern.compile("(?m)^(?:  -\\w, |      )(--[a-z-]+)").matcher(usage);
        List<String> names = new java.util.ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void stateHelpExitsZeroAndListsOnlyWhatStateUses() {
        for (String[] args : List.of(new String[] {"state", "--help"}, new String[] {"state", "-h"},
                new String[] {"help", "state"})) {
            Run run = replay(args);

            assertThat(run.code()).as(String.join(" ", args) + ": " + run.err()).isZero();
            assertThat(run.out()).startsWith("Usage: replay state");
            assertThat(listedOptions(run.out())).as(run.out()).containsExactlyInAnyOrder("--help", "--account",
                    "--as-of", "--version", "--basis", "--endpoint", "--region", "--state-file", "--events-table");
        }
    }

    @Test
    void stateStillAcceptsTheCommonOptionsOtherCommandsTake() {
        // A script passing one set of target options to every command keeps working; nothing is
        // reached, so the error is the unreachable endpoint's, not the options'.
        Run run = replay("state", "--account", "a", "--progress", "none", "--threads", "2", "--json",
                "--balances-table", "b", "--endpoint", "http://127.0.0.1:1", "--events-table", "e",
                "--state-file", "does-not-exist.json");

        assertThat(run.code()).isEqualTo(ReplayCli.FAILED);
        assertThat(run.err()).doesNotContain("Unknown option");
    }

    @Test
    void otherCommandsHelpStillListsTheirOptions() {
        Run run = replay("verify", "--help");

        assertThat(run.code()).isZero();
        assertThat(listedOptions(run.out())).contains("--help", "--accounts", "--progress", "--balances-table");
    }

    @Test
    void checkpointsWithoutBackfillIsBadUsageAndWritesNothing() {
        // --backfill is the command's one mode: asked for nothing, it must do nothing (it writes to the log)
        Run run = replay("checkpoints", "--endpoint", "http://127.0.0.1:1", "--events-table", "e",
                "--state-file", "does-not-exist.json");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--backfill");
    }

    @Test
    void aDateAloneForAsOfIsRefusedWithASentenceNamingTheAcceptedForms() {
        Run run = replay("state", "--account", "a", "--as-of", "2026-11-29", "--endpoint", "http://127.0.0.1:1",
                "--events-table", "e", "--state-file", "does-not-exist.json");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err().lines().findFirst().orElse("")).contains("--as-of", "2026-11-29",
                "2026-11-29T00:00:00Z").doesNotContain("Exception").doesNotContain("java.time");
    }

    @Test
    void exportFromAndToTakeTheSameFormsAsAsOf() {
        Run run = replay("export", "--accounts", "a", "--from", "yesterday", "--endpoint", "http://127.0.0.1:1",
                "--events-table", "e", "--state-file", "does-not-exist.json");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err().lines().findFirst().orElse("")).contains("--from", "yesterday")
                .doesNotContain("Exception");
    }

    @Test
    void anInstantWithAnOffsetIsTheSameInstantInUtc() {
        assertThat(InstantOption.parse("2026-11-29T01:00:00+01:00"))
                .isEqualTo(java.time.Instant.parse("2026-11-29T00:00:00Z"));
        assertThat(InstantOption.parse("2026-11-29T00:00:00Z")).isEqualTo(java.time.Instant.parse("2026-11-29T00:00:00Z"));
    }
}
