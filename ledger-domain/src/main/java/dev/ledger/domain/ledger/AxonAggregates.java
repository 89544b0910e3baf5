package dev.ledger.domain.ledger;

import dev.ledger.domain.Decision;
import dev.ledger.domain.api.LedgerEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.SimpleEventBus;
import org.axonframework.eventsourcing.EventSourcedAggregate;
import org.axonframework.eventsourcing.NoSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTrigger;
import org.axonframework.modelling.command.inspection.AggregateModel;

/**
 * Runs an Axon aggregate's annotated command handlers in memory, with no repository, event store or
 * command bus: Axon is used for aggregate modelling only. The events the handler applies are
 * collected, not published; the ledger's unit of work decides whether they are committed.
 */
final class AxonAggregates {

    /** Snapshots are the event store's business (a head item per stream), not Axon's. */
    private static final SnapshotTrigger NO_SNAPSHOTS = NoSnapshotTriggerDefinition.TRIGGER;

    private AxonAggregates() {
    }

    /** An aggregate after one command: its root, the handler's decision and the events it applied. */
    record Handled<T>(T root, Decision decision, List<LedgerEvent> events) {
    }

    static <T> Handled<T> create(AggregateModel<T> model, Callable<T> creationHandler) {
        EventCollector collector = new EventCollector();
        try {
            EventSourcedAggregate<T> aggregate = EventSourcedAggregate.initialize(creationHandler, model,
                    collector.bus, NO_SNAPSHOTS);
            return new Handled<>(aggregate.getAggregateRoot(), Decision.accepted(), collector.events);
        } catch (Exception e) {
            throw new IllegalStateException("creating " + model.entityClass().getSimpleName() + " failed", e);
        }
    }

    static <T> Handled<T> handle(AggregateModel<T> model, T root, Object command) {
        EventCollector collector = new EventCollector();
        EventSourcedAggregate<T> aggregate = EventSourcedAggregate.initialize(root, model, collector.bus, NO_SNAPSHOTS);
        Object result;
        try {
            result = aggregate.handle(GenericCommandMessage.asCommandMessage(command));
        } catch (Exception e) {
            throw new IllegalStateException(command.getClass().getSimpleName() + " failed on "
                    + model.entityClass().getSimpleName(), e);
        }
        if (!(result instanceof Decision decision)) {
            throw new IllegalStateException(command.getClass().getSimpleName() + " answered " + result
                    + " instead of a Decision");
        }
        return new Handled<>(aggregate.getAggregateRoot(), decision, collector.events);
    }

    /** Catches what {@code AggregateLifecycle.apply} publishes; outside a unit of work Axon publishes at once. */
    private static final class EventCollector {
        final List<LedgerEvent> events = new ArrayList<>();
        final SimpleEventBus bus = SimpleEventBus.builder().build();

        EventCollector() {
            bus.subscribe(messages -> {
                for (EventMessage<?> message : messages) {
                    events.add((LedgerEvent) message.getPayload());
                }
            });
        }
    }
}
