package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.HistoryProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.Projection;
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
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The deployed stack's log and its three projections (balances, history, transfers), read
 * straight from their tables: whether the projections have caught up with the log's heads, and
 * whether each one equals the fold of the log. Shared by the tests that run the read path.
 */
final class ProjectionsAgainstLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(250);

    private final DynamoEventStore store;
    private final BalancesProjection balances;
    private final HistoryProjection history;
    private final HistoryReader historyReader;
    private final TransfersProjection transfers;

    /** @param outputs the stack's outputs, which name its tables */
    ProjectionsAgainstLog(DynamoDbClient dynamo, Map<String, String> outputs) {
        store = new DynamoEventStore(dynamo, outputs.get("EventsTableName"));
        balances = new BalancesProjection(dynamo, outputs.get("BalancesTableName"));
        history = new HistoryProjection(dynamo, outputs.get("HistoryTableName"));
        historyReader = new HistoryReader(dynamo, outputs.get("HistoryTableName"));
        transfers = new TransfersProjection(dynamo, outputs.get("TransfersTableName"));
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
        return lagging(accountIds, transferIds).isEmpty();
    }

    /** The projections not at their stream's head, e.g. "balances of account:a1 at v3, the log at v5". */
    List<String> lagging(Collection<String> accountIds, Collection<String> transferIds) {
        return survey(accountIds, transferIds).lagging();
    }

    /**
     * Waits until every projection of these streams is at its stream's head. There is no deadline
     * on catching up, which on a loaded machine would be a timing assertion: the wait fails only
     * when neither the projections nor the log moved for {@code stall} (a hang: a stopped consumer,
     * a blocked item, a lost record), however long the catching up takes while it moves. A
     * projection's version only grows and stops at its head, so a wait that keeps moving ends.
     *
     * @param stall how long the read path may show no movement at all; far longer than any one step
     *              of it (a batch, a retry backoff of at most 5 s), so it only catches a hang
     * @param diagnosis what to add to the failure (e.g. the runtime's last reports)
     */
    void awaitCaughtUp(Collection<String> accountIds, Collection<String> transferIds, Duration stall,
                       Supplier<String> diagnosis) {
        long lastMovedAt = System.nanoTime();
        long lastVersions = -1;
        while (true) {
            Survey survey = survey(accountIds, transferIds);
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

    /** What lags, and the sum of every head's and projection item's version (it grows while anything moves). */
    private record Survey(List<String> lagging, long versions) {
    }

    private Survey survey(Collection<String> accountIds, Collection<String> transferIds) {
        List<String> lagging = new ArrayList<>();
        long versions = 0;
        for (String account : accountIds) {
            StreamId stream = StreamId.account(account);
            long head = store.readHead(stream).map(EventStore.Head::version).orElse(0L);
            versions += head + lagBehind(lagging, "balances", stream, balances.position(stream), head)
                    + lagBehind(lagging, "history", stream, history.position(stream), head);
        }
        for (String transfer : transferIds) {
            StreamId stream = StreamId.transfer(transfer);
            Optional<EventStore.Head> head = store.readHead(stream);
            if (head.isPresent()) {
                versions += head.get().version()
                        + lagBehind(lagging, "transfers", stream, transfers.position(stream), head.get().version());
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

    /** As {@link #assertEqualTheLog(Collection, Collection)}, with the streams already read (id to events). */
    void assertEqualTheLog(Map<String, List<StoredEvent>> accountLogs, Map<String, List<StoredEvent>> transferLogs) {
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
            List<String> statuses = new ArrayList<>();
            TransferState state = null;
            for (StoredEvent event : events) {
                state = TransferState.evolve(Optional.ofNullable(state), (TransferEvent) event.event());
                statuses.add(state.status().name());
            }
            assertThat(projected.history()).as("status history of transfer %s", transfer)
                    .extracting(TransfersProjection.StatusChange::status).isEqualTo(statuses);
        });
    }

    /** The events of each of these streams, by id, in the given order. */
    Map<String, List<StoredEvent>> read(Collection<String> ids, Function<String, StreamId> stream) {
        Map<String, List<StoredEvent>> logs = new LinkedHashMap<>();
        for (String id : ids) {
            logs.put(id, events(stream.apply(id)));
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
     * (for a hold placed, voided or expired, which moves no balance, whatever the entry says).
     */
    static List<JsonNode> expectedHistory(List<StoredEvent> events, List<AccountState> states) {
        List<JsonNode> entries = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            StoredEvent event = events.get(i);
            AccountState after = states.get(i);
            ObjectNode entry = JsonNodeFactory.instance.objectNode();
            entry.put("version", event.version());
            entry.put("type", event.type());
            entry.put("transferId", event.transferId());
            AccountEvent domainEvent = (AccountEvent) event.event();
            entry.put("counterpartyAccountId", domainEvent instanceof AccountEvent.TransferLeg leg
                    ? leg.counterpartyAccountId() : null);
            entry.put("balanceAfter", Money.toDecimalString(after.balance(), after.currency().minorDigits()));
            entry.put("recordedAt", event.recordedAt().toString());
            entry.put("hash", event.hash());
            if (domainEvent instanceof AccountEvent.EntryPosted || domainEvent instanceof AccountEvent.HoldPosted) {
                long before = i == 0 ? 0 : states.get(i - 1).balance();
                entry.put("amount", Money.toDecimalString(after.balance() - before, after.currency().minorDigits()));
            } else if (!(domainEvent instanceof AccountEvent.TransferLeg)) {
                entry.put("amount", (String) null);
            }
            entries.add(normalized(entry));
        }
        return entries;
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
