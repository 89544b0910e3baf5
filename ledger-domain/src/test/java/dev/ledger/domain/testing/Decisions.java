package dev.ledger.domain.testing;

import dev.ledger.domain.Decision;
import dev.ledger.domain.RejectionCode;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;

/** Hamcrest matchers for command results, so fixture tests read as sentences. */
public final class Decisions {

    private Decisions() {
    }

    /** A refusal with this code and a non-blank message for a person. */
    public static Matcher<Decision> rejectedWith(RejectionCode code) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(Decision decision) {
                return decision instanceof Decision.Rejected rejected
                        && rejected.rejection().code() == code
                        && !rejected.rejection().message().isBlank();
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("a rejection with code " + code.code());
            }
        };
    }

    public static Matcher<Decision> accepted() {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(Decision decision) {
                return decision.isAccepted();
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("an accepted decision");
            }
        };
    }

    /** The same command completed this before: nothing to write, answered as the first time. */
    public static Matcher<Decision> alreadyApplied() {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(Decision decision) {
                return decision instanceof Decision.AlreadyApplied;
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("a decision that the command was applied before");
            }
        };
    }
}
