using Onnx;
using static ModelZoo.Onnx.OnnxGraphBuilder;

namespace ModelZoo.Onnx.Quantization;

/// <summary>
/// Writes the QDQ graph of a <see cref="QdqPlan"/>: per-channel symmetric int8 weights (scale max|w| / 127 per output
/// channel, zero point 0) and int32 biases (scale = input scale x weight scale) as initializers, each behind a
/// DequantizeLinear on axis 0; a QuantizeLinear after every planned activation and a DequantizeLinear in front of
/// each node that reads it.
/// </summary>
internal static class QdqRewriter
{
    /// <summary>The rewritten graph (a new object; <paramref name="graph"/> is not changed).</summary>
    public static GraphProto Rewrite(GraphProto graph, QdqPlan plan, IReadOnlyDictionary<string, QuantParams> parameters, QuantizedActivationType type)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in graph.Initializer) names.Add(t.Name);
        foreach (var n in graph.Node) foreach (string o in n.Output) names.Add(o);
        foreach (var i in graph.Input) names.Add(i.Name);
        string Unique(string hint)
        {
            if (names.Add(hint)) return hint;
            for (int k = 1; ; k++) if (names.Add($"{hint}_{k}")) return $"{hint}_{k}";
        }

        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var result = new GraphProto { Name = graph.Name, DocString = graph.DocString };
        result.Input.AddRange(graph.Input.Select(v => v.Clone()));
        result.Output.AddRange(graph.Output.Select(v => v.Clone()));
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        var newInitializers = new List<TensorProto>();

        // Scale and zero point initializers, one pair per root tensor.
        var paramNames = new Dictionary<string, (string Scale, string Zero)>(StringComparer.Ordinal);
        (string Scale, string Zero) ParamsOf(string tensor)
        {
            string root = plan.Root(tensor);
            if (paramNames.TryGetValue(root, out var existing)) return existing;
            var p = parameters[root];
            string scale = Unique($"{root}_scale"), zero = Unique($"{root}_zero_point");
            newInitializers.Add(OnnxTensors.Float(scale, [], [p.Scale]));
            newInitializers.Add(type == QuantizedActivationType.Int8 ? OnnxTensors.Int8(zero, [], [(sbyte)p.ZeroPoint]) : OnnxTensors.UInt8(zero, [], [(byte)p.ZeroPoint]));
            return paramNames[root] = (scale, zero);
        }

        // One QuantizeLinear per tensor, one DequantizeLinear per reader: ONNX Runtime 1.32 fuses a node with its
        // DequantizeLinear inputs only when no other node reads them.
        var quantizedNames = new Dictionary<string, string>(StringComparer.Ordinal);
        void QuantizeAfter(string tensor)
        {
            var (scale, zero) = ParamsOf(tensor);
            string q = Unique($"{tensor}_quantized");
            result.Node.Add(Node("QuantizeLinear", q, [tensor, scale, zero], q));
            quantizedNames[tensor] = q;
        }
        string DequantizeFor(string tensor)
        {
            var (scale, zero) = ParamsOf(tensor);
            string dq = Unique($"{tensor}_dequantized");
            result.Node.Add(Node("DequantizeLinear", dq, [quantizedNames[tensor], scale, zero], dq));
            return dq;
        }

        foreach (var input in graph.Input)
            if (plan.Activations.Contains(input.Name)) QuantizeAfter(input.Name);
        // A fused Relu is left out when its zero point really is the int8 minimum (always, for a range starting at 0).
        int qmin = type == QuantizedActivationType.Int8 ? sbyte.MinValue : 0;
        var skippedRelus = plan.FusedRelus.Where(r => parameters[plan.Root(r.Value)].ZeroPoint == qmin)
            .ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            if (node.OpType == "Relu" && skippedRelus.ContainsKey(node.Input[0])) continue;
            var copy = node.Clone();
            for (int i = 0; i < copy.Input.Count; i++)
                if (quantizedNames.ContainsKey(copy.Input[i])) copy.Input[i] = DequantizeFor(copy.Input[i]);
            if (plan.WeightNodes.Contains(node))
            {
                float inputScale = parameters[plan.Root(node.Input[0])].Scale;
                var weight = initializers[node.Input[1]];
                var (wq, wScale, wZero, channelScales) = QuantizeWeight(weight, Unique);
                newInitializers.AddRange([wq, wScale, wZero]);
                replaced.Add(weight.Name);
                string wdq = Unique($"{weight.Name}_dequantized");
                result.Node.Add(Node("DequantizeLinear", wdq, [wq.Name, wScale.Name, wZero.Name], wdq, Int("axis", 0)));
                copy.Input[1] = wdq;
                if (node.Input.Count > 2 && node.Input[2].Length > 0)
                {
                    var bias = initializers[node.Input[2]];
                    var (bq, bScale, bZero) = QuantizeBias(bias, inputScale, channelScales, Unique);
                    newInitializers.AddRange([bq, bScale, bZero]);
                    replaced.Add(bias.Name);
                    string bdq = Unique($"{bias.Name}_dequantized");
                    result.Node.Add(Node("DequantizeLinear", bdq, [bq.Name, bScale.Name, bZero.Name], bdq, Int("axis", 0)));
                    copy.Input[2] = bdq;
                }
            }
            if (skippedRelus.TryGetValue(copy.Output[0], out var reluOutput)) copy.Output[0] = reluOutput;
            result.Node.Add(copy);
            foreach (string output in copy.Output)
                if (plan.Activations.Contains(output)) QuantizeAfter(output);
        }
        // Initializers still read (a weight shared with a float node stays), then the new ones.
        var read = result.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        result.Initializer.AddRange(graph.Initializer.Where(t => !replaced.Contains(t.Name) || read.Contains(t.Name)).Select(t => t.Clone()));
        result.Initializer.AddRange(newInitializers);
        return result;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    /// <summary>Per-output-channel symmetric int8: scale = max |w| / 127 (1 for an all-zero channel), values in [-127, 127].</summary>
    internal static (TensorProto Quantized, TensorProto Scale, TensorProto Zero, float[] Scales) QuantizeWeight(TensorProto weight, Func<string, string> unique)
    {
        float[] w = OnnxTensors.Floats(weight);
        int channels = (int)weight.Dims[0];
        int per = w.Length / channels;
        var q = new sbyte[w.Length];
        var scales = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            float amax = 0;
            for (int i = c * per; i < (c + 1) * per; i++) amax = Math.Max(amax, Math.Abs(w[i]));
            float scale = amax > 0 ? amax / 127f : 1f;
            scales[c] = scale;
            for (int i = c * per; i < (c + 1) * per; i++)
                q[i] = (sbyte)Math.Clamp(Math.Round(w[i] / scale, MidpointRounding.ToEven), -127, 127);
        }
        return (OnnxTensors.Int8(unique($"{weight.Name}_quantized"), weight.Dims, q),
            OnnxTensors.Float(unique($"{weight.Name}_scale"), [channels], scales),
            OnnxTensors.Int8(unique($"{weight.Name}_zero_point"), [channels], new sbyte[channels]),
            scales);
    }

    /// <summary>Int32 bias with scale input scale x weight scale per channel, zero point 0 (what the integer kernels add to their int32 sums).</summary>
    private static (TensorProto Quantized, TensorProto Scale, TensorProto Zero) QuantizeBias(TensorProto bias, float inputScale, float[] weightScales, Func<string, string> unique)
    {
        float[] b = OnnxTensors.Floats(bias);
        var q = new int[b.Length];
        var scales = new float[b.Length];
        for (int c = 0; c < b.Length; c++)
        {
            scales[c] = inputScale * weightScales[c];
            double v = scales[c] > 0 ? Math.Round(b[c] / (double)scales[c], MidpointRounding.ToEven) : 0;
            q[c] = (int)Math.Clamp(v, int.MinValue, int.MaxValue);
        }
        return (OnnxTensors.Int32(unique($"{bias.Name}_quantized"), bias.Dims, q),
            OnnxTensors.Float(unique($"{bias.Name}_scale"), [b.Length], scales),
            OnnxTensors.Int32(unique($"{bias.Name}_zero_point"), [b.Length], new int[b.Length]));
    }
}
