package dev.ledger.domain.money;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An exact amount of one currency, in minor units (cents for EUR, yen for JPY, fils for BHD).
 *
 * <p>Arithmetic never wraps: an overflow throws {@link ArithmeticException}. Amounts cross the API
 * only as decimal strings ("10.00"), parsed strictly by {@link #parse}.
 */
public record Money(CurrencyUnit currency, long minorUnits) {

    // Digits, an optional fraction; no sign, exponent, grouping or leading zeros ("007").
    private static final Pattern DECIMAL = Pattern.compile("(0|[1-9][0-9]*)(?:\\.([0-9]+))?");

    public Money {
        if (currency == null) {
            throw new InvalidMoneyException("an amount needs a currency");
        }
    }

    public static Money of(long minorUnits, CurrencyUnit currency) {
        return new Money(currency, minorUnits);
    }

    public static Money zero(CurrencyUnit currency) {
        return new Money(currency, 0);
    }

    /**
     * Parses a non-negative decimal string such as "10.00" or "10" into minor units of the currency.
     *
     * @throws InvalidMoneyException naming what is wrong: not a plain decimal, negative, more
     *     decimal places than the currency has, or larger than the largest representable amount
     */
    public static Money parse(String text, CurrencyUnit currency) {
        return parse(text, currency, Long.MAX_VALUE, "amount", null);
    }

    /**
     * As {@link #parse}, but refuses more than {@code maximum} minor units: the sentence then names
     * {@code what} and the maximum in the currency's decimal form ("overdraft limit 92233720368547758.00
     * EUR is larger than the largest overdraft limit an account can have, 10000000000000000.00 EUR").
     *
     * @param largest what the maximum is, in words; null for the largest amount the ledger can hold
     */
    static Money parse(String text, CurrencyUnit currency, long maximum, String what, String largest) {
        if (text == null || text.isEmpty()) {
            throw new InvalidMoneyException(what + " is missing; give it as a decimal string such as \"10.00\"");
        }
        if (text.length() > 40) {
            throw new InvalidMoneyException(what + " is too long to be a valid amount"
                    + (largest == null ? "" : "; the largest is " + Money.of(maximum, currency)));
        }
        if (text.startsWith("-")) {
            throw new InvalidMoneyException(what + " must not be negative, got " + CurrencyUnit.quoted(text));
        }
        Matcher m = DECIMAL.matcher(text);
        if (!m.matches()) {
            throw new InvalidMoneyException(what + " must be a plain decimal string such as \"10.00\""
                    + " (no sign, exponent, spaces or leading zeros), got " + CurrencyUnit.quoted(text));
        }
        String whole = m.group(1);
        String fraction = m.group(2) == null ? "" : m.group(2);
        if (fraction.length() > currency.minorDigits()) {
            throw new InvalidMoneyException(currency.code() + " allows at most " + currency.minorDigits()
                    + " decimal place" + (currency.minorDigits() == 1 ? "" : "s") + ", got "
                    + CurrencyUnit.quoted(text));
        }
        String padded = fraction + "0".repeat(currency.minorDigits() - fraction.length());
        String digits = (whole + padded).replaceFirst("^0+(?=.)", "");
        // Long.MAX_VALUE has 19 digits; anything longer, or longer-equal and larger, overflows.
        if (digits.length() > 19 || (digits.length() == 19 && digits.compareTo(Long.toString(Long.MAX_VALUE)) > 0)
                || Long.parseLong(digits) > maximum) {
            throw new InvalidMoneyException(what + " " + text + " " + currency.code() + " is larger than "
                    + (largest == null ? "the largest amount the ledger can hold"
                    : largest + ", " + Money.of(maximum, currency)));
        }
        return new Money(currency, Long.parseLong(digits));
    }

    /** Parses an amount that must be greater than zero, as every transfer amount must be. */
    public static Money parsePositive(String text, CurrencyUnit currency) {
        Money money = parse(text, currency);
        if (money.minorUnits == 0) {
            throw new InvalidMoneyException("amount must be greater than zero, got " + CurrencyUnit.quoted(text));
        }
        return money;
    }

    public boolean isPositive() {
        return minorUnits > 0;
    }

    public Money plus(Money other) {
        requireSameCurrency(other);
        return new Money(currency, Math.addExact(minorUnits, other.minorUnits));
    }

    public Money minus(Money other) {
        requireSameCurrency(other);
        return new Money(currency, Math.subtractExact(minorUnits, other.minorUnits));
    }

    public boolean isGreaterThan(Money other) {
        requireSameCurrency(other);
        return minorUnits > other.minorUnits;
    }

    /** The exact decimal form with all of the currency's decimal places: "10.00", "-0.05", "1500". */
    public String toDecimalString() {
        return toDecimalString(minorUnits, currency.minorDigits());
    }

    public static String toDecimalString(long minorUnits, int minorDigits) {
        String sign = minorUnits < 0 ? "-" : "";
        // Long.MIN_VALUE has no positive counterpart; its digits are taken from the string form.
        String digits = Long.toString(minorUnits).replace("-", "");
        if (minorDigits == 0) {
            return sign + digits;
        }
        if (digits.length() <= minorDigits) {
            digits = "0".repeat(minorDigits - digits.length() + 1) + digits;
        }
        int point = digits.length() - minorDigits;
        return sign + digits.substring(0, point) + "." + digits.substring(point);
    }

    private void requireSameCurrency(Money other) {
        if (!currency.equals(other.currency)) {
            throw new IllegalArgumentException("cannot combine " + currency + " with " + other.currency);
        }
    }

    @Override
    public String toString() {
        return toDecimalString() + " " + currency.code();
    }
}
