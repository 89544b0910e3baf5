package dev.ledger.infra.demo;

import dev.ledger.domain.money.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * The demo's payments, decided up front from a seed: which kind each is, between which accounts,
 * for how much. The same seed gives the same plan; what the ledger answers may still differ
 * between runs, since the payments run concurrently and a debit's funds depend on the order.
 *
 * <p>Accounts: per currency, a funding account (unlimited overdraft: it is where money enters), a
 * fee account (the card fees and the marketplace's commission end there) and a liquidity account
 * (the exchange desk's side of a currency exchange, with a credit line); and customers split evenly
 * between the currencies, with no overdraft, so a payment larger than the customer's available
 * funds is refused ({@code insufficient_funds}).
 */
final class PaymentPlan {

    static final List<String> CURRENCIES = List.of("EUR", "USD");
    /** Both currencies have two minor digits. */
    static final int MINOR_DIGITS = 2;
    /** Holds outlive the demo: none may expire before it posts or voids them. */
    static final long HOLD_SECONDS = 3_600;
    /** A liquidity account may go this far below zero (its credit line), in minor units: 1,000,000.00. */
    static final long LIQUIDITY_CREDIT_LINE_MINOR = 100_000_000;
    /** The exchange rate, in USD per EUR, exactly: 1.0850. */
    static final BigDecimal USD_PER_EUR = new BigDecimal("1.0850");
    /** A card payment's fee: 2.9% of the amount (rounded half-even to a cent) plus 0.25. */
    static final BigDecimal CARD_FEE_RATE = new BigDecimal("0.029");
    static final long CARD_FEE_FIXED_MINOR = 25;
    /** The marketplace's commission on a split payout: 5% (rounded half-even to a cent). */
    static final BigDecimal SPLIT_COMMISSION_RATE = new BigDecimal("0.05");
    /** The fewest customers per currency the plan needs: a split payout pays two others than the buyer. */
    static final int MIN_CUSTOMERS_PER_CURRENCY = 3;
    /**
     * Shards of each funding account (issue 13): every deposit debits one, and the 16 clients send them
     * concurrently; an unlimited debit touches only the shard its transfer id picks.
     */
    static final int FUNDING_SHARDS = 16;

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
        CONFLICTING_RETRY,
        /** A 3-entry transaction: the customer pays, the merchant gets the amount less the fee, the fee account the fee. */
        CARD_PAYMENT,
        /** A transaction of one debit (the buyer) to 3-5 credits: 2-4 sellers and the marketplace's commission. */
        SPLIT_PAYOUT,
        /**
         * A transaction in two currencies, each balanced: the customer's debit in one currency to the
         * liquidity account of that currency, and the other currency's liquidity account's debit to the
         * same person's account in the other currency, at {@link #USD_PER_EUR}.
         */
        EXCHANGE,
        /** Customer -> customer, posted, then a part of it given back ({@code POST /transfers/{id}/reverse}). */
        PARTIAL_REFUND,
        /**
         * A settlement file as one atomic {@code POST /batches} (one per run): deposits to two customers
         * and a card payment by the first of them, which only the deposit before it in the same batch
         * pays for. All are recorded, or none.
         */
        ATOMIC_BATCH;

        /** Sent as one {@code POST /transactions}. */
        boolean isTransaction() {
            return this == CARD_PAYMENT || this == SPLIT_PAYOUT || this == EXCHANGE;
        }
    }

    /** One entry of a planned transaction, in minor units. */
    record Entry(String accountId, boolean debit, long amountMinor, String currency) {

        String direction() {
            return debit ? "debit" : "credit";
        }

        LedgerHttp.Entry toHttp() {
            return new LedgerHttp.Entry(accountId, direction(), decimal(amountMinor), currency);
        }
    }

    /**
     * One payment. A transfer kind has its accounts, currency and amount ({@code partialMinor}: what a
     * HOLD_THEN_POST posts, 0 for all of it; {@code refundMinor}: what a PARTIAL_REFUND gives back) and
     * no entries; a transaction kind has its {@code entries} and {@code metadata}, and no debit or
     * credit account, currency or amount of its own (null and 0); a batch has only its {@code items}
     * (transfer and transaction payments, each with an id of its own).
     *
     * @param id the transfer's id, the transaction's or the batch's
     */
    record Payment(int index, Kind kind, String id, String debitAccountId, String creditAccountId,
                   String currency, long amountMinor, long partialMinor, long refundMinor, List<Entry> entries,
                   Map<String, String> metadata, List<Payment> items) {

        Payment {
            entries = List.copyOf(entries);
            metadata = Map.copyOf(metadata);
            items = List.copyOf(items);
        }

        static Payment transfer(int index, Kind kind, String id, String debit, String credit, String currency,
                                long amountMinor, long partialMinor, long refundMinor) {
            return new Payment(index, kind, id, debit, credit, currency, amountMinor, partialMinor, refundMinor,
                    List.of(), Map.of(), List.of());
        }

        static Payment transaction(int index, Kind kind, String id, List<Entry> entries, Map<String, String> metadata) {
            return new Payment(index, kind, id, null, null, null, 0, 0, 0, entries, metadata, List.of());
        }

        static Payment batch(int index, String id, List<Payment> items) {
            return new Payment(index, Kind.ATOMIC_BATCH, id, null, null, null, 0, 0, 0, List.of(), Map.of(), items);
        }

        /** The ids of the transfers and transactions the payment records: a batch's items', or its own. */
        List<String> recordIds() {
            return kind == Kind.ATOMIC_BATCH ? items.stream().map(Payment::id).toList() : List.of(id);
        }

        String amount() {
            return decimal(amountMinor);
        }

        /** The id of a PARTIAL_REFUND's reversal. */
        String reversalId() {
            return id + "-refund";
        }

        /** The accounts the payment touches, in the order they first appear. */
        List<String> accountIds() {
            if (kind == Kind.ATOMIC_BATCH) {
                return items.stream().flatMap(item -> item.accountIds().stream()).distinct().toList();
            }
            if (!kind.isTransaction()) {
                return List.of(debitAccountId, creditAccountId);
            }
            return entries.stream().map(Entry::accountId).distinct().toList();
        }
    }

    /** The accounts of one run; ids carry the run's tag so runs on a shared emulator do not meet. */
    record Accounts(String tag, List<String> funding, List<String> fees, List<String> liquidity,
                    List<List<String>> customersByCurrency) {

        static Accounts of(String tag, int customers) {
            List<String> funding = new ArrayList<>();
            List<String> fees = new ArrayList<>();
            List<String> liquidity = new ArrayList<>();
            List<List<String>> byCurrency = new ArrayList<>();
            for (String currency : CURRENCIES) {
                String code = currency.toLowerCase(Locale.ROOT);
                funding.add(tag + "-funding-" + code);
                fees.add(tag + "-fees-" + code);
                liquidity.add(tag + "-liquidity-" + code);
                byCurrency.add(new ArrayList<>());
            }
            for (int i = 0; i < customers; i++) {
                int c = i % CURRENCIES.size();
                byCurrency.get(c).add(String.format(Locale.ROOT, "%s-%s-%03d", tag,
                        CURRENCIES.get(c).toLowerCase(Locale.ROOT), i));
            }
            return new Accounts(tag, List.copyOf(funding), List.copyOf(fees), List.copyOf(liquidity),
                    byCurrency.stream().map(List::copyOf).toList());
        }

        /** The ledger's own accounts (funding, fees, liquidity): every payment of their kind touches one. */
        List<String> house() {
            List<String> house = new ArrayList<>(funding);
            house.addAll(fees);
            house.addAll(liquidity);
            return house;
        }

        /**
         * The house accounts of one stream each (fees, liquidity), whose transactions the clients send one
         * at a time: a multi-leg transaction appends to the account's one stream, so sent concurrently they
         * only lose append races. The funding accounts are sharded instead ({@link #shards}).
         */
        List<String> unsharded() {
            List<String> unsharded = new ArrayList<>(fees);
            unsharded.addAll(liquidity);
            return unsharded;
        }

        /** The accounts opened with more than one shard: the funding accounts. */
        Set<String> sharded() {
            return all().stream().filter(account -> shards(account) > 1).collect(Collectors.toSet());
        }

        /** The shards the account is opened with: {@link #FUNDING_SHARDS} for a funding account, else 1. */
        int shards(String accountId) {
            return funding.contains(accountId) ? FUNDING_SHARDS : 1;
        }

        List<String> all() {
            List<String> all = house();
            customersByCurrency.forEach(all::addAll);
            return all;
        }

        String currencyOf(String accountId) {
            for (int c = 0; c < CURRENCIES.size(); c++) {
                if (funding.get(c).equals(accountId) || fees.get(c).equals(accountId)
                        || liquidity.get(c).equals(accountId) || customersByCurrency.get(c).contains(accountId)) {
                    return CURRENCIES.get(c);
                }
            }
            throw new IllegalArgumentException("not an account of this run: " + accountId);
        }

        /**
         * The overdraft limit the account is opened with, as the API takes it: null (unlimited) for a
         * funding account, the credit line for a liquidity account, none ("0.00") for the others.
         */
        String overdraftLimit(String accountId) {
            if (funding.contains(accountId)) {
                return null;
            }
            return liquidity.contains(accountId) ? decimal(LIQUIDITY_CREDIT_LINE_MINOR) : decimal(0);
        }
    }

    private PaymentPlan() {
    }

    /**
     * {@code payments} payments: first one deposit per customer (so that customers have funds to
     * move), then a seeded mix: 20% deposits, 28% transfers, 8% holds posted, 6% holds voided, 10%
     * retries with the same id, 2% conflicting retries, 8% card payments with a fee, 6% split
     * payouts, 6% currency exchanges and 6% transfers refunded in part; the first payment after the
     * deposits is the run's one atomic batch.
     *
     * @throws IllegalArgumentException with fewer than {@link #MIN_CUSTOMERS_PER_CURRENCY} customers in a currency
     */
    static List<Payment> plan(long seed, int payments, Accounts accounts) {
        for (List<String> pool : accounts.customersByCurrency()) {
            if (pool.size() < MIN_CUSTOMERS_PER_CURRENCY) {
                throw new IllegalArgumentException("the plan needs at least " + MIN_CUSTOMERS_PER_CURRENCY
                        + " customers in each currency");
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<String> customers = new ArrayList<>();
        accounts.customersByCurrency().forEach(customers::addAll);
        List<Payment> plan = new ArrayList<>(payments);
        for (int i = 0; i < payments; i++) {
            String id = accounts.tag() + "-t" + i;
            if (i < customers.size()) {
                String customer = customers.get(i);
                int c = CURRENCIES.indexOf(accounts.currencyOf(customer));
                plan.add(Payment.transfer(i, Kind.DEPOSIT, id, accounts.funding().get(c), customer, CURRENCIES.get(c),
                        random.nextLong(10_000, 100_001), 0, 0));
                continue;
            }
            if (i == customers.size()) {
                plan.add(atomicBatch(i, accounts, random));
                continue;
            }
            int roll = random.nextInt(100);
            Kind kind = roll < 20 ? Kind.DEPOSIT : roll < 48 ? Kind.TRANSFER : roll < 56 ? Kind.HOLD_THEN_POST
                    : roll < 62 ? Kind.HOLD_THEN_VOID : roll < 72 ? Kind.RETRY_SAME_ID
                    : roll < 74 ? Kind.CONFLICTING_RETRY : roll < 82 ? Kind.CARD_PAYMENT
                    : roll < 88 ? Kind.SPLIT_PAYOUT : roll < 94 ? Kind.EXCHANGE : Kind.PARTIAL_REFUND;
            int c = random.nextInt(CURRENCIES.size());
            String transactionId = accounts.tag() + "-x" + i;
            switch (kind) {
                case CARD_PAYMENT -> plan.add(cardPayment(i, transactionId, c, accounts, random));
                case SPLIT_PAYOUT -> plan.add(splitPayout(i, transactionId, c, accounts, random));
                case EXCHANGE -> plan.add(exchange(i, transactionId, c, accounts, random));
                default -> plan.add(transfer(i, kind, id, c, accounts, random));
            }
        }
        return List.copyOf(plan);
    }

    private static Payment transfer(int index, Kind kind, String id, int c, Accounts accounts,
                                    SplittableRandom random) {
        List<String> pool = accounts.customersByCurrency().get(c);
        String credit = pool.get(random.nextInt(pool.size()));
        String debit;
        long amount;
        if (kind == Kind.DEPOSIT) {
            debit = accounts.funding().get(c);
            amount = random.nextLong(5_000, 50_001);
        } else {
            debit = otherThan(pool, List.of(credit), random);
            amount = random.nextLong(100, 60_001);
        }
        long partial = kind == Kind.HOLD_THEN_POST && random.nextBoolean() ? Math.max(1, amount / 2) : 0;
        // A refund gives back 10% to 90% of what was paid: always something, never all of it.
        long refund = kind == Kind.PARTIAL_REFUND ? Math.max(1, amount * random.nextInt(10, 91) / 100) : 0;
        return Payment.transfer(index, kind, id, debit, credit, CURRENCIES.get(c), amount, partial, refund);
    }

    /** The customer pays the amount; the merchant (another customer) gets it less the fee; the fee account the fee. */
    private static Payment cardPayment(int index, String id, int c, Accounts accounts, SplittableRandom random) {
        List<String> pool = accounts.customersByCurrency().get(c);
        String customer = pool.get(random.nextInt(pool.size()));
        return cardPayment(index, id, c, customer, random.nextLong(500, 60_001), accounts, random);
    }

    private static Payment cardPayment(int index, String id, int c, String customer, long amount, Accounts accounts,
                                       SplittableRandom random) {
        List<String> pool = accounts.customersByCurrency().get(c);
        String currency = CURRENCIES.get(c);
        String merchant = otherThan(pool, List.of(customer), random);
        long fee = percent(amount, CARD_FEE_RATE) + CARD_FEE_FIXED_MINOR;
        return Payment.transaction(index, Kind.CARD_PAYMENT, id, List.of(
                new Entry(customer, true, amount, currency),
                new Entry(merchant, false, amount - fee, currency),
                new Entry(accounts.fees().get(c), false, fee, currency)), Map.of("flow", "card payment"));
    }

    /**
     * A settlement file: deposits to two customers of one currency, then a card payment by the first
     * for part of its deposit, so that the batch is accepted whatever the customers had before it.
     * Item ids are the batch's index with the item's position, transfers {@code -t}, transactions {@code -x}.
     */
    private static Payment atomicBatch(int index, Accounts accounts, SplittableRandom random) {
        int c = random.nextInt(CURRENCIES.size());
        List<String> pool = accounts.customersByCurrency().get(c);
        String first = pool.get(random.nextInt(pool.size()));
        String second = otherThan(pool, List.of(first), random);
        String prefix = accounts.tag() + "-";
        long deposit = random.nextLong(50_000, 100_001);
        List<Payment> items = List.of(
                Payment.transfer(index, Kind.DEPOSIT, prefix + "t" + index + "-0", accounts.funding().get(c), first,
                        CURRENCIES.get(c), deposit, 0, 0),
                Payment.transfer(index, Kind.DEPOSIT, prefix + "t" + index + "-1", accounts.funding().get(c), second,
                        CURRENCIES.get(c), random.nextLong(50_000, 100_001), 0, 0),
                cardPayment(index, prefix + "x" + index + "-2", c, first, deposit / 2, accounts, random));
        return Payment.batch(index, prefix + "b" + index, items);
    }

    /** The buyer pays once; 2 to 4 sellers get their shares, and the fee account the marketplace's commission. */
    private static Payment splitPayout(int index, String id, int c, Accounts accounts, SplittableRandom random) {
        List<String> pool = accounts.customersByCurrency().get(c);
        String currency = CURRENCIES.get(c);
        String buyer = pool.get(random.nextInt(pool.size()));
        int sellers = Math.min(random.nextInt(2, 5), pool.size() - 1);
        long amount = random.nextLong(1_000, 60_001);
        long commission = Math.max(1, percent(amount, SPLIT_COMMISSION_RATE));
        long toSellers = amount - commission;
        List<String> taken = new ArrayList<>(List.of(buyer));
        long[] weights = new long[sellers];
        long weightSum = 0;
        for (int s = 0; s < sellers; s++) {
            weights[s] = random.nextLong(1, 101);
            weightSum += weights[s];
        }
        List<Entry> entries = new ArrayList<>();
        entries.add(new Entry(buyer, true, amount, currency));
        long paid = 0;
        for (int s = 0; s < sellers; s++) {
            String seller = otherThan(pool, taken, random);
            taken.add(seller);
            // Each share by its weight, rounded down; the last seller gets what is left, so the sum is exact.
            long share = s < sellers - 1 ? Math.max(1, toSellers * weights[s] / weightSum) : toSellers - paid;
            paid += share;
            entries.add(new Entry(seller, false, share, currency));
        }
        entries.add(new Entry(accounts.fees().get(c), false, commission, currency));
        return Payment.transaction(index, Kind.SPLIT_PAYOUT, id, entries, Map.of("flow", "split payout"));
    }

    /**
     * Money from a customer's account in one currency to a customer's account in the other (as a
     * person's two accounts would be): two balanced pairs of entries, one per currency, through the
     * liquidity accounts, which take the one currency and give the other.
     */
    private static Payment exchange(int index, String id, int from, Accounts accounts, SplittableRandom random) {
        int to = 1 - from;
        List<String> sources = accounts.customersByCurrency().get(from);
        List<String> targets = accounts.customersByCurrency().get(to);
        String source = sources.get(random.nextInt(sources.size()));
        String target = targets.get(random.nextInt(targets.size()));
        long sold = random.nextLong(100, 60_001);
        long bought = convert(sold, CURRENCIES.get(from), CURRENCIES.get(to));
        return Payment.transaction(index, Kind.EXCHANGE, id, List.of(
                new Entry(source, true, sold, CURRENCIES.get(from)),
                new Entry(accounts.liquidity().get(from), false, sold, CURRENCIES.get(from)),
                new Entry(accounts.liquidity().get(to), true, bought, CURRENCIES.get(to)),
                new Entry(target, false, bought, CURRENCIES.get(to))),
                Map.of("flow", "currency exchange", "rate", USD_PER_EUR.toPlainString() + " USD per EUR"));
    }

    /** {@code minor} units of {@code from} in {@code to} at {@link #USD_PER_EUR}, rounded half-even to a minor unit. */
    static long convert(long minor, String from, String to) {
        if (from.equals(to)) {
            return minor;
        }
        BigDecimal amount = BigDecimal.valueOf(minor);
        BigDecimal converted = from.equals("EUR") ? amount.multiply(USD_PER_EUR)
                : amount.divide(USD_PER_EUR, 0, RoundingMode.HALF_EVEN);
        return converted.setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    /** {@code rate} of {@code minor} units, rounded half-even to a minor unit. */
    static long percent(long minor, BigDecimal rate) {
        return BigDecimal.valueOf(minor).multiply(rate).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    /** A random account of the pool that is not one of {@code taken} (a few, and the pool has more accounts than that). */
    private static String otherThan(List<String> pool, List<String> taken, SplittableRandom random) {
        String account;
        do {
            account = pool.get(random.nextInt(pool.size()));
        } while (taken.contains(account));
        return account;
    }

    static String decimal(long minorUnits) {
        return Money.toDecimalString(minorUnits, MINOR_DIGITS);
    }
}
