package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.HistoryProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.MetadataProjection;
import dev.ledger.projections.Projection;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventStore;
import dev.ledger.store.StoredEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The deployed stack's log and its projections (balances, history, transfers: the last holds the
 * multi-leg transactions too; and the metadata index), read straight from their tables: whether the
 * projections have caught up with the log's heads, and whether the first three equal the fold of the log
 * ({@code replay verify} compares the metadata index). Shared by the tests that run the read path.
 */
final class ProjectionsAgainstLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(250);

    private final DynamoEventStore store;
    private final BalancesProjection balances;
    private final HistoryProjection history;
    private final HistoryReader historyReader;
    private final TransfersProjection transfers;
    private final MetadataProjection metadata;

    /** @param outputs the stack's outputs, which name its tables */
    ProjectionsAgainstLog(DynamoDbClient dynamo, Map<String, String> outputs) {
        store = new DynamoEventStore(dynamo, outputs.get("EventsTableName"));
        balances = new BalancesProjection(dynamo, outputs.get("BalancesTableName"));
        history = new HistoryProjection(dynamo, outputs.get("HistoryTableName"));
        historyReader = new HistoryReader(dynamo, outputs.get("HistoryTableName"));
        transfers = new TransfersProjection(dynamo, outputs.get("TransfersTableName"));
        metadata = new MetadataProjection(dynamo, outputs.get(ProjectionCatalog.METADATA.templateOutput()));
    }

    DynamoEventStore store() {
        return store;
    }

    BalancesProjection balances() {
        return balances;
    }

    HistoryProjection history() {
        return history;
    }

    /** Every projection of these streams is at its stream's head (streams the log does not have are ignored). */
    boolean caughtUp(Collection<String> accountIds, Collection<String> transferIds) {
        return caughtUp(streams(accountIds, transferIds));
    }

    /** Every projection following any of these streams is at the stream's head. */
    boolean caughtUp(Collection<StreamId> streams) {
        return lagging(streams).isEmpty();
    }

    /** The projections not at their stream's head, e.g. "balances of account:a1 at v3, the log at v5". */
    List<String> lagging(Collection<String> accountIds, Collection<String> transferIds) {
        return lagging(streams(accountIds, transferIds));
    }

    List<String> lagging(Collection<StreamId> streams) {
        return survey(streams).lagging();
    }

    /** As {@link #awaitCaughtUp(Collection, Duration, Supplier)} for these accounts' and transfers' streams. */
    void awaitCaughtUp(Collection<String> accountIds, Collection<String> transferIds, Duration stall,
                       Supplier<String> diagnosis) {
        awaitCaughtUp(streams(accountIds, transferIds), stall, diagnosis);
    }

    /**
     * Waits until every projection following these streams (an account's: balances, history and the
     * metadata index; a transfer's and a transaction's: transfers and the metadata index; a reversal's:
     * none) is at its stream's head. There
     * is no deadline on catching up, which on a loaded machine would be a timing assertion: the wait
     * fails only when neither the projections nor the log moved for {@code stall} (a hang: a stopped
     * consumer, a blocked item, a lost record), however long the catching up takes while it moves. A
     * projection's version only grows and stops at its head, so a wait that keeps moving ends.
     *
     * @param stall how long the read path may show no movement at all; far longer than any one step
     *              of it (a batch, a retry backoff of at most 5 s), so it only catches a hang
     * @param diagnosis what to add to the failure (e.g. the runtime's last reports)
     */
    void awaitCaughtUp(Collection<StreamId> streams, Duration stall, Supplier<String> diagnosis) {
        long lastMovedAt = System.nanoTime();
        long lastVersions = -1;
        while (true) {
            Survey survey = survey(streams);
            if (survey.lagging().isEmpty()) {
                return;
            }
            if (survey.versions() != lastVersions) {
                lastVersions = survey.versions();
                lastMovedAt = System.nanoTime();
            } else if (System.nanoTime() - lastMovedAt > stall.toNanos()) {
                throw new AssertionError("The projections stopped catching up with the log: nothing moved for "
                        + stall + ". Behind: " + survey.lagging() + ". " + diagnosis.get());
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for the projections", e);
            }
        }
    }

    private static List<StreamId> streams(Collection<String> accountIds, Collection<String> transferIds) {
        List<StreamId> streams = new ArrayList<>();
        accountIds.forEach(id -> streams.add(StreamId.account(id)));
        transferIds.forEach(id -> streams.add(StreamId.transfer(id)));
        return streams;
    }

    /** What lags, and the sum of every head's and projection item's version (it grows while anything moves). */
    private record Survey(List<String> lagging, long versions) {
    }

    private Survey survey(Collection<StreamId> streams) {
        List<String> lagging = new ArrayList<>();
        long versions = 0;
        for (StreamId stream : streams) {
            long head = store.readHead(stream).map(EventStore.Head::version).orElse(0L);
            versions += head;
            for (Projection projection : List.of(balances, history, transfers, metadata)) {
                if (projection.follows(stream)) {
                    versions += lagBehind(lagging, projection.name(), stream, projection.position(stream), head);
                }
            }
        }
        return new Survey(lagging, versions);
    }

    /** Adds the item to {@code lagging} if it is not at {@code head}; returns its version. */
    private static long lagBehind(List<String> lagging, String projection, StreamId stream, Projection.Position at,
                                  long head) {
        if (at.version() != head) {
            lagging.add(projection + " of " + stream + " at v" + at.version() + (at.blocked() ? " (blocked)" : "")
                    + ", the log at v" + head);
        }
        return at.version();
    }

    /**
     * Each account's balance item and history, and each transfer's item and status history, equal
     * what folding its stream gives; a transfer the log does not have is not projected either.
     */
    void assertEqualTheLog(Collection<String> accountIds, Collection<String> transferIds) {
        assertEqualTheLog(read(accountIds, StreamId::account), read(transferIds, StreamId::transfer));
    }

    /**
     * As {@link #assertEqualTheLog(Collection, Collection)}, with the streams already read (id to events).
     * The accounts' logs are by stream: a sharded account's shard streams ({@code ID#k}, see
     * {@link #readAccounts}) are each checked as one, their balance items and history partitions against
     * their own fold, and the account as GET /accounts/{id} answers it ({@link BalancesProjection#whole})
     * against its shards' folds added up ({@link AccountState#whole}).
     */
    void assertEqualTheLog(Map<String, List<StoredEvent>> accountLogs, Map<String, List<StoredEvent>> transferLogs) {
        Map<String, List<AccountState>> shardsByAccount = new LinkedHashMap<>();
        accountLogs.forEach((stream, events) -> {
            if (!events.isEmpty()) {
                List<AccountState> states = folds(events);
                shardsByAccount.computeIfAbsent(AccountShards.accountOf(stream), k -> new ArrayList<>())
                        .add(states.get(states.size() - 1));
            }
        });
        shardsByAccount.forEach((account, shards) -> {
            if (shards.get(0).sharded()) {
                long version = 0;
                for (int shard = 0; shard < shards.size(); shard++) {
                    version += accountLogs.get(AccountShards.streamAccountId(account, shard)).size();
                }
                BalancesProjection.Balance whole = balances.whole(account).orElseThrow();
                assertThat(whole.account()).as("account %s as GET answers it: its %d shards added up", account,
                        shards.size()).isEqualTo(AccountState.whole(shards));
                assertThat(whole.version()).as("version of the whole of %s", account).isEqualTo(version);
            }
        });
        accountLogs.forEach((account, events) -> {
            if (events.isEmpty()) {
                assertThat(balances.balance(account)).as("balances of %s, which the log does not have", account).isEmpty();
                return;
            }
            List<AccountState> states = folds(events);
            BalancesProjection.Balance balance = balances.balance(account).orElseThrow();
            assertThat(balance.account()).as("balances of %s", account).isEqualTo(states.get(states.size() - 1));
            assertThat(balance.version()).as("version of %s", account).isEqualTo(events.size());
            assertThat(comparable(historyPages(account))).as("history of %s", account)
                    .isEqualTo(expectedHistory(events, states));
        });
        transferLogs.forEach((transfer, events) -> {
            if (events.isEmpty()) {
                assertThat(transfers.transfer(transfer)).as("transfer %s, which the log does not have", transfer).isEmpty();
                return;
            }
            TransfersProjection.ProjectedTransfer projected = transfers.transfer(transfer).orElseThrow();
            assertThat(projected.state()).as("transfer %s", transfer).isEqualTo(transferFold(events));
            assertThat(projected.version()).as("version of transfer %s", transfer).isEqualTo(events.size());
            // A reversal leaves the status as it is: it is listed with the reversals, not in the status history.
            List<TransfersProjection.StatusChange> statuses = new ArrayList<>();
            List<TransfersProjection.Reversal> reversals = new ArrayList<>();
            TransferState state = null;
            for (StoredEvent event : events) {
                state = TransferState.evolve(Optional.ofNullable(state), (TransferEvent) event.event());
                if (event.event() instanceof TransferEvent.TransferReversed reversed) {
                    reversals.add(new TransfersProjection.Reversal(reversed.reversalId(), reversed.amount(),
                            reversed.forced(), event.version(), event.recordedAt(), event.effectiveAt()));
                } else {
                    statuses.add(new TransfersProjection.StatusChange(state.status().name(), event.version(),
                            event.recordedAt()));
                }
            }
            assertThat(projected.history()).as("status history of transfer %s", transfer).isEqualTo(statuses);
            assertThat(projected.reversals()).as("reversals of transfer %s", transfer).isEqualTo(reversals);
        });
    }

    /**
     * As {@link #assertEqualTheLog(Map, Map)}, and each multi-leg transaction's item (what GET
     * /transactions/{id} answers from) and status history equal what folding its stream gives; a
     * transaction the log does not have is not projected either. Reversal streams have no projection
     * of their own: their legs are in the accounts' histories, their totals in the transfers' items.
     */
    void assertEqualTheLog(Logs logs) {
        assertEqualTheLog(logs.accounts(), logs.transfers());
        logs.transactions().forEach((transaction, events) -> {
            if (events.isEmpty()) {
                assertThat(transfers.transaction(transaction)).as("transaction %s, which the log does not have",
                        transaction).isEmpty();
                return;
            }
            TransfersProjection.ProjectedTransaction projected = transfers.transaction(transaction).orElseThrow();
            List<TransfersProjection.StatusChange> statuses = new ArrayList<>();
            TransactionState state = null;
            for (StoredEvent event : events) {
                state = TransactionState.evolve(Optional.ofNullable(state), (TransactionEvent) event.event());
                statuses.add(new TransfersProjection.StatusChange(state.status().name(), event.version(),
                        event.recordedAt()));
            }
            assertThat(projected.state()).as("transaction %s", transaction).isEqualTo(state);
            assertThat(projected.version()).as("version of transaction %s", transaction).isEqualTo(events.size());
            assertThat(projected.createdAt()).as("creation of transaction %s", transaction)
                    .isEqualTo(events.get(0).recordedAt());
            assertThat(projected.history()).as("status history of transaction %s", transaction).isEqualTo(statuses);
        });
    }

    /** The events of every stream a run names, by kind and id. */
    record Logs(Map<String, List<StoredEvent>> accounts, Map<String, List<StoredEvent>> transfers,
                Map<String, List<StoredEvent>> transactions, Map<String, List<StoredEvent>> reversals) {
    }

    /** As {@link Logs}, with the accounts' logs by stream ({@link #readAccounts}). */
    Logs read(Collection<String> accountIds, Collection<String> transferIds, Collection<String> transactionIds,
              Collection<String> reversalIds) {
        return new Logs(readAccounts(accountIds), read(transferIds, StreamId::transfer),
                read(transactionIds, StreamId::transaction), read(reversalIds, StreamId::reversal));
    }

    /** The events of each of these streams, by id, in the given order. */
    Map<String, List<StoredEvent>> read(Collection<String> ids, Function<String, StreamId> stream) {
        Map<String, List<StoredEvent>> logs = new LinkedHashMap<>();
        for (String id : ids) {
            logs.put(id, events(stream.apply(id)));
        }
        return logs;
    }

    /**
     * The events of every stream of these accounts, by stream account id: each account's own stream
     * (shard 0, under the account's id, empty if it was never opened) and, for a sharded one, its shard
     * streams {@code ID#1..ID#N-1}, N the shard count its own stream's fold ends with (its last
     * {@code AccountSharded}), in shard order right after it.
     */
    Map<String, List<StoredEvent>> readAccounts(Collection<String> accountIds) {
        Map<String, List<StoredEvent>> logs = new LinkedHashMap<>();
        for (String id : accountIds) {
            List<StoredEvent> own = events(StreamId.account(id));
            logs.put(id, own);
            int shards = own.isEmpty() ? 1 : folds(own).get(own.size() - 1).shardCount();
            for (int shard = 1; shard < shards; shard++) {
                String stream = AccountShards.streamAccountId(id, shard);
                logs.put(stream, events(StreamId.account(stream)));
            }
        }
        return logs;
    }

    List<StoredEvent> events(StreamId stream) {
        List<StoredEvent> events = new ArrayList<>();
        store.readStream(stream, 1).forEachRemaining(events::add);
        return events;
    }

    private List<JsonNode> historyPages(String account) {
        List<JsonNode> entries = new ArrayList<>();
        long from = 1;
        while (true) {
            HistoryReader.Page page = historyReader.page(account, from, HistoryReader.MAX_PAGE, Optional.empty(),
                    Optional.empty());
            entries.addAll(page.entries());
            if (page.nextCursor() == null) {
                return entries;
            }
            from = HistoryReader.decodeCursor(page.nextCursor());
        }
    }

    /** The account's state after each of its events. */
    static List<AccountState> folds(List<StoredEvent> events) {
        List<AccountState> states = new ArrayList<>();
        AccountState state = null;
        for (StoredEvent event : events) {
            state = AccountState.evolve(Optional.ofNullable(state), (AccountEvent) event.event());
            states.add(state);
        }
        return states;
    }

    static TransferState transferFold(List<StoredEvent> events) {
        TransferState state = null;
        for (StoredEvent event : events) {
            state = TransferState.evolve(Optional.ofNullable(state), (TransferEvent) event.event());
        }
        return state;
    }

    /**
     * Each event of the account as a history entry: what the log says, the counterparty of a
     * transfer leg, the balance folded up to it, and the leg's amount, signed as the balance moved
     * (for a hold placed, voided or expired, which moves no balance, whatever the entry says). A
     * reversal's leg also names the reversal and whether it was forced. A multi-leg transaction's
     * event names the transaction and carries every entry of it; its amount is the account's net
     * (credits minus debits of its own entries): what the balance moved by for a posting, what was
     * held or released otherwise.
     */
    static List<JsonNode> expectedHistory(List<StoredEvent> events, List<AccountState> states) {
        List<JsonNode> entries = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            StoredEvent event = events.get(i);
            AccountState after = states.get(i);
            if (keepsShardsOnly((AccountEvent) event.event(), after)) {
                continue;
            }
            int digits = after.currency().minorDigits();
            long balanceMoved = after.balance() - (i == 0 ? 0 : states.get(i - 1).balance());
            ObjectNode entry = JsonNodeFactory.instance.objectNode();
            entry.put("version", event.version());
            entry.put("type", event.type());
            entry.put("transferId", event.transferId());
            AccountEvent domainEvent = (AccountEvent) event.event();
            entry.put("counterpartyAccountId", domainEvent instanceof AccountEvent.TransferLeg leg
                    ? leg.counterpartyAccountId() : null);
            entry.put("balanceAfter", Money.toDecimalString(after.balance(), digits));
            entry.put("recordedAt", event.recordedAt().toString());
            entry.put("effectiveAt", event.effectiveInstant().toString());
            entry.put("hash", event.hash());
            if (domainEvent instanceof AccountEvent.EntryPosted || domainEvent instanceof AccountEvent.HoldPosted
                    || domainEvent instanceof AccountEvent.EntryReversed) {
                entry.put("amount", Money.toDecimalString(balanceMoved, digits));
            } else if (domainEvent instanceof AccountEvent.TransactionLeg leg) {
                long net = 0;
                ArrayNode all = entry.putArray("entries");
                for (TransactionEntry own : leg.entries()) {
                    all.addObject().put("index", own.index()).put("accountId", own.accountId())
                            .put("direction", own.direction().name().toLowerCase(Locale.ROOT))
                            .put("amount", own.amount().toDecimalString())
                            .put("currency", own.amount().currency().code());
                    if (own.accountId().equals(leg.accountId())) {
                        net += own.direction() == Side.CREDIT ? own.amount().minorUnits() : -own.amount().minorUnits();
                    }
                }
                boolean posts = domainEvent instanceof AccountEvent.TransactionEntriesPosted
                        || domainEvent instanceof AccountEvent.TransactionHoldPosted;
                if (posts) {
                    assertThat(balanceMoved).as("what %s v%d (%s) moved the balance by: its net", leg.accountId(),
                            event.version(), event.type()).isEqualTo(net);
                }
                entry.put("amount", Money.toDecimalString(net, digits));
                entry.put("transactionId", leg.transactionId());
            } else if (!(domainEvent instanceof AccountEvent.TransferLeg)) {
                entry.put("amount", (String) null);
            }
            if (domainEvent instanceof AccountEvent.EntryReversed reversed) {
                entry.put("reversalId", reversed.reversalId());
                entry.put("forced", reversed.forced());
            }
            entries.add(normalized(entry));
        }
        return entries;
    }

    /**
     * An event that only keeps a sharded account's shards, so it has no history entry (README, issue
     * 13): money moved between shards, the shard count raised, a shard opened, and on a shard k >= 1 a
     * freeze, unfreeze or close, which the account's own stream records in the same append.
     */
    private static boolean keepsShardsOnly(AccountEvent event, AccountState after) {
        if (event instanceof AccountEvent.ShardFundsMoved || event instanceof AccountEvent.AccountSharded
                || event instanceof AccountEvent.ShardOpened) {
            return true;
        }
        return after.shard() != 0 && (event instanceof AccountEvent.AccountFrozen
                || event instanceof AccountEvent.AccountUnfrozen || event instanceof AccountEvent.AccountClosed);
    }

    /** Entries as compared: holds' amounts are left out (see expectedHistory), numbers as JSON reads them. */
    static List<JsonNode> comparable(List<JsonNode> entries) {
        List<JsonNode> comparable = new ArrayList<>();
        for (JsonNode entry : entries) {
            ObjectNode copy = (ObjectNode) normalized(entry);
            String type = copy.path("type").asText();
            if (type.startsWith("Hold") && !type.equals("HoldPosted")) {
                assertThat(copy.path("amount").isTextual()).as("a hold's entry names its amount: %s", entry).isTrue();
                copy.remove("amount");
            }
            comparable.add(copy);
        }
        return comparable;
    }

    private static JsonNode normalized(JsonNode node) {
        try {
            return JSON.readTree(node.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
