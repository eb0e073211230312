package org.blades.opencl;

import com.aparapi.Range;
import com.aparapi.opencl.OpenCL;

/**
 * The argument lists of the kernels in kernels/*.cl, declared the way Aparapi's OpenCL binding reads them: one
 * method per kernel, named exactly as the kernel (hence the snake case), parameters in the kernel's order after the
 * leading {@link Range}, each annotated with its address space and access ({@link OpenCL.GlobalReadOnly} for
 * inputs, {@link OpenCL.GlobalReadWrite} for outputs, {@link OpenCL.Arg} for scalars). {@link AparapiProgram} turns
 * each method into Aparapi's argument descriptors with {@code OpenCLDevice.getArgs(Method)}.
 *
 * <p>Outputs are read-write even where a kernel only writes: Aparapi reads a write-only buffer back whole after
 * the call, and on a discrete GPU the elements a kernel did not write would come back as garbage.
 */
interface KernelSignatures extends OpenCL<KernelSignatures> {

    // elementwise.cl

    KernelSignatures fill(Range range, @Arg("n") int n, @Arg("value") float value, @GlobalReadWrite("y") float[] y,
                          @Arg("offY") int offY);

    KernelSignatures axpy(Range range, @Arg("n") int n, @Arg("alpha") float alpha, @GlobalReadOnly("x") float[] x,
                          @GlobalReadWrite("y") float[] y);

    KernelSignatures unary_forward(Range range, @Arg("op") int op, @Arg("p0") float p0, @Arg("p1") float p1,
                                   @Arg("n") int n, @GlobalReadOnly("x") float[] x, @GlobalReadWrite("y") float[] y);

    KernelSignatures unary_backward(Range range, @Arg("op") int op, @Arg("p0") float p0, @Arg("p1") float p1,
                                    @Arg("n") int n, @GlobalReadOnly("x") float[] x, @GlobalReadOnly("y") float[] y,
                                    @GlobalReadOnly("dy") float[] dy, @GlobalReadWrite("dx") float[] dx);

    KernelSignatures binary_forward(Range range, @Arg("op") int op, @Arg("n") int n,
                                    @GlobalReadOnly("meta") int[] meta, @GlobalReadOnly("a") float[] a,
                                    @Arg("offA") int offA, @GlobalReadOnly("b") float[] b, @Arg("offB") int offB,
                                    @GlobalReadWrite("y") float[] y);

    KernelSignatures copy_strided(Range range, @Arg("n") int n, @GlobalReadOnly("meta") int[] meta,
                                  @GlobalReadOnly("x") float[] x, @Arg("offX") int offX,
                                  @GlobalReadWrite("y") float[] y, @Arg("offY") int offY);

    KernelSignatures binary_backward_elementwise(Range range, @Arg("op") int op, @Arg("which") int which,
                                                 @Arg("n") int n, @GlobalReadOnly("meta") int[] meta,
                                                 @GlobalReadOnly("a") float[] a, @Arg("offA") int offA,
                                                 @GlobalReadOnly("b") float[] b, @Arg("offB") int offB,
                                                 @GlobalReadOnly("dy") float[] dy,
                                                 @GlobalReadWrite("dt") float[] dt);

    KernelSignatures binary_backward_reduce(Range range, @Arg("op") int op, @Arg("which") int which,
                                            @GlobalReadOnly("meta") int[] meta, @GlobalReadOnly("a") float[] a,
                                            @Arg("offA") int offA, @GlobalReadOnly("b") float[] b,
                                            @Arg("offB") int offB, @GlobalReadOnly("dy") float[] dy,
                                            @GlobalReadWrite("dt") float[] dt);

    // reduce.cl

    KernelSignatures reduce_axis(Range range, @Arg("op") int op, @Arg("outer") int outer, @Arg("n") int n,
                                 @Arg("inner") int inner, @Arg("chunks") int chunks, @Arg("scale") float scale,
                                 @GlobalReadOnly("x") float[] x, @GlobalReadWrite("y") float[] y);

    // softmax.cl

    KernelSignatures softmax_forward(Range range, @Arg("logMode") int logMode, @Arg("outer") int outer,
                                     @Arg("n") int n, @Arg("inner") int inner, @Arg("scale") float scale,
                                     @Arg("causal") int causal, @GlobalReadOnly("x") float[] x,
                                     @GlobalReadWrite("y") float[] y);

    KernelSignatures softmax_backward(Range range, @Arg("logMode") int logMode, @Arg("outer") int outer,
                                      @Arg("n") int n, @Arg("inner") int inner, @Arg("scale") float scale,
                                      @GlobalReadOnly("y") float[] y, @GlobalReadOnly("dy") float[] dy,
                                      @GlobalReadWrite("dx") float[] dx);

    // layernorm.cl

    KernelSignatures layernorm_forward(Range range, @Arg("rows") int rows, @Arg("c") int c, @Arg("eps") float eps,
                                       @GlobalReadOnly("x") float[] x, @GlobalReadOnly("w") float[] w,
                                       @GlobalReadOnly("b") float[] b, @GlobalReadWrite("y") float[] y,
                                       @GlobalReadWrite("mean") float[] mean, @GlobalReadWrite("rstd") float[] rstd);

