package dev.ledger.infra.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A client of the ledger's HTTP API as a payment service sees it: JSON over HTTP with a bearer
 * token. Every call returns the status and body as they came; what they mean is the caller's
 * business (a refusal is an answer, not an exception). Only a request that got no answer at all
 * (connection refused or reset, timeout) throws {@link NoAnswer}: its outcome is unknown.
 */
public final class LedgerHttp {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Long: on a busy machine the emulator can take many seconds per request, and an answer beats none. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);

    private final HttpClient client;
    private final URI baseUrl;
    private final String token;

    public LedgerHttp(URI baseUrl, String token) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** One answer: the status, and the body's JSON (an empty object when the body is not JSON). */
    public record Answer(int status, JsonNode body) {

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The API's error code ({@code insufficient_funds}, ...), or {@code http_<status>} without one. */
        public String errorCode() {
            return body.hasNonNull("error") ? body.get("error").asText() : "http_" + status;
        }
    }

    /** A request that got no HTTP answer: the command may or may not have been recorded. */
    public static final class NoAnswer extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoAnswer(String what, Throwable cause) {
            super(what + ": no answer (" + cause + ")", cause);
        }
    }

    /**
     * The error code of a command that lost its append races to other requests on the same
     * accounts (a hot account); the API asks the client to send the request again as it is.
     */
    public static final String CONTENTION = "concurrent_modification";

    /**
     * Sends a command again while the API answers {@link #CONTENTION}, at most {@code attempts}
     * times, with exponential backoff and full jitter (so clients that collided do not collide
     * again in step); {@code onRetry} is told of each retry. Returns the last answer.
     */
    public static Answer retryingContention(Supplier<Answer> command, int attempts, RandomGenerator jitter,
                                            Runnable onRetry) {
        Answer answer = command.get();
        for (int attempt = 1; attempt < attempts && answer.status() == 409 && CONTENTION.equals(answer.errorCode());
             attempt++) {
            onRetry.run();
            try {
                Thread.sleep(jitter.nextLong(10L << Math.min(attempt, 7)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return answer;
            }
            answer = command.get();
        }
        return answer;
    }

    public Answer openAccount(String accountId, String currency, String overdraftLimit) {
        return openAccount(accountId, currency, overdraftLimit, 1);
    }

    /**
     * Opens an account of {@code shards} shard streams (1: not sharded, and no {@code shards} field sent).
     * Sent again with the same fields it answers 200 with the account as it is now; a sharded account's
     * command answers show it whole (every shard added up), whatever the read side has caught up with.
     */
    public Answer openAccount(String accountId, String currency, String overdraftLimit, int shards) {
        ObjectNode body = JSON.createObjectNode().put("accountId", accountId).put("currency", currency);
        if (overdraftLimit == null) {
            body.putNull("overdraftLimit");
        } else {
            body.put("overdraftLimit", overdraftLimit);
        }
        if (shards > 1) {
            body.put("shards", shards);
        }
        return post("/accounts", body);
    }

    /** A posted transfer, or a pending one (a hold) when {@code holdSeconds} is positive. */
    public Answer transfer(String transferId, String debitAccountId, String creditAccountId, String amount,
                           String currency, long holdSeconds) {
        ObjectNode body = JSON.createObjectNode().put("transferId", transferId).put("debitAccountId", debitAccountId)
                .put("creditAccountId", creditAccountId).put("amount", amount).put("currency", currency);
        if (holdSeconds > 0) {
            body.put("pending", true).put("timeoutSeconds", holdSeconds);
        }
        return post("/transfers", body);
    }

    /** A posted transfer as an item of {@link #batch}: the body of {@code POST /transfers} with its type. */
    public static ObjectNode transferItem(String transferId, String debitAccountId, String creditAccountId,
                                          String amount, String currency) {
        return JSON.createObjectNode().put("type", "transfer").put("transferId", transferId)
                .put("debitAccountId", debitAccountId).put("creditAccountId", creditAccountId).put("amount", amount)
                .put("currency", currency);
    }

    /** A posted transaction as an item of {@link #batch}: the body of {@code POST /transactions} with its type. */
    public static ObjectNode transactionItem(String transactionId, List<Entry> entries, Map<String, String> metadata) {
        return transactionBody(JSON.createObjectNode().put("type", "transaction"), transactionId, entries, metadata);
    }

    /**
     * Many transfers and transactions in one request ({@code POST /batches}): when {@code atomic}, all
     * recorded or none. Each item answers in {@code items[i]}: {@code {"index","status","body"}}.
     */
    public Answer batch(String batchId, boolean atomic, List<ObjectNode> items) {
        ObjectNode body = JSON.createObjectNode().put("batchId", batchId).put("atomic", atomic);
        body.putArray("items").addAll(items);
        return post("/batches", body);
    }

    /** Posts a hold: all of it when {@code amount} is null. */
    public Answer postPending(String transferId, String amount) {
        ObjectNode body = JSON.createObjectNode();
        if (amount != null) {
            body.put("amount", amount);
        }
        return post("/transfers/" + encode(transferId) + "/post", body);
    }

    public Answer voidPending(String transferId) {
        return post("/transfers/" + encode(transferId) + "/void", JSON.createObjectNode());
    }

    /** One entry of a multi-leg transaction, as {@code POST /transactions} takes it. */
    public record Entry(String accountId, String direction, String amount, String currency) {
    }

    /** A posted multi-leg transaction ({@code POST /transactions}); {@code metadata} may be empty. */
    public Answer transaction(String transactionId, List<Entry> entries, Map<String, String> metadata) {
        return post("/transactions", transactionBody(JSON.createObjectNode(), transactionId, entries, metadata));
    }

    private static ObjectNode transactionBody(ObjectNode body, String transactionId, List<Entry> entries,
                                              Map<String, String> metadata) {
        body.put("transactionId", transactionId);
        ArrayNode array = body.putArray("entries");
        for (Entry entry : entries) {
            array.addObject().put("accountId", entry.accountId()).put("direction", entry.direction())
                    .put("amount", entry.amount()).put("currency", entry.currency());
        }
        if (!metadata.isEmpty()) {
            ObjectNode labels = body.putObject("metadata");
            new TreeMap<>(metadata).forEach(labels::put);
        }
        return body;
    }

    /** Gives back part of a posted transfer ({@code POST /transfers/{id}/reverse}): all that is left when {@code amount} is null. */
    public Answer reverse(String transferId, String reversalId, String amount) {
        ObjectNode body = JSON.createObjectNode().put("reversalId", reversalId);
        if (amount != null) {
            body.put("amount", amount);
        }
        return post("/transfers/" + encode(transferId) + "/reverse", body);
    }

    /** The transaction as the transfers projection has it (the query API). */
    public Answer transactionById(String transactionId) {
        return get("/transactions/" + encode(transactionId));
    }

    /** The account as the balances projection has it (the query API). */
    public Answer account(String accountId) {
        return send(HttpRequest.newBuilder(baseUrl.resolve("/accounts/" + encode(accountId))).GET(),
                "GET /accounts/" + accountId);
    }

    /** The transfer as the transfers projection has it (the query API). */
    public Answer transferById(String transferId) {
        return get("/transfers/" + encode(transferId));
    }

    /**
     * One page of the account's history as the history projection has it, oldest first: from the
     * start when {@code cursor} is null, else from where the page that gave that cursor ended.
     */
    public Answer history(String accountId, String cursor, int limit) {
        return get("/accounts/" + encode(accountId) + "/history?limit=" + limit
                + (cursor == null ? "" : "&cursor=" + encode(cursor)));
    }

    /** The account's hash chain checked on the log itself: {@code events} is the stream's head version. */
    public Answer verify(String accountId) {
        return get("/audit/accounts/" + encode(accountId) + "/verify");
    }

    private Answer get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(baseUrl.resolve(pathAndQuery)).GET(), "GET " + pathAndQuery);
    }

    private Answer post(String path, ObjectNode body) {
        return send(HttpRequest.newBuilder(baseUrl.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())), "POST " + path);
    }

    private Answer send(HttpRequest.Builder request, String what) {
        HttpResponse<String> response;
        try {
            response = client.send(request.header("Authorization", "Bearer " + token).timeout(REQUEST_TIMEOUT)
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new NoAnswer(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoAnswer(what, e);
        }
        return new Answer(response.statusCode(), parse(response.body()));
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode node = body == null || body.isBlank() ? null : JSON.readTree(body);
            return node != null && node.isObject() ? node : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode(); // not JSON: the status says what happened
        }
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
