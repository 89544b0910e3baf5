package dev.ledger.http;

import java.util.Locale;

/** Who may do what: payments move money, auditors read, operators replay and administer. */
public enum Role {
    PAYMENTS,
    AUDITOR,
    OPERATOR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromLabel(String label) {
        for (Role role : values()) {
            if (role.label().equals(label)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + label + "'; roles are payments, auditor, operator");
    }
}
