package io.dpo4j.core.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** The mutable object of {@code namespace(...)}: the one thing {@code set ns.attr = value} may change. */
final class Namespace {

    final Map<String, Object> values = new LinkedHashMap<>();
}
