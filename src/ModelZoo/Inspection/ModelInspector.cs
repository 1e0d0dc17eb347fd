using ModelZoo.Blocks;
using ModelZoo.Blocks.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Inspection;

/// <summary>
/// Per-layer summaries (output shapes, parameters, multiply-accumulates) and state-dict listings.
/// MACs count what dominates and what published figures count: a convolution costs
/// <c>C_out x H_out x W_out x (C_in / groups) x k_h x k_w</c> and a linear layer <c>in x out</c>; biases, batch norm,
/// activations, pooling, dropout and the residual additions count zero. Layers are recognised by role
/// (<see cref="IConvLayer"/>, <see cref="ILinearLayer"/>), so a custom convolution from a <see cref="LayerFactory"/> is counted. With this rule the totals match
/// torchvision's published GMACs (resnet18 1.81, resnet50 4.09, vgg16 15.47, googlenet 1.50 at 224x224).
/// Bit-widths (larq's <c>summary</c>): the latent weight of an <see cref="IBinaryLayer"/> counts as 1-bit, every other
/// parameter at its element size (32 bits for float32); a binary layer's MACs are 1-bit when it binarises its input
/// too, else real. Memory counts parameters, not buffers (batch-norm statistics), and the compression ratio is the
/// float32 size of all parameters over that memory.
/// </summary>
public static class ModelInspector
{
    /// <summary>
    /// Runs one sample of shape <paramref name="inputShapeChw"/> through the model (eval mode, no gradients, zeros as
    /// input, inside a dispose scope) and records every leaf layer's call via forward hooks. The model's
    /// training mode is restored afterwards.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="inputShapeChw">One sample's shape: channels, height, width.</param>
    /// <param name="name">Name to report; defaults to the module's name.</param>
    /// <exception cref="ArgumentException">The shape is not three positive numbers, or the model rejects it.</exception>
    /// <exception cref="ModelZooException">The forward pass failed in TorchSharp.</exception>
    public static ModelSummary Summarize(nn.Module<Tensor, Tensor> model, long[] inputShapeChw, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShapeChw);
        if (inputShapeChw.Length != 3 || inputShapeChw.Any(d => d < 1))
            throw new ArgumentException($"input shape must be three positive numbers C x H x W, got [{string.Join(", ", inputShapeChw)}]", nameof(inputShapeChw));
        string modelName = name ?? model.GetName();
        TorchRuntime.PrepareFor(model);

        var rows = new List<LayerSummary>();
        var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        var removers = new List<Action>();
        bool wasTraining = model.training;
        using var scope = torch.NewDisposeScope();
        try
        {
            foreach (var (path, module) in DepthFirst(model, ""))
            {
                if (path.Length == 0 || module.children().Any()) continue;
                if (module is not nn.Module<Tensor, Tensor> leaf) continue;
                string layerPath = path;
                var remover = leaf.register_forward_hook((m, input, output) =>
                {
                    bool first = seen.Add(m);
                    long parameters = first ? m.parameters().Sum(p => p.numel()) : 0;
                    long[] shape = output.shape.Skip(1).ToArray();
                    long macs = Macs(m, output);
                    var binary = m as IBinaryLayer;
                    long binaryParameters = first && binary is not null ? binary.LatentWeight.numel() : 0;
                    rows.Add(new LayerSummary(layerPath, m.GetType().Name, shape, parameters, macs)
                    {
                        BinaryParameters = binaryParameters,
                        BinaryMacs = binary is { Binary.BinarizeInput: true } ? macs : 0,
                        MemoryBits = first ? MemoryBits(m) : 0,
                    });
                    return output;
                });
                removers.Add(() => remover.remove());
            }

            model.eval();
            var device = model.parameters().FirstOrDefault()?.device ?? torch.CPU;
            using (torch.no_grad())
            {
                var x = torch.zeros([1, .. inputShapeChw], device: device);
                try
                {
                    model.call(x);
                }
                catch (Exception e) when (e is not ArgumentException and not ModelZooException)
                {
                    throw new ModelZooException(
                        $"forward pass of {modelName} at {string.Join("x", inputShapeChw)} failed: {e.Message.Split('\n')[0]}", e);
                }
            }
        }
        finally
        {
            foreach (var remove in removers) remove();
            model.train(wasTraining);
        }

