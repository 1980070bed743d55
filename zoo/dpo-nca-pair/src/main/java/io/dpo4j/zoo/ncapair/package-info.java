/**
 * The {@code nca_pair} objective: nCA, pairwise: noise-contrastive alignment on absolute rewards (Chen et al.
 * 2024).
 */
package io.dpo4j.zoo.ncapair;
