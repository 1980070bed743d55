/** Numerically stable, differentiable building blocks (logσ, log1mexp, …) and the standard metrics objectives share. */
package io.dpo4j.api.math;