    KernelSignatures layernorm_backward_dx(Range range, @Arg("rows") int rows, @Arg("c") int c,
                                           @GlobalReadOnly("x") float[] x, @GlobalReadOnly("w") float[] w,
                                           @GlobalReadOnly("mean") float[] mean,
                                           @GlobalReadOnly("rstd") float[] rstd, @GlobalReadOnly("dy") float[] dy,
                                           @GlobalReadWrite("dx") float[] dx);

    KernelSignatures layernorm_backward_params(Range range, @Arg("rows") int rows, @Arg("c") int c,
                                               @GlobalReadOnly("x") float[] x, @GlobalReadOnly("mean") float[] mean,
                                               @GlobalReadOnly("rstd") float[] rstd,
                                               @GlobalReadOnly("dy") float[] dy, @GlobalReadWrite("dw") float[] dw,
                                               @GlobalReadWrite("db") float[] db);

    // batchnorm.cl

    KernelSignatures batchnorm_train_stats(Range range, @Arg("n") int n, @Arg("c") int c, @Arg("s") int s,
                                           @Arg("momentum") float momentum, @Arg("eps") float eps,
                                           @GlobalReadOnly("x") float[] x, @GlobalReadWrite("mean") float[] mean,
                                           @GlobalReadWrite("invStd") float[] invStd,
                                           @GlobalReadWrite("runningMean") float[] runningMean,
                                           @GlobalReadWrite("runningVar") float[] runningVar);

    KernelSignatures batchnorm_eval_stats(Range range, @Arg("c") int c, @Arg("eps") float eps,
                                          @GlobalReadOnly("runningMean") float[] runningMean,
                                          @GlobalReadOnly("runningVar") float[] runningVar,
                                          @GlobalReadWrite("mean") float[] mean,
                                          @GlobalReadWrite("invStd") float[] invStd);

    KernelSignatures batchnorm_apply(Range range, @Arg("n") int n, @Arg("c") int c, @Arg("s") int s,
                                     @GlobalReadOnly("x") float[] x, @GlobalReadOnly("mean") float[] mean,
                                     @GlobalReadOnly("invStd") float[] invStd, @GlobalReadOnly("gamma") float[] gamma,
                                     @GlobalReadOnly("beta") float[] beta, @GlobalReadWrite("y") float[] y);

    KernelSignatures batchnorm_backward_reduce(Range range, @Arg("n") int n, @Arg("c") int c, @Arg("s") int s,
                                               @GlobalReadOnly("x") float[] x, @GlobalReadOnly("mean") float[] mean,
                                               @GlobalReadOnly("invStd") float[] invStd,
                                               @GlobalReadOnly("dy") float[] dy,
                                               @GlobalReadWrite("sums") float[] sums,
                                               @GlobalReadWrite("dgamma") float[] dgamma,
                                               @GlobalReadWrite("dbeta") float[] dbeta);

    KernelSignatures batchnorm_backward_dx(Range range, @Arg("train") int train, @Arg("n") int n, @Arg("c") int c,
                                           @Arg("s") int s, @GlobalReadOnly("x") float[] x,
                                           @GlobalReadOnly("mean") float[] mean,
                                           @GlobalReadOnly("invStd") float[] invStd,
                                           @GlobalReadOnly("gamma") float[] gamma,
                                           @GlobalReadOnly("sums") float[] sums, @GlobalReadOnly("dy") float[] dy,
                                           @GlobalReadWrite("dx") float[] dx);

    // conv.cl

    KernelSignatures im2col(Range range, @Arg("n") int n, @Arg("c") int c, @Arg("h") int h, @Arg("w") int w,
                            @Arg("kh") int kh, @Arg("kw") int kw, @Arg("sh") int sh, @Arg("sw") int sw,
                            @Arg("ph") int ph, @Arg("pw") int pw, @Arg("oh") int oh, @Arg("ow") int ow,
                            @GlobalReadOnly("x") float[] x, @Arg("offX") int offX,
                            @GlobalReadWrite("cols") float[] cols);

    KernelSignatures col2im(Range range, @Arg("n") int n, @Arg("c") int c, @Arg("h") int h, @Arg("w") int w,
                            @Arg("kh") int kh, @Arg("kw") int kw, @Arg("sh") int sh, @Arg("sw") int sw,
                            @Arg("ph") int ph, @Arg("pw") int pw, @Arg("oh") int oh, @Arg("ow") int ow,
                            @GlobalReadOnly("cols") float[] cols, @GlobalReadWrite("dx") float[] dx,
                            @Arg("offX") int offX);

    // pool.cl

    KernelSignatures maxpool_forward(Range range, @Arg("planes") int planes, @Arg("h") int h, @Arg("w") int w,
                                     @Arg("kh") int kh, @Arg("kw") int kw, @Arg("sh") int sh, @Arg("sw") int sw,
                                     @Arg("ph") int ph, @Arg("pw") int pw, @Arg("oh") int oh, @Arg("ow") int ow,
                                     @GlobalReadOnly("x") float[] x, @GlobalReadWrite("y") float[] y);

