package dev.ledger.functions.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Percent-decoding of one path segment (API Gateway's rawPath is not decoded). */
public final class PathSegments {

    private PathSegments() {
    }

    public static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    throw ApiException.invalid("the path has a broken percent-escape");
                }
                int high = Character.digit(segment.charAt(i + 1), 16);
                int low = Character.digit(segment.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw ApiException.invalid("the path has a broken percent-escape");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else if (c > 0x7f) {
                // Only ASCII is valid in an id; never truncate a character into one that looks valid.
                throw ApiException.invalid("ids are ASCII; the path has the character '" + c + "'");
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
