package org.blades.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CosineScheduleTest {

    /**
     * torch.optim.lr_scheduler.CosineAnnealingLR(AdamW(lr=1e-5), T_max=20), lr read before each scheduler.step()
     * (PyTorch 1.13, its recursive form): epochs 0 to 20.
     */
    private static final double[] TORCH = {1e-05, 9.938441702975689e-06, 9.755282581475769e-06, 9.45503262094184e-06,
        9.045084971874738e-06, 8.535533905932739e-06, 7.938926261462368e-06, 7.269952498697736e-06,
        6.5450849718747394e-06, 5.7821723252011565e-06, 5.000000000000001e-06, 4.217827674798848e-06,
        3.454915028125264e-06, 2.7300475013022666e-06, 2.061073738537635e-06, 1.4644660940672626e-06,
        9.549150281252633e-07, 5.449673790581611e-07, 2.447174185242324e-07, 6.155829702431172e-08, 0.0};

    @Test
    void matchesPyTorchsCosineAnnealingPerEpochUpToRounding() {
        CosineSchedule s = new CosineSchedule(1e-5, 20, 0);
        for (int e = 0; e < TORCH.length; e++) {
            // the closed form against PyTorch's recursive update: equal up to a few float64 ulps
            assertThat(s.learningRate(e)).as("epoch %d", e).isCloseTo(TORCH[e], within(1e-20 + 1e-14 * TORCH[e]));
        }
        assertThat(s.learningRate(0)).isEqualTo(1e-5);
        assertThat(s.learningRate(20)).isZero();
    }
}