    KernelSignatures maxpool_backward(Range range, @Arg("planes") int planes, @Arg("h") int h, @Arg("w") int w,
                                      @Arg("kh") int kh, @Arg("kw") int kw, @Arg("sh") int sh, @Arg("sw") int sw,
                                      @Arg("ph") int ph, @Arg("pw") int pw, @Arg("oh") int oh, @Arg("ow") int ow,
                                      @GlobalReadOnly("x") float[] x, @GlobalReadOnly("dy") float[] dy,
                                      @GlobalReadWrite("dx") float[] dx);

    KernelSignatures avgpool_forward(Range range, @Arg("planes") int planes, @Arg("h") int h, @Arg("w") int w,
                                     @Arg("kh") int kh, @Arg("kw") int kw, @Arg("sh") int sh, @Arg("sw") int sw,
                                     @Arg("ph") int ph, @Arg("pw") int pw, @Arg("oh") int oh, @Arg("ow") int ow,
                                     @GlobalReadOnly("x") float[] x, @GlobalReadWrite("y") float[] y);

    KernelSignatures avgpool_backward(Range range, @Arg("planes") int planes, @Arg("h") int h, @Arg("w") int w,
                                      @Arg("kh") int kh, @Arg("kw") int kw, @Arg("sh") int sh, @Arg("sw") int sw,
                                      @Arg("ph") int ph, @Arg("pw") int pw, @Arg("oh") int oh, @Arg("ow") int ow,
                                      @GlobalReadOnly("dy") float[] dy, @GlobalReadWrite("dx") float[] dx);

    // gemm.cl

    KernelSignatures sgemm_tiled(Range range, @Arg("transA") int transA, @Arg("transB") int transB,
                                 @Arg("M") int m, @Arg("N") int n, @Arg("K") int k, @Arg("alpha") float alpha,
                                 @GlobalReadOnly("A") float[] a, @Arg("offA") int offA, @Arg("lda") int lda,
                                 @Arg("strideA") int strideA, @GlobalReadOnly("B") float[] b, @Arg("offB") int offB,
                                 @Arg("ldb") int ldb, @Arg("strideB") int strideB, @Arg("beta") float beta,
                                 @GlobalReadWrite("C") float[] c, @Arg("offC") int offC, @Arg("ldc") int ldc,
                                 @Arg("strideC") int strideC);

    KernelSignatures gemm_pack_a(Range range, @Arg("transA") int transA, @Arg("M") int m, @Arg("K") int k,
                                 @GlobalReadOnly("A") float[] a, @Arg("offA") int offA, @Arg("lda") int lda,
                                 @Arg("strideA") int strideA, @GlobalReadWrite("Ap") float[] ap);

    KernelSignatures gemm_pack_b(Range range, @Arg("transB") int transB, @Arg("N") int n, @Arg("K") int k,
                                 @GlobalReadOnly("B") float[] b, @Arg("offB") int offB, @Arg("ldb") int ldb,
                                 @Arg("strideB") int strideB, @GlobalReadWrite("Bp") float[] bp);

    KernelSignatures sgemm_packed(Range range, @Arg("M") int m, @Arg("N") int n, @Arg("K") int k,
                                  @Arg("alpha") float alpha, @GlobalReadOnly("Ap") float[] ap,
                                  @Arg("packedStrideA") int packedStrideA, @GlobalReadOnly("Bp") float[] bp,
                                  @Arg("packedStrideB") int packedStrideB, @Arg("beta") float beta,
                                  @GlobalReadWrite("C") float[] c, @Arg("offC") int offC, @Arg("ldc") int ldc,
                                  @Arg("strideC") int strideC);

    // optim.cl

    KernelSignatures adam_step(Range range, @Arg("n") int n, @Arg("lr") float lr, @Arg("beta1") float beta1,
                               @Arg("beta2") float beta2, @Arg("eps") float eps,
                               @Arg("weightDecay") float weightDecay, @Arg("decoupled") int decoupled,
                               @Arg("bias1") float bias1, @Arg("bias2Sqrt") float bias2Sqrt,
                               @GlobalReadWrite("p") float[] p, @GlobalReadOnly("grad") float[] grad,
                               @GlobalReadWrite("m") float[] m, @GlobalReadWrite("v") float[] v);

    // indexing.cl

    KernelSignatures embedding_forward(Range range, @Arg("t") int t, @Arg("c") int c,
                                       @GlobalReadOnly("ids") int[] ids, @GlobalReadOnly("table") float[] table,
                                       @GlobalReadWrite("out") float[] out);

    KernelSignatures embedding_backward(Range range, @Arg("t") int t, @Arg("c") int c,
                                        @GlobalReadOnly("ids") int[] ids, @GlobalReadOnly("dout") float[] dout,
                                        @GlobalReadWrite("dtable") float[] dtable);
}
