package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HandlerTypesTest {

    static final class Direct implements RequestHandler<String, Map<String, Object>> {
        @Override
        public Map<String, Object> handleRequest(String input, Context context) {
            return Map.of();
        }
    }

    abstract static class Base<E> implements RequestHandler<E, List<E>> {
    }

    static final class ThroughABaseClass extends Base<Integer> {
        @Override
        public List<Integer> handleRequest(Integer input, Context context) {
            return List.of(input);
        }
    }

    @SuppressWarnings("rawtypes")
    static final class Raw implements RequestHandler {
        @Override
        public Object handleRequest(Object input, Context context) {
            return input;
        }
    }

    @Test
    void reads_the_type_arguments_a_handler_declares() {
        HandlerTypes.Signature signature = HandlerTypes.requestHandler(Direct.class).orElseThrow();
        assertThat(signature.input()).isEqualTo(String.class);
        assertThat(signature.outputName()).isEqualTo("java.util.Map<java.lang.String, java.lang.Object>");
    }

    @Test
    void resolves_type_arguments_bound_by_a_subclass() {
        HandlerTypes.Signature signature = HandlerTypes.requestHandler(ThroughABaseClass.class).orElseThrow();
        assertThat(signature.input()).isEqualTo(Integer.class);
        assertThat(signature.outputName()).isEqualTo("java.util.List<E>");
    }

    @Test
    void finds_nothing_for_raw_handlers_and_other_classes() {
        assertThat(HandlerTypes.requestHandler(Raw.class)).isEmpty();
        assertThat(HandlerTypes.requestHandler(String.class)).isEmpty();
    }
}
