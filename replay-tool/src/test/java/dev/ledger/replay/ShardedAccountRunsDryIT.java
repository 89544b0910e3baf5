package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.OverdraftFloor;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.StreamId;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.functions.api.CommandApi;
import dev.ledger.functions.api.CommandApiHandler;
import dev.ledger.http.RequestLog;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.http.ApiTokens;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's done-when: eight clients debit one hot account of eight shards with a floor (no overdraft)
 * at once, through the command API against the emulator, each until it is refused for insufficient
 * funds. The account never goes below its floor, runs dry to less than one debit, loses exactly what
 * was accepted, the ledger conserves money, and {@code replay verify} (with the projections, and for
 * the account alone) finds nothing; {@code state}, {@code export} and {@code rebuild} take the account
 * as one.
 */
@ExtendWith(LocalAwsExtension.class)
class ShardedAccountRunsDryIT {

    static final String PAYMENTS = "pay-token";
    private static final int THREADS = 8;
    private static final int SHARDS = 8;
    private static final long FUNDED = 100_00;
    private static final long DEBIT = 1_37;

    /** What one client saw. */
    private record Client(List<String> accepted, int retried, String refusal, String refusedId,
                          List<String> unexpected) {
    }

    @Test
    void eightClientsDebitAShardedAccountUntilItRunsDryAndItNeverGoesBelowItsFloor(AwsClients aws, TestNames names,
                                                                                   @TempDir Path dir) throws Exception {
        // Given: a hot account of 8 shards with no overdraft, funded with 100.00 by ten deposits.
        Workload workload = new Workload(aws.dynamoDb(), names.prefix(), 13);
        CommandApiHandler setup = api(workload, 13);
        assertCreated(call(setup, "/accounts", "{\"accountId\":\"bank\",\"currency\":\"EUR\",\"overdraftLimit\":null}"));
        assertCreated(call(setup, "/accounts", "{\"accountId\":\"hot\",\"currency\":\"EUR\",\"shards\":" + SHARDS + "}"));
        for (int i = 0; i < 10; i++) {
            assertCreated(call(setup, "/transfers", transfer("deposit-" + i, "bank", "hot", "10.00")));
        }
        for (int i = 0; i < THREADS; i++) {
            assertCreated(call(setup, "/accounts", "{\"accountId\":\"customer-" + i + "\",\"currency\":\"EUR\"}"));
        }

        // When: 8 clients at once, each debiting 1.37 to its own customer until refused; a 409 is retried as is.
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService clients = Executors.newFixedThreadPool(THREADS);
        List<Future<Client>> running = new ArrayList<>();
        try {
            for (int i = 0; i < THREADS; i++) {
                int client = i;
                running.add(clients.submit(() -> debitUntilRefused(api(workload, 100 + client), client, start)));
            }
            List<Client> seen = new ArrayList<>();
            for (Future<Client> future : running) {
                seen.add(future.get());
            }
            clients.shutdown();

            // Then: every client stopped at a refusal for insufficient funds, nothing else went wrong.
            assertThat(seen).allSatisfy(c -> assertThat(c.unexpected()).isEmpty());
            assertThat(seen).allSatisfy(c -> assertThat(c.refusal()).isEqualTo("insufficient_funds"));
            long accepted = seen.stream().mapToLong(c -> c.accepted().size()).sum();
            long retried = seen.stream().mapToLong(Client::retried).sum();

            // The log, shard by shard: no shard ever below its floor, so the account never was.
            List<AccountState> shards = new ArrayList<>();
            for (int shard = 0; shard < SHARDS; shard++) {
                StreamId stream = StreamId.account(AccountShards.streamAccountId("hot", shard));
                OverdraftFloor floor = new OverdraftFloor();
                AccountState state = null;
                for (Iterator<StoredEvent> events = workload.store().readStream(stream, 1); events.hasNext(); ) {
                    StoredEvent event = events.next();
                    state = AccountState.evolve(Optional.ofNullable(state), (AccountEvent) event.event());
                    floor.accept((AccountEvent) event.event(), state);
                    assertThat(floor.held()).as(stream + " v" + event.version()).isTrue();
                    assertThat(state.available().orElseThrow().signum()).as(stream + " v" + event.version())
                            .isNotNegative();
                }
                shards.add(state);
            }
            AccountState whole = AccountState.whole(shards);
            long available = whole.available().orElseThrow().longValueExact();
            assertThat(available).as("the last accepted debit left less than one debit").isBetween(0L, DEBIT - 1);
            assertThat(accepted * DEBIT).as("accepted debits are what the account lost")
                    .isEqualTo(FUNDED - whole.balance());
            long paidOut = 0;
            for (int i = 0; i < THREADS; i++) {
                paidOut += account(workload, "customer-" + i).balance();
            }
            assertThat(paidOut).isEqualTo(accepted * DEBIT);
            assertThat(account(workload, "bank").balance() + whole.balance() + paidOut).as("conservation").isZero();
            System.out.println("Sharded account run dry (" + THREADS + " clients, " + SHARDS + " shards, funded "
                    + decimal(FUNDED) + ", debits of " + decimal(DEBIT) + "): accepted " + accepted + ", refused "
                    + THREADS + ", 409s retried " + retried + ", final available " + decimal(available)
                    + ", moved between shards " + decimal(shards.stream().mapToLong(AccountState::shardMovesIn).sum()));

            // The replay tool takes the account as one, and finds nothing.
            for (int shard = 0; shard < SHARDS; shard++) {
                workload.accounts.add(AccountShards.streamAccountId("hot", shard));
            }
            for (int i = 0; i < THREADS; i++) {
                workload.accounts.add("customer-" + i);
            }
            workload.accounts.add("bank");
            for (int i = 0; i < 10; i++) {
                workload.transferIds.add("deposit-" + i);
            }
            seen.forEach(c -> workload.transferIds.addAll(c.accepted()));
            seen.forEach(c -> workload.transferIds.add(c.refusedId())); // a refusal is recorded too
            workload.project(aws.sqs(), names.queue("dlq"));
            ReplayRunner replay = new ReplayRunner(aws.endpoint().toString(), workload, names.table("control"));
            ReplayRunner.Run verify = replay.run("verify", "--json");
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.json().get("findingCount").asLong()).isZero();
            assertThat(verify.json().get("accounts").asLong()).as("a sharded account counts once").isEqualTo(2 + THREADS);
            assertThat(verify.json().get("balanceSumByCurrency").get("EUR").asText()).isEqualTo("0");
            ReplayRunner.Run alone = replay.run("verify", "--accounts", "hot", "--json", "--log-only");
            assertThat(alone.code()).as(alone.out() + alone.err()).isZero();
            assertThat(alone.json().get("accounts").asLong()).isEqualTo(1);

            ReplayRunner.Run state = replay.run("state", "--account", "hot");
            assertThat(state.code()).as(state.out() + state.err()).isZero();
            JsonNode view = state.json();
            assertThat(view.get("shards").asInt()).isEqualTo(SHARDS);
            assertThat(view.get("balance").asText()).isEqualTo(decimal(whole.balance()));
            assertThat(view.get("available").asText()).isEqualTo(decimal(available));
            assertThat(replay.run("state", "--account", "hot", "--version", "3").code())
                    .as("a version of one stream is no point of a sharded account").isEqualTo(2);

            Path export = dir.resolve("hot.jsonl");
            ReplayRunner.Run exported = replay.run("export", "--accounts", "hot", "-o", export.toString(), "--json");
            assertThat(exported.code()).as(exported.out() + exported.err()).isZero();
            long events = 0;
            for (int shard = 0; shard < SHARDS; shard++) {
                events += workload.store().readHead(StreamId.account(AccountShards.streamAccountId("hot", shard)))
                        .orElseThrow().version();
            }
            assertThat(Files.readAllLines(export)).hasSize((int) events)
                    .anySatisfy(line -> assertThat(line).contains("\"stream\":\"account:hot#" + (SHARDS - 1) + "\""));

            ReplayRunner.Run rebuild = replay.run("rebuild", "--projection", "all", "--json");
            assertThat(rebuild.code()).as(rebuild.out() + rebuild.err()).isZero();
            rebuild.json().get("projections").forEach(p -> assertThat(p.get("equalToLive").asBoolean())
                    .as(p.toString()).isTrue());
            ReplayRunner.Run rebuildHot = replay.run("rebuild", "--projection", "all", "--accounts", "hot", "--json");
            assertThat(rebuildHot.code()).as(rebuildHot.out() + rebuildHot.err()).isZero();
            rebuildHot.json().get("projections").forEach(p -> assertThat(p.get("equalToLive").asBoolean())
                    .as(p.toString()).isTrue());
            assertThat(rebuildHot.json().get("projections")).filteredOn(p -> p.get("projection").asText()
                    .equals("balances")).singleElement().satisfies(p -> assertThat(p.get("streams").asInt())
                    .as("every shard of the account").isEqualTo(SHARDS));
        } finally {
            clients.shutdownNow();
        }
    }

    private static Client debitUntilRefused(CommandApiHandler api, int client, CyclicBarrier start) throws Exception {
        start.await();
        List<String> accepted = new ArrayList<>();
        int retried = 0;
        List<String> unexpected = new ArrayList<>();
        for (int n = 0; ; ) {
            String id = "pay-" + client + "-" + n;
            Reply reply = call(api, "/transfers", transfer(id, "hot", "customer-" + client, "1.37"));
            String error = reply.error();
            if (reply.status() == 201 || reply.status() == 200) {
                accepted.add(id);
                n++;
            } else if (reply.status() == 409 && "concurrent_modification".equals(error)) {
                retried++; // the same request again, as the answer says
            } else if (reply.status() == 422) {
                return new Client(accepted, retried, error, id, unexpected);
            } else {
                unexpected.add(reply.status() + " " + reply.body());
                return new Client(accepted, retried, null, null, unexpected);
            }
        }
    }

    private static AccountState account(Workload workload, String accountId) {
        AccountState state = null;
        for (Iterator<StoredEvent> events = workload.store().readStream(StreamId.account(accountId), 1);
             events.hasNext(); ) {
            state = AccountState.evolve(Optional.ofNullable(state), (AccountEvent) events.next().event());
        }
        return state;
    }

    /** The command Lambda as a container of its own runs it, over the workload's events table. */
    static CommandApiHandler api(Workload workload, long seed) {
        return new CommandApiHandler(new CommandApi(new CommandService(workload.store(), workload.clock,
                RetryPolicy.standard(new SplittableRandom(seed))), ApiTokens.parse(PAYMENTS + "=payments")),
                new RequestLog(new PrintStream(OutputStream.nullOutputStream())), workload.clock);
    }

    /** An HTTP answer: status and JSON body. */
    record Reply(int status, JsonNode body) {
        String error() {
            return body.path("error").asText(null);
        }
    }

    private static final AtomicLong REQUESTS = new AtomicLong();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A POST as API Gateway hands it to the Lambda, and the Lambda's answer. */
    static Reply call(CommandApiHandler api, String path, String body) throws IOException {
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath(path)
                .withHeaders(new HashMap<>(Map.of("authorization", "Bearer " + PAYMENTS)))
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("req-" + REQUESTS.incrementAndGet())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod("POST").withPath(path).withSourceIp("127.0.0.1").build())
                        .build())
                .build();
        APIGatewayV2HTTPResponse response = api.handleRequest(event, null);
        return new Reply(response.getStatusCode(), JSON.readTree(response.getBody()));
    }

    static String transfer(String id, String debit, String credit, String amount) {
        return "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"" + debit + "\",\"creditAccountId\":\"" + credit
                + "\",\"amount\":\"" + amount + "\",\"currency\":\"EUR\"}";
    }

    static void assertCreated(Reply reply) {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(201);
    }

    private static String decimal(long minorUnits) {
        return java.math.BigDecimal.valueOf(minorUnits, 2).toPlainString();
    }
}
