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
import dev.ledger.functions.store.DynamoEventStore;
import dev.ledger.functions.store.StoredEvent;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.HistoryProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.TransfersProjection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The deployed stack's log and its three projections (balances, history, transfers), read
 * straight from their tables: whether the projections have caught up with the log's heads, and
 * whether each one equals the fold of the log. Shared by the tests that run the read path.
 */
final class ProjectionsAgainstLog {

    private static final ObjectMapper JSON = new ObjectMapper();

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
        for (String account : accountIds) {
            long head = store.readHead(StreamId.account(account)).map(DynamoEventStore.Head::version).orElse(0L);
            if (balances.position(StreamId.account(account)).version() != head
                    || history.position(StreamId.account(account)).version() != head) {
                return false;
            }
        }
        for (String transfer : transferIds) {
            Optional<DynamoEventStore.Head> head = store.readHead(StreamId.transfer(transfer));
            if (head.isPresent() && transfers.position(StreamId.transfer(transfer)).version() != head.get().version()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Each account's balance item and history, and each transfer's item and status history, equal
     * what folding its stream gives; a transfer the log does not have is not projected either.
     */
    void assertEqualTheLog(Collection<String> accountIds, Collection<String> transferIds) {
        for (String account : accountIds) {
            List<StoredEvent> events = events(StreamId.account(account));
            if (events.isEmpty()) {
                assertThat(balances.balance(account)).as("balances of %s, which the log does not have", account).isEmpty();
                continue;
            }
            List<AccountState> states = folds(events);
            BalancesProjection.Balance balance = balances.balance(account).orElseThrow();
            assertThat(balance.account()).as("balances of %s", account).isEqualTo(states.get(states.size() - 1));
            assertThat(balance.version()).as("version of %s", account).isEqualTo(events.size());
            assertThat(comparable(historyPages(account))).as("history of %s", account)
                    .isEqualTo(expectedHistory(events, states));
        }
        for (String transfer : transferIds) {
            List<StoredEvent> events = events(StreamId.transfer(transfer));
            if (events.isEmpty()) {
                assertThat(transfers.transfer(transfer)).as("transfer %s, which the log does not have", transfer).isEmpty();
                continue;
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
        }
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
