package dev.ledger.benchmarks;

import java.lang.management.ManagementFactory;

/** The cold-start baseline: a fresh JVM that reaches main and exits, nothing loaded but itself. */
public final class EmptyMain {

    private EmptyMain() {
    }

    public static void main(String[] args) {
        System.out.println("probe.mainAt=" + (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()));
    }
}
