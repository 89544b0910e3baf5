package dev.ledger.domain.money;

import java.util.Currency;
import java.util.regex.Pattern;

/**
 * An ISO 4217 currency and the number of digits of its minor unit (EUR 2, JPY 0, BHD 3).
 *
 * <p>Only currencies with a defined minor unit are accepted: metals and funds codes such as XAU or
 * XXX have none, so an amount in them cannot be held exactly in minor units.
 */
public record CurrencyUnit(String code, int minorDigits) {

    private static final Pattern CODE = Pattern.compile("[A-Z]{3}");

    public CurrencyUnit {
        if (code == null || !CODE.matcher(code).matches()) {
            throw new InvalidMoneyException("currency must be a three-letter ISO 4217 code such as \"EUR\", got " + quoted(code));
        }
        if (minorDigits < 0 || minorDigits > 4) {
            throw new InvalidMoneyException("currency " + code + " has no usable minor unit");
        }
    }

    /** Looks a code up in the ISO 4217 table that ships with the JDK. */
    public static CurrencyUnit of(String code) {
        if (code == null || !CODE.matcher(code).matches()) {
            throw new InvalidMoneyException("currency must be a three-letter ISO 4217 code such as \"EUR\", got " + quoted(code));
        }
        Currency currency;
        try {
            currency = Currency.getInstance(code);
        } catch (IllegalArgumentException unknown) {
            throw new InvalidMoneyException("currency " + code + " is not an ISO 4217 currency");
        }
        int digits = currency.getDefaultFractionDigits();
        if (digits < 0) {
            throw new InvalidMoneyException("currency " + code + " has no minor unit and cannot hold exact amounts");
        }
        return new CurrencyUnit(code, digits);
    }

    static String quoted(String text) {
        return text == null ? "nothing" : "\"" + text + "\"";
    }

    @Override
    public String toString() {
        return code;
    }
}
