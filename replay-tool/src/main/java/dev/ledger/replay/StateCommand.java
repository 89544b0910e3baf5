package dev.ledger.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.StreamId;
import dev.ledger.store.AccountAsOf;
import dev.ledger.store.HashChainCursor;
import dev.ledger.store.HashChainCursor.Break;
import dev.ledger.views.Views;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

// No mixinStandardHelpOptions: its -V/--version would clash with --version N, and picocli then drops
// -h/--help as well. Help is declared below; the version is the parent command's.
@Command(name = "state",
        description = {"An account exactly as it stood, folded from the log (not the projections), in the shape "
                + "of the API's account view. The hash chain is checked up to that point.",
                "Exit 1 if the account did not exist then, or its chain is broken before that point."})
final class StateCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Mixin
    CommonOptions common; // accepted for a uniform command line (hidden, see below); the answer is always JSON

    /**
     * Options every command accepts that mean nothing to state (it prints JSON, reads one partition of
     * the events table, shows no progress): still accepted, so one set of options works for every
     * command, but left out of its help.
     */
    static final java.util.Set<String> UNUSED_COMMON_OPTIONS = java.util.Set.of("--json", "--progress",
            "--progress-every", "--threads", "--segments", "--balances-table", "--history-table", "--transfers-table",
            "--control-table");

    /** Hides {@link #UNUSED_COMMON_OPTIONS} from the state command's help. */
    static void hideUnusedOptions(CommandSpec state) {
        for (String name : UNUSED_COMMON_OPTIONS) {
            picocli.CommandLine.Model.OptionSpec option = state.findOption(name);
            state.remove(option);
            state.addOption(picocli.CommandLine.Model.OptionSpec.builder(option).hidden(true).build());
        }
    }

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--account", required = true, paramLabel = "ID", description = "the account")
    String account;

    @ArgGroup(exclusive = true)
    Point point;

    static final class Point {
        @Option(names = "--as-of", paramLabel = "ISO-8601", converter = InstantOption.class,
                description = "every event recorded at or before this instant: date, time and zone, "
                        + "e.g. 2026-11-29T00:00:00Z (a date alone is refused)")
        Instant asOf;

        @Option(names = "--version", paramLabel = "N", description = "the first N events")
        Long version;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        target.events(); // a missing table name is the clearer error, before any client is built
        try (DynamoDbClient dynamo = target.dynamo()) {
            EventLog log = new EventLog(dynamo, target.events());
            HashChainCursor chain = HashChainCursor.fromGenesis();
            Optional<AccountAsOf> stood = AccountAsOf.fold(log.events(StreamId.account(account)),
                    point == null ? null : point.asOf, point == null ? null : point.version, chain);
            if (!chain.intact()) {
                err.println("replay: account " + account + ": " + (chain.breakReason() == Break.MISSING_VERSION
                        ? "version " + chain.firstBadVersion() + " is missing from the log"
                        : "the hash chain is broken at version " + chain.firstBadVersion()));
                return ReplayCli.DOES_NOT_HOLD;
            }
            if (stood.isEmpty()) {
                err.println("replay: account " + account + " did not exist"
                        + (point == null ? "" : point.asOf != null ? " at " + point.asOf : " at version " + point.version));
                return ReplayCli.DOES_NOT_HOLD;
            }
            if (point != null && point.version != null && stood.get().version() < point.version) {
                err.println("replay: account " + account + " has only " + stood.get().version() + " events");
                return ReplayCli.DOES_NOT_HOLD;
            }
            ObjectNode view = Views.account(stood.get().state(), stood.get().version());
            CommonOptions.print(out, view);
            return ReplayCli.OK;
        }
    }
}
