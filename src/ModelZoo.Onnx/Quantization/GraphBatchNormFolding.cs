using Onnx;

namespace ModelZoo.Onnx.Quantization;

/// <summary>
/// Folds <c>BatchNormalization</c> nodes into the <c>Conv</c> before them, in an exported graph: the graph-level twin
/// of <see cref="ModelZoo.Inference.BatchNormFolding"/>, so that quantizing does not change the caller's model. A norm
/// folds when its input is a convolution's output read by nothing else and all its parameters are initializers;
/// others stay (and are reported as float nodes).
/// </summary>
internal static class GraphBatchNormFolding
{
    /// <summary>Folds in place; returns how many norms were folded.</summary>
    public static int Fold(GraphProto graph)
    {
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (string output in node.Output) producers[output] = node;
            foreach (string input in node.Input) readers[input] = readers.GetValueOrDefault(input) + 1;
        }
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var removed = new List<NodeProto>();
        foreach (var bn in graph.Node.Where(n => n.OpType == "BatchNormalization" && n.Input.Count == 5 && n.Output.Count == 1).ToList())
        {
            string x = bn.Input[0];
            if (!producers.TryGetValue(x, out var conv) || conv.OpType != "Conv" || readers.GetValueOrDefault(x) != 1 || outputs.Contains(x)) continue;
            if (conv.Input.Count < 2 || !initializers.TryGetValue(conv.Input[1], out var weight)) continue;
            var parameters = bn.Input.Skip(1).Select(n => initializers.GetValueOrDefault(n)).ToArray();
            if (parameters.Any(p => p is null) || (conv.Input.Count > 2 && !initializers.ContainsKey(conv.Input[2]))) continue;
            if (readers.GetValueOrDefault(conv.Input[1]) != 1) continue; // a shared weight cannot take one norm's scale

            float[] gamma = OnnxTensors.Floats(parameters[0]!), beta = OnnxTensors.Floats(parameters[1]!);
            float[] mean = OnnxTensors.Floats(parameters[2]!), variance = OnnxTensors.Floats(parameters[3]!);
            double eps = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5;
            float[] w = OnnxTensors.Floats(weight);
            int channels = gamma.Length;
            if (weight.Dims.Count == 0 || weight.Dims[0] != channels) continue;
            float[] bias = conv.Input.Count > 2 ? OnnxTensors.Floats(initializers[conv.Input[2]]) : new float[channels];
            int perChannel = w.Length / channels;
            var newBias = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                double scale = gamma[c] / Math.Sqrt(variance[c] + eps);
                for (int i = c * perChannel; i < (c + 1) * perChannel; i++) w[i] = (float)(w[i] * scale);
                newBias[c] = (float)((bias[c] - mean[c]) * scale + beta[c]);
            }
            Replace(graph, initializers, OnnxTensors.Float(weight.Name, weight.Dims, w));
            string biasName = conv.Input.Count > 2 ? conv.Input[2] : Unique(initializers, conv.Input[1].EndsWith(".weight", StringComparison.Ordinal)
                ? conv.Input[1][..^".weight".Length] + ".bias" : conv.Input[1] + "_bias");
            Replace(graph, initializers, OnnxTensors.Float(biasName, [channels], newBias));
            if (conv.Input.Count == 2) conv.Input.Add(biasName);
            conv.Output[0] = bn.Output[0];
            removed.Add(bn);
            foreach (string name in bn.Input.Skip(1))
                if ((readers[name] -= 1) == 0 && initializers.Remove(name, out var unused)) graph.Initializer.Remove(unused);
        }
        foreach (var node in removed) graph.Node.Remove(node);
        return removed.Count;
    }

    private static string Unique(Dictionary<string, TensorProto> initializers, string name)
    {
        if (!initializers.ContainsKey(name)) return name;
        for (int i = 1; ; i++)
            if (!initializers.ContainsKey($"{name}_{i}")) return $"{name}_{i}";
    }

    private static void Replace(GraphProto graph, Dictionary<string, TensorProto> initializers, TensorProto tensor)
    {
        if (initializers.TryGetValue(tensor.Name, out var old)) graph.Initializer[graph.Initializer.IndexOf(old)] = tensor;
        else graph.Initializer.Add(tensor);
        initializers[tensor.Name] = tensor;
    }
}
