package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.api.StreamId;
import dev.ledger.infra.demo.LedgerHttp;
import dev.ledger.localaws.AwsClients;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.HistoryProjection;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.store.DynamoEventStore;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What the kill-and-restart tests of {@code ./ledger local} share: a seeded payment plan, how a
 * client sends a payment, the client's own ledger of what the API accepted, and the wait for the
 * projections to reach the log's head.
 */
final class KillRestartWorkload {

    // Converging has no deadline (a deadline on a loaded 2-core machine is a timing assertion): the
    // wait goes on while projection items keep reaching the log's head, and fails only if none does
    // for this long, i.e. the read path hangs.
    private static final Duration CONVERGE_STALL = Duration.ofSeconds(90);

    private KillRestartWorkload() {
    }

    /** One transfer of the workload: posted, from {@code debit} to {@code credit}, in EUR minor units. */
    record Payment(String transferId, String debit, String credit, long amountMinor) {
        String amount() {
            return BigDecimal.valueOf(amountMinor, 2).toPlainString();
        }
    }

    /** Deposits first (so customers have funds), then seeded transfers between customers, some refused. */
    static List<Payment> plan(long seed, int planned, String tag, String funding, List<String> customers) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Payment> plan = new ArrayList<>();
        for (int i = 0; i < planned; i++) {
            String id = tag + "-t" + i;
            String credit = customers.get(random.nextInt(customers.size()));
            if (i < customers.size() || random.nextInt(4) == 0) {
                plan.add(new Payment(id, funding, i < customers.size() ? customers.get(i) : credit,
                        random.nextLong(1_000, 20_001)));
            } else {
                String debit;
                do {
                    debit = customers.get(random.nextInt(customers.size()));
                } while (debit.equals(credit));
                plan.add(new Payment(id, debit, credit, random.nextLong(100, 15_001)));
            }
        }
        return plan;
    }

    /** A transfer, sent again while the API answers that other requests kept changing its accounts. */
    static LedgerHttp.Answer send(LedgerHttp api, Payment payment) {
        return LedgerHttp.retryingContention(() -> api.transfer(payment.transferId(), payment.debit(), payment.credit(),
                payment.amount(), "EUR", 0), 10, new SplittableRandom(payment.transferId().hashCode()), () -> { });
    }

    /** The client's own ledger: a transfer moved money iff its final answer says POSTED. */
    static Map<String, Long> expectedBalances(List<Payment> sent, Map<String, LedgerHttp.Answer> answers,
                                              String funding, List<String> customers) {
        Map<String, Long> balances = new TreeMap<>();
        balances.put(funding, 0L);
        customers.forEach(c -> balances.put(c, 0L));
        for (Payment payment : sent) {
            LedgerHttp.Answer answer = answers.get(payment.transferId());
            if (answer.ok() && answer.body().path("status").asText().equals("POSTED")) {
                balances.merge(payment.debit(), -payment.amountMinor(), Long::sum);
                balances.merge(payment.credit(), payment.amountMinor(), Long::sum);
            }
        }
        return balances;
    }

    /** The balances the query API serves, in minor units. */
    static Map<String, Long> projectedBalances(LedgerHttp api, Iterable<String> accounts) {
        Map<String, Long> projected = new TreeMap<>();
        for (String account : accounts) {
            LedgerHttp.Answer answer = api.account(account);
            assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
            projected.put(account, new BigDecimal(answer.body().path("balance").asText()).movePointRight(2).longValueExact());
        }
        return projected;
    }

    /** Waits until every projection is at the log's head for every stream the workload touched. */
    static void awaitProjectionsAtHead(URI emulator, JsonNode outputs, List<String> accounts, List<String> transferIds)
            throws InterruptedException {
        try (AwsClients clients = AwsClients.forEndpoint(emulator)) {
            DynamoDbClient dynamo = clients.dynamoDb();
            DynamoEventStore log = new DynamoEventStore(dynamo, outputs.path("EventsTableName").asText());
            ProjectionCatchUp catchUp = new ProjectionCatchUp(log, List.of(
                    new BalancesProjection(dynamo, outputs.path("BalancesTableName").asText()),
                    new HistoryProjection(dynamo, outputs.path("HistoryTableName").asText()),
                    new TransfersProjection(dynamo, outputs.path("TransfersTableName").asText())), 2);
            List<StreamId> streams = ProjectionCatchUp.streams(accounts, transferIds);
            ProjectionCatchUp.Outcome outcome = catchUp.await(streams, CONVERGE_STALL, System.out::println);
            // Each wait ends at its stall bound; another follows as long as the last one saw progress.
            int atHeadBefore = -1;
            while (!outcome.caughtUp() && outcome.blocked().isEmpty() && outcome.items() - outcome.behind() > atHeadBefore) {
                atHeadBefore = outcome.items() - outcome.behind();
                outcome = catchUp.await(streams, CONVERGE_STALL, System.out::println);
            }
            assertThat(outcome.caughtUp()).as(outcome.summary()).isTrue();
        }
    }

    /** The state file once it names this process: the stack writes it only when it serves. */
    static JsonNode awaitServing(Process process, Path stateFile, Duration hangGuard) {
        AtomicReference<JsonNode> state = new AtomicReference<>();
        await().atMost(hangGuard).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertThat(process.isAlive()).as("ledger local is running").isTrue();
            StateFile.readIfRunning(stateFile).filter(s -> s.path("pid").asLong() == process.pid()).ifPresent(state::set);
            return state.get() != null;
        });
        return state.get();
    }

    static Path repositoryRoot() {
        // Maven runs the tests in this module's folder, infra/command.
        Path root = Path.of("..", "..").toAbsolutePath().normalize();
        assertThat(root.resolve("ledger")).as("the ledger script").isRegularFile();
        return root;
    }
    /**
     * Concurrent clients sending a plan's payments until the stack is killed: each sends the next
     * unsent payment until its first request gets no answer (the stack is gone), which it keeps as
     * unanswered, an outcome the test must find out by sending it again.
     */
    static final class Clients {
        private final Map<String, LedgerHttp.Answer> answers = new ConcurrentHashMap<>();
        private final ConcurrentLinkedQueue<Payment> unanswered = new ConcurrentLinkedQueue<>();
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicInteger next = new AtomicInteger();
        private final int upTo;

        private Clients(int upTo) {
            this.upTo = upTo;
        }

        /** Starts {@code count} clients on {@code plan}'s first {@code upTo} payments. */
        static Clients start(AtomicReference<LedgerHttp> api, List<Payment> plan, int upTo, int count) {
            Clients clients = new Clients(upTo);
            AtomicInteger next = clients.next;
            for (int c = 0; c < count; c++) {
                Thread client = new Thread(() -> {
                    for (int i = next.getAndIncrement(); i < upTo; i = next.getAndIncrement()) {
                        Payment payment = plan.get(i);
                        try {
                            clients.answers.put(payment.transferId(), send(api.get(), payment));
                        } catch (LedgerHttp.NoAnswer noAnswer) {
                            clients.unanswered.add(payment);
                            return;
                        }
                    }
                }, "client-" + c);
                client.start();
                clients.threads.add(client);
            }
            return clients;
        }

        /** Waits until at least {@code accepted} payments were answered 2xx. */
        void awaitAccepted(int accepted) {
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> answers.values().stream().filter(LedgerHttp.Answer::ok).count() >= accepted);
        }

        /** Waits for every client to stop (after the kill, each stops at its first unanswered request). */
        void awaitStopped() throws InterruptedException {
            for (Thread client : threads) {
                client.join(Duration.ofMinutes(2).toMillis());
                assertThat(client.isAlive()).as(client.getName() + " stopped").isFalse();
            }
        }

        /** The answers so far, by transfer id; the tests add those of payments they send later. */
        Map<String, LedgerHttp.Answer> answers() {
            return answers;
        }

        /** The first payment of the plan no client took: every one before it was answered or is unanswered. */
        int firstUntaken() {
            return Math.min(next.get(), upTo);
        }

        Iterable<Payment> unanswered() {
            return unanswered;
        }
    }
}
