package dev.ledger.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.StreamId;
import dev.ledger.store.AccountAsOf;
import dev.ledger.store.HashChainCursor;
import dev.ledger.store.HashChainCursor.Break;
import dev.ledger.views.Views;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import dev.ledger.store.Basis;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

// No mixinStandardHelpOptions: its -V/--version would clash with --version N, and picocli then drops
// -h/--help as well. Help is declared below; the version is the parent command's.
@Command(name = "state",
        description = {"An account exactly as it stood, folded from the log (not the projections), in the shape "
                + "of the API's account view. The hash chain is checked up to that point.",
                "A sharded account is answered as a whole: every shard folded to the same instant and added up, "
                        + "its version the sum of theirs (--version counts one stream's events: give --as-of, or "
                        + "--account ID#k for one shard).",
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
            "--metadata-table", "--control-table");

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

    @Option(names = "--basis", paramLabel = "recorded|effective", converter = BasisOption.class,
            defaultValue = "recorded",
            description = "with --as-of: count each event from when it was recorded (the default), or from its "
                    + "effective date (issue 16; an event without one counts when it was recorded)")
    Basis basis;

    /** {@code recorded} or {@code effective}, exactly as the read API's {@code basis} parameter takes it. */
    static final class BasisOption implements picocli.CommandLine.ITypeConverter<Basis> {
        @Override
        public Basis convert(String value) {
            Basis basis = Basis.fromParameter(value);
            if (basis == null) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a basis: give recorded "
                        + "or effective");
            }
            return basis;
        }
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
            Instant asOf = point == null ? null : point.asOf;
            if (basis == Basis.EFFECTIVE && asOf == null) {
                err.println("replay: --basis effective counts events as of an instant: give --as-of with it");
                return ReplayCli.FAILED;
            }
            HashChainCursor chain = HashChainCursor.fromGenesis();
            Optional<AccountAsOf> stood = AccountAsOf.fold(log.events(StreamId.account(account)), asOf, basis,
                    point == null ? null : point.version, chain);
            if (!chain.intact()) {
                err.println(broken(account, chain));
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
            AccountState own = stood.get().state();
            if (!own.sharded()) {
                CommonOptions.print(out, Views.account(own, stood.get().version()));
                return ReplayCli.OK;
            }
            if (point != null && point.version != null) {
                err.println("replay: account " + account + " has " + own.shardCount() + " shards, each a stream with "
                        + "its own versions; --version counts one stream's events: give --as-of for the account, "
                        + "or --account " + AccountShards.streamAccountId(account, 1) + " (and so on) for one shard");
                return ReplayCli.FAILED;
            }
            // The whole account: every shard it had then, folded to the same instant, added up.
            List<AccountState> shards = new ArrayList<>(List.of(own));
            long version = stood.get().version();
            for (int shard = 1; shard < own.shardCount(); shard++) {
                String streamAccountId = AccountShards.streamAccountId(account, shard);
                HashChainCursor shardChain = HashChainCursor.fromGenesis();
                Optional<AccountAsOf> shardStood = AccountAsOf.fold(log.events(StreamId.account(streamAccountId)),
                        asOf, basis, null, shardChain);
                if (!shardChain.intact()) {
                    err.println(broken(streamAccountId, shardChain));
                    return ReplayCli.DOES_NOT_HOLD;
                }
                if (shardStood.isEmpty()) {
                    err.println("replay: account " + account + " had " + own.shardCount() + " shards"
                            + (asOf == null ? "" : " at " + asOf) + ", but shard " + shard + " ("
                            + StreamId.account(streamAccountId) + ") is not in the log");
                    return ReplayCli.DOES_NOT_HOLD;
                }
                shards.add(shardStood.get().state());
                version += shardStood.get().version();
            }
            CommonOptions.print(out, Views.account(AccountState.whole(shards), version));
            return ReplayCli.OK;
        }
    }

    private static String broken(String streamAccountId, HashChainCursor chain) {
        return "replay: account " + streamAccountId + ": " + (chain.breakReason() == Break.MISSING_VERSION
                ? "version " + chain.firstBadVersion() + " is missing from the log"
                : "the hash chain is broken at version " + chain.firstBadVersion());
    }
}
