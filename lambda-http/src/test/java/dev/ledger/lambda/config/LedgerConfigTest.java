package dev.ledger.lambda.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings read from the environment: a value the functions cannot use stops them at start, naming the setting. */
class LedgerConfigTest {

    @Test
    void theRetryBudgetIsWholeMillisecondsUpToTenSeconds() {
        assertThat(LedgerConfig.retryBudget("2000")).isEqualTo(Duration.ofSeconds(2));
        assertThat(LedgerConfig.retryBudget(" 0 ")).isEqualTo(Duration.ZERO);
        assertThat(LedgerConfig.retryBudget("10000")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aRetryBudgetOutOfRangeOrNotANumberIsRefusedByName() {
        for (String wrong : new String[] {"-1", "10001", "2s", "1.5", "99999999999999999999"}) {
            assertThatThrownBy(() -> LedgerConfig.retryBudget(wrong)).as(wrong)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(LedgerConfig.RETRY_BUDGET_MS)
                    .hasMessageContaining("from 0 to 10000");
        }
    }

    @Test
    void theEffectiveDateWindowIsWholeDaysUpToTenYearsFiveWeeksByDefault() {
        assertThat(LedgerConfig.effectiveWindow("35")).isEqualTo(Duration.ofDays(35));
        assertThat(LedgerConfig.effectiveWindow(" 0 ")).isEqualTo(Duration.ZERO);
        assertThat(LedgerConfig.effectiveWindow("3660")).isEqualTo(Duration.ofDays(3660));
        assertThat(LedgerConfig.DEFAULT_EFFECTIVE_WINDOW).isEqualTo(Duration.ofDays(35));
    }

    @Test
    void anEffectiveDateWindowOutOfRangeOrNotANumberIsRefusedByName() {
        for (String wrong : new String[] {"-1", "3661", "35d", "1.5", "99999999999999999999"}) {
            assertThatThrownBy(() -> LedgerConfig.effectiveWindow(wrong)).as(wrong)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(LedgerConfig.EFFECTIVE_WINDOW_DAYS)
                    .hasMessageContaining("from 0 to 3660");
        }
    }

    @Test
    void theTokenCacheIsWholeSecondsFromOneToFifteenMinutesTwoByDefault() {
        assertThat(LedgerConfig.apiTokenCache("120")).isEqualTo(Duration.ofMinutes(2));
        assertThat(LedgerConfig.apiTokenCache(" 1 ")).isEqualTo(Duration.ofSeconds(1));
        assertThat(LedgerConfig.apiTokenCache("900")).isEqualTo(Duration.ofMinutes(15));
        assertThat(LedgerConfig.DEFAULT_API_TOKEN_CACHE).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void aTokenCacheOfNoTimeTooLongOrNotANumberIsRefusedByName() {
        for (String wrong : new String[] {"0", "-5", "901", "2m", "99999999999999999999"}) {
            assertThatThrownBy(() -> LedgerConfig.apiTokenCache(wrong)).as(wrong)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(LedgerConfig.API_TOKEN_CACHE_SECONDS)
                    .hasMessageContaining("from 1 to 900");
        }
    }
}
