package dev.ledger.infra.local;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;

/**
 * The template's schedules (AWS::Events::Rule with a ScheduleExpression), run locally on a timer
 * of their own period: each tick invokes the target functions with the {@link ScheduledEvent}
 * EventBridge would send. One thread, fixed delay: ticks never overlap, as the template's timeout
 * below the period ensures on AWS.
 */
final class ScheduleRunner implements AutoCloseable {

    /** One rule and the functions it targets. */
    record Job(String ruleLogicalId, String ruleArn, List<LocalFunction> targets) {
    }

    private final ScheduledExecutorService timer;
    private final String region;
    private final String accountId;

    private ScheduleRunner(ScheduledExecutorService timer, String region, String accountId) {
        this.timer = timer;
        this.region = region;
        this.accountId = accountId;
    }

    static ScheduleRunner start(List<Job> jobs, Duration interval, String region, String accountId) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "schedules");
            thread.setDaemon(true);
            return thread;
        });
        ScheduleRunner runner = new ScheduleRunner(timer, region, accountId);
        for (Job job : jobs) {
            timer.scheduleWithFixedDelay(() -> runner.tick(job), interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return runner;
    }

    private void tick(Job job) {
        for (LocalFunction function : job.targets()) {
            try {
                function.invoke(event(job));
            } catch (RuntimeException | Error e) {
                // As on AWS, a failed run is logged and the next tick tries again.
                System.err.println("[local schedule] " + job.ruleLogicalId() + " -> " + function.spec().logicalId()
                        + " failed: " + e);
            }
        }
    }

    private ScheduledEvent event(Job job) {
        ScheduledEvent event = new ScheduledEvent();
        event.setVersion("0");
        event.setId(UUID.randomUUID().toString());
        event.setDetailType("Scheduled Event");
        event.setSource("aws.events");
        event.setAccount(accountId);
        event.setTime(new DateTime(System.currentTimeMillis(), DateTimeZone.UTC));
        event.setRegion(region);
        event.setResources(List.of(job.ruleArn()));
        event.setDetail(Map.of());
        return event;
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            // Let a running tick finish (a sweep is short); then stop waiting.
            if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
