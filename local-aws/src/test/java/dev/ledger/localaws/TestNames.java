package dev.ledger.localaws;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Resource names owned by one test class, so that test classes sharing one emulator never see
 * each other's tables, streams, stacks, queues or buckets.
 *
 * <p>Every name is {@code t<test class, lower case>-<run>-<n>-<base>}: {@code <n>} counts test
 * classes within this JVM, and {@code <run>} tells test JVMs apart (it matters when they share a
 * long-running emulator through {@code LEDGER_AWS_ENDPOINT}). Names use only lower-case letters,
 * digits and hyphens, which every service accepts, S3 buckets included.
 */
public final class TestNames {

    private static final int CLASS_PART_MAX = 20;
    private static final int BUCKET_NAME_MAX = 63;
    private static final Pattern BASE = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private final String prefix;

    private TestNames(String prefix) {
        this.prefix = prefix;
    }

    /** Names for the {@code ordinal}-th test class of the test JVM identified by {@code runId}. */
    static TestNames forTestClass(Class<?> testClass, String runId, int ordinal) {
        if (!BASE.matcher(runId).matches()) {
            throw new IllegalArgumentException("Run id must be lower-case letters and digits: " + runId);
        }
        return new TestNames("t" + classPart(testClass) + "-" + runId + "-" + ordinal + "-");
    }

    /** What every name of this test class starts with. */
    public String prefix() {
        return prefix;
    }

    public String table(String base) {
        return name(base);
    }

    public String stream(String base) {
        return name(base);
    }

    public String stack(String base) {
        return name(base);
    }

    public String queue(String base) {
        return name(base);
    }

    public String bucket(String base) {
        String bucket = name(base);
        if (bucket.length() > BUCKET_NAME_MAX) {
            throw new IllegalArgumentException("S3 bucket names have at most " + BUCKET_NAME_MAX
                    + " characters: " + bucket);
        }
        return bucket;
    }

    @Override
    public String toString() {
        return "TestNames[" + prefix + "]";
    }

    private String name(String base) {
        if (!BASE.matcher(base).matches()) {
            throw new IllegalArgumentException(
                    "Use lower-case letters, digits and single inner hyphens, which every AWS service accepts: '" + base + "'");
        }
        return prefix + base;
    }

    private static String classPart(Class<?> testClass) {
        String letters = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        if (letters.isEmpty()) {
            letters = "anonymous";
        }
        return letters.length() <= CLASS_PART_MAX ? letters : letters.substring(0, CLASS_PART_MAX);
    }
}
