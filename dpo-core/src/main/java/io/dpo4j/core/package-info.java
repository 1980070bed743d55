/** The core of dpo4j: shared types of the machinery every objective runs on. */
package io.dpo4j.core;
