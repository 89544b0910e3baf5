package dev.ledger.functions.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.BatchEvent.ItemOutcome;
import dev.ledger.domain.api.BatchEvent.Outcome;
import dev.ledger.domain.api.BatchItem;
import dev.ledger.domain.api.BatchItem.TransactionItem;
import dev.ledger.domain.api.BatchItem.TransferItem;
import dev.ledger.domain.api.BatchRequest;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.LedgerResult.Status;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.CommandService.Committed;
import dev.ledger.functions.command.CommandService.Recorded;
import dev.ledger.functions.command.ConcurrentModificationException;
import dev.ledger.http.ApiException;
import dev.ledger.http.HttpResponse;
import dev.ledger.http.RequestBody;
import dev.ledger.http.Route.Answer;
import dev.ledger.http.Route.Call;
import dev.ledger.store.BatchDigest;
import dev.ledger.views.Views;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * {@code POST /batches}: many new transfers and transactions in one request. An atomic batch is one
 * ledger command ({@code Ledger.atomicBatch}): all its items in one append with the batch's record, or
 * none. A batch that is not atomic runs each item as the command it would be on its own route (its own
 * append and retries), a few at a time, and then writes the batch's record of what each did; a retry of
 * the batch finds that record and answers from it without running any item again.
 */
final class BatchApi {

    /**
     * The largest batch body: 1,000 items of about 1 KB (a transfer with full metadata is under 9 KB; a
     * batch of such transfers is refused here before it is read).
     */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    /** How many items of a batch that is not atomic run at once, by default (BENCHMARK: batch-request-units). */
    static final int DEFAULT_PARALLELISM = 4;

    private static final Set<String> BATCH_FIELDS = Set.of("batchId", "atomic", "items");
    private static final Set<String> TRANSFER_ITEM_FIELDS = with(CommandApi.TRANSFER_FIELDS, "type");
    private static final Set<String> TRANSACTION_ITEM_FIELDS = with(CommandApi.TRANSACTION_FIELDS, "type");
    private static final Set<String> ANY_ITEM_FIELDS = with(TRANSACTION_ITEM_FIELDS, TRANSFER_ITEM_FIELDS);

    private final CommandService commands;
    private final int parallelism;
    private final EffectiveWindow effective;
    private ExecutorService pool;

