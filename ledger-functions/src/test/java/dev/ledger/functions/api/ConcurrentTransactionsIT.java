package dev.ledger.functions.api;

import static dev.ledger.functions.api.TransactionsIT.body;
import static dev.ledger.functions.api.TransactionsIT.entry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent.TransactionLeg;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LedgerFixture.Reply;
import dev.ledger.functions.LogScan;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoredEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Six clients send 60 random three- and four-entry transactions each over eight accounts at once,
 * the same account now and then in two entries. Whatever the races over the many heads of one
 * transaction, every accepted transaction has one leg per distinct account exactly once, no refused
 * one moved money, money is conserved and no account ends below its floor.
 */
@ExtendWith(LocalAwsExtension.class)
class ConcurrentTransactionsIT {

    private static final int CLIENTS = 6;
    private static final int PER_CLIENT = 60;
    private static final List<String> ACCOUNTS = List.of("bank", "c1", "c2", "c3", "c4", "c5", "c6", "c7");

    @Test
    void concurrentTransactionsNeverLoseOrDuplicateMoney(AwsClients aws, TestNames names) throws Exception {
        LedgerFixture ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"), Clock.systemUTC());
        ledger.openAccount("bank", "EUR", "null");
        for (String id : ACCOUNTS.subList(1, ACCOUNTS.size())) {
            ledger.openAccount(id, "EUR", id.equals("c7") ? "\"20.00\"" : null);
            ledger.transfer("fund-" + id, "bank", id, "40.00", "EUR");
        }

        Map<String, Integer> statusById = new ConcurrentHashMap<>();
        Map<String, String> errorById = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                int seed = client;
                running.add(clients.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    for (int i = 0; i < PER_CLIENT; i++) {
                        String id = "x" + seed + "-" + i;
                        int fee = 1 + random.nextInt(300);
                        int amount = fee + 1 + random.nextInt(2500);
                        String payer = pick(random);
                        List<String> entries = new ArrayList<>(List.of(
                                entry(payer, "debit", cents(amount), "EUR"),
                                entry(pick(random), "credit", cents(amount - fee), "EUR"),
                                entry(pick(random), "credit", cents(fee), "EUR")));
                        if (random.nextInt(3) == 0) {
                            // The payer gets a refund in the same transaction: its entries net.
                            entries.add(entry(payer, "credit", "0.01", "EUR"));
                            entries.add(entry("bank", "debit", "0.01", "EUR"));
                        }
                        Reply reply = ledger.post("/transactions", body(id, false, null, entries.toArray(String[]::new)));
                        statusById.put(id, reply.status());
                        if (reply.error() != null) {
                            errorById.put(id, reply.error());
                        }
                    }
                }));
            }
            for (Future<?> client : running) {
                client.get();
            }
        } finally {
            clients.shutdown();
        }

        assertThat(statusById).hasSize(CLIENTS * PER_CLIENT);
        assertThat(statusById.values()).as("only created or refused, never a server error").allMatch(
                status -> status == 201 || status == 422 || status == 409);
        assertThat(errorById.values()).as("refusal codes").allMatch(code -> List.of("insufficient_funds",
                "same_account", "concurrent_modification").contains(code));
        assertThat(statusById.values()).as("many transactions went through").filteredOn(s -> s == 201)
                .hasSizeGreaterThan(CLIENTS * PER_CLIENT / 4);

        LogScan log = LogScan.of(ledger.dynamo(), ledger.table());
        Map<String, List<StoredEvent>> legsByTransaction = log.events().stream()
                .filter(e -> e.event() instanceof TransactionLeg)
                .collect(Collectors.groupingBy(e -> ((TransactionLeg) e.event()).transactionId()));
        Map<String, TransactionRecorded> recorded = new HashMap<>();
        log.events().stream().filter(e -> e.event() instanceof TransactionRecorded)
                .forEach(e -> assertThat(recorded.put(e.stream().id(), (TransactionRecorded) e.event())).isNull());
        statusById.forEach((id, status) -> {
            List<StoredEvent> legs = legsByTransaction.getOrDefault(id, List.of());
            if (status == 201) {
                List<String> accounts = recorded.get(id).request().accountIds();
                assertThat(legs).as("legs of accepted %s", id).extracting(e -> e.stream().id())
                        .containsExactlyInAnyOrderElementsOf(accounts);
            } else {
                assertThat(legs).as("legs of refused %s (%s)", id, errorById.get(id)).isEmpty();
                assertThat(recorded).doesNotContainKey(id);
            }
        });

        Map<String, AccountState> folded = log.accounts();
        assertThat(folded.values().stream().mapToLong(AccountState::balance).sum()).as("money is conserved").isZero();
        folded.forEach((id, account) -> {
            if (account.available().isPresent()) {
                assertThat(account.available().get().signum()).as("%s above its floor", id).isNotNegative();
            }
            assertThat(StateCodec.decodeAccount(ledger.store().readHead(StreamId.account(id)).orElseThrow().state()))
                    .as("the head of %s is the fold of its events", id).isEqualTo(account);
        });
    }

    private static String pick(SplittableRandom random) {
        return ACCOUNTS.get(random.nextInt(ACCOUNTS.size()));
    }

    private static String cents(int cents) {
        return cents / 100 + "." + String.format("%02d", cents % 100);
    }
}
