/**
 * The public training API: {@link io.dpo4j.train.PreferenceTraining#builder()} configures a run in
 * Java (model, reference, objectives, data, optimizer, listeners, device) and {@code fit()} trains it;
 * the listeners here (metrics log, progress, checkpoints, evaluation, diagnostics, guards) do
 * everything around the loop.
 */
package io.dpo4j.train;
