package dev.ledger.domain.account;

public enum AccountStatus {
    OPEN,
    FROZEN,
    CLOSED
}
