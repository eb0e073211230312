package org.blades.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.blades.bilevel.StepTrace;
import org.blades.bilevel.TaskObjective;
import org.blades.models.JointEmbedding;
import org.blades.nn.Linear;
import org.blades.nn.Module;
import org.blades.nn.optim.AdamOptions;
import org.blades.tasks.ClassLabels;
import org.blades.tasks.LossOptions;
import org.blades.tasks.OrdinalLabels;
import org.blades.tasks.OrdinalLoss;
import org.blades.tasks.RegionLabels;
import org.blades.tasks.Task;
import org.blades.tasks.TaskLabels;
import org.blades.tasks.TaskLosses;
import org.blades.tasks.ThurstoneVariant;
import org.blades.tensor.Activation;
import org.blades.tensor.DType;
import org.blades.tensor.Indexing;
import org.blades.tensor.ParameterVector;
import org.blades.tensor.Tensor;
import org.blades.testing.ReferenceFile;
import org.blades.testing.TensorCompare;
import org.blades.testing.Tolerance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

// S = iterations, B = batch, K = 11 tasks, DIN/H/E/DT = the small model's sizes (see generate_bilevel.py)

/**
 * Ten bi-level iterations ({@link BilevelTrainer}: Eqs. 11-19, Adam on λ, AdamW on θ, per-epoch cosine schedule)
 * against a DARTS-style PyTorch run of the same algorithm from the same weights and batches
 * (reference-data/bilevel/generate_bilevel.py): per-step task losses, ℓ₁(θ'), ‖v‖, ε, the hypergradient, λ, α, and
 * the final weights. Three runs: the paper's options in float64 and float32, and a Table-7 ablation (task subset,
 * equal-weight upper level, focal off, per-level classification) in float64.
 *
 * <p>Tolerances grow linearly with the step t = 1..S, {@code tol(t) = t · (atol, rtol)}, because each step starts
 * from the previous one's state: an error already in θ or λ is carried forward and the new step adds its own.
 * The per-step budgets, the same for the trace and the weights:
 * <ul>
 *   <li>float64: 1e-12 relative + 1e-14 absolute. Summation orders differ from PyTorch's at about 1e-16 relative
 *       per op; the finite difference divides F(θ⁺) − F(θ⁻), a 2% change of F along v, by 2ε and so amplifies
 *       relative errors about 100-fold; Adam's normalised steps carry relative errors unchanged. That makes 1e-14
 *       the expected scale (observed: at most 6e-15 after ten steps), far below any algorithmic slip, which shows at
 *       1e-6 and above (a step with the wrong α, wd or ε).</li>
 *   <li>float32: 2e-5 relative + 2e-6 absolute. Each op rounds at 6e-8 relative, the finite difference brings that
 *       to about 1e-5 relative in the hypergradient, and Adam's normalised step (lr · m/√v̂) turns a relative error
 *       r of a gradient entry into up to r · lr in λ or θ; with lr = 1e-2 that is 1e-7 per step, more where an
 *       entry is near zero (observed: λ within 4.4e-6 and weights within 1.8e-7 after ten steps).</li>
 * </ul>
 * The hypergradient's absolute budget scales with the step's largest entry ({@link #hyperTolerance}).
 */
class BilevelReferenceTest {
    private static final String[] PARAMS = {"img1.weight", "img1.bias", "img2.weight", "img2.bias", "txt.weight",
        "txt.bias", "logit_scale"};

    private static ReferenceFile ref;

    @BeforeAll
    static void open() {
        ref = ReferenceFile.open("bilevel/bilevel");
    }

    @AfterAll
    static void close() {
        ref.close();
    }

    /** One stored batch: x (B, DIN) and the labels of the eleven tasks. */
    record RefBatch(Tensor x, TaskLabels labels) {
    }

    /** generate_bilevel.py's TinyBlades layers (state-dict names img1.*, img2.*, txt.*, joint.logit_scale). */
    static final class Net extends Module {
        final Linear img1;
        final Linear img2;
        final Linear txt;
        final JointEmbedding joint;

        Net(DType dtype, int din, int h, int e, int dt) {
            img1 = child("img1", new Linear(dtype, din, h, true));
            img2 = child("img2", new Linear(dtype, h, e, true));
            txt = child("txt", new Linear(dtype, dt, e, true));
            joint = child("joint", new JointEmbedding(dtype));
        }
    }

    /** F(θ) of TinyBlades: img = img2(tanh(img1(x))), txt = txt(P), logits by Eq. 2, then the task losses. */
    static final class TinyBlades implements TaskObjective<RefBatch> {
        final Net net;
        final Tensor prompts; // (50, DT)
        final TaskLosses losses;
        final EnumSet<Task> computed;
        final ParameterVector theta;
        final Map<String, Tensor> byName = new LinkedHashMap<>();

