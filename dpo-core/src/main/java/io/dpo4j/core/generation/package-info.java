/** Text generation from a decoder with a key/value cache: batched prompts, temperature and top-p sampling, seeded. */
package io.dpo4j.core.generation;
