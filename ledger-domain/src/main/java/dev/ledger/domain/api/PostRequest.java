package dev.ledger.domain.api;

import dev.ledger.domain.money.Money;

/**
 * What the command that posted a hold asked for: the whole hold (no amount given) or an amount. It is
 * recorded with the post, so that the same post sent again (a client whose answer was lost) is
 * recognised as the same request, and any other post is not.
 *
 * @param amount the amount asked for; null when the post named none (the whole hold)
 */
public record PostRequest(Money amount) {

    private static final PostRequest WHOLE = new PostRequest(null);

    /** A post that named no amount: the whole hold. */
    public static PostRequest whole() {
        return WHOLE;
    }

    /** {@code amount} null is {@link #whole()}. */
    public static PostRequest of(Money amount) {
        return amount == null ? WHOLE : new PostRequest(amount);
    }

    public boolean isWhole() {
        return amount == null;
    }

    @Override
    public String toString() {
        return isWhole() ? "no amount (the whole hold)" : amount.toString();
    }
}
