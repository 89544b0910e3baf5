package dev.ledger.replay;

import dev.ledger.domain.api.StreamId;
import dev.ledger.projections.Projection;
import dev.ledger.projections.Projection.Position;
import dev.ledger.projections.StaleProjectionException;
import dev.ledger.store.StoredEvent;

/**
 * One stream folded into a projection table, event by event in version order. The caller reads the
 * events (a Scan's run or a Query) and checks the hash chain; this says what the table gets.
 */
interface StreamFold {

    /**
     * Folds the stream's next event.
     *
     * @return whether it was applied here (false: a live consumer of the same table already had it)
     */
    boolean next(StoredEvent event);

    /** The stream has no more events to fold. */
    void end();

    /**
     * Into a table nobody else writes (a new shadow table): {@link Projection#next} in memory, and
     * the items into {@code batches}, where a key's later item replaces its earlier one; so a balance
     * or a transfer is one write per stream, and streams share batches.
     */
    static StreamFold intoNewTable(Projection projection, OrderedBatches batches) {
        return new StreamFold() {
            private Position position = Position.NONE;

            @Override
            public boolean next(StoredEvent event) {
                Projection.Step step = projection.next(event, position);
                batches.add(step.items());
                position = step.after();
                return true;
            }

            @Override
            public void end() {
                // the items wait in the batches, written when a batch fills or the segment ends
            }
        };
    }

    /**
     * Into a table the projection's consumers may write too (a live table): each event with
     * {@link Projection#apply}, a write conditional on the version read, from {@code start}.
     */
    static StreamFold intoLiveTable(Projection projection, StreamId stream, Position start) {
        return new StreamFold() {
            private Position position = start;

            @Override
            public boolean next(StoredEvent event) {
                boolean applied = false;
                while (event.version() > position.version()) {
                    if (event.version() != position.version() + 1) {
                        throw new IllegalStateException(stream + ": the table holds version " + position.version()
                                + " but the log's next is " + event.version());
                    }
                    try {
                        position = projection.apply(event, position);
                        applied = true;
                    } catch (StaleProjectionException moved) {
                        // A live consumer writing the same table got there first: continue from its item.
                        position = projection.position(stream);
                        if (position.blocked()) {
                            throw new IllegalStateException(stream + " is blocked in " + projection.name(), moved);
                        }
                    }
                }
                return applied;
            }

            @Override
            public void end() {
                // every write was made as its event came
            }
        };
    }
}
