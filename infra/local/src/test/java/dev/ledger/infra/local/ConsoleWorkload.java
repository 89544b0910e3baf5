package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.money.Money;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The ledger ConsoleIT looks at, written through the HTTP API with a payments token; the same every run. */
final class ConsoleWorkload {

    /** Deposits into alice, then payments out of her: 37 history entries with the rest, four pages of 10. */
    static final int DEPOSITS = 24;
    static final int PAYMENTS = 8;
    /** The backdated deposit into bob, as the API shows it. */
    static final String LATE_AMOUNT = "7.25";
    static final int MERCHANTS = 9;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final URI base;
    private final String payments;

    ConsoleWorkload(URI base, String payments) {
        this.base = base;
        this.payments = payments;
    }

    /**
     * A seeded workload over HTTP: EUR accounts (a bank with no overdraft limit, alice, bob, a shop, fees),
     * deposits, payments, a hold posted in part, a card payment with its fee as one transaction, a refund of
     * part of a payment, a deposit into bob backdated an hour, nine merchants (one frozen), and a JPY pair (a
     * currency without minor digits). Returns every stream written.
     */
    List<StreamId> seed() throws Exception {
        // Whole seconds, so the backdated transfer's date reads as typed.
        Instant began = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<StreamId> streams = new ArrayList<>();
        for (String account : List.of("bank", "alice", "bob", "shop", "fees")) {
            open(account, "EUR", account.equals("bank"));
            streams.add(StreamId.account(account));
        }
        SplittableRandom random = new SplittableRandom(16);
        for (int i = 0; i < DEPOSITS; i++) {
            transfer("d-" + i, "bank", "alice", Money.toDecimalString(random.nextLong(100, 50_000), 2), "EUR");
            streams.add(StreamId.transfer("d-" + i));
        }
        for (int i = 0; i < PAYMENTS; i++) {
            transfer("p-" + i, "alice", "bob", Money.toDecimalString(random.nextLong(100, 2_000), 2), "EUR");
            streams.add(StreamId.transfer("p-" + i));
        }
        created(post("/transfers", "{\"transferId\":\"h-1\",\"debitAccountId\":\"alice\",\"creditAccountId\":\"shop\","
                + "\"amount\":\"30.00\",\"currency\":\"EUR\",\"pending\":true,\"timeoutSeconds\":3600,"
                + "\"metadata\":{\"order\":\"A-17\"}}"));
        assertThat(post("/transfers/h-1/post", "{\"amount\":\"12.50\"}").statusCode()).isEqualTo(200);
        streams.add(StreamId.transfer("h-1"));
        created(post("/transactions", "{\"transactionId\":\"tx-1\",\"entries\":["
                + "{\"accountId\":\"alice\",\"direction\":\"debit\",\"amount\":\"10.00\",\"currency\":\"EUR\"},"
                + "{\"accountId\":\"shop\",\"direction\":\"credit\",\"amount\":\"9.71\",\"currency\":\"EUR\"},"
                + "{\"accountId\":\"fees\",\"direction\":\"credit\",\"amount\":\"0.29\",\"currency\":\"EUR\"}],"
                + "\"metadata\":{\"order\":\"A-18\"}}"));
        streams.add(StreamId.transaction("tx-1"));
        created(post("/transfers/p-0/reverse", "{\"reversalId\":\"r-1\",\"amount\":\"0.50\"}"));
        // A deposit into bob dated an hour before the workload began: before bob's account was even opened.
        created(post("/transfers", "{\"transferId\":\"late-1\",\"debitAccountId\":\"bank\",\"creditAccountId\":"
                + "\"bob\",\"amount\":\"" + LATE_AMOUNT + "\",\"currency\":\"EUR\",\"effectiveAt\":\""
                + began.minus(Duration.ofHours(1)) + "\"}"));
        streams.add(StreamId.transfer("late-1"));
        // Merchants for the account search: enough EUR accounts for two pages of 10, one of them frozen.
        for (int i = 1; i <= MERCHANTS; i++) {
            String merchant = String.format("merchant-%02d", i);
            created(post("/accounts", "{\"accountId\":\"" + merchant + "\",\"currency\":\"EUR\","
                    + "\"metadata\":{\"kind\":\"merchant\"}}"));
            streams.add(StreamId.account(merchant));
        }
        assertThat(post("/accounts/merchant-03/freeze", "{}").statusCode()).isEqualTo(200);
        open("yen-bank", "JPY", true);
        open("yen-alice", "JPY", false);
        transfer("y-1", "yen-bank", "yen-alice", "1500", "JPY");
        streams.addAll(List.of(StreamId.account("yen-bank"), StreamId.account("yen-alice"), StreamId.transfer("y-1")));
        return streams;
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + payments)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private void open(String accountId, String currency, boolean unlimited) throws Exception {
        created(post("/accounts", "{\"accountId\":\"" + accountId + "\",\"currency\":\"" + currency + "\""
                + (unlimited ? ",\"overdraftLimit\":null" : "") + "}"));
    }

    private void transfer(String transferId, String from, String to, String amount, String currency)
            throws Exception {
        created(post("/transfers", "{\"transferId\":\"" + transferId + "\",\"debitAccountId\":\"" + from
                + "\",\"creditAccountId\":\"" + to + "\",\"amount\":\"" + amount + "\",\"currency\":\"" + currency + "\"}"));
    }
}
