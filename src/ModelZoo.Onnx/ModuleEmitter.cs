using ModelZoo.Blocks;
using ModelZoo.Models;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static ModelZoo.Onnx.OnnxGraphBuilder;
using static TorchSharp.torch;

namespace ModelZoo.Onnx;

/// <summary>
/// Emits the inference graph of a module into an <see cref="OnnxGraphBuilder"/>, one case per module type:
/// the four zoo families, their blocks, and the torch layers they are built from. Each case mirrors the module's
/// eval-mode <c>forward</c>: dropout is the identity, batch norm uses its running statistics, auxiliary heads are
/// left out. Shapes are tracked (without the batch dimension) so pooling can be fixed for the export size.
/// Anything else raises <see cref="OnnxExportException"/> naming the module path and type.
/// </summary>
internal sealed class ModuleEmitter(OnnxGraphBuilder g)
{
    /// <summary>Emits <paramref name="module"/> (at <paramref name="path"/> in the model) applied to <paramref name="x"/>.</summary>
    public OnnxValue Emit(nn.Module module, string path, OnnxValue x) => module switch
    {
        Vgg vgg => EmitVgg(vgg, path, x),
        DeepCnn or ResNet or GoogLeNet => EmitZooModel(module, path, x),
        Sequential or ConvBnAct or Conv3x3Stack => EmitChildren(module, path, x),
        Inception => EmitInception(module, path, x),
        BasicBlock or Bottleneck => EmitResidual(module, path, x),
        Conv2d conv => EmitConv(conv, path, x),
        BatchNorm2d bn => EmitBatchNorm(bn, path, x),
        ReLU => g.Node("Relu", path, [x.Name], x.Dims),
        MaxPool2d pool => EmitMaxPool(pool, path, x),
        AdaptiveAvgPool2d pool => EmitAdaptiveAvgPool(pool, path, x),
        Flatten flatten => EmitFlatten(flatten, path, x),
        Linear linear => EmitLinear(linear, path, x),
        Dropout or Identity => x,
        _ => throw new OnnxExportException(path, module.GetType().FullName ?? module.GetType().Name,
            "the exporter does not know this module type (known: the zoo families and blocks, Conv2d, BatchNorm2d, ReLU, MaxPool2d, AdaptiveAvgPool2d, Flatten, Linear, Dropout, Identity, Sequential)"),
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static Dictionary<string, nn.Module> Children(nn.Module module) =>
        module.named_children().ToDictionary(c => c.name, c => c.module, StringComparer.Ordinal);

    private OnnxValue EmitChild(nn.Module parent, string path, string name, OnnxValue x)
    {
        if (!Children(parent).TryGetValue(name, out var child))
            throw new OnnxExportException(path, parent.GetType().Name, $"expected a child named '{name}'");
        return Emit(child, Join(path, name), x);
    }

    /// <summary>Children in registration order, each fed the previous one's output (Sequential, ConvBnAct, Conv3x3Stack).</summary>
    private OnnxValue EmitChildren(nn.Module module, string path, OnnxValue x)
    {
        foreach (var (name, child) in module.named_children()) x = Emit(child, Join(path, name), x);
        return x;
    }

    /// <summary>
    /// DeepCnn, ResNet and GoogLeNet run their children in registration order and flatten after <c>avgpool</c>;
    /// GoogLeNet's auxiliary classifiers only run in training mode and are not exported.
    /// </summary>
    private OnnxValue EmitZooModel(nn.Module model, string path, OnnxValue x)
    {
        if (model is GoogLeNet { TransformsInput: true })
        {
            var (scale, shift) = GoogLeNet.InputTransform;
            string s = g.Initializer(Join(path, "transform_input.scale"), [1, 3, 1, 1], scale);
            string b = g.Initializer(Join(path, "transform_input.shift"), [1, 3, 1, 1], shift);
            x = g.Node("Mul", Join(path, "transform_input.mul"), [x.Name, s], x.Dims);
            x = g.Node("Add", Join(path, "transform_input.add"), [x.Name, b], x.Dims);
        }
        foreach (var (name, child) in model.named_children())
        {
            if (child is AuxiliaryClassifier) continue;
            x = Emit(child, Join(path, name), x);
            if (name == "avgpool") x = Flatten(Join(path, "flatten"), x);
        }
        return x;
    }

    /// <summary>VGG: <c>features</c> (without the first max-pool when the model skips it at this size), <c>avgpool</c>, flatten, <c>classifier</c>.</summary>
    private OnnxValue EmitVgg(Vgg vgg, string path, OnnxValue x)
    {
        var children = Children(vgg);
        bool skip = vgg.SkipsFirstPool(x.Dims[1], x.Dims[2]);
        string featuresPath = Join(path, "features");
        int i = 0;
        foreach (var (name, layer) in children["features"].named_children())
        {
            if (!(skip && i == vgg.FirstPoolIndex)) x = Emit(layer, Join(featuresPath, name), x);
            i++;
        }
        x = Emit(children["avgpool"], Join(path, "avgpool"), x);
        x = Flatten(Join(path, "flatten"), x);
        return Emit(children["classifier"], Join(path, "classifier"), x);
    }

    /// <summary>Inception: the four branches on the same input, concatenated on the channel axis.</summary>
    private OnnxValue EmitInception(nn.Module module, string path, OnnxValue x)
    {
        var outs = new[] { "branch1", "branch2", "branch3", "branch4" }.Select(b => EmitChild(module, path, b, x)).ToList();
        var dims = (long[])outs[0].Dims.Clone();
        dims[0] = outs.Sum(o => o.Dims[0]);
        return g.Node("Concat", Join(path, "concat"), outs.Select(o => o.Name), dims, Int("axis", 1));
    }

    /// <summary>BasicBlock / Bottleneck: conv-bn(-relu) chain, shortcut (<c>downsample</c> or identity), Add, ReLU.</summary>
    private OnnxValue EmitResidual(nn.Module block, string path, OnnxValue x)
    {
        var c = Children(block);
        int convs = block is Bottleneck ? 3 : 2;
        var y = x;
        for (int k = 1; k <= convs; k++)
        {
            y = EmitChild(block, path, $"conv{k}", y);
            y = EmitChild(block, path, $"bn{k}", y);
            if (k < convs) y = EmitChild(block, path, "relu", y);
        }
        var identity = c.TryGetValue("downsample", out var downsample) ? Emit(downsample, Join(path, "downsample"), x) : x;
        var sum = g.Node("Add", Join(path, "add"), [y.Name, identity.Name], y.Dims);
        return EmitChild(block, path, "relu", sum);
    }

    private OnnxValue EmitConv(Conv2d conv, string path, OnnxValue x)
    {
        string type = nameof(Conv2d);
        if (conv.transposed) throw new OnnxExportException(path, type, "transposed convolutions are not supported");
        if (conv.padding_mode != PaddingModes.Zeros) throw new OnnxExportException(path, type, $"padding mode {conv.padding_mode} is not supported (only zeros)");
        if (conv.padding is not { Length: 2 } pad) throw new OnnxExportException(path, type, "padding given as 'same'/'valid' is not supported; give it as numbers");
        long[] k = conv.kernel_size, s = conv.stride, d = conv.dilation;
        if (x.Dims.Length != 3 || x.Dims[0] != conv.in_channels)
            throw new OnnxExportException(path, type, $"expects {conv.in_channels} input channels, the graph has {x}");
        long h = (x.Dims[1] + 2 * pad[0] - d[0] * (k[0] - 1) - 1) / s[0] + 1;
        long w = (x.Dims[2] + 2 * pad[1] - d[1] * (k[1] - 1) - 1) / s[1] + 1;
        if (h < 1 || w < 1) throw new OnnxExportException(path, type, $"the input {x} is too small for this convolution");
        var inputs = new List<string> { x.Name, g.Initializer(Join(path, "weight"), conv.weight!) };
        if (conv.bias is { } bias) inputs.Add(g.Initializer(Join(path, "bias"), bias));
        return g.Node("Conv", path, inputs, [conv.out_channels, h, w],
            Ints("kernel_shape", k), Ints("strides", s), Ints("dilations", d), Ints("pads", pad[0], pad[1], pad[0], pad[1]), Int("group", conv.groups));
    }

    /// <summary>BatchNormalization in inference mode with the running statistics (not folded: the initializers keep the state-dict names).</summary>
    private OnnxValue EmitBatchNorm(BatchNorm2d bn, string path, OnnxValue x)
    {
        string type = nameof(BatchNorm2d);
        if (!bn.track_running_stats || bn.running_mean is null || bn.running_var is null)
            throw new OnnxExportException(path, type, "a batch norm without running statistics normalises with batch statistics at inference; not exportable");
        long n = bn.num_features;
        string scale = bn.weight is { } w ? g.Initializer(Join(path, "weight"), w) : g.Initializer(Join(path, "weight"), [n], Enumerable.Repeat(1f, (int)n).ToArray());
        string shift = bn.bias is { } b ? g.Initializer(Join(path, "bias"), b) : g.Initializer(Join(path, "bias"), [n], new float[n]);
        string mean = g.Initializer(Join(path, "running_mean"), bn.running_mean);
        string variance = g.Initializer(Join(path, "running_var"), bn.running_var);
        return g.Node("BatchNormalization", path, [x.Name, scale, shift, mean, variance], x.Dims, Float("epsilon", (float)bn.eps));
    }

    /// <summary>
    /// MaxPool2d with PyTorch's output size (ceil mode included: a window may not start in the right/bottom padding),
    /// written as an ONNX MaxPool with explicit end padding and ceil_mode 0, which gives that size in every runtime.
    /// </summary>
    private OnnxValue EmitMaxPool(MaxPool2d pool, string path, OnnxValue x)
    {
        static long[] Pair(long[]? v, long[] fallback) => v is null || v.Length == 0 ? fallback : v.Length == 1 ? [v[0], v[0]] : v;
        long[] k = Pair(pool.kernel_size, [1, 1]), s = Pair(pool.stride, k), p = Pair(pool.padding, [0, 0]), d = Pair(pool.dilation, [1, 1]);
        var outDims = new long[2];
        var padEnd = new long[2];
        for (int a = 0; a < 2; a++)
        {
            long size = x.Dims[a + 1], span = d[a] * (k[a] - 1) + 1;
            long numerator = size + 2 * p[a] - span;
            if (numerator < 0) throw new OnnxExportException(path, nameof(MaxPool2d), $"the input {x} is smaller than the window");
            long o = (pool.ceil_mode ? (numerator + s[a] - 1) / s[a] : numerator / s[a]) + 1;
            if (pool.ceil_mode && (o - 1) * s[a] >= size + p[a]) o--;
            outDims[a] = o;
            padEnd[a] = Math.Max(0, (o - 1) * s[a] + span - size - p[a]);
        }
        return g.Node("MaxPool", path, [x.Name], [x.Dims[0], outDims[0], outDims[1]],
            Ints("kernel_shape", k), Ints("strides", s), Ints("dilations", d), Ints("pads", p[0], p[1], padEnd[0], padEnd[1]));
    }

    /// <summary>
    /// AdaptiveAvgPool2d for the export size: nothing when the map already has the output size, GlobalAveragePool
    /// for 1x1, AveragePool when the sizes divide, else the exact bin averages as two MatMuls with constant matrices.
    /// </summary>
    private OnnxValue EmitAdaptiveAvgPool(AdaptiveAvgPool2d pool, string path, OnnxValue x)
    {
        long[] o = pool.output_size.Length == 1 ? [pool.output_size[0], pool.output_size[0]] : pool.output_size;
        long c = x.Dims[0], h = x.Dims[1], w = x.Dims[2];
        if (o[0] == h && o[1] == w) return x;
        if (o[0] == 1 && o[1] == 1) return g.Node("GlobalAveragePool", path, [x.Name], [c, 1, 1]);
        if (h % o[0] == 0 && w % o[1] == 0)
        {
            long kh = h / o[0], kw = w / o[1];
            return g.Node("AveragePool", path, [x.Name], [c, o[0], o[1]], Ints("kernel_shape", kh, kw), Ints("strides", kh, kw));
        }
        // out[i, j] = mean of x over rows [floor(i*h/oh), ceil((i+1)*h/oh)) and likewise for columns: rows = A x, cols = x B.
        string rows = g.Initializer(Join(path, "rows"), [o[0], h], BinMatrix(o[0], h, transpose: false));
        var y = g.Node("MatMul", Join(path, "pool_rows"), [rows, x.Name], [c, o[0], w]);
        string cols = g.Initializer(Join(path, "cols"), [w, o[1]], BinMatrix(o[1], w, transpose: true));
        return g.Node("MatMul", path, [y.Name, cols], [c, o[0], o[1]]);
    }

    /// <summary>The [outSize, inSize] matrix (or its transpose) averaging each adaptive-pool bin, as PyTorch defines the bins.</summary>
    private static float[] BinMatrix(long outSize, long inSize, bool transpose)
    {
        var m = new float[outSize * inSize];
        for (long i = 0; i < outSize; i++)
        {
            long start = i * inSize / outSize, end = ((i + 1) * inSize + outSize - 1) / outSize;
            for (long j = start; j < end; j++) m[transpose ? j * outSize + i : i * inSize + j] = 1f / (end - start);
        }
        return m;
    }

    private OnnxValue EmitFlatten(Flatten flatten, string path, OnnxValue x)
    {
        long rank = x.Dims.Length + 1;
        long end = flatten.end_dim < 0 ? flatten.end_dim + rank : flatten.end_dim;
        if (flatten.start_dim != 1 || end != rank - 1)
            throw new OnnxExportException(path, nameof(Flatten), "only flatten(start_dim: 1) to the last axis is supported");
        return Flatten(path, x);
    }

    private OnnxValue Flatten(string path, OnnxValue x) =>
        x.Dims.Length == 1 ? x : g.Node("Flatten", path, [x.Name], [x.Dims.Aggregate(1L, (a, b) => a * b)], Int("axis", 1));

    /// <summary>Linear as Gemm(x, W, b) with transB = 1.</summary>
    private OnnxValue EmitLinear(Linear linear, string path, OnnxValue x)
    {
        if (x.Dims.Length != 1 || x.Dims[0] != linear.in_features)
            throw new OnnxExportException(path, nameof(Linear), $"expects {linear.in_features} input features, the graph has {x}");
        var inputs = new List<string> { x.Name, g.Initializer(Join(path, "weight"), linear.weight!) };
        if (linear.bias is { } bias) inputs.Add(g.Initializer(Join(path, "bias"), bias));
        return g.Node("Gemm", path, inputs, [linear.out_features], Int("transB", 1));
    }
}
