/** The training-step benchmark ({@code dpo bench-step}): DPO and SFT steps at real shapes beside a PyTorch-eager peer. */
package io.dpo4j.cli.step;
