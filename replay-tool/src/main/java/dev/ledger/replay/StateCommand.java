package dev.ledger.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.functions.api.Views;
import dev.ledger.store.HashChain;
import dev.ledger.store.StoredEvent;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Iterator;
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

    /** The fold up to a point, and the version it stands at. */
    record AsItStood(AccountState state, long version) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        target.events(); // a missing table name is the clearer error, before any client is built
        try (DynamoDbClient dynamo = target.dynamo()) {
            EventLog log = new EventLog(dynamo, target.events());
            Optional<AsItStood> stood;
            try {
                stood = fold(log.events(StreamId.account(account)), point == null ? null : point.asOf,
                        point == null ? null : point.version);
            } catch (BrokenChainException broken) {
                err.println("replay: account " + account + ": " + broken.getMessage());
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

    /**
     * Folds events up to the instant or version (both null: all), checking the chain on the way.
     * Empty if no event is at or before the point.
     */
    static Optional<AsItStood> fold(Iterator<StoredEvent> events, Instant asOf, Long upToVersion) {
        AccountState state = null;
        long version = 0;
        String hash = HashChain.GENESIS;
        while (events.hasNext()) {
            StoredEvent event = events.next();
            if (asOf != null && event.recordedAt().isAfter(asOf) || upToVersion != null && event.version() > upToVersion) {
                break;
            }
            if (event.version() != version + 1) {
                throw new BrokenChainException("version " + (version + 1) + " is missing from the log");
            }
            String recomputed = HashChain.next(hash, event.canonicalBytes());
            if (!recomputed.equals(event.hash())) {
                throw new BrokenChainException("the hash chain is broken at version " + event.version());
            }
            hash = recomputed;
            state = AccountState.evolve(Optional.ofNullable(state), (AccountEvent) event.event());
            version = event.version();
        }
        return state == null ? Optional.empty() : Optional.of(new AsItStood(state, version));
    }

    static final class BrokenChainException extends RuntimeException {
        BrokenChainException(String message) {
            super(message);
        }
    }
}
