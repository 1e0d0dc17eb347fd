using Microsoft.ML.OnnxRuntime;
using ModelZoo.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Onnx;

/// <summary>Runs exported graphs in ONNX Runtime (CPU) and prepares models whose batch norms would expose a wrong export.</summary>
internal static class OnnxRuntimeSupport
{
    /// <summary>A CPU session on the two cores CI has.</summary>
    public static InferenceSession Session(string path)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        return new InferenceSession(path, options);
    }

    /// <summary>A CPU session on an in-memory model.</summary>
    public static InferenceSession Session(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        return new InferenceSession(model, options);
    }

    /// <summary>Runs <c>input</c> -> <c>logits</c>; returns the logits and their shape.</summary>
    public static (float[] Values, long[] Shape) Run(InferenceSession session, Tensor input)
    {
        float[] data = input.contiguous().data<float>().ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(data, input.shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["input"], [value], ["logits"]);
        var output = results[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    /// <summary>
    /// Gives every batch norm running statistics that an export which ignored or misplaced them would not reproduce,
    /// yet keep deep networks' activations in range (random statistics alone let ResNet-152's logits reach 1e9):
    /// one training-mode pass over random input with momentum 1 sets each norm's statistics to its batch's, then the
    /// means are shifted, the variances scaled by 0.8 to 1.25 and the affine parameters drawn (scale 0.75 to 1.25,
    /// shift around 0; a residual block's last norm a fifth of that). Returns how many norms it changed; the model is left in training mode.
    /// </summary>
    public static int RandomiseBatchNorms(nn.Module model, long channels, int size, long seed)
    {
        var norms = model.modules().OfType<BatchNorm2d>().ToList();
        if (norms.Count == 0) return 0;
        using var generator = new Generator((ulong)seed);
        using (torch.no_grad())
        {
            foreach (var bn in norms) bn.momentum = 1.0;
            model.train();
            using var calibration = torch.randn([4, channels, size, size], generator: generator);
            ((nn.Module<Tensor, Tensor>)model).call(calibration).Dispose();
            foreach (var bn in norms)
            {
                long n = bn.num_features;
                bn.momentum = 0.1;
                var std = bn.running_var!.sqrt();
                bn.running_mean!.add_(torch.randn(n, generator: generator) * 0.1 * std);
                bn.running_var!.mul_(torch.rand(n, generator: generator) * 0.45 + 0.8);
                bn.weight!.copy_(torch.rand(n, generator: generator) * 0.5 + 0.75);
                bn.bias!.copy_(torch.randn(n, generator: generator) * 0.2);
            }
            // The last norm of each residual block at a fifth of that, as trained ResNets have it: otherwise the
            // residual sums of ResNet-152 grow to logits near 1000, where float32 rounding alone exceeds 1e-4.
            foreach (var block in model.modules().Where(m => m is BasicBlock or Bottleneck))
            {
                string last = block is Bottleneck ? "bn3" : "bn2";
                var bn = (BatchNorm2d)block.named_children().Single(c => c.name == last).module;
                bn.weight!.mul_(0.2);
                bn.bias!.mul_(0.2);
            }
        }
        return norms.Count;
    }

    /// <summary>
    /// The graph ONNX Runtime actually runs: the model after its graph optimisations (the extended level, where the QDQ
    /// fusions to integer kernels happen), as op type -> count.
    /// </summary>
    public static Dictionary<string, int> OptimizedOps(byte[] model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"modelzoo-optimized-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = path, IntraOpNumThreads = 1 })
            using (new InferenceSession(model, options)) { }
            var optimized = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            return optimized.Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Largest absolute difference.</summary>
    public static double MaxAbsDiff(float[] a, Tensor b)
    {
        float[] expected = b.contiguous().data<float>().ToArray();
        Assert.That(a, Has.Length.EqualTo(expected.Length));
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - expected[i]));
        return max;
    }
}
