package io.dpo4j.bench.lab;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The JSON form of runs, specs and lab settings between the benchmark and its worker processes (NaN kept). */
final class RunJson {

    private RunJson() {
    }

    static ObjectMapper mapper() {
        return JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();
    }
}