        long total = 0, trainable = 0;
        foreach (var p in model.parameters())
        {
            total += p.numel();
            if (p.requires_grad) trainable += p.numel();
        }
        return new ModelSummary(modelName, (long[])inputShapeChw.Clone(), rows, total, trainable, total - trainable, rows.Sum(r => r.Macs))
        {
            BinaryParameters = BinaryLayers.Find(model).Sum(b => b.Layer.LatentWeight.numel()),
            BinaryMacs = rows.Sum(r => r.BinaryMacs),
            MemoryBits = MemoryBits(model),
        };
    }

    /// <summary>
    /// The memory of the summarised model at <paramref name="precision"/> (<c>modelzoo inspect --precision</c>). Under
    /// bf16/fp16 the outputs of every layer are counted at 2 bytes (autocast's convolutions and linear layers return
    /// 16-bit tensors and the layers after them keep that type), and the convolution and linear weights get a 16-bit
    /// copy beside their float32 master.
    /// </summary>
    public static MemoryEstimate EstimateMemory(ModelSummary summary, ComputePrecision precision)
    {
        ArgumentNullException.ThrowIfNull(summary);
        int bytes = PrecisionSupport.BytesPerElement(precision);
        long activations = summary.Layers.Sum(l => l.OutputShape.Aggregate(1L, (a, d) => a * d)) * bytes;
        long computeWeights = precision == ComputePrecision.Fp32 ? 0
            : summary.Layers.Where(l => l.Type is "Conv2d" or "Linear").Sum(l => l.Parameters) * bytes;
        return new MemoryEstimate(precision, summary.Parameters * 4, computeWeights, summary.TrainableParameters * 12, activations);
    }

    /// <summary>Parameter bits of a module and its descendants: 1 per latent binary weight, the element size otherwise.</summary>
    private static long MemoryBits(nn.Module module)
    {
        var binaryWeights = new HashSet<IntPtr>(BinaryLayers.Find(module).Select(b => b.Layer.LatentWeight.Handle));
        long bits = 0;
        foreach (var p in module.parameters())
            bits += binaryWeights.Contains(p.Handle) ? p.numel() : p.numel() * p.ElementSize * 8;
        return bits;
    }

    /// <summary>
    /// Every state-dict entry (parameters and buffers) with shape and element type, in PyTorch's order: module by
    /// module (depth first), each module's own parameters then its own buffers. TorchSharp's <c>state_dict()</c>
    /// lists all parameters before all buffers; the keys are the same, only the order differs.
    /// </summary>
    /// <param name="model">The model.</param>
    public static IReadOnlyList<StateDictEntry> StateDict(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var dict = model.state_dict();
        var ordered = new List<StateDictEntry>(dict.Count);
        var done = new HashSet<string>(StringComparer.Ordinal);
        void Add(string key)
        {
            if (dict.TryGetValue(key, out var t) && done.Add(key))
                ordered.Add(new StateDictEntry(key, t.shape.ToArray(), DTypeName(t.dtype)));
        }
        foreach (var (path, module) in DepthFirst(model, ""))
        {
            string prefix = path.Length == 0 ? "" : path + ".";
            foreach (var (name, _) in module.named_parameters(recurse: false)) Add(prefix + name);
            foreach (var (name, _) in module.named_buffers(recurse: false)) Add(prefix + name);
        }
        foreach (var key in dict.Keys) Add(key);
        return ordered;
    }

    /// <summary>The module and its descendants, depth first, in registration order (TorchSharp's <c>named_modules</c> is breadth first).</summary>
    private static IEnumerable<(string Path, nn.Module Module)> DepthFirst(nn.Module module, string path)
    {
        yield return (path, module);
        foreach (var (name, child) in module.named_children())
            foreach (var item in DepthFirst(child, path.Length == 0 ? name : path + "." + name))
                yield return item;
    }

    /// <summary>MACs of one call by the layer's role (<see cref="IConvLayer"/>, <see cref="ILinearLayer"/>, or TorchSharp's Conv2d/Linear), so custom layers count too.</summary>
    private static long Macs(nn.Module module, Tensor output)
    {
        if (LayerRoles.AsConv(module) is { } conv && output.dim() == 4)
            return output.shape[2] * output.shape[3] * conv.Weight.numel();
        if (LayerRoles.AsLinear(module) is { } linear && output.dim() >= 2)
            return linear.Weight.numel() * (output.numel() / output.shape[^1]) / output.shape[0];
        return 0;
    }

    private static string DTypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Int64 => "int64",
        ScalarType.Int32 => "int32",
        ScalarType.Int16 => "int16",
        ScalarType.Int8 => "int8",
        ScalarType.Byte => "uint8",
        ScalarType.Bool => "bool",
        _ => type.ToString().ToLowerInvariant(),
    };
}
