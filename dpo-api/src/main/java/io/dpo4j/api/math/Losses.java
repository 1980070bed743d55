package io.dpo4j.api.math;

import ai.djl.ndarray.NDArray;

/** Loss terms several objectives share, each defined once. */
public final class Losses {

    private Losses() {
    }

    /**
     * The label-smoothed (conservative, cDPO) logistic loss per row:
     * {@code −(1−ε)·logσ(z) − ε·logσ(−z)}; with {@code ε = 0} it is {@code −logσ(z)}.
     */
    public static NDArray smoothedLogistic(NDArray z, double epsilon) {
        NDArray loss = Scalars.mul(ObjectiveMath.logSigmoid(z), -(1 - epsilon));
        if (epsilon != 0) {
            loss = loss.sub(Scalars.mul(ObjectiveMath.logSigmoid(z.neg()), epsilon));
        }
        return loss;
    }

    /**
     * The token-mean negative log-likelihood of the chosen responses (RPO-style SFT term):
     * {@code −Σ_i πw_i / Σ_i nw_i}, response tokens only.
     */
    public static NDArray chosenNll(NDArray policyChosen, NDArray chosenTokens) {
        return policyChosen.sum().neg().div(chosenTokens.sum());
    }
}