        TinyBlades(DType dtype, Map<String, Object> dims, PretrainOptions options) {
            net = new Net(dtype, dim(dims, "din"), dim(dims, "h"), dim(dims, "e"), dim(dims, "dt"));
            List<Tensor> params = List.of(net.img1.weight(), net.img1.bias(), net.img2.weight(), net.img2.bias(),
                    net.txt.weight(), net.txt.bias(), net.joint.logitScale());
            for (int i = 0; i < PARAMS.length; i++) {
                byName.put(PARAMS[i], params.get(i));
                params.get(i).copyFromInPlace(load("init." + PARAMS[i], dtype));
            }
            prompts = load("prompt_features", dtype);
            losses = new TaskLosses(options.losses());
            computed = EnumSet.copyOf(options.computedTasks());
            theta = new ParameterVector(params);
        }

        private static int dim(Map<String, Object> dims, String key) {
            return ((Number) dims.get(key)).intValue();
        }

        @Override
        public Tensor taskLosses(RefBatch batch) {
            Tensor img = net.img2.forward(Activation.tanh(net.img1.forward(batch.x()))); // (B, E)
            Tensor logits = net.joint.logits(img, net.txt.forward(prompts)); // (B, 50)
            List<Tensor> f = new ArrayList<>();
            for (Task t : Task.values()) {
                f.add(computed.contains(t) ? losses.loss(t, logits, batch.labels()) : Tensor.scalar(img.dtype(), 0));
            }
            return Indexing.stack(f, 0); // (K)
        }

        @Override
        public ParameterVector parameters() {
            return theta;
        }
    }

    private static Tensor load(String name, DType dtype) {
        return Tensor.of(ref.doubles(name), ref.shape(name)).to(dtype).detach();
    }

    /** Row s of a stored (S, ...) tensor. */
    private static double[] row(String name, int s) {
        int[] shape = ref.shape(name);
        int per = ref.doubles(name).length / shape[0];
        return Arrays.copyOfRange(ref.doubles(name), s * per, (s + 1) * per);
    }

    private static int[] ids(String name, int s) {
        long[] all = ref.file().longs(name);
        int per = all.length / ref.shape(name)[0];
        int[] out = new int[per];
        for (int i = 0; i < per; i++) {
            out[i] = Math.toIntExact(all[s * per + i]);
        }
        return out;
    }

