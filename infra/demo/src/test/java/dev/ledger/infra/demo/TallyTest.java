package dev.ledger.infra.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TallyTest {

    private final Tally tally = new Tally();

    @Test
    void each_command_s_answers_are_counted_as_accepted_or_by_error_code_and_in_the_totals() {
        tally.record("card payment", answer(201, null));
        tally.record("card payment", answer(200, null));
        tally.record("card payment", answer(422, "insufficient_funds"));
        tally.noAnswer("card payment");
        tally.record("transfer", answer(409, "idempotency_conflict"));

        assertThat(tally.outcomesOf("card payment")).containsExactly(
                Map.entry("accepted", 2L), Map.entry("insufficient_funds", 1L),
                Map.entry("no_answer", 1L));
        assertThat(tally.outcomesOf("transfer")).containsExactly(Map.entry("idempotency_conflict", 1L));
        assertThat(tally.outcomesOf("split payout")).isEmpty();
        assertThat(tally.sent()).isEqualTo(5);
        assertThat(tally.acceptedByCommand()).containsExactly(Map.entry("card payment", 2L));
        assertThat(tally.rejectedByCode()).containsOnlyKeys("insufficient_funds", "no_answer", "idempotency_conflict");
    }

    private static LedgerHttp.Answer answer(int status, String error) {
        var body = JsonNodeFactory.instance.objectNode();
        if (error != null) {
            body.put("error", error);
        }
        return new LedgerHttp.Answer(status, body);
    }
}
