using Onnx;

namespace ModelZoo.Onnx.Quantization;

/// <summary>
/// Which tensors of a float graph get a QuantizeLinear/DequantizeLinear pair, and which nodes take int8 weights, in
/// the layout ONNX Runtime's CPU provider fuses into integer kernels (its QDQ selectors): every activation input of
/// Conv, Gemm, Add, Concat, AveragePool, GlobalAveragePool, MaxPool and Flatten, and their outputs. An output read
/// only by a Relu is not quantized itself: the Relu's output is, and ONNX Runtime then drops the Relu into the
/// QuantizeLinear (its zero point is the int8 minimum). MaxPool and Flatten outputs share their input's parameters,
/// which lets ONNX Runtime run them on int8 data. The graph output (the logits) stays float: the last Gemm becomes an
/// integer GEMM with a float result. Anything else runs in float on dequantized values and is listed in <see cref="FloatNodes"/>.
/// </summary>
internal sealed class QdqPlan
{
    private static readonly HashSet<string> OwnParameterOps = ["Conv", "Gemm", "Add", "Concat", "AveragePool", "GlobalAveragePool"];
    private static readonly HashSet<string> SharedParameterOps = ["MaxPool", "Flatten"];

    private QdqPlan()
    {
    }

    /// <summary>Tensors that get a Q/DQ pair (graph input included when a quantized node reads it).</summary>
    public HashSet<string> Activations { get; } = new(StringComparer.Ordinal);

    /// <summary>Tensors that take another tensor's parameters (MaxPool/Flatten outputs), to that tensor (itself never tied).</summary>
    public Dictionary<string, string> TiedTo { get; } = new(StringComparer.Ordinal);

    /// <summary>Conv and Gemm nodes whose weight (and bias) become int8 (int32) initializers behind a DequantizeLinear.</summary>
    public HashSet<NodeProto> WeightNodes { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Relus to leave out of the QDQ graph, by their input (the quantized node's output) to their output: a ReLU output's
    /// range starts at 0, so its zero point is -128 and the QuantizeLinear clamps exactly as the ReLU would. (ONNX
    /// Runtime's own ReluQuantFusion does the same, but too late in 1.32 for the Conv and Add fusions to see it.)
    /// </summary>
    public Dictionary<string, string> FusedRelus { get; } = new(StringComparer.Ordinal);

    /// <summary>Quantized nodes by op type (a Relu counted when ONNX Runtime folds it into a quantization).</summary>
    public SortedDictionary<string, int> QuantizedOps { get; } = new(StringComparer.Ordinal);

    /// <summary>Nodes that compute in float, as "name (OpType)".</summary>
    public List<string> FloatNodes { get; } = [];

    /// <summary>The tensors whose ranges calibration must measure (the activations that are not tied).</summary>
    public IEnumerable<string> Calibrated => Activations.Where(t => !TiedTo.ContainsKey(t));

    /// <summary>The tensor whose parameters <paramref name="tensor"/> uses.</summary>
    public string Root(string tensor) => TiedTo.TryGetValue(tensor, out var root) ? root : tensor;

    /// <summary>Plans <paramref name="graph"/> (nodes in topological order, as every ONNX graph has them).</summary>
    public static QdqPlan Build(GraphProto graph)
    {
        var plan = new QdqPlan();
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var readers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (string input in node.Input)
            {
                if (!readers.TryGetValue(input, out var list)) readers[input] = list = [];
                list.Add(node);
            }
        var fusedRelus = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);

        void MarkOutput(NodeProto node)
        {
            string output = node.Output[0];
            if (outputs.Contains(output)) return;
            var next = readers.GetValueOrDefault(output);
            if (next is [{ OpType: "Relu" } relu] && !outputs.Contains(relu.Output[0]))
            {
                plan.Activations.Add(relu.Output[0]);
                plan.FusedRelus[output] = relu.Output[0];
                fusedRelus.Add(relu);
            }
            else plan.Activations.Add(output);
        }

        foreach (var node in graph.Node)
        {
            string op = node.OpType;
            bool quantized = op switch
            {
                "Conv" => node.Input.Count >= 2 && initializers.Contains(node.Input[1]) && (node.Input.Count < 3 || initializers.Contains(node.Input[2]))
                    && !initializers.Contains(node.Input[0]),
                "Gemm" => IsPlainLinear(node) && initializers.Contains(node.Input[1]) && (node.Input.Count < 3 || initializers.Contains(node.Input[2]))
                    && !initializers.Contains(node.Input[0]),
                _ when OwnParameterOps.Contains(op) || SharedParameterOps.Contains(op) => node.Input.Count > 0 && node.Input.All(i => !initializers.Contains(i)),
                _ => false,
            };
            if (!quantized) continue;
            var activationInputs = op is "Conv" or "Gemm" ? [node.Input[0]] : node.Input.ToList();
            foreach (string input in activationInputs) plan.Activations.Add(input);
            if (op is "Conv" or "Gemm") plan.WeightNodes.Add(node);
            if (SharedParameterOps.Contains(op))
            {
                if (!outputs.Contains(node.Output[0]))
                {
                    plan.Activations.Add(node.Output[0]);
                    plan.TiedTo[node.Output[0]] = plan.Root(node.Input[0]);
                }
            }
            else MarkOutput(node);
            plan.QuantizedOps[op] = plan.QuantizedOps.GetValueOrDefault(op) + 1;
        }
        foreach (var node in graph.Node)
        {
            if (node.OpType == "Relu" && fusedRelus.Contains(node)) plan.QuantizedOps["Relu"] = plan.QuantizedOps.GetValueOrDefault("Relu") + 1;
            else if (!plan.WeightNodes.Contains(node) && !IsCounted(plan, node))
                plan.FloatNodes.Add($"{(node.Name.Length > 0 ? node.Name : node.Output[0])} ({node.OpType})");
        }
        return plan;
    }

    /// <summary>Whether a node was planned as quantized (its inputs are all activations of the plan).</summary>
    private static bool IsCounted(QdqPlan plan, NodeProto node) =>
        (OwnParameterOps.Contains(node.OpType) || SharedParameterOps.Contains(node.OpType)) && node.OpType is not ("Conv" or "Gemm")
        && node.Input.Count > 0 && node.Input.All(plan.Activations.Contains);

    /// <summary>Gemm as the exporter writes a linear layer: <c>x W^T + b</c> (transB 1, no transA, alpha = beta = 1).</summary>
    private static bool IsPlainLinear(NodeProto node)
    {
        long Int(string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;
        float Float(string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.F ?? 1f;
        return node.Input.Count >= 2 && Int("transA", 0) == 0 && Int("transB", 0) == 1 && Float("alpha") == 1f && Float("beta") == 1f;
    }
}
