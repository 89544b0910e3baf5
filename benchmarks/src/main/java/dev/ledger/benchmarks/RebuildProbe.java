package dev.ledger.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.ledger.replay.ReplayCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import picocli.CommandLine;

/**
 * Runs one replay-tool command line in this (fresh, small-heap) JVM, exactly as {@code ./ledger
 * replay} parses it, and then prints what the heap went through:
 *
 * <ul>
 *   <li>{@code heapAfterGcMax}: the most heap still in use after any collection, i.e. the largest
 *       live set the run held: what bounded memory means;
 *   <li>{@code heapPeakSum}: the sum of every heap pool's peak use, an upper bound that also counts
 *       garbage not yet collected (it grows with -Xmx, whatever the work);
 * </ul>
 *
 * and the tool's own output. Lines start with {@code probe.} so the caller finds them among logs.
 */
public final class RebuildProbe {

    private RebuildProbe() {
    }

    public static void main(String[] args) {
        AtomicLong heapAfterGcMax = new AtomicLong();
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) collector).addNotificationListener((notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                            (CompositeData) notification.getUserData());
                    long after = 0;
                    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                        MemoryUsage usage = info.getGcInfo().getMemoryUsageAfterGc().get(pool.getName());
                        if (pool.getType() == MemoryType.HEAP && usage != null) {
                            after += usage.getUsed();
                        }
                    }
                    heapAfterGcMax.accumulateAndGet(after, Math::max);
                }
            }, null, null);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long started = System.nanoTime();
        int code = new CommandLine(new ReplayCli()).setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        double seconds = (System.nanoTime() - started) / 1e9;
        long peakSum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peakSum += pool.getPeakUsage().getUsed();
            }
        }
        long collections = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
        System.err.print(err);
        System.out.println("probe.exit=" + code);
        System.out.println("probe.seconds=" + seconds);
        System.out.println("probe.heapMax=" + Runtime.getRuntime().maxMemory());
        System.out.println("probe.heapAfterGcMax=" + heapAfterGcMax.get());
        System.out.println("probe.heapPeakSum=" + peakSum);
        System.out.println("probe.collections=" + collections);
        System.out.println("probe.output=" + out.toString().replace("\n", " "));
        System.exit(code);
    }
}
