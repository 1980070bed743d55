/** The {@code dpo} objective itself, which ships in the core beside the machinery every objective shares. */
package io.dpo4j.core.objective;
