package dev.ledger.projections;

import static dev.ledger.projections.ProjectionTables.ID;

import dev.ledger.projections.Projection.Run;
import dev.ledger.projections.Projection.Step;
import dev.ledger.projections.Projection.Written;
import dev.ledger.store.ItemSize;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Writes runs of steps into one projection table in as few requests as the guarantees allow; the one
 * write path of every projection (a single event's {@link Projection#apply} is a run of one step).
 *
 * <ul>
 *   <li>A run writes each step's items but its last (history's entries, each put only if absent; a
 *       slotted projection's slots, overwritten, see {@link #RunWriter(ProjectionItems, boolean)}) and
 *       the stream's item after its last step, put only if the stream is still at the version the run
 *       starts from and not blocked: a balance or transfer is one item however many events the run
 *       has, an account's history one entry per event plus its cursor.
 *   <li>Whole runs are packed into transactions of at most {@value #MAX_ITEMS} items (DynamoDB's
 *       limit) and {@value #MAX_BYTES} bytes (under its 4 MB): all or nothing, so a stream's entries
 *       never show without its cursor. A run too long for one is cut into successive pieces, each
 *       conditional on the version after the piece before; one stream is never twice in a
 *       transaction (DynamoDB refuses two writes of one item in it).
 *   <li>A transaction of one item is sent as a conditional PutItem: the same condition and effect at
 *       half the write units (DynamoDB bills 2 per KB in a transaction).
 *   <li>A cancelled transaction names the items whose condition failed (or that met another
 *       transaction): those streams moved, and are left for the caller to read again; the others in
 *       it were not written (all or nothing) and are sent again at once without them. Any other
 *       failure (throttling, an outage) stops the call: what was written is reported, the rest is
 *       not tried.
 * </ul>
 */
final class RunWriter {

    /** DynamoDB's limit on the items of one TransactWriteItems. */
    static final int MAX_ITEMS = 100;
    /** The items' bytes per transaction: DynamoDB allows 4 MB; a margin under it, for the request's own bytes. */
    static final long MAX_BYTES = 3L * 1024 * 1024;

    private final ProjectionItems items;
    private final boolean slotted;

    RunWriter(ProjectionItems items) {
        this(items, false);
    }

    /**
     * @param slotted whether a step's items before the stream's own are slots overwritten in place
     *     ({@link ProjectionCatalog#slotted}): each is then put without a condition (the stream's item,
     *     conditional on the run's version, guards the transaction they share), and a piece keeps
     *     only a slot's last put (DynamoDB refuses two writes of one item in a transaction)
     */
    RunWriter(ProjectionItems items, boolean slotted) {
        this.items = items;
        this.slotted = slotted;
    }

    /** Steps {@code [firstStep, endStep)} of run {@code run}: their puts, the stream's item last. */
    private record Piece(int run, int firstStep, int endStep, List<Put> puts, long bytes) {
    }

    /** @see Projection#write */
    List<Written> write(List<Run> runs) {
        List<Piece> pieces = new ArrayList<>();
        for (int run = 0; run < runs.size(); run++) {
            pieces.addAll(pieces(run, runs.get(run)));
        }
        int[] written = new int[runs.size()];
        boolean[] moved = new boolean[runs.size()];
        SdkException unavailable = null;
        for (List<Piece> chunk : chunks(pieces)) {
            // A piece goes only after its stream's pieces before it: it is conditional on their version.
            List<Piece> live = new ArrayList<>(chunk.stream()
                    .filter(piece -> !moved[piece.run()] && written[piece.run()] == piece.firstStep()).toList());
            try {
                while (!live.isEmpty()) {
                    List<Piece> stale = send(live);
                    if (stale.isEmpty()) {
                        live.forEach(piece -> written[piece.run()] = piece.endStep());
                        break;
                    }
                    stale.forEach(piece -> moved[piece.run()] = true);
                    live.removeAll(stale);
                }
            } catch (SdkException failed) {
                unavailable = failed;
                break;
            }
        }
        List<Written> outcome = new ArrayList<>();
        for (int run = 0; run < runs.size(); run++) {
            boolean complete = written[run] == runs.get(run).steps().size();
            outcome.add(new Written(written[run], moved[run], complete || moved[run] ? null : unavailable));
        }
        return outcome;
    }

    /** Writes the pieces together; returns the pieces whose stream moved (then nothing was written). */
    private List<Piece> send(List<Piece> pieces) {
        List<Piece> byItem = new ArrayList<>();
        List<TransactWriteItem> writes = new ArrayList<>();
        for (Piece piece : pieces) {
            for (Put put : piece.puts()) {
                byItem.add(piece);
                writes.add(TransactWriteItem.builder().put(put).build());
            }
        }
        if (writes.size() == 1) {
            try {
                items.put(writes.get(0).put());
                return List.of();
            } catch (ConditionalCheckFailedException moved) {
                return List.copyOf(pieces);
            }
        }
        try {
            items.dynamo().transactWriteItems(r -> r.transactItems(writes));
            return List.of();
        } catch (TransactionCanceledException cancelled) {
            List<CancellationReason> reasons = cancelled.hasCancellationReasons() ? cancelled.cancellationReasons()
                    : List.of();
            Set<Piece> stale = new HashSet<>();
            for (int i = 0; i < Math.min(reasons.size(), byItem.size()); i++) {
                String code = reasons.get(i).code();
                if ("ConditionalCheckFailed".equals(code) || "TransactionConflict".equals(code)) {
                    stale.add(byItem.get(i));
                }
            }
            if (stale.isEmpty()) {
                throw cancelled; // throttled, or refused as a whole: nothing names a stream that moved
            }
            return pieces.stream().filter(stale::contains).toList();
        }
    }

    /** The run cut into pieces that each fit one transaction. */
    private List<Piece> pieces(int run, Run steps) {
        List<Piece> pieces = new ArrayList<>();
        // The current piece's entries by key (a slot's later put replaces its earlier one), copied into it when it closes.
        Map<List<AttributeValue>, Put> entries = new java.util.LinkedHashMap<>();
        long entryBytes = 0;
        int first = 0;
        for (int s = 0; s < steps.steps().size(); s++) {
            Step step = steps.steps().get(s);
            List<Map<String, AttributeValue>> stepEntries = step.items().subList(0, step.items().size() - 1);
            long stepBytes = stepEntries.stream().mapToLong(ItemSize::of).sum();
            long itemBytes = ItemSize.of(step.after().item());
            boolean fits = entries.size() + stepEntries.size() + 1 <= MAX_ITEMS
                    && entryBytes + stepBytes + itemBytes <= MAX_BYTES;
            if (!fits && s > first) {
                pieces.add(piece(run, steps, first, s, entries, entryBytes));
                entries.clear();
                entryBytes = 0;
                first = s;
            }
            for (Map<String, AttributeValue> entry : stepEntries) {
                Put.Builder put = Put.builder().tableName(items.table()).item(entry);
                if (!slotted) {
                    put.conditionExpression("attribute_not_exists(#id)").expressionAttributeNames(Map.of("#id", ID));
                }
                List<AttributeValue> key = List.of(entry.get(ID), entry.getOrDefault(ProjectionTables.SK,
                        AttributeValue.fromNul(true)));
                entries.remove(key); // a replaced slot goes where its last put is
                entries.put(key, put.build());
            }
            entryBytes += stepBytes;
        }
        if (steps.steps().size() > first) {
            pieces.add(piece(run, steps, first, steps.steps().size(), entries, entryBytes));
        }
        return pieces;
    }

    private Piece piece(int run, Run steps, int first, int end, Map<List<AttributeValue>, Put> entries, long entryBytes) {
        Map<String, AttributeValue> item = steps.after(end).item();
        List<Put> puts = new ArrayList<>(entries.values());
        puts.add(items.conditionalPut(item, steps.after(first).version()));
        return new Piece(run, first, end, List.copyOf(puts), entryBytes + ItemSize.of(item));
    }

    /** Pieces, in order, packed into transactions; never two pieces of one stream in one. */
    private static List<List<Piece>> chunks(List<Piece> pieces) {
        List<List<Piece>> chunks = new ArrayList<>();
        List<Piece> chunk = new ArrayList<>();
        Set<Integer> runs = new HashSet<>();
        int count = 0;
        long bytes = 0;
        for (Piece piece : pieces) {
            if (!chunk.isEmpty() && (runs.contains(piece.run()) || count + piece.puts().size() > MAX_ITEMS
                    || bytes + piece.bytes() > MAX_BYTES)) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                runs.clear();
                count = 0;
                bytes = 0;
            }
            chunk.add(piece);
            runs.add(piece.run());
            count += piece.puts().size();
            bytes += piece.bytes();
        }
        if (!chunk.isEmpty()) {
            chunks.add(chunk);
        }
        return chunks;
    }
}
