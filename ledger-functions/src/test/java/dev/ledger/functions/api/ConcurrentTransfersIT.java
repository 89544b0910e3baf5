package dev.ledger.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent.TransferLeg;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
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
 * Eight clients send 200 random transfers each among ten accounts at once. Whatever the races,
 * every accepted transfer is in the log exactly once, no refused one is, money is conserved and no
 * account ends below its floor.
 */
@ExtendWith(LocalAwsExtension.class)
class ConcurrentTransfersIT {

    private static final int CLIENTS = 8;
    private static final int TRANSFERS_PER_CLIENT = 200;
    private static final List<String> ACCOUNTS = List.of("bank", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9");

    @Test
    void concurrentClientsNeverLoseOrDuplicateMoney(AwsClients aws, TestNames names) throws Exception {
        LedgerFixture ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"), Clock.systemUTC());
        ledger.openAccount("bank", "EUR", "null");
        for (String id : ACCOUNTS.subList(1, ACCOUNTS.size())) {
            ledger.openAccount(id, "EUR", id.equals("c9") ? "\"20.00\"" : null);
            ledger.transfer("fund-" + id, "bank", id, "50.00", "EUR");
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
                    for (int i = 0; i < TRANSFERS_PER_CLIENT; i++) {
                        String id = "w" + seed + "-" + i;
                        String debit = ACCOUNTS.get(random.nextInt(ACCOUNTS.size()));
                        String credit = ACCOUNTS.get(1 + random.nextInt(ACCOUNTS.size() - 1));
                        String amount = (1 + random.nextInt(40)) + "." + String.format("%02d", random.nextInt(100));
                        Reply reply = ledger.transfer(id, debit, credit, amount, "EUR");
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

        assertThat(statusById).hasSize(CLIENTS * TRANSFERS_PER_CLIENT);
        assertThat(statusById.values()).as("only created or refused, never a server error").allMatch(
                status -> status == 201 || status == 422 || status == 409);
        assertThat(errorById.values()).as("refusal codes").allMatch(code -> List.of("insufficient_funds",
                "same_account", "concurrent_modification").contains(code));
        assertThat(statusById.values()).as("most transfers went through").filteredOn(s -> s == 201)
                .hasSizeGreaterThan(CLIENTS * TRANSFERS_PER_CLIENT / 3);

        LogScan log = LogScan.of(ledger.dynamo(), ledger.table());
        Map<String, List<StoredEvent>> legsByTransfer = log.events().stream()
                .filter(e -> e.event() instanceof TransferLeg)
                .collect(Collectors.groupingBy(StoredEvent::transferId));
        Map<String, Long> recordedById = log.events().stream().filter(e -> e.event() instanceof TransferRecorded)
                .collect(Collectors.groupingBy(StoredEvent::transferId, Collectors.counting()));
        statusById.forEach((id, status) -> {
            List<StoredEvent> legs = legsByTransfer.getOrDefault(id, List.of());
            if (status == 201) {
                assertThat(legs).as("legs of accepted %s", id).hasSize(2);
                assertThat(recordedById.get(id)).as("records of accepted %s", id).isEqualTo(1L);
            } else {
                assertThat(legs).as("legs of refused %s (%s)", id, errorById.get(id)).isEmpty();
                assertThat(recordedById).doesNotContainKey(id);
            }
        });

        Map<String, AccountState> folded = log.accounts();
        assertThat(folded.values().stream().mapToLong(AccountState::balance).sum()).as("money is conserved").isZero();
        Map<String, String> belowFloor = new HashMap<>();
        folded.forEach((id, account) -> {
            if (account.available().isPresent() && account.available().get().signum() < 0) {
                belowFloor.put(id, account.toString());
            }
            assertThat(StateCodec.decodeAccount(ledger.store().readHead(StreamId.account(id)).orElseThrow().state()))
                    .as("the head of %s is the fold of its events", id).isEqualTo(account);
        });
        assertThat(belowFloor).as("accounts below their floor").isEmpty();
    }
}
