package dev.ledger.replay;

import java.util.Comparator;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * Runs {@link ReplayPolicyCoverageIT} after every other test class of the JVM (failsafe runs this
 * module's ITs in one JVM and one JUnit request): it checks the calls they made. The others keep
 * their order. Registered in {@code junit-platform.properties}.
 */
public final class PolicyCoverageRunsLast implements ClassOrderer {

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator.comparing(
                descriptor -> descriptor.getTestClass() == ReplayPolicyCoverageIT.class));
    }
}
