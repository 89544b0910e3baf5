package dev.ledger.store;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The size DynamoDB bills an item at, by its documented rules: each attribute's name in UTF-8 bytes
 * plus its value (strings in UTF-8 bytes, numbers about one byte per two digits plus one, binary in
 * bytes, booleans and nulls one byte, lists and maps three bytes plus one per element). One owner
 * for the rule: the benchmarks bill request units with it, and the projections keep a transaction
 * under DynamoDB's 4 MB, which counts items the same way.
 */
public final class ItemSize {

    private ItemSize() {
    }

    public static long of(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            size += utf8(attribute.getKey()) + value(attribute.getValue());
        }
        return size;
    }

    private static long value(AttributeValue value) {
        if (value.s() != null) {
            return utf8(value.s());
        } else if (value.n() != null) {
            String digits = value.n().replaceAll("[^0-9]", "").replaceFirst("^0+(?=.)", "");
            return (digits.length() + 1) / 2 + 1;
        } else if (value.b() != null) {
            return value.b().asByteArray().length;
        } else if (value.bool() != null || Boolean.TRUE.equals(value.nul())) {
            return 1;
        } else if (value.hasM()) {
            return 3 + value.m().size() + of(value.m());
        } else if (value.hasL()) {
            List<AttributeValue> list = value.l();
            return 3 + list.size() + list.stream().mapToLong(ItemSize::value).sum();
        } else if (value.hasSs()) {
            return value.ss().stream().mapToLong(ItemSize::utf8).sum();
        } else if (value.hasNs()) {
            return value.ns().stream().mapToLong(n -> (n.length() + 1) / 2 + 1).sum();
        }
        return 1;
    }

    private static long utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
