package dev.ledger.localaws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestNamesTest {

    static class JournalStoreIT {}

    static class ProjectionWithAVeryLongNameThatGoesOnIT {}

    @Test
    void a_name_is_the_test_class_run_and_ordinal_then_the_base() {
        TestNames names = TestNames.forTestClass(JournalStoreIT.class, "k3x9", 7);

        assertThat(names.prefix()).isEqualTo("tjournalstoreit-k3x9-7-");
        assertThat(names.table("journal")).isEqualTo("tjournalstoreit-k3x9-7-journal");
        assertThat(names.stream("ledger-events")).isEqualTo("tjournalstoreit-k3x9-7-ledger-events");
        assertThat(names.bucket("lambda-code")).isEqualTo("tjournalstoreit-k3x9-7-lambda-code");
    }

    @Test
    void two_test_classes_of_one_run_get_different_prefixes() {
        TestNames first = TestNames.forTestClass(JournalStoreIT.class, "k3x9", 1);
        TestNames second = TestNames.forTestClass(JournalStoreIT.class, "k3x9", 2);

        assertThat(first.table("journal")).isNotEqualTo(second.table("journal"));
    }

    @Test
    void the_same_test_class_in_two_runs_gets_different_prefixes() {
        TestNames thisRun = TestNames.forTestClass(JournalStoreIT.class, "k3x9", 1);
        TestNames otherRun = TestNames.forTestClass(JournalStoreIT.class, "a0b1", 1);

        assertThat(thisRun.prefix()).isNotEqualTo(otherRun.prefix());
    }

    @Test
    void a_long_class_name_is_shortened_so_that_bucket_names_still_fit() {
        TestNames names = TestNames.forTestClass(ProjectionWithAVeryLongNameThatGoesOnIT.class, "zzzz", 123);

        assertThat(names.prefix()).isEqualTo("tprojectionwithaveryl-zzzz-123-");
        assertThat(names.bucket("a-bucket-base-of-thirty-chars-x")).hasSizeLessThanOrEqualTo(63);
    }

    @Test
    void a_base_that_some_service_would_reject_is_refused() {
        TestNames names = TestNames.forTestClass(JournalStoreIT.class, "k3x9", 1);

        assertThatThrownBy(() -> names.table("Journal_Table")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> names.queue("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> names.bucket("x".repeat(41))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("63");
    }

    @Test
    void a_class_without_a_simple_name_still_gets_a_valid_prefix() {
        Object anonymous = new Object() {};

        assertThat(TestNames.forTestClass(anonymous.getClass(), "k3x9", 1).prefix()).isEqualTo("tanonymous-k3x9-1-");
    }
}
