package dev.ledger.infra.demo;

import dev.ledger.domain.money.Money;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The demo's payments, decided up front from a seed: which kind each is, between which accounts,
 * for how much. The same seed gives the same plan; what the ledger answers may still differ
 * between runs, since the payments run concurrently and a debit's funds depend on the order.
 *
 * <p>Accounts: one funding account per currency (unlimited overdraft: it is where money enters)
 * and customers split evenly between the currencies, with no overdraft, so a payment larger than
 * the customer's available funds is refused ({@code insufficient_funds}).
 */
final class PaymentPlan {

    static final List<String> CURRENCIES = List.of("EUR", "USD");
    /** Both currencies have two minor digits. */
    static final int MINOR_DIGITS = 2;
    /** Holds outlive the demo: none may expire before it posts or voids them. */
    static final long HOLD_SECONDS = 3_600;

    enum Kind {
        /** Funding account -> customer, posted. */
        DEPOSIT,
        /** Customer -> customer, posted. */
        TRANSFER,
        /** Customer -> customer as a hold, then posted (in full or in part). */
        HOLD_THEN_POST,
        /** Customer -> customer as a hold, then voided. */
        HOLD_THEN_VOID,
        /** A posted transfer sent twice with the same transfer id, as a client does after a timeout. */
        RETRY_SAME_ID,
        /** The same transfer id again with another amount: refused ({@code idempotency_conflict}). */
        CONFLICTING_RETRY
    }

    /** One payment; {@code partialMinor} is the amount a HOLD_THEN_POST posts, 0 for all of it. */
    record Payment(int index, Kind kind, String transferId, String debitAccountId, String creditAccountId,
                   String currency, long amountMinor, long partialMinor) {

        String amount() {
            return decimal(amountMinor);
        }

        boolean posted() {
            return kind == Kind.DEPOSIT || kind == Kind.TRANSFER || kind == Kind.RETRY_SAME_ID
                    || kind == Kind.CONFLICTING_RETRY;
        }
    }

    /** The accounts of one run; ids carry the run's tag so runs on a shared emulator do not meet. */
    record Accounts(String tag, List<String> funding, List<List<String>> customersByCurrency) {

        static Accounts of(String tag, int customers) {
            List<String> funding = new ArrayList<>();
            List<List<String>> byCurrency = new ArrayList<>();
            for (String currency : CURRENCIES) {
                funding.add(tag + "-funding-" + currency.toLowerCase(Locale.ROOT));
                byCurrency.add(new ArrayList<>());
            }
            for (int i = 0; i < customers; i++) {
                int c = i % CURRENCIES.size();
                byCurrency.get(c).add(String.format(Locale.ROOT, "%s-%s-%03d", tag,
                        CURRENCIES.get(c).toLowerCase(Locale.ROOT), i));
            }
            return new Accounts(tag, List.copyOf(funding), byCurrency.stream().map(List::copyOf).toList());
        }

        List<String> all() {
            List<String> all = new ArrayList<>(funding);
            customersByCurrency.forEach(all::addAll);
            return all;
        }

        String currencyOf(String accountId) {
            for (int c = 0; c < CURRENCIES.size(); c++) {
                if (funding.get(c).equals(accountId) || customersByCurrency.get(c).contains(accountId)) {
                    return CURRENCIES.get(c);
                }
            }
            throw new IllegalArgumentException("not an account of this run: " + accountId);
        }
    }

    private PaymentPlan() {
    }

    /**
     * {@code payments} payments: first one deposit per customer (so that customers have funds to
     * move), then a seeded mix: 25% deposits, 40% transfers, 10% holds posted, 8% holds voided,
     * 15% retries with the same id, 2% conflicting retries.
     */
    static List<Payment> plan(long seed, int payments, Accounts accounts) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> customers = new ArrayList<>();
        accounts.customersByCurrency().forEach(customers::addAll);
        List<Payment> plan = new ArrayList<>(payments);
        for (int i = 0; i < payments; i++) {
            String id = accounts.tag() + "-t" + i;
            if (i < customers.size()) {
                String customer = customers.get(i);
                int c = CURRENCIES.indexOf(accounts.currencyOf(customer));
                plan.add(new Payment(i, Kind.DEPOSIT, id, accounts.funding().get(c), customer, CURRENCIES.get(c),
                        random.nextLong(10_000, 100_001), 0));
                continue;
            }
            int roll = random.nextInt(100);
            Kind kind = roll < 25 ? Kind.DEPOSIT : roll < 65 ? Kind.TRANSFER : roll < 75 ? Kind.HOLD_THEN_POST
                    : roll < 83 ? Kind.HOLD_THEN_VOID : roll < 98 ? Kind.RETRY_SAME_ID : Kind.CONFLICTING_RETRY;
            int c = random.nextInt(CURRENCIES.size());
            List<String> pool = accounts.customersByCurrency().get(c);
            String credit = pool.get(random.nextInt(pool.size()));
            String debit;
            long amount;
            if (kind == Kind.DEPOSIT) {
                debit = accounts.funding().get(c);
                amount = random.nextLong(5_000, 50_001);
            } else {
                do {
                    debit = pool.get(random.nextInt(pool.size()));
                } while (debit.equals(credit));
                amount = random.nextLong(100, 60_001);
            }
            long partial = kind == Kind.HOLD_THEN_POST && random.nextBoolean() ? Math.max(1, amount / 2) : 0;
            plan.add(new Payment(i, kind, id, debit, credit, CURRENCIES.get(c), amount, partial));
        }
        return List.copyOf(plan);
    }

    static String decimal(long minorUnits) {
        return Money.toDecimalString(minorUnits, MINOR_DIGITS);
    }
}