    BatchApi(CommandService commands, int parallelism, EffectiveWindow effective) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("a batch runs at least one item at a time");
        }
        this.commands = commands;
        this.parallelism = parallelism;
        this.effective = effective;
    }

    Answer batch(Call call) {
        RequestBody body = RequestBody.parse(call.request().body(), BATCH_FIELDS, MAX_BODY_BYTES);
        String batchId = body.requiredId("batchId");
        if (!body.has("atomic") || body.isNull("atomic")) {
            throw ApiException.invalid("field 'atomic' is required: true for all items or none, false for each on"
                    + " its own");
        }
        boolean atomic = body.optionalBoolean("atomic", false);
        if (!body.has("items") || body.isNull("items")) {
            throw ApiException.invalid("field 'items' is required");
        }
        List<RequestBody> elements = body.objects("items", ANY_ITEM_FIELDS);
        if (elements.isEmpty()) {
            throw ApiException.invalid("a batch needs at least one item");
        }
        int max = atomic ? BatchRequest.MAX_ATOMIC_ITEMS : BatchRequest.MAX_ITEMS;
        if (elements.size() > max) {
            throw new ApiException(400, RejectionCode.BATCH_TOO_LARGE.code(), atomic
                    ? "an atomic batch has at most " + max + " items (one DynamoDB transaction of at most 100 items:"
                    + " 2 for the batch, at least 4 per item and 2 account heads); this one has " + elements.size()
                    + "; split it, or send it with \"atomic\": false"
                    : "a batch has at most " + max + " items; this one has " + elements.size());
        }
        List<BatchItem> items = new ArrayList<>();
        Map<StreamId, Integer> seen = new HashMap<>();
        for (RequestBody element : elements) {
            BatchItem item = item(element);
            Integer first = seen.putIfAbsent(item.stream(), items.size());
            if (first != null) {
                throw ApiException.invalid("items[" + items.size() + "] repeats the " + item.kind() + " id "
                        + item.id() + " of items[" + first + "]; each item has an id of its own");
            }
            items.add(item);
        }
        BatchRequest request = BatchDigest.request(atomic, items);
        return Answer.of(atomic ? atomic(call, batchId, request) : independent(call, batchId, request));
    }

    private BatchItem item(RequestBody element) {
        String type = element.requiredString("type");
        switch (type) {
            case "transfer" -> {
                element.allowOnly(TRANSFER_ITEM_FIELDS, "a transfer item");
                return CommandApi.transferItem(element, effective);
            }
            case "transaction" -> {
                element.allowOnly(TRANSACTION_ITEM_FIELDS, "a transaction item");
                return CommandApi.transactionItem(element, effective);
            }
            default -> throw ApiException.invalid("field '" + element.name("type") + "' must be \"transfer\" or"
                    + " \"transaction\", got '" + RequestBody.printable(type) + "'");
        }
    }

    /** One command: 201 with every item, or the refusal naming the item; the same batch again, 200 and the same. */
    private HttpResponse atomic(Call call, String batchId, BatchRequest request) {
        Committed done = execute(call, ledger -> ledger.atomicBatch(batchId, request));
        if (done.result().isRejected()) {
            return CommandApi.rejection(done.result().rejection());
        }
        if (done.result().status() == Status.ALREADY_APPLIED) {
            return repeated(batchId);
        }
        BatchState batch = (BatchState) done.subject().orElseThrow().state();
        Instant recordedAt = done.events().get(0).recordedAt();
        Map<StreamId, StreamState> recorded = new HashMap<>();
        for (StreamChange change : done.result().changes()) {
            recorded.put(change.stream(), change.stateAfter());
        }
        List<HttpResponse> answers = new ArrayList<>();
        for (ItemOutcome item : batch.items()) {
            answers.add(item.outcome() == Outcome.APPLIED
                    ? new HttpResponse(201, view(recorded.get(item.stream()), recordedAt))
                    : original(item));
        }
        return new HttpResponse(201, answer(batch, recordedAt, answers));
    }

    /**
     * Each item as its own command, a few at a time (items that share an account one after another, in
     * order); then the batch's record. The batch id seen before answers from its record, running nothing.
     */
    private HttpResponse independent(Call call, String batchId, BatchRequest request) {
        Optional<LedgerResult> earlier = commands.query(ledger -> ledger.earlierBatch(batchId, request));
        if (earlier.isPresent()) {
            return earlier.get().isRejected() ? CommandApi.rejection(earlier.get().rejection()) : repeated(batchId);
        }
        ItemAnswer[] answered = new ItemAnswer[request.items().size()];
        List<Future<?>> running = new ArrayList<>();
        for (List<Integer> lane : lanes(request.items())) {
            running.add(pool().submit(() -> {
                for (int index : lane) {
                    answered[index] = run(index, request.items().get(index), call.correlationId() + "#" + index, call);
                }
            }));
        }
        running.forEach(BatchApi::await);
        List<ItemOutcome> outcomes = new ArrayList<>();
        List<HttpResponse> answers = new ArrayList<>();
        for (ItemAnswer answer : answered) {
            outcomes.add(answer.outcome());
            answers.add(answer.response());
        }
        Committed done = execute(call, ledger -> ledger.recordBatch(batchId, request, outcomes));
        if (done.result().isRejected()) {
            return CommandApi.rejection(done.result().rejection());
        }
        if (done.result().status() == Status.ALREADY_APPLIED) {
            // Another request with the same batch recorded it first: its answer is the original.
            return repeated(batchId);
        }
        BatchState batch = (BatchState) done.subject().orElseThrow().state();
        return new HttpResponse(201, answer(batch, done.events().get(0).recordedAt(), answers));
    }

    private record ItemAnswer(ItemOutcome outcome, HttpResponse response) {
    }

    /** One item as the command its own route would run, with that route's answer. */
    private ItemAnswer run(int index, BatchItem item, String correlationId, Call call) {
        Committed done;
        try {
            done = commands.execute(correlationId, CommandApi.counting(call), ledger -> item instanceof TransferItem transfer
                    ? ledger.transfer(transfer.transferId(), transfer.request())
                    : ledger.transaction(((TransactionItem) item).transactionId(), ((TransactionItem) item).request()));
        } catch (ConcurrentModificationException contention) {
            String message = "other requests kept changing the same accounts; send this item again";
            return new ItemAnswer(new ItemOutcome(index, item.kind(), item.id(), null, Outcome.REJECTED,
                    "concurrent_modification", message, null),
                    HttpResponse.error(409, "concurrent_modification", message));
        }
        LedgerResult result = done.result();
        if (result.isRejected()) {
            Rejection refused = result.rejection();
            return new ItemAnswer(new ItemOutcome(index, item.kind(), item.id(), null, Outcome.REJECTED,
                    refused.code().code(), refused.message(), refused.failedEntry()), CommandApi.rejection(refused));
        }
        HttpResponse response = item instanceof TransferItem ? CommandApi.recordedAnswer(done)
                : CommandApi.recordedTransaction(done);
        Outcome outcome = result.status() == Status.APPLIED ? Outcome.APPLIED : Outcome.ALREADY_APPLIED;
        return new ItemAnswer(new ItemOutcome(index, item.kind(), item.id(), null, outcome, null, null, null), response);
    }

    /** The original answer of a batch recorded before: its record, and each item's as first recorded. */
    private HttpResponse repeated(String batchId) {
        Recorded record = commands.recorded(StreamId.batch(batchId), 1);
        BatchState batch = (BatchState) record.state();
        List<HttpResponse> answers = new ArrayList<>();
        for (ItemOutcome item : batch.items()) {
            answers.add(switch (item.outcome()) {
                case APPLIED -> new HttpResponse(201, original(item).body());
                case ALREADY_APPLIED -> original(item);
                case REJECTED -> refusal(item);
            });
        }
        return new HttpResponse(200, answer(batch, record.recordedAt(), answers));
    }

    /** An item as its first event recorded it: what the item's own route answered, or answers again. */
    private HttpResponse original(ItemOutcome item) {
        Recorded first = commands.recorded(item.stream(), 1);
        return new HttpResponse(200, view(first.state(), first.recordedAt()));
    }

    private static HttpResponse refusal(ItemOutcome item) {
        HttpResponse response = HttpResponse.error(item.code().equals("concurrent_modification") ? 409
                : CommandApi.statusOf(RejectionCode.fromCode(item.code())), item.code(), item.message());
        if (item.failedEntry() != null) {
            ((ObjectNode) response.body()).put("failedEntry", item.failedEntry().intValue());
        }
        return response;
    }

    private static ObjectNode view(StreamState state, Instant recordedAt) {
        if (state instanceof TransferState transfer) {
            return CommandApi.recorded(transfer, recordedAt);
        }
        return Views.transaction((TransactionState) state, 1, recordedAt);
    }

    /** {@code {"batchId","atomic","recordedAt","items":[{"index","status","body"}]}}. */
    private static ObjectNode answer(BatchState batch, Instant recordedAt, List<HttpResponse> answers) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("batchId", batch.batchId());
        node.put("atomic", batch.atomic());
        node.put("recordedAt", recordedAt.toString());
        ArrayNode items = node.putArray("items");
        for (int index = 0; index < answers.size(); index++) {
            items.addObject().put("index", index).put("status", answers.get(index).status())
                    .set("body", answers.get(index).body());
        }
        return node;
    }

    private Committed execute(Call call, Function<Ledger, LedgerResult> command) {
        try {
            return commands.execute(call.correlationId(), CommandApi.counting(call), command);
        } catch (ConcurrentModificationException contention) {
            throw CommandApi.contention();
        }
    }

    /**
     * The items in lanes that share no account, each lane in the items' order: lanes run at once, a lane's
     * items one after another. Items on the same account in parallel would only race for its head and
     * retry (measured: four at a time over one funding account ran at 0.64 times the speed of one at a
     * time), and in order they are decided in the order the client sent them.
     */
    static List<List<Integer>> lanes(List<BatchItem> items) {
        int[] parent = new int[items.size()];
        Map<String, Integer> firstOnAccount = new HashMap<>();
        for (int index = 0; index < items.size(); index++) {
            parent[index] = index;
            for (String account : accountsOf(items.get(index))) {
                Integer earlier = firstOnAccount.putIfAbsent(account, index);
                if (earlier != null) {
                    parent[root(parent, index)] = root(parent, earlier);
                }
            }
        }
        Map<Integer, List<Integer>> lanes = new java.util.LinkedHashMap<>();
        for (int index = 0; index < items.size(); index++) {
            lanes.computeIfAbsent(root(parent, index), lane -> new ArrayList<>()).add(index);
        }
        return List.copyOf(lanes.values());
    }

    private static int root(int[] parent, int index) {
        while (parent[index] != index) {
            parent[index] = parent[parent[index]];
            index = parent[index];
        }
        return index;
    }

    private static List<String> accountsOf(BatchItem item) {
        if (item instanceof TransferItem transfer) {
            return List.of(transfer.request().debitAccountId(), transfer.request().creditAccountId());
        }
        return ((TransactionItem) item).request().accountIds();
    }

    private static void await(Future<?> future) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a batch's items ran", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("a batch item failed", e.getCause());
        }
    }

    /** The items' threads, made on the first batch that is not atomic; daemons, so they never hold a JVM open. */
    private synchronized ExecutorService pool() {
        if (pool == null) {
            AtomicInteger count = new AtomicInteger();
            ThreadFactory daemons = runnable -> {
                Thread thread = new Thread(runnable, "batch-item-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            };
            pool = Executors.newFixedThreadPool(parallelism, daemons);
        }
        return pool;
    }

    private static Set<String> with(Set<String> fields, String field) {
        return with(fields, Set.of(field));
    }

    private static Set<String> with(Set<String> fields, Set<String> more) {
        Set<String> all = new HashSet<>(fields);
        all.addAll(more);
        return Set.copyOf(all);
    }
}
