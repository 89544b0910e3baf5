package dev.ledger.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.OverdraftLimit;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The small parsers in front of every route, on the inputs the hostile corpus found them wrong on. */
class RequestInputParsingTest {

    @Test
    void aBearerTokenIsTheSchemeSpacesAndB64tokenCharactersOnly() {
        assertThat(ApiTokens.bearerToken("Bearer pay-token-1")).contains("pay-token-1");
        assertThat(ApiTokens.bearerToken("bearer  abc/+~._-123==")).contains("abc/+~._-123==");
        assertThat(ApiTokens.bearerToken(" Bearer pay-token-1\t")).contains("pay-token-1");

        assertThat(ApiTokens.bearerToken("Bearer pay-token-1\u0000")).isEmpty();
        assertThat(ApiTokens.bearerToken("Bearer pay-token-1\u001f")).isEmpty();
        assertThat(ApiTokens.bearerToken("Bearer pay-t\u043eken-1")).isEmpty();
        assertThat(ApiTokens.bearerToken("Bearer\tpay-token-1")).isEmpty();
        assertThat(ApiTokens.bearerToken("Bearer a b")).isEmpty();
        assertThat(ApiTokens.bearerToken("Bearer a,Bearer b")).isEmpty();
        assertThat(ApiTokens.bearerToken("Bearer ")).isEmpty();
        assertThat(ApiTokens.bearerToken(null)).isEmpty();
    }

    @Test
    void percentEscapesTakeAsciiHexDigitsOnly() {
        assertThat(PathSegments.decode("%61lice")).isEqualTo("alice");
        assertThat(PathSegments.decode("%6Clice%2e")).isEqualTo("llice.");

        // A fullwidth 6 and 1 are digits to Character.digit, and would decode to 'a'.
        assertThatThrownBy(() -> PathSegments.decode("%\uFF16\uFF11lice")).isInstanceOf(ApiException.class)
                .hasMessage("the path has a broken percent-escape");
        assertThatThrownBy(() -> PathSegments.decode("%41\uD800")).isInstanceOf(ApiException.class)
                .hasMessage("ids are ASCII; the path has the character U+D800");
        assertThatThrownBy(() -> PathSegments.decode("%41\uD83D\uDCB8")).isInstanceOf(ApiException.class)
                .hasMessage("ids are ASCII; the path has the character U+1F4B8");
    }

    @Test
    void anEchoedValueHasItsInvisibleAndReorderingCharactersEscaped() {
        assertThat(RequestBody.printable("\u202Ebob\u200F")).isEqualTo("\\u202ebob\\u200f");
        assertThat(RequestBody.printable("t\uD800x\uFEFF")).isEqualTo("t\\ud800x\\ufeff");
        assertThat(RequestBody.printable("a\u2028b\u0000")).isEqualTo("a\\u2028b\\u0000");
        // Visible text stays as it is, a pair of surrogates included.
        assertThat(RequestBody.printable("tr\u00e4nsfer \uD83D\uDCB8")).isEqualTo("tr\u00e4nsfer \uD83D\uDCB8");
    }

    @Test
    void anOverdraftLimitAboveTheMaximumIsRefusedWithTheMaximumInTheCurrency() {
        CurrencyUnit eur = CurrencyUnit.of("EUR");
        for (String tooLarge : List.of("92233720368547758.00", "92233720368547758.07", "92233720368547758.08",
                "10000000000000000.01")) {
            RequestBody body = RequestBody.parse("{\"overdraftLimit\":\"" + tooLarge + "\"}", Set.of("overdraftLimit"));
            assertThatThrownBy(() -> body.overdraftLimit("overdraftLimit", eur)).isInstanceOf(ApiException.class)
                    .hasMessage("field 'overdraftLimit': overdraft limit " + tooLarge + " EUR is larger than the"
                            + " largest overdraft limit an account can have, 10000000000000000.00 EUR");
        }
        RequestBody yen = RequestBody.parse("{\"overdraftLimit\":\"1000000000000000001\"}", Set.of("overdraftLimit"));
        assertThatThrownBy(() -> yen.overdraftLimit("overdraftLimit", CurrencyUnit.of("JPY")))
                .hasMessageEndingWith(", 1000000000000000000 JPY");
        RequestBody huge = RequestBody.parse("{\"overdraftLimit\":\"1" + "0".repeat(60) + "\"}", Set.of("overdraftLimit"));
        assertThatThrownBy(() -> huge.overdraftLimit("overdraftLimit", eur))
                .hasMessageEndingWith("; the largest is 10000000000000000.00 EUR");

        assertThat(RequestBody.parse("{\"overdraftLimit\":\"10000000000000000.00\"}", Set.of("overdraftLimit"))
                .overdraftLimit("overdraftLimit", eur)).isEqualTo(OverdraftLimit.of(OverdraftLimit.MAX_MINOR_UNITS));
        assertThat(RequestBody.parse("{\"overdraftLimit\":null}", Set.of("overdraftLimit"))
                .overdraftLimit("overdraftLimit", eur)).isEqualTo(OverdraftLimit.UNLIMITED);
        assertThat(RequestBody.parse("{}", Set.of("overdraftLimit")).overdraftLimit("overdraftLimit", eur))
                .isEqualTo(OverdraftLimit.NONE);
    }

    @Test
    void invalidJsonIsReportedByPositionWithoutTheParsersOwnWords() {
        assertThatThrownBy(() -> RequestBody.parse("{\"a\":1}{}", Set.of("a"))).isInstanceOf(ApiException.class)
                .hasMessage("the request body is not valid JSON (line 1, column 8)");
        assertThatThrownBy(() -> RequestBody.parse("{\"a\":NaN}", Set.of("a"))).isInstanceOf(ApiException.class)
                .hasMessage("the request body is not valid JSON (line 1, column 9)");
        assertThatThrownBy(() -> RequestBody.parse("{\n\"a\":", Set.of("a"))).isInstanceOf(ApiException.class)
                .hasMessageStartingWith("the request body is not valid JSON (line 2,");
    }
}
