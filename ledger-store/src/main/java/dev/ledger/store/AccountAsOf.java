package dev.ledger.store;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;

/**
 * An account as it stood at a point of its stream, folded from the stored events themselves (never
 * from a snapshot or a projection): the read API's balance as of an instant and the replay tool's
 * {@code state} both fold here.
 *
 * @param version the last version folded
 */
public record AccountAsOf(AccountState state, long version) {

    /** Every event recorded at or before {@code asOf}; empty if the account did not exist yet. */
    public static Optional<AccountAsOf> fold(Iterator<StoredEvent> events, Instant asOf) {
        return fold(events, asOf, null, null);
    }

    /**
     * Every event recorded at or before {@code asOf} and up to version {@code upToVersion} (either null:
     * no such bound). With a {@code chain}, each event in reach must also chain on: the fold stops
     * before the first that does not, and the cursor says where and why.
     *
     * @param chain null to fold without checking the hash chain
     * @return empty if no event is in reach
     */
    public static Optional<AccountAsOf> fold(Iterator<StoredEvent> events, Instant asOf, Long upToVersion,
                                             HashChainCursor chain) {
        AccountState state = null;
        long version = 0;
        while (events.hasNext()) {
            StoredEvent event = events.next();
            if (asOf != null && event.recordedAt().isAfter(asOf)
                    || upToVersion != null && event.version() > upToVersion) {
                break;
            }
            if (chain != null && !chain.accept(event)) {
                break;
            }
            state = AccountState.evolve(Optional.ofNullable(state), (AccountEvent) event.event());
            version = event.version();
        }
        return state == null ? Optional.empty() : Optional.of(new AccountAsOf(state, version));
    }
}
