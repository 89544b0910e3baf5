package dev.ledger.infra.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.http.RequestBody;
import dev.ledger.infra.demo.PaymentPlan.Accounts;
import dev.ledger.infra.demo.PaymentPlan.Kind;
import dev.ledger.infra.demo.PaymentPlan.Payment;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PaymentPlanTest {

    private static final long SEED = 42;
    private final Accounts accounts = Accounts.of("demo-t", 200);

    @Test
    void the_same_seed_gives_the_same_plan_and_another_seed_another() {
        assertThat(PaymentPlan.plan(SEED, 5_000, accounts)).isEqualTo(PaymentPlan.plan(SEED, 5_000, accounts));
        assertThat(PaymentPlan.plan(SEED + 1, 5_000, accounts)).isNotEqualTo(PaymentPlan.plan(SEED, 5_000, accounts));
    }

    @Test
    void accounts_are_one_funding_account_per_currency_and_customers_split_evenly() {
        assertThat(accounts.funding()).containsExactly("demo-t-funding-eur", "demo-t-funding-usd");
        assertThat(accounts.customersByCurrency()).extracting(List::size).containsExactly(100, 100);
        assertThat(accounts.all()).hasSize(202).doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(id).matches(RequestBody.ID));
        assertThat(accounts.currencyOf("demo-t-usd-001")).isEqualTo("USD");
    }

    @Test
    void every_customer_gets_a_deposit_first_then_the_mix_has_every_kind() {
        List<Payment> plan = PaymentPlan.plan(SEED, 5_000, accounts);

        assertThat(plan.subList(0, 200)).allSatisfy(p -> assertThat(p.kind()).isEqualTo(Kind.DEPOSIT));
        assertThat(plan.subList(0, 200)).extracting(Payment::creditAccountId).doesNotHaveDuplicates();
        Map<Kind, Integer> kinds = new EnumMap<>(Kind.class);
        plan.subList(200, plan.size()).forEach(p -> kinds.merge(p.kind(), 1, Integer::sum));
        assertThat(kinds).containsOnlyKeys(Kind.values());
        assertThat(kinds.get(Kind.TRANSFER)).isBetween(1_700, 2_150); // 40% of 4,800
    }

    @Test
    void a_payment_stays_in_one_currency_between_two_different_accounts_with_a_unique_id() {
        List<Payment> plan = PaymentPlan.plan(SEED, 5_000, accounts);

        assertThat(plan).allSatisfy(p -> {
            assertThat(p.debitAccountId()).isNotEqualTo(p.creditAccountId());
            assertThat(accounts.currencyOf(p.debitAccountId())).isEqualTo(p.currency());
            assertThat(accounts.currencyOf(p.creditAccountId())).isEqualTo(p.currency());
            assertThat(p.amountMinor()).isPositive();
            assertThat(p.partialMinor()).isBetween(0L, p.amountMinor());
            assertThat(p.transferId()).matches(RequestBody.ID);
        });
        assertThat(plan).extracting(Payment::transferId).doesNotHaveDuplicates();
        assertThat(plan).filteredOn(p -> p.kind() == Kind.DEPOSIT)
                .allSatisfy(p -> assertThat(accounts.funding()).contains(p.debitAccountId()));
    }

    @Test
    void amounts_print_exactly_with_two_minor_digits() {
        assertThat(PaymentPlan.decimal(1)).isEqualTo("0.01");
        assertThat(PaymentPlan.decimal(123_456)).isEqualTo("1234.56");
    }
}
