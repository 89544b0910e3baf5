package dev.ledger.infra.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.http.RequestBody;
import dev.ledger.infra.demo.PaymentPlan.Accounts;
import dev.ledger.infra.demo.PaymentPlan.Entry;
import dev.ledger.infra.demo.PaymentPlan.Kind;
import dev.ledger.infra.demo.PaymentPlan.Payment;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PaymentPlanTest {

    private static final long SEED = 42;
    private final Accounts accounts = Accounts.of("demo-t", 200);
    private final List<Payment> plan = PaymentPlan.plan(SEED, 5_000, accounts);

    @Test
    void the_same_seed_gives_the_same_plan_and_another_seed_another() {
        assertThat(PaymentPlan.plan(SEED, 5_000, accounts)).isEqualTo(plan);
        assertThat(PaymentPlan.plan(SEED + 1, 5_000, accounts)).isNotEqualTo(plan);
    }

    @Test
    void accounts_are_a_funding_a_fee_and_a_liquidity_account_per_currency_and_customers_split_evenly() {
        assertThat(accounts.funding()).containsExactly("demo-t-funding-eur", "demo-t-funding-usd");
        assertThat(accounts.fees()).containsExactly("demo-t-fees-eur", "demo-t-fees-usd");
        assertThat(accounts.liquidity()).containsExactly("demo-t-liquidity-eur", "demo-t-liquidity-usd");
        assertThat(accounts.customersByCurrency()).extracting(List::size).containsExactly(100, 100);
        assertThat(accounts.all()).hasSize(206).doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(id).matches(RequestBody.ID));
        assertThat(accounts.currencyOf("demo-t-usd-001")).isEqualTo("USD");
        assertThat(accounts.currencyOf("demo-t-liquidity-eur")).isEqualTo("EUR");
        assertThat(accounts.currencyOf("demo-t-fees-usd")).isEqualTo("USD");
    }

    @Test
    void only_funding_accounts_are_unlimited_liquidity_has_a_credit_line_and_the_others_no_overdraft() {
        assertThat(accounts.overdraftLimit("demo-t-funding-eur")).isNull();
        assertThat(accounts.overdraftLimit("demo-t-liquidity-usd")).isEqualTo("1000000.00");
        assertThat(accounts.overdraftLimit("demo-t-fees-eur")).isEqualTo("0.00");
        assertThat(accounts.overdraftLimit("demo-t-eur-000")).isEqualTo("0.00");
    }

    @Test
    void only_funding_accounts_are_sharded_so_deposits_go_out_concurrently_and_the_fee_and_liquidity_accounts_one_at_a_time() {
        assertThat(accounts.shards("demo-t-funding-eur")).isEqualTo(PaymentPlan.FUNDING_SHARDS);
        assertThat(accounts.shards("demo-t-funding-usd")).isEqualTo(PaymentPlan.FUNDING_SHARDS);
        assertThat(accounts.shards("demo-t-fees-eur")).isEqualTo(1);
        assertThat(accounts.shards("demo-t-liquidity-usd")).isEqualTo(1);
        assertThat(accounts.shards("demo-t-eur-000")).isEqualTo(1);
        assertThat(accounts.unsharded()).containsExactly("demo-t-fees-eur", "demo-t-fees-usd", "demo-t-liquidity-eur",
                "demo-t-liquidity-usd");
        assertThat(accounts.sharded()).containsExactlyInAnyOrder("demo-t-funding-eur", "demo-t-funding-usd");
    }

    @Test
    void every_customer_gets_a_deposit_first_then_the_mix_has_every_kind() {
        assertThat(plan.subList(0, 200)).allSatisfy(p -> assertThat(p.kind()).isEqualTo(Kind.DEPOSIT));
        assertThat(plan.subList(0, 200)).extracting(Payment::creditAccountId).doesNotHaveDuplicates();
        Map<Kind, Integer> kinds = new EnumMap<>(Kind.class);
        plan.subList(200, plan.size()).forEach(p -> kinds.merge(p.kind(), 1, Integer::sum));
        assertThat(kinds).containsOnlyKeys(Kind.values());
        assertThat(kinds.get(Kind.TRANSFER)).isBetween(1_150, 1_550); // 28% of 4,800
        assertThat(kinds.get(Kind.CARD_PAYMENT)).isBetween(280, 500); // 8%
        assertThat(kinds.get(Kind.SPLIT_PAYOUT)).isBetween(190, 390); // 6%
        assertThat(kinds.get(Kind.EXCHANGE)).isBetween(190, 390);
        assertThat(kinds.get(Kind.PARTIAL_REFUND)).isBetween(190, 390);
    }

    @Test
    void a_short_run_has_every_new_kind_too() {
        Accounts few = Accounts.of("demo-s", 20);

        assertThat(PaymentPlan.plan(SEED, 300, few)).extracting(Payment::kind)
                .contains(Kind.CARD_PAYMENT, Kind.SPLIT_PAYOUT, Kind.EXCHANGE, Kind.PARTIAL_REFUND, Kind.ATOMIC_BATCH);
    }

    @Test
    void a_transfer_stays_in_one_currency_between_two_different_accounts() {
        assertThat(plan).filteredOn(p -> !p.kind().isTransaction() && p.kind() != Kind.ATOMIC_BATCH).allSatisfy(p -> {
            assertThat(p.debitAccountId()).isNotEqualTo(p.creditAccountId());
            assertThat(accounts.currencyOf(p.debitAccountId())).isEqualTo(p.currency());
            assertThat(accounts.currencyOf(p.creditAccountId())).isEqualTo(p.currency());
            assertThat(p.amountMinor()).isPositive();
            assertThat(p.partialMinor()).isBetween(0L, p.amountMinor());
            assertThat(p.entries()).isEmpty();
        });
        assertThat(plan).filteredOn(p -> p.kind() == Kind.DEPOSIT)
                .allSatisfy(p -> assertThat(accounts.funding()).contains(p.debitAccountId()));
    }

    @Test
    void a_partial_refund_gives_back_something_and_less_than_was_paid() {
        assertThat(plan).filteredOn(p -> p.kind() == Kind.PARTIAL_REFUND)
                .allSatisfy(p -> assertThat(p.refundMinor()).isPositive().isLessThan(p.amountMinor()));
        assertThat(plan).filteredOn(p -> p.kind() != Kind.PARTIAL_REFUND)
                .allSatisfy(p -> assertThat(p.refundMinor()).isZero());
    }

    @Test
    void the_first_payment_after_the_deposits_is_the_run_s_one_atomic_batch_whose_deposit_pays_its_card_payment() {
        assertThat(plan).filteredOn(p -> p.kind() == Kind.ATOMIC_BATCH).hasSize(1);
        Payment batch = plan.get(200);
        assertThat(batch.kind()).isEqualTo(Kind.ATOMIC_BATCH);
        assertThat(batch.id()).isEqualTo("demo-t-b200");
        assertThat(batch.items()).extracting(Payment::kind)
                .containsExactly(Kind.DEPOSIT, Kind.DEPOSIT, Kind.CARD_PAYMENT);
        assertThat(batch.recordIds()).containsExactly("demo-t-t200-0", "demo-t-t200-1", "demo-t-x200-2");
        Payment deposit = batch.items().get(0);
        Entry paid = batch.items().get(2).entries().get(0);
        assertThat(paid.accountId()).isEqualTo(deposit.creditAccountId());
        assertThat(paid.amountMinor()).isPositive().isLessThanOrEqualTo(deposit.amountMinor());
        assertThat(batch.items().get(1).creditAccountId()).isNotEqualTo(deposit.creditAccountId());
        assertThat(accounts.funding()).contains(deposit.debitAccountId(), batch.items().get(1).debitAccountId());
        assertThat(batch.accountIds()).doesNotHaveDuplicates().contains(deposit.creditAccountId());
    }

    @Test
    void every_transaction_balances_in_each_currency_with_positive_amounts_in_the_accounts_currencies() {
        List<Payment> transactions = plan.stream().flatMap(p -> p.kind() == Kind.ATOMIC_BATCH ? p.items().stream()
                : Stream.of(p)).filter(p -> p.kind().isTransaction()).toList();
        assertThat(transactions).isNotEmpty().allSatisfy(p -> {
            Map<String, Long> net = new TreeMap<>();
            for (Entry entry : p.entries()) {
                assertThat(entry.amountMinor()).isPositive();
                assertThat(accounts.currencyOf(entry.accountId())).isEqualTo(entry.currency());
                net.merge(entry.currency(), entry.debit() ? entry.amountMinor() : -entry.amountMinor(), Math::addExact);
            }
            assertThat(net).as("debits less credits by currency of %s", p.id()).allSatisfy((currency, sum) ->
                    assertThat(sum).isZero());
            assertThat(p.accountIds()).hasSize(p.entries().size()) // one entry per account
                    .hasSizeLessThanOrEqualTo(TransactionRequest.MAX_ACCOUNTS);
            assertThat(p.debitAccountId()).isNull();
            assertThat(p.amountMinor()).isZero();
        });
    }

    @Test
    void a_card_payment_pays_the_merchant_the_amount_less_the_fee_which_goes_to_the_fee_account() {
        assertThat(plan).filteredOn(p -> p.kind() == Kind.CARD_PAYMENT).allSatisfy(p -> {
            assertThat(p.entries()).hasSize(3).extracting(Entry::debit).containsExactly(true, false, false);
            Entry paid = p.entries().get(0);
            Entry fee = p.entries().get(2);
            assertThat(accounts.customersByCurrency().get(PaymentPlan.CURRENCIES.indexOf(paid.currency())))
                    .contains(paid.accountId(), p.entries().get(1).accountId());
            assertThat(accounts.fees()).contains(fee.accountId());
            assertThat(fee.amountMinor()).isEqualTo(PaymentPlan.percent(paid.amountMinor(), PaymentPlan.CARD_FEE_RATE)
                    + PaymentPlan.CARD_FEE_FIXED_MINOR);
        });
    }

    @Test
    void a_split_payout_is_one_debit_to_three_to_five_credits_the_last_the_marketplace_s_commission() {
        assertThat(plan).filteredOn(p -> p.kind() == Kind.SPLIT_PAYOUT).allSatisfy(p -> {
            assertThat(p.entries()).hasSizeBetween(4, 6);
            assertThat(p.entries()).filteredOn(Entry::debit).hasSize(1);
            assertThat(p.entries().get(0).debit()).isTrue();
            assertThat(accounts.fees()).contains(p.entries().get(p.entries().size() - 1).accountId());
        });
    }

    @Test
    void an_exchange_moves_one_currency_into_its_liquidity_account_and_the_other_out_of_its_own_at_the_rate() {
        assertThat(plan).filteredOn(p -> p.kind() == Kind.EXCHANGE).allSatisfy(p -> {
            List<Entry> e = p.entries();
            assertThat(e).hasSize(4).extracting(Entry::debit).containsExactly(true, false, true, false);
            assertThat(e.get(0).currency()).isNotEqualTo(e.get(3).currency());
            assertThat(accounts.liquidity()).contains(e.get(1).accountId(), e.get(2).accountId());
            assertThat(e.get(3).amountMinor()).isEqualTo(PaymentPlan.convert(e.get(0).amountMinor(),
                    e.get(0).currency(), e.get(3).currency()));
            assertThat(p.metadata()).containsEntry("rate", "1.0850 USD per EUR");
        });
        assertThat(plan).filteredOn(p -> p.kind() == Kind.EXCHANGE).extracting(p -> p.entries().get(0).currency())
                .contains("EUR", "USD");
    }

    @Test
    void conversions_round_half_even_to_the_minor_unit() {
        assertThat(PaymentPlan.convert(10_000, "EUR", "USD")).isEqualTo(10_850);
        assertThat(PaymentPlan.convert(10_850, "USD", "EUR")).isEqualTo(10_000);
        assertThat(PaymentPlan.convert(1, "EUR", "USD")).isEqualTo(1); // 1.085 cents
        assertThat(PaymentPlan.convert(100, "USD", "EUR")).isEqualTo(92); // 92.165...
        assertThat(PaymentPlan.percent(50, PaymentPlan.CARD_FEE_RATE)).isEqualTo(1); // 1.45
        assertThat(PaymentPlan.percent(250, PaymentPlan.SPLIT_COMMISSION_RATE)).isEqualTo(12); // 12.5: even
    }

    @Test
    void ids_are_valid_and_unique_transfers_and_transactions_apart() {
        assertThat(plan).flatExtracting(Payment::recordIds).doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(id).matches(RequestBody.ID));
        assertThat(plan).filteredOn(p -> p.kind().isTransaction()).extracting(Payment::id)
                .allSatisfy(id -> assertThat(id).startsWith("demo-t-x"));
        assertThat(plan).filteredOn(p -> !p.kind().isTransaction() && p.kind() != Kind.ATOMIC_BATCH)
                .extracting(Payment::id).allSatisfy(id -> assertThat(id).startsWith("demo-t-t"));
        assertThat(plan).filteredOn(p -> p.kind() == Kind.ATOMIC_BATCH).extracting(Payment::id)
                .allSatisfy(id -> assertThat(id).startsWith("demo-t-b").matches(RequestBody.ID));
        assertThat(plan).filteredOn(p -> p.kind() == Kind.PARTIAL_REFUND).extracting(Payment::reversalId)
                .allSatisfy(id -> assertThat(id).matches(RequestBody.ID));
        String longest = "a".repeat(41);
        assertThat(PaymentPlan.plan(SEED, 5_000, Accounts.of(longest, 200))).allSatisfy(p -> {
            assertThat(p.id()).matches(RequestBody.ID);
            p.recordIds().forEach(id -> assertThat(id).matches(RequestBody.ID));
            assertThat(p.reversalId()).matches(RequestBody.ID);
            p.accountIds().forEach(id -> assertThat(id).matches(RequestBody.ID));
        });
    }

    @Test
    void too_few_customers_for_a_split_payout_are_refused() {
        assertThatThrownBy(() -> PaymentPlan.plan(SEED, 10, Accounts.of("demo-t", 4)))
                .hasMessageContaining("at least 3 customers in each currency");
    }

    @Test
    void amounts_print_exactly_with_two_minor_digits() {
        assertThat(PaymentPlan.decimal(1)).isEqualTo("0.01");
        assertThat(PaymentPlan.decimal(123_456)).isEqualTo("1234.56");
    }
}