    private static boolean[] mask(String name, int s) {
        double[] m = row(name, s);
        boolean[] out = new boolean[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i] != 0;
        }
        return out;
    }

    private static RefBatch batch(String stream, int s, DType dtype) {
        String p = "batches." + stream + ".";
        int[] xShape = ref.shape(p + "x");
        Tensor x = Tensor.of(row(p + "x", s), xShape[1], xShape[2]).to(dtype).detach();
        Map<Task, OrdinalLabels> ordinal = new EnumMap<>(Task.class);
        for (Task t : Task.ofKind(Task.Kind.ORDINAL)) {
            String k = p + t.name().toLowerCase(Locale.ROOT);
            ordinal.put(t, new OrdinalLabels(row(k + "_values", s), mask(k + "_mask", s),
                    new ClassLabels(ids(k + "_levels", s), mask(k + "_level_mask", s))));
        }
        Map<Task, ClassLabels> categorical = new EnumMap<>(Task.class);
        for (Task t : Task.ofKind(Task.Kind.CATEGORICAL)) {
            String k = p + t.name().toLowerCase(Locale.ROOT);
            categorical.put(t, new ClassLabels(ids(k + "_ids", s), mask(k + "_mask", s)));
        }
        TaskLabels labels = new TaskLabels(ordinal, categorical,
                new ClassLabels(ids(p + "coarse_ids", s), mask(p + "coarse_mask", s)),
                new RegionLabels(row(p + "fine_targets", s), mask(p + "fine_mask", s)));
        return new RefBatch(x, labels);
    }

    @SuppressWarnings("unchecked")
    private static PretrainOptions options(Map<String, Object> a) {
        EnumSet<Task> tasks = EnumSet.noneOf(Task.class);
        for (Object t : (List<Object>) a.get("tasks")) {
            tasks.add(Task.valueOf((String) t));
        }
        LossOptions losses = new LossOptions(num(a, "gamma"),
                "ranking".equals(a.get("ordinal")) ? OrdinalLoss.PAIRWISE_RANKING : OrdinalLoss.LEVEL_CLASSIFICATION,
                ThurstoneVariant.PAPER);
        return PretrainOptions.paper()
                .withEpochs(((Number) a.get("epochs")).intValue())
                .withInner(AdamOptions.adamWDefaults().withLr(num(a, "inner_lr")).withWeightDecay(num(a, "weight_decay")))
                .withOuter(AdamOptions.adamDefaults().withLr(num(a, "outer_lr")))
                .withFdScale(num(a, "fd_scale"))
                .withPrimary(PrimaryTask.ofKey((String) a.get("primary")))
                .withLosses(losses)
                .withTasks(tasks);
    }

    private static double num(Map<String, Object> a, String key) {
        return ((Number) a.get(key)).doubleValue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"paper_f64", "paper_f32", "ablation_f64"})
    @SuppressWarnings("unchecked")
    void tenIterationsMatchPyTorch(String run) {
        Map<String, Object> args = ref.caseArgs(run);
        DType dtype = "float32".equals(args.get("dtype")) ? DType.F32 : DType.F64;
        PretrainOptions options = options(args);
        TinyBlades model = new TinyBlades(dtype, (Map<String, Object>) args.get("dims"), options);
        BilevelTrainer<RefBatch> trainer = new BilevelTrainer<>(model, options);
        int steps = ((Number) args.get("steps")).intValue();
        int perEpoch = ((Number) args.get("batches_per_epoch")).intValue();

        Tolerance perStep = dtype == DType.F64 ? Tolerance.of(1e-14, 1e-12) : Tolerance.of(2e-6, 2e-5);
        List<String> report = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            StepTrace t = trainer.step(batch("inner", s, dtype), batch("outer", s, dtype), s / perEpoch);
            Tolerance tol = new Tolerance(perStep.atol() * (s + 1), perStep.rtol() * (s + 1));
            String p = run + ".trace.";
            int[] k = {Task.COUNT};
            int[] one = {1};
            List<TensorCompare.Report> step = List.of(
                    TensorCompare.assertClose(p + "lr[" + s + "]", new double[] {t.innerLr()}, one,
                            row(p + "lr", s), one, tol),
                    TensorCompare.assertClose(p + "losses[" + s + "]", t.taskLosses(), k, row(p + "losses", s), k, tol),
                    TensorCompare.assertClose(p + "outer_loss[" + s + "]", new double[] {t.outerLoss()}, one,
                            row(p + "outer_loss", s), one, tol),
                    TensorCompare.assertClose(p + "v_norm[" + s + "]", new double[] {t.vNorm()}, one,
                            row(p + "v_norm", s), one, tol),
                    TensorCompare.assertClose(p + "epsilon[" + s + "]", new double[] {t.epsilon()}, one,
                            row(p + "epsilon", s), one, tol),
                    TensorCompare.assertClose(p + "hypergradient[" + s + "]", t.hypergradient(), k,
                            row(p + "hypergradient", s), k, hyperTolerance(tol, row(p + "hypergradient", s))),
                    TensorCompare.assertClose(p + "lambda[" + s + "]", t.lambdaAfter(), k, row(p + "lambda", s), k, tol),
                    TensorCompare.assertClose(p + "weighted_loss[" + s + "]", new double[] {t.weightedLoss()}, one,
                            row(p + "weighted_loss", s), one, tol));
            if (s == 0 || s == steps - 1) {
                step.forEach(r -> report.add(r.summary()));
            }
        }
        Tolerance finalTol = new Tolerance(perStep.atol() * steps, perStep.rtol() * steps);
        for (String name : PARAMS) {
            Tensor p = model.byName.get(name);
            report.add(TensorCompare.assertClose(run + ".final." + name, p.toDoubleArray(), p.shape(),
                    ref.doubles(run + ".final." + name), ref.shape(run + ".final." + name), finalTol).summary());
        }
        System.out.println(run + ":\n  " + String.join("\n  ", report));

        double[] lambda = trainer.lambda().toDoubleArray();
        for (Task t : Task.values()) {
            if (!options.tasks().contains(t)) {
                assertThat(lambda[t.lambdaIndex()]).as("λ of %s, left out of pretraining", t).isZero();
            }
        }
    }

    /**
     * The hypergradient's entries span orders of magnitude, and the finite difference's error scales with the
     * largest of them (it is rounding in F(θ±εv), common to all entries), so the absolute budget is relative to
     * the step's largest entry.
     */
    private static Tolerance hyperTolerance(Tolerance tol, double[] reference) {
        double max = 0;
        for (double v : reference) {
            max = Math.max(max, Math.abs(v));
        }
        return new Tolerance(tol.atol() + tol.rtol() * max * 10, tol.rtol());
    }
}
