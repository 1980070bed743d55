package io.dpo4j.core.data;

import java.util.List;

/**
 * Training and validation examples.
 *
 * @param <T> the example type
 * @param train the training examples (unmodifiable)
 * @param validation the validation examples, possibly none (unmodifiable)
 */
public record Split<T>(List<T> train, List<T> validation) {

    public Split {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }
}
