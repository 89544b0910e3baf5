package dev.ledger.domain.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MoneyTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final CurrencyUnit JPY = CurrencyUnit.of("JPY");
    private static final CurrencyUnit BHD = CurrencyUnit.of("BHD");

    @Test
    void currenciesKnowTheirMinorUnitDigits() {
        assertThat(EUR.minorDigits()).isEqualTo(2);
        assertThat(JPY.minorDigits()).isZero();
        assertThat(BHD.minorDigits()).isEqualTo(3);
    }

    @ParameterizedTest
    @CsvSource({
        "EUR, 10.00, 1000", "EUR, 10, 1000", "EUR, 0.5, 50", "EUR, 0, 0",
        "JPY, 1500, 1500", "BHD, 1.005, 1005", "EUR, 92233720368547758.07, 9223372036854775807"})
    void decimalStringsParseToExactMinorUnits(String currency, String text, long minorUnits) {
        assertThat(Money.parse(text, CurrencyUnit.of(currency)).minorUnits()).isEqualTo(minorUnits);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "EUR | 1.005                 | EUR allows at most 2 decimal places",
        "JPY | 10.5                  | JPY allows at most 0 decimal places",
        "EUR | -1.00                 | must not be negative",
        "EUR | -0                    | must not be negative",
        "EUR | 1e3                   | plain decimal string",
        "EUR | 007                   | plain decimal string",
        "EUR | 1,000.00              | plain decimal string",
        "EUR | .5                    | plain decimal string",
        "EUR | 10.                   | plain decimal string",
        "EUR | ' 1.00'               | plain decimal string",
        "EUR | 92233720368547758.08  | larger than the largest amount"})
    void malformedOrUnrepresentableAmountsAreRefusedWithAPreciseMessage(String currency, String text, String why) {
        assertThatThrownBy(() -> Money.parse(text, CurrencyUnit.of(currency)))
                .isInstanceOf(InvalidMoneyException.class)
                .hasMessageContaining(why);
    }

    @Test
    void aTransferAmountMustBeGreaterThanZero() {
        assertThatThrownBy(() -> Money.parsePositive("0.00", EUR)).hasMessageContaining("greater than zero");
    }

    @ParameterizedTest
    @CsvSource({"XYZ, not an ISO 4217 currency", "eur, three-letter", "XAU, no minor unit", "EURO, three-letter"})
    void unknownCurrenciesAreRefused(String code, String why) {
        assertThatThrownBy(() -> CurrencyUnit.of(code)).isInstanceOf(InvalidMoneyException.class)
                .hasMessageContaining(why);
    }

    @Test
    void arithmeticOverflowIsAnErrorNeverAWrap() {
        Money max = Money.of(Long.MAX_VALUE, EUR);
        assertThatThrownBy(() -> max.plus(Money.of(1, EUR))).isInstanceOf(ArithmeticException.class);
    }

    @ParameterizedTest
    @CsvSource({"1000, EUR, 10.00", "-5, EUR, -0.05", "1500, JPY, 1500", "1, BHD, 0.001",
        "-9223372036854775808, EUR, -92233720368547758.08"})
    void amountsPrintWithAllTheCurrencysDecimalPlaces(long minorUnits, String currency, String text) {
        assertThat(Money.of(minorUnits, CurrencyUnit.of(currency)).toDecimalString()).isEqualTo(text);
    }
}
